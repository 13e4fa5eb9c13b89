// ApiServer end-to-end over a real unix socket: the server runs its io_context in a thread,
// the test talks raw bytes through POSIX sockets (and curl when installed).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>

#include <asio/post.hpp>

#include "api/test/api_test_client.hpp"

namespace evpnd::api {
namespace {

using nlohmann::json;
using namespace evpnd::api::test;

ApiResponse test_handler(const ApiRequest& req) {
  if (req.path == "/boom") throw std::runtime_error("handler bug");
  if (req.path == "/metrics") return ApiResponse{200, nullptr, "m 1\n", "text/plain; version=0.0.4; charset=utf-8"};
  if (req.path == "/none") return ApiResponse{204, nullptr};
  if (!req.path.starts_with("/v1/")) return ApiResponse{404, {{"error", "no such endpoint: " + req.path}}};
  return ApiResponse{200, {{"method", req.method}, {"path", req.path}, {"query", req.query}, {"body", req.body}}};
}

class ApiServerTest : public ApiServerFixture {
 protected:
  ApiHandler handler() override { return test_handler; }
};

TEST_F(ApiServerTest, Get_JsonResponse) {
  auto r = request("GET /v1/bgp/summary?vni=100&rd=10.0.0.1%3A2 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  auto body = json::parse(r.body);
  EXPECT_EQ(body["method"], "GET");
  EXPECT_EQ(body["path"], "/v1/bgp/summary");
  EXPECT_EQ(body["query"]["vni"], "100");
  EXPECT_EQ(body["query"]["rd"], "10.0.0.1:2");
  EXPECT_TRUE(body["body"].is_null());
}

TEST_F(ApiServerTest, PostJsonBody_PassedToHandler) {
  std::string payload = R"({"prefix":"10.99.0.0/24"})";
  auto r = request("POST /v1/vrfs/red/prefixes HTTP/1.1\r\nContent-Length: " + std::to_string(payload.size()) +
                   "\r\n\r\n" + payload);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["body"]["prefix"], "10.99.0.0/24");
}

TEST_F(ApiServerTest, InvalidJsonBody_400) {
  auto r = request("POST /v1/x HTTP/1.1\r\nContent-Length: 5\r\n\r\n{bad}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "request body is not valid JSON");
}

TEST_F(ApiServerTest, UnknownPath_HandlerDecides404) {
  auto r = request("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"], "no such endpoint: /nope");
}

TEST_F(ApiServerTest, MalformedRequest_400AndClose) {
  int fd = connect_unix(path_);
  send_all(fd, "HELLO\r\n\r\n");
  std::string pending;
  auto r = read_response(fd, pending);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "malformed request line");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(peer_closed(fd));
  ::close(fd);
}

TEST_F(ApiServerTest, HugeBody_413BeforeBodyIsSent) {
  auto r = request("POST /v1/evpn/routes HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_EQ(r.status, 413);
}

TEST_F(ApiServerTest, HugeHeader_431) {
  int fd = connect_unix(path_);
  send_all(fd, "GET /v1/x HTTP/1.1\r\nX-Junk: " + std::string(64 * 1024, 'j'));
  std::string pending;
  EXPECT_EQ(read_response(fd, pending).status, 431);
  ::close(fd);
}

TEST_F(ApiServerTest, Pipelined_AnsweredInOrder) {
  int fd = connect_unix(path_);
  send_all(fd, "GET /v1/a HTTP/1.1\r\n\r\nPOST /v1/b HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"x\":1}GET /v1/c HTTP/1.1\r\n\r\n");
  std::string pending;
  EXPECT_EQ(json::parse(read_response(fd, pending).body)["path"], "/v1/a");
  auto b = json::parse(read_response(fd, pending).body);
  EXPECT_EQ(b["path"], "/v1/b");
  EXPECT_EQ(b["body"]["x"], 1);
  EXPECT_EQ(json::parse(read_response(fd, pending).body)["path"], "/v1/c");
  ::close(fd);
}

TEST_F(ApiServerTest, KeepAlive_SecondRequestSameConnection) {
  int fd = connect_unix(path_);
  std::string pending;
  send_all(fd, "GET /v1/one HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_response(fd, pending).headers["connection"], "keep-alive");
  send_all(fd, "GET /v1/two HTTP/1.1\r\nConnection: close\r\n\r\n");
  auto r = read_response(fd, pending);
  EXPECT_EQ(json::parse(r.body)["path"], "/v1/two");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(peer_closed(fd));
  ::close(fd);
}

TEST_F(ApiServerTest, HandlerThrows_500AndServerSurvives) {
  auto r = request("GET /boom HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["error"], "internal error: handler bug");
  EXPECT_EQ(request("GET /v1/after HTTP/1.1\r\n\r\n").status, 200);
}

TEST_F(ApiServerTest, TextBodyAndNoContent_Served) {
  auto m = request("GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(m.body, "m 1\n");
  auto none = request("DELETE /none HTTP/1.1\r\n\r\n");
  EXPECT_EQ(none.status, 204);
  EXPECT_EQ(none.body, "");
}

TEST_F(ApiServerTest, SocketFile_Mode0660AndUnlinkedOnStop) {
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  stop_server();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ApiServerTest, LiveSocket_SecondServerRefused) {
  asio::io_context other;
  EXPECT_THROW(ApiServer(other, path_, test_handler), std::system_error);
  EXPECT_EQ(request("GET /v1/still-ours HTTP/1.1\r\n\r\n").status, 200);
}

TEST_F(ApiServerTest, ClientDisconnectMidRequest_ServerFine) {
  int fd = connect_unix(path_);
  send_all(fd, "POST /v1/x HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"partial\":");
  ::close(fd);
  EXPECT_EQ(request("GET /v1/next HTTP/1.1\r\n\r\n").status, 200);
}

TEST_F(ApiServerTest, Curl_WorksOverUnixSocket) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  std::string cmd = "curl -s --max-time 5 --unix-socket " + path_ + " 'http://localhost/v1/bgp/summary?x=1' -d '{\"a\":2}'";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  auto body = json::parse(out);
  EXPECT_EQ(body["method"], "POST");
  EXPECT_EQ(body["query"]["x"], "1");
  EXPECT_EQ(body["body"]["a"], 2);
}

TEST(ApiServerStale, StaleSocketFile_Replaced) {
  char tmpl[] = "/tmp/evt-api-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/evpnd.sock";
  {
    // Leave a socket file behind with nobody listening, like a crashed daemon.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  asio::io_context io;
  {
    ApiServer server(io, path, test_handler);
    EXPECT_EQ(server.socket_path(), path);
  }
  std::filesystem::create_directories(dir + "/not-a-socket");
  EXPECT_THROW(ApiServer(io, dir + "/not-a-socket", test_handler), std::system_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace evpnd::api

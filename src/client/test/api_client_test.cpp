// evpnd_client on its own (the library the CNI plugin links, without evpnctl): which failures are
// kConnect (evpnd not running: the plugin's CNI error 50, "try again later") and which are
// kExchange (evpnd answered badly: a bug, not a restart), that an HTTP error status is a reply and
// not a failure, and ApiReply::error_text() as callers print it. The transport's framing (chunked,
// large, text replies) is covered by tools/evpnctl/test/api_client_test.cpp.
#include "client/api_client.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "client/test/fake_api_server.hpp"

namespace evpnd::client {
namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using testing::FakeApiServer;

ApiResponse handle(const ApiRequest& r) {
  if (r.path == "/v1/evpn/vnis/5001") return {404, {{"error", "no such VNI 5001"}}};
  if (r.path == "/cut") {
    // A streamed reply whose producer fails after its first piece: the headers and a chunk are
    // sent, the body ends without its last chunk.
    ApiResponse s{200, nullptr};
    s.content_type = "application/json";
    s.stream = [i = 0](std::string& out) mutable {
      if (i++ > 0) throw std::runtime_error("walk failed");
      out = "{\"items\":[0";
      return true;
    };
    return s;
  }
  if (r.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(600));
  return {200, {{"method", r.method}, {"body", r.body}}};
}

TEST(ApiClientKind, NoSocketFile_Connect) {
  auto r = ApiClient("/tmp/evt-no-such-dir/evpnd.sock").request("GET", "/v1/evpn/vnis/5001");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::kConnect);
  EXPECT_EQ(r.error().exit_code, 2);
  EXPECT_NE(r.error().message.find("is evpnd running?"), std::string::npos) << r.error().message;
}

// A socket file left by an evpnd that died (or is restarting): connect() is refused, and that is
// the same "not running" as a missing file.
TEST(ApiClientKind, StaleSocketFile_Connect) {
  FakeApiServer dir_owner([](const ApiRequest&) { return ApiResponse{}; });
  const std::string path = dir_owner.dir() + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // bound, never listened: the file stays, nobody answers
  auto r = ApiClient(path).request("GET", "/v1/evpn/vnis/5001");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::kConnect);
  EXPECT_NE(r.error().message.find("Connection refused"), std::string::npos) << r.error().message;
}

TEST(ApiClientKind, ReplyCutShort_Exchange) {
  FakeApiServer server(handle);
  auto r = ApiClient(server.socket_path()).request("GET", "/cut");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::kExchange);
  EXPECT_NE(r.error().message.find("truncated reply"), std::string::npos) << r.error().message;
}

TEST(ApiClientKind, NoReplyInTime_Exchange) {
  FakeApiServer server(handle);
  auto r = ApiClient(server.socket_path(), std::chrono::milliseconds(200)).request("GET", "/slow");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::kExchange);
  EXPECT_NE(r.error().message.find("no reply from"), std::string::npos) << r.error().message;
}

TEST(ApiClientReply, ErrorStatus_IsAReplyWithErrorText) {
  FakeApiServer server(handle);
  auto r = ApiClient(server.socket_path(), std::chrono::seconds(5), "evpn-cni").request("GET", "/v1/evpn/vnis/5001");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->error_text(), "no such VNI 5001");
}

TEST(ApiClientReply, PutBody_ReachesServer) {
  FakeApiServer server(handle);
  auto r = ApiClient(server.socket_path()).request("PUT", "/v1/evpn/vnis/5002", json{{"attachment", "net1/c1/eth0"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->error_text(), "");
  EXPECT_EQ(r->body["method"], "PUT");
  EXPECT_EQ(r->body["body"]["attachment"], "net1/c1/eth0");
}

TEST(ApiClientReply, ErrorText_Shapes) {
  ApiReply text{500, json("internal error\n\n"), "text/plain"};
  EXPECT_EQ(text.error_text(), "internal error");  // trailing newlines dropped for one-line messages
  ApiReply other{409, json{{"reason", "busy"}}, "application/json"};
  EXPECT_EQ(other.error_text(), R"({"reason":"busy"})");  // no "error" key: the body as JSON
  ApiReply not_string{400, json{{"error", 7}}, "application/json"};
  EXPECT_EQ(not_string.error_text(), R"({"error":7})");
  ApiReply ok{201, json{{"error", "ignored"}}, "application/json"};
  EXPECT_EQ(ok.error_text(), "");
}

}  // namespace
}  // namespace evpnd::client

// ApiClient against the real ApiServer running in-process (fixed handler bodies): the transport
// both ways, error statuses, the CLI error convention and the daemon-not-running message.
#include <gtest/gtest.h>

#include "client/test/fake_api_server.hpp"
#include "evpnctl/api_client.hpp"
#include "evpnctl/commands.hpp"

namespace evpnctl {
namespace {

using evpnd::api::ApiRequest;
using evpnd::api::ApiResponse;
using evpnd::client::testing::FakeApiServer;
using nlohmann::json;

class ApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_path_option() = path_;
    set_exit_code(0);
  }
  ApiResponse handle(const ApiRequest& r) {
    if (r.path == "/v1/bgp/summary") return {200, {{"router_id", "10.0.0.1"}, {"asn", 65000}, {"peers", json::array()}}};
    if (r.path == "/v1/bgp/neighbors/10.9.9.9") return {404, {{"error", "no such neighbor 10.9.9.9"}}};
    if (r.path == "/metrics") return {200, nullptr, "evpnd_up 1\n", "text/plain; version=0.0.4"};
    if (r.path == "/v1/big") return {200, {{"blob", std::string(3 * 1024 * 1024, 'x')}}};
    if (r.path == "/v1/streamed" || r.path == "/v1/cut") {
      // Like evpnd's paged views: {"items":[0,1,...]} in many chunks; /v1/cut fails midway.
      ApiResponse s{200, nullptr};
      s.content_type = "application/json";
      s.stream = [i = 0, cut = r.path == "/v1/cut"](std::string& out) mutable {
        if (cut && i == 50) throw std::runtime_error("walk failed");
        out = i == 0 ? "{\"items\":[0" : "," + std::to_string(i);
        if (++i < 1000) return true;
        out += "]}";
        return false;
      };
      return s;
    }
    return {200, {{"echo", r.body}, {"query", r.query}, {"method", r.method}}};
  }

  FakeApiServer server_{[this](const ApiRequest& r) { return handle(r); }};
  const std::string path_ = server_.socket_path();
};

TEST_F(ApiClientTest, Get_ParsedJson) {
  auto r = ApiClient(path_).request("GET", "/v1/bgp/summary");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->body["router_id"], "10.0.0.1");
}

TEST_F(ApiClientTest, PostBodyAndEncodedQuery_ReachHandler) {
  std::string target = "/v1/bgp/evpn/routes?rd=" + url_encode("10.0.0.1:2") + "&vni=100";
  auto r = ApiClient(path_).request("POST", target, json{{"prefix", "10.99.0.0/24"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body["echo"]["prefix"], "10.99.0.0/24");
  EXPECT_EQ(r->body["query"]["rd"], "10.0.0.1:2");
  EXPECT_EQ(r->body["query"]["vni"], "100");
  EXPECT_EQ(r->body["method"], "POST");
}

TEST_F(ApiClientTest, LargeReply_ReadCompletely) {
  auto r = ApiClient(path_).request("GET", "/v1/big");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body["blob"].get<std::string>().size(), 3u * 1024 * 1024);
}

TEST_F(ApiClientTest, ChunkedReply_Dechunked) {
  auto r = ApiClient(path_).request("GET", "/v1/streamed");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->body["items"].size(), 1000u);
  EXPECT_EQ(r->body["items"][999], 999);
}

TEST_F(ApiClientTest, ChunkedReplyCutShort_TransportFailure) {
  auto r = ApiClient(path_).request("GET", "/v1/cut");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().exit_code, 2);
  EXPECT_NE(r.error().message.find("truncated reply"), std::string::npos) << r.error().message;
}

TEST_F(ApiClientTest, TextReply_KeptAsString) {
  auto r = ApiClient(path_).request("GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "evpnd_up 1\n");
}

TEST_F(ApiClientTest, ErrorStatus_CallApiPrintsAndExits1) {
  testing::internal::CaptureStderr();
  auto body = call_api("GET", "/v1/bgp/neighbors/10.9.9.9");
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(body);
  EXPECT_EQ(err, "evpnctl: 404 no such neighbor 10.9.9.9\n");
  EXPECT_EQ(exit_code(), 1);
}

TEST_F(ApiClientTest, Success_CallApiReturnsBody) {
  auto body = call_api("DELETE", "/v1/vrfs/red/prefixes", json{{"prefix", "10.0.0.0/8"}});
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["method"], "DELETE");
  EXPECT_EQ(exit_code(), 0);
}

TEST(ApiClientNoDaemon, MissingSocket_ClearMessageExit2) {
  auto r = ApiClient("/tmp/evt-no-such-dir/evpnd.sock").request("GET", "/v1/bgp/summary");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().exit_code, 2);
  EXPECT_EQ(r.error().message,
            "cannot connect to /tmp/evt-no-such-dir/evpnd.sock: No such file or directory \u2014 is evpnd running?");
  socket_path_option() = "/tmp/evt-no-such-dir/evpnd.sock";
  set_exit_code(0);
  testing::internal::CaptureStderr();
  EXPECT_FALSE(call_api("GET", "/v1/bgp/summary"));
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "evpnctl: cannot connect to /tmp/evt-no-such-dir/evpnd.sock: No such file or directory \u2014 is evpnd running?\n");
  EXPECT_EQ(exit_code(), 2);
}

TEST(ApiClientUrl, Encode_ReservedCharacters) {
  EXPECT_EQ(url_encode("10.0.0.1:2"), "10.0.0.1%3A2");
  EXPECT_EQ(url_encode("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(url_encode("tenant-1_x.y~"), "tenant-1_x.y~");
}

}  // namespace
}  // namespace evpnctl

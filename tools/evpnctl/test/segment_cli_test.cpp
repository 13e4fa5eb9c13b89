// evpnctl's run-time segment and endpoint commands end to end (the binary against a FakeApiServer
// answering with the shapes of docs/API.md "Run-time segments and endpoints"): the method, path,
// query and body each command sends, what it prints, and the exit codes — bad input refused
// before any request (1), the daemon's 4xx reasons (1), no daemon (2).
#include <gtest/gtest.h>

#include "cli_runner.hpp"
#include "client/test/fake_api_server.hpp"

namespace {

using evpnctl::test::run;
using evpnd::api::ApiRequest;
using evpnd::api::ApiResponse;
using evpnd::client::testing::FakeApiServer;
using nlohmann::json;

const char* kVniState = R"({"vni":5001,"origin":"api","bridge":"br5001","vxlan_device":"vxlan5001","netns":"",
  "vrf":"red","gateways":["10.1.0.1/24","2001:db8:1::1/64"],"gateway_mac":"00:00:5e:00:01:01","mtu":1450,
  "rd":"10.0.0.1:3","import_rts":["65000:5001"],"export_rts":["65000:5001"],
  "attachments":["net1/c1/eth0","net1/c2/eth0"],"endpoints":2})";

class SegmentCli : public ::testing::Test {
 protected:
  ApiResponse handle(const ApiRequest& r) {
    log_.record(r);
    if (r.path == "/v1/evpn/vnis/5001" && r.method == "PUT") return {201, json::parse(kVniState)};
    if (r.path == "/v1/evpn/vnis/5001" && r.method == "GET") return {200, json::parse(kVniState)};
    if (r.path == "/v1/evpn/vnis/5001" && r.method == "DELETE")
      return {200, {{"vni", 5001}, {"released", true}, {"removed", false}, {"attachments", json::array({"api"})}}};
    if (r.path == "/v1/evpn/vnis/5002") return {409, {{"error", "VNI 5002 exists with other settings: vrf (blue, not red)"}}};
    if (r.path == "/v1/evpn/vnis/5003") return {404, {{"error", "no such VNI 5003"}}};
    if (r.path == "/v1/evpn/endpoints" && r.method == "POST") {
      if (r.body.value("vni", 0) == 5009) return {404, {{"error", "VNI 5009 does not run (PUT /v1/evpn/vnis/5009 first)"}}};
      json ep = r.body;
      if (!ep.contains("attachment")) ep["attachment"] = "api";
      return {201, ep};
    }
    if (r.path == "/v1/evpn/endpoints" && r.method == "DELETE") return {200, {{"removed", true}}};
    if (r.path == "/v1/evpn/endpoints" && r.method == "GET")
      return {200, json::parse(R"({"endpoints":[
        {"vni":5001,"mac":"02:00:0a:01:00:05","ips":["10.1.0.5","2001:db8:1::5"],"interface":"veth1a2b","attachment":"net1/c1/eth0"},
        {"vni":5001,"mac":"02:00:0a:01:00:06","ips":[],"interface":"veth3c4d","attachment":"net1/c2/eth0"}]})")};
    if (r.path == "/v1/evpn/vnis") return {200, {{"vnis", json::array()}}};
    return {404, {{"error", "no such endpoint: " + r.path}}};
  }
  ApiRequest last() { return log_.last(); }
  std::string sock() const { return " --socket " + server_.socket_path(); }
  // Each command line is refused with exactly `message` and exit 1, before any request.
  struct BadInput {
    std::string args, message;
  };
  void expect_refused(std::initializer_list<BadInput> cases) {
    for (const auto& c : cases) {
      auto r = run(c.args + sock());
      EXPECT_EQ(r.exit_code, 1) << c.args;
      EXPECT_EQ(r.output, c.message) << c.args;
    }
    EXPECT_EQ(log_.size(), 0u);
  }

  evpnctl::test::RequestLog log_;  // before server_: the handler may run until server_ is destroyed
  FakeApiServer server_{[this](const ApiRequest& r) { return handle(r); }};
};

TEST_F(SegmentCli, VniEnsure_PutsTheConfigKeysGiven) {
  auto r = run("vni ensure 5001 --vrf red --gateway 10.1.0.1/24 --gateway 2001:db8:1::1/64 --bridge br5001"
               " --rt-import 65000:5001 --rt-import 65000:9 --rt-export 65000:5001 --attachment net1/c1/eth0" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().method, "PUT");
  EXPECT_EQ(last().path, "/v1/evpn/vnis/5001");
  EXPECT_EQ(last().body, json::parse(R"({"attachment":"net1/c1/eth0","vrf":"red","bridge":"br5001",
    "gateway":"10.1.0.1/24","gateway-v6":"2001:db8:1::1/64",
    "route-targets":{"import":["65000:5001","65000:9"],"export":["65000:5001"]}})"));
  EXPECT_EQ(json::parse(r.output), json::parse(kVniState));  // the VNI-STATE, as JSON
}

TEST_F(SegmentCli, VniEnsureBare_EmptyBodyLeavesDefaultsToTheDaemon) {
  ASSERT_EQ(run("vni ensure 5001" + sock()).exit_code, 0);
  EXPECT_EQ(last().body, json::object());  // no key: nothing can differ from an existing VNI
}

TEST_F(SegmentCli, VniEnsureBadInput_Exit1WithoutRequest) {
  expect_refused({
      {"vni ensure 0", "evpnctl: invalid VNI \"0\" (1..16777215)\n"},
      {"vni ensure 16777216", "evpnctl: invalid VNI \"16777216\" (1..16777215)\n"},
      {"vni ensure 50x1", "evpnctl: invalid VNI \"50x1\" (1..16777215)\n"},
      {"vni ensure 5001 --gateway 10.1.0.1", "evpnctl: invalid gateway \"10.1.0.1\" (ADDRESS/LENGTH)\n"},
      {"vni ensure 5001 --gateway 10.1.0.1/24 --gateway 10.2.0.1/24", "evpnctl: more than one gateway given\n"},
      {"vni ensure 5001 --rt-import 65000", "evpnctl: invalid route target \"65000\" (ASN:N or A.B.C.D:N)\n"},
  });
}

TEST_F(SegmentCli, VniEnsureConflict_DaemonReasonExit1) {
  auto r = run("vni ensure 5002 --vrf red" + sock());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "evpnctl: 409 VNI 5002 exists with other settings: vrf (blue, not red)\n");
}

TEST_F(SegmentCli, VniRelease_DeleteWithAttachmentQuery) {
  auto r = run("vni release 5001 --attachment net1/c1/eth0" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().method, "DELETE");
  EXPECT_EQ(last().path, "/v1/evpn/vnis/5001");
  EXPECT_EQ(last().query.at("attachment"), "net1/c1/eth0");  // '/' encoded on the way, decoded by the server
  EXPECT_EQ(json::parse(r.output)["released"], true);
  ASSERT_EQ(run("vni release 5001" + sock()).exit_code, 0);
  EXPECT_TRUE(last().query.empty());  // the daemon's default attachment ("api")
}

TEST_F(SegmentCli, ShowEvpnVniN_OneVniInDetail) {
  auto r = run("show evpn vni 5001" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().path, "/v1/evpn/vnis/5001");
  EXPECT_EQ(r.output,
            "VNI: 5001\n"
            " Origin: api\n"
            " Tenant VRF: red\n"
            " VxLAN interface: vxlan5001\n"
            " Bridge: br5001\n"
            " Namespace: evpnd's\n"
            " Gateways: 10.1.0.1/24, 2001:db8:1::1/64\n"
            " Gateway MAC: 00:00:5e:00:01:01\n"
            " MTU: 1450\n"
            " RD: 10.0.0.1:3\n"
            " Import RTs: 65000:5001\n"
            " Export RTs: 65000:5001\n"
            " Attachments: 2 (net1/c1/eth0, net1/c2/eth0)\n"
            " Endpoints: 2\n");
  EXPECT_EQ(json::parse(run("show evpn vni 5001 --json" + sock()).output)["origin"], "api");
  auto missing = run("show evpn vni 5003" + sock());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output, "evpnctl: 404 no such VNI 5003\n");
  // Without N: the list, as before.
  auto all = run("show evpn vni" + sock());
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(last().path, "/v1/evpn/vnis");
  EXPECT_EQ(all.output, "No VNIs are configured.\n");
}

TEST_F(SegmentCli, EndpointAdd_PostsNormalisedEndpoint) {
  auto r = run("endpoint add --vni 5001 --mac 02:00:0A:01:00:05 --ip 10.1.0.5 --ip 2001:DB8:1::5"
               " --interface veth1a2b --attachment net1/c1/eth0" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().method, "POST");
  EXPECT_EQ(last().path, "/v1/evpn/endpoints");
  EXPECT_EQ(last().body, json::parse(R"({"vni":5001,"mac":"02:00:0a:01:00:05","ips":["10.1.0.5","2001:db8:1::5"],
    "interface":"veth1a2b","attachment":"net1/c1/eth0"})"));
  EXPECT_EQ(json::parse(r.output)["interface"], "veth1a2b");
  ASSERT_EQ(run("endpoint add --vni 5001 --mac 02:00:0a:01:00:07 --interface veth9" + sock()).exit_code, 0);
  EXPECT_EQ(last().body["ips"], json::array());
  EXPECT_FALSE(last().body.contains("attachment"));
}

TEST_F(SegmentCli, EndpointAddBadInput_Exit1WithoutRequest) {
  const std::string add = "endpoint add ";
  expect_refused({
      {add + "--vni 5001 --mac 02:00:0a:01:00 --interface v", "evpnctl: invalid MAC \"02:00:0a:01:00\" (a unicast MAC)\n"},
      {add + "--vni 5001 --mac 01:00:5e:00:00:01 --interface v", "evpnctl: invalid MAC \"01:00:5e:00:00:01\" (a unicast MAC)\n"},
      {add + "--vni 5001 --mac 00:00:00:00:00:00 --interface v", "evpnctl: invalid MAC \"00:00:00:00:00:00\" (a unicast MAC)\n"},
      {add + "--vni 5001 --mac 02:00:0a:01:00:05 --ip 10.1.0.300 --interface v", "evpnctl: invalid IP address \"10.1.0.300\"\n"},
      {add + "--vni 0 --mac 02:00:0a:01:00:05 --interface v", "evpnctl: invalid VNI \"0\" (1..16777215)\n"},
  });
  EXPECT_NE(run("endpoint add --vni 5001 --mac 02:00:0a:01:00:05" + sock()).exit_code, 0);  // --interface required
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(SegmentCli, EndpointAddVniNotRunning_DaemonReasonExit1) {
  auto r = run("endpoint add --vni 5009 --mac 02:00:0a:01:00:05 --interface veth1" + sock());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "evpnctl: 404 VNI 5009 does not run (PUT /v1/evpn/vnis/5009 first)\n");
}

TEST_F(SegmentCli, EndpointDel_DeleteWithQuery) {
  auto r = run("endpoint del --vni 5001 --mac 02:00:0A:01:00:05" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().method, "DELETE");
  EXPECT_EQ(last().path, "/v1/evpn/endpoints");
  EXPECT_EQ(last().query.at("vni"), "5001");
  EXPECT_EQ(last().query.at("mac"), "02:00:0a:01:00:05");
  EXPECT_EQ(json::parse(r.output)["removed"], true);
}

TEST_F(SegmentCli, ShowEvpnEndpoints_TableJsonAndFilters) {
  auto r = run("show evpn endpoints" + sock());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().path, "/v1/evpn/endpoints");
  EXPECT_TRUE(last().query.empty());
  EXPECT_EQ(r.output,
            " VNI  MAC                IPs                     Interface  Attachment\n"
            "5001  02:00:0a:01:00:05  10.1.0.5,2001:db8:1::5  veth1a2b   net1/c1/eth0\n"
            "5001  02:00:0a:01:00:06  -                       veth3c4d   net1/c2/eth0\n"
            "\n"
            "2 endpoints\n");
  ASSERT_EQ(run("show evpn endpoints --vni 5001 --attachment net1/c1/eth0" + sock()).exit_code, 0);
  EXPECT_EQ(last().query.at("vni"), "5001");
  EXPECT_EQ(last().query.at("attachment"), "net1/c1/eth0");
  auto j = run("show evpn endpoints --json" + sock());
  EXPECT_EQ(json::parse(j.output)["endpoints"][1]["interface"], "veth3c4d");
}

TEST_F(SegmentCli, NoDaemon_Exit2) {
  const std::string none = " --socket " + server_.dir() + "/nothing.sock";
  for (const char* args : {"vni ensure 5001", "vni release 5001", "endpoint add --vni 1 --mac 02:00:00:00:00:01 --interface v",
                           "endpoint del --vni 1 --mac 02:00:00:00:00:01", "show evpn endpoints", "show evpn vni 5001"}) {
    auto r = run(args + none);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.output.find("is evpnd running?"), std::string::npos) << r.output;
  }
}

}  // namespace

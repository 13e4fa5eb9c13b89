// The evpnctl binary end to end against a real ApiServer in this process whose handler returns
// fixed bodies: argument parsing, --socket/EVPND_SOCKET, methods/paths/bodies sent, output and
// exit codes. The daemon's own handler is tested elsewhere; this is transport and rendering.
#include <gtest/gtest.h>

#include <fstream>

#include "client/test/fake_api_server.hpp"
#include "cli_runner.hpp"

namespace {

using evpnd::api::ApiRequest;
using evpnd::api::ApiResponse;
using evpnd::client::testing::FakeApiServer;
using evpnctl::test::run;
using nlohmann::json;

class EvpnctlCli : public ::testing::Test {
 protected:
  ApiResponse handle(const ApiRequest& r) {
    log_.record(r);
    if (r.path == "/v1/bgp/summary")
      return {200, json::parse(R"({"router_id":"10.0.0.254","asn":65000,"cluster_id":"10.0.0.254","loc_rib_routes":3,
        "peers":[{"address":"10.0.0.1","remote_as":65000,"description":"leaf1","role":"rr-client","state":"Established",
        "uptime_seconds":5,"prefixes_received":3,"prefixes_sent":0,"messages_in":9,"messages_out":8}]})")};
    if (r.path == "/v1/bgp/neighbors/10.0.0.9") return {404, {{"error", "no such neighbor 10.0.0.9"}}};
    if (r.path == "/v1/evpn/macs") return {200, {{"macs", json::array()}}};
    if (r.path == "/v1/vrfs/red/prefixes") return {200, json::object()};
    if (r.path == "/v1/config/reload")
      return {200, json::parse(R"({"applied":{"global_changed":false,"listen_changed":false,
        "neighbors_added":["10.0.0.3"],"neighbors_removed":[],"neighbors_changed":[],"l2vnis_added":[300],
        "restart_required":["vrfs"]}})")};
    if (r.path == "/v1/bgp/neighbors/10.0.0.66") {
      // Peer- and operator-supplied strings with terminal control sequences in them.
      json n = {{"address", "10.0.0.66"}, {"remote_as", 65066}, {"state", "Idle"},
                {"description", "evil\x1b[2J\x1b]0;owned\x07"},
                {"last_error", "received Cease/2 shutdown communication \"bye\r\n\xc2\x9b" "31m\""}};
      return {200, {{"neighbors", json::array({n})}}};
    }
    if (r.path == "/v1/evpn/routes") return {200, {{"accepted", r.body["routes"].size()}}};
    if (r.path == "/v1/evpn/dup-addr/clear") return {200, json::object()};
    if (r.path == "/v1/bgp/vrfs")
      return {200, json::parse(R"({"vrfs":[{"name":"tenant1","asn":65000,"router_id":"10.0.0.1","peers_configured":1,
        "peers_established":1,"dynamic_peers":0,"listen_ranges":[],"unicast_routes":{"ipv4-unicast":1,"ipv6-unicast":0}}]})")};
    if (r.path == "/v1/bgp/vrfs/tenant1/neighbors")
      return {200, json::parse(R"({"vrf":"tenant1","asn":65000,"router_id":"10.0.0.1","neighbors":[{"address":"10.1.0.5",
        "remote_as":64512,"state":"Established","uptime_seconds":5,"dynamic":true,"listen_range":"10.1.0.0/24",
        "prefixes_accepted":{"ipv4-unicast":2,"ipv6-unicast":0},"prefixes_sent":1,"policy_rejected":1,
        "messages_in":4,"messages_out":3}]})")};
    if (r.path == "/v1/bgp/vrfs/tenant1/neighbors/10.1.0.5")
      return {200, json::parse(R"({"neighbors":[{"address":"10.1.0.5","remote_as":64512,"local_as":65001,"vrf":"tenant1",
        "state":"Established","dynamic":true,"listen_range":"10.1.0.0/24","role":"ebgp"}]})")};
    if (r.path == "/v1/bgp/vrfs/nope/neighbors") return {404, {{"error", "no BGP instance in VRF nope"}}};
    if (r.path == "/v1/bgp/vrfs/tenant1/routes" || r.path == "/v1/bgp/ipv6/routes")
      return {200, json::parse(R"({"routes":[{"prefix":"10.244.1.0/26","family":"ipv4-unicast","peer":"10.1.0.5",
        "next_hop":"10.1.0.5","best":true,"stale":false,"attributes":{"origin":"igp","as_path":[64512]}}],"count":1})")};
    return {404, {{"error", "no such endpoint: " + r.path}}};
  }
  ApiRequest last() { return log_.last(); }

  evpnctl::test::RequestLog log_;  // before server_: the handler may run until server_ is destroyed
  FakeApiServer server_{[this](const ApiRequest& r) { return handle(r); }};
  const std::string dir_ = server_.dir(), sock_ = server_.socket_path();
};

TEST_F(EvpnctlCli, ShowBgpSummary_TableAndJson) {
  auto r = run("show bgp summary --socket " + sock_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("BGP router identifier 10.0.0.254, local AS number 65000"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("10.0.0.1  65000  rr-client"), std::string::npos) << r.output;
  auto j = run("show bgp summary --json --socket " + sock_);
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_EQ(json::parse(j.output)["peers"][0]["description"], "leaf1");
}

TEST_F(EvpnctlCli, GlobalSocketOptionAndEnv_Accepted) {
  EXPECT_EQ(run("--socket " + sock_ + " show bgp summary").exit_code, 0);
  EXPECT_EQ(run("show bgp summary", "EVPND_SOCKET=" + sock_).exit_code, 0);
}

TEST_F(EvpnctlCli, ErrorStatus_PrintedExit1) {
  auto r = run("show bgp neighbor 10.0.0.9 --socket " + sock_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "evpnctl: 404 no such neighbor 10.0.0.9\n");
}

TEST_F(EvpnctlCli, NoDaemon_Exit2WithHint) {
  auto r = run("show bgp summary --socket " + dir_ + "/nothing.sock");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "evpnctl: cannot connect to " + dir_ + "/nothing.sock: No such file or directory \u2014 is evpnd running?\n");
}

TEST_F(EvpnctlCli, ShowEvpnMac_VniFilterInQuery) {
  auto r = run("show evpn mac --vni 100 --socket " + sock_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "No MAC entries.\n");
  EXPECT_EQ(last().path, "/v1/evpn/macs");
  EXPECT_EQ(last().query.at("vni"), "100");
  EXPECT_NE(run("show evpn mac --vni 0 --socket " + sock_).exit_code, 0);  // rejected before any request
}

TEST_F(EvpnctlCli, AnnounceWithdraw_MethodPathBody) {
  EXPECT_EQ(run("announce 10.99.0.0/24 --vrf red --socket " + sock_).exit_code, 0);
  EXPECT_EQ(last().method, "POST");
  EXPECT_EQ(last().path, "/v1/vrfs/red/prefixes");
  EXPECT_EQ(last().body["prefix"], "10.99.0.0/24");
  EXPECT_EQ(run("withdraw 10.99.0.0/24 --vrf red --socket " + sock_).exit_code, 0);
  EXPECT_EQ(last().method, "DELETE");
  auto bad = run("announce 10.99.0.300/24 --vrf red --socket " + sock_);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.output, "evpnctl: invalid prefix \"10.99.0.300/24\"\n");
}

TEST_F(EvpnctlCli, ReloadAndClear_Posted) {
  auto r = run("reload --socket " + sock_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "Configuration reloaded:\n"
            "  neighbors added: 10.0.0.3\n"
            "  l2vnis added: 300\n"
            "  restart required for: vrfs (the running values stay until evpnd restarts)\n");
  EXPECT_EQ(last().path, "/v1/config/reload");
  EXPECT_EQ(last().method, "POST");
  EXPECT_EQ(run("clear evpn dup-addr --vni 100 --socket " + sock_).exit_code, 0);
  EXPECT_EQ(last().path, "/v1/evpn/dup-addr/clear");
  EXPECT_EQ(last().body["vni"], 100);
}

// Issue 12, defect 10: `reload --json` is documented (docs/CONFIG.md) and was rejected as an
// unknown option.
TEST_F(EvpnctlCli, ReloadJson_PrintsTheReply) {
  auto r = run("reload --json --socket " + sock_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  EXPECT_EQ(j["applied"]["neighbors_added"][0], "10.0.0.3");
  EXPECT_EQ(j["applied"]["restart_required"][0], "vrfs");
}

// Issue 12, defect 10: control characters a peer or operator put in a description or an error
// text reach the table output as visible escapes, never raw (no ESC, BEL, CR, C1 CSI).
TEST_F(EvpnctlCli, ControlCharacters_EscapedInTableOutput) {
  auto r = run("show bgp neighbor 10.0.0.66 --socket " + sock_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\x07'), std::string::npos);
  EXPECT_EQ(r.output.find('\r'), std::string::npos);
  EXPECT_EQ(r.output.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(r.output.find("Description: evil\\x1b[2J\\x1b]0;owned\\x07\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("communication \"bye\\r\\n\\u009b31m\""), std::string::npos) << r.output;
  // --json: the JSON encoder escapes them itself.
  auto j = run("show bgp neighbor 10.0.0.66 --json --socket " + sock_);
  EXPECT_EQ(j.output.find('\x1b'), std::string::npos);
  EXPECT_EQ(json::parse(j.output)["neighbors"][0]["description"], "evil\x1b[2J\x1b]0;owned\x07");
}

TEST_F(EvpnctlCli, RouteAddDel_FileAndStdin) {
  std::string file = dir_ + "/routes.json";
  std::ofstream(file) << R"([{"route_type":3,"rd":"10.0.0.1:2","originator":"10.0.0.1"},{"route_type":3}])";
  auto add = run("route add --json " + file + " --socket " + sock_);
  EXPECT_EQ(add.exit_code, 0) << add.output;
  EXPECT_EQ(last().method, "POST");
  EXPECT_EQ(last().body["routes"].size(), 2u);
  auto del = run("route del --json - --socket " + sock_ + " < " + file);
  EXPECT_EQ(del.exit_code, 0) << del.output;
  EXPECT_EQ(last().method, "DELETE");
  EXPECT_EQ(json::parse(del.output)["accepted"], 2);
  auto bad = run("route add --json - --socket " + sock_, "echo 'not json' |");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.output, "evpnctl: stdin is not valid JSON\n");
}

}  // namespace

// Issue 10: the unicast BGP views, each one GET with the path and query documented in docs/API.md.
TEST_F(EvpnctlCli, ShowBgpVrf_SummaryRoutesAndVrfs) {
  auto vrfs = run("show bgp vrfs --socket " + sock_);
  EXPECT_EQ(vrfs.exit_code, 0) << vrfs.output;
  EXPECT_EQ(last().path, "/v1/bgp/vrfs");
  EXPECT_NE(vrfs.output.find("tenant1  65000  10.0.0.1"), std::string::npos) << vrfs.output;

  auto sum = run("show bgp vrf tenant1 summary --socket " + sock_);
  EXPECT_EQ(sum.exit_code, 0) << sum.output;
  EXPECT_EQ(last().path, "/v1/bgp/vrfs/tenant1/neighbors");
  EXPECT_NE(sum.output.find("local AS number 65000 vrf tenant1"), std::string::npos) << sum.output;
  EXPECT_NE(sum.output.find("*10.1.0.5  64512"), std::string::npos) << sum.output;
  auto sj = run("show bgp vrf tenant1 summary --json --socket " + sock_);
  EXPECT_EQ(json::parse(sj.output)["neighbors"][0]["policy_rejected"], 1);
  auto missing = run("show bgp vrf nope summary --socket " + sock_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output, "evpnctl: 404 no BGP instance in VRF nope\n");

  auto nbr = run("show bgp vrf tenant1 neighbor 10.1.0.5 --socket " + sock_);
  EXPECT_EQ(nbr.exit_code, 0) << nbr.output;
  EXPECT_EQ(last().path, "/v1/bgp/vrfs/tenant1/neighbors/10.1.0.5");
  EXPECT_NE(nbr.output.find("BGP neighbor is 10.1.0.5, remote AS 64512, local AS 65001, role ebgp\n"
                            " Dynamic neighbor of VRF tenant1, listen range 10.1.0.0/24\n"),
            std::string::npos) << nbr.output;
  EXPECT_EQ(run("show bgp vrf tenant1 neighbors --socket " + sock_).exit_code, 0);
  EXPECT_EQ(last().path, "/v1/bgp/vrfs/tenant1/neighbors");

  auto routes = run("show bgp vrf tenant1 ipv4 --socket " + sock_);
  EXPECT_EQ(routes.exit_code, 0) << routes.output;
  EXPECT_EQ(last().path, "/v1/bgp/vrfs/tenant1/routes");
  EXPECT_EQ(last().query.at("family"), "ipv4");
  EXPECT_EQ(last().query.count("prefix"), 0u);
  EXPECT_NE(routes.output.find("*>  10.244.1.0/26  10.1.0.5"), std::string::npos) << routes.output;
  auto one = run("show bgp vrf tenant1 ipv6 2001:db8::/64 --limit 5 --socket " + sock_);
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(last().query.at("family"), "ipv6");
  EXPECT_EQ(last().query.at("prefix"), "2001:db8::/64");
  EXPECT_EQ(last().query.at("limit"), "5");
  EXPECT_NE(one.output.find("BGP routing table entry for 10.244.1.0/26"), std::string::npos) << one.output;
  auto rj = run("show bgp vrf tenant1 ipv4 --json --socket " + sock_);
  EXPECT_EQ(json::parse(rj.output)["routes"][0]["peer"], "10.1.0.5");
}

TEST_F(EvpnctlCli, ShowBgpIpv6_GlobalTable) {
  auto r = run("show bgp ipv6 --socket " + sock_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(last().path, "/v1/bgp/ipv6/routes");
  EXPECT_TRUE(last().query.empty());
  EXPECT_NE(r.output.find("Displayed 1 prefix, 1 path"), std::string::npos) << r.output;
  EXPECT_EQ(run("show bgp ipv6 10.244.1.1 --socket " + sock_).exit_code, 0);
  EXPECT_EQ(last().query.at("prefix"), "10.244.1.1");
}

// The unicast BGP endpoints of a running daemon (issue 10; unicast_api.hpp): VRF instances made
// by the engine's events, their neighbours, tables and metrics, the global unicast tables, and
// the 404/400/405 answers with their reasons.
#include <gtest/gtest.h>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::Config config(const std::string& text) {
  auto c = api::parse_config_text(text, "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return *c;
}

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

class UnicastApi : public ::testing::Test {
 protected:
  const std::string dir_ = ::testing::TempDir();
  asio::io_context io_;
  Daemon leaf_{io_, config("router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ +
                           "/ua-leaf.sock }\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                           "neighbors:\n  - { address: 127.0.0.2, remote-as: 65000, passive: true }\n"
                           "advertise: [10.255.0.1/32, 2001:db8:ff::1/128]\n"
                           "vrfs:\n  - { name: red, l3vni: 5000 }\n  - { name: blue, l3vni: 5001 }\n"
                           "l2vnis:\n  - { vni: 100, vrf: red }\n")};
  void SetUp() override { leaf_.start(); }

  // Gives `red` a BGP instance (AS 65001, listen range 10.1.0.0/24) with one passive CE.
  void red_instance() {
    bgp::PeerConfig range_peer;
    range_peer.remote_as = 64512;
    range_peer.families = {kIpv4Unicast};
    range_peer.passive = true;
    auto fx = leaf_.dispatch(engine::ev::ConfigureVrfBgp{"red", 65001, {{*IpPrefix::parse("10.1.0.0/24"), range_peer, 50}}});
    ASSERT_TRUE(fx.error.empty()) << fx.error;
    bgp::PeerConfig ce;
    ce.address = ip("192.0.2.1");
    ce.remote_as = 64999;
    ce.families = {kIpv4Unicast, kIpv6Unicast};
    ce.passive = true;
    ce.description = "gateway";
    fx = leaf_.dispatch(engine::ev::AddPeer{ce, "red"});
    ASSERT_TRUE(fx.error.empty()) << fx.error;
  }
  api::ApiResponse get(const std::string& path, std::map<std::string, std::string> query = {},
                       const std::string& method = "GET") {
    api::ApiRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    return handle_api(leaf_, r);
  }
  // The body of a reply, streamed or not.
  static json body(api::ApiResponse r) {
    if (!r.stream) return r.body;
    std::string text;
    while (r.stream(text)) {
    }
    return json::parse(text);
  }
};

TEST_F(UnicastApi, UnknownVrfOrNoInstance_404WithReason) {
  auto none = get("/v1/bgp/vrfs/green/neighbors");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body["error"], "no such VRF green");
  auto nobgp = get("/v1/bgp/vrfs/blue/routes");
  EXPECT_EQ(nobgp.status, 404);
  EXPECT_EQ(nobgp.body["error"], "VRF blue has no BGP instance (it has no neighbors or listen-ranges)");
  EXPECT_EQ(body(get("/v1/bgp/vrfs")), json::parse(R"({"vrfs":[]})"));
  EXPECT_EQ(get("/v1/bgp/vrfs/red/bogus").status, 404);
  EXPECT_EQ(get("/v1/bgp/vrfs", {}, "POST").status, 405);
  EXPECT_EQ(get("/v1/bgp/ipv4/routes", {}, "DELETE").status, 405);
}

TEST_F(UnicastApi, VrfInstance_ListedWithNeighborsAndRanges) {
  red_instance();
  const json vrfs = body(get("/v1/bgp/vrfs"));
  ASSERT_EQ(vrfs["vrfs"].size(), 1u) << vrfs.dump();
  const json& red = vrfs["vrfs"][0];
  EXPECT_EQ(red["name"], "red");
  EXPECT_EQ(red["asn"], 65001);
  EXPECT_EQ(red["router_id"], "10.0.0.1");
  EXPECT_EQ(red["peers_configured"], 1);
  EXPECT_EQ(red["peers_established"], 0);
  EXPECT_EQ(red["listen_ranges"], json::parse(R"([{"range":"10.1.0.0/24","remote_as":64512,"max_peers":50,
                                                    "peers":0,"refused":0}])"));
  const json n = body(get("/v1/bgp/vrfs/red/neighbors"));
  EXPECT_EQ(n["vrf"], "red");
  EXPECT_EQ(n["asn"], 65001);
  ASSERT_EQ(n["neighbors"].size(), 1u);
  const json& ce = n["neighbors"][0];
  EXPECT_EQ(ce["address"], "192.0.2.1");
  EXPECT_EQ(ce["remote_as"], 64999);
  EXPECT_EQ(ce["local_as"], 65001);
  EXPECT_EQ(ce["description"], "gateway");
  EXPECT_EQ(ce["role"], "ebgp");
  EXPECT_EQ(ce["dynamic"], false);
  EXPECT_EQ(ce["families"], json::parse(R"(["ipv4-unicast","ipv6-unicast"])"));
  EXPECT_EQ(ce["prefixes_accepted"], json::parse(R"({"ipv4-unicast":0,"ipv6-unicast":0})"));
  // One neighbour in detail: the global detail shape, plus vrf and the dynamic fields.
  const json one = body(get("/v1/bgp/vrfs/red/neighbors/192.0.2.1"));
  ASSERT_EQ(one["neighbors"].size(), 1u) << one.dump();
  EXPECT_EQ(one["neighbors"][0]["vrf"], "red");
  EXPECT_EQ(one["neighbors"][0]["remote_as"], 64999);
  EXPECT_EQ(one["neighbors"][0]["local_as"], 65001);
  EXPECT_EQ(one["neighbors"][0]["dynamic"], false);
  EXPECT_TRUE(one["neighbors"][0].contains("hold_time"));
  EXPECT_TRUE(one["neighbors"][0].contains("counters"));
  auto missing = get("/v1/bgp/vrfs/red/neighbors/192.0.2.9");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"], "no such neighbor 192.0.2.9 in VRF red");
  EXPECT_EQ(get("/v1/bgp/vrfs/red/neighbors/bogus").status, 404);
  // The VRF's peer is not one of the global instance's.
  EXPECT_EQ(get("/v1/bgp/neighbors/192.0.2.1").status, 404);
}

TEST_F(UnicastApi, Routes_PagedAndQueryChecked) {
  red_instance();
  auto r = get("/v1/bgp/vrfs/red/routes", {{"family", "ipv4"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body(std::move(r)), json::parse(R"({"routes":[],"count":0})"));
  auto bad = get("/v1/bgp/vrfs/red/routes", {{"family", "evpn"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"], "bad family 'evpn': expected ipv4 or ipv6");
  auto badp = get("/v1/bgp/vrfs/red/routes", {{"prefix", "10.0.0.0/40"}});
  EXPECT_EQ(badp.status, 400);
  EXPECT_EQ(get("/v1/bgp/ipv6/routes", {{"prefix", "10.0.0.0/8"}}).status, 400);
}

// A stream of a VRF's table whose instance goes away between two pieces is cut (the server then
// ends the reply short), never continued on the freed speaker.
TEST_F(UnicastApi, InstanceRemovedDuringTheWalk_StreamCut) {
  red_instance();
  api::ApiResponse r = get("/v1/bgp/vrfs/red/routes");
  ASSERT_TRUE(bool(r.stream));
  ASSERT_TRUE(leaf_.dispatch(engine::ev::ConfigureVrfBgp{"red", std::nullopt, {}, true}).error.empty());
  ASSERT_EQ(leaf_.engine().speaker("red"), nullptr);
  std::string out;
  EXPECT_THROW(r.stream(out), std::runtime_error);
}

// The global instance's `advertise:` prefixes (the VTEP loopback to the underlay) in its tables.
TEST_F(UnicastApi, GlobalAdvertise_InTheGlobalUnicastTables) {
  const json v4 = body(get("/v1/bgp/ipv4/routes"));
  ASSERT_EQ(v4["count"], 1) << v4.dump();
  EXPECT_EQ(v4["routes"][0]["prefix"], "10.255.0.1/32");
  EXPECT_EQ(v4["routes"][0]["family"], "ipv4-unicast");
  EXPECT_EQ(v4["routes"][0]["peer"], "local");
  EXPECT_EQ(v4["routes"][0]["best"], true);
  const json v6 = body(get("/v1/bgp/ipv6/routes", {{"prefix", "2001:db8:ff::1"}}));
  ASSERT_EQ(v6["count"], 1) << v6.dump();
  EXPECT_EQ(v6["routes"][0]["prefix"], "2001:db8:ff::1/128");
  EXPECT_EQ(body(get("/v1/bgp/ipv4/routes", {{"prefix", "10.255.0.2"}}))["count"], 0);
  // The VRF instances' tables are their own.
  red_instance();
  EXPECT_EQ(body(get("/v1/bgp/vrfs/red/routes"))["count"], 0);
}

TEST_F(UnicastApi, Metrics_PerVrfPeerAndGlobalPolicyRejected) {
  red_instance();
  const std::string text = get("/metrics").text.value_or("");
  EXPECT_NE(text.find("evpnd_vrf_bgp_session_state{vrf=\"red\",peer=\"192.0.2.1\"} "), std::string::npos) << text;
  EXPECT_NE(text.find("evpnd_vrf_bgp_prefixes{vrf=\"red\",peer=\"192.0.2.1\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("evpnd_bgp_policy_rejected_total{vrf=\"red\",peer=\"192.0.2.1\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("evpnd_vrf_bgp_routes{vrf=\"red\",family=\"ipv4-unicast\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("evpnd_vrf_bgp_dynamic_peers{vrf=\"red\",range=\"10.1.0.0/24\"} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("evpnd_vrf_bgp_routes{vrf=\"blue\""), std::string::npos);  // no BGP instance, no series
  // The global instance's peers: vrf="".
  EXPECT_NE(text.find("evpnd_bgp_policy_rejected_total{vrf=\"\",peer=\"127.0.0.2\"} 0\n"), std::string::npos) << text;
}

TEST_F(UnicastApi, GlobalNeighbor_UnicastCountsAndPolicyRejected) {
  const json n = body(get("/v1/bgp/neighbors/127.0.0.2"));
  ASSERT_EQ(n["neighbors"].size(), 1u) << n.dump();
  EXPECT_EQ(n["neighbors"][0]["prefixes_accepted"], json::parse(R"({"ipv4-unicast":0,"ipv6-unicast":0})"));
  EXPECT_EQ(n["neighbors"][0]["policy_rejected"], 0);
}

}  // namespace
}  // namespace evpnd::daemon

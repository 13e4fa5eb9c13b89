// JSON shapes of the views (FRR 8.4 `show evpn ... json` keys where FRR has them).
#include "evpn/json_views.hpp"

#include <nlohmann/json.hpp>

#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

TEST(JsonViews, MacTableAndArpCache_FrrShapes) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100"}, .seq = 2};
  svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0());
  const auto j = mac_table_json(svc.mac_views());
  EXPECT_EQ(j["100"]["numMacs"], 2);
  EXPECT_EQ(j["100"]["macs"]["02:00:00:00:01:10"]["type"], "local");
  EXPECT_EQ(j["100"]["macs"]["02:00:00:00:01:10"]["intf"], "rl1-h1");
  EXPECT_EQ(j["100"]["macs"]["02:00:00:00:01:20"]["remoteVtep"], "10.255.0.2");
  EXPECT_EQ(j["100"]["macs"]["02:00:00:00:01:20"]["remoteSequence"], 2);
  EXPECT_EQ(j["100"]["macs"]["02:00:00:00:01:20"]["isDuplicate"], false);
  const auto a = arp_cache_json(svc.neigh_views());
  EXPECT_EQ(a["100"]["numArpNd"], 2);
  EXPECT_EQ(a["100"]["entries"]["192.168.100.20"]["remoteVtep"], "10.255.0.2");
  const auto v = vni_json(svc.vni_views(), svc.vrf_views());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0]["rd"], "10.255.0.1:3");
  EXPECT_EQ(v[0]["exportRts"][0], "65000:100");
  EXPECT_TRUE(v[0]["numRemoteVteps"].is_array());
  EXPECT_EQ(v[2]["type"], "L3");
  EXPECT_EQ(v[2]["routerMac"], "02:00:0a:ff:00:01");
  EXPECT_EQ(v[2]["l2Vnis"], nlohmann::json::array({100, 200}));
}

TEST(JsonViews, DupAddr_RelativeTimes) {
  DupAddrView d{100, mac("02:00:00:00:01:10"), 5, 7, true, t0(), true, t0() + 30s};
  const auto j = dup_addr_json({d}, t0() + 10s);
  EXPECT_EQ(j[0]["detectedAgoSeconds"], 10);
  EXPECT_EQ(j[0]["freezeRemainingSeconds"], 20);
  EXPECT_EQ(j[0]["isFrozen"], true);
}

}  // namespace
}  // namespace evpnd::evpn::test

// Receive side of RFC 9136 (route_checks.hpp `check_type5`): overlay indexes that evpnd cannot
// resolve are not installed (never via the BGP next hop), invalid routes are treated as
// withdrawn, and a Router's MAC that is not unicast is never used (also on type-2 MAC+IP).
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

class Type5ReceiveTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output send(const wire::IpPrefixRoute& r, const char* rmac = "02:00:0a:ff:00:02") {
    wire::PathAttributes a = type5_attrs("65000:5000", rmac ? rmac : "02:00:0a:ff:00:02");
    if (!rmac) std::erase_if(a.ext_communities, [](const auto& ec) { return ec.as_router_mac().has_value(); });
    return svc.on_remote_route(r, a, ip("10.255.0.2"), true, t0());
  }
  static wire::IpPrefixRoute with_gw(wire::IpPrefixRoute r, const char* gw) {
    r.gateway = ip(gw);
    return r;
  }
  static wire::IpPrefixRoute with_esi(wire::IpPrefixRoute r) {
    r.esi = *Esi::parse("00:11:22:33:44:55:66:77:88:99");
    return r;
  }
  EvpnService svc{lab_config()};
};

TEST_F(Type5ReceiveTest, InterfaceLessRmacAndL3Vni_Installed) {  // control: §4.4.1
  Output o = send(type5("10.255.0.2:2", "10.99.0.0/24"));
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].nexthops, std::vector<IpAddress>{ip("10.255.0.2")});
}

// §3.2: a GW-IP overlay index cannot be used until resolved through an RT-2 for that IP; it must
// not be installed towards the BGP next hop (the prefix lives behind the gateway).
TEST_F(Type5ReceiveTest, GatewayIpOverlayIndex_NotInstalledViaNextHop) {
  Output o = send(with_gw(type5("10.255.0.2:2", "10.99.0.0/24"), "192.168.100.50"));
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty());
  EXPECT_EQ(svc.counters().overlay_index_unresolved, 1u);
  ASSERT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
  EXPECT_NE(o.notices[0].text.find("Gateway IP"), std::string::npos) << o.notices[0].text;
}

TEST_F(Type5ReceiveTest, InstalledPrefixReadvertisedWithGatewayIp_Removed) {
  ASSERT_EQ(adds<dataplane::VrfRoute>(send(type5("10.255.0.2:2", "10.99.0.0/24"))).size(), 1u);
  Output o = send(with_gw(type5("10.255.0.2:2", "10.99.0.0/24"), "192.168.100.50"));
  EXPECT_EQ(dels<dataplane::VrfRoute>(o).size(), 1u);
}

TEST_F(Type5ReceiveTest, EsiOverlayIndex_NotInstalled) {
  EXPECT_TRUE(adds<dataplane::VrfRoute>(send(with_esi(type5("10.255.0.2:2", "10.99.0.0/24")))).empty());
  EXPECT_EQ(svc.counters().overlay_index_unresolved, 1u);
}

TEST_F(Type5ReceiveTest, EsiAndGatewayIp_TreatAsWithdraw) {  // §3.2 SHOULD
  Output o = send(with_gw(with_esi(type5("10.255.0.2:2", "10.99.0.0/24")), "192.168.100.50"));
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_EQ(svc.counters().treat_as_withdraw, 1u);
}

// §3.1: label 0 requires an overlay index; without one the route is treat-as-withdraw.
TEST_F(Type5ReceiveTest, Label0WithoutOverlayIndex_TreatAsWithdraw) {
  ASSERT_EQ(adds<dataplane::VrfRoute>(send(type5("10.255.0.2:2", "10.99.0.0/24"))).size(), 1u);
  Output o = send(type5("10.255.0.2:2", "10.99.0.0/24", 0), nullptr);
  EXPECT_EQ(dels<dataplane::VrfRoute>(o).size(), 1u);  // the earlier version is gone
  EXPECT_EQ(svc.counters().treat_as_withdraw, 1u);
  EXPECT_EQ(svc.counters().vni_mismatch, 0u);  // reported for what it is, not as a VNI mismatch
}

TEST_F(Type5ReceiveTest, Label0WithRouterMac_MacOverlayIndexNotInstalled) {
  EXPECT_TRUE(adds<dataplane::VrfRoute>(send(type5("10.255.0.2:2", "10.99.0.0/24", 0))).empty());
  EXPECT_EQ(svc.counters().overlay_index_unresolved, 1u);
}

// §3.2: a broadcast or multicast Router's MAC makes the route treat-as-withdraw; all-zero is no
// usable MAC either.
TEST_F(Type5ReceiveTest, NonUnicastRouterMac_TreatAsWithdraw) {
  const char* bad[] = {"ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "00:00:00:00:00:00"};
  uint64_t n = 0;
  for (const char* m : bad) {
    Output o = send(type5("10.255.0.2:2", "10.99.0.0/24"), m);
    EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty()) << m;
    EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty()) << m;
    EXPECT_EQ(svc.counters().treat_as_withdraw, ++n) << m;
  }
}

TEST_F(Type5ReceiveTest, Type2MacIpWithBroadcastRouterMac_MacButNoHostRoute) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "ff:ff:ff:ff:ff:ff"};
  Output o = svc.on_remote_route(type2(s), type2_attrs(s), ip(s.vtep), true, t0());
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty());
  EXPECT_EQ(svc.counters().router_mac_invalid, 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

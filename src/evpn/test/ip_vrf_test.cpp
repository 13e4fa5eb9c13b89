// IP-VRF: type-5 import with ECMP across VTEPs, origination API, IPv6, local-prefix precedence,
// RMAC reference counting.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

class IpVrfTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output t5(const char* rdv, const char* prefix, const char* vtep, const char* rmac, bool add = true,
            const char* rtv = "65000:5000") {
    return svc.on_remote_route(type5(rdv, prefix), type5_attrs(rtv, rmac), ip(vtep), add, t0());
  }
  EvpnService svc{lab_config()};
};

TEST_F(IpVrfTest, Type5_PrefixRouteWithRmac) {
  Output o = t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02");
  ASSERT_EQ(adds<dataplane::RemoteRmac>(o).size(), 1u);
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0],
            (dataplane::VrfRoute{5000, pfx("10.20.0.0/16"), {ip("10.255.0.2")}, 20}));
  EXPECT_EQ(svc.vrf_route_views("tenant1").at(0).source, VrfRouteSource::kPrefix);
}

TEST_F(IpVrfTest, Type5NonMatchingRt_Nothing) {
  EXPECT_TRUE(t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02", true, "65000:6000").empty());
}

TEST_F(IpVrfTest, Type5FromTwoVteps_EcmpAddAndRemove) {
  t5("10.255.0.3:2", "0.0.0.0/0", "10.255.0.3", "02:00:0a:ff:00:03");
  Output two = t5("10.255.0.2:2", "0.0.0.0/0", "10.255.0.2", "02:00:0a:ff:00:02");
  ASSERT_EQ(adds<dataplane::RemoteRmac>(two).size(), 1u);  // only the new VTEP's RMAC
  ASSERT_EQ(adds<dataplane::VrfRoute>(two).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(two)[0].nexthops, (std::vector<IpAddress>{ip("10.255.0.2"), ip("10.255.0.3")}));
  // Same VTEP again under another RD: still two next hops, nothing to do.
  EXPECT_TRUE(t5("10.255.0.2:9", "0.0.0.0/0", "10.255.0.2", "02:00:0a:ff:00:02").intents.empty());
  EXPECT_TRUE(t5("10.255.0.2:9", "0.0.0.0/0", "10.255.0.2", "02:00:0a:ff:00:02", false).intents.empty());
  // One VTEP withdraws: route shrinks first, then its RMAC goes.
  Output one = t5("10.255.0.3:2", "0.0.0.0/0", "10.255.0.3", "02:00:0a:ff:00:03", false);
  ASSERT_EQ(one.intents.size(), 2u);
  EXPECT_EQ(one.intents[0], dataplane::Intent::add(dataplane::VrfRoute{5000, pfx("0.0.0.0/0"), {ip("10.255.0.2")}, 20}));
  EXPECT_EQ(one.intents[1], dataplane::Intent::del(dataplane::RemoteRmac{5000, mac("02:00:0a:ff:00:03"), ip("10.255.0.3")}));
  Output none = t5("10.255.0.2:2", "0.0.0.0/0", "10.255.0.2", "02:00:0a:ff:00:02", false);
  EXPECT_EQ(dels<dataplane::VrfRoute>(none).size(), 1u);
  EXPECT_EQ(dels<dataplane::RemoteRmac>(none).size(), 1u);
  EXPECT_TRUE(svc.vrf_route_views().empty());
  EXPECT_TRUE(svc.rmac_views().empty());
}

TEST_F(IpVrfTest, Type5Ipv6_Ecmp) {
  t5("10.255.0.2:2", "2001:db8:20::/48", "10.255.0.2", "02:00:0a:ff:00:02");
  Output o = t5("10.255.0.3:2", "2001:db8:20::/48", "10.255.0.3", "02:00:0a:ff:00:03");
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].prefix, pfx("2001:db8:20::/48"));
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].nexthops.size(), 2u);
}

TEST_F(IpVrfTest, RmacSharedByRoutes_DeletedWithLastRoute) {
  t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02");
  Output second = t5("10.255.0.2:2", "10.30.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02");
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(second).empty());
  EXPECT_TRUE(dels<dataplane::RemoteRmac>(t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "x", false)).empty());
  EXPECT_EQ(dels<dataplane::RemoteRmac>(t5("10.255.0.2:2", "10.30.0.0/16", "10.255.0.2", "x", false)).size(), 1u);
}

TEST_F(IpVrfTest, RmacChangeOfVtep_Replaced) {
  t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02");
  Output o = t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", "02:00:0a:ff:00:22");
  ASSERT_EQ(dels<dataplane::RemoteRmac>(o).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteRmac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteRmac>(o)[0].rmac, mac("02:00:0a:ff:00:22"));
}

TEST_F(IpVrfTest, Type5ForOwnConnectedSubnet_NotInstalled) {
  // leaf2 also advertises 192.168.100.0/24 (capture): ours is connected here.
  Output o = t5("10.255.0.2:2", "192.168.100.0/24", "10.255.0.2", "02:00:0a:ff:00:02");
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty());
}

TEST_F(IpVrfTest, AnnounceWithdraw_Type5AndImportedFallback) {
  t5("10.255.0.2:2", "10.99.0.0/16", "10.255.0.2", "02:00:0a:ff:00:02");
  auto a = svc.announce("tenant1", pfx("10.99.0.0/16"));
  ASSERT_TRUE(a);
  const auto adv = advertised(*a);
  ASSERT_EQ(adv.size(), 1u);
  const auto& r = std::get<wire::IpPrefixRoute>(adv[0].route);
  EXPECT_EQ(r.rd, rd("10.255.0.1:2"));
  EXPECT_EQ(r.label, 5000u);
  EXPECT_EQ(r.prefix, pfx("10.99.0.0/16"));
  EXPECT_EQ(dels<dataplane::VrfRoute>(*a).size(), 1u);  // our own prefix: the imported one goes
  EXPECT_TRUE(svc.announce("tenant1", pfx("10.99.0.0/16"))->empty());  // idempotent
  auto w = svc.withdraw("tenant1", pfx("10.99.0.0/16"));
  ASSERT_TRUE(w);
  EXPECT_EQ(withdrawn(*w).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(*w).size(), 1u);  // the imported one comes back
  // ... with its VTEP's Router's MAC (not a zero MAC: the RMAC was deleted in between).
  const dataplane::RemoteRmac leaf2_rmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")};
  EXPECT_EQ(adds<dataplane::RemoteRmac>(*w), std::vector{leaf2_rmac});
  EXPECT_FALSE(svc.withdraw("tenant1", pfx("10.99.0.0/16")));
  EXPECT_FALSE(svc.announce("nope", pfx("10.99.0.0/16")));
}

TEST_F(IpVrfTest, AnnounceIpv6_Type5Gateway0Label) {
  auto a = svc.announce("tenant1", pfx("2001:db8:99::/48"));
  ASSERT_TRUE(a);
  const auto adv = advertised(*a);
  ASSERT_EQ(adv.size(), 1u);
  const auto& r = std::get<wire::IpPrefixRoute>(adv[0].route);
  EXPECT_EQ(r.gateway, ip("::"));
  EXPECT_EQ(hex_of(advertised(*a)[0].attrs), "030c000000000008" "0002fde800001388" "060302000aff0001");
}

TEST_F(IpVrfTest, WithdrawOfConnectedViaApi_Refused) {
  EXPECT_FALSE(svc.withdraw("tenant1", pfx("192.168.100.0/24")));
}

TEST_F(IpVrfTest, HostRouteOutranksType5ForSameHost) {
  t5("10.255.0.3:2", "10.50.0.7/32", "10.255.0.3", "02:00:0a:ff:00:03");
  RemoteMacIp s{.mac = "02:00:00:00:05:07", .ip = "10.50.0.7", .l2vni = 500, .rts = {"65000:500", "65000:5000"},
                .rmac = "02:00:0a:ff:00:02"};
  Output o = svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0());
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].nexthops, std::vector<IpAddress>{ip("10.255.0.2")});
  EXPECT_EQ(svc.vrf_route_views().at(0).source, VrfRouteSource::kHost);
}

TEST_F(IpVrfTest, Type5WithoutRouterMac_IgnoredWithNotice) {
  wire::PathAttributes a = type5_attrs("65000:5000", "02:00:0a:ff:00:02");
  a.ext_communities.pop_back();
  Output o = svc.on_remote_route(type5("10.255.0.2:2", "10.20.0.0/16"), a, ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

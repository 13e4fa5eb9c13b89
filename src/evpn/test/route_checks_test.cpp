// Receive-side checks before import (route_checks.hpp): encapsulation (RFC 8365 §5.1.3, §6) and
// the VNI carried in the label fields (RFC 8365 §5.1.3).
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

// The attributes with their BGP Encapsulation communities replaced by `encaps`.
wire::PathAttributes with_encaps(wire::PathAttributes a, std::vector<wire::TunnelEncap> encaps) {
  std::erase_if(a.ext_communities, [](const wire::ExtCommunity& ec) { return ec.as_encapsulation().has_value(); });
  for (auto t : encaps) a.ext_communities.push_back(wire::ExtCommunity::encapsulation(t));
  return a;
}

class RouteChecksTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output type2_with(const RemoteMacIp& s, std::vector<wire::TunnelEncap> encaps, bool add = true) {
    return svc.on_remote_route(type2(s), with_encaps(type2_attrs(s), std::move(encaps)), ip(s.vtep), add, t0());
  }
  EvpnService svc{lab_config()};
};

using E = wire::TunnelEncap;

TEST_F(RouteChecksTest, Type2MplsOnly_NotInstalledCountedAndLogged) {
  Output o = type2_with({}, {E::kMpls});
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.counters().encap_unsupported, 1u);
  ASSERT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
  EXPECT_NE(o.notices[0].text.find("mpls"), std::string::npos) << o.notices[0].text;
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(RouteChecksTest, Type2NvgreOnly_NotInstalled) {
  EXPECT_TRUE(type2_with({}, {E::kNvgre}).intents.empty());
  EXPECT_EQ(svc.counters().encap_unsupported, 1u);
}

TEST_F(RouteChecksTest, Type2VxlanAmongSeveral_Installed) {
  // RFC 8365 §6: one encapsulation in common is enough.
  Output o = type2_with({}, {E::kNvgre, E::kVxlan});
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(svc.counters().encap_unsupported, 0u);
}

TEST_F(RouteChecksTest, InstalledRouteReadvertisedWithMplsOnly_Removed) {
  ASSERT_EQ(adds<dataplane::RemoteMac>(type2_with({}, {E::kVxlan})).size(), 1u);
  Output o = type2_with({}, {E::kMpls});
  EXPECT_EQ(dels<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(RouteChecksTest, NoEncapCommunity_MplsAssumedNotInstalled) {
  Output o = type2_with({}, {});
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.counters().encap_unsupported, 1u);
  EXPECT_NE(o.notices.at(0).text.find("MPLS assumed"), std::string::npos) << o.notices[0].text;
}

TEST_F(RouteChecksTest, NoEncapCommunity_ConfiguredDefaultVxlanInstalled) {
  auto c = lab_config();
  c.default_encap_vxlan = true;  // vtep.default-encapsulation: vxlan (RFC 8365 §5.1.3 "locally configured")
  EvpnService s(c);
  s.start();
  RemoteMacIp r{};
  Output o = s.on_remote_route(type2(r), with_encaps(type2_attrs(r), {}), ip(r.vtep), true, t0());
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  // An explicit non-VXLAN community still wins over the default.
  RemoteMacIp m{.mac = "02:00:00:00:01:21"};
  EXPECT_TRUE(s.on_remote_route(type2(m), with_encaps(type2_attrs(m), {E::kMpls}), ip(m.vtep), true, t0()).intents.empty());
}

TEST_F(RouteChecksTest, Type3MplsOnly_NoFloodEntry) {
  Output o = svc.on_remote_route(wire::InclusiveMulticast{rd("10.255.0.2:3"), 0, ip("10.255.0.2")},
                                 with_encaps(imet_attrs("10.255.0.2", 100, "65000:100"), {E::kMpls}),
                                 ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(adds<dataplane::FloodEntry>(o).empty());
  EXPECT_EQ(svc.counters().encap_unsupported, 1u);
}

TEST_F(RouteChecksTest, Type5NoEncap_NoVrfRoute) {
  Output o = svc.on_remote_route(type5("10.255.0.2:2", "10.99.0.0/24"),
                                 with_encaps(type5_attrs("65000:5000", "02:00:0a:ff:00:02"), {}), ip("10.255.0.2"),
                                 true, t0());
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_EQ(svc.counters().encap_unsupported, 1u);
}

// RFC 8365 §5.1.3: Label1 is the VNI the egress expects. The kernel entries are programmed with
// the local device's VNI, so a route with another VNI is not imported into that VNI.
TEST_F(RouteChecksTest, Type2VniDiffersFromLocal_NotImportedCounted) {
  Output o = svc.on_remote_route(type2({.l2vni = 300}), type2_attrs({}), ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.counters().vni_mismatch, 1u);
  ASSERT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
  EXPECT_NE(o.notices[0].text.find("VNI 300"), std::string::npos) << o.notices[0].text;
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(RouteChecksTest, Type3PmsiVniDiffersFromLocal_NoFloodEntry) {
  Output o = svc.on_remote_route(wire::InclusiveMulticast{rd("10.255.0.2:3"), 0, ip("10.255.0.2")},
                                 imet_attrs("10.255.0.2", 300, "65000:100"), ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(adds<dataplane::FloodEntry>(o).empty());
  EXPECT_EQ(svc.counters().vni_mismatch, 1u);
}

TEST_F(RouteChecksTest, Type5LabelDiffersFromL3Vni_NoVrfRoute) {
  Output o = svc.on_remote_route(type5("10.255.0.2:2", "10.99.0.0/24", 5001),
                                 type5_attrs("65000:5000", "02:00:0a:ff:00:02"), ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty());
  EXPECT_EQ(svc.counters().vni_mismatch, 1u);
}

TEST_F(RouteChecksTest, Type2MacIpLabel2DiffersFromL3Vni_MacInstalledNoHostRoute) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02"};
  wire::MacIpAdvertisement r = type2(s);
  r.label2 = 5001;
  Output o = svc.on_remote_route(r, type2_attrs(s), ip(s.vtep), true, t0());
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);     // Label1 = 100 matches
  EXPECT_EQ(adds<dataplane::RemoteNeighbour>(o).size(), 1u);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());         // Label2 5001 != L3VNI 5000
  EXPECT_EQ(svc.counters().vni_mismatch, 1u);
}

TEST_F(RouteChecksTest, MatchingVnis_Imported) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02"};
  Output o = svc.on_remote_route(type2(s), type2_attrs(s), ip(s.vtep), true, t0());
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(svc.counters().vni_mismatch, 0u);
  EXPECT_EQ(svc.counters().encap_unsupported, 0u);
}

}  // namespace
}  // namespace evpnd::evpn::test

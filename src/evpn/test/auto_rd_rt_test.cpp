// RD/RT derivation (RFC 7432 §7.9, RFC 8365 §5.1.2.1) against FRR 8.4's values in the captures.
#include "evpn/auto_rd_rt.hpp"

#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

std::string rt_hex(const RouteTarget& r) { return to_hex(ByteView(r.data(), 8)); }

TEST(AutoRt, FrrMode2ByteAsn_AsnColonVni) {
  // Captures: RT 00 02 fd e8 00 00 00 64 (65000:100) and ...13 88 (65000:5000).
  EXPECT_EQ(rt_hex(auto_rt(65000, 100, RtAutoMode::kFrr)), "0002fde800000064");
  EXPECT_EQ(rt_hex(auto_rt(65000, 5000, RtAutoMode::kFrr)), "0002fde800001388");
  EXPECT_EQ(auto_rt(65000, 100, RtAutoMode::kFrr).to_string(), "65000:100");
}

TEST(AutoRt, FrrMode4ByteAsn_Low16BitsOfAsn) {
  // 4200000001 = 0xFA56EA01: FRR's form_auto_rt() uses bgp->as & 0xFFFF = 0xEA01 = 59905.
  const RouteTarget r = auto_rt(4200000001u, 100, RtAutoMode::kFrr);
  EXPECT_EQ(rt_hex(r), "0002ea0100000064");
  EXPECT_EQ(r.type(), 0x00);  // still the 2-octet-AS type
  EXPECT_EQ(r.to_string(), "59905:100");
}

TEST(AutoRt, Rfc8365Mode2ByteAsn_TypeVxlanInLocalAdmin) {
  // A=0 (auto), Type=1 (VXLAN), D-ID=0, Service ID = VNI: 0x10000000 | VNI.
  EXPECT_EQ(rt_hex(auto_rt(65000, 100, RtAutoMode::kRfc8365)), "0002fde810000064");
  EXPECT_EQ(auto_rt(65000, 100, RtAutoMode::kRfc8365).to_string(), "65000:268435556");
  EXPECT_EQ(rt_hex(auto_rt(65000, 0xFFFFFF, RtAutoMode::kRfc8365)), "0002fde810ffffff");
}

TEST(AutoRt, Rfc8365Mode4ByteAsn_Low16BitsOfAsn) {
  EXPECT_EQ(rt_hex(auto_rt(4200000001u, 5000, RtAutoMode::kRfc8365)), "0002ea0110001388");
}

TEST(AutoRt, ModesDiffer_NoCrossMatch) {
  EXPECT_FALSE(rt_match({auto_rt(65000, 100, RtAutoMode::kFrr)}, {auto_rt(65000, 100, RtAutoMode::kRfc8365)}));
  EXPECT_TRUE(rt_match({rt("1:1"), auto_rt(65000, 100, RtAutoMode::kFrr)}, {rt("65000:100")}));
  EXPECT_FALSE(rt_match({}, {rt("65000:100")}));
}

TEST(AutoRd, Type1RouterIdIndex) {
  const Rd r = auto_rd(ip("10.255.0.1"), 3);
  EXPECT_EQ(to_hex(ByteView(r.data(), 8)), "00010aff00010003");  // capture: 10.255.0.1:3
}

TEST(AutoRd, IndexPlan_MatchesFrrLab) {
  // Captures: VRF tenant1 10.255.0.1:2, VNI 100 10.255.0.1:3, VNI 200 10.255.0.1:4.
  const RdIndexPlan plan = rd_index_plan(lab_config());
  EXPECT_EQ(plan.vrfs.at("tenant1"), 2);
  EXPECT_EQ(plan.l2vnis.at(100), 3);
  EXPECT_EQ(plan.l2vnis.at(200), 4);
}

TEST(RouteTargets, OnlyRtCommunitiesAreReturned) {
  wire::PathAttributes a;
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  a.ext_communities.push_back(wire::ExtCommunity::route_target(rt("65000:100")));
  a.ext_communities.push_back(wire::ExtCommunity::router_mac(mac("02:00:0a:ff:00:02")));
  a.ext_communities.push_back(wire::ExtCommunity::route_target(rt("10.0.0.1:7")));
  const auto rts = route_targets(a);
  ASSERT_EQ(rts.size(), 2u);
  EXPECT_EQ(rts[0], rt("65000:100"));
  EXPECT_EQ(rts[1], rt("10.0.0.1:7"));
}

}  // namespace
}  // namespace evpnd::evpn::test

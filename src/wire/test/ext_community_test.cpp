// Extended communities: each constructor against hand-written wire bytes, each accessor on
// those bytes, to_string forms, and that accessors reject the other types.
#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "wire/ext_community.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

std::string hex8(const ExtCommunity& c) { return to_hex(ByteView(c.raw.data(), 8)); }

ExtCommunity from_hex(std::string_view h) {
  auto b = parse_hex(h);
  EXPECT_TRUE(b && b->size() == 8) << h;
  ExtCommunity c;
  if (b && b->size() == 8) std::copy(b->begin(), b->end(), c.raw.begin());
  return c;
}

const Mac kMac = *Mac::parse("02:00:0a:ff:00:01");

}  // namespace

TEST(ExtCommunity, RouteTargetAs2_Bytes) {
  auto c = ExtCommunity::route_target(RouteTarget::as2(65000, 100));
  EXPECT_EQ(hex8(c), "0002fde800000064");
  EXPECT_EQ(c.to_string(), "rt:65000:100");
  EXPECT_EQ(*c.as_route_target(), RouteTarget::as2(65000, 100));
}
TEST(ExtCommunity, RouteTargetIpv4_Bytes) {
  auto c = ExtCommunity::route_target(RouteTarget::ipv4(*IpAddress::parse("10.255.0.1"), 5));
  EXPECT_EQ(hex8(c), "01020aff00010005");
  EXPECT_EQ(c.to_string(), "rt:10.255.0.1:5");
}
TEST(ExtCommunity, RouteTargetAs4_Bytes) {
  auto c = ExtCommunity::route_target(RouteTarget::as4(4200000000u, 100));
  EXPECT_EQ(hex8(c), "0202fa56ea000064");
  EXPECT_EQ(c.to_string(), "rt:4200000000:100");
  EXPECT_EQ(from_hex("0202fa56ea000064").as_route_target()->type(), 0x02);
}
TEST(ExtCommunity, RouteTarget_OtherTypesOrSubtypes_NotRt) {
  EXPECT_FALSE(from_hex("0003fde800000064").as_route_target());  // route origin
  EXPECT_FALSE(from_hex("4002fde800000064").as_route_target());  // non-transitive
  EXPECT_FALSE(from_hex("0302000000000008").as_route_target());
}

TEST(ExtCommunity, EncapsulationVxlan_Bytes) {
  auto c = ExtCommunity::encapsulation(TunnelEncap::kVxlan);
  EXPECT_EQ(hex8(c), "030c000000000008");
  EXPECT_EQ(c.as_encapsulation(), TunnelEncap::kVxlan);
  EXPECT_EQ(c.to_string(), "encap:vxlan");
}
TEST(ExtCommunity, EncapsulationOthers_Names) {
  EXPECT_EQ(ExtCommunity::encapsulation(TunnelEncap::kGeneve).to_string(), "encap:geneve");
  EXPECT_EQ(ExtCommunity::encapsulation(TunnelEncap::kMplsGre).to_string(), "encap:mpls-gre");
  EXPECT_EQ(from_hex("030c00000000002a").to_string(), "encap:42");
}

TEST(ExtCommunity, MacMobility_Bytes) {
  auto c = ExtCommunity::mac_mobility(2, false);
  EXPECT_EQ(hex8(c), "0600000000000002");
  EXPECT_EQ(c.to_string(), "mac-mobility:seq=2");
  auto s = ExtCommunity::mac_mobility(0x01020304, true);
  EXPECT_EQ(hex8(s), "0600010001020304");
  EXPECT_EQ(s.to_string(), "mac-mobility:seq=16909060,sticky");
  auto mm = s.as_mac_mobility();
  ASSERT_TRUE(mm);
  EXPECT_EQ(mm->sequence, 0x01020304u);
  EXPECT_TRUE(mm->sticky);
}
TEST(ExtCommunity, MobilitySeqCompare_SerialNumberOrderAcrossTheWrap) {
  EXPECT_GT(mobility_seq_compare(2, 1), 0);
  EXPECT_LT(mobility_seq_compare(1, 2), 0);
  EXPECT_EQ(mobility_seq_compare(7, 7), 0);
  EXPECT_GT(mobility_seq_compare(0, 0xFFFFFFFFu), 0);  // RFC 7432 §15 wraparound
  EXPECT_LT(mobility_seq_compare(0xFFFFFFFFu, 0), 0);
  EXPECT_GT(mobility_seq_compare(0x7FFFFFFFu, 0), 0);  // 2^31 - 1 ahead: newer
  EXPECT_EQ(mobility_seq_compare(0x80000000u, 0), 0);  // 2^31 apart: undefined (RFC 1982 §3.2)
  EXPECT_EQ(mobility_seq_next(0xFFFFFFFFu), 0u);
}

TEST(ExtCommunity, MacMobility_OtherFlagBitsIgnored) {
  auto mm = from_hex("06008e0000000007").as_mac_mobility();
  ASSERT_TRUE(mm);
  EXPECT_FALSE(mm->sticky);
  EXPECT_EQ(mm->sequence, 7u);
}

TEST(ExtCommunity, RouterMac_Bytes) {
  auto c = ExtCommunity::router_mac(kMac);
  EXPECT_EQ(hex8(c), "0603" "02000aff0001");
  EXPECT_EQ(*c.as_router_mac(), kMac);
  EXPECT_EQ(c.to_string(), "router-mac:02:00:0a:ff:00:01");
  EXPECT_FALSE(c.as_es_import());
}

TEST(ExtCommunity, EsiLabel_Bytes) {
  auto c = ExtCommunity::esi_label(true, 0x0A0B0C);
  EXPECT_EQ(hex8(c), "06010100000a0b0c");
  EXPECT_EQ(c.to_string(), "esi-label:label=658188,single-active");
  EXPECT_EQ(ExtCommunity::esi_label(false, 100).to_string(), "esi-label:label=100");
  EXPECT_EQ(c.as_esi_label()->label, 0x0A0B0Cu);
}

TEST(ExtCommunity, EsImport_Bytes) {
  auto c = ExtCommunity::es_import(kMac);
  EXPECT_EQ(hex8(c), "060202000aff0001");
  EXPECT_EQ(c.to_string(), "es-import:02:00:0a:ff:00:01");
  EXPECT_EQ(*c.as_es_import(), kMac);
}

TEST(ExtCommunity, DefaultGateway_Bytes) {
  auto c = ExtCommunity::default_gateway();
  EXPECT_EQ(hex8(c), "030d000000000000");
  EXPECT_TRUE(c.is_default_gateway());
  EXPECT_EQ(c.to_string(), "default-gw");
  EXPECT_FALSE(ExtCommunity::encapsulation(TunnelEncap::kVxlan).is_default_gateway());
}

TEST(ExtCommunity, DfElection_Bytes) {
  // HRW with AC-DF: bit 1 of the bitmap (MSB = bit 0), RFC 8584 §2.2 Figure 3.
  auto c = ExtCommunity::df_election(1, ExtCommunity::kDfCapAcDf);
  EXPECT_EQ(hex8(c), "0606014000000000");
  EXPECT_EQ(c.to_string(), "df-election:alg=1,bitmap=0x4000,ac-df");
  EXPECT_TRUE(c.as_df_election()->ac_df());
  EXPECT_FALSE(c.as_df_election()->dont_preempt());
  EXPECT_EQ(ExtCommunity::df_election(0xFF, 0).raw[2], 0x1F);  // reserved bits stay 0
  auto df = from_hex("0606e20001000000").as_df_election();
  ASSERT_TRUE(df);
  EXPECT_EQ(df->alg, 2);  // reserved high bits ignored
  EXPECT_EQ(df->bitmap, 1);
  EXPECT_EQ(df->preference, 0);
}

TEST(ExtCommunity, DfElection_FrrPreferenceBytes) {
  // FRR 8.4's type-4 (multihoming.md §2, bgp_evpn_private.h): alg 2, bitmap 0, pref 32767.
  const ExtCommunity frr = from_hex("060602000000" "7fff");
  auto df = frr.as_df_election();
  ASSERT_TRUE(df);
  EXPECT_EQ(df->alg, 2);
  EXPECT_EQ(df->bitmap, 0);
  EXPECT_EQ(df->preference, 32767);
  EXPECT_EQ(frr.to_string(), "df-election:alg=2,bitmap=0x0000,pref=32767");
  EXPECT_EQ(ExtCommunity::df_election(2, 0, 32767), frr);  // byte-exact re-encode
}

TEST(ExtCommunity, DfElection_PreferenceAndDontPreempt) {
  // RFC 9785 §3: preference in octets 6-7 (octet 5 reserved), D bit = bitmap bit 0.
  auto c = ExtCommunity::df_election(3, ExtCommunity::kDfCapDontPreempt | ExtCommunity::kDfCapAcDf, 0xABCD);
  EXPECT_EQ(hex8(c), "060603c00000abcd");
  EXPECT_EQ(c.to_string(), "df-election:alg=3,bitmap=0xc000,pref=43981,dp,ac-df");
  auto df = c.as_df_election();
  EXPECT_TRUE(df->dont_preempt());
  EXPECT_TRUE(df->ac_df());
  EXPECT_EQ(df->preference, 0xABCD);
  // The reserved octet 5 is ignored on receipt but kept in the raw bytes (a reflector re-sends it).
  auto r = from_hex("06060200008012" "34");
  EXPECT_EQ(r.as_df_election()->preference, 0x1234);
  EXPECT_EQ(r.raw[5], 0x80);
  // Preference only shown for algorithms 2/3 or when set.
  EXPECT_EQ(ExtCommunity::df_election(0, 0).to_string(), "df-election:alg=0,bitmap=0x0000");
  EXPECT_EQ(ExtCommunity::df_election(1, 0, 5).to_string(), "df-election:alg=1,bitmap=0x0000,pref=5");
  EXPECT_EQ(ExtCommunity::df_election(2, 0, 0).to_string(), "df-election:alg=2,bitmap=0x0000,pref=0");
}

TEST(ExtCommunity, Unknown_HexForm) {
  EXPECT_EQ(from_hex("8006000000000000").to_string(), "unknown:8006000000000000");
  EXPECT_EQ(from_hex("0607000000000000").to_string(), "unknown:0607000000000000");
}

TEST(ExtCommunity, Accessors_RejectOtherTypes) {
  auto rt = ExtCommunity::route_target(RouteTarget::as2(65000, 100));
  EXPECT_FALSE(rt.as_encapsulation());
  EXPECT_FALSE(rt.as_mac_mobility());
  EXPECT_FALSE(rt.as_router_mac());
  EXPECT_FALSE(rt.as_esi_label());
  EXPECT_FALSE(rt.as_df_election());
  EXPECT_FALSE(rt.is_default_gateway());
  EXPECT_FALSE(ExtCommunity::router_mac(kMac).as_route_target());
}

TEST(ExtCommunity, Ordering_ByRawBytes) {
  auto a = ExtCommunity::route_target(RouteTarget::as2(65000, 100));
  auto b = ExtCommunity::route_target(RouteTarget::as2(65000, 200));
  EXPECT_LT(a, b);
  EXPECT_EQ(a, from_hex("0002fde800000064"));
}

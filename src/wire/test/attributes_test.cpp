// Each path attribute at its legal and edge lengths, 2- vs 4-octet AS encodings, AS4_PATH /
// AS4_AGGREGATOR, unknown attributes, flags (RFC 4271 §5, RFC 6793, RFC 7606 §7).
#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// Decodes an IPv4 UPDATE whose attributes are ORIGIN, NEXT_HOP and `extra` (and AS_PATH unless
// extra has one), announcing 10.0.0.0/8.
Update with_attrs(const Bytes& extra, DecodeContext ctx = {}, bool own_as_path = false) {
  Bytes attrs = cat({attr(0x40, 1, {0}), own_as_path ? Bytes{} : attr(0x40, 2, {}), attr(0x40, 3, {10, 0, 0, 1}), extra});
  auto m = decode_message(update_msg({}, attrs, {8, 10}), ctx);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  return m ? std::get<Update>(*m) : Update{};
}

Bytes reencode(const Update& u, EncodeContext ctx = {}) { return encode_message(u, ctx); }

TEST(AsPath, FourOctet_SegmentsDecodedAndReencodedExact) {
  Bytes v = hex("02 02 0000fde9 fa56ea00  01 02 00000001 00000002  03 01 0000fdea  04 01 0000fdeb");
  DecodeContext ctx;
  Bytes b = update_msg({}, cat({attr(0x40, 1, {0}), attr(0x50, 2, v), attr(0x40, 3, {10, 0, 0, 1})}), {8, 10});
  auto m = decode_message(b, ctx);
  ASSERT_TRUE(m);
  const Update& u = std::get<Update>(*m);
  ASSERT_TRUE(u.attrs.as_path);
  const AsPath& p = *u.attrs.as_path;
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], (AsPathSegment{AsPathSegment::Type::kSequence, {65001, 4200000000u}}));
  EXPECT_EQ(p[1].type, AsPathSegment::Type::kSet);
  EXPECT_EQ(p[2].type, AsPathSegment::Type::kConfedSequence);
  EXPECT_EQ(p[3].type, AsPathSegment::Type::kConfedSet);
  EXPECT_EQ(as_path_length(p), 3u);  // 2 + SET 1 + confederation 0
  EXPECT_EQ(reencode(u), b);
}

TEST(AsPath, TwoOctetSession_DecodedWith2OctetAsns) {
  DecodeContext ctx;
  ctx.four_octet_as = false;
  Update u = with_attrs(attr(0x40, 2, hex("02 03 fde9 fdea 5ba0")), ctx, true);
  ASSERT_TRUE(u.attrs.as_path);
  EXPECT_EQ((*u.attrs.as_path)[0].asns, (std::vector<Asn>{65001, 65002, 23456}));
  EXPECT_TRUE(u.errors.empty());
  // Same UPDATE sent to a 4-octet peer: 4-octet ASNs.
  Update v4 = u;
  v4.attr_order.clear();
  v4.attr_flags.clear();
  auto m = decode_message(reencode(v4, EncodeContext{}), DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Update>(*m).attrs.as_path, u.attrs.as_path);
}

TEST(AsPath, TwoOctetEncode_LargeAsnBecomesAsTrans) {
  Update u = with_attrs({});
  u.attrs.as_path = AsPath{{AsPathSegment::Type::kSequence, {65001, 4200000000u}}};
  EncodeContext ectx;
  ectx.four_octet_as = false;
  DecodeContext dctx;
  dctx.four_octet_as = false;
  auto m = decode_message(reencode(u, ectx), dctx);
  ASSERT_TRUE(m);
  EXPECT_EQ((*std::get<Update>(*m).attrs.as_path)[0].asns, (std::vector<Asn>{65001, 23456}));
}

TEST(AsPath, SegmentLongerThan255_SplitOnEncode) {
  Update u = with_attrs({});
  AsPathSegment s{AsPathSegment::Type::kSequence, {}};
  for (Asn a = 1; a <= 300; ++a) s.asns.push_back(a);
  u.attrs.as_path = AsPath{s};
  auto m = decode_message(reencode(u), DecodeContext{});
  ASSERT_TRUE(m);
  const AsPath& p = *std::get<Update>(*m).attrs.as_path;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].asns.size(), 255u);
  EXPECT_EQ(p[1].asns.size(), 45u);
  EXPECT_EQ(as_path_length(p), 300u);
}

TEST(As4Path, TwoOctetSession_DecodedAndReencoded) {
  DecodeContext ctx;
  ctx.four_octet_as = false;
  Bytes as4 = attr(0xd0, 17, hex("02 02 0000fde9 fa56ea00"));
  Bytes agg4 = attr(0xc0, 18, hex("fa56ea00 0a000009"));
  Bytes agg = attr(0xc0, 7, hex("5ba0 0a000009"));
  Update u = with_attrs(cat({attr(0x40, 2, hex("02 02 fde9 5ba0")), agg, as4, agg4}), ctx, true);
  EXPECT_TRUE(u.errors.empty());
  ASSERT_TRUE(u.attrs.as4_path);
  EXPECT_EQ((*u.attrs.as4_path)[0].asns, (std::vector<Asn>{65001, 4200000000u}));
  EXPECT_EQ(u.attrs.aggregator, (Aggregator{23456, ip("10.0.0.9")}));
  EXPECT_EQ(u.attrs.as4_aggregator, (Aggregator{4200000000u, ip("10.0.0.9")}));
  EncodeContext ectx;
  ectx.four_octet_as = false;
  Bytes b = reencode(u, ectx);
  auto again = decode_message(b, ctx);
  ASSERT_TRUE(again);
  EXPECT_EQ(std::get<Update>(*again).attrs, u.attrs);
  // RFC 6793 §3: never sent to a 4-octet peer.
  auto m = decode_message(reencode(u, EncodeContext{}), DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_FALSE(std::get<Update>(*m).attrs.as4_path);
  EXPECT_FALSE(std::get<Update>(*m).attrs.as4_aggregator);
  EXPECT_TRUE(std::get<Update>(*m).errors.empty());
}

TEST(Aggregator, SixOrEightOctetsByContext) {
  Update four = with_attrs(attr(0xc0, 7, hex("fa56ea00 0a000009")));
  EXPECT_EQ(four.attrs.aggregator, (Aggregator{4200000000u, ip("10.0.0.9")}));
  EXPECT_TRUE(four.errors.empty());
  DecodeContext two;
  two.four_octet_as = false;
  Update u = with_attrs(attr(0xc0, 7, hex("fa56 0a000009")), two);
  EXPECT_EQ(u.attrs.aggregator, (Aggregator{64086, ip("10.0.0.9")}));
  Update bad = with_attrs(attr(0xc0, 7, hex("fa56 0a000009")));  // 6 octets on a 4-octet session
  EXPECT_FALSE(bad.attrs.aggregator);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].action, ErrorAction::kAttributeDiscard);
  EXPECT_FALSE(bad.treat_as_withdraw);
}

TEST(Attributes, ScalarsAndLists_DecodedAndReencodedExact) {
  Bytes extra = cat({attr(0x80, 4, hex("00000032")), attr(0x40, 5, hex("000000c8")), attr(0x40, 6, {}),
                     attr(0xc0, 8, hex("fde80001 ffffff01")), attr(0x80, 9, hex("0a000002")),
                     attr(0x80, 10, hex("0a0000fe 0a0000fd")),
                     attr(0xc0, 32, hex("0000fde8 00000001 00000002  fa56ea00 00000003 00000004"))});
  Update u = with_attrs(extra);
  EXPECT_TRUE(u.errors.empty());
  const PathAttributes& a = u.attrs;
  EXPECT_EQ(a.med, 50u);
  EXPECT_EQ(a.local_pref, 200u);
  EXPECT_TRUE(a.atomic_aggregate);
  EXPECT_EQ(a.communities, (std::vector<uint32_t>{0xFDE80001, 0xFFFFFF01}));
  EXPECT_EQ(a.originator_id, ip("10.0.0.2"));
  EXPECT_EQ(a.cluster_list, (std::vector<IpAddress>{ip("10.0.0.254"), ip("10.0.0.253")}));
  EXPECT_EQ(a.large_communities,
            (std::vector<LargeCommunity>{{65000, 1, 2}, {4200000000u, 3, 4}}));
  Bytes b = update_msg({}, cat({attr(0x40, 1, {0}), attr(0x40, 2, {}), attr(0x40, 3, {10, 0, 0, 1}), extra}), {8, 10});
  EXPECT_EQ(reencode(u), b);
}

TEST(Attributes, ExtendedCommunities_8And16Octets) {
  Update one = with_attrs(attr(0xc0, 16, hex("0002fde800000064")));
  ASSERT_EQ(one.attrs.ext_communities.size(), 1u);
  EXPECT_EQ(one.attrs.ext_communities[0].raw[1], 2);
  Update two = with_attrs(attr(0xc0, 16, hex("0002fde800000064 0603020000000001")));
  EXPECT_EQ(two.attrs.ext_communities.size(), 2u);
  Update zero = with_attrs(attr(0xc0, 16, {}));
  EXPECT_TRUE(zero.treat_as_withdraw);  // RFC 7606 §7.14: a non-zero multiple of 8
}

TEST(Pmsi, Ipv6EndpointAndOtherTunnelTypes) {
  Update v6 = with_attrs(attr(0xc0, 22, hex("00 06 000064 20010db8000000000000000000000001")));
  ASSERT_TRUE(v6.attrs.pmsi_tunnel);
  EXPECT_EQ(v6.attrs.pmsi_tunnel->endpoint(), ip("2001:db8::1"));
  EXPECT_EQ(v6.attrs.pmsi_tunnel->label, 100u);
  // Tunnel type 3 (PIM-SSM): (source, group), 8 octets, not an endpoint address.
  Update ssm = with_attrs(attr(0xc0, 22, hex("01 03 000000 0a000001 e8010101")));
  ASSERT_TRUE(ssm.attrs.pmsi_tunnel);
  EXPECT_EQ(ssm.attrs.pmsi_tunnel->flags, 1);
  EXPECT_TRUE(ssm.attrs.pmsi_tunnel->endpoint().empty());
  EXPECT_TRUE(ssm.errors.empty());
}

TEST(Unknown, OptionalTransitiveKeptWithPartial_NonTransitiveDropped) {
  Update u = with_attrs(cat({attr(0xc0, 99, {1, 2, 3}), attr(0x80, 98, {4})}));
  EXPECT_TRUE(u.errors.empty());
  ASSERT_EQ(u.attrs.unknown.size(), 1u);
  EXPECT_EQ(u.attrs.unknown[0], (RawAttribute{0xc0, 99, {1, 2, 3}}));
  Bytes b = reencode(u);
  // RFC 4271 §5: passed on with the Partial bit set.
  EXPECT_EQ(to_hex(ByteView(b).subspan(b.size() - 2 - 6, 6)), "e06303010203");
}

TEST(Flags, PartialOnKnownOptionalTransitive_KeptOnReencode) {
  Bytes b = update_msg({}, cat({attr(0x40, 1, {0}), attr(0x40, 2, {}), attr(0x40, 3, {10, 0, 0, 1}),
                                attr(0xe0, 8, hex("fde80001"))}),
                       {8, 10});
  auto m = decode_message(b, DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::get<Update>(*m).errors.empty());
  EXPECT_EQ(encode_message(*m, EncodeContext{}), b);
}

// The flags octet (without Extended Length) `u` carried attribute `type` with; 0 when absent.
uint8_t flags_of(const Update& u, uint8_t type) {
  for (size_t i = 0; i < u.attr_order.size() && i < u.attr_flags.size(); ++i)
    if (u.attr_order[i] == type) return u.attr_flags[i] & uint8_t(~attr_flag::kExtendedLength);
  return 0;
}

// RFC 4271 §5: the Partial bit of a recognised optional transitive attribute "MUST NOT be set
// back to 0". It is a fact about the path, so it lives in PathAttributes: a path re-sent without
// its received layout (attr_order/attr_flags: a reflected route) still carries it, and only on
// the attributes that had it.
TEST(Flags, PartialOnKnownOptionalTransitive_KeptInPathAttributes) {
  Update got = with_attrs(cat({attr(0xe0, 8, hex("fde80001")), attr(0xc0, 16, hex("0002fde800000064")),
                               attr(0xe0, 32, hex("0000fde8 00000001 00000002")), attr(0xe0, 7, hex("0000fde8 0a000001"))}));
  ASSERT_TRUE(got.errors.empty());
  Update fresh;
  fresh.attrs = got.attrs;
  fresh.nlri = got.nlri;
  auto m = decode_message(encode_message(fresh, EncodeContext{}), DecodeContext{});
  ASSERT_TRUE(m);
  const Update& again = std::get<Update>(*m);
  EXPECT_EQ(flags_of(again, 8), 0xe0);   // COMMUNITIES
  EXPECT_EQ(flags_of(again, 32), 0xe0);  // LARGE_COMMUNITIES
  EXPECT_EQ(flags_of(again, 7), 0xe0);   // AGGREGATOR
  EXPECT_EQ(flags_of(again, 16), 0xc0);  // EXT_COMMUNITIES: never had it
  EXPECT_EQ(flags_of(again, 1), 0x40);   // well-known: never (RFC 4271 §4.3)
  EXPECT_EQ(again.attrs, got.attrs);
}

TEST(Flags, UnusedLowBits_Ignored) {
  Update u = with_attrs(attr(0x4f, 5, hex("00000064")));
  EXPECT_TRUE(u.errors.empty());
  EXPECT_EQ(u.attrs.local_pref, 100u);
}

TEST(Flags, CanonicalFlagsAndNames) {
  EXPECT_EQ(canonical_attr_flags(1), 0x40);
  EXPECT_EQ(canonical_attr_flags(4), 0x80);
  EXPECT_EQ(canonical_attr_flags(14), 0x80);
  EXPECT_EQ(canonical_attr_flags(16), 0xc0);
  EXPECT_EQ(canonical_attr_flags(22), 0xc0);
  EXPECT_EQ(canonical_attr_flags(99), 0);
  EXPECT_EQ(attr_type_name(22), "PMSI_TUNNEL");
  EXPECT_EQ(attr_type_name(99), "ATTR_99");
}

TEST(Ebgp, RouteReflectionAttributesAndLocalPref_Discarded) {
  DecodeContext ctx;
  ctx.ebgp = true;
  Update u = with_attrs(cat({attr(0x40, 5, hex("00000064")), attr(0x80, 9, hex("0a000002")),
                             attr(0x80, 10, hex("0a0000fe"))}),
                        ctx);
  EXPECT_FALSE(u.attrs.local_pref);
  EXPECT_FALSE(u.attrs.originator_id);
  EXPECT_TRUE(u.attrs.cluster_list.empty());
  EXPECT_EQ(u.errors.size(), 3u);
  EXPECT_FALSE(u.treat_as_withdraw);
  EXPECT_EQ(u.nlri.size(), 1u);
}

}  // namespace
}  // namespace evpnd::wire::test

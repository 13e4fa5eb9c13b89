// RFC 6793 with 2-octet-AS ("OLD") speakers: AS4_PATH / AS4_AGGREGATOR reconstruction on receipt
// (§4.2.3), their generation on send (§4.2.2), byte-exact, and their error handling (§6).
#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/as4_path.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

using T = AsPathSegment::Type;

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
AsPathSegment seq(std::vector<Asn> a) { return {T::kSequence, std::move(a)}; }
AsPathSegment set(std::vector<Asn> a) { return {T::kSet, std::move(a)}; }

DecodeContext two_octet_rx() {
  DecodeContext c;
  c.four_octet_as = false;
  return c;
}
EncodeContext two_octet_tx() {
  EncodeContext c;
  c.four_octet_as = false;
  return c;
}

// An IPv4 UPDATE for 10.0.0.0/8 with ORIGIN, NEXT_HOP and `attrs`.
Bytes update_with(const Bytes& attrs) {
  return update_msg({}, cat({attr(0x40, 1, {0}), attrs, attr(0x40, 3, {10, 0, 0, 1})}), {8, 10});
}
Update decode_update(const Bytes& b, const DecodeContext& ctx) {
  auto m = decode_message(b, ctx);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  return m ? std::get<Update>(*m) : Update{};
}
// The same announcement built from typed attributes (FRR's order: ORIGIN, AS_PATH, NEXT_HOP, ...).
Update typed(AsPath path, std::optional<Aggregator> agg = std::nullopt) {
  Update u;
  u.attrs.origin = Origin::kIgp;
  u.attrs.as_path = std::move(path);
  u.attrs.next_hop = ip("10.0.0.1");
  u.attrs.aggregator = agg;
  u.nlri = {*IpPrefix::parse("10.0.0.0/8")};
  return u;
}

// AS 65001 (OLD) passed on a path that 4200000001 (NEW) originated: AS_PATH 65001 AS_TRANS,
// AS4_PATH 4200000001 (an OLD speaker does not touch AS4_PATH).
TEST(As4Merge, OldSpeakerPrepended_AsTransReplaced) {
  EXPECT_EQ(merge_as4_path({seq({65001, kAsTrans})}, {seq({4200000001u})}),
            (AsPath{seq({65001, 4200000001u})}));
  // AS4_PATH covering the whole path (sent by a NEW speaker): taken as is.
  EXPECT_EQ(merge_as4_path({seq({kAsTrans, kAsTrans})}, {seq({4200000001u, 4200000002u})}),
            (AsPath{seq({4200000001u, 4200000002u})}));
  // A SET counts 1; the leading part of AS_PATH fills what AS4_PATH lacks.
  EXPECT_EQ(merge_as4_path({seq({65001, 65002, kAsTrans}), set({65010, 65011})},
                           {seq({4200000001u}), set({65010, 65011})}),
            (AsPath{seq({65001, 65002, 4200000001u}), set({65010, 65011})}));
}

TEST(As4Merge, As4PathLonger_AsPathKept) {
  const AsPath as_path{seq({65001, kAsTrans})};
  EXPECT_EQ(merge_as4_path(as_path, {seq({65009, 4200000001u, 4200000002u})}), as_path);
  PathAttributes a;
  a.as_path = as_path;
  a.as4_path = AsPath{seq({65009, 4200000001u, 4200000002u})};
  const As4Outcome r = reconstruct_as4(a);
  EXPECT_EQ(r.path, As4Outcome::PathUse::kIgnoredLonger);
  EXPECT_EQ(a.as_path, as_path);
  EXPECT_FALSE(a.as4_path);  // never kept, so never forwarded
}

TEST(As4Merge, ConfedSegments_LeadingKeptAndDroppedFromAs4Path) {
  const AsPathSegment confed{T::kConfedSequence, {65100, 65101}};
  // A leading confederation segment of AS_PATH comes along with the prepended part.
  EXPECT_EQ(merge_as4_path({confed, seq({65001, kAsTrans})}, {seq({4200000001u})}),
            (AsPath{confed, seq({65001, 4200000001u})}));
  EXPECT_EQ(merge_as4_path({confed, seq({kAsTrans})}, {seq({4200000001u})}), (AsPath{confed, seq({4200000001u})}));
  // §3: confederation segments in AS4_PATH are discarded, the rest is used.
  PathAttributes a;
  a.as_path = AsPath{seq({65001, kAsTrans})};
  a.as4_path = AsPath{{T::kConfedSet, {4200000100u}}, seq({4200000001u})};
  const As4Outcome r = reconstruct_as4(a);
  EXPECT_EQ(r.path, As4Outcome::PathUse::kMerged);
  EXPECT_EQ(r.confed_segments_dropped, 1u);
  EXPECT_EQ(a.as_path, (AsPath{seq({65001, 4200000001u})}));
}

TEST(As4Merge, Aggregator_As4UsedOnlyWhenAggregatorIsAsTrans) {
  PathAttributes a;
  a.as_path = AsPath{seq({65001, kAsTrans})};
  a.as4_path = AsPath{seq({4200000001u})};
  a.aggregator = Aggregator{kAsTrans, ip("10.0.0.9")};
  a.as4_aggregator = Aggregator{4200000001u, ip("10.0.0.9")};
  As4Outcome r = reconstruct_as4(a);
  EXPECT_TRUE(r.aggregator_from_as4);
  EXPECT_EQ(r.path, As4Outcome::PathUse::kMerged);
  EXPECT_EQ(a.aggregator, (Aggregator{4200000001u, ip("10.0.0.9")}));
  EXPECT_EQ(a.as_path, (AsPath{seq({65001, 4200000001u})}));
  EXPECT_FALSE(a.as4_aggregator);
  // §4.2.3: an AGGREGATOR other than AS_TRANS means an OLD speaker aggregated: AS4_AGGREGATOR
  // and AS4_PATH are both ignored.
  PathAttributes b;
  b.as_path = AsPath{seq({65001, kAsTrans})};
  b.as4_path = AsPath{seq({4200000001u})};
  b.aggregator = Aggregator{65005, ip("10.0.0.5")};
  b.as4_aggregator = Aggregator{4200000001u, ip("10.0.0.9")};
  r = reconstruct_as4(b);
  EXPECT_EQ(r.path, As4Outcome::PathUse::kIgnoredAggregator);
  EXPECT_EQ(b.aggregator, (Aggregator{65005, ip("10.0.0.5")}));
  EXPECT_EQ(b.as_path, (AsPath{seq({65001, kAsTrans})}));
  EXPECT_FALSE(b.as4_path);
  EXPECT_FALSE(b.as4_aggregator);
}

TEST(As4PathFor, OnlyWhenSomeAsnIsWide_WithoutConfedSegments) {
  EXPECT_FALSE(as4_path_for({seq({65001, 65002})}));
  EXPECT_FALSE(as4_path_for({{T::kConfedSequence, {4200000100u}}, seq({65001})}));
  EXPECT_EQ(as4_path_for({{T::kConfedSequence, {65100}}, seq({65001, 4200000001u})}),
            (AsPath{seq({65001, 4200000001u})}));
}

// §4.2.2 on the wire: AS_PATH 65001 AS_TRANS (2-octet), AS4_PATH 65001 4200000001, AGGREGATOR
// AS_TRANS and AS4_AGGREGATOR 4200000001, in FRR's attribute order and length encodings.
const char* kOldWire =
    "50 02 0006 02 02 fde9 5ba0"           // AS_PATH (extended length, as FRR sends it)
    "|c0 07 06 5ba0 0a000009"              // AGGREGATOR, AS_TRANS
    "|d0 11 000a 02 02 0000fde9 fa56ea01"  // AS4_PATH
    "|c0 12 08 fa56ea01 0a000009";         // AS4_AGGREGATOR

Bytes old_wire_update() {
  std::string s = kOldWire;
  Bytes as_path, agg, as4, agg4;
  size_t a = s.find('|'), b = s.find('|', a + 1), c = s.find('|', b + 1);
  as_path = hex(s.substr(0, a));
  agg = hex(s.substr(a + 1, b - a - 1));
  as4 = hex(s.substr(b + 1, c - b - 1));
  agg4 = hex(s.substr(c + 1));
  // ORIGIN, AS_PATH, NEXT_HOP, AGGREGATOR, AS4_PATH, AS4_AGGREGATOR: FRR's order.
  return update_msg({}, cat({attr(0x40, 1, {0}), as_path, attr(0x40, 3, {10, 0, 0, 1}), agg, as4, agg4}), {8, 10});
}

TEST(As4Wire, FourOctetPathToOldPeer_AsTransPlusAs4PathExact) {
  const Update u = typed({seq({65001, 4200000001u})}, Aggregator{4200000001u, ip("10.0.0.9")});
  EXPECT_EQ(to_hex(encode_message(u, two_octet_tx())), to_hex(old_wire_update()));
  // To a 4-octet peer: one AS_PATH with 4-octet ASNs, no AS4_* attribute (RFC 6793 §3).
  const Bytes four = encode_message(u, EncodeContext{});
  const Update back = decode_update(four, DecodeContext{});
  EXPECT_TRUE(back.errors.empty());
  EXPECT_EQ(back.attrs.as_path, (AsPath{seq({65001, 4200000001u})}));
  EXPECT_FALSE(back.attrs.as4_path);
  EXPECT_FALSE(back.attrs.as4_aggregator);
  // All ASNs fit in 2 octets: no AS4_PATH (§4.2.2 SHOULD NOT).
  const Update small = decode_update(encode_message(typed({seq({65001, 65002})}), two_octet_tx()), two_octet_rx());
  EXPECT_FALSE(small.attrs.as4_path);
  EXPECT_FALSE(small.attrs.as4_aggregator);
}

TEST(As4Wire, FromOldPeer_DecodeReconstructReencode_ByteExact) {
  const Bytes wire = old_wire_update();
  Update u = decode_update(wire, two_octet_rx());
  EXPECT_TRUE(u.errors.empty());
  EXPECT_EQ(u.attrs.as_path, (AsPath{seq({65001, kAsTrans})}));  // the codec is literal
  ASSERT_TRUE(u.attrs.as4_path);
  EXPECT_EQ(encode_message(u, two_octet_tx()), wire);  // received AS4_* passed through as is
  const As4Outcome r = reconstruct_as4(u.attrs);
  EXPECT_EQ(r.path, As4Outcome::PathUse::kMerged);
  EXPECT_EQ(u.attrs.as_path, (AsPath{seq({65001, 4200000001u})}));
  EXPECT_EQ(u.attrs.aggregator, (Aggregator{4200000001u, ip("10.0.0.9")}));
  EXPECT_EQ(encode_message(u, two_octet_tx()), wire);  // regenerated from the 4-octet path
}

TEST(As4Wire, MalformedAs4Path_AttributeDiscardAsPathKept) {
  // RFC 6793 §6 / RFC 7606 §7.2 exception: a malformed AS4_PATH (here a zero-length segment) is
  // discarded; the UPDATE and its AS_PATH stay valid.
  const Bytes b = update_with(cat({attr(0x40, 2, hex("02 02 fde9 5ba0")), attr(0xc0, 17, hex("02 00"))}));
  Update u = decode_update(b, two_octet_rx());
  EXPECT_FALSE(u.treat_as_withdraw);
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].action, ErrorAction::kAttributeDiscard);
  EXPECT_FALSE(u.attrs.as4_path);
  EXPECT_EQ(reconstruct_as4(u.attrs).path, As4Outcome::PathUse::kNone);
  EXPECT_EQ(u.attrs.as_path, (AsPath{seq({65001, kAsTrans})}));
  // An AS4_PATH overrunning its segment, and one with 2-octet-sized ASNs, likewise.
  for (const char* v : {"02 02 0000fde9", "02 01 fde9"}) {
    Update w = decode_update(update_with(cat({attr(0x40, 2, hex("02 01 fde9")), attr(0xc0, 17, hex(v))})), two_octet_rx());
    EXPECT_FALSE(w.treat_as_withdraw) << v;
    EXPECT_FALSE(w.attrs.as4_path) << v;
    ASSERT_EQ(w.errors.size(), 1u) << v;
    EXPECT_EQ(w.errors[0].action, ErrorAction::kAttributeDiscard) << v;
  }
}

}  // namespace
}  // namespace evpnd::wire::test

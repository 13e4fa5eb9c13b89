#include <gtest/gtest.h>

#include "bgp/update_group.hpp"
#include "test_util.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

// Splits chunks into messages and decodes them.
std::vector<wire::Update> decode_all(const std::vector<Chunk>& chunks, size_t max_size) {
  std::vector<wire::Update> out;
  wire::DecodeContext ctx;
  ctx.extended_message = max_size > 4096;
  for (const auto& c : chunks) {
    size_t pos = 0;
    while (pos < c->size()) {
      auto len = wire::peek_header(ByteView(c->data() + pos, c->size() - pos), ctx);
      EXPECT_TRUE(len);
      if (!len) return out;
      EXPECT_LE(*len, max_size);
      auto m = wire::decode_message(ByteView(c->data() + pos, *len), ctx);
      EXPECT_TRUE(m);
      if (m) out.push_back(std::get<wire::Update>(*m));
      pos += *len;
    }
  }
  return out;
}

TEST(UpdatePacker, ManyRoutesSameAttributes_PackedUnder4096) {
  AttrTable t;
  auto a = attrs(t, ibgp_attrs());
  std::vector<wire::EvpnRoute> routes;
  for (uint32_t i = 0; i < 1000; ++i) routes.push_back(type2(i));
  UpdatePacker p(wire::EncodeContext{}, false);
  for (const auto& r : routes) p.announce(a, r);
  auto ups = decode_all(p.finish(), 4096);
  size_t n = 0;
  for (const auto& u : ups) n += u.mp_reach->evpn.size();
  EXPECT_EQ(n, 1000u);
  // A type-2 MAC+IP NLRI is 39 bytes: ~100 per UPDATE, so about 10 UPDATEs, not 1000.
  EXPECT_LE(ups.size(), 11u);
  EXPECT_EQ(ups.front().mp_reach->next_hop, ip("10.0.0.1"));
  EXPECT_EQ(ups.front().attrs.local_pref, 100u);
}

// The packer writes NLRI straight into a pre-encoded attribute template; every message it
// produces must be byte-identical to wire::encode_message of the decoded UPDATE.
TEST(UpdatePacker, DirectEncoding_ByteExactAgainstGenericEncoder) {
  AttrTable t;
  wire::PathAttributes rich = ibgp_attrs();
  rich.originator_id = ip("10.9.9.9");
  rich.cluster_list = {ip("10.255.0.1"), ip("10.255.0.2")};
  rich.communities = {1, 2, 3};
  auto a = attrs(t, rich);
  std::vector<wire::EvpnRoute> routes;
  for (uint32_t i = 0; i < 777; ++i) routes.push_back(type2(i));
  for (bool ext : {false, true}) {
    wire::EncodeContext ctx;
    ctx.extended_message = ext;
    const size_t max = ext ? 65535 : 4096;
    UpdatePacker p(ctx, ext);
    for (const auto& r : routes) p.announce(a, r);
    for (uint32_t i = 0; i < 300; ++i) p.withdraw(routes[i]);
    const auto chunks = p.finish();
    wire::DecodeContext dctx;
    dctx.extended_message = ext;
    size_t announced = 0, withdrawn = 0, messages = 0;
    for (const auto& c : chunks) {
      for (size_t pos = 0; pos < c->size();) {
        auto len = wire::peek_header(ByteView(c->data() + pos, c->size() - pos), dctx);
        ASSERT_TRUE(len);
        ASSERT_LE(*len, max);
        const Bytes raw(c->begin() + long(pos), c->begin() + long(pos + *len));
        auto m = wire::decode_message(raw, dctx);
        ASSERT_TRUE(m);
        const auto& u = std::get<wire::Update>(*m);
        EXPECT_TRUE(u.errors.empty());
        if (u.mp_reach) {
          announced += u.mp_reach->evpn.size();
          EXPECT_EQ(u.attrs.cluster_list, rich.cluster_list);
        }
        if (u.mp_unreach) withdrawn += u.mp_unreach->evpn.size();
        wire::Update plain = u;  // re-encode without the decoder's wire-order hints
        plain.attr_order.clear();
        plain.attr_flags.clear();
        EXPECT_EQ(wire::encode_message(plain, ctx), raw) << "message " << messages;
        pos += *len;
        ++messages;
      }
    }
    EXPECT_EQ(announced, routes.size());
    EXPECT_EQ(withdrawn, 300u);
    // Full messages: at most one partly filled UPDATE per kind beyond the minimum count.
    const size_t base = ext ? 1 : (777 * 39 + 4000) / 4000 + (300 * 39 + 4000) / 4000;
    EXPECT_LE(messages, base + 2);
  }
}

TEST(UpdatePacker, ExtendedMessage_FewerLargerUpdates) {
  AttrTable t;
  auto a = attrs(t, ibgp_attrs());
  std::vector<wire::EvpnRoute> routes;
  for (uint32_t i = 0; i < 5000; ++i) routes.push_back(type2(i));
  wire::EncodeContext ctx;
  ctx.extended_message = true;
  UpdatePacker p(ctx, true);
  for (const auto& r : routes) p.announce(a, r);
  auto ups = decode_all(p.finish(), 65535);
  EXPECT_LE(ups.size(), 4u);
}

TEST(UpdatePacker, DifferentAttributes_SeparateUpdatesWithdrawalsFirstEorLast) {
  AttrTable t;
  auto a = attrs(t, ibgp_attrs(100)), b = attrs(t, ibgp_attrs(200));
  std::vector<wire::EvpnRoute> routes{type2(1), type2(2), type2(3), type2(4)};
  UpdatePacker p(wire::EncodeContext{}, false);
  p.announce(a, routes[0]);
  p.announce(b, routes[1]);
  p.announce(a, routes[2]);
  p.withdraw(routes[3]);
  p.end_of_rib(kL2vpnEvpn);
  auto ups = decode_all(p.finish(), 4096);
  ASSERT_EQ(ups.size(), 4u);
  EXPECT_EQ(ups[0].mp_unreach->evpn.size(), 1u);
  EXPECT_EQ(ups[1].mp_reach->evpn.size(), 2u);
  EXPECT_EQ(ups[1].attrs.local_pref, 100u);
  EXPECT_EQ(ups[2].attrs.local_pref, 200u);
  EXPECT_TRUE(ups[3].is_end_of_rib());
}

TEST(UpdateGroup, AdvertisedBitmap_CountsAndGrows) {
  UpdateGroup g(1, GroupPolicy{});
  g.set_advertised(5, true);
  g.set_advertised(100000, true);
  g.set_advertised(5, true);
  EXPECT_EQ(g.advertised_count(), 2u);
  EXPECT_TRUE(g.advertised(100000));
  EXPECT_FALSE(g.advertised(6));
  g.set_advertised(5, false);
  EXPECT_EQ(g.advertised_count(), 1u);
}

TEST(UpdateGroup, OutAttrs_CachedPerInput) {
  AttrTable t;
  UpdateGroup g(1, GroupPolicy{PeerRole::kRrClient, true, false});
  SpeakerIdentity me{65000, ip("10.0.0.254"), ip("10.0.0.254")};
  auto in = attrs(t, ibgp_attrs());
  auto o1 = g.out_attrs(in, PeerRole::kRrClient, ip("10.0.0.1"), me, t);
  auto o2 = g.out_attrs(in, PeerRole::kRrClient, ip("10.0.0.1"), me, t);
  EXPECT_EQ(o1.get(), o2.get());
  EXPECT_EQ(o1->attrs.originator_id, ip("10.0.0.1"));
}

// RFC 4271 §9.2 / RFC 8654 §4: whether one UPDATE holds a route depends on the group's maximum
// size; removing the attributes RFC 7606 handles by attribute discard is tried first.
TEST(UpdateGroup, Fitting_PerGroupLimitAttributeDiscardTriedFirst) {
  AttrTable t;
  UpdateGroup plain(1, GroupPolicy{PeerRole::kRrClient, true, false});
  UpdateGroup ext(2, GroupPolicy{PeerRole::kRrClient, true, true});
  const wire::EvpnRoute r = type2(1);
  auto size_of = [&](const wire::PathAttributes& a) {  // one UPDATE with `a` and r
    wire::Update u;
    u.attrs = a;
    u.mp_reach = wire::MpReach{};
    u.mp_reach->next_hop = ip("10.0.0.1");
    u.mp_reach->evpn = {r};
    wire::EncodeContext ctx;
    ctx.extended_message = true;
    return wire::encode_message(u, ctx).size();
  };
  auto without_discardable = [](wire::PathAttributes a) {
    a.aggregator.reset();
    a.atomic_aggregate = false;
    return a;
  };
  wire::PathAttributes a = ibgp_attrs();
  a.aggregator = wire::Aggregator{65000, ip("10.0.0.9")};
  a.atomic_aggregate = true;
  // As many communities as fit 4096 octets without AGGREGATOR and ATOMIC_AGGREGATE.
  while (size_of(without_discardable(a)) + 4 <= wire::kMaxMessageSize) a.communities.push_back(uint32_t(a.communities.size()));
  ASSERT_GT(size_of(a), wire::kMaxMessageSize);
  ASSERT_LE(size_of(without_discardable(a)), wire::kMaxMessageSize);
  const AttrRef in = attrs(t, a);

  const AttrRef* fit = plain.fitting(in, r, t);
  ASSERT_NE(fit, nullptr);
  EXPECT_EQ((*fit)->attrs, without_discardable(a));
  ASSERT_NE(ext.fitting(in, r, t), nullptr);
  EXPECT_EQ(ext.fitting(in, r, t)->get(), in.get());  // 65535 octets: kept whole

  a.communities.push_back(1);  // now too large even without them
  const AttrRef in2 = attrs(t, a);
  size_t size = 0;
  EXPECT_EQ(plain.fitting(in2, r, t, &size), nullptr);
  EXPECT_EQ(size, size_of(without_discardable(a)));
  EXPECT_GT(size, wire::kMaxMessageSize);
  ASSERT_NE(ext.fitting(in2, r, t), nullptr);
}

TEST(FanoutPacker, Lanes_RecipientsExcludeOrSelectOneMember) {
  const std::vector<PeerId> members{1, 2, 3};
  FanoutPacker fp(wire::EncodeContext{}, false, members);
  UpdatePacker* all = fp.lane(FanoutPacker::To::kAllBut, kNoPeer);
  UpdatePacker* but2 = fp.lane(FanoutPacker::To::kAllBut, 2);
  UpdatePacker* only2 = fp.lane(FanoutPacker::To::kOnly, 2);
  ASSERT_NE(all, nullptr);
  EXPECT_NE(all, but2);
  EXPECT_NE(but2, only2);
  EXPECT_EQ(fp.lane(FanoutPacker::To::kAllBut, 2), but2);  // found again
  ASSERT_EQ(fp.lanes().size(), 3u);
  EXPECT_EQ(fp.lanes()[0].recipients, (std::vector<PeerId>{1, 2, 3}));
  EXPECT_EQ(fp.lanes()[1].recipients, (std::vector<PeerId>{1, 3}));
  EXPECT_EQ(fp.lanes()[2].recipients, (std::vector<PeerId>{2}));
}

TEST(FanoutPacker, OnlyMemberExcluded_NoPackerNothingEncoded) {
  const std::vector<PeerId> members{7};
  FanoutPacker fp(wire::EncodeContext{}, false, members);
  EXPECT_EQ(fp.lane(FanoutPacker::To::kAllBut, 7), nullptr);
  EXPECT_NE(fp.lane(FanoutPacker::To::kAllBut, kNoPeer), nullptr);
}

}  // namespace
}  // namespace evpnd::bgp

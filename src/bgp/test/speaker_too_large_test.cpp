// RFC 4271 §9.2 and RFC 8654 §4 through the reflector: a route whose attributes, received from
// an extended-message peer, make its UPDATE larger than 4096 octets is never sent to a peer
// without extended messages (withdrawn there if it had been sent), counted and logged; peers
// with extended messages still get it.
#include "raw_rr.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

using TooLarge = RawRr;

constexpr const char* kA = "127.0.0.2";  // extended messages: sends the large route
constexpr const char* kC = "127.0.0.3";  // no extended messages
constexpr const char* kD = "127.0.0.4";  // extended messages

TEST_F(TooLarge, OverLimitForPlainPeer_NotSentWithdrawnCountedExtendedPeerGetsIt) {
  add(kA);
  add(kC);
  add(kD);
  establish(kA, {kL2vpnEvpn}, true);
  establish(kC, {kL2vpnEvpn}, false);
  establish(kD, {kL2vpnEvpn}, true);
  ASSERT_FALSE(state(kC).neg.extended_message);
  send(kA, evpn_update({type2(1)}));
  ASSERT_EQ(announced(kC), std::vector<wire::EvpnRoute>{type2(1)});

  // The same route again with 1200 communities: an UPDATE of about 4.9 kB.
  wire::Update big = evpn_update({type2(1)});
  for (uint32_t i = 0; i < 1200; ++i) big.attrs.communities.push_back(0xfde80000u + i);
  send(kA, big);
  EXPECT_FALSE(raw(kC).too_long) << "an UPDATE over 4096 octets was sent to a peer without extended messages";
  EXPECT_EQ(announced(kC).size(), 1u);
  EXPECT_EQ(withdrawn(kC), std::vector<wire::EvpnRoute>{type2(1)});  // it had the old one (RFC 8654 §4)
  EXPECT_EQ(state(kC).counters.routes_too_large, 1u);
  EXPECT_EQ(rr_->prefixes_sent(state(kC)), 0u);
  EXPECT_TRUE(established(*rr_, kC));
  // D (extended messages) gets the large one; nothing counted for it or for A.
  ASSERT_EQ(announced(kD).size(), 2u);
  const wire::Update* last = nullptr;
  for (const auto* u : updates(kD))
    if (u->mp_reach && !u->mp_reach->evpn.empty()) last = u;
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->attrs.communities.size(), 1200u);
  EXPECT_EQ(state(kD).counters.routes_too_large, 0u);
  EXPECT_EQ(state(kA).counters.routes_too_large, 0u);

  // A ROUTE-REFRESH from C resends its Adj-RIB-Out: still not the large route.
  send(kC, wire::RouteRefresh{kL2vpnEvpn, 0});
  EXPECT_FALSE(raw(kC).too_long);
  EXPECT_EQ(announced(kC).size(), 1u);

  // Small again: C gets it back.
  send(kA, evpn_update({type2(1)}));
  EXPECT_EQ(announced(kC).size(), 2u);
  EXPECT_EQ(rr_->prefixes_sent(state(kC)), 1u);
  EXPECT_FALSE(raw(kC).too_long);
}

// A peer without extended messages that comes up after the large route arrived: its full dump
// leaves it out, and the End-of-RIB still follows.
TEST_F(TooLarge, FullDumpToPlainPeer_LargeRouteLeftOutOthersSent) {
  add(kA);
  add(kC);
  establish(kA, {kL2vpnEvpn}, true);
  wire::Update big = evpn_update({type2(1)});
  for (uint32_t i = 0; i < 1200; ++i) big.attrs.communities.push_back(i);
  send(kA, big);
  send(kA, evpn_update({type2(2)}));
  establish(kC, {kL2vpnEvpn}, false);
  EXPECT_FALSE(raw(kC).too_long);
  EXPECT_EQ(announced(kC), std::vector<wire::EvpnRoute>{type2(2)});
  EXPECT_EQ(state(kC).counters.routes_too_large, 1u);
  ASSERT_FALSE(updates(kC).empty());
  EXPECT_TRUE(updates(kC).back()->is_end_of_rib());
}

}  // namespace
}  // namespace evpnd::bgp

// RFC 4760 §8 per session: a route of a family goes only to a peer that negotiated it (update
// groups per negotiated family set), and what a peer sends of a family it did not negotiate is
// counted, logged and ignored, without a reset.
#include "raw_rr.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

using Families = RawRr;

constexpr const char* kA = "127.0.0.2";  // l2vpn-evpn
constexpr const char* kB = "127.0.0.3";  // configured for both, its OPEN offers IPv4 unicast only
constexpr const char* kC = "127.0.0.4";  // l2vpn-evpn


TEST_F(Families, EvpnRouteNeverSentToPeerWithoutEvpn) {
  add(kA);
  add(kB, {kL2vpnEvpn, kIpv4Unicast});
  add(kC);
  establish(kA);
  establish(kB, {kIpv4Unicast});
  establish(kC);
  ASSERT_EQ(state(kB).neg.families, std::vector<AfiSafi>{kIpv4Unicast});
  send(kA, evpn_update({type2(1), type2(2)}));
  send(kA, evpn_withdrawal({type2(2)}));
  // The control: C, with l2vpn-evpn, is sent both routes and the withdrawal.
  EXPECT_EQ(announced(kC).size(), 2u);
  EXPECT_EQ(withdrawn(kC), std::vector<wire::EvpnRoute>{type2(2)});
  // B: not one EVPN NLRI, and End-of-RIB for IPv4 unicast only (RFC 4724 §2).
  EXPECT_TRUE(announced(kB).empty());
  EXPECT_TRUE(withdrawn(kB).empty());
  size_t eor = 0;
  for (const auto* u : updates(kB)) {
    ASSERT_TRUE(u->is_end_of_rib());
    EXPECT_FALSE(u->mp_unreach) << "End-of-RIB of a family B did not negotiate";
    ++eor;
  }
  EXPECT_EQ(eor, 1u);
  EXPECT_EQ(rr_->prefixes_sent(state(kB)), 0u);
  // Update groups per family set: A and C share one, B has its own.
  EXPECT_EQ(state(kA).group, state(kC).group);
  EXPECT_NE(state(kA).group, state(kB).group);
  // RFC 2918 §4: a ROUTE-REFRESH for l2vpn-evpn from B is ignored.
  const size_t before = raw(kB).got.size();
  send(kB, wire::RouteRefresh{kL2vpnEvpn, 0});
  EXPECT_EQ(raw(kB).got.size(), before);
}

TEST_F(Families, EvpnFromPeerWithoutEvpn_IgnoredCountedSessionKept) {
  add(kA);
  add(kB, {kL2vpnEvpn, kIpv4Unicast});
  establish(kA);
  establish(kB, {kIpv4Unicast});
  const size_t a_before = raw(kA).got.size();
  send(kB, evpn_update({type2(7), type2(8), type2(9)}));
  send(kB, evpn_withdrawal({type2(7)}));
  EXPECT_EQ(rr_->loc_rib_size(), 0u);
  EXPECT_EQ(rr_->table().find(type2(8)), kNoDest);
  EXPECT_EQ(state(kB).prefixes_received, 0u);
  EXPECT_EQ(state(kB).counters.unnegotiated_nlri, 4u);
  EXPECT_EQ(state(kB).counters.updates_in, 2u);
  // Ignored, not a reset (RFC 4760 §7's reset is for an incorrect attribute, not this).
  EXPECT_TRUE(established(*rr_, kB));
  EXPECT_FALSE(raw(kB).closed);
  EXPECT_EQ(state(kB).counters.notifications_out, 0u);
  EXPECT_EQ(raw(kA).got.size(), a_before);  // nothing reflected
  // An End-of-RIB for l2vpn-evpn from B is not counted (no NLRI) and changes nothing.
  send(kB, evpn_withdrawal({}));
  EXPECT_EQ(state(kB).counters.unnegotiated_nlri, 4u);
}

TEST_F(Families, Ipv4NlriFromEvpnOnlyPeer_CountedEvpnPartKept) {
  add(kA);
  add(kC);
  establish(kA);
  establish(kC);
  // One UPDATE: EVPN route (negotiated) plus two IPv4 unicast prefixes in the NLRI field and one
  // withdrawn (IPv4 unicast was not negotiated with A).
  wire::Update u = evpn_update({type2(3)});
  u.attrs.next_hop = ip("10.0.0.1");
  u.nlri = {*IpPrefix::parse("192.0.2.0/24"), *IpPrefix::parse("198.51.100.0/24")};
  u.withdrawn = {*IpPrefix::parse("203.0.113.0/24")};
  send(kA, u);
  EXPECT_EQ(state(kA).counters.unnegotiated_nlri, 3u);
  EXPECT_EQ(state(kA).prefixes_received, 1u);
  EXPECT_EQ(announced(kC), std::vector<wire::EvpnRoute>{type2(3)});
  EXPECT_TRUE(established(*rr_, kA));
}

}  // namespace
}  // namespace evpnd::bgp

#include <gtest/gtest.h>

#include <algorithm>

#include "bgp/negotiation.hpp"

namespace evpnd::bgp {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

LocalSettings local(Asn asn = 65000) {
  LocalSettings l;
  l.asn = asn;
  l.router_id = ip("10.0.0.254");
  l.hold_time = 9;
  return l;
}

wire::Open peer_open(Asn asn, const char* id = "10.0.0.1") {
  LocalSettings p = local(asn);
  p.router_id = ip(id);
  p.hold_time = 30;
  return build_open(p);
}

TEST(Negotiation, BuildOpen_LargeAs_UsesAsTrans) {
  auto o = build_open(local(4200000000u));
  EXPECT_EQ(o.my_as, 23456);
  EXPECT_EQ(*o.caps.four_octet_as, 4200000000u);
  EXPECT_TRUE(o.caps.route_refresh);
  EXPECT_TRUE(o.caps.graceful_restart.has_value());
  EXPECT_EQ(o.caps.multiprotocol, std::vector<AfiSafi>{kL2vpnEvpn});
}

TEST(Negotiation, MatchingOpen_NegotiatesMinHoldAndCapabilities) {
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, peer_open(65000), std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->hold_time, 9);
  EXPECT_EQ(n->keepalive, 3);
  EXPECT_TRUE(n->four_octet_as);
  EXPECT_TRUE(n->route_refresh);
  EXPECT_TRUE(n->extended_message);
  EXPECT_TRUE(n->graceful_restart);
  EXPECT_TRUE(n->has_family(kL2vpnEvpn));
}

TEST(Negotiation, WrongAs_BadPeerAs) {
  auto n = negotiate(local(), {65001, ip("10.0.0.254")}, peer_open(65000), std::nullopt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, 2);
  EXPECT_EQ(n.error().subcode, 2);
}

TEST(Negotiation, FourOctetAsViaCapability_Accepted) {
  auto n = negotiate(local(), {4200000000u, ip("10.0.0.254")}, peer_open(4200000000u), std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->peer_as, 4200000000u);
}

TEST(Negotiation, AsTransWithoutCapability_BadPeerAs) {
  auto o = peer_open(4200000000u);
  o.caps.four_octet_as.reset();
  auto n = negotiate(local(), {4200000000u, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().subcode, 2);
}

TEST(Negotiation, HoldTimeTwo_Unacceptable) {
  auto o = peer_open(65000);
  o.hold_time = 2;
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().subcode, 6);
}

TEST(Negotiation, HoldTimeZero_NoKeepalives) {
  auto o = peer_open(65000);
  o.hold_time = 0;
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->hold_time, 0);
  EXPECT_EQ(n->keepalive, 0);
}

TEST(Negotiation, NoCommonFamily_UnsupportedCapability) {
  auto o = peer_open(65000);
  o.caps.multiprotocol = {kIpv4Unicast};
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().subcode, 7);
  EXPECT_EQ(n.error().data, (Bytes{1, 4, 0, 25, 0, 70}));
}

TEST(Negotiation, SameRouterIdIbgp_BadBgpIdentifier) {
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, peer_open(65000, "10.0.0.254"), std::nullopt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().subcode, 3);
}

TEST(Negotiation, ConfiguredKeepalive_SmallerWins) {
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, peer_open(65000), uint16_t{1});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->keepalive, 1);
}

// RFC 4271 §4.4/§10: a configured keepalive of 0 never turns KEEPALIVEs off under a non-zero
// hold time (hold 9 here): one third of it is used.
TEST(Negotiation, ConfiguredKeepaliveZero_HoldThirdUsed) {
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, peer_open(65000), uint16_t{0});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->hold_time, 9);
  EXPECT_EQ(n->keepalive, 3);
}

TEST(Negotiation, PeerWithoutExtendedMessage_NotNegotiated) {
  auto o = peer_open(65000);
  o.caps.extended_message = false;
  o.caps.graceful_restart.reset();
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->extended_message);
  EXPECT_FALSE(n->graceful_restart);
}

// RFC 4724 §3: a speaker whose forwarding state survives its restart lists every family it
// carries with the F bit (a route reflector: its forwarding state is its clients').
TEST(Negotiation, BuildOpen_PreserveForwarding_EveryFamilyWithFBit) {
  LocalSettings l = local();
  l.families = {kL2vpnEvpn, kIpv4Unicast};
  l.preserve_forwarding = true;
  l.restarting = true;
  l.restart_time = 10;
  const auto o = build_open(l);
  ASSERT_TRUE(o.caps.graceful_restart.has_value());
  const auto& gr = *o.caps.graceful_restart;
  EXPECT_TRUE(gr.restart_state);
  EXPECT_EQ(gr.restart_time, 10);
  ASSERT_EQ(gr.families.size(), 2u);
  EXPECT_EQ(gr.families[0].afi_safi, kL2vpnEvpn);
  EXPECT_TRUE(gr.families[0].forwarding_preserved);
  EXPECT_EQ(gr.families[1].afi_safi, kIpv4Unicast);
  EXPECT_TRUE(gr.families[1].forwarding_preserved);
  // Seen from the peer: the families it retains on loss and keeps until our End-of-RIB.
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, [&] {
    auto p = o;
    p.bgp_id = ip("10.0.0.1");
    return p;
  }(), std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->peer_restarting);
  EXPECT_EQ(n->gr_preserved, (std::vector<AfiSafi>{kL2vpnEvpn, kIpv4Unicast}));
}

// Without preserved forwarding state the capability lists no family: helper only (§3).
TEST(Negotiation, BuildOpen_NoPreservedForwarding_HelperOnly) {
  const auto o = build_open(local());
  ASSERT_TRUE(o.caps.graceful_restart.has_value());
  EXPECT_TRUE(o.caps.graceful_restart->families.empty());
  EXPECT_FALSE(o.caps.graceful_restart->restart_state);
}

TEST(Negotiation, GrFamiliesFromPeer_Recorded) {
  auto o = peer_open(65000);
  o.caps.graceful_restart->families.push_back({kL2vpnEvpn, true});
  o.caps.graceful_restart->restart_time = 77;
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->peer_restart_time, 77);
  EXPECT_EQ(n->gr_families, std::vector<AfiSafi>{kL2vpnEvpn});
}

// RFC 4760 §8: a peer that sends no Multiprotocol capability speaks IPv4 unicast only, so a
// neighbour configured for l2vpn-evpn and ipv4-unicast negotiates IPv4 unicast alone with it
// (and is then sent no EVPN route: Families.* in speaker_families_test).
TEST(Negotiation, PeerWithoutMultiprotocolCapability_Ipv4UnicastOnly) {
  LocalSettings l = local();
  l.families = {kL2vpnEvpn, kIpv4Unicast};
  auto o = peer_open(65000);
  o.caps.multiprotocol.clear();
  auto n = negotiate(l, {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->families, std::vector<AfiSafi>{kIpv4Unicast});
  EXPECT_FALSE(n->has_family(kL2vpnEvpn));
}

// RFC 4724 §3: "A BGP speaker MUST NOT include more than one instance of the Graceful Restart
// Capability in the capability advertisement" -- on the wire, whatever the families.
TEST(Negotiation, BuildOpen_OneGracefulRestartCapabilityOnTheWire) {
  LocalSettings l = local();
  l.families = {kL2vpnEvpn, kIpv4Unicast, kIpv6Unicast};
  l.preserve_forwarding = true;
  auto m = wire::decode_message(wire::encode_message(build_open(l), wire::EncodeContext{}), wire::DecodeContext{});
  ASSERT_TRUE(m);
  const auto& o = std::get<wire::Open>(*m);
  EXPECT_EQ(std::count(o.order.begin(), o.order.end(), uint8_t{64}), 1);
  ASSERT_TRUE(o.caps.graceful_restart);
  EXPECT_EQ(o.caps.graceful_restart->families.size(), 3u);
}

// RFC 4724 §3: of two GR capabilities in one OPEN, the last decides. The first lists
// l2vpn-evpn with F and 120 s, the last lists nothing and 30 s: the peer is a helper only, and
// nothing of it is retained as stale on a session loss.
TEST(Negotiation, RepeatedGrCapability_LastInstanceDecides) {
  const Bytes body = *parse_hex(
      "04 fde8 001e 0a000001 18"
      "0206 0104 00190046  0208 4006 0078 00194680  0204 4002 001e");
  Bytes msg(16, 0xFF);
  msg.push_back(0);
  msg.push_back(uint8_t(19 + body.size()));
  msg.push_back(1);
  msg.insert(msg.end(), body.begin(), body.end());
  auto m = wire::decode_message(msg, wire::DecodeContext{});
  ASSERT_TRUE(m) << m.error().reason;
  const auto& o = std::get<wire::Open>(*m);
  auto n = negotiate(local(), {65000, ip("10.0.0.254")}, o, std::nullopt);
  ASSERT_TRUE(n) << n.error().reason;
  EXPECT_TRUE(n->graceful_restart);
  EXPECT_EQ(n->peer_restart_time, 30);
  EXPECT_TRUE(n->gr_families.empty());
  EXPECT_TRUE(n->gr_preserved.empty());
}

}  // namespace
}  // namespace evpnd::bgp

// Unicast out (issue 10): next-hop-self and RFC 4271 §5.1 towards eBGP, the export policy with
// RFC 8212, End-of-RIB / route refresh / graceful restart per family, and the bytes of a real
// BIRD 2 UPDATE (tests/vectors/bird) re-advertised.
#include <fstream>
#include <sstream>

#include "raw_rr.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

using UnicastOut = RawRr;

constexpr const char* kA = "127.0.0.2";  // iBGP route-reflector clients
constexpr const char* kC = "127.0.0.4";
constexpr const char* kE = "127.0.0.9";  // eBGP CEs (AS 64512)
constexpr const char* kG = "127.0.0.10";
constexpr const char* kF = "fd00:1::11";
const std::vector<AfiSafi> kV4{kIpv4Unicast};
const std::vector<AfiSafi> kV6{kIpv6Unicast};
const std::vector<AfiSafi> kBoth{kIpv4Unicast, kIpv6Unicast};
const std::vector<AfiSafi> kAll{kL2vpnEvpn, kIpv4Unicast, kIpv6Unicast};
using Sent = std::vector<std::pair<IpPrefix, IpAddress>>;

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
PrefixList permit_all() {
  return PrefixList{{{pfx("0.0.0.0/0"), std::nullopt, uint8_t(32), true},
                     {pfx("::/0"), std::nullopt, uint8_t(128), true}}};
}
PeerConfig ce(const char* addr, std::vector<AfiSafi> families, std::optional<PrefixList> export_filter) {
  PeerConfig pc = peer(addr, 64512);
  pc.families = std::move(families);
  pc.export_filter = std::move(export_filter);
  return pc;
}
wire::Update v4_update(std::vector<IpPrefix> prefixes, const char* nh) {
  wire::Update u;
  u.attrs = ibgp_attrs(200);
  u.attrs.med = 5;
  u.attrs.next_hop = ip(nh);
  u.nlri = std::move(prefixes);
  return u;
}
wire::Update v6_update(std::vector<IpPrefix> prefixes, const char* nh) {
  wire::Update u;
  u.attrs = ibgp_attrs();
  u.mp_reach = wire::MpReach{};
  u.mp_reach->afi_safi = kIpv6Unicast;
  u.mp_reach->next_hop = ip(nh);
  u.mp_reach->prefixes = std::move(prefixes);
  return u;
}
const wire::Update* last_with_nlri(const std::vector<const wire::Update*>& us) {
  const wire::Update* last = nullptr;
  for (const auto* u : us)
    if (!u->nlri.empty() || (u->mp_reach && !u->mp_reach->prefixes.empty())) last = u;
  return last;
}

TEST_F(UnicastOut, Ebgp_NextHopSelfAsPrependNoLocalPrefNoMed) {
  add(kA, kBoth);
  establish(kA, kBoth);
  add(ce(kE, kV4, permit_all()));
  establish(kE, kV4, true, 64512, ip("192.0.2.254"));
  add(ce(kF, kV6, permit_all()));
  establish(kF, kV6, true, 64512, ip("fd00:1::1"));
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  send(kA, v6_update({pfx("2001:db8:244:100::/64")}, "fd00:9::1"));
  // RFC 4271 §5.1.3: to eBGP the next hop is our address on the session.
  EXPECT_EQ(unicast_announced(kE), (Sent{{pfx("10.244.1.0/26"), ip("192.0.2.254")}}));
  EXPECT_EQ(unicast_announced(kF), (Sent{{pfx("2001:db8:244:100::/64"), ip("fd00:1::1")}}));
  const wire::Update* u = last_with_nlri(updates(kE));
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->attrs.as_path);
  EXPECT_EQ(*u->attrs.as_path, (wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65000}}}));  // §5.1.2
  EXPECT_FALSE(u->attrs.local_pref);    // §5.1.5: not sent to eBGP
  EXPECT_FALSE(u->attrs.med);           // §5.1.4: a received MED is not passed on
  EXPECT_FALSE(u->attrs.originator_id);
  const wire::Update* v = last_with_nlri(updates(kF));
  ASSERT_TRUE(v && v->mp_reach);
  EXPECT_FALSE(v->attrs.next_hop);  // IPv6: the next hop is in MP_REACH_NLRI only
  EXPECT_TRUE(v->mp_reach->link_local_next_hop.empty());
}

TEST_F(UnicastOut, NoLocalAddressOfTheFamily_NotAdvertisedCounted) {
  add(kA, kBoth);
  establish(kA, kBoth);
  add(ce(kE, kBoth, permit_all()));
  establish(kE, kBoth, true, 64512, ip("192.0.2.254"));  // an IPv4 session: no IPv6 address of ours
  send(kA, v6_update({pfx("2001:db8:244:100::/64")}, "fd00:9::1"));
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  EXPECT_EQ(unicast_announced(kE), (Sent{{pfx("10.244.1.0/26"), ip("192.0.2.254")}}));
  EXPECT_EQ(state(kE).counters.no_next_hop, 1u);
  EXPECT_TRUE(established(*rr_, kE));
}

TEST_F(UnicastOut, ExportFilterAndRfc8212_GroupsSplitPerPolicy) {
  add(kA, kV4);
  establish(kA, kV4);
  add(kC, kV4);
  establish(kC, kV4);
  add(ce(kE, kV4, PrefixList{{{pfx("10.244.0.0/16"), std::nullopt, uint8_t(32), true}}}));
  establish(kE, kV4, true, 64512, ip("192.0.2.254"));
  add(ce(kG, kV4, std::nullopt));
  establish(kG, kV4, true, 64512, ip("192.0.2.254"));
  send(kA, v4_update({pfx("10.244.1.0/26"), pfx("192.0.2.0/24")}, "10.1.0.11"));
  EXPECT_EQ(unicast_announced(kE), (Sent{{pfx("10.244.1.0/26"), ip("192.0.2.254")}}));
  EXPECT_TRUE(unicast_announced(kG).empty());  // RFC 8212 §2: eBGP without export policy
  EXPECT_EQ(unicast_announced(kC).size(), 2u);  // iBGP without a policy: everything
  EXPECT_NE(state(kE).group, state(kG).group);
  // G still gets its End-of-RIB (the session works, it is only sent no routes).
  size_t eor = 0;
  for (const auto* u : updates(kG)) eor += u->is_end_of_rib();
  EXPECT_EQ(eor, 1u);
  EXPECT_EQ(rr_->prefixes_sent(state(kE)), 1u);
  EXPECT_EQ(rr_->prefixes_sent(state(kG)), 0u);
}

TEST_F(UnicastOut, EndOfRibPerNegotiatedFamily) {
  add(kA, kAll);
  establish(kA, kAll);
  std::vector<AfiSafi> eors;
  for (const auto* u : updates(kA)) {
    ASSERT_TRUE(u->is_end_of_rib());
    eors.push_back(u->mp_unreach ? u->mp_unreach->afi_safi : kIpv4Unicast);  // IPv4: the empty UPDATE
    if (!u->mp_unreach) {
      EXPECT_TRUE(u->withdrawn.empty() && u->nlri.empty() && !u->mp_reach);
    }
  }
  std::sort(eors.begin(), eors.end());
  std::vector<AfiSafi> want = kAll;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(eors, want);  // RFC 4724 §2
}

TEST_F(UnicastOut, RouteRefreshIpv4_ResendsIpv4Only) {
  add(kA, kBoth);
  establish(kA, kBoth);
  add(kC, kBoth);
  establish(kC, kBoth);
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  send(kA, v6_update({pfx("2001:db8:244:100::/64")}, "fd00:9::1"));
  ASSERT_EQ(unicast_announced(kC).size(), 2u);
  raw(kC).got.clear();
  send(kC, wire::RouteRefresh{kIpv4Unicast, 0});  // RFC 2918 §4
  EXPECT_EQ(unicast_announced(kC), (Sent{{pfx("10.244.1.0/26"), ip("10.1.0.11")}}));
  raw(kC).got.clear();
  send(kC, wire::RouteRefresh{kIpv6Unicast, 0});
  EXPECT_EQ(unicast_announced(kC), (Sent{{pfx("2001:db8:244:100::/64"), ip("fd00:9::1")}}));
}

TEST_F(UnicastOut, GracefulRestart_OnlyListedFamiliesKeptSweptAtTheirEndOfRib) {
  add(kA, kAll);
  add(kC, kAll);
  establish(kC, kAll);
  // A's capability lists l2vpn-evpn and ipv4-unicast (F bit), not ipv6-unicast.
  auto gr = [](wire::Open& o) {
    wire::GracefulRestart g;
    g.restart_time = 120;
    g.families = {{kL2vpnEvpn, true, 0}, {kIpv4Unicast, true, 0}};
    o.caps.graceful_restart = g;
  };
  establish(kA, kAll, true, 65000, std::nullopt, gr);
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  send(kA, v6_update({pfx("2001:db8:244:100::/64")}, "fd00:9::1"));
  send(kA, evpn_update({type2(1)}));
  ASSERT_EQ(rr_->unicast_loc_rib_size(), 2u);
  Output o;
  rr_->on_closed(raw(kA).conn, o);  // TCP failure, no NOTIFICATION: RFC 4724 §4.2 applies
  collect(o);
  EXPECT_EQ(state(kA).stale_routes, 2u);  // the IPv4 prefix and the EVPN route
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
  EXPECT_EQ(rr_->unicast_table().find(pfx("2001:db8:244:100::/64")), kNoDest);  // not listed: deleted at once
  EXPECT_EQ(unicast_withdrawn(kC), std::vector<IpPrefix>{pfx("2001:db8:244:100::/64")});
  establish(kA, kAll, true, 65000, std::nullopt, gr);
  EXPECT_TRUE(state(kA).gr_waiting_eor);
  send(kA, wire::Update{});  // IPv4 unicast End-of-RIB, the prefix not re-advertised
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);
  EXPECT_EQ(rr_->loc_rib_size(), 1u);  // the EVPN route waits for its own End-of-RIB
  EXPECT_EQ(state(kA).stale_routes, 1u);
  EXPECT_TRUE(state(kA).gr_waiting_eor);
  send(kA, evpn_withdrawal({}));  // l2vpn-evpn End-of-RIB
  EXPECT_EQ(rr_->loc_rib_size(), 0u);
  EXPECT_EQ(state(kA).stale_routes, 0u);
  EXPECT_FALSE(state(kA).gr_waiting_eor);
}

// Expected bytes by hand, RFC 4271 §4.3 (the encoder's attribute order: ORIGIN, AS_PATH with the
// Extended Length flag as FRR sends it, NEXT_HOP, LOCAL_PREF).
TEST_F(UnicastOut, BirdIpv4Update_ReflectedToIbgpByteExact) {
  std::ifstream f(EVPND_SOURCE_DIR "/tests/vectors/bird/bird-ipv4-reach.hex");
  ASSERT_TRUE(f) << "tests/vectors/bird/bird-ipv4-reach.hex";
  std::string line, hex;
  while (std::getline(f, line))
    if (!line.empty() && line[0] != '#') hex += line + "\n";
  const auto bird = parse_hex(hex);
  ASSERT_TRUE(bird);
  PeerConfig pc = peer("10.1.0.11", 64512);
  pc.families = kV4;
  pc.import_filter = PrefixList{{{pfx("10.244.0.0/16"), std::nullopt, uint8_t(26), true},
                                 {pfx("203.0.113.0/24"), uint8_t(32), std::nullopt, true}}};
  add(pc);
  establish("10.1.0.11", kV4, true, 64512, ip("10.1.0.1"));
  add(kA, kV4);
  establish(kA, kV4);
  raw(kA).bytes.clear();
  send_raw("10.1.0.11", *bird);
  EXPECT_EQ(state("10.1.0.11").prefixes_received, 2u);
  ASSERT_EQ(raw(kA).bytes.size(), 1u);
  const auto want = parse_hex(
      "ffffffffffffffffffffffffffffffff 003d 02 0000 001c"
      " 40010100 5002000602010000fc00 4003040a01000b 400504 00000064"
      " 1a0af40100 20cb00710a");
  ASSERT_TRUE(want);
  EXPECT_EQ(to_hex(raw(kA).bytes.front()), to_hex(*want));
}

// The BIRD vectors decode and re-encode to the same bytes (decoder and encoder agree on
// BIRD's attribute order and flags, the 32-byte IPv6 next hop, both End-of-RIB forms).
TEST(BirdVectors, UpdatesReencodeByteExact) {
  for (const char* name : {"bird-ipv4-reach", "bird-ipv4-withdraw", "bird-ipv4-eor", "bird-ipv6-reach",
                           "bird-ipv6-withdraw", "bird-ipv6-eor"}) {
    std::ifstream f(std::string(EVPND_SOURCE_DIR "/tests/vectors/bird/") + name + ".hex");
    ASSERT_TRUE(f) << name;
    std::string line, hex;
    while (std::getline(f, line))
      if (!line.empty() && line[0] != '#') hex += line + "\n";
    const auto b = parse_hex(hex);
    ASSERT_TRUE(b) << name;
    auto m = wire::decode_message(ByteView(*b), wire::DecodeContext{});
    ASSERT_TRUE(m) << name << ": " << m.error().reason;
    EXPECT_EQ(to_hex(wire::encode_message(*m, wire::EncodeContext{})), to_hex(*b)) << name;
  }
}

}  // namespace
}  // namespace evpnd::bgp

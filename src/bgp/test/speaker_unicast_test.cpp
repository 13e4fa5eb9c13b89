// Unicast in the RIB (issue 10): IPv4 unicast from the UPDATE's own fields and from MP_REACH /
// MP_UNREACH, IPv6 unicast from MP_REACH (global next hop), best path between peers,
// reflection, the import policy with RFC 8212, unnegotiated families, max-prefix, local routes.
#include <map>

#include "raw_rr.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

using Unicast = RawRr;

constexpr const char* kA = "127.0.0.2";  // iBGP route-reflector clients
constexpr const char* kB = "127.0.0.3";
constexpr const char* kC = "127.0.0.4";
constexpr const char* kE = "127.0.0.9";  // an eBGP CE (AS 64512)
const std::vector<AfiSafi> kV4{kIpv4Unicast};
const std::vector<AfiSafi> kBoth{kIpv4Unicast, kIpv6Unicast};

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }

// Records every unicast Loc-RIB change.
struct Recorder : LocRibListener {
  void on_best_path_changed(const wire::EvpnRoute&, const Path*, PeerRole) override {}
  void on_unicast_best_changed(const IpPrefix& p, const UnicastPath* best, PeerRole from) override {
    changes.push_back(p);
    if (best) now[p] = {best->info->next_hop, from};
    else now.erase(p);
  }
  std::vector<IpPrefix> changes;
  std::map<IpPrefix, std::pair<IpAddress, PeerRole>> now;
};

wire::Update v4_update(std::vector<IpPrefix> prefixes, const char* nh, uint32_t local_pref = 100) {
  wire::Update u;
  u.attrs = ibgp_attrs(local_pref);
  u.attrs.next_hop = ip(nh);
  u.nlri = std::move(prefixes);
  return u;
}
wire::Update mp_update(AfiSafi f, std::vector<IpPrefix> prefixes, const char* nh, const char* link_local = nullptr) {
  wire::Update u;
  u.attrs = ibgp_attrs();
  u.mp_reach = wire::MpReach{};
  u.mp_reach->afi_safi = f;
  u.mp_reach->next_hop = ip(nh);
  if (link_local) u.mp_reach->link_local_next_hop = ip(link_local);
  u.mp_reach->prefixes = std::move(prefixes);
  return u;
}
wire::Update ebgp_update(std::vector<IpPrefix> prefixes, const char* nh) {
  wire::Update u = v4_update(std::move(prefixes), nh);
  u.attrs.local_pref.reset();
  u.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {64512}}};
  return u;
}
const UnicastPath* best(const Speaker& s, const char* prefix) {
  const DestId d = s.unicast_table().find(pfx(prefix));
  return d == kNoDest ? nullptr : s.unicast_table().at(d).best_path();
}

TEST_F(Unicast, Ipv4Classic_StoredCountedReportedAndWithdrawn) {
  Recorder rec;
  rr_->set_listener(&rec);
  add(kA, kV4);
  establish(kA, kV4);
  send(kA, v4_update({pfx("10.244.1.0/26"), pfx("203.0.113.10/32")}, "10.1.0.11"));
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 2u);
  EXPECT_EQ(rr_->loc_rib_size(), 0u);  // the EVPN table is another one
  EXPECT_EQ(state(kA).prefixes_received, 2u);
  ASSERT_TRUE(best(*rr_, "10.244.1.0/26"));
  EXPECT_EQ(best(*rr_, "10.244.1.0/26")->info->next_hop, ip("10.1.0.11"));
  EXPECT_FALSE(best(*rr_, "10.244.1.0/26")->info->attrs.next_hop);  // kept in PathInfo only
  EXPECT_EQ(rec.now.size(), 2u);
  EXPECT_EQ(rec.now[pfx("203.0.113.10/32")].second, PeerRole::kRrClient);
  wire::Update w;
  w.withdrawn = {pfx("10.244.1.0/26")};
  send(kA, w);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
  EXPECT_EQ(state(kA).prefixes_received, 1u);
  EXPECT_FALSE(best(*rr_, "10.244.1.0/26"));
  EXPECT_EQ(rec.now.count(pfx("10.244.1.0/26")), 0u);
  EXPECT_EQ(rr_->unicast_table().size(), 1u);  // the withdrawn Dest was erased at the flush
}

TEST_F(Unicast, Ipv4AndIpv6Mp_StoredWithGlobalNextHopAndWithdrawn) {
  add(kA, kBoth);
  establish(kA, kBoth);
  send(kA, mp_update(kIpv4Unicast, {pfx("10.244.2.0/26")}, "10.1.0.12"));
  send(kA, mp_update(kIpv6Unicast, {pfx("2001:db8:244:100::/64"), pfx("2001:db8:ff::10/128")}, "fd00:1::11",
                     "fe80::ff:fe01:b"));
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 3u);
  ASSERT_TRUE(best(*rr_, "2001:db8:ff::10/128"));
  EXPECT_EQ(best(*rr_, "2001:db8:ff::10/128")->info->next_hop, ip("fd00:1::11"));
  EXPECT_EQ(best(*rr_, "10.244.2.0/26")->info->next_hop, ip("10.1.0.12"));
  wire::Update w;
  w.mp_unreach = wire::MpUnreach{kIpv6Unicast, {}, {pfx("2001:db8:ff::10/128")}, {}};
  send(kA, w);
  w.mp_unreach = wire::MpUnreach{kIpv4Unicast, {}, {pfx("10.244.2.0/26")}, {}};
  send(kA, w);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
  EXPECT_TRUE(best(*rr_, "2001:db8:244:100::/64"));
  EXPECT_EQ(state(kA).prefixes_received, 1u);
}

TEST_F(Unicast, NextHopOfWrongFamilyOrUnspecified_RoutesIgnored) {
  add(kA, kBoth);
  establish(kA, kBoth);
  send(kA, mp_update(kIpv4Unicast, {pfx("10.244.2.0/26")}, "fd00:1::11"));  // RFC 8950 not negotiated
  send(kA, v4_update({pfx("10.244.3.0/26")}, "0.0.0.0"));
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);
  EXPECT_EQ(state(kA).counters.treat_as_withdraw, 2u);
  EXPECT_TRUE(established(*rr_, kA));
}

TEST_F(Unicast, MalformedOrigin_TreatAsWithdrawRemovesPrefix) {
  add(kA, kV4);
  establish(kA, kV4);
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  ASSERT_EQ(rr_->unicast_loc_rib_size(), 1u);
  Bytes b = wire::encode_message(v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"), wire::EncodeContext{});
  // header (19), withdrawn length (2), attributes length (2), then ORIGIN 40 01 01 <value>.
  ASSERT_EQ(b[23], 0x40);
  ASSERT_EQ(b[24], 1);
  b[26] = 5;  // RFC 7606 §7.1: an undefined ORIGIN value is treat-as-withdraw
  send_raw(kA, b);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);
  EXPECT_EQ(state(kA).counters.treat_as_withdraw, 1u);
  EXPECT_TRUE(established(*rr_, kA));
}

TEST_F(Unicast, TwoPeers_BestByLocalPrefFallsBackOnWithdrawal) {
  add(kA, kV4);
  add(kB, kV4);
  establish(kA, kV4);
  establish(kB, kV4);
  send(kA, v4_update({pfx("10.9.0.0/16")}, "10.1.0.1", 100));
  send(kB, v4_update({pfx("10.9.0.0/16")}, "10.1.0.2", 200));
  ASSERT_TRUE(best(*rr_, "10.9.0.0/16"));
  EXPECT_EQ(best(*rr_, "10.9.0.0/16")->info->next_hop, ip("10.1.0.2"));  // RFC 4271 §9.1.2.2
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
  wire::Update w;
  w.withdrawn = {pfx("10.9.0.0/16")};
  send(kB, w);
  ASSERT_TRUE(best(*rr_, "10.9.0.0/16"));
  EXPECT_EQ(best(*rr_, "10.9.0.0/16")->info->next_hop, ip("10.1.0.1"));
}

TEST_F(Unicast, ReflectedToOtherClients_NextHopKeptNotBackToSource) {
  add(kA, kV4);
  add(kC, kV4);
  establish(kA, kV4);
  establish(kC, kV4);
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  using Sent = std::vector<std::pair<IpPrefix, IpAddress>>;
  EXPECT_EQ(unicast_announced(kC), (Sent{{pfx("10.244.1.0/26"), ip("10.1.0.11")}}));
  EXPECT_TRUE(unicast_announced(kA).empty());  // RFC 4456 §6
  const wire::Update* u = updates(kC).back();
  ASSERT_TRUE(u->attrs.originator_id);  // RFC 4456 §8
  EXPECT_EQ(*u->attrs.originator_id, ip(kA));
  EXPECT_EQ(u->attrs.cluster_list, std::vector<IpAddress>{ip("10.0.0.254")});
  EXPECT_EQ(rr_->prefixes_sent(state(kC)), 1u);
  EXPECT_EQ(rr_->prefixes_sent(state(kA)), 0u);
  wire::Update w;
  w.withdrawn = {pfx("10.244.1.0/26")};
  send(kA, w);
  EXPECT_EQ(unicast_withdrawn(kC), std::vector<IpPrefix>{pfx("10.244.1.0/26")});
  EXPECT_EQ(rr_->prefixes_sent(state(kC)), 0u);
}

TEST_F(Unicast, ImportFilter_RefusedPrefixesCountedAndWithdrawn) {
  PeerConfig pc = peer(kE, 64512);
  pc.families = kV4;
  pc.import_filter = PrefixList{{{pfx("10.244.0.0/16"), std::nullopt, uint8_t(26), true},
                                 {pfx("203.0.113.0/24"), uint8_t(32), std::nullopt, true}}};
  add(pc);
  establish(kE, kV4, true, 64512);
  send(kE, ebgp_update({pfx("10.244.1.0/26"), pfx("10.244.1.0/27"), pfx("203.0.113.10/32"), pfx("192.0.2.0/24")},
                       "127.0.0.9"));
  EXPECT_TRUE(best(*rr_, "10.244.1.0/26"));
  EXPECT_TRUE(best(*rr_, "203.0.113.10/32"));
  EXPECT_FALSE(best(*rr_, "10.244.1.0/27"));  // longer than le 26
  EXPECT_FALSE(best(*rr_, "192.0.2.0/24"));   // no entry: implicit deny
  EXPECT_EQ(state(kE).counters.policy_rejected, 2u);
  EXPECT_EQ(state(kE).prefixes_received, 2u);
}

TEST_F(Unicast, EbgpWithoutImportFilter_NoUnicastAcceptedEvpnStill) {
  PeerConfig pc = peer(kE, 64512);
  pc.families = {kL2vpnEvpn, kIpv4Unicast};
  add(pc);
  establish(kE, {kL2vpnEvpn, kIpv4Unicast}, true, 64512);
  send(kE, ebgp_update({pfx("10.244.1.0/26"), pfx("203.0.113.10/32")}, "127.0.0.9"));
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);  // RFC 8212 §2
  EXPECT_EQ(state(kE).counters.policy_rejected, 2u);
  wire::Update e = evpn_update({type2(1)}, "127.0.0.9");
  e.attrs.local_pref.reset();
  e.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {64512}}};
  send(kE, e);
  EXPECT_EQ(rr_->loc_rib_size(), 1u);  // EVPN routes are not filtered
  // iBGP without a filter takes every prefix (the control).
  add(kA, kV4);
  establish(kA, kV4);
  send(kA, v4_update({pfx("10.244.1.0/26")}, "10.1.0.11"));
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
}

TEST_F(Unicast, LoopDetection_OwnAsInPathIgnored) {
  PeerConfig pc = peer(kE, 64512);
  pc.families = kV4;
  pc.import_filter = PrefixList{{{pfx("0.0.0.0/0"), std::nullopt, uint8_t(32), true}}};
  add(pc);
  establish(kE, kV4, true, 64512);
  wire::Update u = ebgp_update({pfx("10.8.0.0/16")}, "127.0.0.9");
  u.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {64512, 65000}}};
  send(kE, u);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);  // RFC 4271 §9.1.2
  EXPECT_EQ(state(kE).counters.loop_rejected, 1u);
}

TEST_F(Unicast, Ipv4NlriWithoutIpv4Negotiated_CountedNotStored) {
  add(kA);
  establish(kA);  // l2vpn-evpn only
  send(kA, v4_update({pfx("10.244.1.0/26"), pfx("10.244.2.0/26")}, "10.1.0.11"));
  EXPECT_EQ(state(kA).counters.unnegotiated_nlri, 2u);  // RFC 4760 §8
  EXPECT_EQ(rr_->unicast_table().size(), 0u);
  EXPECT_EQ(state(kA).prefixes_received, 0u);
  EXPECT_TRUE(established(*rr_, kA));
}

TEST_F(Unicast, MaxPrefixCountsUnicast_SessionDown) {
  PeerConfig pc = peer(kA, 65000, true);
  pc.families = kV4;
  pc.max_prefixes = 2;
  add(pc);
  establish(kA, kV4);
  send(kA, v4_update({pfx("10.1.0.0/24"), pfx("10.2.0.0/24")}, "10.1.0.11"));
  EXPECT_TRUE(established(*rr_, kA));
  send(kA, v4_update({pfx("10.3.0.0/24")}, "10.1.0.11"));
  EXPECT_FALSE(established(*rr_, kA));
  EXPECT_TRUE(state(kA).max_prefix_tripped);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 0u);  // deleted with the session (NOTIFICATION sent)
  const wire::Notification* n = nullptr;
  for (const auto& m : raw(kA).got)
    if (auto* x = std::get_if<wire::Notification>(&m)) n = x;
  ASSERT_TRUE(n);
  // RFC 4486 §4: Cease/1 with the AFI/SAFI (IPv4 unicast here) and the limit.
  EXPECT_EQ(to_hex(n->data), to_hex(Bytes{0, 1, 1, 0, 0, 0, 2}));
}

TEST_F(Unicast, Originate_LocalRouteWithoutNextHopGetsSessionAddress) {
  add(kA, kV4);
  establish(kA, kV4, true, 65000, ip("192.0.2.1"));
  add(kB, kBoth);
  establish(kB, kBoth);  // no local address known: nothing that needs next-hop-self
  Recorder rec;
  rr_->set_listener(&rec);
  PathInfo info;
  info.attrs = ibgp_attrs();
  rr_->originate(pfx("10.255.0.1/32"), info);
  info.next_hop = ip("10.20.0.1");
  rr_->originate(pfx("10.30.0.0/16"), info);
  Output o;
  rr_->flush(o);
  collect(o);
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 2u);
  EXPECT_EQ(rec.now[pfx("10.255.0.1/32")].second, PeerRole::kLocal);
  using Sent = std::vector<std::pair<IpPrefix, IpAddress>>;
  Sent a = unicast_announced(kA);
  std::sort(a.begin(), a.end());
  EXPECT_EQ(a, (Sent{{pfx("10.30.0.0/16"), ip("10.20.0.1")}, {pfx("10.255.0.1/32"), ip("192.0.2.1")}}));
  EXPECT_EQ(unicast_announced(kB), (Sent{{pfx("10.30.0.0/16"), ip("10.20.0.1")}}));
  EXPECT_EQ(state(kB).counters.no_next_hop, 1u);
  EXPECT_TRUE(rr_->withdraw_local(pfx("10.255.0.1/32")));
  o = {};
  rr_->flush(o);
  collect(o);
  EXPECT_EQ(unicast_withdrawn(kA), std::vector<IpPrefix>{pfx("10.255.0.1/32")});
  EXPECT_TRUE(unicast_withdrawn(kB).empty());  // B never had it
  EXPECT_EQ(rr_->unicast_loc_rib_size(), 1u);
  EXPECT_FALSE(rr_->withdraw_local(pfx("10.255.0.1/32")));
}

}  // namespace
}  // namespace evpnd::bgp

// Remote Ethernet segments through EvpnService, applied to a FakeDataplane (which refuses a group
// naming a missing nexthop, a MAC naming a missing group, and deleting what is still referenced,
// as the kernel does): aliasing (RFC 7432 §8.4, §14.1.2), mass withdraw (§8.2), backup path
// (§14.1.1), MAC sync (§9.2.2, §15), single-homed PEs processing A-D routes (§8.6).
#include "dataplane/fake/fake_dataplane.hpp"
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

using dataplane::FdbNexthop;
using dataplane::FdbNexthopGroup;
using dataplane::RemoteMac;
using dataplane::SyncedMac;

constexpr const char* kEsi = "03:44:38:39:ff:ff:01:00:00:01";
constexpr const char* kA = "10.255.0.2";
constexpr const char* kB = "10.255.0.3";
constexpr const char* kC = "10.255.0.4";

class RemoteEsTest : public ::testing::Test {
 protected:
  void SetUp() override { apply(svc.start()); }
  // Applies `o` to the fake data plane: every intent must be accepted in the order given.
  Output apply(Output o) {
    auto res = dp.apply(o.intents);
    EXPECT_TRUE(res.ok()) << res.errors[0].message;
    return o;
  }
  static wire::PathAttributes ad_attrs(std::vector<const char*> rts, std::optional<bool> single_active) {
    wire::PathAttributes a;
    a.origin = wire::Origin::kIgp;
    a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
    for (const char* r : rts) a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(r)));
    if (single_active) a.ext_communities.push_back(wire::ExtCommunity::esi_label(*single_active, 0));
    return a;
  }
  // The A-D per ES route of `vtep` (RD <vtep>:1; fragment `frag` gets RD <vtep>:<1+frag>).
  Output per_es(const char* vtep, bool add = true, bool single_active = false, const char* nh = nullptr,
                int frag = 0) {
    wire::EthernetAutoDiscovery r{rd((std::string(vtep) + ":" + std::to_string(1 + frag)).c_str()),
                                  *Esi::parse(kEsi), kMaxEthernetTag, 0};
    return apply(svc.on_remote_route(r, add ? ad_attrs({"65000:100", "65000:200"}, single_active) : wire::PathAttributes{},
                                     ip(nh ? nh : vtep), add, t0()));
  }
  // The A-D per EVI route of `vtep` for `vni` (RD <vtep>:<vni>, label = VNI).
  Output per_evi(const char* vtep, Vni vni = 100, bool add = true) {
    wire::EthernetAutoDiscovery r{rd((std::string(vtep) + ":" + std::to_string(vni)).c_str()), *Esi::parse(kEsi), 0, vni};
    const std::string rtv = "65000:" + std::to_string(vni);
    return apply(svc.on_remote_route(r, add ? ad_attrs({rtv.c_str()}, std::nullopt) : wire::PathAttributes{}, ip(vtep),
                                     add, t0()));
  }
  Output macip(const char* vtep, const char* m, bool add = true, uint32_t seq = 0, const char* esi = kEsi) {
    RemoteMacIp s{.vtep = vtep, .rd = vtep, .mac = m, .seq = seq};
    const std::string rdv = std::string(vtep) + ":100";
    s.rd = rdv.c_str();
    wire::MacIpAdvertisement r = type2(s);
    r.esi = *Esi::parse(esi);
    return apply(svc.on_remote_route(r, type2_attrs(s), ip(vtep), add, t0()));
  }
  // Both routes of each PE.
  void segment(std::vector<const char*> vteps, bool single_active = false) {
    for (const char* v : vteps) {
      per_es(v, true, single_active);
      per_evi(v);
    }
  }
  std::vector<IpAddress> group_vteps(uint32_t nhid) const {
    std::vector<IpAddress> out;
    for (uint32_t m : dp.fdb_nexthop_groups().at(nhid).members) out.push_back(dp.fdb_nexthops().at(m).vtep);
    std::sort(out.begin(), out.end());
    return out;
  }
  const RemoteMac* installed(const char* m) const { return dp.remote_mac(100, mac(m)); }

  EvpnService svc{lab_config()};
  dataplane::FakeDataplane dp;
};

TEST_F(RemoteEsTest, BothPesPerEsAndPerEvi_MacOfOnePeThroughGroupOfBoth) {  // §8.4 aliasing
  segment({kA, kB});
  Output o = macip(kA, "02:00:00:00:0a:01");
  ASSERT_NE(installed("02:00:00:00:0a:01"), nullptr);
  const RemoteMac& m = *installed("02:00:00:00:0a:01");
  EXPECT_EQ(m.vtep, ip(kA));  // the advertiser (views)
  ASSERT_NE(m.nhid, 0u);
  EXPECT_EQ(group_vteps(m.nhid), (std::vector<IpAddress>{ip(kA), ip(kB)}));
  // Intent order within the Output: nexthops, group, then the MAC.
  ASSERT_EQ(o.intents.size(), 4u);
  EXPECT_NE(o.intents[0].get<FdbNexthop>(), nullptr);
  EXPECT_NE(o.intents[1].get<FdbNexthop>(), nullptr);
  EXPECT_NE(o.intents[2].get<FdbNexthopGroup>(), nullptr);
  EXPECT_NE(o.intents[3].get<RemoteMac>(), nullptr);
  // A second MAC of the segment shares the group: nothing but the MAC.
  Output o2 = macip(kB, "02:00:00:00:0a:02");
  ASSERT_EQ(o2.intents.size(), 1u);
  EXPECT_EQ(installed("02:00:00:00:0a:02")->nhid, m.nhid);
}

TEST_F(RemoteEsTest, PeWithoutPerEvi_NotAnAlias) {
  segment({kA});
  per_es(kB);  // B: per-ES only, not active for VNI 100
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
  // B's per-EVI route arrives: one group replace adds it.
  Output o = per_evi(kB);
  ASSERT_EQ(adds<FdbNexthopGroup>(o).size(), 1u);
  EXPECT_TRUE(adds<RemoteMac>(o).empty());
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), (std::vector<IpAddress>{ip(kA), ip(kB)}));
}

TEST_F(RemoteEsTest, PerEviWithoutPerEs_NeverUsed) {  // §8.4 MUST NOT
  segment({kA});
  per_evi(kB);
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
  macip(kC, "02:00:00:00:0a:02");  // advertiser without any A-D route: the segment's PEs only
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:02")->nhid), std::vector<IpAddress>{ip(kA)});
}

TEST_F(RemoteEsTest, SameMacFromTwoPesOfTheSegment_NoMoveSameGroup) {  // §15 ESI comparison
  segment({kA, kB});
  macip(kB, "02:00:00:00:0a:01");
  const uint32_t nhid = installed("02:00:00:00:0a:01")->nhid;
  Output o = macip(kA, "02:00:00:00:0a:01");  // best path B -> A (lower IP), same segment
  EXPECT_EQ(svc.mac_vrf(100)->counters().moves, 0u);
  EXPECT_TRUE(adds<FdbNexthopGroup>(o).empty());
  EXPECT_EQ(installed("02:00:00:00:0a:01")->nhid, nhid);
  EXPECT_EQ(group_vteps(nhid), (std::vector<IpAddress>{ip(kA), ip(kB)}));
}

TEST_F(RemoteEsTest, PerEviOfAnotherVni_NotActiveHere) {
  segment({kA});
  per_es(kB);
  per_evi(kB, 200);
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
}

TEST_F(RemoteEsTest, PerEsWithdrawn_OneGroupReplaceForAllMacs) {  // §8.2 mass withdraw
  segment({kA, kB});
  constexpr int kMacs = 50;
  for (int i = 0; i < kMacs; ++i) {
    const std::string m = "02:00:00:00:0b:" + std::string(i < 16 ? "0" : "") + [&] {
      char b[3];
      std::snprintf(b, sizeof b, "%x", i);
      return std::string(b);
    }();
    macip(kA, m.c_str());
  }
  ASSERT_EQ(dp.remote_mac_count(), size_t{kMacs});
  const uint32_t nhid = installed("02:00:00:00:0b:00")->nhid;
  const uint64_t before = svc.counters().es_mass_withdrawals;
  Output o = per_es(kA, false);
  // One replace of the group, then A's nexthop (no longer used) deleted: 2 intents for 50 MACs.
  ASSERT_EQ(o.intents.size(), 2u) << o.intents.size();
  EXPECT_EQ(o.intents[0].get<FdbNexthopGroup>()->id, nhid);
  EXPECT_EQ(o.intents[1].action, dataplane::Action::kDelete);
  EXPECT_EQ(o.intents[1].get<FdbNexthop>()->vtep, ip(kA));
  // §9.2.2 T2: the MACs A advertised now go to B only.
  EXPECT_EQ(group_vteps(nhid), std::vector<IpAddress>{ip(kB)});
  EXPECT_EQ(dp.remote_mac_count(), size_t{kMacs});
  EXPECT_EQ(svc.counters().es_mass_withdrawals, before + 1);
  // A comes back: one replace again.
  Output back = per_es(kA);
  EXPECT_EQ(adds<FdbNexthopGroup>(back).size(), 1u);
  EXPECT_TRUE(adds<RemoteMac>(back).empty());
  EXPECT_EQ(group_vteps(nhid), (std::vector<IpAddress>{ip(kA), ip(kB)}));
}

TEST_F(RemoteEsTest, LastMemberGone_MacsDeletedThenGroupThenNexthops) {
  segment({kA, kB});
  macip(kA, "02:00:00:00:0a:01");
  macip(kA, "02:00:00:00:0a:02");
  const uint32_t nhid = installed("02:00:00:00:0a:01")->nhid;
  per_es(kA, false);
  Output o = per_es(kB, false);  // FRR's behaviour: no fall-back to the type-2's next hop
  EXPECT_EQ(dels<RemoteMac>(o).size(), 2u);
  ASSERT_EQ(dels<FdbNexthopGroup>(o).size(), 1u);
  EXPECT_EQ(dels<FdbNexthopGroup>(o)[0].id, nhid);
  // Order: both MACs before the group, the group before its nexthop.
  size_t last_mac = 0, group = 0, nexthop = 0;
  for (size_t i = 0; i < o.intents.size(); ++i) {
    if (o.intents[i].get<RemoteMac>()) last_mac = i;
    if (o.intents[i].get<FdbNexthopGroup>()) group = i;
    if (o.intents[i].get<FdbNexthop>()) nexthop = i;
  }
  EXPECT_LT(last_mac, group);
  EXPECT_LT(group, nexthop);
  EXPECT_EQ(dp.remote_mac_count(), 0u);
  EXPECT_TRUE(dp.fdb_nexthop_groups().empty());
  EXPECT_TRUE(dp.fdb_nexthops().empty());
  EXPECT_TRUE(svc.mac_views(100).empty());
  // The segment comes back: the MACs (still advertised) are installed again, group first.
  per_evi(kB);
  Output again = per_es(kB);
  EXPECT_EQ(adds<RemoteMac>(again).size(), 2u);
  EXPECT_EQ(dp.remote_mac_count(), 2u);
}

TEST_F(RemoteEsTest, ActivePesLeftButNotTheAdvertiser_MacStaysOnOthers) {
  segment({kA, kB});
  per_evi(kA, 100, false);  // A keeps its per-ES route, stops being an alias for VNI 100
  macip(kA, "02:00:00:00:0a:01");
  // A's MAC route still makes A a next hop (§14.1.2), beside the active B.
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), (std::vector<IpAddress>{ip(kA), ip(kB)}));
  per_es(kA, false);
  ASSERT_NE(installed("02:00:00:00:0a:01"), nullptr);
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kB)});
}

TEST_F(RemoteEsTest, SingleActive_PrimaryOnlyThenBackupSwappedInByOneReplace) {  // §14.1.1
  segment({kA, kB}, true);
  macip(kA, "02:00:00:00:0a:01");
  macip(kA, "02:00:00:00:0a:02");
  const uint32_t nhid = installed("02:00:00:00:0a:01")->nhid;
  EXPECT_EQ(group_vteps(nhid), std::vector<IpAddress>{ip(kA)});
  Output o = per_es(kA, false, true);
  EXPECT_EQ(adds<FdbNexthopGroup>(o).size(), 1u);
  EXPECT_TRUE(adds<RemoteMac>(o).empty());
  EXPECT_TRUE(dels<RemoteMac>(o).empty());
  EXPECT_EQ(group_vteps(nhid), std::vector<IpAddress>{ip(kB)});
  EXPECT_EQ(installed("02:00:00:00:0a:02")->nhid, nhid);
}

TEST_F(RemoteEsTest, SingleActiveSeveralBackups_MacsRemovedToFlood) {  // §14.1.1 MUST flood
  segment({kA, kB, kC}, true);
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
  Output o = per_es(kA, false, true);
  EXPECT_EQ(dels<RemoteMac>(o).size(), 1u);
  EXPECT_EQ(dp.remote_mac_count(), 0u);
  EXPECT_TRUE(dp.fdb_nexthop_groups().empty());
}

TEST_F(RemoteEsTest, OneFlaggedPe_SegmentIsSingleActive) {  // §14.1.1 "at least one PE"
  per_es(kA, true, true);
  per_evi(kA);
  segment({kB});
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_TRUE(svc.remote_es().single_active(*Esi::parse(kEsi)));
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
}

TEST_F(RemoteEsTest, PerEsReadvertisedFromAnotherVtep_GroupFollowsByReplace) {
  segment({kA, kB});
  macip(kA, "02:00:00:00:0a:01");
  const uint32_t nhid = installed("02:00:00:00:0a:01")->nhid;
  // The same per-ES route (RD 10.255.0.3:1) now comes with next hop C (which has a per-EVI).
  per_evi(kC);
  Output o = per_es(kB, true, false, kC);
  EXPECT_TRUE(adds<RemoteMac>(o).empty());
  EXPECT_EQ(group_vteps(nhid), (std::vector<IpAddress>{ip(kA), ip(kC)}));
}

TEST_F(RemoteEsTest, FragmentedPerEs_PeLeavesOnlyWithItsLastFragment) {  // §8.2 set of routes
  segment({kA, kB});
  per_es(kA, true, false, nullptr, 1);
  macip(kA, "02:00:00:00:0a:01");
  const uint32_t nhid = installed("02:00:00:00:0a:01")->nhid;
  EXPECT_TRUE(per_es(kA, false).intents.empty());
  EXPECT_EQ(group_vteps(nhid).size(), 2u);
  per_es(kA, false, false, nullptr, 1);
  EXPECT_EQ(group_vteps(nhid), std::vector<IpAddress>{ip(kB)});
}

TEST_F(RemoteEsTest, PerEviWithForeignLabel_NotImported) {  // RFC 8365 §5.1.3
  segment({kA});
  per_es(kB);
  wire::EthernetAutoDiscovery r{rd("10.255.0.3:100"), *Esi::parse(kEsi), 0, 999};
  apply(svc.on_remote_route(r, ad_attrs({"65000:100"}, std::nullopt), ip(kB), true, t0()));
  macip(kA, "02:00:00:00:0a:01");
  EXPECT_EQ(group_vteps(installed("02:00:00:00:0a:01")->nhid), std::vector<IpAddress>{ip(kA)});
}

TEST_F(RemoteEsTest, Views_ActiveMarksGroupsAndMacNhid) {
  segment({kA});
  per_es(kB);
  macip(kA, "02:00:00:00:0a:01");
  auto views = svc.remote_es_views();
  ASSERT_EQ(views.size(), 1u);
  const RemoteEsView& v = views[0];
  EXPECT_EQ(v.esi, *Esi::parse(kEsi));
  EXPECT_FALSE(v.single_active);
  ASSERT_EQ(v.vteps.size(), 2u);
  EXPECT_EQ(v.vteps[0].vtep, ip(kA));
  EXPECT_EQ(v.vteps[0].active, std::vector<Vni>{100});
  EXPECT_TRUE(v.vteps[1].per_es);
  EXPECT_TRUE(v.vteps[1].active.empty());
  ASSERT_EQ(v.groups.size(), 1u);
  EXPECT_EQ(v.groups[0].vni, 100u);
  EXPECT_EQ(v.groups[0].members, std::vector<IpAddress>{ip(kA)});
  EXPECT_EQ(v.groups[0].macs, 1u);
  auto macs = svc.mac_views(100);
  ASSERT_EQ(macs.size(), 1u);
  EXPECT_EQ(macs[0].nhid, v.groups[0].nhid);
  EXPECT_EQ(macs[0].esi, *Esi::parse(kEsi));
}

// ---- MAC sync ----------------------------------------------------------------------------

class MacSyncTest : public RemoteEsTest {
 protected:
  static api::Config config() {
    api::Config c = lab_config();
    api::EthernetSegmentConfig es;
    es.name = "es1";
    es.esi = *Esi::parse(kEsi);
    es.attachments = {{100, "es1-100"}};
    c.ethernet_segments.push_back(es);
    return c;
  }
  void SetUp() override {}
  void start() { apply(svc2.start()); }
  Output macip2(const char* vtep, const char* m, uint32_t seq, bool add = true, const char* esi = kEsi) {
    RemoteMacIp s{.vtep = vtep, .mac = m, .seq = seq};
    const std::string rdv = std::string(vtep) + ":100";
    s.rd = rdv.c_str();
    wire::MacIpAdvertisement r = type2(s);
    r.esi = *Esi::parse(esi);
    return apply2(svc2.on_remote_route(r, type2_attrs(s), ip(vtep), add, t0()));
  }
  Output apply2(Output o) {
    auto res = dp.apply(o.intents);
    EXPECT_TRUE(res.ok()) << res.errors[0].message;
    return o;
  }
  EvpnService svc2{config()};
};

TEST_F(MacSyncTest, PeerAdvertisesHostOnOurSegment_InstalledOnAttachmentNoAdNeeded) {
  start();
  Output o = macip2(kB, "02:00:00:00:0c:01", 3);
  ASSERT_EQ(adds<SyncedMac>(o).size(), 1u);
  EXPECT_EQ(adds<SyncedMac>(o)[0].port, "es1-100");
  EXPECT_TRUE(adds<RemoteMac>(o).empty());
  EXPECT_TRUE(o.routes.empty());
  EXPECT_EQ(svc2.mac_vrf(100)->counters().moves, 0u);
  auto v = svc2.mac_views(100);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].synced);
  EXPECT_EQ(v[0].port, "es1-100");
  EXPECT_EQ(v[0].remote_vtep, ip(kB));
  // Withdrawn by the peer: removed from the attachment.
  EXPECT_EQ(dels<SyncedMac>(macip2(kB, "02:00:00:00:0c:01", 3, false)).size(), 1u);
  EXPECT_TRUE(dp.synced_macs().empty());
}

TEST_F(MacSyncTest, LocalLearnOnAttachmentAfterSync_NoSequenceBumpNoMove) {  // §15 same ESI
  start();
  macip2(kB, "02:00:00:00:0c:01", 3);
  Output o = svc2.on_local_mac(100, mac("02:00:00:00:0c:01"), "es1-100", false, t0());
  ASSERT_EQ(advertised(o).size(), 1u);
  auto mm = mobility(advertised(o)[0].attrs);
  ASSERT_TRUE(mm.has_value());
  EXPECT_EQ(mm->sequence, 3u);  // the highest received, not 4
  EXPECT_EQ(svc2.mac_vrf(100)->counters().moves, 0u);
  EXPECT_TRUE(dels<SyncedMac>(o).empty());  // the bridge took the entry over: not deleted
}

TEST_F(MacSyncTest, SyncWithoutMobility_LocalLearnAdvertisesWithoutMobility) {  // §15 rule 1
  start();
  macip2(kB, "02:00:00:00:0c:01", 0);
  Output o = svc2.on_local_mac(100, mac("02:00:00:00:0c:01"), "es1-100", false, t0());
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_FALSE(mobility(advertised(o)[0].attrs).has_value());
}

TEST_F(MacSyncTest, LocalFirstThenPeerWithHigherSeq_OursFollowsNoMove) {
  start();
  svc2.on_local_mac(100, mac("02:00:00:00:0c:01"), "es1-100", false, t0());
  Output o = macip2(kB, "02:00:00:00:0c:01", 5);
  EXPECT_TRUE(withdrawn(o).empty());  // not a move away: ours stays
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_EQ(mobility(advertised(o)[0].attrs)->sequence, 5u);
  EXPECT_EQ(svc2.mac_vrf(100)->counters().moves, 0u);
  EXPECT_TRUE(adds<SyncedMac>(o).empty());
  // The local entry ages while the peer still has the host: synced onto the attachment.
  Output aged = svc2.on_local_mac_removed(100, mac("02:00:00:00:0c:01"), t0());
  EXPECT_EQ(adds<SyncedMac>(aged).size(), 1u);
}

TEST_F(MacSyncTest, LearnedOnAnotherPort_IsAMove) {  // §15: a different segment
  start();
  macip2(kB, "02:00:00:00:0c:01", 3);
  Output o = svc2.on_local_mac(100, mac("02:00:00:00:0c:01"), "host-port", false, t0());
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_EQ(mobility(advertised(o)[0].attrs)->sequence, 4u);
  EXPECT_EQ(svc2.mac_vrf(100)->counters().moves, 1u);
}

TEST_F(MacSyncTest, HostMovedAwayWithHigherSeq_RemoteWinsOverSync) {
  start();
  macip2(kB, "02:00:00:00:0c:01", 3);
  Output o = macip2(kC, "02:00:00:00:0c:01", 4, true, "00:00:00:00:00:00:00:00:00:00");
  EXPECT_EQ(dels<SyncedMac>(o).size(), 1u);
  ASSERT_EQ(adds<RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<RemoteMac>(o)[0].vtep, ip(kC));
}

// A peer's MAC+IP on our segment: no host route (the host is on a connected subnet here), but the
// IP as an SVI neighbour. Without it this PE ARPs for the host on its attachment, and the host
// answers on the LAG leg that hashes to the peer PE (which shares the anycast gateway MAC):
// routed traffic to the dual-homed host from this PE's other subnets was lost (evpn-lab demo).
TEST_F(MacSyncTest, SyncMacIp_NoRemoteHostRoute_NeighbourOnTheSvi) {
  start();
  RemoteMacIp s{.vtep = kB, .rd = "10.255.0.3:100", .mac = "02:00:00:00:0c:01", .ip = "192.168.100.50",
                .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:03"};
  wire::MacIpAdvertisement r = type2(s);
  r.esi = *Esi::parse(kEsi);
  Output o = apply2(svc2.on_remote_route(r, type2_attrs(s), ip(kB), true, t0()));
  EXPECT_EQ(adds<SyncedMac>(o).size(), 1u);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  auto n = adds<dataplane::RemoteNeighbour>(o);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].ip, ip("192.168.100.50"));
  EXPECT_EQ(n[0].mac, *Mac::parse("02:00:00:00:0c:01"));
  // The peer withdraws it: the neighbour goes with the synced MAC.
  o = apply2(svc2.on_remote_route(r, type2_attrs(s), ip(kB), false, t0()));
  EXPECT_EQ(dels<dataplane::RemoteNeighbour>(o).size(), 1u);
  EXPECT_EQ(dels<SyncedMac>(o).size(), 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

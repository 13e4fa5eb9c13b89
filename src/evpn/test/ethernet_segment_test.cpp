// Local Ethernet segments through EvpnService (ethernet_segment.hpp): the RFC 8584 §2.1 DF state
// machine on a hand-driven clock, the routes a segment originates (types 4 and 1), its
// EsAttachment intents, AC-DF (RFC 8584 §4), single-active (RFC 7432 §14.1.1), the ESI on
// type-2 routes of MACs learnt on an attachment (RFC 7432 §7.2) and reloads of segments.
#include "dataplane/fake/fake_dataplane.hpp"
#include "evpn/es_route_builder.hpp"
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kEsi = "03:44:38:39:ff:ff:01:00:00:01";
constexpr const char* kPeer = "10.255.0.2";

api::EthernetSegmentConfig es1() {
  api::EthernetSegmentConfig e;
  e.name = "es1";
  e.esi = *Esi::parse(kEsi);
  e.attachments = {{100, "es1-100"}, {200, "es1-200"}};
  return e;
}

api::Config es_config(api::EthernetSegmentConfig e = es1()) {
  api::Config c = lab_config();
  c.ethernet_segments.push_back(std::move(e));
  return c;
}

dataplane::LinkChanged link(const char* name, bool up) {
  dataplane::LinkChanged l;
  l.netns = "tenant1";  // the lab's L2VNIs live in VRF tenant1's namespace
  l.name = name;
  l.up = up;
  return l;
}

wire::PathAttributes peer_es_attrs(DfParams df, const char* es_import = "44:38:39:ff:ff:01") {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  a.ext_communities.push_back(wire::ExtCommunity::es_import(mac(es_import)));
  a.ext_communities.push_back(df_election_ec(df));
  return a;
}

DfParams pref(uint16_t p, bool ac_df = true) {
  DfParams d;
  d.algorithm = DfAlgorithm::kPreferenceHighest;
  d.raw_algorithm = 2;
  d.ac_df = ac_df;
  d.preference = p;
  return d;
}

std::optional<dataplane::EsAttachment> attachment(const Output& o, Vni vni) {
  std::optional<dataplane::EsAttachment> r;
  for (const auto& a : adds<dataplane::EsAttachment>(o))
    if (a.vni == vni) r = a;
  return r;
}

template <class T>
std::vector<T> routes_typed(const std::vector<RouteUpdate>& rs) {
  std::vector<T> out;
  for (const auto& r : rs)
    if (const T* t = std::get_if<T>(&r.route)) out.push_back(*t);
  return out;
}

class EsTest : public ::testing::Test {
 protected:
  explicit EsTest(api::Config c = es_config()) : svc(std::move(c)) {}
  void SetUp() override { svc.start(t0()); }
  Output up(const char* port, bool is_up, Time t) { return svc.on_dataplane_event(link(port, is_up), t); }
  Output peer_es(DfParams df, bool add = true, Time t = t0(), const char* vtep = kPeer,
                 const char* es_import = "44:38:39:ff:ff:01") {
    const wire::EthernetSegment r{rd((std::string(vtep) + ":9").c_str()), *Esi::parse(kEsi), ip(vtep)};
    return svc.on_remote_route(r, add ? peer_es_attrs(df, es_import) : wire::PathAttributes{}, ip(vtep), add, t);
  }
  Output peer_evi(Vni vni, bool add = true, Time t = t0(), const char* vtep = kPeer) {
    const std::string rdv = std::string(vtep) + ":" + std::to_string(vni == 100 ? 3 : 4);
    const wire::EthernetAutoDiscovery r{rd(rdv.c_str()), *Esi::parse(kEsi), 0, vni};
    wire::PathAttributes a;
    a.origin = wire::Origin::kIgp;
    a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
    a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(vni == 100 ? "65000:100" : "65000:200")));
    return svc.on_remote_route(r, add ? a : wire::PathAttributes{}, ip(vtep), add, t);
  }
  // Both attachments up at t0, DF Wait over at t0 + 3 s.
  void bring_up() {
    up("es1-100", true, t0());
    up("es1-200", true, t0());
    svc.on_timer(t0() + 3s);
  }
  EvpnService svc;
};

TEST_F(EsTest, AttachmentUp_AdvertisesType4AndAdRoutes_DfOnlyAfterExactlyTheWait) {
  Output o = up("es1-100", true, t0());
  const auto adv = advertised(o);
  ASSERT_EQ(routes_typed<wire::EthernetSegment>(adv).size(), 1u);
  EXPECT_EQ(wire::route_type(adv.front().route), 4);  // the ES route first (RFC 7432 §8.5)
  const auto ads = routes_typed<wire::EthernetAutoDiscovery>(adv);
  ASSERT_EQ(ads.size(), 2u);  // A-D per ES + A-D per EVI of VNI 100 (200 is still down)
  // RFC 8584 §2.1: non-DF while the DF Wait timer runs, even alone on the segment (the filter
  // was programmed non-DF at start and stays so).
  EXPECT_FALSE(attachment(o, 100));
  EXPECT_TRUE(svc.es_evi_views().at(0).non_df);
  EXPECT_EQ(svc.next_deadline(), t0() + 3s);
  Output early = svc.on_timer(t0() + 3s - 1ms);
  EXPECT_TRUE(early.intents.empty());
  EXPECT_TRUE(early.routes.empty());
  Output at = svc.on_timer(t0() + 3s);
  ASSERT_TRUE(attachment(at, 100));
  EXPECT_FALSE(attachment(at, 100)->non_df);
  EXPECT_FALSE(attachment(at, 100)->blocked);
  EXPECT_TRUE(at.routes.empty());
  EXPECT_FALSE(svc.next_deadline());
  EXPECT_EQ(svc.es_views(t0() + 3s).at(0).state, "up");
}

TEST_F(EsTest, Type4_CarriesEsImportAndDfElectionWithPreference) {
  Output o = up("es1-100", true, t0());
  const auto adv = advertised(o);
  const auto& t4 = std::get<wire::EthernetSegment>(adv.front().route);
  EXPECT_EQ(t4.esi.to_string(), kEsi);
  EXPECT_EQ(t4.originator, ip("10.255.0.1"));
  EXPECT_EQ(t4.rd.to_string(), "10.255.0.1:5");  // after VRF tenant1 (:2), VNIs 100 (:3), 200 (:4)
  EXPECT_EQ(adv.front().next_hop, ip("10.255.0.1"));
  // encap VXLAN, ES-Import RT 44:38:39:ff:ff:01 (RFC 7432 §7.6), DF Election alg 2 with AC-DF
  // (0x4000) and preference 32767 (RFC 8584 §2.2, RFC 9785 §3). No EVI RT.
  EXPECT_EQ(hex_of(adv.front().attrs), "030c000000000008" "0602443839ffff01" "0606024000007fff");
}

TEST_F(EsTest, AdRoutes_PerEsMaxEtEsiLabelAllEviRts_PerEviEviRdAndVni) {
  Output o = up("es1-100", true, t0());
  const auto adv = advertised(o);
  const wire::EthernetAutoDiscovery* per_es = nullptr;
  const wire::PathAttributes* per_es_attrs = nullptr;
  const wire::EthernetAutoDiscovery* per_evi = nullptr;
  const wire::PathAttributes* per_evi_attrs = nullptr;
  for (const auto& r : adv) {
    if (const auto* ad = std::get_if<wire::EthernetAutoDiscovery>(&r.route)) {
      if (ad->ethernet_tag == 0xFFFFFFFF) per_es = ad, per_es_attrs = &r.attrs;
      else per_evi = ad, per_evi_attrs = &r.attrs;
    }
  }
  ASSERT_TRUE(per_es && per_evi);
  EXPECT_EQ(per_es->label, 0u);
  EXPECT_EQ(per_es->rd.to_string(), "10.255.0.1:5");
  // RTs of every EVI of the segment (VNI 200's too: its attachment exists), ESI label 0,
  // all-active (no single-active flag).
  EXPECT_EQ(hex_of(*per_es_attrs), "030c000000000008" "0002fde800000064" "0002fde8000000c8" "0601000000000000");
  EXPECT_EQ(per_evi->ethernet_tag, 0u);
  EXPECT_EQ(per_evi->label, 100u);
  EXPECT_EQ(per_evi->rd.to_string(), "10.255.0.1:3");  // VNI 100's RD
  EXPECT_EQ(hex_of(*per_evi_attrs), "030c000000000008" "0002fde800000064");
}

TEST_F(EsTest, PeerType4DuringWait_RecordedWithoutRestartingTheTimer) {
  up("es1-100", true, t0());
  Output o = peer_es(pref(40000), true, t0() + 1s);
  EXPECT_EQ(svc.next_deadline(), t0() + 3s);  // VES_ARRIVAL in DF_WAIT: no restart
  ASSERT_TRUE(attachment(o, 100));             // the peer joins the split-horizon list at once
  EXPECT_EQ(attachment(o, 100)->peer_vteps, std::vector<IpAddress>{ip(kPeer)});
  EXPECT_TRUE(attachment(o, 100)->non_df);
  peer_evi(100, true, t0() + 1s);
  Output at = svc.on_timer(t0() + 3s);
  // The peer's preference 40000 beats our 32767: it is the DF; we stay non-DF.
  EXPECT_FALSE(attachment(at, 100));  // nothing changed for VNI 100's intent
  const auto evis = svc.es_evi_views();
  ASSERT_EQ(evis.size(), 2u);
  EXPECT_EQ(evis[0].df, ip(kPeer));
  EXPECT_FALSE(evis[0].is_df);
}

TEST_F(EsTest, PeerType4ArrivalAndWithdrawalAfterWait_RecalculatedAtOnce) {
  bring_up();
  ASSERT_TRUE(svc.es_evi_views()[0].is_df);
  // VES_ARRIVAL in DF_DONE: DF_CALC without a new wait. With AC-DF the peer is a candidate for
  // a VNI once its per-EVI route is there too.
  Output arrive = peer_es(pref(40000), true, t0() + 10s);
  EXPECT_EQ(attachment(arrive, 100)->peer_vteps, std::vector<IpAddress>{ip(kPeer)});
  EXPECT_FALSE(attachment(arrive, 100)->non_df);
  Output evi100 = peer_evi(100, true, t0() + 10s);
  Output evi200 = peer_evi(200, true, t0() + 10s);
  ASSERT_TRUE(attachment(evi100, 100));
  EXPECT_TRUE(attachment(evi100, 100)->non_df);
  EXPECT_TRUE(attachment(evi200, 200)->non_df);
  EXPECT_FALSE(svc.next_deadline());
  Output leave = peer_es(pref(40000), false, t0() + 20s);
  ASSERT_TRUE(attachment(leave, 100));
  EXPECT_FALSE(attachment(leave, 100)->non_df);
  EXPECT_TRUE(attachment(leave, 100)->peer_vteps.empty());
  EXPECT_EQ(svc.es_views(t0() + 20s).at(0).df_changes, 6u);  // DF, non-DF, DF again on 2 VNIs
}

TEST_F(EsTest, PeerType4WithAnotherEsImport_Ignored) {
  bring_up();
  Output o = peer_es(pref(40000), true, t0() + 10s, kPeer, "02:00:00:00:00:99");
  EXPECT_TRUE(o.intents.empty());
  EXPECT_TRUE(svc.es_evi_views()[0].is_df);
}

TEST_F(EsTest, OwnType4ReflectedBack_Ignored) {
  bring_up();
  Output o = peer_es(pref(40000), true, t0() + 10s, "10.255.0.1");
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.es_views(t0()).at(0).vteps.size(), 1u);
}

TEST_F(EsTest, PreferenceChangeByReload_Type4ReadvertisedNoWithdrawal_DfMoves) {
  bring_up();
  peer_es(pref(40000), true, t0() + 10s);
  peer_evi(100, true, t0() + 10s);
  peer_evi(200, true, t0() + 10s);
  ASSERT_FALSE(svc.es_evi_views()[0].is_df);
  api::EthernetSegmentConfig c = es1();
  c.df_preference = 50000;
  Output o = svc.reconfigure_segments({c}, {}, t0() + 20s);
  EXPECT_TRUE(withdrawn(o).empty());  // no flap
  const auto adv = advertised(o);
  ASSERT_EQ(adv.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::EthernetSegment>(adv[0].route));
  EXPECT_EQ(df_params_of(adv[0].attrs).preference, 50000);
  ASSERT_TRUE(attachment(o, 100));
  EXPECT_FALSE(attachment(o, 100)->non_df);  // 50000 beats the peer's 40000, at once
}

TEST_F(EsTest, AcDf_LocalAttachmentDown_PerEviWithdrawnAndDfMovesForThatVniOnly) {
  bring_up();
  peer_es(pref(100), true, t0() + 10s);  // lower preference: we are DF for both VNIs
  peer_evi(100, true, t0() + 10s);
  peer_evi(200, true, t0() + 10s);
  ASSERT_TRUE(svc.es_evi_views()[1].is_df);
  Output o = up("es1-200", false, t0() + 20s);
  const auto w = routes_typed<wire::EthernetAutoDiscovery>(withdrawn(o));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].label, 200u);  // the per-EVI route of VNI 200 only (RFC 8584 §4)
  EXPECT_TRUE(attachment(o, 200)->non_df);
  EXPECT_FALSE(attachment(o, 100));  // VNI 100 unchanged
  const auto evis = svc.es_evi_views();
  EXPECT_EQ(evis[1].df, ip(kPeer));
  EXPECT_TRUE(evis[0].is_df);
}

TEST_F(EsTest, AcDf_PeerPerEviWithdrawn_WeBecomeDfForThatVni) {
  bring_up();
  peer_es(pref(40000), true, t0() + 10s);
  peer_evi(100, true, t0() + 10s);
  peer_evi(200, true, t0() + 10s);
  ASSERT_FALSE(svc.es_evi_views()[1].is_df);
  Output o = peer_evi(200, false, t0() + 20s);
  ASSERT_TRUE(attachment(o, 200));
  EXPECT_FALSE(attachment(o, 200)->non_df);
  EXPECT_FALSE(svc.es_evi_views()[0].is_df);
}

TEST_F(EsTest, AllAttachmentsDown_EveryRouteWithdrawn_UpAgainWaitsAgain) {
  bring_up();
  up("es1-100", false, t0() + 10s);
  Output o = up("es1-200", false, t0() + 11s);
  EXPECT_EQ(routes_typed<wire::EthernetSegment>(withdrawn(o)).size(), 1u);
  EXPECT_EQ(routes_typed<wire::EthernetAutoDiscovery>(withdrawn(o)).size(), 2u);  // per ES + per EVI 200
  EXPECT_EQ(svc.es_views(t0() + 11s).at(0).state, "down");
  Output back = up("es1-100", true, t0() + 20s);
  EXPECT_EQ(routes_typed<wire::EthernetSegment>(advertised(back)).size(), 1u);
  EXPECT_EQ(svc.next_deadline(), t0() + 23s);
}

TEST_F(EsTest, LinkOfANamesakeInAnotherNamespace_Ignored) {
  dataplane::LinkChanged l = link("es1-100", true);
  l.netns = "";
  EXPECT_TRUE(svc.on_dataplane_event(l, t0()).empty());
}

TEST_F(EsTest, LocalMacOnAttachment_Type2CarriesTheEsi_OtherPortsEsiZero) {
  Output o = svc.on_local_mac(100, mac("02:00:00:00:0a:01"), "es1-100", false, t0());
  const auto t2 = routes_typed<wire::MacIpAdvertisement>(advertised(o));
  ASSERT_EQ(t2.size(), 1u);
  EXPECT_EQ(t2[0].esi.to_string(), kEsi);
  Output other = svc.on_local_mac(100, mac("02:00:00:00:0a:02"), "h1", false, t0());
  ASSERT_EQ(routes_typed<wire::MacIpAdvertisement>(advertised(other)).size(), 1u);
  EXPECT_TRUE(routes_typed<wire::MacIpAdvertisement>(advertised(other))[0].esi.is_zero());
  // A move from the ES port to a single-homed port re-advertises without the ESI.
  Output moved = svc.on_local_mac(100, mac("02:00:00:00:0a:01"), "h1", false, t0());
  ASSERT_EQ(routes_typed<wire::MacIpAdvertisement>(advertised(moved)).size(), 1u);
  EXPECT_TRUE(routes_typed<wire::MacIpAdvertisement>(advertised(moved))[0].esi.is_zero());
}

TEST_F(EsTest, RemovedByReload_WithdrawsAndDeletesIntents) {
  bring_up();
  Output o = svc.reconfigure_segments({}, {}, t0() + 10s);
  EXPECT_EQ(withdrawn(o).size(), 4u);  // type 4, per ES, 2 x per EVI
  EXPECT_EQ(dels<dataplane::EsAttachment>(o).size(), 2u);
  EXPECT_TRUE(svc.es_views(t0()).empty());
}

// Applied to the FakeDataplane (which refuses an attachment naming a missing group, like the
// kernel would refuse the backup nexthop): the intents of every step apply cleanly, in order.
TEST_F(EsTest, FastFailover_BackupGroupOfPeerPesFollowsTheirType4s_AppliedInOrder) {
  dataplane::FakeDataplane dp;
  auto apply = [&](const Output& o) {
    auto r = dp.apply(o.intents);
    for (const auto& e : r.errors) ADD_FAILURE() << e.message;
  };
  EvpnService fresh{es_config()};
  apply(fresh.start(t0()));
  ASSERT_EQ(dp.es_attachments().size(), 2u);
  EXPECT_EQ(dp.es_attachments().begin()->second.backup_nhid, 0u);  // no peer yet
  apply(fresh.on_dataplane_event(link("es1-100", true), t0()));
  apply(fresh.on_timer(t0() + 3s));
  const wire::EthernetSegment r{rd("10.255.0.2:9"), *Esi::parse(kEsi), ip(kPeer)};
  Output o = fresh.on_remote_route(r, peer_es_attrs(pref(100)), ip(kPeer), true, t0() + 5s);
  apply(o);
  ASSERT_EQ(dp.fdb_nexthop_groups().size(), 1u);
  const auto& [gid, group] = *dp.fdb_nexthop_groups().begin();
  ASSERT_EQ(group.members.size(), 1u);
  EXPECT_EQ(dp.fdb_nexthops().at(group.members[0]).vtep, ip(kPeer));
  for (const auto& [k, a] : dp.es_attachments()) {
    EXPECT_EQ(a.backup_nhid, gid);
    EXPECT_EQ(a.peer_vteps, std::vector<IpAddress>{ip(kPeer)});
  }
  EXPECT_EQ(fresh.es_views(t0() + 5s).at(0).backup_nhid, gid);
  // The peer leaves: the attachments drop the group, then it goes with its nexthop.
  Output gone = fresh.on_remote_route(r, {}, ip(kPeer), false, t0() + 6s);
  size_t att = gone.intents.size(), grp = gone.intents.size();
  for (size_t i = 0; i < gone.intents.size(); ++i) {
    if (gone.intents[i].get<dataplane::EsAttachment>() && att == gone.intents.size()) att = i;
    if (gone.intents[i].get<dataplane::FdbNexthopGroup>()) grp = i;
  }
  EXPECT_LT(att, grp);
  apply(gone);
  EXPECT_TRUE(dp.fdb_nexthop_groups().empty());
  EXPECT_TRUE(dp.fdb_nexthops().empty());
  for (const auto& [k, a] : dp.es_attachments()) EXPECT_EQ(a.backup_nhid, 0u);
}

TEST_F(EsTest, FastFailoverOff_NoBackupGroup) {
  api::EthernetSegmentConfig c = es1();
  c.fast_failover = false;
  EvpnService fresh{es_config(c)};
  fresh.start(t0());
  const wire::EthernetSegment r{rd("10.255.0.2:9"), *Esi::parse(kEsi), ip(kPeer)};
  Output o = fresh.on_remote_route(r, peer_es_attrs(pref(100)), ip(kPeer), true, t0() + 5s);
  EXPECT_TRUE(adds<dataplane::FdbNexthopGroup>(o).empty());
  for (const auto& a : adds<dataplane::EsAttachment>(o)) EXPECT_EQ(a.backup_nhid, 0u);
}

class EsSingleActiveTest : public EsTest {
 protected:
  static api::Config config() {
    api::EthernetSegmentConfig e = es1();
    e.single_active = true;
    return es_config(e);
  }
  EsSingleActiveTest() : EsTest(config()) {}
};

TEST_F(EsSingleActiveTest, NonDf_BlockedAndEsiLabelSingleActiveFlag) {
  Output o = up("es1-100", true, t0());
  EXPECT_TRUE(svc.es_evi_views().at(0).blocked);  // waiting: non-DF, single-active blocks
  bool flagged = false;
  for (const auto& r : advertised(o))
    for (const auto& ec : r.attrs.ext_communities)
      if (auto l = ec.as_esi_label()) flagged = l->single_active;
  EXPECT_TRUE(flagged);
  Output df = svc.on_timer(t0() + 3s);
  EXPECT_FALSE(attachment(df, 100)->blocked);
  peer_es(pref(40000), true, t0() + 10s);
  Output lost = peer_evi(100, true, t0() + 10s);
  EXPECT_TRUE(attachment(lost, 100)->blocked);
  EXPECT_TRUE(attachment(lost, 100)->non_df);
}

class EsStartupDelayTest : public EsTest {
 protected:
  static api::Config config() {
    api::Config c = es_config();
    c.es_timers.startup_delay_ms = 5000;
    return c;
  }
  EsStartupDelayTest() : EsTest(config()) {}
};

TEST_F(EsStartupDelayTest, AttachmentUpDuringDelay_NothingUntilItEnds) {
  Output o = up("es1-100", true, t0() + 1s);
  EXPECT_TRUE(o.routes.empty());
  EXPECT_EQ(svc.es_views(t0() + 1s).at(0).state, "startup-delay");
  EXPECT_EQ(svc.next_deadline(), t0() + 5s);
  Output later = svc.on_timer(t0() + 5s);
  EXPECT_EQ(routes_typed<wire::EthernetSegment>(advertised(later)).size(), 1u);
  EXPECT_EQ(svc.next_deadline(), t0() + 8s);  // then the DF Wait timer
}

class EsFragmentTest : public EsTest {
 protected:
  static api::Config config() {
    api::Config c = lab_config();
    api::EthernetSegmentConfig e = es1();
    e.attachments.clear();
    for (Vni v = 1000; v < 1130; ++v) {
      api::L2VniConfig l;
      l.vni = v;
      c.l2vnis.push_back(l);
      e.attachments[v] = "p" + std::to_string(v);
    }
    c.ethernet_segments.push_back(e);
    return c;
  }
  EsFragmentTest() : EsTest(config()) {}
};

TEST_F(EsFragmentTest, MoreThan128Evis_PerEsRouteFragmentedOverDistinctRds) {
  dataplane::LinkChanged l = link("p1000", true);
  l.netns = "";  // VNIs outside a VRF live in evpnd's own namespace
  Output o = svc.on_dataplane_event(l, t0());
  std::vector<std::pair<Rd, size_t>> frags;
  for (const auto& r : advertised(o)) {
    const auto* ad = std::get_if<wire::EthernetAutoDiscovery>(&r.route);
    if (!ad || ad->ethernet_tag != 0xFFFFFFFF) continue;
    size_t rts = 0;
    for (const auto& ec : r.attrs.ext_communities) rts += ec.as_route_target().has_value();
    frags.push_back({ad->rd, rts});
  }
  ASSERT_EQ(frags.size(), 2u);
  EXPECT_NE(frags[0].first, frags[1].first);
  EXPECT_EQ(frags[0].second + frags[1].second, 130u);
  EXPECT_TRUE((frags[0].second == 128 && frags[1].second == 2) || (frags[0].second == 2 && frags[1].second == 128));
}

}  // namespace
}  // namespace evpnd::evpn::test

// MAC mobility (RFC 7432 §15): sequence numbers, tie-break, sticky MACs, gateway MACs.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kHost = "02:00:00:00:01:10";

class MobilityTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output remote(uint32_t seq, const char* vtep = "10.255.0.2", bool sticky = false, const char* m = kHost) {
    RemoteMacIp s{.vtep = vtep, .rd = "10.255.0.2:3", .mac = m, .seq = seq, .sticky = sticky};
    if (std::string(vtep) != "10.255.0.2") s.rd = "10.0.0.9:3";
    return svc.on_remote_route(type2(s), type2_attrs(s), ip(vtep), true, now);
  }
  Output local(bool is_static = false, const char* m = kHost) {
    return svc.on_local_mac(100, mac(m), "rl1-h1", is_static, now);
  }
  static std::optional<uint32_t> adv_seq(const Output& o) {
    auto a = advertised(o);
    if (a.empty()) return std::nullopt;
    auto mm = mobility(a[0].attrs);
    return mm ? mm->sequence : 0;
  }
  EvpnService svc{lab_config()};
  Time now = t0();
};

TEST_F(MobilityTest, LocalRemoteLocal_SequenceIncrements) {
  EXPECT_EQ(adv_seq(local()), 0u);  // first learn: seq 0, no MAC Mobility community
  // The host moves to leaf2, which advertises seq 1: we withdraw and install the remote.
  Output away = remote(1);
  EXPECT_EQ(withdrawn(away).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(away).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(away)[0].vtep, ip("10.255.0.2"));
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kRemote);
  // Back here: advertise seq 2 and remove the remote entry first.
  Output back = local();
  EXPECT_EQ(adv_seq(back), 2u);
  EXPECT_EQ(dels<dataplane::RemoteMac>(back).size(), 1u);
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kLocal);
  EXPECT_EQ(svc.mac_views(100).at(0).local_seq, 2u);
  // leaf2's stale seq-1 route does not beat our seq 2.
  EXPECT_TRUE(remote(1).routes.empty());
  // It moves again (seq 3) and back (seq 4).
  EXPECT_EQ(withdrawn(remote(3)).size(), 1u);
  EXPECT_EQ(adv_seq(local()), 4u);
}

TEST_F(MobilityTest, EqualSeqRemoteHigherVtepIp_LocalKept) {
  local();
  Output o = remote(0, "10.255.0.2");  // 10.255.0.2 > our 10.255.0.1: we win (§15.1)
  EXPECT_TRUE(o.routes.empty());
  EXPECT_TRUE(adds<dataplane::RemoteMac>(o).empty());
}

TEST_F(MobilityTest, EqualSeqRemoteLowerVtepIp_RemoteWins) {
  local();
  Output o = remote(0, "10.0.0.9");  // lower IP than ours wins the tie (§15.1)
  EXPECT_EQ(withdrawn(o).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.0.0.9"));
}

TEST_F(MobilityTest, TwoRemotesEqualSeq_LowerVtepInstalled) {
  remote(4, "10.255.0.2");
  Output o = remote(4, "10.0.0.9");
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.0.0.9"));
}

TEST_F(MobilityTest, StaticLocalMac_NeverMovesAlarmOnRemote) {
  local(true);
  Output o = remote(7);
  EXPECT_TRUE(o.routes.empty());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kStickyConflict), 1u);
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kLocal);
  EXPECT_TRUE(svc.mac_views(100).at(0).sticky);
}

TEST_F(MobilityTest, StickyRemoteMac_LocalLearnDoesNotTakeOver) {
  Output in = remote(0, "10.255.0.2", true);
  ASSERT_EQ(adds<dataplane::RemoteMac>(in).size(), 1u);
  EXPECT_TRUE(adds<dataplane::RemoteMac>(in)[0].sticky);
  Output o = local();
  EXPECT_TRUE(o.routes.empty());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kStickyConflict), 1u);
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kRemote);
}

TEST_F(MobilityTest, StickyRemoteBeatsDynamicLocal) {
  local();
  Output o = remote(0, "10.255.0.2", true);  // seq 0 but static: ours must go
  EXPECT_EQ(withdrawn(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
}

TEST_F(MobilityTest, AnycastGatewayMac_NeverAdvertisedNorInstalled) {
  EXPECT_TRUE(local(false, "02:00:5e:00:01:01").empty());
  Output r = remote(3, "10.255.0.2", false, "02:00:5e:00:01:01");
  EXPECT_TRUE(r.intents.empty());
  EXPECT_EQ(count_notices(r, NoticeKind::kGatewayMacIgnored), 1u);
  EXPECT_TRUE(svc.on_local_neigh(100, ip("192.168.100.1"), mac("02:00:5e:00:01:01"), now).routes.empty());
  EXPECT_TRUE(svc.mac_views().empty());
  EXPECT_EQ(svc.vni_views().at(0).counters.gateway_mac_ignored, 2u);
}

TEST_F(MobilityTest, RouterMac_NotAHost) {
  EXPECT_TRUE(local(false, "02:00:0a:ff:00:01").empty());
}

TEST_F(MobilityTest, MoveCarriesIps_MacIpWithdrawnAndReadvertisedWithSeq) {
  local();
  svc.on_local_neigh(100, ip("192.168.100.10"), mac(kHost), now);
  Output away = remote(1);
  EXPECT_EQ(withdrawn(away).size(), 2u);  // MAC and MAC+IP
  Output back = local();
  ASSERT_EQ(advertised(back).size(), 2u);
  for (const auto& r : advertised(back)) EXPECT_EQ(mobility(r.attrs)->sequence, 2u);
}

TEST_F(MobilityTest, HostMovedAway_StaleLocalNeighbourYieldsToRemoteHostRoute) {
  // The kernel keeps the moved host's neighbour (STALE/PROBE) after the MAC went to leaf2; the
  // remote MAC+IP (seq 1) must install the remote neighbour and the /32 host route anyway.
  local();
  svc.on_local_neigh(100, ip("192.168.100.10"), mac(kHost), now);
  RemoteMacIp s{.mac = kHost, .ip = "192.168.100.10", .rts = {"65000:100", "65000:5000"},
                .rmac = "02:00:0a:ff:00:02", .seq = 1};
  Output o = svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, now);
  EXPECT_EQ(withdrawn(o).size(), 2u);
  ASSERT_EQ(adds<dataplane::RemoteNeighbour>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteNeighbour>(o)[0].ip, ip("192.168.100.10"));
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].prefix, pfx("192.168.100.10/32"));
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].nexthops, std::vector<IpAddress>{ip("10.255.0.2")});
  // Back here (MAC re-learned): the host route goes, the IP is local again.
  Output back = local();
  EXPECT_EQ(dels<dataplane::VrfRoute>(back).size(), 1u);
}

TEST_F(MobilityTest, LocalAgedWithLosingRemote_RemoteInstalled) {
  local();
  remote(0, "10.255.0.2");  // loses the tie: kept, not installed
  Output o = svc.on_local_mac_removed(100, mac(kHost), now);
  EXPECT_EQ(withdrawn(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
}

// RFC 7432 §15: sequence numbers wrap; 0 follows 0xFFFFFFFF and is newer (RFC 1982 order).
TEST_F(MobilityTest, SequenceWrap_LocalLearnAfterMaxAdvertisesZeroAndWins) {
  remote(0xFFFFFFFFu);
  Output back = local();
  EXPECT_EQ(adv_seq(back), 0u);  // 0xFFFFFFFF + 1
  EXPECT_EQ(dels<dataplane::RemoteMac>(back).size(), 1u);
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kLocal);
  // leaf2 re-advertising its (older) 0xFFFFFFFF route does not take the MAC back ...
  Output stale = remote(0xFFFFFFFFu);
  EXPECT_TRUE(stale.routes.empty());
  EXPECT_TRUE(adds<dataplane::RemoteMac>(stale).empty());
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kLocal);
  // ... a real move after the wrap (seq 1) does.
  EXPECT_EQ(withdrawn(remote(1)).size(), 1u);
  EXPECT_EQ(svc.mac_views(100).at(0).origin, EntryOrigin::kRemote);
}

TEST_F(MobilityTest, SequenceWrap_RemoteZeroBeatsLocalAtMax) {
  remote(0xFFFFFFFEu);
  EXPECT_EQ(adv_seq(local()), 0xFFFFFFFFu);
  Output o = remote(0, "10.0.0.9");  // moved on after the wrap
  EXPECT_EQ(withdrawn(o).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.0.0.9"));
}

TEST_F(MobilityTest, SequenceWrap_RemoteRemoteAndHostRouteFollowNewerSeq) {
  RemoteMacIp a{.vtep = "10.0.0.9", .rd = "10.0.0.9:3", .mac = kHost, .ip = "192.168.100.10",
                .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:00:00:09", .seq = 0xFFFFFFFFu};
  svc.on_remote_route(type2(a), type2_attrs(a), ip(a.vtep), true, now);
  RemoteMacIp b = a;
  b.vtep = "10.255.0.2";
  b.rd = "10.255.0.2:3";
  b.rmac = "02:00:0a:ff:00:02";
  b.seq = 0;  // the host moved to leaf2 after the wrap
  Output o = svc.on_remote_route(type2(b), type2_attrs(b), ip(b.vtep), true, now);
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.255.0.2"));
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].nexthops, std::vector<IpAddress>{ip("10.255.0.2")});
}

}  // namespace
}  // namespace evpnd::evpn::test

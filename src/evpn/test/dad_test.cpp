// Duplicate address detection (RFC 7432 §15.1; FRR defaults 5 moves in 180 s), freeze, clear.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kHost = "02:00:00:00:01:10";

class DadTest : public ::testing::Test {
 protected:
  void make(bool freeze, uint32_t freeze_s = 0) {
    auto c = lab_config();
    c.dad.freeze = freeze;
    c.dad.freeze_seconds = freeze_s;
    svc = std::make_unique<EvpnService>(c);
    svc->start();
    svc->on_local_mac(100, mac(kHost), "p1", false, base);  // not a move: first learn
  }
  // One move away (leaf2 advertises the next seq) at `at`.
  Output away(Time at) {
    RemoteMacIp s{.mac = kHost, .seq = ++seq};
    return svc->on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, at);
  }
  // One move back (local re-learn) at `at`.
  Output back(Time at) {
    Output o = svc->on_local_mac(100, mac(kHost), "p1", false, at);
    ++seq;
    return o;
  }
  std::unique_ptr<EvpnService> svc;
  Time base = t0();
  uint32_t seq = 0;
};

TEST_F(DadTest, FifthMoveWithin180s_Detected) {
  make(false);
  EXPECT_EQ(count_notices(away(base), NoticeKind::kDuplicateDetected), 0u);
  back(base + 45s);
  away(base + 90s);
  EXPECT_EQ(count_notices(back(base + 135s), NoticeKind::kDuplicateDetected), 0u);
  Output fifth = away(base + 180s);
  EXPECT_EQ(count_notices(fifth, NoticeKind::kDuplicateDetected), 1u);
  // Warn only (no freeze): the move still happens.
  EXPECT_EQ(withdrawn(fifth).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(fifth).size(), 1u);
  auto d = svc->dup_views();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].duplicate);
  EXPECT_EQ(d[0].moves, 5u);
  EXPECT_EQ(d[0].detected_at, base + 180s);
  EXPECT_FALSE(d[0].frozen);
  EXPECT_TRUE(svc->mac_views(100).at(0).duplicate);
  EXPECT_EQ(svc->vni_views().at(0).counters.duplicates_detected, 1u);
}

TEST_F(DadTest, FiveMovesOver181s_NotDetected) {
  make(false);
  away(base);
  back(base + 45s);
  away(base + 90s);
  back(base + 135s);
  Output fifth = away(base + 181s);  // the window opened at t=0 ran out at 180 s: new window
  EXPECT_EQ(count_notices(fifth, NoticeKind::kDuplicateDetected), 0u);
  auto d = svc->dup_views();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].duplicate);
  EXPECT_EQ(d[0].moves, 1u);
  EXPECT_EQ(d[0].total_moves, 5u);
}

TEST_F(DadTest, Freeze_HoldsStateUntilTimerThenApplies) {
  make(true, 30);
  away(base);
  back(base + 1s);
  away(base + 2s);
  back(base + 3s);  // local, seq 4
  Output fifth = away(base + 4s);  // remote seq 5 would win: detected and frozen instead
  EXPECT_EQ(count_notices(fifth, NoticeKind::kDuplicateDetected), 1u);
  EXPECT_TRUE(fifth.routes.empty());   // still advertising ours
  EXPECT_TRUE(fifth.intents.empty());  // remote not installed
  EXPECT_TRUE(svc->dup_views().at(0).frozen);
  EXPECT_EQ(svc->next_deadline(), base + 34s);
  // Further events for the frozen MAC change nothing outside.
  EXPECT_TRUE(back(base + 5s).routes.empty());
  EXPECT_TRUE(away(base + 6s).intents.empty());
  EXPECT_TRUE(svc->on_timer(base + 33s).empty());
  // Freeze over: the current decision (remote seq 7 wins) is applied.
  Output thaw = svc->on_timer(base + 34s);
  EXPECT_EQ(count_notices(thaw, NoticeKind::kFreezeExpired), 1u);
  EXPECT_EQ(withdrawn(thaw).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(thaw).size(), 1u);
  EXPECT_FALSE(svc->next_deadline());
  EXPECT_TRUE(svc->dup_views().empty());
}

TEST_F(DadTest, PermanentFreeze_OnlyClearReleases) {
  make(true, 0);
  away(base);
  back(base + 1s);
  away(base + 2s);
  back(base + 3s);
  away(base + 4s);
  EXPECT_FALSE(svc->next_deadline());
  EXPECT_TRUE(svc->on_timer(base + 100000s).empty());
  Output c = svc->clear_duplicates(std::nullopt, std::nullopt);
  EXPECT_EQ(count_notices(c, NoticeKind::kDuplicateCleared), 1u);
  EXPECT_EQ(withdrawn(c).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(c).size(), 1u);
}

TEST_F(DadTest, Clear_ResetsFlagAndCounter) {
  make(false);
  for (int i = 0; i < 5; ++i) (i % 2 == 0) ? away(base + std::chrono::seconds(i)) : back(base + std::chrono::seconds(i));
  ASSERT_TRUE(svc->dup_views().at(0).duplicate);
  Output other = svc->clear_duplicates(200, std::nullopt);  // another VNI: untouched
  EXPECT_TRUE(other.empty());
  Output c = svc->clear_duplicates(100, mac(kHost));
  EXPECT_EQ(count_notices(c, NoticeKind::kDuplicateCleared), 1u);
  EXPECT_TRUE(svc->dup_views().empty());
  EXPECT_FALSE(svc->mac_views(100).at(0).duplicate);
}

// RFC 7432 §15.1: with the configuration's defaults the duplicate is frozen until the operator
// clears it (no `freeze:` key needed; no timer releases it).
TEST_F(DadTest, DefaultConfig_FreezesUntilOperatorClears) {
  svc = std::make_unique<EvpnService>(lab_config());
  svc->start();
  svc->on_local_mac(100, mac(kHost), "p1", false, base);
  away(base);
  back(base + 1s);
  away(base + 2s);
  back(base + 3s);                 // local, seq 4
  Output fifth = away(base + 4s);  // seq 5 from leaf2 would win
  EXPECT_EQ(count_notices(fifth, NoticeKind::kDuplicateDetected), 1u);
  EXPECT_TRUE(fifth.routes.empty());   // ours (seq 4) is neither withdrawn nor changed
  EXPECT_TRUE(fifth.intents.empty());  // leaf2's route is not processed
  ASSERT_EQ(svc->dup_views().size(), 1u);
  EXPECT_TRUE(svc->dup_views()[0].frozen);
  EXPECT_FALSE(svc->dup_views()[0].freeze_until);
  EXPECT_FALSE(svc->next_deadline());
  // Later routes for the MAC are not processed either, however long it takes.
  RemoteMacIp later{.mac = kHost, .seq = 9};
  Output o = svc->on_remote_route(type2(later), type2_attrs(later), ip("10.255.0.2"), true, base + 100000s);
  EXPECT_TRUE(o.routes.empty());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_TRUE(svc->on_timer(base + 100000s).empty());
  // The operator's clear (`evpnctl clear evpn dup-addr`) applies the latest state: leaf2 (seq 9).
  Output c = svc->clear_duplicates(std::nullopt, std::nullopt);
  EXPECT_EQ(count_notices(c, NoticeKind::kDuplicateCleared), 1u);
  EXPECT_EQ(withdrawn(c).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(c).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(c)[0].vtep, ip("10.255.0.2"));
  EXPECT_TRUE(svc->dup_views().empty());
}

TEST_F(DadTest, RemoteToRemoteMoves_Counted) {
  make(false);
  svc->on_local_mac_removed(100, mac(kHost), base);
  for (uint32_t i = 1; i <= 5; ++i) {
    RemoteMacIp s{.vtep = i % 2 ? "10.255.0.2" : "10.255.0.3", .rd = i % 2 ? "10.255.0.2:3" : "10.255.0.3:3",
                  .mac = kHost, .seq = i};
    svc->on_remote_route(type2(s), type2_attrs(s), ip(s.vtep), true, base + std::chrono::seconds(i));
  }
  ASSERT_EQ(svc->dup_views().size(), 1u);
  EXPECT_EQ(svc->dup_views()[0].moves, 4u);  // the first install is not a move
  EXPECT_FALSE(svc->dup_views()[0].duplicate);
}

TEST(IpDadTest, HostFlappingWithItsIp_MacAndIpBothDetected) {
  auto svc = std::make_unique<EvpnService>(lab_config());
  svc->start();
  const Time base = t0();
  svc->on_local_mac(100, mac(kHost), "p1", false, base);
  svc->on_local_neigh(100, ip("192.168.100.10"), mac(kHost), base);
  uint32_t seq = 0;
  size_t ip_notices = 0, mac_notices = 0;
  auto count = [&](const Output& o) {
    for (const auto& n : o.notices) {
      if (n.kind != NoticeKind::kDuplicateDetected) continue;
      ++(n.ip ? ip_notices : mac_notices);
    }
  };
  for (int k = 0; k < 3; ++k) {  // away, back: 6 moves in 50 s
    RemoteMacIp s{.mac = kHost, .ip = "192.168.100.10", .seq = ++seq};
    count(svc->on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, base + std::chrono::seconds(10 * k)));
    count(svc->on_local_mac(100, mac(kHost), "p1", false, base + std::chrono::seconds(10 * k + 5)));
    ++seq;
    count(svc->on_local_neigh(100, ip("192.168.100.10"), mac(kHost), base + std::chrono::seconds(10 * k + 5)));
  }
  EXPECT_EQ(mac_notices, 1u);
  EXPECT_EQ(ip_notices, 1u);
  bool ip_dup = false;
  for (const auto& d : svc->dup_views(100))
    if (d.ip == ip("192.168.100.10")) ip_dup = d.duplicate && d.mac == mac(kHost) && !d.frozen;
  EXPECT_TRUE(ip_dup);
}

TEST(IpDadTest, TwoMacsClaimingOneIpBehindTwoVteps_OnlyIpDetected) {
  // leaf2 (MAC a) and leaf3 (MAC b) keep re-announcing the same IP: no MAC ever moves, the IP's
  // binding flips with every announcement.
  auto svc = std::make_unique<EvpnService>(lab_config());
  svc->start();
  const Time base = t0();
  size_t ip_notices = 0, mac_notices = 0;
  uint32_t seq_a = 0, seq_b = 0;
  for (int k = 0; k < 4; ++k) {
    RemoteMacIp a{.vtep = "10.255.0.2", .rd = "10.255.0.2:3", .mac = "02:00:00:00:0a:0a", .ip = "192.168.100.50",
                  .seq = seq_a++};
    RemoteMacIp b{.vtep = "10.255.0.3", .rd = "10.255.0.3:3", .mac = "02:00:00:00:0b:0b", .ip = "192.168.100.50",
                  .seq = seq_b++};
    for (const auto* s : {&a, &b}) {
      Output o = svc->on_remote_route(type2(*s), type2_attrs(*s), ip(s->vtep), true, base + std::chrono::seconds(k));
      for (const auto& n : o.notices)
        if (n.kind == NoticeKind::kDuplicateDetected) ++(n.ip ? ip_notices : mac_notices);
    }
  }
  EXPECT_EQ(mac_notices, 0u);
  EXPECT_EQ(ip_notices, 1u);
  auto views = svc->dup_views(100);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].ip, ip("192.168.100.50"));
  EXPECT_TRUE(views[0].duplicate);
  // clear: the IP entry goes.
  svc->clear_duplicates(100, std::nullopt);
  EXPECT_TRUE(svc->dup_views(100).empty());
}

}  // namespace
}  // namespace evpnd::evpn::test

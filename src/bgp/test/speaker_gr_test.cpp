// Graceful restart (RFC 4724) across a simulated kill -9 of the route reflector: the leaves as
// receiving speakers (§4.2), the reflector as restarting speaker with selection deferral (§4.1).
#include <gtest/gtest.h>

#include "sim_net.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;
using namespace std::chrono_literals;

PathInfo local_info(const char* nh) {
  PathInfo p;
  p.next_hop = ip(nh);
  p.attrs.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  return p;
}

SpeakerConfig gr_config(const char* router_id, uint16_t stale_time = 60) {
  SpeakerConfig c;
  c.asn = 65000;
  c.router_id = ip(router_id);
  c.preserve_forwarding = true;  // a reflector (its clients forward) or a leaf with on-stop keep
  c.restart_time = 10;
  c.stale_time = stale_time;
  c.select_defer_time = 30;
  return c;
}

// RR 10.0.0.254 (127.0.0.1), leaves 127.0.0.2/.3 dialling it (connect-retry 1 s). The RR waits
// up to 5 s (its connect-retry for the leaves) for a leaf that is not up after a restart.
class GrFabric : public ::testing::Test {
 protected:
  void SetUp() override { build(60); }
  void build(uint16_t leaf_stale_time) {
    rr_ = &net_.add("127.0.0.1", gr_config("10.0.0.254"));
    l1_ = &net_.add("127.0.0.2", gr_config("10.0.0.1", leaf_stale_time));
    l2_ = &net_.add("127.0.0.3", gr_config("10.0.0.2", leaf_stale_time));
    start_rr();
    net_.input(*l1_, [&](Output& o) { l1_->add_peer(peer("127.0.0.1", 65000), o); });
    net_.input(*l2_, [&](Output& o) { l2_->add_peer(peer("127.0.0.1", 65000), o); });
    net_.advance(2s);
  }
  void start_rr() {
    net_.input(*rr_, [&](Output& o) {
      for (const char* a : {"127.0.0.2", "127.0.0.3"}) {
        PeerConfig p = peer(a, 65000, true, true);
        p.connect_retry = 5;
        rr_->add_peer(p, o);
      }
    });
  }
  void originate(Speaker& s, const std::vector<wire::EvpnRoute>& rs, const char* nh) {
    net_.input(s, [&](Output& o) {
      for (const auto& r : rs) s.originate(r, local_info(nh));
      s.flush(o);
    });
  }
  const Peer& rr_seen_by(const Speaker& leaf) { return *leaf.find_peer(ip("127.0.0.1")); }
  bool has(const Speaker& s, const wire::EvpnRoute& r) { return best_of(s, r) != nullptr; }

  SimNet net_;
  Speaker *rr_, *l1_, *l2_;
};

// Every speaker restarting at once (cold start): each sees the others' R bit and excludes them
// (§4.1), so nobody waits for anybody and routes flow at once.
TEST_F(GrFabric, ColdStart_AllRestarting_NoDeferralDeadlock) {
  ASSERT_TRUE(established(*rr_, "127.0.0.2") && established(*rr_, "127.0.0.3"));
  EXPECT_FALSE(rr_->deferring());
  EXPECT_FALSE(l1_->deferring());
  originate(*l2_, {type2(1, "10.0.0.2:2")}, "10.0.0.2");
  EXPECT_TRUE(has(*l1_, type2(1, "10.0.0.2:2")));
}

// The reflector is killed: the leaves keep its routes as stale (its capability listed
// l2vpn-evpn). It comes back while leaf2 is still unreachable: it advertises nothing (no
// End-of-RIB) to leaf1 until leaf2 is synced, so leaf1 keeps leaf2's routes; then leaf1 sweeps
// exactly the route leaf2 withdrew while the reflector was down.
TEST_F(GrFabric, RrRestart_LeavesKeepStaleUntilRrEndOfRib_SweepOnlyUnrefreshed) {
  const auto a = type2(1, "10.0.0.2:2"), b = type2(2, "10.0.0.2:2"), gone = type2(3, "10.0.0.2:2");
  originate(*l2_, {a, b, gone}, "10.0.0.2");
  originate(*l1_, {type2(9, "10.0.0.1:2")}, "10.0.0.1");
  ASSERT_TRUE(has(*l1_, gone));

  rr_ = &net_.crash(*rr_);
  EXPECT_FALSE(established(*l1_, "127.0.0.1"));
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 3u);
  EXPECT_TRUE(has(*l1_, a) && has(*l1_, gone));
  net_.input(*l2_, [&](Output& o) {
    l2_->withdraw_local(gone);
    l2_->flush(o);
  });
  net_.isolate(*l2_, true);
  start_rr();
  EXPECT_TRUE(rr_->deferring());
  net_.advance(1500ms);  // leaf1 reconnects and sends End-of-RIB; leaf2 cannot
  ASSERT_TRUE(established(*l1_, "127.0.0.1"));
  EXPECT_TRUE(rr_->deferring());
  EXPECT_TRUE(rr_seen_by(*l1_).gr_waiting_eor);
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 3u);
  EXPECT_TRUE(has(*l1_, a) && has(*l1_, b) && has(*l1_, gone));

  net_.isolate(*l2_, false);
  net_.advance(1500ms);
  ASSERT_TRUE(established(*l2_, "127.0.0.1"));
  EXPECT_FALSE(rr_->deferring());
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
  EXPECT_FALSE(rr_seen_by(*l1_).gr_waiting_eor);
  EXPECT_TRUE(has(*l1_, a) && has(*l1_, b));
  EXPECT_FALSE(best_of(*l1_, a)->flags & path_flag::kStale);
  EXPECT_FALSE(has(*l1_, gone));
  EXPECT_TRUE(has(*l2_, type2(9, "10.0.0.1:2")));  // leaf1's route reflected again
}

// A leaf that does not come back within the reflector's connect-retry interval is not waited
// for: the reflector advertises what it has, and leaf1 sweeps the dead leaf's routes.
TEST_F(GrFabric, RrRestart_PeerNeverUp_DeferralEndsAfterItsConnectRetry) {
  originate(*l2_, {type2(1, "10.0.0.2:2")}, "10.0.0.2");
  rr_ = &net_.crash(*rr_);
  net_.isolate(*l2_, true);
  start_rr();
  net_.advance(4s);
  EXPECT_TRUE(rr_->deferring());
  EXPECT_TRUE(has(*l1_, type2(1, "10.0.0.2:2")));
  net_.advance(2s);
  EXPECT_FALSE(rr_->deferring());
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
  EXPECT_FALSE(has(*l1_, type2(1, "10.0.0.2:2")));
}

// The reflector stays away: the leaves drop its routes when its restart time (10 s) is over.
TEST_F(GrFabric, RrGone_RestartTimeExpiry_RemovesStale) {
  originate(*l2_, {type2(1, "10.0.0.2:2")}, "10.0.0.2");
  net_.isolate(*rr_, true);
  rr_ = &net_.crash(*rr_);
  net_.advance(9s);
  EXPECT_TRUE(has(*l1_, type2(1, "10.0.0.2:2")));
  net_.advance(2s);
  EXPECT_FALSE(has(*l1_, type2(1, "10.0.0.2:2")));
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
}

// The reflector comes back but sends no End-of-RIB within the leaves' stale time (here it
// defers, waiting for leaf2): leaf1 drops the stale routes at its stale-time expiry.
TEST(GrStaleTime, RrBackWithoutEndOfRib_StaleTimeExpiry_RemovesStale) {
  SimNet net;
  Speaker* rr = &net.add("127.0.0.1", gr_config("10.0.0.254"));
  Speaker* l1 = &net.add("127.0.0.2", gr_config("10.0.0.1", 2));
  Speaker* l2 = &net.add("127.0.0.3", gr_config("10.0.0.2", 2));
  auto start_rr = [&] {
    net.input(*rr, [&](Output& o) {
      for (const char* a : {"127.0.0.2", "127.0.0.3"}) {
        PeerConfig p = peer(a, 65000, true, true);
        p.connect_retry = 20;
        rr->add_peer(p, o);
      }
    });
  };
  start_rr();
  net.input(*l1, [&](Output& o) { l1->add_peer(peer("127.0.0.1", 65000), o); });
  net.input(*l2, [&](Output& o) { l2->add_peer(peer("127.0.0.1", 65000), o); });
  net.advance(2s);
  net.input(*l2, [&](Output& o) {
    l2->originate(type2(1, "10.0.0.2:2"), local_info("10.0.0.2"));
    l2->flush(o);
  });
  ASSERT_NE(best_of(*l1, type2(1, "10.0.0.2:2")), nullptr);
  rr = &net.crash(*rr);
  net.isolate(*l2, true);
  start_rr();
  net.advance(1500ms);
  ASSERT_TRUE(established(*l1, "127.0.0.1"));
  EXPECT_TRUE(rr->deferring());
  EXPECT_NE(best_of(*l1, type2(1, "10.0.0.2:2")), nullptr);
  net.advance(2s);  // leaf1's stale time (2 s) since the session came back
  EXPECT_EQ(best_of(*l1, type2(1, "10.0.0.2:2")), nullptr);
  EXPECT_EQ(l1->find_peer(ip("127.0.0.1"))->stale_routes, 0u);
}

// The §4.1 Selection_Deferral_Timer bounds the wait for a peer the reflector still waits for
// (here: not up, and its connect-retry of 100 s not over): after select_defer_time (30 s) the
// reflector advertises what it has, End-of-RIB included.
TEST(GrSelectDefer, PeerStillAwaited_SelectDeferTimeExpiry_EndsDeferral) {
  SimNet net;
  Speaker* rr = &net.add("127.0.0.1", gr_config("10.0.0.254"));
  Speaker* l1 = &net.add("127.0.0.2", gr_config("10.0.0.1"));
  Speaker* l2 = &net.add("127.0.0.3", gr_config("10.0.0.2"));
  auto start_rr = [&] {
    net.input(*rr, [&](Output& o) {
      for (const char* a : {"127.0.0.2", "127.0.0.3"}) {
        PeerConfig p = peer(a, 65000, true, true);
        p.connect_retry = 100;
        rr->add_peer(p, o);
      }
    });
  };
  start_rr();
  net.input(*l1, [&](Output& o) { l1->add_peer(peer("127.0.0.1", 65000), o); });
  net.input(*l2, [&](Output& o) { l2->add_peer(peer("127.0.0.1", 65000), o); });
  net.advance(2s);
  net.input(*l2, [&](Output& o) {
    l2->originate(type2(1, "10.0.0.2:2"), local_info("10.0.0.2"));
    l2->flush(o);
  });
  rr = &net.crash(*rr);
  net.isolate(*l2, true);
  start_rr();
  net.advance(29s);
  EXPECT_TRUE(rr->deferring());
  EXPECT_TRUE(l1->find_peer(ip("127.0.0.1"))->gr_waiting_eor);
  EXPECT_NE(best_of(*l1, type2(1, "10.0.0.2:2")), nullptr);
  net.advance(2s);
  EXPECT_FALSE(rr->deferring());
  EXPECT_FALSE(l1->find_peer(ip("127.0.0.1"))->gr_waiting_eor);  // End-of-RIB received
  EXPECT_EQ(best_of(*l1, type2(1, "10.0.0.2:2")), nullptr);       // swept: the RR did not have it
}

// RFC 4724 §4: a session ended by a NOTIFICATION follows the normal procedures. The reflector
// sends leaf1 a Cease: leaf1 deletes the routes at once instead of keeping them stale.
TEST_F(GrFabric, NotificationReceived_RoutesDeletedNotStale) {
  const auto r = type2(1, "10.0.0.2:2");
  originate(*l2_, {r}, "10.0.0.2");
  ASSERT_TRUE(has(*l1_, r));
  net_.input(*rr_, [&](Output& o) { rr_->remove_peer(ip("127.0.0.2"), 3, o); });
  EXPECT_FALSE(established(*l1_, "127.0.0.1"));
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
  EXPECT_FALSE(has(*l1_, r));
}

// RFC 4724 §4: leaf1's hold timer expires (the reflector went silent): leaf1 sends a
// NOTIFICATION (Hold Timer Expired), so without the RFC 8538 N bit the routes are deleted.
TEST_F(GrFabric, HoldTimerExpiry_NotificationSent_RoutesDeletedNotStale) {
  const auto r = type2(1, "10.0.0.2:2");
  originate(*l2_, {r}, "10.0.0.2");
  ASSERT_TRUE(has(*l1_, r));
  net_.freeze(*rr_);
  net_.advance(8s);
  ASSERT_TRUE(established(*l1_, "127.0.0.1"));
  EXPECT_TRUE(has(*l1_, r));
  net_.advance(2s);  // hold time 9 s
  EXPECT_FALSE(established(*l1_, "127.0.0.1"));
  EXPECT_EQ(rr_seen_by(*l1_).counters.notifications_out, 1u);
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
  EXPECT_FALSE(has(*l1_, r));
}

// RFC 4724 §4.2: "To deal with possible consecutive restarts, a route (from the peer)
// previously marked as stale MUST be deleted." The reflector is killed, comes back (deferring:
// leaf2 cannot reach it, so leaf1 still holds the stale routes) and is killed again before its
// End-of-RIB: leaf1 deletes the routes still stale at the second loss.
TEST_F(GrFabric, ConsecutiveRestart_StaleRoutesDeletedAtSecondLoss) {
  const auto r = type2(1, "10.0.0.2:2");
  originate(*l2_, {r}, "10.0.0.2");
  rr_ = &net_.crash(*rr_);
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 1u);
  net_.isolate(*l2_, true);
  start_rr();
  net_.advance(1500ms);
  ASSERT_TRUE(established(*l1_, "127.0.0.1"));
  ASSERT_TRUE(rr_seen_by(*l1_).gr_waiting_eor);
  ASSERT_TRUE(has(*l1_, r));
  rr_ = &net_.crash(*rr_);
  EXPECT_FALSE(established(*l1_, "127.0.0.1"));
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 0u);
  EXPECT_FALSE(rr_seen_by(*l1_).gr_waiting_eor);
  EXPECT_FALSE(has(*l1_, r));
}

// A plain TCP loss (no NOTIFICATION) still keeps the routes as stale after a session that
// followed an ended-by-NOTIFICATION one: the flag does not outlive its session.
TEST_F(GrFabric, TcpLossAfterNotificationSession_StillKeepsStale) {
  const auto r = type2(1, "10.0.0.2:2");
  originate(*l2_, {r}, "10.0.0.2");
  net_.input(*rr_, [&](Output& o) { rr_->remove_peer(ip("127.0.0.2"), 3, o); });
  ASSERT_FALSE(has(*l1_, r));
  start_rr();
  net_.advance(2s);
  ASSERT_TRUE(established(*l1_, "127.0.0.1"));
  ASSERT_TRUE(has(*l1_, r));
  rr_ = &net_.crash(*rr_);
  EXPECT_EQ(rr_seen_by(*l1_).stale_routes, 1u);
  EXPECT_TRUE(has(*l1_, r));
}

}  // namespace
}  // namespace evpnd::bgp

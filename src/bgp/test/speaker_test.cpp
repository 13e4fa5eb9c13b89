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

// RR 10.0.0.254 (127.0.0.1) with clients leaf1 (127.0.0.2) and leaf2 (127.0.0.3), iBGP AS 65000.
class RrFabric : public ::testing::Test {
 protected:
  void SetUp() override {
    rr_ = &net_.add("127.0.0.1", 65000, "10.0.0.254");
    l1_ = &net_.add("127.0.0.2", 65000, "10.0.0.1");
    l2_ = &net_.add("127.0.0.3", 65000, "10.0.0.2");
    net_.input(*rr_, [&](Output& o) {
      rr_->add_peer(peer("127.0.0.2", 65000, true, true), o);
      rr_->add_peer(peer("127.0.0.3", 65000, true, true), o);
    });
    net_.input(*l1_, [&](Output& o) { l1_->add_peer(peer("127.0.0.1", 65000), o); });
    net_.input(*l2_, [&](Output& o) { l2_->add_peer(peer("127.0.0.1", 65000), o); });
  }
  void originate(Speaker& s, const std::vector<wire::EvpnRoute>& rs, const char* nh) {
    net_.input(s, [&](Output& o) {
      for (const auto& r : rs) s.originate(r, local_info(nh));
      s.flush(o);
    });
  }
  SimNet net_;
  Speaker *rr_, *l1_, *l2_;
};

TEST_F(RrFabric, Sessions_EstablishAndShareOneUpdateGroup) {
  EXPECT_TRUE(established(*rr_, "127.0.0.2"));
  EXPECT_TRUE(established(*rr_, "127.0.0.3"));
  EXPECT_TRUE(established(*l1_, "127.0.0.1"));
  EXPECT_EQ(rr_->group_count(), 1u);  // both clients merged after their initial sync
}

TEST_F(RrFabric, ClientRoute_ReflectedWithOriginatorAndClusterList) {
  originate(*l1_, {type2(1), type2(2), type2(3)}, "10.0.0.1");
  for (uint32_t i = 1; i <= 3; ++i) {
    const Path* p = best_of(*l2_, type2(i));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->info->next_hop, ip("10.0.0.1"));  // EVPN next hop unchanged by the RR
    EXPECT_EQ(p->info->attrs.originator_id, ip("10.0.0.1"));
    EXPECT_EQ(p->info->attrs.cluster_list, std::vector<IpAddress>{ip("10.0.0.254")});
  }
  EXPECT_EQ(rr_->loc_rib_size(), 3u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.3"))), 3u);
}

TEST_F(RrFabric, ClientRoute_NotReflectedBackToItsSource) {
  const Peer* to_rr = l1_->find_peer(ip("127.0.0.1"));
  const uint64_t updates_before = to_rr->counters.updates_in;
  originate(*l1_, {type2(1), type2(2)}, "10.0.0.1");
  // RFC 4456 §6: the reflector skips the client the routes came from.
  EXPECT_EQ(to_rr->counters.updates_in, updates_before);
  EXPECT_EQ(to_rr->counters.loop_rejected, 0u);
  EXPECT_EQ(to_rr->prefixes_received, 0u);
  EXPECT_NE(best_of(*l2_, type2(1)), nullptr);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.2"))), 0u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.3"))), 2u);
}

// The paths of `r` that `s` learned from its peer at `from`.
size_t paths_from(const Speaker& s, const char* from, const wire::EvpnRoute& r) {
  const DestId d = s.table().find(r);
  if (d == kNoDest) return 0;
  size_t n = 0;
  for (const Path& p : s.table().at(d).paths)
    if (p.live() && p.peer == s.find_peer(ip(from))->id) ++n;
  return n;
}

TEST_F(RrFabric, BestPathMovesBetweenClients_OldSourceGetsRouteNewSourceGetsWithdrawal) {
  originate(*l1_, {type2(1)}, "10.0.0.1");
  ASSERT_EQ(paths_from(*l2_, "127.0.0.1", type2(1)), 1u);  // leaf2 was sent leaf1's path
  ASSERT_EQ(paths_from(*l1_, "127.0.0.1", type2(1)), 0u);
  // leaf2 originates the same route with a higher LOCAL_PREF: the RR's best moves to leaf2.
  net_.input(*l2_, [&](Output& o) {
    PathInfo info = local_info("10.0.0.2");
    info.attrs.local_pref = 200;
    l2_->originate(type2(1), info);
    l2_->flush(o);
  });
  EXPECT_EQ(best_of(*rr_, type2(1))->peer, rr_->find_peer(ip("127.0.0.3"))->id);
  EXPECT_EQ(paths_from(*l1_, "127.0.0.1", type2(1)), 1u);  // leaf1 now gets leaf2's path
  EXPECT_EQ(paths_from(*l2_, "127.0.0.1", type2(1)), 0u);  // leaf2's copy of leaf1's path withdrawn
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.2"))), 1u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.3"))), 0u);
  // And back: leaf2 withdraws, the best returns to leaf1.
  net_.input(*l2_, [&](Output& o) {
    l2_->withdraw_local(type2(1));
    l2_->flush(o);
  });
  EXPECT_EQ(best_of(*rr_, type2(1))->peer, rr_->find_peer(ip("127.0.0.2"))->id);
  EXPECT_EQ(paths_from(*l1_, "127.0.0.1", type2(1)), 0u);
  EXPECT_EQ(paths_from(*l2_, "127.0.0.1", type2(1)), 1u);
  EXPECT_EQ(best_of(*l2_, type2(1))->info->attrs.originator_id, ip("10.0.0.1"));
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.2"))), 0u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.3"))), 1u);
}

TEST_F(RrFabric, WithdrawalFromSource_ReachesOthersNotTheSource) {
  originate(*l1_, {type2(1)}, "10.0.0.1");
  ASSERT_NE(best_of(*l2_, type2(1)), nullptr);
  const Peer* l1_rr = l1_->find_peer(ip("127.0.0.1"));
  const Peer* l2_rr = l2_->find_peer(ip("127.0.0.1"));
  const uint64_t l1_before = l1_rr->counters.updates_in, l2_before = l2_rr->counters.updates_in;
  net_.input(*l1_, [&](Output& o) {
    l1_->withdraw_local(type2(1));
    l1_->flush(o);
  });
  EXPECT_EQ(best_of(*l2_, type2(1)), nullptr);
  EXPECT_GT(l2_rr->counters.updates_in, l2_before);
  EXPECT_EQ(l1_rr->counters.updates_in, l1_before);
  EXPECT_EQ(rr_->table().size(), 0u);
}

TEST_F(RrFabric, LateJoiningSource_GetsOthersRoutesButNotItsOwn) {
  originate(*l1_, {type2(1)}, "10.0.0.1");
  originate(*l2_, {type2(2)}, "10.0.0.2");
  net_.input(*l1_, [&](Output& o) { l1_->remove_peer(ip("127.0.0.1"), 3, o); });
  net_.input(*l1_, [&](Output& o) { l1_->add_peer(peer("127.0.0.1", 65000), o); });
  net_.advance(std::chrono::seconds(3));
  ASSERT_TRUE(established(*rr_, "127.0.0.2"));
  originate(*l1_, {type2(1)}, "10.0.0.1");
  EXPECT_EQ(paths_from(*l1_, "127.0.0.1", type2(2)), 1u);
  EXPECT_EQ(paths_from(*l1_, "127.0.0.1", type2(1)), 0u);
  EXPECT_EQ(l1_->find_peer(ip("127.0.0.1"))->counters.loop_rejected, 0u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.2"))), 1u);
  EXPECT_EQ(rr_->prefixes_sent(*rr_->find_peer(ip("127.0.0.3"))), 1u);
  EXPECT_EQ(rr_->group_count(), 1u);
}

TEST_F(RrFabric, Withdrawal_Propagates) {
  originate(*l1_, {type2(1), type2(2)}, "10.0.0.1");
  net_.input(*l1_, [&](Output& o) {
    l1_->withdraw_local(type2(1));
    l1_->flush(o);
  });
  EXPECT_EQ(best_of(*l2_, type2(1)), nullptr);
  EXPECT_NE(best_of(*l2_, type2(2)), nullptr);
  EXPECT_EQ(rr_->table().size(), 1u);  // the withdrawn Dest is gone after the flush
}

TEST_F(RrFabric, ClientSessionDrops_RoutesWithdrawnFromOthers) {
  originate(*l1_, {type2(1)}, "10.0.0.1");
  net_.input(*l1_, [&](Output& o) { l1_->remove_peer(ip("127.0.0.1"), 3, o); });
  EXPECT_FALSE(established(*rr_, "127.0.0.2"));
  EXPECT_EQ(best_of(*l2_, type2(1)), nullptr);
  EXPECT_NE(rr_->find_peer(ip("127.0.0.2"))->last_error.find("Cease"), std::string::npos);
}

TEST_F(RrFabric, LateJoiner_GetsFullTableAndEndOfRib) {
  originate(*l1_, {type2(1), type2(2)}, "10.0.0.1");
  Speaker& l3 = net_.add("127.0.0.4", 65000, "10.0.0.3");
  net_.input(*rr_, [&](Output& o) { rr_->add_peer(peer("127.0.0.4", 65000, true, true), o); });
  net_.input(l3, [&](Output& o) { l3.add_peer(peer("127.0.0.1", 65000), o); });
  EXPECT_NE(best_of(l3, type2(1)), nullptr);
  EXPECT_NE(best_of(l3, type2(2)), nullptr);
  EXPECT_EQ(rr_->group_count(), 1u);
}

TEST_F(RrFabric, NoKeepalives_HoldTimerExpires) {
  // Silence leaf2 by removing it from the network's view: drop its timers, then advance.
  net_.node(*l2_).timers.clear();
  net_.advance(9500ms);  // before leaf2's reconnect (retry 1 s) could clear last_error
  // leaf2 never sent KEEPALIVEs, so the RR's hold timer (9 s) expired: NOTIFICATION 4/0.
  const Peer* p = rr_->find_peer(ip("127.0.0.3"));
  EXPECT_NE(p->last_error.find("Hold Timer"), std::string::npos) << p->last_error;
  EXPECT_GE(p->counters.session_resets, 1u);
}

TEST_F(RrFabric, Keepalives_KeepSessionsUp) {
  net_.advance(60s);
  EXPECT_TRUE(established(*rr_, "127.0.0.2"));
  EXPECT_TRUE(established(*rr_, "127.0.0.3"));
}

TEST(SpeakerSessions, BothActive_CollisionLeavesOneSession) {
  SimNet net;
  Speaker& a = net.add("127.0.0.1", 65000, "10.0.0.1");
  Speaker& b = net.add("127.0.0.2", 65000, "10.0.0.2");
  net.input(a, [&](Output& o) { a.add_peer(peer("127.0.0.2", 65000), o); });
  net.input(b, [&](Output& o) { b.add_peer(peer("127.0.0.1", 65000), o); });
  net.advance(5s);
  EXPECT_TRUE(established(a, "127.0.0.2"));
  EXPECT_TRUE(established(b, "127.0.0.1"));
  EXPECT_EQ(a.find_peer(ip("127.0.0.2"))->conns.size(), 1u);
  EXPECT_EQ(b.find_peer(ip("127.0.0.1"))->conns.size(), 1u);
}

TEST(SpeakerSessions, WrongRemoteAs_BadPeerAsNotification) {
  SimNet net;
  Speaker& a = net.add("127.0.0.1", 65000, "10.0.0.1");
  Speaker& b = net.add("127.0.0.2", 65001, "10.0.0.2");
  net.input(a, [&](Output& o) { a.add_peer(peer("127.0.0.2", 65002, false, true), o); });
  net.input(b, [&](Output& o) { b.add_peer(peer("127.0.0.1", 65000), o); });
  EXPECT_FALSE(established(a, "127.0.0.2"));
  EXPECT_NE(a.find_peer(ip("127.0.0.2"))->last_error.find("Bad Peer AS"), std::string::npos)
      << a.find_peer(ip("127.0.0.2"))->last_error;
  EXPECT_EQ(a.find_peer(ip("127.0.0.2"))->counters.notifications_out, 1u);
  EXPECT_NE(b.find_peer(ip("127.0.0.1"))->last_error.find("Bad Peer AS"), std::string::npos)
      << b.find_peer(ip("127.0.0.1"))->last_error;
}

TEST(SpeakerSessions, Ebgp_AsPathPrependedNextHopKept) {
  SimNet net;
  Speaker& a = net.add("127.0.0.1", 65001, "10.0.0.1");
  Speaker& b = net.add("127.0.0.2", 65002, "10.0.0.2");
  net.input(a, [&](Output& o) { a.add_peer(peer("127.0.0.2", 65002, false, true), o); });
  net.input(b, [&](Output& o) { b.add_peer(peer("127.0.0.1", 65001), o); });
  net.input(a, [&](Output& o) {
    a.originate(type2(1), local_info("10.0.0.1"));
    a.flush(o);
  });
  const Path* p = best_of(b, type2(1));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p->info->attrs.as_path, (wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}}));
  EXPECT_EQ(p->info->next_hop, ip("10.0.0.1"));
  EXPECT_FALSE(p->info->attrs.local_pref);  // not sent to eBGP (RFC 4271 §5.1.5)
}

}  // namespace
}  // namespace evpnd::bgp

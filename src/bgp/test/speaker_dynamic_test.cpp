// Dynamic peers from listen ranges (speaker_dynamic.cpp): a leaf 10.1.0.1 with a listen range
// 10.1.0.0/24 for "nodes" 10.1.0.11/.12 (AS 64512) that dial it, as Calico nodes dial their
// top-of-rack; 10.2.0.11 is outside the range.
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

ListenRange range(const char* prefix, uint32_t max_peers = 100, Asn as = 64512) {
  ListenRange r;
  r.range = *IpPrefix::parse(prefix);
  r.peer = peer("0.0.0.0", as);
  r.max_peers = max_peers;
  return r;
}

class DynamicPeers : public ::testing::Test {
 protected:
  void SetUp() override {
    SpeakerConfig c;
    c.asn = 65000;
    c.router_id = ip("10.1.0.1");
    c.restart_time = 10;
    leaf_ = &net_.add("10.1.0.1", c);
    net_.on_output = [this](Speaker& from, const Output& out) {
      if (&from != leaf_) return;
      for (const auto& op : out.io) {
        leaf_connects_ += std::holds_alternative<ConnectRequest>(op);
        // NOTIFICATIONs the leaf sends (RFC 4271 §4.1 header, type 3, then code and subcode).
        if (auto* send = std::get_if<SendRequest>(&op); send && send->data->size() >= 21 && (*send->data)[18] == 3)
          leaf_notifications_.emplace_back((*send->data)[19], (*send->data)[20]);
      }
    };
  }
  void set_ranges(std::vector<ListenRange> rs) {
    net_.input(*leaf_, [&](Output& o) { leaf_->set_listen_ranges(rs, o); });
  }
  // A node dialling the leaf (connect-retry 1 s); `gr`: it preserves forwarding across a restart
  // (RFC 4724 §3 F bit), so the leaf keeps its routes as stale when it goes.
  Speaker& node(const char* address, Asn as = 64512, bool gr = false) {
    SpeakerConfig c;
    c.asn = as;
    c.router_id = ip(address);
    c.restart_time = 10;
    c.preserve_forwarding = gr;
    Speaker& s = net_.add(address, c);
    net_.input(s, [&](Output& o) { s.add_peer(peer("10.1.0.1", 65000), o); });
    return s;
  }
  ListenRangeStatus status(size_t i = 0) { return leaf_->listen_range_status().at(i); }
  bool has_timer(TimerKind k) {
    for (const auto& [key, at] : net_.node(*leaf_).timers)
      if (key.kind == k) return true;
    return false;
  }

  SimNet net_;
  Speaker* leaf_ = nullptr;
  int leaf_connects_ = 0;
  std::vector<std::pair<uint8_t, uint8_t>> leaf_notifications_;
};

TEST_F(DynamicPeers, ConnectionFromRange_BecomesPassiveDynamicPeer) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11");
  net_.advance(2s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_TRUE(established(n, "10.1.0.1"));
  const Peer* p = leaf_->find_peer(ip("10.1.0.11"));
  EXPECT_TRUE(p->cfg.dynamic);
  EXPECT_TRUE(p->cfg.passive);
  EXPECT_EQ(p->cfg.remote_as, 64512u);
  EXPECT_EQ(p->role, PeerRole::kEbgp);
  EXPECT_EQ(status().peers, 1u);
  EXPECT_EQ(status().refused, 0u);
  EXPECT_EQ(leaf_connects_, 0);  // never dialled
  // Routes flow as with any peer.
  net_.input(n, [&](Output& o) {
    n.originate(type2(1), local_info("10.1.0.11"));
    n.flush(o);
  });
  EXPECT_NE(best_of(*leaf_, type2(1)), nullptr);
}

TEST_F(DynamicPeers, OutsideEveryRange_Refused) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.2.0.11");
  net_.advance(3s);
  EXPECT_EQ(leaf_->find_peer(ip("10.2.0.11")), nullptr);
  EXPECT_FALSE(established(n, "10.1.0.1"));
  EXPECT_EQ(status().refused, 0u);  // not the range's refusal: it is no range's
  EXPECT_TRUE(leaf_->peers().empty());
}

TEST_F(DynamicPeers, NoRanges_UnknownRemoteRefused) {
  node("10.1.0.11");
  net_.advance(2s);
  EXPECT_TRUE(leaf_->peers().empty());
}

TEST_F(DynamicPeers, MaxPeers_FurtherConnectionsRefusedAndCounted_UntilOneLeaves) {
  set_ranges({range("10.1.0.0/24", 1)});
  Speaker& a = node("10.1.0.11");
  net_.advance(2s);
  Speaker& b = node("10.1.0.12");
  net_.advance(3s);
  EXPECT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.12")), nullptr);
  EXPECT_FALSE(established(b, "10.1.0.1"));
  EXPECT_EQ(status().peers, 1u);
  EXPECT_GE(status().refused, 2u);  // b's first dial and its retries
  // a leaves: its dynamic peer goes, and b's next retry gets the place.
  net_.input(a, [&](Output& o) { a.remove_peer(ip("10.1.0.1"), 3, o); });
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  net_.advance(2s);
  EXPECT_TRUE(established(*leaf_, "10.1.0.12"));
  EXPECT_EQ(status().peers, 1u);
}

TEST_F(DynamicPeers, SessionEnds_PeerRemovedWithItsRoutes_NeverDialled) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11");
  net_.advance(2s);
  net_.input(n, [&](Output& o) {
    n.originate(type2(1), local_info("10.1.0.11"));
    n.flush(o);
  });
  ASSERT_NE(best_of(*leaf_, type2(1)), nullptr);
  net_.input(n, [&](Output& o) { n.remove_peer(ip("10.1.0.1"), 3, o); });  // Cease: no GR
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(best_of(*leaf_, type2(1)), nullptr);
  EXPECT_EQ(status().peers, 0u);
  EXPECT_FALSE(has_timer(TimerKind::kConnectRetry));
  net_.advance(30s);
  EXPECT_EQ(leaf_connects_, 0);
  EXPECT_TRUE(leaf_->peers().empty());
}

TEST_F(DynamicPeers, SessionNeverEstablished_PeerRemoved) {
  set_ranges({range("10.1.0.0/24", 100, 64999)});  // the node's OPEN says 64512: Bad Peer AS
  Speaker& n = node("10.1.0.11");
  net_.advance(3s);
  EXPECT_FALSE(established(n, "10.1.0.1"));
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(status().peers, 0u);  // a peer that failed does not hold a place of the range
  EXPECT_EQ(leaf_connects_, 0);
}

TEST_F(DynamicPeers, GracefulRestart_KeptUntilRestartTime_ThenRemoved) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11", 64512, true);
  net_.advance(2s);
  net_.input(n, [&](Output& o) {
    n.originate(type2(1), local_info("10.1.0.11"));
    n.flush(o);
  });
  net_.crash(n);  // TCP failure without NOTIFICATION: RFC 4724 §4.2 keeps the routes as stale
  const Peer* p = leaf_->find_peer(ip("10.1.0.11"));
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->established());
  EXPECT_EQ(p->stale_routes, 1u);
  EXPECT_NE(best_of(*leaf_, type2(1)), nullptr);
  EXPECT_EQ(status().peers, 1u);
  net_.advance(9s);  // its restart time is 10 s
  EXPECT_NE(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  net_.advance(2s);
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(best_of(*leaf_, type2(1)), nullptr);
  EXPECT_EQ(status().peers, 0u);
  EXPECT_EQ(leaf_connects_, 0);
}

TEST_F(DynamicPeers, GracefulRestart_NodeBack_SamePeerKeepsItsRoutes) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11", 64512, true);
  net_.advance(2s);
  net_.input(n, [&](Output& o) {
    n.originate(type2(1), local_info("10.1.0.11"));
    n.flush(o);
  });
  const PeerId before = leaf_->find_peer(ip("10.1.0.11"))->id;
  Speaker& again = net_.crash(n);
  net_.input(again, [&](Output& o) {
    again.add_peer(peer("10.1.0.1", 65000), o);
    again.originate(type2(1), local_info("10.1.0.11"));
    again.flush(o);
  });
  net_.advance(3s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11"))->id, before);  // the stale-keeping peer took it
  EXPECT_NE(best_of(*leaf_, type2(1)), nullptr);
  net_.advance(20s);  // past the restart time: nothing removes an established peer
  EXPECT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(status().peers, 1u);
}

TEST_F(DynamicPeers, RangeRemoved_PeersEndedWithCeaseDeconfigured) {
  set_ranges({range("10.1.0.0/24"), range("10.3.0.0/24")});
  Speaker& n = node("10.1.0.11");
  net_.advance(2s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  set_ranges({range("10.3.0.0/24")});
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
  const Peer* seen = n.find_peer(ip("10.1.0.1"));
  EXPECT_EQ(seen->counters.notifications_in, 1u);
  EXPECT_NE(seen->last_error.find("Peer De-configured"), std::string::npos) << seen->last_error;
  using Notify = std::pair<uint8_t, uint8_t>;
  EXPECT_EQ(leaf_notifications_, std::vector<Notify>{Notify(6, 3)});
  ASSERT_EQ(leaf_->listen_range_status().size(), 1u);
  EXPECT_EQ(status().range, *IpPrefix::parse("10.3.0.0/24"));
  // It dials again and is refused: in no range any more.
  net_.advance(3s);
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11")), nullptr);
}

TEST_F(DynamicPeers, RangeSettingsChanged_PeerResetAndBackWithNewSettings) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11");
  net_.advance(2s);
  ListenRange changed = range("10.1.0.0/24");
  changed.peer.hold_time = 30;
  set_ranges({changed});
  const Peer* seen = n.find_peer(ip("10.1.0.1"));
  EXPECT_NE(seen->last_error.find("Other Configuration Change"), std::string::npos) << seen->last_error;
  net_.advance(3s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.11"))->cfg.hold_time, 30);
  // Same ranges again: nobody is disturbed, and the refusal count of a kept range stays.
  const uint64_t resets = n.find_peer(ip("10.1.0.1"))->counters.session_resets;
  set_ranges({changed});
  EXPECT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(n.find_peer(ip("10.1.0.1"))->counters.session_resets, resets);
}

TEST_F(DynamicPeers, LoweredMaxPeers_KeepsPeersRefusesNewOnes) {
  set_ranges({range("10.1.0.0/24")});
  node("10.1.0.11");
  node("10.1.0.12");
  net_.advance(2s);
  ListenRange smaller = range("10.1.0.0/24", 1);
  set_ranges({smaller});  // only max_peers differs: the peers' settings are the same
  EXPECT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_TRUE(established(*leaf_, "10.1.0.12"));
  EXPECT_EQ(status().peers, 2u);
  node("10.1.0.13");
  net_.advance(2s);
  EXPECT_EQ(leaf_->find_peer(ip("10.1.0.13")), nullptr);
  EXPECT_GE(status().refused, 1u);
}

TEST_F(DynamicPeers, ConfiguredNeighbor_TakesTheAddressOver) {
  set_ranges({range("10.1.0.0/24")});
  Speaker& n = node("10.1.0.11");
  net_.advance(2s);
  ASSERT_TRUE(leaf_->find_peer(ip("10.1.0.11"))->cfg.dynamic);
  net_.input(*leaf_, [&](Output& o) { EXPECT_NE(leaf_->add_peer(peer("10.1.0.11", 64512), o), kNoPeer); });
  using Notify = std::pair<uint8_t, uint8_t>;
  EXPECT_EQ(leaf_notifications_, std::vector<Notify>{Notify(6, 6)});  // Cease, Other Configuration Change
  net_.advance(3s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_FALSE(leaf_->find_peer(ip("10.1.0.11"))->cfg.dynamic);
  EXPECT_EQ(status().peers, 0u);
  // A configured neighbour inside a range is never a dynamic peer, nor removed with its session.
  net_.input(n, [&](Output& o) { n.remove_peer(ip("10.1.0.1"), 3, o); });
  EXPECT_NE(leaf_->find_peer(ip("10.1.0.11")), nullptr);
}

TEST_F(DynamicPeers, MostSpecificRange_Chosen) {
  ListenRange wide = range("10.1.0.0/16", 100, 64999);
  ListenRange narrow = range("10.1.0.0/24");
  set_ranges({wide, narrow});
  node("10.1.0.11");
  net_.advance(2s);
  ASSERT_TRUE(established(*leaf_, "10.1.0.11"));
  EXPECT_EQ(leaf_->listen_range_status().at(1).peers, 1u);
  EXPECT_EQ(leaf_->listen_range_status().at(0).peers, 0u);
}

}  // namespace
}  // namespace evpnd::bgp

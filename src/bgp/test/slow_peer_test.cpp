// Bounded output for a peer that stops reading (issue 12 defect 3) and the RFC 9687 send hold
// timer. SimNet::stall_reader models the TCP window closing: sends to the peer are held and not
// reported written, so the reflector's output queue for it only grows if the speaker keeps
// encoding for it.
#include <gtest/gtest.h>

#include <map>

#include "sim_net.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;
using namespace std::chrono_literals;

constexpr size_t kLimit = 16 * 1024;

PathInfo info_med(uint32_t med) {
  PathInfo p;
  p.next_hop = ip("10.0.0.1");
  p.attrs.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  p.attrs.med = med;
  return p;
}

// What one node was sent, per route (type-2 index): announcements and withdrawals seen.
struct Tally {
  std::map<uint32_t, int> announced, withdrawn;
  void add(ByteView bytes) {
    wire::DecodeContext ctx;
    ctx.extended_message = true;  // RFC 8654 is negotiated in SimNet
    for (size_t pos = 0; pos < bytes.size();) {
      auto len = wire::peek_header(bytes.subspan(pos), ctx);
      ASSERT_TRUE(len);
      auto m = wire::decode_message(bytes.subspan(pos, *len), ctx);
      ASSERT_TRUE(m);
      pos += *len;
      const auto* u = std::get_if<wire::Update>(&*m);
      if (!u) continue;
      auto index = [](const wire::EvpnRoute& r) { return std::get<wire::MacIpAdvertisement>(r).ip.v4_host_order() - 0xc0a80000u; };
      if (u->mp_reach)
        for (const auto& r : u->mp_reach->evpn) ++announced[index(r)];
      if (u->mp_unreach)
        for (const auto& r : u->mp_unreach->evpn) ++withdrawn[index(r)];
    }
  }
};

// RR 127.0.0.1 (output queue limit 16 KiB) with three clients: a feeder (127.0.0.2), a fast
// peer (127.0.0.3) and a peer that will stop reading (127.0.0.4).
class SlowPeer : public ::testing::Test {
 protected:
  void SetUp() override {
    rr_ = &net_.add("127.0.0.1", 65000, "10.0.0.254", kLimit);
    feeder_ = &net_.add("127.0.0.2", 65000, "10.0.0.1");
    fast_ = &net_.add("127.0.0.3", 65000, "10.0.0.2");
    slow_ = &net_.add("127.0.0.4", 65000, "10.0.0.3");
    net_.input(*rr_, [&](Output& o) {
      for (const char* a : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
        PeerConfig c = peer(a, 65000, true, true);
        c.send_hold_time = send_hold_;
        rr_->add_peer(c, o);
      }
    });
    for (Speaker* s : {feeder_, fast_, slow_}) net_.input(*s, [&](Output& o) { s->add_peer(peer("127.0.0.1", 65000), o); });
    ASSERT_TRUE(established(*rr_, "127.0.0.4"));
  }
  void originate(uint32_t from, uint32_t to, uint32_t med) {
    net_.input(*feeder_, [&](Output& o) {
      for (uint32_t i = from; i < to; ++i) feeder_->originate(type2(i), info_med(med));
      feeder_->flush(o);
    });
  }
  void withdraw(uint32_t from, uint32_t to) {
    net_.input(*feeder_, [&](Output& o) {
      for (uint32_t i = from; i < to; ++i) feeder_->withdraw_local(type2(i));
      feeder_->flush(o);
    });
  }
  const Peer& rr_peer(const char* a) { return *rr_->find_peer(ip(a)); }
  // The exact final state of the churn below, as `s` must hold it.
  void expect_final_state(const Speaker& s) {
    for (uint32_t i = 0; i < 2000; ++i) {
      const Path* p = best_of(s, type2(i));
      if (i >= 1500) {
        EXPECT_EQ(p, nullptr) << i;
        continue;
      }
      ASSERT_NE(p, nullptr) << i;
      EXPECT_EQ(p->info->attrs.med, i < 1000 ? 10u : 0u) << i;
    }
    for (uint32_t i = 5000; i < 5500; ++i) EXPECT_EQ(best_of(s, type2(i)), nullptr) << i;
  }
  // 2000 routes known by everyone; then, with the slow peer stalled: routes 0..999 change ten
  // times, 1500..1999 are withdrawn, 5000..5499 are announced and withdrawn again.
  void churn_while_stalled() {
    originate(0, 2000, 0);
    ASSERT_EQ(rr_->prefixes_sent(rr_peer("127.0.0.4")), 2000u);
    net_.stall_reader(*slow_);
    for (uint32_t k = 1; k <= 10; ++k) originate(0, 1000, k);
    withdraw(1500, 2000);
    originate(5000, 5500, 0);
    withdraw(5000, 5500);
  }

  std::optional<uint32_t> send_hold_;
  SimNet net_;
  Speaker *rr_, *feeder_, *fast_, *slow_;
};

TEST_F(SlowPeer, StalledReader_QueueBoundedAndFastPeerUnaffected) {
  churn_while_stalled();
  // Ten rounds of 1000 changed routes are ~400 KiB of UPDATEs: only the limit plus the one
  // flush that crossed it (~40 KiB) may wait for the stalled peer.
  EXPECT_LE(net_.max_held_bytes(*slow_), kLimit + 48 * 1024);
  EXPECT_LE(rr_->output_queued(rr_peer("127.0.0.4")), kLimit + 48 * 1024);
  EXPECT_TRUE(rr_->catching_up(rr_peer("127.0.0.4")));
  EXPECT_EQ(rr_peer("127.0.0.4").counters.output_blocked, 1u);
  // The peers that keep up stay together in one update group, in sync at every step.
  EXPECT_FALSE(rr_->catching_up(rr_peer("127.0.0.3")));
  EXPECT_EQ(rr_peer("127.0.0.3").group, rr_peer("127.0.0.2").group);
  EXPECT_EQ(rr_->group(rr_peer("127.0.0.3").group)->members().size(), 2u);
  expect_final_state(*fast_);
  EXPECT_TRUE(established(*rr_, "127.0.0.4"));
}

TEST_F(SlowPeer, StalledReader_CatchesUpOnceToTheExactFinalState) {
  churn_while_stalled();
  Tally t;
  net_.on_deliver = [&](Speaker& to, ByteView b) {
    if (&to == slow_) t.add(b);
  };
  net_.resume_reader(*slow_);
  expect_final_state(*slow_);
  // Coalesced: a route changed ten times arrives at most twice (the flush queued before the
  // peer fell behind, then its latest state once), not ten times.
  for (uint32_t i = 0; i < 1000; ++i) EXPECT_LE(t.announced[i], 2) << i;
  for (uint32_t i = 1500; i < 2000; ++i) EXPECT_EQ(t.withdrawn[i], 1) << i;
  // Announced and withdrawn while the peer was behind: it never had them, it hears nothing.
  for (uint32_t i = 5000; i < 5500; ++i) {
    EXPECT_EQ(t.announced.count(i), 0u) << i;
    EXPECT_EQ(t.withdrawn.count(i), 0u) << i;
  }
  // Caught up: back in the shared group, its Adj-RIB-Out view exact.
  EXPECT_FALSE(rr_->catching_up(rr_peer("127.0.0.4")));
  EXPECT_EQ(rr_->group_count(), 1u);
  EXPECT_EQ(rr_->prefixes_sent(rr_peer("127.0.0.4")), 1500u);
  EXPECT_EQ(rr_->prefixes_sent(rr_peer("127.0.0.2")), 0u);  // the feeder's own routes
  // The withdrawn routes' tombstones are gone once the last peer that had them was told.
  EXPECT_EQ(rr_->table().size(), 1500u);
  // Later changes reach it through the group again.
  originate(0, 10, 11);
  EXPECT_EQ(best_of(*slow_, type2(3))->info->attrs.med, 11u);
}

TEST_F(SlowPeer, RouteRefresh_FromAPeerThatDoesNotRead_QueuesNoMoreThanTheLimit) {
  originate(0, 2000, 0);
  net_.stall_reader(*slow_);
  // ROUTE-REFRESH (RFC 2918) asked again and again by a peer that does not read: each one
  // would queue the whole Adj-RIB-Out (~80 KiB) if it were sent at once.
  for (int i = 0; i < 10; ++i)
    net_.input(*slow_, [&](Output& o) {
      const Peer& me = *slow_->find_peer(ip("127.0.0.1"));
      o.io.push_back(SendRequest{me.session, Speaker::encode(wire::RouteRefresh{kL2vpnEvpn, 0}, wire::EncodeContext{})});
    });
  EXPECT_LE(net_.max_held_bytes(*slow_), kLimit + 48 * 1024);
  net_.resume_reader(*slow_);
  EXPECT_EQ(rr_->prefixes_sent(rr_peer("127.0.0.4")), 2000u);
  EXPECT_EQ(best_of(*slow_, type2(1999))->info->attrs.med, 0u);
  EXPECT_EQ(rr_->group_count(), 1u);
}

TEST_F(SlowPeer, SessionDownWhileBehind_TombstonesReleased) {
  churn_while_stalled();
  const size_t before = rr_->table().size();
  EXPECT_GT(before, 1500u);  // 1500..1999 kept: the stalled peer still has them
  net_.input(*rr_, [&](Output& o) { rr_->reset_peer(ip("127.0.0.4"), 4, o); });
  EXPECT_EQ(rr_->table().size(), 1500u);
}

class SendHold : public SlowPeer {
 protected:
  void SetUp() override {
    send_hold_ = 20;
    SlowPeer::SetUp();
  }
};

TEST_F(SendHold, PeerThatStopsReading_DroppedWithNotification8) {
  // A peer that reads is never dropped, however long the session is quiet.
  net_.advance(60s);
  ASSERT_TRUE(established(*rr_, "127.0.0.4"));
  EXPECT_EQ(rr_->send_hold_time(rr_peer("127.0.0.4")), 20u);
  std::optional<wire::Notification> sent;
  bool aborted = false;
  const ConnId conn = rr_peer("127.0.0.4").session;
  net_.on_output = [&](Speaker& from, const Output& out) {
    if (&from != rr_) return;
    for (const auto& op : out.io) {
      if (const auto* s = std::get_if<SendRequest>(&op); s && s->conn == conn) {
        auto m = wire::decode_message(ByteView(*s->data), wire::DecodeContext{});
        if (m && std::holds_alternative<wire::Notification>(*m)) sent = std::get<wire::Notification>(*m);
      }
      if (const auto* c = std::get_if<CloseRequest>(&op); c && c->conn == conn) aborted = c->abort;
    }
  };
  net_.stall_reader(*slow_);
  // Its keepalives still arrive (the hold timer is happy); ours wait in its closed window.
  net_.advance(18s);
  EXPECT_TRUE(established(*rr_, "127.0.0.4"));
  net_.advance(10s);
  EXPECT_FALSE(established(*rr_, "127.0.0.4"));
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->code, 8);  // RFC 9687 §5: Send Hold Timer Expired, subcode 0, no data
  EXPECT_EQ(sent->subcode, 0);
  EXPECT_TRUE(sent->data.empty());
  EXPECT_TRUE(aborted);  // the close does not wait behind the stuck queue
  const Peer& p = rr_peer("127.0.0.4");
  EXPECT_EQ(p.counters.send_hold_expired, 1u);
  EXPECT_NE(p.last_error.find("Send Hold Timer Expired"), std::string::npos) << p.last_error;
  // The others were not disturbed.
  EXPECT_TRUE(established(*rr_, "127.0.0.3"));
  EXPECT_TRUE(established(*rr_, "127.0.0.2"));
}

TEST_F(SlowPeer, SendHoldDefault_GreaterOf480sAnd2xHold_AndSessionKeptBeforeIt) {
  EXPECT_EQ(rr_->send_hold_time(rr_peer("127.0.0.4")), 480u);  // hold 9: 8 minutes
  net_.stall_reader(*slow_);
  net_.advance(470s);
  EXPECT_TRUE(established(*rr_, "127.0.0.4"));
  net_.advance(20s);
  EXPECT_FALSE(established(*rr_, "127.0.0.4"));
}

TEST(SendHoldConfig, LongHoldTime_TwiceTheHoldTime_ZeroDisables) {
  SimNet net;
  Speaker& a = net.add("127.0.0.1", 65000, "10.0.0.1");
  Speaker& b = net.add("127.0.0.2", 65000, "10.0.0.2");
  Speaker& c = net.add("127.0.0.3", 65000, "10.0.0.3");
  net.input(a, [&](Output& o) {
    PeerConfig pb = peer("127.0.0.2", 65000, false, true);
    pb.hold_time = 300;
    a.add_peer(pb, o);
    PeerConfig pc = peer("127.0.0.3", 65000, false, true);
    pc.send_hold_time = 0;
    a.add_peer(pc, o);
  });
  net.input(b, [&](Output& o) {
    PeerConfig p = peer("127.0.0.1", 65000);
    p.hold_time = 300;
    b.add_peer(p, o);
  });
  net.input(c, [&](Output& o) { c.add_peer(peer("127.0.0.1", 65000), o); });
  ASSERT_TRUE(established(a, "127.0.0.2"));
  ASSERT_TRUE(established(a, "127.0.0.3"));
  EXPECT_EQ(a.send_hold_time(*a.find_peer(ip("127.0.0.2"))), 600u);
  EXPECT_EQ(a.send_hold_time(*a.find_peer(ip("127.0.0.3"))), 0u);
  net.stall_reader(c);
  net.advance(1000s);
  EXPECT_TRUE(established(a, "127.0.0.3"));  // disabled: only its own hold timer could end it
}

}  // namespace
}  // namespace evpnd::bgp

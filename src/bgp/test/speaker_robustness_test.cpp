// The RR speaker against a scripted peer: graceful-restart helper, max-prefix, RFC 7606
// treat-as-withdraw, route refresh.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "sim_net.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

class Scripted : public ::testing::Test {
 protected:
  void SetUp() override {
    SpeakerConfig c;
    c.asn = 65000;
    c.router_id = ip("10.0.0.254");
    rr_ = std::make_unique<Speaker>(c);
  }
  void add_peer(PeerConfig pc) {
    Output o;
    rr_->add_peer(pc, o);
  }
  void collect(const Output& o) {
    for (const auto& op : o.io) {
      if (auto* s = std::get_if<SendRequest>(&op); s && s->conn == conn_) {
        wire::DecodeContext ctx;
        ctx.extended_message = true;
        size_t pos = 0;
        while (pos < s->data->size()) {
          auto len = wire::peek_header(ByteView(s->data->data() + pos, s->data->size() - pos), ctx);
          ASSERT_TRUE(len);
          auto m = wire::decode_message(ByteView(s->data->data() + pos, *len), ctx);
          ASSERT_TRUE(m);
          received_.push_back(*m);
          pos += *len;
        }
      }
      if (auto* c = std::get_if<CloseRequest>(&op); c && c->conn == conn_) closed_ = true;
    }
    timers_.insert(timers_.end(), o.timers.begin(), o.timers.end());
  }
  // The delay of the last request for `kind` seen (nullopt: cancelled); false: never requested.
  std::optional<std::optional<std::chrono::milliseconds>> last_timer(TimerKind kind) const {
    std::optional<std::optional<std::chrono::milliseconds>> r;
    for (const auto& t : timers_)
      if (t.key.kind == kind) r = t.delay;
    return r;
  }
  void send(const wire::Message& m) {
    Output o;
    rr_->on_data(conn_, ByteView(wire::encode_message(m, wire::EncodeContext{})), o);
    collect(o);
  }
  // Connects, exchanges OPEN/KEEPALIVE; `gr_evpn`: advertise GR with EVPN forwarding state.
  void establish(bool gr_evpn, bool restarting = false) {
    conn_ = kInboundConnBase + (++conns_);
    closed_ = false;
    received_.clear();
    Output o;
    ASSERT_TRUE(rr_->on_accepted(conn_, ip("127.0.0.2"), o));
    collect(o);
    LocalSettings l;
    l.asn = 65000;
    l.router_id = ip("10.0.0.1");
    wire::Open open = build_open(l);
    if (gr_evpn) {
      open.caps.graceful_restart->families.push_back({kL2vpnEvpn, true});
      open.caps.graceful_restart->restart_time = 30;
      open.caps.graceful_restart->restart_state = restarting;
    }
    send(open);
    send(wire::Keepalive{});
    ASSERT_TRUE(established(*rr_, "127.0.0.2"));
  }
  static wire::Update update(std::vector<wire::EvpnRoute> routes) {
    wire::Update u;
    u.attrs = ibgp_attrs();
    u.mp_reach = wire::MpReach{};
    u.mp_reach->next_hop = ip("10.0.0.1");
    u.mp_reach->evpn = std::move(routes);
    return u;
  }
  static wire::Update eor() {
    wire::Update u;
    u.mp_unreach = wire::MpUnreach{kL2vpnEvpn, {}, {}};
    return u;
  }
  const Peer& peer_state() { return *rr_->find_peer(ip("127.0.0.2")); }
  bool got_notification(uint8_t code, uint8_t sub) {
    for (const auto& m : received_)
      if (auto* n = std::get_if<wire::Notification>(&m); n && n->code == code && n->subcode == sub) return true;
    return false;
  }

  std::unique_ptr<Speaker> rr_;
  ConnId conn_ = 0;
  int conns_ = 0;
  bool closed_ = false;
  std::vector<wire::Message> received_;
  std::vector<TimerRequest> timers_;
};

TEST_F(Scripted, InitialSync_EndsWithEndOfRib) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  ASSERT_FALSE(received_.empty());
  auto* u = std::get_if<wire::Update>(&received_.back());
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->is_end_of_rib());
}

TEST_F(Scripted, GracefulRestart_StaleKeptThenSweptAtEndOfRib) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(true);
  send(update({type2(1), type2(2)}));
  EXPECT_EQ(peer_state().prefixes_received, 2u);
  Output o;
  rr_->on_closed(conn_, o);  // the peer restarts
  EXPECT_EQ(peer_state().stale_routes, 2u);
  ASSERT_NE(best_of(*rr_, type2(1)), nullptr);
  EXPECT_TRUE(best_of(*rr_, type2(1))->flags & path_flag::kStale);
  establish(true, true);
  send(update({type2(1)}));
  EXPECT_EQ(peer_state().stale_routes, 1u);
  send(eor());
  EXPECT_EQ(peer_state().stale_routes, 0u);
  EXPECT_NE(best_of(*rr_, type2(1)), nullptr);
  EXPECT_FALSE(best_of(*rr_, type2(1))->flags & path_flag::kStale);
  EXPECT_EQ(best_of(*rr_, type2(2)), nullptr);
}

TEST_F(Scripted, GracefulRestart_TimerExpiry_SweepsStale) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(true);
  send(update({type2(1)}));
  Output o;
  rr_->on_closed(conn_, o);
  bool armed = false;
  for (const auto& t : o.timers)
    if (t.key.kind == TimerKind::kGracefulRestart && t.delay) armed = *t.delay == std::chrono::seconds(30);
  EXPECT_TRUE(armed);  // the peer's advertised restart time
  rr_->on_timer(TimerKey{peer_state().id, 0, TimerKind::kGracefulRestart}, o);
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
  EXPECT_EQ(peer_state().stale_routes, 0u);
}

TEST_F(Scripted, NoGracefulRestart_RoutesRemovedAtOnce) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  send(update({type2(1)}));
  Output o;
  rr_->on_closed(conn_, o);
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
}

TEST_F(Scripted, MaxPrefix_Exceeded_Cease1AndRoutesRemoved) {
  auto pc = peer("127.0.0.2", 65000, true, true);
  pc.max_prefixes = 2;
  add_peer(pc);
  establish(false);
  send(update({type2(1), type2(2), type2(3)}));
  EXPECT_TRUE(got_notification(6, 1));
  EXPECT_TRUE(closed_);
  EXPECT_FALSE(established(*rr_, "127.0.0.2"));
  EXPECT_EQ(rr_->loc_rib_size(), 0u);
  EXPECT_TRUE(peer_state().max_prefix_tripped);
}

TEST_F(Scripted, MaxPrefixNoRestart_StaysIdleAndRefusesConnections) {
  auto pc = peer("127.0.0.2", 65000, true, true);
  pc.max_prefixes = 2;
  add_peer(pc);
  establish(false);
  send(update({type2(1), type2(2), type2(3)}));
  ASSERT_TRUE(got_notification(6, 1));
  EXPECT_FALSE(last_timer(TimerKind::kMaxPrefixRestart).has_value());
  EXPECT_EQ(peer_state().max_prefix_restart_at, TimePoint{});
  Output o;
  rr_->on_timer(TimerKey{peer_state().id, 0, TimerKind::kMaxPrefixRestart}, o);  // stray: ignored
  EXPECT_FALSE(rr_->on_accepted(kInboundConnBase + 50, ip("127.0.0.2"), o));
  EXPECT_EQ(peer_state().display_state(), FsmState::kIdle);
  EXPECT_TRUE(peer_state().max_prefix_tripped);
}

TEST_F(Scripted, MaxPrefixRestart_IdleUntilTimerThenAcceptsAgain) {
  auto pc = peer("127.0.0.2", 65000, true, true);
  pc.max_prefixes = 2;
  pc.max_prefix_restart = 30;
  add_peer(pc);
  establish(false);
  send(update({type2(1), type2(2), type2(3)}));
  ASSERT_TRUE(got_notification(6, 1));
  EXPECT_TRUE(closed_);
  const auto armed = last_timer(TimerKind::kMaxPrefixRestart);
  ASSERT_TRUE(armed.has_value() && armed->has_value());
  EXPECT_EQ(**armed, std::chrono::seconds(30));
  EXPECT_EQ(peer_state().max_prefix_restart_at, rr_->now() + std::chrono::seconds(30));
  // Until the timer fires the peer is down: Idle, incoming connections refused.
  Output o;
  EXPECT_FALSE(rr_->on_accepted(kInboundConnBase + 50, ip("127.0.0.2"), o));
  EXPECT_EQ(peer_state().display_state(), FsmState::kIdle);
  rr_->on_timer(TimerKey{peer_state().id, 0, TimerKind::kMaxPrefixRestart}, o);
  EXPECT_FALSE(peer_state().max_prefix_tripped);
  EXPECT_EQ(peer_state().max_prefix_restart_at, TimePoint{});
  EXPECT_EQ(peer_state().display_state(), FsmState::kActive);
  establish(false);  // accepted and Established again
  send(update({type2(1)}));
  EXPECT_EQ(rr_->loc_rib_size(), 1u);
}

TEST_F(Scripted, MaxPrefixRestart_ActivePeerReconnectsWhenTimerFires) {
  auto pc = peer("127.0.0.2", 65000, true, false);
  pc.max_prefixes = 1;
  pc.max_prefix_restart = 5;
  add_peer(pc);
  establish(false);  // the inbound connection wins; the outbound attempt is dropped
  send(update({type2(1), type2(2)}));
  ASSERT_TRUE(got_notification(6, 1));
  Output idle;
  rr_->on_timer(TimerKey{peer_state().id, 0, TimerKind::kConnectRetry}, idle);
  for (const auto& op : idle.io) EXPECT_FALSE(std::holds_alternative<ConnectRequest>(op));  // no retries
  Output o;
  rr_->on_timer(TimerKey{peer_state().id, 0, TimerKind::kMaxPrefixRestart}, o);
  size_t connects = 0;
  for (const auto& op : o.io) connects += std::holds_alternative<ConnectRequest>(op);
  EXPECT_EQ(connects, 1u);
  EXPECT_EQ(peer_state().display_state(), FsmState::kConnect);
}

TEST_F(Scripted, MaxPrefixRestart_ResetCancelsTimer) {
  auto pc = peer("127.0.0.2", 65000, true, true);
  pc.max_prefixes = 1;
  pc.max_prefix_restart = 60;
  add_peer(pc);
  establish(false);
  send(update({type2(1), type2(2)}));
  ASSERT_TRUE(peer_state().max_prefix_tripped);
  Output o;
  rr_->reset_peer(ip("127.0.0.2"), 4, o);
  collect(o);
  const auto last = last_timer(TimerKind::kMaxPrefixRestart);
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->has_value());  // cancelled
  EXPECT_FALSE(peer_state().max_prefix_tripped);
  EXPECT_EQ(peer_state().max_prefix_restart_at, TimePoint{});
}

TEST_F(Scripted, TreatAsWithdraw_RouteRemovedSessionKept) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  send(update({type2(1)}));
  ASSERT_NE(best_of(*rr_, type2(1)), nullptr);
  // RFC 7606 §7.1: an ORIGIN with an undefined value makes the UPDATE treat-as-withdraw.
  auto bad = update({type2(1)});
  bad.attrs.origin = static_cast<wire::Origin>(7);
  send(bad);
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
  EXPECT_TRUE(established(*rr_, "127.0.0.2"));
  EXPECT_EQ(peer_state().counters.treat_as_withdraw, 1u);
  EXPECT_FALSE(closed_);
}

TEST_F(Scripted, MalformedUpdate_SessionReset) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  Bytes b = wire::encode_message(update({type2(1)}), wire::EncodeContext{});
  b[21] = 0xFF;  // total path attribute length runs past the message: RFC 7606 §4 -> reset
  Output o;
  rr_->on_data(conn_, ByteView(b), o);
  collect(o);
  EXPECT_TRUE(closed_);
  EXPECT_FALSE(established(*rr_, "127.0.0.2"));
}

TEST_F(Scripted, RouteRefresh_ResendsAdjRibOut) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  Output o;
  PathInfo info;
  info.next_hop = ip("10.0.0.254");
  rr_->originate(type2(9), info);
  rr_->flush(o);
  received_.clear();
  send(wire::RouteRefresh{kL2vpnEvpn, 0});
  size_t routes = 0;
  for (const auto& m : received_)
    if (auto* u = std::get_if<wire::Update>(&m); u && u->mp_reach) routes += u->mp_reach->evpn.size();
  EXPECT_EQ(routes, 1u);
}

TEST_F(Scripted, ClientRoutes_NotSentBackEvenOnRouteRefresh) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  establish(false);
  received_.clear();
  send(update({type2(1), type2(2)}));
  send(wire::RouteRefresh{kL2vpnEvpn, 0});
  send(wire::Update{.mp_unreach = wire::MpUnreach{kL2vpnEvpn, {type2(1)}, {}, {}}});
  size_t updates = 0;
  for (const auto& m : received_) updates += std::holds_alternative<wire::Update>(m);
  EXPECT_EQ(updates, 0u);  // RFC 4456 §6: neither the routes nor their withdrawal come back
  EXPECT_EQ(rr_->loc_rib_size(), 1u);
  EXPECT_EQ(rr_->prefixes_sent(peer_state()), 0u);
}

TEST_F(Scripted, UpdateBeforeEstablished_FsmError) {
  add_peer(peer("127.0.0.2", 65000, true, true));
  conn_ = kInboundConnBase + 99;
  Output o;
  ASSERT_TRUE(rr_->on_accepted(conn_, ip("127.0.0.2"), o));
  send(update({type2(1)}));  // in OpenSent
  EXPECT_TRUE(got_notification(5, 1));
  EXPECT_TRUE(closed_);
}

}  // namespace
}  // namespace evpnd::bgp

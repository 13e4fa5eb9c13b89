// Session management of the speaker: peers, connections, FSM actions, collisions, timers.
#include "bgp/speaker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace evpnd::bgp {
namespace {
using namespace std::chrono_literals;
constexpr auto kLargeHold = 240s;  // RFC 4271 §8.2.2: "large value" hold time while in OpenSent
constexpr uint32_t kDefaultSendHold = 480;  // RFC 9687 §4: the greater of 8 minutes and 2 x HoldTime
constexpr uint8_t kCease = static_cast<uint8_t>(wire::NotifyCode::kCease);

std::chrono::milliseconds secs(uint32_t s) { return std::chrono::milliseconds(uint64_t{s} * 1000); }
// The families the RIB holds (rib_family.hpp), for the per-family graceful-restart steps.
constexpr AfiSafi kRibFamilies[] = {kL2vpnEvpn, kIpv4Unicast, kIpv6Unicast};
bool listed(const std::vector<AfiSafi>& v, AfiSafi f) { return std::find(v.begin(), v.end(), f) != v.end(); }
}  // namespace

Connection* Peer::conn(ConnId c) {
  for (auto& x : conns)
    if (x.id == c) return &x;
  return nullptr;
}

FsmState Peer::display_state() const {
  FsmState best = FsmState::kIdle;
  for (const auto& c : conns)
    if (!c.dropped && c.fsm.state() > best) best = c.fsm.state();
  if (best == FsmState::kIdle && admin_up) return FsmState::kActive;
  return best;
}

Speaker::Speaker(SpeakerConfig cfg) : cfg_(std::move(cfg)) {
  // Several speakers (one per BGP instance) share one I/O layer: outbound ids carry the
  // instance above bit 32 (SpeakerConfig::instance), accepted ones start at kInboundConnBase.
  next_conn_ = (ConnId{cfg_.instance} << 32) + 1;
  me_.asn = cfg_.asn;
  me_.router_id = cfg_.router_id;
  me_.cluster_id = cfg_.cluster_id.value_or(cfg_.router_id);
  deferring_ = cfg_.graceful_restart && cfg_.preserve_forwarding && cfg_.select_defer_time > 0;
  auto local = std::make_unique<Peer>();
  local->id = kLocalPeer;
  local->role = PeerRole::kLocal;
  local->facts.local = true;
  local->facts.router_id = cfg_.router_id;
  peers_.push_back(std::move(local));
}

Chunk Speaker::encode(const wire::Message& m, const wire::EncodeContext& ctx) {
  auto b = std::make_shared<Bytes>();
  wire::encode_message(m, ctx, *b);
  return b;
}

Peer* Speaker::peer_mut(PeerId id) { return id < peers_.size() ? peers_[id].get() : nullptr; }
const Peer* Speaker::peer(PeerId id) const { return id < peers_.size() ? peers_[id].get() : nullptr; }

const Peer* Speaker::find_peer(const IpAddress& a) const {
  auto it = by_address_.find(a);
  return it == by_address_.end() ? nullptr : peer(it->second);
}

std::vector<const Peer*> Speaker::peers() const {
  std::vector<const Peer*> v;
  for (size_t i = 1; i < peers_.size(); ++i)
    if (peers_[i]) v.push_back(peers_[i].get());
  return v;
}

const PeerFacts& Speaker::facts(PeerId id) const { return peers_[id]->facts; }
PeerRole Speaker::role_of(PeerId id) const { return peers_[id]->role; }

Peer* Speaker::peer_by_conn(ConnId c, Connection** conn) {
  auto it = by_conn_.find(c);
  if (it == by_conn_.end()) return nullptr;
  Peer* p = peer_mut(it->second);
  if (!p) return nullptr;
  *conn = p->conn(c);
  return *conn ? p : nullptr;
}

void Speaker::arm(Output& out, PeerId p, ConnId c, TimerKind k, std::chrono::milliseconds d) {
  out.timers.push_back(TimerRequest{TimerKey{p, c, k, cfg_.instance}, d});
}
void Speaker::cancel(Output& out, PeerId p, ConnId c, TimerKind k) {
  out.timers.push_back(TimerRequest{TimerKey{p, c, k, cfg_.instance}, std::nullopt});
}

void Speaker::send(Output& out, Peer& p, Connection& c, const wire::Message& m) {
  const wire::EncodeContext ctx = c.negotiated ? c.negotiated->encode_context() : wire::EncodeContext{};
  queue_bytes(out, c, encode(m, ctx));
  ++p.counters.messages_out;
}

void Speaker::queue_bytes(Output& out, Connection& c, Chunk data) {
  // Data that starts waiting on an idle connection starts the send hold clock (RFC 9687 §3.3:
  // the timer measures how long sending makes no progress).
  if (c.out_queued == 0) c.last_tx = now_;
  c.out_queued += data->size();
  out.io.push_back(SendRequest{c.id, std::move(data)});
}

void Speaker::on_sent(ConnId id, size_t bytes, Output& out) {
  Connection* c = nullptr;
  Peer* p = peer_by_conn(id, &c);
  if (!p) return;
  c->out_queued -= std::min(bytes, c->out_queued);
  c->last_tx = now_;  // RFC 9687 §3.3: a message went out, the send hold timer restarts
  flush(out);         // runs the catch-up of a peer that fell behind (pump_all_catch_up)
}

size_t Speaker::output_queued(const Peer& p) const {
  for (const auto& c : p.conns)
    if (c.id == p.session) return c.out_queued;
  return 0;
}

uint32_t Speaker::send_hold_time(const Peer& p) const {
  for (const auto& c : p.conns)
    if (c.id == p.session) return c.send_hold_seconds;
  return 0;
}

void Speaker::on_send_hold_timer(Peer& p, Connection& c, Output& out) {
  if (c.dropped || !c.send_hold_seconds || c.fsm.state() != FsmState::kEstablished) return;
  const auto hold = secs(c.send_hold_seconds);
  const auto stalled = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - c.last_tx);
  if (c.out_queued == 0 || stalled < hold) {
    // Lazy restart (as the hold timer): nothing waiting, or progress since the timer was armed.
    arm(out, p.id, c.id, TimerKind::kSendHold, c.out_queued == 0 ? hold : hold - stalled);
    return;
  }
  // RFC 9687 §4: the connection MUST be closed and an error MUST be logged.
  spdlog::error("peer {}: send hold timer expired: no progress sending for {} s with {} bytes waiting "
                "(RFC 9687), dropping the session",
                p.cfg.address.to_string(), stalled.count() / 1000, c.out_queued);
  ++p.counters.send_hold_expired;
  feed(p, c, FsmEvent{FsmEventType::kSendHoldTimerExpires}, out);
  p.last_error = "send hold timer expired (sent NOTIFICATION 8/0 Send Hold Timer Expired)";
  reap(p, out);
}

LocalSettings Speaker::local_settings(const Peer& p) const {
  LocalSettings s;
  s.asn = cfg_.asn;
  s.router_id = cfg_.router_id;
  s.hold_time = p.cfg.hold_time;
  s.families = p.cfg.families;
  s.graceful_restart = cfg_.graceful_restart && p.cfg.graceful_restart;
  s.restart_time = cfg_.restart_time;
  s.preserve_forwarding = s.graceful_restart && cfg_.preserve_forwarding;
  s.restarting = s.preserve_forwarding && p.established_at == TimePoint{};  // first session since start
  s.extended_message = cfg_.extended_message;
  return s;
}

PeerId Speaker::add_peer(const PeerConfig& cfg, Output& out) {
  if (auto it = by_address_.find(cfg.address); it != by_address_.end()) {
    // A configured neighbour takes the address over from a dynamic peer (RFC 4486 6/6).
    if (cfg.dynamic || !peers_[it->second]->cfg.dynamic) return kNoPeer;
    remove_dynamic_peer(*peers_[it->second], 6, out);
  }
  auto p = std::make_unique<Peer>();
  p->id = static_cast<PeerId>(peers_.size());
  p->cfg = cfg;
  p->role = cfg.remote_as != cfg_.asn ? PeerRole::kEbgp
            : cfg.route_reflector_client ? PeerRole::kRrClient
                                         : PeerRole::kIbgp;
  p->facts.ebgp = p->role == PeerRole::kEbgp;
  p->facts.address = cfg.address;
  p->admin_up = true;
  Peer& ref = *p;
  by_address_[cfg.address] = ref.id;
  peers_.push_back(std::move(p));
  spdlog::info("peer {} AS{} ({}) added{}", cfg.address.to_string(), cfg.remote_as, to_string(ref.role),
               cfg.passive ? ", passive" : "");
  if (!cfg.passive) new_outbound(ref, out);
  update_deferral(out);
  return ref.id;
}

Connection& Speaker::new_outbound(Peer& p, Output& out) {
  Connection c;
  c.id = next_conn_++;
  c.inbound = false;
  c.fsm = Fsm(FsmState::kConnect);
  p.conns.push_back(c);
  by_conn_[c.id] = p.id;
  ++p.counters.connect_attempts;
  out.io.push_back(ConnectRequest{c.id, p.id, p.cfg.address, p.cfg.port, p.cfg.update_source, p.cfg.md5_password,
                                  p.cfg.ttl_security_hops});
  arm(out, p.id, 0, TimerKind::kConnectRetry, secs(p.cfg.connect_retry));
  return p.conns.back();
}

void Speaker::remove_peer(const IpAddress& addr, uint8_t cease_subcode, Output& out) {
  auto it = by_address_.find(addr);
  if (it == by_address_.end()) return;
  Peer& p = *peers_[it->second];
  p.admin_up = false;
  for (auto& c : p.conns) feed(p, c, FsmEvent{FsmEventType::kAdminCease, kCease, cease_subcode}, out);
  reap(p, out);
  if (p.established()) session_down(p, out);
  drop_peer_paths(p, false);
  cancel(out, p.id, 0, TimerKind::kConnectRetry);
  cancel(out, p.id, 0, TimerKind::kGracefulRestart);
  cancel(out, p.id, 0, TimerKind::kMaxPrefixRestart);
  spdlog::info("peer {} removed", addr.to_string());
  by_address_.erase(it);
  const PeerId id = p.id;
  flush(out);
  peers_[id].reset();
}

void Speaker::shutdown(Output& out) {
  for (auto& up : peers_) {
    if (!up || up->id == kLocalPeer) continue;
    Peer& p = *up;
    p.admin_up = false;
    for (auto& c : p.conns) feed(p, c, FsmEvent{FsmEventType::kManualStop}, out);
    reap(p, out);
    cancel(out, p.id, 0, TimerKind::kConnectRetry);
    cancel(out, p.id, 0, TimerKind::kMaxPrefixRestart);
  }
  flush(out);
}

void Speaker::reset_peer(const IpAddress& addr, uint8_t cease_subcode, Output& out) {
  auto it = by_address_.find(addr);
  if (it == by_address_.end()) return;
  Peer& p = *peers_[it->second];
  for (auto& c : p.conns) feed(p, c, FsmEvent{FsmEventType::kAdminCease, kCease, cease_subcode}, out);
  p.admin_up = true;
  clear_max_prefix_trip(p, out);
  reap(p, out);
  flush(out);
  sweep_dynamic(out);  // a dynamic peer reset is removed (it may connect again)
}

void Speaker::clear_max_prefix_trip(Peer& p, Output& out) {
  if (p.max_prefix_restart_at != TimePoint{}) cancel(out, p.id, 0, TimerKind::kMaxPrefixRestart);
  p.max_prefix_tripped = false;
  p.max_prefix_restart_at = TimePoint{};
}

void Speaker::feed(Peer& p, Connection& c, const FsmEvent& e, Output& out) {
  if (c.dropped) return;
  const FsmState before = c.fsm.state();
  auto acts = c.fsm.handle(e, p.cfg.passive);
  if (c.fsm.state() != before)
    spdlog::debug("peer {} conn {}: {} --{}--> {}", p.cfg.address.to_string(), c.id, to_string(before),
                  to_string(e.type), to_string(c.fsm.state()));
  run_actions(p, c, acts, out);
}

void Speaker::run_actions(Peer& p, Connection& c, const std::vector<FsmAction>& acts, Output& out) {
  using A = FsmActionType;
  for (const FsmAction& a : acts) {
    switch (a.type) {
      case A::kConnect:
        break;  // outbound attempts are created by the peer (new_outbound), not per connection
      case A::kDropConnection:
      case A::kAbortConnection:
        if (!c.dropped) {
          c.dropped = true;
          out.io.push_back(CloseRequest{c.id, a.type == A::kAbortConnection});
          cancel(out, p.id, c.id, TimerKind::kHold);
          cancel(out, p.id, c.id, TimerKind::kKeepalive);
          if (c.send_hold_seconds) cancel(out, p.id, c.id, TimerKind::kSendHold);
        }
        break;
      case A::kSendOpen: send(out, p, c, build_open(local_settings(p))); break;
      case A::kSendKeepalive:
        send(out, p, c, wire::Keepalive{});
        ++p.counters.keepalives_out;
        break;
      case A::kSendNotification: {
        wire::Notification n{a.code, a.subcode, a.data};
        if (a.code == kCease && a.subcode == 1 && p.cfg.max_prefixes) {
          // RFC 4486 §4: AFI, SAFI and the upper bound. The limit counts every family of the
          // session; the one named is l2vpn-evpn when negotiated, else the first one.
          const uint32_t m = *p.cfg.max_prefixes;
          const AfiSafi f = p.neg.has_family(kL2vpnEvpn) || p.neg.families.empty() ? kL2vpnEvpn : p.neg.families.front();
          const auto afi = static_cast<uint16_t>(f.afi);
          n.data = {uint8_t(afi >> 8), uint8_t(afi), static_cast<uint8_t>(f.safi),
                    uint8_t(m >> 24), uint8_t(m >> 16), uint8_t(m >> 8), uint8_t(m)};
        }
        send(out, p, c, n);
        if (p.session == c.id) p.session_notified = true;
        ++p.counters.notifications_out;
        p.last_error = std::string("sent ") + n.to_string();
        spdlog::warn("peer {}: sent NOTIFICATION {}", p.cfg.address.to_string(), n.to_string());
        break;
      }
      case A::kStartConnectRetryTimer:
        if (!p.cfg.passive) arm(out, p.id, 0, TimerKind::kConnectRetry, secs(p.cfg.connect_retry));
        break;
      case A::kStopConnectRetryTimer: cancel(out, p.id, 0, TimerKind::kConnectRetry); break;
      case A::kStartHoldTimerLarge:
        c.last_rx = now_;
        c.hold_seconds = static_cast<uint16_t>(kLargeHold.count());
        arm(out, p.id, c.id, TimerKind::kHold, kLargeHold);
        break;
      case A::kStartHoldTimer:
        c.last_rx = now_;
        c.hold_seconds = c.negotiated ? c.negotiated->hold_time : 0;
        if (c.hold_seconds) arm(out, p.id, c.id, TimerKind::kHold, secs(c.hold_seconds));
        else cancel(out, p.id, c.id, TimerKind::kHold);
        break;
      case A::kStartKeepaliveTimer:
        if (c.negotiated && c.negotiated->keepalive)
          arm(out, p.id, c.id, TimerKind::kKeepalive, secs(c.negotiated->keepalive));
        break;
      case A::kStopTimers:
        cancel(out, p.id, c.id, TimerKind::kHold);
        cancel(out, p.id, c.id, TimerKind::kKeepalive);
        if (c.send_hold_seconds) cancel(out, p.id, c.id, TimerKind::kSendHold);
        c.send_hold_seconds = 0;
        break;
      case A::kSessionEstablished: session_up(p, c, out); break;
      case A::kSessionDown:
        if (p.session == c.id) session_down(p, out);
        break;
      case A::kProcessMessage: break;  // the caller processes the message
      case A::kRestartHoldTimer: c.last_rx = now_; break;
      case A::kIncrementRetryCounter: break;
    }
  }
}

// Removes dropped connections; when none is left, the peer waits for the retry timer.
void Speaker::reap(Peer& p, Output& out) {
  for (auto it = p.conns.begin(); it != p.conns.end();) {
    if (it->dropped) {
      by_conn_.erase(it->id);
      it = p.conns.erase(it);
    } else {
      ++it;
    }
  }
  if (p.conns.empty() && p.admin_up && !p.cfg.passive)
    arm(out, p.id, 0, TimerKind::kConnectRetry, secs(p.cfg.connect_retry));
  if (p.conns.empty() && p.cfg.dynamic) dynamic_.candidates.push_back(p.id);  // sweep_dynamic()
}

void Speaker::on_connected(ConnId id, Output& out, std::optional<IpAddress> local) {
  Connection* c = nullptr;
  Peer* p = peer_by_conn(id, &c);
  if (!p) {
    out.io.push_back(CloseRequest{id});
    return;
  }
  c->local = local;
  feed(*p, *c, FsmEvent{FsmEventType::kTcpCrAcked}, out);
  reap(*p, out);
  flush(out);
}

void Speaker::on_connect_failed(ConnId id, Output& out) {
  Connection* c = nullptr;
  Peer* p = peer_by_conn(id, &c);
  if (!p) return;
  c->dropped = true;  // the socket is already gone; nothing to close
  by_conn_.erase(id);
  p->conns.erase(std::remove_if(p->conns.begin(), p->conns.end(), [id](const Connection& x) { return x.id == id; }),
                 p->conns.end());
  reap(*p, out);
}

bool Speaker::on_accepted(ConnId id, const IpAddress& remote, Output& out, std::optional<IpAddress> local) {
  auto it = by_address_.find(remote);
  if (it == by_address_.end()) {
    if (!add_dynamic_peer(remote, out)) return false;  // inside no listen range, or it is full
    it = by_address_.find(remote);
  }
  Peer& p = *peers_[it->second];
  if (!p.admin_up || p.conns.size() >= 2) return false;
  Connection c;
  c.id = id;
  c.inbound = true;
  c.local = local;
  c.fsm = Fsm(FsmState::kActive);
  p.conns.push_back(c);
  by_conn_[id] = p.id;
  feed(p, p.conns.back(), FsmEvent{FsmEventType::kTcpConnectionConfirmed}, out);
  reap(p, out);
  flush(out);
  sweep_dynamic(out);
  return true;
}

void Speaker::on_closed(ConnId id, Output& out) {
  Connection* c = nullptr;
  Peer* p = peer_by_conn(id, &c);
  if (!p) return;
  if (p->session == id) p->last_error = "connection closed by peer";
  feed(*p, *c, FsmEvent{FsmEventType::kTcpConnectionFails}, out);
  c->dropped = true;
  reap(*p, out);
  flush(out);
  sweep_dynamic(out);
}

void Speaker::on_timer(const TimerKey& k, Output& out) {
  Peer* p = peer_mut(k.peer);
  if (!p) return;
  switch (k.kind) {
    case TimerKind::kConnectRetry: {
      if (!p->admin_up || p->cfg.passive || p->established()) break;
      // A connect still pending after the retry interval is abandoned and tried again.
      for (auto& c : p->conns) {
        if (!c.inbound && c.fsm.state() == FsmState::kConnect) {
          c.dropped = true;
          out.io.push_back(CloseRequest{c.id});
        }
      }
      reap(*p, out);
      const bool busy = std::any_of(p->conns.begin(), p->conns.end(), [](const Connection& c) { return !c.inbound; });
      if (!busy) new_outbound(*p, out);
      break;
    }
    case TimerKind::kHold: {
      Connection* c = p->conn(k.conn);
      if (!c || c->dropped || !c->hold_seconds) break;
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - c->last_rx);
      const auto hold = secs(c->hold_seconds);
      if (elapsed < hold) {
        arm(out, p->id, c->id, TimerKind::kHold, hold - elapsed);  // lazy restart (see kRestartHoldTimer)
        break;
      }
      p->last_error = "hold timer expired";
      feed(*p, *c, FsmEvent{FsmEventType::kHoldTimerExpires}, out);
      reap(*p, out);
      break;
    }
    case TimerKind::kKeepalive: {
      Connection* c = p->conn(k.conn);
      if (!c || c->dropped) break;
      feed(*p, *c, FsmEvent{FsmEventType::kKeepaliveTimerExpires}, out);
      break;
    }
    case TimerKind::kSendHold:
      if (Connection* c = p->conn(k.conn)) on_send_hold_timer(*p, *c, out);
      break;
    case TimerKind::kGracefulRestart:
      // RFC 4724 §4.2: the peer did not come back within its restart time, or came back and
      // sent no End-of-RIB within stale_time: its stale routes go.
      if (p->stale_routes) {
        if (p->gr_waiting_eor)
          spdlog::warn("peer {}: stale time ({} s) expired before its End-of-RIB, removing {} stale routes",
                       p->cfg.address.to_string(), cfg_.stale_time, p->stale_routes);
        else
          spdlog::warn("peer {}: restart time ({} s) expired without the session coming back, removing {} stale routes",
                       p->cfg.address.to_string(), p->neg.peer_restart_time, p->stale_routes);
        drop_peer_paths(*p, true);
      }
      p->gr_waiting_eor = false;
      p->stale_families.clear();
      break;
    case TimerKind::kSelectionDeferral:
      defer_armed_ = TimePoint{};  // flush() below decides: over, or armed again
      break;
    case TimerKind::kMaxPrefixRestart:
      // The restart interval after a max-prefix trip is over: ManualStart again (the session
      // may trip again, which re-arms this timer).
      if (!p->max_prefix_tripped || p->admin_up || p->max_prefix_restart_at == TimePoint{}) break;
      spdlog::info("peer {}: max-prefix restart interval ({} s) over, starting the session again",
                   p->cfg.address.to_string(), p->cfg.max_prefix_restart);
      p->admin_up = true;
      p->max_prefix_tripped = false;
      p->max_prefix_restart_at = TimePoint{};
      reap(*p, out);
      if (!p->cfg.passive && p->conns.empty()) new_outbound(*p, out);
      break;
  }
  // A dynamic peer whose stale routes just went (kGracefulRestart) may be over now.
  if (p->cfg.dynamic && p->conns.empty()) dynamic_.candidates.push_back(p->id);
  flush(out);
  sweep_dynamic(out);
}

void Speaker::on_data(ConnId id, ByteView data, Output& out) {
  Connection* c = nullptr;
  Peer* p = peer_by_conn(id, &c);
  if (!p) return;
  c->last_rx = now_;
  size_t pos = 0;
  while (pos < data.size() && !c->dropped) {
    auto len = wire::peek_header(data.subspan(pos), c->decode_ctx);
    const bool whole = len && pos + *len <= data.size();
    tl::expected<wire::Message, wire::DecodeError> m =
        !len ? tl::expected<wire::Message, wire::DecodeError>(tl::unexpected(len.error()))
             : wire::decode_message(data.subspan(pos, whole ? *len : data.size() - pos), c->decode_ctx);
    ++p->counters.messages_in;
    if (!m) {
      auto& e = m.error();
      p->last_error = "decode error: " + e.reason;
      ++p->counters.malformed_session_reset;
      // RFC 7606 §6: log the error and the entire malformed message (the header alone when
      // the header is what is wrong: its length cannot be trusted).
      const size_t shown = whole ? *len : std::min(data.size() - pos, wire::kHeaderSize);
      spdlog::warn("peer {}: malformed message, session reset: {} ({}); message: {}", p->cfg.address.to_string(),
                   e.reason, wire::notify_subcode_name(e.code, e.subcode), to_hex(data.subspan(pos, shown)));
      FsmEventType t = e.code == static_cast<uint8_t>(wire::NotifyCode::kOpenMessage) ? FsmEventType::kBgpOpenMsgErr
                       : e.code == static_cast<uint8_t>(wire::NotifyCode::kUpdateMessage) ? FsmEventType::kUpdateMsgErr
                                                                                            : FsmEventType::kBgpHeaderErr;
      // RFC 4271 §6: the NOTIFICATION carries the data the error names (Length/Type field,
      // supported version, the offending attribute...).
      FsmEvent ev{t, e.code, e.subcode, std::move(e.data)};
      // RFC 4760 §7: after an incorrect MP_REACH/MP_UNREACH the neighbour's routes of the
      // AFI/SAFI MUST be deleted: the NOTIFICATION this sends makes session_down() delete them
      // even with graceful restart (RFC 4724 §4).
      feed(*p, *c, ev, out);
      break;
    }
    if (auto* u = std::get_if<wire::Update>(&*m); u && !u->errors.empty()) {
      // RFC 7606 §6: the entire malformed UPDATE goes to the log (the errors themselves and the
      // NLRI involved are logged where they are handled, process_update()).
      spdlog::warn("peer {}: malformed UPDATE ({} error(s)): {}", p->cfg.address.to_string(), u->errors.size(),
                   to_hex(data.subspan(pos, *len)));
    }
    pos += *len;
    handle_message(*p, *c, *m, out);
  }
  reap(*p, out);
  flush(out);
  sweep_dynamic(out);
}

void Speaker::handle_message(Peer& p, Connection& c, wire::Message& m, Output& out) {
  if (auto* open = std::get_if<wire::Open>(&m)) return handle_open(p, c, *open, out);
  if (std::holds_alternative<wire::Keepalive>(m)) {
    ++p.counters.keepalives_in;
    return feed(p, c, FsmEvent{FsmEventType::kKeepAliveMsg}, out);
  }
  if (auto* n = std::get_if<wire::Notification>(&m)) {
    ++p.counters.notifications_in;
    p.last_error = "received " + n->to_string();
    spdlog::warn("peer {}: received NOTIFICATION {}", p.cfg.address.to_string(), n->to_string());
    if (p.session == c.id) p.session_notified = true;
    return feed(p, c, FsmEvent{FsmEventType::kNotifMsg}, out);
  }
  // UPDATE and ROUTE-REFRESH: valid in Established only.
  const bool established = c.fsm.state() == FsmState::kEstablished;
  feed(p, c, FsmEvent{FsmEventType::kUpdateMsg}, out);
  if (!established || c.dropped) return;
  if (auto* u = std::get_if<wire::Update>(&m)) process_update(p, *u, out);
  else if (auto* rr = std::get_if<wire::RouteRefresh>(&m)) process_route_refresh(p, *rr, out);
}

void Speaker::handle_open(Peer& p, Connection& c, const wire::Open& open, Output& out) {
  if (c.fsm.state() != FsmState::kOpenSent) return feed(p, c, FsmEvent{FsmEventType::kBgpOpen}, out);  // FSM error
  PeerExpectation expect{p.cfg.remote_as, cfg_.router_id};
  auto neg = negotiate(local_settings(p), expect, open, p.cfg.keepalive);
  if (!neg) {
    p.last_error = "bad OPEN: " + neg.error().reason;
    spdlog::warn("peer {}: bad OPEN: {}", p.cfg.address.to_string(), neg.error().reason);
    FsmEvent e{FsmEventType::kBgpOpenMsgErr, neg.error().code, neg.error().subcode, neg.error().data};
    return feed(p, c, e, out);
  }
  // RFC 4271 §6.8 collision detection against the other connection of this peer.
  for (auto& other : p.conns) {
    if (other.id == c.id || other.dropped) continue;
    if (other.fsm.state() == FsmState::kEstablished) {
      if (p.neg.graceful_restart) {
        // RFC 4724 §4.2: an OPEN on a new connection means the peer restarted; the old session
        // is gone (its routes become stale) and the new connection proceeds.
        spdlog::info("peer {}: new OPEN while established, peer restarted", p.cfg.address.to_string());
        feed(p, other, FsmEvent{FsmEventType::kTcpConnectionFails}, out);
        continue;
      }
      return feed(p, c, FsmEvent{FsmEventType::kOpenCollisionDump}, out);
    }
    if (other.fsm.state() == FsmState::kOpenConfirm) {
      // The connection opened by the speaker with the higher BGP identifier survives.
      const bool local_higher = cfg_.router_id.v4_host_order() > open.bgp_id.v4_host_order();
      Connection& loser = (local_higher == other.inbound) ? other : c;
      spdlog::info("peer {}: connection collision, closing the {} connection", p.cfg.address.to_string(),
                   loser.inbound ? "inbound" : "outbound");
      feed(p, loser, FsmEvent{FsmEventType::kOpenCollisionDump}, out);
      if (&loser == &c) return;
    }
  }
  c.negotiated = *neg;
  c.decode_ctx = neg->decode_context(p.role == PeerRole::kEbgp);
  c.decode_ctx.nlri_error_withdraw = p.cfg.nlri_error_withdraw;  // RFC 7606 §5.3 leniency, opt-in
  feed(p, c, FsmEvent{FsmEventType::kBgpOpen}, out);
}

void Speaker::session_up(Peer& p, Connection& c, Output& out) {
  p.session = c.id;
  p.neg = *c.negotiated;
  p.established_at = now_;
  p.facts.router_id = p.neg.peer_router_id;
  p.last_error.clear();
  p.session_notified = false;
  p.eor_missing = p.neg.families;
  cancel(out, p.id, 0, TimerKind::kConnectRetry);
  // Drop a still-pending outbound attempt or half-open second connection.
  for (auto& other : p.conns)
    if (other.id != c.id && other.fsm.state() < FsmState::kOpenSent) {
      other.dropped = true;
      out.io.push_back(CloseRequest{other.id});
    }
  // RFC 9687 §3.3: the send hold timer starts on entering Established, unless the send hold
  // time or the negotiated hold time is zero; §4: default max(8 min, 2 x HoldTime).
  c.send_hold_seconds = p.neg.hold_time == 0 ? 0
                        : p.cfg.send_hold_time ? *p.cfg.send_hold_time
                                               : std::max<uint32_t>(kDefaultSendHold, 2u * p.neg.hold_time);
  c.last_tx = now_;
  if (c.send_hold_seconds) arm(out, p.id, c.id, TimerKind::kSendHold, secs(c.send_hold_seconds));
  spdlog::info("peer {} AS{} Established (hold {}s, send hold {}s, families {}{}{})", p.cfg.address.to_string(),
               p.neg.peer_as, p.neg.hold_time, c.send_hold_seconds, p.neg.families.size(),
               p.neg.graceful_restart ? ", graceful-restart" : "", p.neg.extended_message ? ", extended-message" : "");
  if (p.stale_routes) {
    // RFC 4724 §4.2, per family: keep the stale routes until that family's End-of-RIB, bounded
    // by the stale timer; a family whose forwarding state the peer lost (F bit clear / family
    // not listed) gets its stale routes removed now.
    p.stale_families.clear();
    for (AfiSafi f : kRibFamilies) {
      const bool kept = p.neg.graceful_restart && listed(p.neg.gr_preserved, f) && p.neg.has_family(f);
      if (kept) p.stale_families.push_back(f);
      else drop_peer_paths(p, true, f);
    }
    if (p.stale_routes && !p.stale_families.empty()) {
      p.gr_waiting_eor = true;
      arm(out, p.id, 0, TimerKind::kGracefulRestart, secs(cfg_.stale_time));
    } else {
      p.stale_families.clear();
    }
  }
  join_group(p);
}

void Speaker::session_down(Peer& p, Output& out) {
  spdlog::warn("peer {} left Established: {}", p.cfg.address.to_string(), p.last_error);
  ++p.counters.session_resets;
  p.session = 0;
  p.down_at = now_;
  leave_group(p);
  // RFC 4724 §4: routes are retained across a TCP failure only; a session terminated by
  // sending or receiving a NOTIFICATION (hold-timer expiry included: it sends one) follows the
  // normal BGP procedures, which delete them. (RFC 8538's N bit would keep them except on a
  // Hard Reset; evpnd does not advertise it, so it is never negotiated.)
  // RFC 4724 §4.2: only the families listed in the peer's capability are retained; the routes
  // of the others are deleted at once.
  std::vector<AfiSafi> keep;
  if (p.neg.graceful_restart && p.admin_up && !p.session_notified)
    for (AfiSafi f : kRibFamilies)
      if (listed(p.neg.gr_families, f)) keep.push_back(f);
  if (p.session_notified && p.neg.graceful_restart)
    spdlog::info("peer {}: session ended with a NOTIFICATION, deleting its routes (RFC 4724 §4)",
                 p.cfg.address.to_string());
  p.session_notified = false;
  if (!keep.empty()) {
    if (p.stale_routes) {
      // RFC 4724 §4.2: "To deal with possible consecutive restarts, a route (from the peer)
      // previously marked as stale MUST be deleted." (lost again before its End-of-RIB).
      spdlog::warn("peer {}: session lost again before End-of-RIB, deleting {} routes still stale (RFC 4724 §4.2)",
                   p.cfg.address.to_string(), p.stale_routes);
      drop_peer_paths(p, true);
    }
    p.gr_waiting_eor = false;
    p.stale_families.clear();
    for (AfiSafi f : kRibFamilies)
      if (!listed(keep, f)) drop_peer_paths(p, false, f);
    mark_stale(p, keep);
    arm(out, p.id, 0, TimerKind::kGracefulRestart, secs(std::max<uint16_t>(p.neg.peer_restart_time, 1)));
  } else {
    drop_peer_paths(p, false);
    p.gr_waiting_eor = false;
    p.stale_families.clear();
    cancel(out, p.id, 0, TimerKind::kGracefulRestart);
  }
}

}  // namespace evpnd::bgp

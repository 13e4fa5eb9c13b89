// Test harness: an Engine and CE speakers (plain bgp::Speakers) wired together in memory. A
// "socket" is a pair of ConnIds, one on each side; a ConnectRequest of instance N is answered
// by the CE registered for N (ce_of_instance_), which accepts it as 10.0.0.1.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "engine/engine.hpp"

namespace evpnd::engine {

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }
inline const TimePoint kNow = TimePoint{} + std::chrono::seconds(100);

inline bgp::SpeakerConfig leaf_speaker() {
  bgp::SpeakerConfig s;
  s.asn = 65000;
  s.router_id = ip("10.0.0.1");
  s.graceful_restart = false;
  return s;
}

// A CE: a speaker of its own, passive, with one peer (the leaf).
struct Ce {
  // `tweak` adjusts the CE's view of the leaf (families, policy).
  Ce(const char* router_id, Asn asn, const std::function<void(bgp::PeerConfig&)>& tweak = {}) : sp([&] {
      bgp::SpeakerConfig s;
      s.asn = asn;
      s.router_id = ip(router_id);
      s.graceful_restart = false;
      return s;
    }()) {
    bgp::PeerConfig p;
    p.address = ip("10.0.0.1");
    p.remote_as = 65000;
    p.passive = true;
    if (tweak) tweak(p);
    bgp::Output o;
    sp.add_peer(p, o);
  }
  bgp::Speaker sp;
  const bgp::Peer& leaf() const { return *sp.find_peer(ip("10.0.0.1")); }
};

class CeHarness : public ::testing::Test {
 protected:
  explicit CeHarness(Engine& e) : engine(e) {}
  Engine& engine;
  // Our connection id -> (CE, the CE's id for it).
  std::map<ConnId, std::pair<Ce*, ConnId>> wire_;
  std::vector<std::function<void()>> pending_;
  std::vector<bgp::ConnectRequest> connects_;
  std::vector<bgp::TimerRequest> timers_;
  std::vector<dataplane::Intent> intents_;
  ConnId ce_conn_ = bgp::kInboundConnBase + 1000;
  // Which CE answers a connect in which instance (by ConnId >> 32).
  std::map<uint16_t, Ce*> ce_of_instance_;

  Effects handle(decltype(Event::body) b) {
    Effects fx = engine.handle(Event{kNow, std::move(b)});
    carry(fx);
    return fx;
  }
  void carry(const Effects& fx) {
    intents_.insert(intents_.end(), fx.intents.begin(), fx.intents.end());
    timers_.insert(timers_.end(), fx.timers.begin(), fx.timers.end());
    for (const auto& op : fx.io) {
      if (const auto* s = std::get_if<bgp::SendRequest>(&op)) {
        auto it = wire_.find(s->conn);
        if (it == wire_.end()) continue;
        Bytes bytes(s->data->begin(), s->data->end());
        Ce* ce = it->second.first;
        const ConnId theirs = it->second.second, ours = s->conn;
        pending_.push_back([this, ce, theirs, ours, bytes] {
          bgp::Output o;
          ce->sp.on_data(theirs, ByteView(bytes.data(), bytes.size()), o);
          from_ce(o, ours);
        });
      } else if (const auto* c = std::get_if<bgp::ConnectRequest>(&op)) {
        connects_.push_back(*c);
        auto ce = ce_of_instance_.find(static_cast<uint16_t>(c->conn >> 32));
        if (ce == ce_of_instance_.end()) continue;
        const ConnId ours = c->conn, theirs = ++ce_conn_;
        Ce* x = ce->second;
        wire_[ours] = {x, theirs};
        pending_.push_back([this, x, ours, theirs] {
          bgp::Output o;
          ASSERT_TRUE(x->sp.on_accepted(theirs, ip("10.0.0.1"), o, x->sp.config().router_id));
          from_ce(o, ours);
          handle(ev::Connected{ours, ip("10.0.0.1")});
        });
      }
    }
  }
  void from_ce(const bgp::Output& o, ConnId ours) {
    for (const auto& op : o.io)
      if (const auto* s = std::get_if<bgp::SendRequest>(&op)) {
        Bytes bytes(s->data->begin(), s->data->end());
        pending_.push_back([this, ours, bytes] { handle(ev::Data{ours, ByteView(bytes.data(), bytes.size())}); });
      }
  }
  // Sends what `ce` has to say after local changes (originate / withdraw_local) to the engine.
  void ce_flush(Ce& ce) {
    bgp::Output o;
    ce.sp.flush(o);
    for (const auto& [ours, w] : wire_)
      if (w.first == &ce) from_ce(o, ours);
    pump();
  }
  void pump() {
    for (int i = 0; i < 1000 && !pending_.empty(); ++i) {
      auto f = std::move(pending_.front());
      pending_.erase(pending_.begin());
      f();
    }
  }
  static bgp::PeerConfig ce_peer(const char* addr, Asn as) {
    bgp::PeerConfig p;
    p.address = ip(addr);
    p.remote_as = as;
    p.hold_time = 90;
    return p;
  }
};

}  // namespace evpnd::engine

// An in-memory network of pure Speakers for tests: connects ConnectRequests to the speaker
// owning the remote address, delivers sends in order, fires timers when time advances.
#pragma once

#include <deque>
#include <map>
#include <memory>

#include "bgp/speaker.hpp"
#include "test_util.hpp"

namespace evpnd::bgp::test {

class SimNet {
 public:
  struct Node {
    IpAddress address;
    SpeakerConfig config;
    std::unique_ptr<Speaker> speaker;
    std::map<TimerKey, TimePoint> timers;
    bool isolated = false;  // connections to and from it fail
  };

  Speaker& add(const char* address, Asn asn, const char* router_id) {
    SpeakerConfig c;
    c.asn = asn;
    c.router_id = ip(router_id);
    return add(address, c);
  }
  Speaker& add(const char* address, const SpeakerConfig& c) {
    auto n = std::make_unique<Node>();
    n->address = ip(address);
    n->config = c;
    n->speaker = std::make_unique<Speaker>(c);
    nodes_.push_back(std::move(n));
    return *nodes_.back()->speaker;
  }
  // kill -9 of `s`: its connections close under its peers, its state is gone; returns the new,
  // empty speaker of the node (peers not added yet: the caller starts it).
  Speaker& crash(Speaker& s) {
    Node& n = node(s);
    for (auto it = links_.begin(); it != links_.end();) {
      if (it->first.first != &n) {
        ++it;
        continue;
      }
      const End e = it->second;
      links_.erase({e.node, e.conn});
      it = links_.erase(it);
      Output o;
      e.node->speaker->set_now(now_);
      e.node->speaker->on_closed(e.conn, o);
      queue_.push_back({e.node, std::move(o)});
    }
    n.timers.clear();
    n.speaker = std::make_unique<Speaker>(n.config);
    run();
    return *n.speaker;
  }
  void isolate(Speaker& s, bool on) { node(s).isolated = on; }
  Node& node(Speaker& s) {
    for (auto& n : nodes_)
      if (n->speaker.get() == &s) return *n;
    throw std::logic_error("no node");
  }
  // Runs `f` (an input to `s`), then delivers everything that follows until quiet.
  template <typename F>
  void input(Speaker& s, F&& f) {
    Output out;
    s.set_now(now_);
    f(out);
    queue_.push_back({&node(s), std::move(out)});
    run();
  }
  void advance(std::chrono::milliseconds d) {
    const TimePoint end = now_ + d;
    for (;;) {
      Node* due_node = nullptr;
      TimerKey due_key{};
      TimePoint due = end;
      for (auto& n : nodes_)
        for (auto& [k, t] : n->timers)
          if (t <= due) due = t, due_node = n.get(), due_key = k;
      if (!due_node) break;
      now_ = due;
      due_node->timers.erase(due_key);
      input(*due_node->speaker, [&](Output& o) { due_node->speaker->on_timer(due_key, o); });
    }
    now_ = end;
  }
  TimePoint now() const { return now_; }
  size_t sends_seen = 0;

 private:
  struct Pending {
    Node* from;
    Output out;
  };
  struct End {
    Node* node;
    ConnId conn;
  };
  void run() {
    while (!queue_.empty()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      for (auto& t : p.out.timers) {
        if (t.delay) p.from->timers[t.key] = now_ + *t.delay;
        else p.from->timers.erase(t.key);
      }
      for (auto& op : p.out.io) deliver(p.from, op);
    }
  }
  void deliver(Node* from, const IoOp& op) {
    if (auto* c = std::get_if<ConnectRequest>(&op)) {
      Node* to = nullptr;
      for (auto& n : nodes_)
        if (n->address == c->remote) to = n.get();
      const ConnId in = next_inbound_++;
      bool ok = false;
      if (to && !to->isolated && !from->isolated) {
        Output o;
        to->speaker->set_now(now_);
        ok = to->speaker->on_accepted(in, from->address, o);
        if (ok) {
          links_[{from, c->conn}] = End{to, in};
          links_[{to, in}] = End{from, c->conn};
        }
        queue_.push_back({to, std::move(o)});
      }
      Output o;
      from->speaker->set_now(now_);
      if (ok) from->speaker->on_connected(c->conn, o); else from->speaker->on_connect_failed(c->conn, o);
      queue_.push_back({from, std::move(o)});
    } else if (auto* s = std::get_if<SendRequest>(&op)) {
      auto it = links_.find({from, s->conn});
      if (it == links_.end()) return;
      ++sends_seen;
      End e = it->second;
      Output o;
      e.node->speaker->set_now(now_);
      e.node->speaker->on_data(e.conn, ByteView(*s->data), o);
      queue_.push_back({e.node, std::move(o)});
    } else if (auto* cl = std::get_if<CloseRequest>(&op)) {
      auto it = links_.find({from, cl->conn});
      if (it == links_.end()) return;
      End e = it->second;
      links_.erase(it);
      links_.erase({e.node, e.conn});
      Output o;
      e.node->speaker->set_now(now_);
      e.node->speaker->on_closed(e.conn, o);
      queue_.push_back({e.node, std::move(o)});
    }
  }

  std::vector<std::unique_ptr<Node>> nodes_;
  std::deque<Pending> queue_;
  std::map<std::pair<Node*, ConnId>, End> links_;
  ConnId next_inbound_ = kInboundConnBase;
  TimePoint now_{};
};

inline PeerConfig peer(const char* addr, Asn as, bool client = false, bool passive = false) {
  PeerConfig p;
  p.address = ip(addr);
  p.remote_as = as;
  p.route_reflector_client = client;
  p.passive = passive;
  p.hold_time = 9;
  p.connect_retry = 1;
  return p;
}

inline bool established(const Speaker& s, const char* addr) {
  const Peer* p = s.find_peer(ip(addr));
  return p && p->established();
}

inline const Path* best_of(const Speaker& s, const wire::EvpnRoute& r) {
  const DestId d = s.table().find(r);
  return d == kNoDest ? nullptr : s.table().at(d).best_path();
}

}  // namespace evpnd::bgp::test

// An in-memory network of pure Speakers for tests: connects ConnectRequests to the speaker
// owning the remote address, delivers sends in order, fires timers when time advances.
//
// Output progress: every delivered send is reported back to its sender (Speaker::on_sent), as
// PeerIo reports what the socket took. stall_reader(s) models a peer that stops reading (TCP
// window closed): sends to it are held, unreported, in order, and its hold timer does not run
// (the check would happen on read); its keepalives still go out. resume_reader() delivers the
// backlog and reports it. An abort close (RFC 9687) discards the held backlog, as a reset does.
// freeze(s) models a node that went silent without closing its connections (hung process, cut
// link): what it sends and what is sent to it is lost, its timers do not fire, no close reaches
// it; its peers notice only by their hold timers.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>

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
    bool frozen = false;    // see freeze()
  };

  Speaker& add(const char* address, Asn asn, const char* router_id, size_t output_queue_limit = 0) {
    SpeakerConfig c;
    c.asn = asn;
    c.router_id = ip(router_id);
    if (output_queue_limit) c.output_queue_limit = output_queue_limit;
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
  void freeze(Speaker& s) { node(s).frozen = node(s).isolated = true; }
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
          if (t <= due && !n->frozen && !(k.kind == TimerKind::kHold && stalled_.count(n.get())))
            due = t, due_node = n.get(), due_key = k;
      if (!due_node) break;
      now_ = due;
      due_node->timers.erase(due_key);
      input(*due_node->speaker, [&](Output& o) { due_node->speaker->on_timer(due_key, o); });
    }
    now_ = end;
  }
  TimePoint now() const { return now_; }
  size_t sends_seen = 0;

  void stall_reader(Speaker& s) { stalled_.insert(&node(s)); }
  void resume_reader(Speaker& s) {
    Node* n = &node(s);
    stalled_.erase(n);
    auto backlog = std::move(held_[n]);
    held_.erase(n);
    held_bytes_.erase(n);
    for (auto& h : backlog) {
      Output o;
      o.io.push_back(SendRequest{h.conn, h.data});
      queue_.push_back({h.from, std::move(o)});
    }
    run();
  }
  // Bytes held for a stalled reader, and the most ever held at once.
  size_t held_bytes(Speaker& s) { return held_bytes_[&node(s)]; }
  size_t max_held_bytes(Speaker& s) { return max_held_[&node(s)]; }
  // Sees every message sequence delivered to a node (after a stall: when resumed).
  std::function<void(Speaker& to, ByteView bytes)> on_deliver;
  // Sees every Output a node produced, before it is carried out.
  std::function<void(Speaker& from, const Output& out)> on_output;

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
      if (on_output) on_output(*p.from->speaker, p.out);
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
      End e = it->second;
      if (from->frozen || e.node->frozen) return;
      if (stalled_.count(e.node)) {
        held_[e.node].push_back(Held{from, s->conn, s->data});
        held_bytes_[e.node] += s->data->size();
        max_held_[e.node] = std::max(max_held_[e.node], held_bytes_[e.node]);
        return;
      }
      ++sends_seen;
      if (on_deliver) on_deliver(*e.node->speaker, ByteView(*s->data));
      Output o;
      e.node->speaker->set_now(now_);
      e.node->speaker->on_data(e.conn, ByteView(*s->data), o);
      queue_.push_back({e.node, std::move(o)});
      Output sent;
      from->speaker->set_now(now_);
      from->speaker->on_sent(s->conn, s->data->size(), sent);
      queue_.push_back({from, std::move(sent)});
    } else if (auto* cl = std::get_if<CloseRequest>(&op)) {
      auto it = links_.find({from, cl->conn});
      if (it == links_.end()) return;
      End e = it->second;
      links_.erase(it);
      links_.erase({e.node, e.conn});
      if (cl->abort) {  // a reset: what the stalled reader never took is gone
        auto& h = held_[e.node];
        for (auto x = h.begin(); x != h.end();) {
          if (x->from == from && x->conn == cl->conn) {
            held_bytes_[e.node] -= x->data->size();
            x = h.erase(x);
          } else {
            ++x;
          }
        }
      }
      if (e.node->frozen) return;
      Output o;
      e.node->speaker->set_now(now_);
      e.node->speaker->on_closed(e.conn, o);
      queue_.push_back({e.node, std::move(o)});
    }
  }

  struct Held {
    Node* from;
    ConnId conn;
    Chunk data;
  };
  std::set<Node*> stalled_;
  std::map<Node*, std::deque<Held>> held_;
  std::map<Node*, size_t> held_bytes_, max_held_;
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

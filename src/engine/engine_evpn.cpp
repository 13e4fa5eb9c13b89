// Engine: the EVPN half (leaf role). EvpnService inputs from data-plane events, timers and API
// actions; its RouteUpdates go into the speaker, its intents into Effects; Loc-RIB best-path
// changes come back through RibTap.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "engine/engine.hpp"

namespace evpnd::engine {

// Told about every Loc-RIB best-path change during Speaker::flush(). It must not touch the
// speaker (we are inside its flush): EvpnService's answer is parked in Engine::pending_.
class Engine::RibTap final : public bgp::LocRibListener {
 public:
  explicit RibTap(Engine& e) : e_(e) {}
  void on_best_path_changed(const wire::EvpnRoute& route, const bgp::Path* best, bgp::PeerRole from) override {
    if (!e_.evpn_) return;
    ++e_.counters_.remote_best_changes;
    if (best && from != bgp::PeerRole::kLocal) {
      // The path's own NLRI: labels (L2VNI/L3VNI) may differ between paths of one route key.
      e_.absorb(e_.evpn_->on_remote_route(best->nlri, best->info->attrs, best->info->next_hop, true, e_.now_));
    } else {
      // Gone, or our own route is best now: no remote path to import (a no-op when none was).
      e_.absorb(e_.evpn_->on_remote_route(route, {}, {}, false, e_.now_));
    }
  }

 private:
  Engine& e_;
};

Engine::Engine(bgp::SpeakerConfig cfg, std::unique_ptr<evpn::EvpnService> evpn)
    : base_cfg_(cfg), speaker_(std::move(cfg)), evpn_(std::move(evpn)) {
  if (evpn_) {
    tap_ = std::make_unique<RibTap>(*this);
    speaker_.set_listener(tap_.get());
  }
}

Engine::~Engine() = default;

void Engine::set_listener(bgp::LocRibListener* l) {
  if (!evpn_) speaker_.set_listener(l);
}

void Engine::absorb(evpn::Output&& out) { pending_.append(std::move(out)); }

void Engine::handle_evpn(const Event& e, Effects& fx) {
  if (!evpn_) {
    fx.error = "no EVPN service (route reflector: no vtep section in the configuration)";
    return;
  }
  const auto& b = e.body;
  if (std::holds_alternative<ev::StartEvpn>(b)) {
    absorb(evpn_->start(e.now));
  } else if (const auto* d = std::get_if<ev::DataplaneEvents>(&b)) {
    for (const auto& x : d->events) absorb(evpn_->on_dataplane_event(x, e.now));
  } else if (std::holds_alternative<ev::EvpnTimer>(b)) {
    absorb(evpn_->on_timer(e.now));
  } else if (const auto* p = std::get_if<ev::Prefix>(&b)) {
    auto r = p->announce ? evpn_->announce(p->vrf, p->prefix) : evpn_->withdraw(p->vrf, p->prefix);
    if (r) absorb(std::move(*r));
    else fx.error = r.error();
  } else if (const auto* c = std::get_if<ev::ClearDuplicates>(&b)) {
    absorb(evpn_->clear_duplicates(c->vni, c->mac));
  } else if (const auto* m = std::get_if<ev::SetRouterMac>(&b)) {
    auto r = evpn_->set_router_mac(m->vrf, m->mac);
    if (r) absorb(std::move(*r));
    else fx.error = r.error();
  } else if (const auto* rc = std::get_if<ev::ReconfigureVnis>(&b)) {
    reconfigure_vnis(*rc, fx);
  } else if (const auto* rs = std::get_if<ev::ReconfigureSegments>(&b)) {
    absorb(evpn_->reconfigure_segments(rs->segments, rs->timers, e.now));
    // A new segment learns its peers from the type-4 and A-D routes already in the Loc-RIB.
    reoffer_remote({1, 4});
  } else if (const auto* vr = std::get_if<ev::VrfRedistribution>(&b)) {
    auto r = evpn_->set_vrf_redistribution(vr->vrf);
    if (r) absorb(std::move(*r));
    else fx.error = r.error();
  } else if (const auto* le = std::get_if<ev::LocalEndpoint>(&b)) {
    // Issue 11: the MAC and MAC+IP type-2 routes go to the peers in this flush (drain below).
    auto r = le->add ? evpn_->add_endpoint(le->vni, le->mac, le->ips, le->port, e.now)
                     : evpn_->remove_endpoint(le->vni, le->mac, e.now);
    if (r) absorb(std::move(*r));
    else fx.error = r.error();
  } else if (const auto* ds = std::get_if<ev::DataplaneStatus>(&b)) {
    evpn_->set_dataplane_status(ds->vnis);
  }
}

void Engine::reconfigure_vnis(const ev::ReconfigureVnis& rc, Effects& fx) {
  auto note = [&](const std::string& err) { fx.error += (fx.error.empty() ? "" : "; ") + err; };
  for (Vni v : rc.removed) {
    auto r = evpn_->remove_l2vni(v);
    if (r) absorb(std::move(*r));
    else note(r.error());
  }
  bool added = false;
  for (const auto& c : rc.added) {
    auto r = evpn_->add_l2vni(c);
    if (r) absorb(std::move(*r)), added = true;
    else note(r.error());
  }
  if (!added) return;
  // The new MAC-VRFs import what the Loc-RIB already holds: offer every remote best path again
  // (the VRFs that had it see an unchanged path and produce nothing).
  reoffer_remote({});
}

void Engine::reoffer_remote(std::initializer_list<uint8_t> types) {
  speaker_.table().for_each([&](bgp::DestId, const bgp::Dest& d) {
    const bgp::Path* best = d.best_path();
    if (!best || best->peer == bgp::kLocalPeer) return;
    if (types.size() && std::find(types.begin(), types.end(), wire::route_type(best->nlri)) == types.end()) return;
    absorb(evpn_->on_remote_route(best->nlri, best->info->attrs, best->info->next_hop, true, now_));
  });
}

// Moves parked EVPN output into the speaker (routes) and Effects (intents, notices). Each
// speaker flush may park more (best-path changes of the routes just originated are our own and
// yield nothing), so this converges in one or two rounds; the limit only guards against a bug.
void Engine::drain(Effects& fx) {
  constexpr int kMaxRounds = 16;
  for (int round = 0; !pending_.empty(); ++round) {
    if (round == kMaxRounds) {
      ++counters_.feedback_rounds_cut;
      spdlog::error("engine: EVPN feedback did not settle after {} rounds; dropping {} route updates", kMaxRounds,
                    pending_.routes.size() + pending_.unicast.size());
      pending_.routes.clear();
      pending_.unicast.clear();
    }
    evpn::Output out = std::move(pending_);
    pending_ = {};
    counters_.intents += out.intents.size();
    fx.intents.insert(fx.intents.end(), std::make_move_iterator(out.intents.begin()),
                      std::make_move_iterator(out.intents.end()));
    fx.notices.insert(fx.notices.end(), std::make_move_iterator(out.notices.begin()),
                      std::make_move_iterator(out.notices.end()));
    std::set<bgp::Speaker*> touched;
    for (auto& r : out.routes) {
      touched.insert(&speaker_);
      if (r.op == evpn::RouteOp::kAdvertise) {
        bgp::PathInfo info;
        info.attrs = std::move(r.attrs);
        info.next_hop = r.next_hop;
        speaker_.originate(r.route, std::move(info));
        ++counters_.evpn_routes_originated;
      } else {
        speaker_.withdraw_local(r.route);
        ++counters_.evpn_routes_withdrawn;
      }
    }
    apply_unicast(out.unicast, touched);  // engine_vrf.cpp: into the VRF speakers
    for (bgp::Speaker* s : touched) s->flush(fx);
  }
}

}  // namespace evpnd::engine

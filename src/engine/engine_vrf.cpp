// Engine: BGP instances inside VRFs (issue 10; FRR's `router bgp ASN vrf NAME`). Each VRF with
// BGP neighbours or listen ranges gets a bgp::Speaker of its own, numbered by
// SpeakerConfig::instance (1, 2, ...), with the global speaker's settings except its AS:
//
//   ev::ConfigureVrfBgp -> create (lowest free instance number) / update listen ranges / remove
//   remove              -> every peer removed with Cease 6/3 (RFC 4486: peer de-configured), so
//                          its routes are withdrawn (from EVPN too), then the speaker goes away
//
// and the glue to EVPN (vrf_unicast.hpp):
//
//   VRF speaker Loc-RIB (VrfTap::on_unicast_best_changed, during its flush)
//        -> EvpnService::on_vrf_unicast(vrf, prefix, VrfUnicastRoute{prefix, next hop, peer})
//           (nullopt when no CE has the prefix any more; while our own EVPN export is the
//           Loc-RIB best, the best CE path, so that the CE route wins and EVPN drops the export)
//   EvpnService Output::unicast (UnicastUpdate) -> the VRF speaker's originate / withdraw_local
//        (origin IGP, empty AS path, no next hop: next-hop-self towards every CE)
//   a new VRF instance originates what EVPN already exports (EvpnService::vrf_unicast_exports)
//
// The instance number is what keeps the speakers apart on the shared I/O layer and timer wheel
// (engine.cpp routes by it), so it must stay below 256: outbound ConnIds are
// (instance << 32) + n and must not reach bgp::kInboundConnBase (1 << 40).
#include <spdlog/spdlog.h>

#include "bgp/best_path.hpp"
#include "engine/engine.hpp"

namespace evpnd::engine {

// Told about the VRF speaker's unicast best-path changes during its flush; like RibTap it must
// not touch the speaker: EvpnService's answer is parked in Engine::pending_.
class Engine::VrfTap final : public bgp::LocRibListener {
 public:
  VrfTap(Engine& e, std::string vrf) : e_(e), vrf_(std::move(vrf)) {}
  // A VRF instance negotiates unicast families only (the configuration refuses l2vpn-evpn).
  void on_best_path_changed(const wire::EvpnRoute&, const bgp::Path*, bgp::PeerRole) override {}
  void on_unicast_best_changed(const IpPrefix& prefix, const bgp::UnicastPath* best, bgp::PeerRole from) override {
    e_.on_vrf_best(e_.vrfs_.at(vrf_), prefix, best, from);
  }

 private:
  Engine& e_;
  std::string vrf_;
};

namespace {
// A route this speaker originates itself (RFC 4271 §5.1.1 ORIGIN IGP, §5.1.2 empty AS_PATH);
// no next hop: each session's local address goes out (next-hop-self, §5.1.3).
bgp::PathInfo local_unicast_path() {
  bgp::PathInfo p;
  p.attrs.origin = wire::Origin::kIgp;
  p.attrs.as_path = wire::AsPath{};
  return p;
}

// The best path of `prefix` learnt from a CE, by the decision process (best_path.hpp) without
// our own path; nullptr when no CE has it.
const bgp::UnicastPath* best_ce_path(const bgp::Speaker& s, const IpPrefix& prefix) {
  const bgp::UnicastTable& t = s.unicast_table();
  const bgp::DestId id = t.find(prefix);
  if (id == bgp::kNoDest) return nullptr;
  const bgp::UnicastPath* best = nullptr;
  for (const auto& p : t.at(id).paths) {
    if (!p.live() || p.peer == bgp::kLocalPeer) continue;
    if (!best || bgp::compare_paths(p, s.facts(p.peer), *best, s.facts(best->peer)) < 0) best = &p;
  }
  return best;
}

}  // namespace

void Engine::on_vrf_best(VrfInstance& v, const IpPrefix& prefix, const bgp::UnicastPath* best, bgp::PeerRole from) {
  if (best && (from == bgp::PeerRole::kLocal || best->peer == bgp::kLocalPeer)) {
    // Our own route (an EVPN export) is best: locally originated paths win the decision
    // (best_path.hpp step 0). A CE's path for the prefix still goes to EVPN, where a CE route
    // wins over the remote ones; EVPN then withdraws its export and the CE's path becomes best.
    best = best_ce_path(*v.speaker, prefix);
  }
  if (best) {
    const bgp::Peer* peer = v.speaker->peer(best->peer);
    evpn::VrfUnicastRoute r{prefix, best->info->next_hop, peer ? peer->cfg.address : IpAddress{}};
    v.redistributed.insert(prefix);
    if (evpn_) absorb(evpn_->on_vrf_unicast(v.name, prefix, r, now_));
  } else if (v.redistributed.erase(prefix)) {
    // Gone from every CE: no CE route to redistribute.
    if (evpn_) absorb(evpn_->on_vrf_unicast(v.name, prefix, std::nullopt, now_));
  }
}

void Engine::apply_unicast(std::vector<evpn::UnicastUpdate>& updates, std::set<bgp::Speaker*>& touched) {
  for (const auto& u : updates) {
    auto it = vrfs_.find(u.vrf);
    if (it == vrfs_.end()) continue;  // no BGP in that VRF (a new instance asks for the full list)
    bgp::Speaker& s = *it->second.speaker;
    if (u.announce) s.originate(u.prefix, local_unicast_path());
    else s.withdraw_local(u.prefix);
    touched.insert(&s);
  }
}

void Engine::advertise_unicast(const ev::AdvertiseUnicast& a, Effects& fx) {
  for (const auto& p : a.prefixes) {
    if (a.announce) speaker_.originate(p, local_unicast_path());
    else if (!speaker_.withdraw_local(p)) ++fx.routes_not_found;
  }
  speaker_.flush(fx);
}

void Engine::configure_vrf(const ev::ConfigureVrfBgp& c, Effects& fx) {
  if (c.vrf.empty()) {
    fx.error = "ConfigureVrfBgp: a VRF name is required (the global instance is not configured this way)";
    return;
  }
  if (c.remove) {
    remove_vrf(c.vrf, fx);
    return;
  }
  const Asn asn = c.asn.value_or(base_cfg_.asn);
  if (auto it = vrfs_.find(c.vrf); it != vrfs_.end() && it->second.speaker->config().asn != asn) {
    // The AS is the instance's identity (every OPEN carries it): a new one restarts the
    // instance, as a changed global AS restarts every session. The caller adds the peers again.
    spdlog::info("vrf {}: BGP AS {} -> {}: restarting the instance", c.vrf, it->second.speaker->config().asn, asn);
    remove_vrf(c.vrf, fx);
  }
  if (auto it = vrfs_.find(c.vrf); it != vrfs_.end()) {
    it->second.speaker->set_listen_ranges(c.listen_ranges, fx);
    return;
  }
  uint16_t n = 1;
  while (by_instance_.count(n)) ++n;
  if (n > kMaxInstance) {
    fx.error = "vrf " + c.vrf + ": more than " + std::to_string(kMaxInstance) + " VRFs with BGP";
    return;
  }
  bgp::SpeakerConfig sc = base_cfg_;
  sc.instance = n;
  sc.asn = asn;
  VrfInstance v;
  v.name = c.vrf;
  v.speaker = std::make_unique<bgp::Speaker>(std::move(sc));
  v.speaker->set_now(now_);
  v.tap = std::make_shared<VrfTap>(*this, c.vrf);
  v.speaker->set_listener(v.tap.get());
  by_instance_[n] = c.vrf;
  bgp::Speaker& s = *vrfs_.emplace(c.vrf, std::move(v)).first->second.speaker;
  spdlog::info("vrf {}: BGP instance {} (AS {})", c.vrf, n, asn);
  if (!c.listen_ranges.empty()) s.set_listen_ranges(c.listen_ranges, fx);
  // What EVPN already offers this VRF's CEs (its later changes come as Output::unicast).
  if (evpn_) {
    auto exports = evpn_->vrf_unicast_exports(c.vrf);
    std::set<bgp::Speaker*> touched;
    apply_unicast(exports, touched);
  }
  s.flush(fx);
}

void Engine::remove_vrf(const std::string& name, Effects& fx) {
  auto it = vrfs_.find(name);
  if (it == vrfs_.end()) return;
  bgp::Speaker& s = *it->second.speaker;
  std::vector<IpAddress> peers;
  for (const bgp::Peer* p : s.peers()) peers.push_back(p->cfg.address);
  for (const auto& a : peers) s.remove_peer(a, 3, fx);  // RFC 4486 §4: Cease 6/3
  s.flush(fx);
  // What EVPN still has from it (normally nothing: removing the peers withdrew their routes).
  for (const auto& p : it->second.redistributed)
    if (evpn_) absorb(evpn_->on_vrf_unicast(name, p, std::nullopt, now_));
  // Connection events still on their way for this instance's ConnIds find no speaker (they are
  // closed); its accepted connections are forgotten.
  const uint16_t n = s.config().instance;
  for (auto c = inbound_.begin(); c != inbound_.end();) c = c->second == n ? inbound_.erase(c) : std::next(c);
  by_instance_.erase(n);
  vrfs_.erase(it);
  spdlog::info("vrf {}: BGP instance {} removed", name, n);
}

}  // namespace evpnd::engine

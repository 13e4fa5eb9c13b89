// Engine: BGP instances inside VRFs (issue 10; FRR's `router bgp ASN vrf NAME`). Each VRF with
// BGP neighbours or listen ranges gets a bgp::Speaker of its own, numbered by
// SpeakerConfig::instance (1, 2, ...), with the global speaker's settings except its AS:
//
//   ev::ConfigureVrfBgp -> create (lowest free instance number) / update listen ranges / remove
//   remove              -> every peer removed with Cease 6/3 (RFC 4486: peer de-configured), so
//                          its routes are withdrawn (from EVPN too), then the speaker goes away
//
// The instance number is what keeps the speakers apart on the shared I/O layer and timer wheel
// (engine.cpp routes by it), so it must stay below 256: outbound ConnIds are
// (instance << 32) + n and must not reach bgp::kInboundConnBase (1 << 40).
#include <spdlog/spdlog.h>

#include "engine/engine.hpp"

namespace evpnd::engine {

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
  if (vrfs_.count(c.vrf)) return;
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
  by_instance_[n] = c.vrf;
  vrfs_.emplace(c.vrf, std::move(v));
  spdlog::info("vrf {}: BGP instance {} (AS {})", c.vrf, n, asn);
}

void Engine::remove_vrf(const std::string& name, Effects& fx) {
  auto it = vrfs_.find(name);
  if (it == vrfs_.end()) return;
  bgp::Speaker& s = *it->second.speaker;
  std::vector<IpAddress> peers;
  for (const bgp::Peer* p : s.peers()) peers.push_back(p->cfg.address);
  for (const auto& a : peers) s.remove_peer(a, 3, fx);  // RFC 4486 §4: Cease 6/3
  s.flush(fx);
  // Connection events still on their way for this instance's ConnIds find no speaker (they are
  // closed); its accepted connections are forgotten.
  const uint16_t n = s.config().instance;
  for (auto c = inbound_.begin(); c != inbound_.end();) c = c->second == n ? inbound_.erase(c) : std::next(c);
  by_instance_.erase(n);
  vrfs_.erase(it);
  spdlog::info("vrf {}: BGP instance {} removed", name, n);
}

}  // namespace evpnd::engine

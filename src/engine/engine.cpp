#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

namespace evpnd::engine {
namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

const char* to_string(RefuseReason r) {
  switch (r) {
    case RefuseReason::kNotConfigured: return "not_configured";
    case RefuseReason::kAdminDown: return "admin_down";
    case RefuseReason::kCollision: return "collision";
    case RefuseReason::kTtlSecurity: return "ttl_security";
  }
  return "unknown";
}

bgp::PathInfo make_local_path(const LocalRoute& r) {
  bgp::PathInfo p;
  p.next_hop = r.next_hop;
  p.attrs.origin = wire::Origin::kIgp;
  p.attrs.as_path = wire::AsPath{};
  p.attrs.local_pref = r.local_pref;
  p.attrs.med = r.med;
  p.attrs.ext_communities = r.ext_communities;
  p.attrs.pmsi_tunnel = r.pmsi;
  if (!p.attrs.pmsi_tunnel) {
    if (const auto* im = std::get_if<wire::InclusiveMulticast>(&r.route)) {
      // RFC 8365 §9 / RFC 6514 §5: ingress replication, the tunnel endpoint is the originator.
      wire::PmsiTunnel t;
      t.tunnel_type = 6;
      const IpAddress& ep = im->originator.empty() ? r.next_hop : im->originator;
      t.tunnel_id.assign(ep.data(), ep.data() + ep.size());
      p.attrs.pmsi_tunnel = t;
    }
  }
  return p;
}

bgp::Speaker* Engine::speaker_of_instance(uint16_t instance) {
  if (instance == 0) return &speaker_;
  auto it = by_instance_.find(instance);
  return it == by_instance_.end() ? nullptr : vrfs_.at(it->second).speaker.get();
}

bgp::Speaker* Engine::speaker_of_conn(ConnId c) {
  // Outbound ids are numbered by each speaker from (instance << 32) + 1 (SpeakerConfig::
  // instance); accepted ones come from the daemon (>= kInboundConnBase) and were recorded with
  // the instance whose listener took them. Unrecorded inbound ids are the global speaker's.
  if (c < bgp::kInboundConnBase) return speaker_of_instance(static_cast<uint16_t>(c >> 32));
  auto it = inbound_.find(c);
  return it == inbound_.end() ? &speaker_ : speaker_of_instance(it->second);
}

bgp::Speaker* Engine::speaker_of_vrf(const std::string& vrf) {
  if (vrf.empty()) return &speaker_;
  auto it = vrfs_.find(vrf);
  return it == vrfs_.end() ? nullptr : it->second.speaker.get();
}

const bgp::Speaker* Engine::speaker(const std::string& vrf) const {
  return const_cast<Engine*>(this)->speaker_of_vrf(vrf);
}

std::vector<std::string> Engine::bgp_vrfs() const {
  std::vector<std::string> v;
  for (const auto& [name, inst] : vrfs_) v.push_back(name);
  return v;
}

std::optional<std::string> Engine::instance_vrf(uint16_t instance) const {
  if (instance == 0) return std::string();
  auto it = by_instance_.find(instance);
  if (it == by_instance_.end()) return std::nullopt;
  return it->second;
}

void Engine::for_each_speaker(const std::function<void(bgp::Speaker&)>& f) {
  f(speaker_);
  for (auto& [name, v] : vrfs_) f(*v.speaker);
}

void Engine::accept(const ev::Accepted& a, Effects& fx) {
  bgp::Speaker* sp = speaker_of_vrf(a.vrf);
  if (sp && sp != &speaker_) inbound_[a.conn] = sp->config().instance;
  if (sp && sp->on_accepted(a.conn, a.remote, fx, a.local)) return;
  // Logged by the daemon at a bounded rate (a stranger may connect 7k times/s).
  const bgp::Peer* p = sp ? sp->find_peer(a.remote) : nullptr;
  fx.refused = !p ? RefuseReason::kNotConfigured : !p->admin_up ? RefuseReason::kAdminDown : RefuseReason::kCollision;
  fx.io.push_back(bgp::CloseRequest{a.conn});
}

Effects Engine::handle(const Event& e) {
  Effects fx;
  now_ = e.now;
  for_each_speaker([&](bgp::Speaker& s) { s.set_now(e.now); });
  // A connection event for an instance that no longer exists (its VRF's BGP was removed while
  // the event was on its way): the connection is closed, nothing else happens.
  auto by_conn = [&](ConnId c, auto&& f) {
    if (bgp::Speaker* s = speaker_of_conn(c)) f(*s);
    else fx.io.push_back(bgp::CloseRequest{c});
  };
  auto by_vrf = [&](const std::string& vrf, auto&& f) {
    if (bgp::Speaker* s = speaker_of_vrf(vrf)) f(*s);
    else fx.error = "no BGP instance in VRF '" + vrf + "'";
  };
  std::visit(Overloaded{
                 [&](const ev::AddPeer& a) { by_vrf(a.vrf, [&](bgp::Speaker& s) { s.add_peer(a.cfg, fx); }); },
                 [&](const ev::RemovePeer& a) {
                   by_vrf(a.vrf, [&](bgp::Speaker& s) { s.remove_peer(a.address, a.cease_subcode, fx); });
                 },
                 [&](const ev::ResetPeer& a) {
                   by_vrf(a.vrf, [&](bgp::Speaker& s) { s.reset_peer(a.address, a.cease_subcode, fx); });
                 },
                 [&](const ev::Connected& a) { by_conn(a.conn, [&](bgp::Speaker& s) { s.on_connected(a.conn, fx, a.local); }); },
                 [&](const ev::ConnectFailed& a) {
                   spdlog::debug("connection {} failed: {}", a.conn, a.reason);
                   if (bgp::Speaker* s = speaker_of_conn(a.conn)) s->on_connect_failed(a.conn, fx);
                 },
                 [&](const ev::Accepted& a) { accept(a, fx); },
                 [&](const ev::Closed& a) {
                   if (bgp::Speaker* s = speaker_of_conn(a.conn)) s->on_closed(a.conn, fx);
                   inbound_.erase(a.conn);
                 },
                 [&](const ev::Data& a) { by_conn(a.conn, [&](bgp::Speaker& s) { s.on_data(a.conn, a.bytes, fx); }); },
                 [&](const ev::Sent& a) {
                   if (bgp::Speaker* s = speaker_of_conn(a.conn)) s->on_sent(a.conn, a.bytes, fx);
                 },
                 [&](const ev::TimerFired& a) {
                   if (bgp::Speaker* s = speaker_of_instance(a.key.instance)) s->on_timer(a.key, fx);
                 },
                 [&](const ev::OriginateRoutes& a) {
                   for (const auto& r : a.routes) speaker_.originate(r.route, make_local_path(r));
                   speaker_.flush(fx);
                 },
                 [&](const ev::WithdrawRoutes& a) {
                   for (const auto& r : a.routes)
                     if (!speaker_.withdraw_local(r)) ++fx.routes_not_found;
                   speaker_.flush(fx);
                 },
                 [&](const ev::Shutdown&) { for_each_speaker([&](bgp::Speaker& s) { s.shutdown(fx); }); },
                 [&](const ev::ConfigureVrfBgp& c) { configure_vrf(c, fx); },
                 [&](const ev::AdvertiseUnicast& a) { advertise_unicast(a, fx); },
                 [&](const auto&) { handle_evpn(e, fx); },  // ev::StartEvpn ... ev::SetRouterMac
             },
             e.body);
  drain(fx);
  // Accepted connections the speakers closed themselves are not reported back (the I/O layer
  // drops them silently): forget them here so inbound_ does not grow.
  for (const auto& op : fx.io)
    if (const auto* c = std::get_if<bgp::CloseRequest>(&op); c && c->conn >= bgp::kInboundConnBase) inbound_.erase(c->conn);
  return fx;
}

}  // namespace evpnd::engine

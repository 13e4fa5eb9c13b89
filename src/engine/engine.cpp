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

Effects Engine::handle(const Event& e) {
  Effects fx;
  now_ = e.now;
  speaker_.set_now(e.now);
  std::visit(Overloaded{
                 [&](const ev::AddPeer& a) { speaker_.add_peer(a.cfg, fx); },
                 [&](const ev::RemovePeer& a) { speaker_.remove_peer(a.address, a.cease_subcode, fx); },
                 [&](const ev::ResetPeer& a) { speaker_.reset_peer(a.address, a.cease_subcode, fx); },
                 [&](const ev::Connected& a) { speaker_.on_connected(a.conn, fx); },
                 [&](const ev::ConnectFailed& a) {
                   spdlog::debug("connection {} failed: {}", a.conn, a.reason);
                   speaker_.on_connect_failed(a.conn, fx);
                 },
                 [&](const ev::Accepted& a) {
                   if (!speaker_.on_accepted(a.conn, a.remote, fx)) {
                     // Logged by the daemon at a bounded rate (a stranger may connect 7k times/s).
                     const bgp::Peer* p = speaker_.find_peer(a.remote);
                     fx.refused = !p ? RefuseReason::kNotConfigured
                                  : !p->admin_up ? RefuseReason::kAdminDown
                                                 : RefuseReason::kCollision;
                     fx.io.push_back(bgp::CloseRequest{a.conn});
                   }
                 },
                 [&](const ev::Closed& a) { speaker_.on_closed(a.conn, fx); },
                 [&](const ev::Data& a) { speaker_.on_data(a.conn, a.bytes, fx); },
                 [&](const ev::Sent& a) { speaker_.on_sent(a.conn, a.bytes, fx); },
                 [&](const ev::TimerFired& a) { speaker_.on_timer(a.key, fx); },
                 [&](const ev::OriginateRoutes& a) {
                   for (const auto& r : a.routes) speaker_.originate(r.route, make_local_path(r));
                   speaker_.flush(fx);
                 },
                 [&](const ev::WithdrawRoutes& a) {
                   for (const auto& r : a.routes)
                     if (!speaker_.withdraw_local(r)) ++fx.routes_not_found;
                   speaker_.flush(fx);
                 },
                 [&](const ev::Shutdown&) { speaker_.shutdown(fx); },
                 [&](const auto&) { handle_evpn(e, fx); },  // ev::StartEvpn ... ev::SetRouterMac
             },
             e.body);
  drain(fx);
  return fx;
}

}  // namespace evpnd::engine

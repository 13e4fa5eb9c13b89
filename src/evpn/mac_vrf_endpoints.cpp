// MacVrf: local endpoints announced through the API (issue 11). The pin and the learned facts
// are kept apart (mac_vrf.hpp, header comment): this file only adds and removes pins; what is
// advertised follows from reconcile() as for learned hosts (RFC 7432 §9.1: the MAC-only and the
// MAC+IP type-2 routes, with the L2VNI, the L3VNI and the Router's MAC when the segment has an
// IP-VRF, RFC 9135 §5.1).
#include "evpn/mac_vrf.hpp"

namespace evpnd::evpn {

tl::expected<void, std::string> MacVrf::add_endpoint(const Mac& mac, const std::vector<IpAddress>& ips,
                                                     const std::string& port, Time now, Output& out) {
  const std::string in_vni = " in VNI " + std::to_string(cfg_.vni);
  if (is_gateway_mac(mac))
    return tl::make_unexpected("MAC " + mac.to_string() + " is a gateway MAC" + in_vni +
                               " (anycast gateway or router MAC), not a host");
  for (const auto& ip : ips) {
    auto p = pinned_ips_.find(ip);
    if (p != pinned_ips_.end() && p->second != mac)
      return tl::make_unexpected("IP " + ip.to_string() + " is an endpoint IP of MAC " + p->second.to_string() +
                                 in_vni);
  }
  Entry& e = macs_[mac];
  const std::set<IpAddress> want(ips.begin(), ips.end());
  std::set<IpAddress> old;
  if (e.endpoint) old = std::move(e.endpoint->ips);
  else ++endpoints_;
  e.endpoint = Endpoint{port, want};
  // The MAC first: its MAC+IP routes carry its sequence number.
  if (!e.local) {
    // Not advertised yet, or displaced by a remote path: the API says the host is here now, as
    // a bridge learn would (a move from a remote location, seq = remote + 1, RFC 7432 §15). A
    // sticky remote MAC is not taken over (§15.2: alarm); the endpoint stays, displaced.
    take_local(mac, e, LocalMac{port, false}, "announced", now, out);
  } else if (!e.learned && e.local->port != port) {
    e.local = LocalMac{port, false};  // a learned MAC keeps the bridge's port: it is the truth
    reconcile(mac, e, out);
  }
  for (const auto& ip : old)
    if (!want.count(ip)) unpin(ip, mac, now, out);
  for (const auto& ip : want) {
    pinned_ips_[ip] = mac;
    set_neigh(ip, mac, now, out);  // the latest claim owns the IP (a no-op when it is ours)
  }
  return {};
}

void MacVrf::unpin(const IpAddress& ip, const Mac& mac, Time now, Output& out) {
  pinned_ips_.erase(ip);
  if (auto l = learned_neighs_.find(ip); l != learned_neighs_.end()) {
    set_neigh(ip, l->second, now, out);  // the kernel's neighbour holds it (a no-op when ours)
    return;
  }
  auto cur = local_neighs_.find(ip);
  if (cur != local_neighs_.end() && cur->second == mac) clear_neigh(ip, out);
}

bool MacVrf::remove_endpoint(const Mac& mac, Time now, Output& out) {
  auto it = macs_.find(mac);
  if (it == macs_.end() || !it->second.endpoint) return false;
  const std::set<IpAddress> ips = std::move(it->second.endpoint->ips);
  it->second.endpoint.reset();
  --endpoints_;
  // The MAC+IP routes before the MAC-only one.
  for (const auto& ip : ips) unpin(ip, mac, now, out);
  it = macs_.find(mac);
  if (it == macs_.end()) return true;
  Entry& e = it->second;
  if (e.local && !e.learned) e.local.reset();  // learned on a local port: it stays advertised
  reconcile(mac, e, out);
  maybe_erase(mac);
  return true;
}

bool MacVrf::is_endpoint(const Mac& mac) const {
  auto it = macs_.find(mac);
  return it != macs_.end() && it->second.endpoint.has_value();
}

void MacVrf::retake_endpoint(const Mac& mac, Entry& e, uint32_t last_remote_seq, Time now, Output& out) {
  // The remote location that displaced the endpoint is gone and no other is left: the pod is
  // still here as far as the API knows. Newer than the route just withdrawn (RFC 7432 §15), so
  // a PE that still holds it (withdrawals race through reflectors) prefers ours.
  e.local_seq = wire::mobility_seq_next(last_remote_seq);
  take_local(mac, e, LocalMac{e.endpoint->port, false}, "announced", now, out);
}

}  // namespace evpnd::evpn

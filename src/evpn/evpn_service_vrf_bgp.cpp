// EvpnService and the VRFs' BGP instances (issue 10; vrf_unicast.hpp, ip_vrf_bgp.cpp): a VRF's
// best unicast routes in, the prefixes the VRF offers to its CEs out.
#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {

Output EvpnService::on_vrf_unicast(const std::string& vrf, const IpPrefix& prefix,
                                   const std::optional<VrfUnicastRoute>& best, Time /*now*/) {
  Output out;
  auto it = ip_vrfs_.find(vrf);
  if (it == ip_vrfs_.end()) {
    out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, 0, std::nullopt, std::nullopt,
               "BGP route " + prefix.to_string() + " of unknown VRF " + vrf + ": not redistributed");
    return out;
  }
  IpVrf& v = it->second;
  std::optional<VrfUnicastRoute> use = best;
  if (use && (use->prefix.family() == IpFamily::kNone || use->next_hop.empty() || use->next_hop.is_unspecified() ||
              use->next_hop == local_vtep_)) {
    // No router to send the traffic to (or ourselves): neither a kernel route nor a type-5.
    out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, v.l3vni(), std::nullopt, use->peer,
               "BGP route " + prefix.to_string() + " in VRF " + vrf + " from " + use->peer.to_string() +
                   " has no usable next hop (" + (use->next_hop.empty() ? std::string("none") : use->next_hop.to_string()) +
                   "): not installed, not redistributed");
    use.reset();
  }
  v.bgp_route(prefix, use, out);
  return out;
}

std::vector<UnicastUpdate> EvpnService::vrf_unicast_exports(const std::string& vrf) const {
  std::vector<UnicastUpdate> out;
  auto it = ip_vrfs_.find(vrf);
  if (it == ip_vrfs_.end()) return out;
  for (const auto& p : it->second.exported_prefixes()) out.push_back({vrf, p, true});
  return out;
}

tl::expected<Output, std::string> EvpnService::set_vrf_redistribution(const api::VrfConfig& vrf) {
  auto it = ip_vrfs_.find(vrf.name);
  if (it == ip_vrfs_.end()) return tl::make_unexpected("unknown VRF " + vrf.name);
  for (auto& v : cfg_.vrfs) {
    if (v.name != vrf.name) continue;
    v.advertise_unicast = vrf.advertise_unicast;
    v.gateway_ip = vrf.gateway_ip;
    v.export_evpn = vrf.export_evpn;
  }
  Output out;
  it->second.set_redistribution(vrf.advertise_unicast, vrf.gateway_ip, vrf.export_evpn, out);
  return out;
}

}  // namespace evpnd::evpn

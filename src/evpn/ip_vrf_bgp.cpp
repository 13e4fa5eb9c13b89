// IpVrf and the VRF's BGP instance (issue 10; vrf_unicast.hpp): redistribution both ways.
//
// BGP -> EVPN: a best unicast route learnt from a CE (a Kubernetes node, a gateway) becomes
//   * a type-5 route of the VRF (RFC 9136 §3.1: RD, ESI 0, tag 0, the prefix, label = L3VNI,
//     export RTs, next hop this VTEP, encapsulation and Router's MAC ECs as for every type-5
//     we originate), through the local-prefix machinery with source kBgp, so a prefix that is
//     also connected / configured is advertised once and withdrawn with its last source.
//     Interface-less with GW IP 0 by default (RFC 9136 §4.4.1: remote VTEPs route to us with
//     our Router's MAC, and we route on to the CE). With `gateway-ip`, GW IP = the CE's next hop
//     (the §3.2 gateway-IP overlay index): receivers must resolve it recursively through a
//     MAC/IP route of the CE (FRR: `enable-resolve-overlay-index`, asymmetric IRB only; an
//     evpnd receiver ignores such routes, route_checks.hpp), so the CE must sit on an L2VNI;
//   * a kernel route in the VRF via the CE (dataplane::VrfRoute local = true): replaced when the
//     next hop changes, deleted when the route goes. It wins over remote paths of the prefix
//     (their VrfRoute is deleted first: one kernel route per prefix and table).
// Graceful restart needs nothing here: BGP keeps the stale best path until the CE is back.
//
// EVPN -> BGP (export_evpn): every prefix the VRF routes through EVPN — installed remote
// routes (type-5 prefixes, type-2 host routes) and local prefixes (connected SVI subnets,
// configured and run-time announcements) — is announced to the VRF's BGP instance when it first
// becomes exportable and withdrawn when it stops being so. A prefix the VRF has a BGP route for
// is never exported: the CE's own route is there already (and a locally originated copy would
// beat it in the VRF's Loc-RIB and be redistributed back into EVPN as if it came from a CE).
#include <algorithm>

#include "evpn/ip_vrf.hpp"

namespace evpnd::evpn {

void IpVrf::bgp_route(const IpPrefix& p, const std::optional<VrfUnicastRoute>& best, Output& out) {
  auto it = bgp_routes_.find(p);
  if (!best) {
    if (it == bgp_routes_.end()) return;
    // The kernel route goes first: a remote path reconciled below may install its own for p.
    if (it->second.installed) out.del(*it->second.installed);
    bgp_routes_.erase(it);
    if (!remove_local_prefix(p, PrefixSource::kBgp, out)) reconcile(p, out);
    else if (cfg_.gateway_ip && local_prefixes_.count(p)) advertise_prefix(p, out);  // other sources: GW IP 0 now
    return;
  }
  const bool fresh = it == bgp_routes_.end();
  const bool nh_changed = !fresh && it->second.best.next_hop != best->next_hop;
  if (fresh) it = bgp_routes_.emplace(p, BgpRoute{*best, std::nullopt}).first;
  it->second.best = *best;
  if (fresh) {
    // Remote paths of p stop being installed (their VrfRoute deleted before ours is added) and
    // p stops being exported; the type-5 follows when redistribution is on.
    if (!cfg_.advertise_unicast || !add_local_prefix(p, PrefixSource::kBgp, out)) reconcile(p, out);
    if (cfg_.advertise_unicast && cfg_.gateway_ip && local_prefixes_.at(p).size() > 1) advertise_prefix(p, out);
  } else if (nh_changed && cfg_.advertise_unicast && cfg_.gateway_ip) {
    advertise_prefix(p, out);  // the overlay index follows the CE's next hop
  }
  dataplane::VrfRoute want{cfg_.l3vni, p, {best->next_hop}, 20, true};
  if (it->second.installed != want) {
    it->second.installed = want;
    out.add(std::move(want));  // kAdd replaces the route (a new next hop)
  }
}

bool IpVrf::exportable(const IpPrefix& p) const {
  if (!cfg_.export_evpn || bgp_routes_.count(p)) return false;
  if (auto l = local_prefixes_.find(p); l != local_prefixes_.end() && !l->second.empty()) return true;
  auto r = routes_.find(p);
  return r != routes_.end() && r->second.installed.has_value();
}

void IpVrf::sync_export(const IpPrefix& p, Output& out) {
  const bool want = exportable(p);
  if (want == (exported_.count(p) > 0)) return;
  if (want) exported_.insert(p);
  else exported_.erase(p);
  out.unicast.push_back({cfg_.name, p, want});
}

std::vector<IpPrefix> IpVrf::exported_prefixes() const { return {exported_.begin(), exported_.end()}; }

}  // namespace evpnd::evpn

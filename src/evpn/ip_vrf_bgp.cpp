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
  const bool had = local_prefixes_.count(p) > 0;
  const IpAddress gw_before = type5_gateway(p);
  if (!best) {
    if (it == bgp_routes_.end()) return;
    // The kernel route goes first: a remote path reconciled below may install its own for p.
    if (it->second.installed) out.del(*it->second.installed);
    bgp_routes_.erase(it);
    if (!remove_local_prefix(p, PrefixSource::kBgp, out)) reconcile(p, out);
  } else {
    const bool fresh = it == bgp_routes_.end();
    if (fresh) it = bgp_routes_.emplace(p, BgpRoute{*best, std::nullopt}).first;
    it->second.best = *best;
    // New: remote paths of p stop being installed (their VrfRoute deleted before ours is added)
    // and p stops being exported; the type-5 follows when redistribution is on.
    if (fresh && !(cfg_.advertise_unicast && add_local_prefix(p, PrefixSource::kBgp, out))) reconcile(p, out);
    dataplane::VrfRoute want{cfg_.l3vni, p, {best->next_hop}, 20, true};
    if (it->second.installed != want) {
      it->second.installed = want;
      out.add(std::move(want));  // kAdd replaces the route (a new next hop)
    }
  }
  // Advertised before and after (for another source too): with gateway-ip the overlay index
  // follows the CE's next hop, and falls back to 0 when only other sources are left.
  if (had && local_prefixes_.count(p) && type5_gateway(p) != gw_before) advertise_prefix(p, out);
}

void IpVrf::set_redistribution(bool advertise_unicast, bool gateway_ip, bool export_evpn, Output& out) {
  std::map<IpPrefix, IpAddress> gw_before;
  for (const auto& [p, b] : bgp_routes_) gw_before[p] = type5_gateway(p);
  cfg_.advertise_unicast = advertise_unicast;
  cfg_.gateway_ip = gateway_ip;
  cfg_.export_evpn = export_evpn;
  for (const auto& [p, b] : bgp_routes_) {
    const bool had = local_prefixes_.count(p) > 0;
    // First / last source: advertised / withdrawn by these two.
    if (advertise_unicast) add_local_prefix(p, PrefixSource::kBgp, out);
    else remove_local_prefix(p, PrefixSource::kBgp, out);
    // Advertised before and after (another source, or kBgp both times): the overlay index may differ.
    if (had && local_prefixes_.count(p) && type5_gateway(p) != gw_before[p]) advertise_prefix(p, out);
  }
  // Exports: every prefix that is or was a candidate.
  std::set<IpPrefix> candidates(exported_.begin(), exported_.end());
  for (const auto& [p, srcs] : local_prefixes_) candidates.insert(p);
  for (const auto& [p, e] : routes_) candidates.insert(p);
  for (const auto& p : candidates) sync_export(p, out);
}

IpAddress IpVrf::type5_gateway(const IpPrefix& p) const {
  // RFC 9136 §3.2 gateway-IP overlay index: the CE's next hop (same family as the prefix,
  // §3.1), as FRR's `advertise ipv4 unicast gateway-ip`; otherwise GW IP 0 (interface-less).
  auto l = local_prefixes_.find(p);
  auto b = bgp_routes_.find(p);
  if (cfg_.gateway_ip && l != local_prefixes_.end() && l->second.count(PrefixSource::kBgp) && b != bgp_routes_.end() &&
      b->second.best.next_hop.family() == p.family())
    return b->second.best.next_hop;
  static const IpAddress kZero4 = *IpAddress::parse("0.0.0.0"), kZero6 = *IpAddress::parse("::");
  return p.family() == IpFamily::kV6 ? kZero6 : kZero4;
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

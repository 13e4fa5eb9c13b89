// EvpnService: event dispatch, import by Route Target, API actions and views.
#include "evpn/evpn_service.hpp"

#include <algorithm>

#include "evpn/auto_rd_rt.hpp"
#include "evpn/route_checks.hpp"

namespace evpnd::evpn {
namespace {

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

IpVrf* EvpnService::vrf_of(Vni l2vni) {
  auto it = l2_to_vrf_.find(l2vni);
  if (it == l2_to_vrf_.end()) return nullptr;
  auto v = ip_vrfs_.find(it->second);
  return v == ip_vrfs_.end() ? nullptr : &v->second;
}

const MacVrf* EvpnService::mac_vrf(Vni vni) const {
  auto it = mac_vrfs_.find(vni);
  return it == mac_vrfs_.end() ? nullptr : &it->second;
}

const IpVrf* EvpnService::ip_vrf(const std::string& name) const {
  auto it = ip_vrfs_.find(name);
  return it == ip_vrfs_.end() ? nullptr : &it->second;
}

// ---- local learning -----------------------------------------------------------------------

Output EvpnService::on_local_mac(Vni vni, const Mac& mac, const std::string& port, bool is_static, Time now) {
  Output out;
  if (auto it = mac_vrfs_.find(vni); it != mac_vrfs_.end()) {
    it->second.local_mac(mac, port, is_static, now, out);
    sync_local_hosts(it->second, mac, out);
  }
  return out;
}

Output EvpnService::on_local_mac_removed(Vni vni, const Mac& mac, Time now) {
  Output out;
  if (auto it = mac_vrfs_.find(vni); it != mac_vrfs_.end()) {
    it->second.local_mac_removed(mac, now, out);
    sync_local_hosts(it->second, mac, out);
  }
  return out;
}

void EvpnService::sync_local_hosts(const MacVrf& mv, const Mac& mac, Output& out) {
  // An IP is a local host only while its MAC is local: after a move away the remote host route
  // must win over the stale neighbour (RFC 9135 §4.1 host mobility; FRR-INTEROP.md pitfall 9).
  IpVrf* vrf = vrf_of(mv.vni());
  if (!vrf) return;
  for (const auto& ip : mv.local_ips_of(mac)) vrf->set_local_host(ip, mv.has_local_host(ip), out);
}

Output EvpnService::on_local_neigh(Vni vni, const IpAddress& ip, const Mac& mac, Time now) {
  Output out;
  auto it = mac_vrfs_.find(vni);
  if (it == mac_vrfs_.end()) return out;
  it->second.local_neigh(ip, mac, now, out);
  if (IpVrf* vrf = vrf_of(vni)) vrf->set_local_host(ip, it->second.has_local_host(ip), out);
  return out;
}

Output EvpnService::on_local_neigh_removed(Vni vni, const IpAddress& ip, Time now) {
  Output out;
  auto it = mac_vrfs_.find(vni);
  if (it == mac_vrfs_.end()) return out;
  it->second.local_neigh_removed(ip, now, out);
  // An endpoint's IP stays a local host (pinned through the API, mac_vrf.hpp).
  if (IpVrf* vrf = vrf_of(vni)) vrf->set_local_host(ip, it->second.has_local_host(ip), out);
  return out;
}

Output EvpnService::on_dataplane_event(const dataplane::DataplaneEvent& ev, Time now) {
  if (const auto* m = std::get_if<dataplane::LocalMacLearned>(&ev)) {
    return on_local_mac(m->vni, m->mac, m->port, m->is_static, now);
  }
  if (const auto* m = std::get_if<dataplane::LocalMacAged>(&ev)) return on_local_mac_removed(m->vni, m->mac, now);
  if (const auto* n = std::get_if<dataplane::LocalNeighbourLearned>(&ev)) {
    // An entry that is not usable (INCOMPLETE/FAILED) says the host is not there (any more).
    if (!dataplane::is_usable(n->state)) return on_local_neigh_removed(n->vni, n->ip, now);
    return on_local_neigh(n->vni, n->ip, n->mac, now);
  }
  if (const auto* n = std::get_if<dataplane::LocalNeighbourRemoved>(&ev)) {
    return on_local_neigh_removed(n->vni, n->ip, now);
  }
  Output out;
  if (const auto* l = std::get_if<dataplane::LinkChanged>(&ev)) on_link(*l, now, out);  // ES attachments
  return out;
}

// ---- remote routes ------------------------------------------------------------------------

std::optional<IpAddress> EvpnService::route_vtep(const wire::EvpnRoute& r, const wire::PathAttributes& a,
                                                 const IpAddress& nh, Output& out) {
  if (const auto* imet = std::get_if<wire::InclusiveMulticast>(&r)) {
    // RFC 8365 §5.1.3 / RFC 6514 §5: ingress replication towards the PMSI tunnel endpoint.
    if (a.pmsi_tunnel && a.pmsi_tunnel->tunnel_type != 6) {
      ++counters_.unsupported_ignored;
      out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, 0, std::nullopt, imet->originator,
                 "type-3 from " + imet->originator.to_string() + " with PMSI tunnel type " +
                     std::to_string(a.pmsi_tunnel->tunnel_type) + " (only ingress replication, 6)");
      return std::nullopt;
    }
    if (a.pmsi_tunnel) {
      IpAddress ep = a.pmsi_tunnel->endpoint();
      if (!ep.empty() && !ep.is_unspecified()) return ep;
    }
    if (!imet->originator.empty() && !imet->originator.is_unspecified()) return imet->originator;
  }
  if (nh.empty() || nh.is_unspecified()) return std::nullopt;
  return nh;
}

bool EvpnService::vni_matches(const wire::EvpnRoute& r, std::optional<Vni> route_vni, Vni local, bool l3,
                              const IpAddress& vtep, Output& out) {
  if (route_vni && *route_vni == local) return true;
  if (!route_vni && !l3) return true;  // type 3 without PMSI attribute: no VNI to compare
  ++counters_.vni_mismatch;
  const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&r);
  out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, local, t2 ? std::optional(t2->mac) : std::nullopt,
             std::nullopt,
             wire::to_string(r) + " from " + vtep.to_string() + " carries " +
                 (route_vni ? (l3 ? "L3VNI " : "VNI ") + std::to_string(*route_vni) : std::string("no Label2 (L3VNI)")) +
                 ", not the local " + (l3 ? "L3VNI " : "VNI ") + std::to_string(local) +
                 ": not imported (the data plane sends with the local VNI; RFC 8365 §5.1.3)");
  return false;
}

bool EvpnService::ip_vrf_usable(const wire::EvpnRoute& r, const PathInfo& info, const IpAddress& vtep,
                                Output& out) {
  std::string why;
  if (const auto* t5 = std::get_if<wire::IpPrefixRoute>(&r)) {
    const Type5Verdict v = check_type5(*t5, info.router_mac);
    if (v.problem == Type5Problem::kNone) return true;
    ++(v.problem == Type5Problem::kOverlayIndex ? counters_.overlay_index_unresolved : counters_.treat_as_withdraw);
    why = v.problem == Type5Problem::kOverlayIndex ? v.why + "; not installed (never via its BGP next hop)"
                                                   : v.why + "; treated as withdrawn";
  } else if (info.router_mac && router_mac_invalid(*info.router_mac)) {
    ++counters_.router_mac_invalid;
    why = "Router's MAC " + info.router_mac->to_string() + " is not a unicast MAC; no host route";
  } else {
    return true;
  }
  out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, 0, std::nullopt, std::nullopt,
             wire::to_string(r) + " from " + vtep.to_string() + ": " + why);
  return false;
}

void EvpnService::unimport(const Bytes& key, const Imported& rec, const std::vector<Vni>& keep_mac,
                           const std::vector<std::string>& keep_ip, Time now, Output& out) {
  for (Vni v : rec.mac_vrfs) {
    if (contains(keep_mac, v)) continue;
    MacVrf& mv = mac_vrfs_.at(v);
    if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&rec.route)) {
      mv.remote_mac_withdraw(key, t2->mac, now, out);
      sync_local_hosts(mv, t2->mac, out);
    } else {
      mv.remote_imet_withdraw(key, out);
    }
  }
  for (const auto& n : rec.ip_vrfs) {
    if (!contains(keep_ip, n)) ip_vrfs_.at(n).remote_withdraw(key, out);
  }
}

Output EvpnService::on_remote_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs,
                                    const IpAddress& next_hop, bool add, Time now) {
  Output out;
  const Bytes key = wire::route_key(route);
  if (local_es_route(route, attrs, next_hop, add, key, now, out)) return out;  // multihoming
  auto prev = imported_.find(key);
  const auto* ad = std::get_if<wire::EthernetAutoDiscovery>(&route);
  if (!add) {
    remote_es_.untrack(key);
    if (prev != imported_.end()) {
      unimport(key, prev->second, {}, {}, now, out);
      imported_.erase(prev);
    }
    // RFC 7432 §8.2: an A-D route withdrawn re-points (or removes) the segment's MACs.
    if (ad) ad_route(key, nullptr, attrs, std::nullopt, now, out);
    return out;
  }
  const uint8_t type = wire::route_type(route);
  const bool ad_usable = ad && !esi_reserved(ad->esi);  // §8.2.1: not needed for ESI 0
  std::optional<IpAddress> vtep;
  if (type == 2 || type == 3 || type == 5 || ad_usable) {
    vtep = route_vtep(route, attrs, next_hop, out);
  } else {
    ++counters_.unsupported_ignored;  // type 4 (local segments' business), unknown, A-D with ESI 0
  }
  if (vtep && *vtep == local_vtep_) {
    ++counters_.own_vtep_ignored;  // our own route reflected back (RFC 4456)
    vtep.reset();
  }
  if (vtep) {
    const auto dflt = cfg_.default_encap_vxlan ? DefaultEncap::kVxlan : DefaultEncap::kMpls;
    if (const std::string why = encapsulation_problem(attrs, dflt); !why.empty()) {
      ++counters_.encap_unsupported;  // RFC 8365 §6: no encapsulation in common
      out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, 0, std::nullopt, std::nullopt,
                 wire::to_string(route) + " from " + vtep->to_string() + ": " + why + "; not installed");
      vtep.reset();
    }
  }
  if (ad) {
    ad_route(key, ad_usable ? ad : nullptr, attrs, vtep, now, out);
    return out;
  }
  bool sync_esi = false;  // a peer of one of our segments: MAC sync, never a remote host route
  if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&route); t2 && !esi_reserved(t2->esi)) {
    // RFC 7432 §9.2.2: forwarding state for a non-reserved ESI needs the set of A-D per ES
    // routes of the segment (whose PEs: remote_es.hpp); our own segments need none.
    remote_es_.track(key, t2->esi, {route, attrs, next_hop});
    sync_esi = local_esi(t2->esi);
    if (vtep && !sync_esi && !remote_es_.has_per_es(t2->esi)) {
      ++counters_.esi_without_ad_per_es;
      out.notice(Severity::kWarning, NoticeKind::kRouteIgnored, 0, t2->mac, std::nullopt,
                 wire::to_string(route) + " from " + vtep->to_string() + ": ESI " + t2->esi.to_string() +
                     " without an Ethernet A-D per ES route for the segment; not installed until one "
                     "arrives (RFC 7432 §9.2.2)");
      vtep.reset();
    }
  }
  Imported rec{route, {}, {}};
  if (vtep) {
    const std::vector<RouteTarget> rts = route_targets(attrs);
    const PathInfo info = path_info(attrs);
    for (auto& [vni, mv] : mac_vrfs_) {
      if ((type == 2 || type == 3) && mv.imports(rts) &&
          vni_matches(route, route_l2vni(route, attrs), vni, false, *vtep, out)) {
        rec.mac_vrfs.push_back(vni);
      }
    }
    const auto* rt2 = std::get_if<wire::MacIpAdvertisement>(&route);
    const bool for_ip_vrfs = ((rt2 && !rt2->ip.empty()) || type == 5) && !sync_esi &&
                             std::any_of(ip_vrfs_.begin(), ip_vrfs_.end(), [&](const auto& v) { return v.second.imports(rts); });
    const bool ip_ok = for_ip_vrfs && ip_vrf_usable(route, info, *vtep, out);
    for (auto& [name, vrf] : ip_vrfs_) {
      if (ip_ok && vrf.imports(rts) &&
          vni_matches(route, route_l3vni(route), vrf.l3vni(), true, *vtep, out)) {
        rec.ip_vrfs.push_back(name);
      }
    }
    // Undo the import into VRFs the route no longer matches before adding it to the others.
    if (prev != imported_.end()) unimport(key, prev->second, rec.mac_vrfs, rec.ip_vrfs, now, out);
    for (Vni v : rec.mac_vrfs) {
      MacVrf& mv = mac_vrfs_.at(v);
      if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&route)) {
        mv.remote_mac_route(key, *t2, *vtep, info, now, out);
        sync_local_hosts(mv, t2->mac, out);  // a move away demotes the MAC's local IPs
      } else {
        mv.remote_imet(key, *vtep, out);
      }
    }
    for (const auto& n : rec.ip_vrfs) {
      IpVrf& vrf = ip_vrfs_.at(n);
      if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&route)) vrf.remote_host(key, *t2, *vtep, info, out);
      else vrf.remote_prefix(key, std::get<wire::IpPrefixRoute>(route), *vtep, info, out);
    }
  } else if (prev != imported_.end()) {
    unimport(key, prev->second, {}, {}, now, out);
  }
  if (rec.mac_vrfs.empty() && rec.ip_vrfs.empty()) {
    if (vtep) ++counters_.remote_routes_unmatched;
    if (prev != imported_.end()) imported_.erase(prev);
  } else {
    ++counters_.remote_routes_imported;
    imported_[key] = std::move(rec);
  }
  return out;
}

// ---- timers and API actions ---------------------------------------------------------------

Output EvpnService::on_timer(Time now) {
  Output out;
  for (auto& [vni, mv] : mac_vrfs_) mv.on_timer(now, out);
  for (auto& [name, seg] : segments_) seg.on_timer(now, out);  // DF Wait, start-up delay
  return out;
}

std::optional<Time> EvpnService::next_deadline() const {
  std::optional<Time> next;
  for (const auto& [vni, mv] : mac_vrfs_) {
    auto d = mv.next_deadline();
    if (d && (!next || *d < *next)) next = d;
  }
  for (const auto& [name, seg] : segments_) {
    auto d = seg.next_deadline();
    if (d && (!next || *d < *next)) next = d;
  }
  return next;
}

tl::expected<Output, std::string> EvpnService::announce(const std::string& vrf, const IpPrefix& p) {
  auto it = ip_vrfs_.find(vrf);
  if (it == ip_vrfs_.end()) return tl::make_unexpected("unknown VRF " + vrf);
  if (p.family() == IpFamily::kNone) return tl::make_unexpected("empty prefix");
  Output out;
  it->second.add_local_prefix(p, PrefixSource::kRuntime, out);
  return out;
}

tl::expected<Output, std::string> EvpnService::withdraw(const std::string& vrf, const IpPrefix& p) {
  auto it = ip_vrfs_.find(vrf);
  if (it == ip_vrfs_.end()) return tl::make_unexpected("unknown VRF " + vrf);
  Output out;
  if (!it->second.remove_local_prefix(p, PrefixSource::kRuntime, out)) {
    return tl::make_unexpected(p.to_string() + " was not announced at run time in VRF " + vrf);
  }
  return out;
}

tl::expected<Output, std::string> EvpnService::set_router_mac(const std::string& vrf, const Mac& rmac) {
  auto it = ip_vrfs_.find(vrf);
  if (it == ip_vrfs_.end()) return tl::make_unexpected("unknown VRF " + vrf);
  Output out;
  it->second.set_router_mac(rmac, out);
  for (auto& [vni, name] : l2_to_vrf_) {
    if (name == vrf) mac_vrfs_.at(vni).set_l3(it->second.binding(), out);
  }
  return out;
}

Output EvpnService::clear_duplicates(std::optional<Vni> vni, std::optional<Mac> mac) {
  Output out;
  for (auto& [v, mv] : mac_vrfs_) {
    if (!vni || *vni == v) mv.clear_duplicates(mac, out);
  }
  return out;
}

// ---- views --------------------------------------------------------------------------------

std::vector<VniView> EvpnService::vni_views() const {
  std::vector<VniView> out;
  for (const auto& [vni, mv] : mac_vrfs_) {
    out.push_back(mv.vni_view());
    if (auto it = dp_status_.find(vni); it != dp_status_.end()) out.back().dataplane = it->second;
  }
  return out;
}

std::vector<MacView> EvpnService::mac_views(std::optional<Vni> vni) const {
  std::vector<MacView> out;
  for (const auto& [v, mv] : mac_vrfs_) {
    if (vni && *vni != v) continue;
    auto m = mv.mac_views();
    out.insert(out.end(), m.begin(), m.end());
  }
  return out;
}

std::vector<Vni> EvpnService::l2vnis() const {
  std::vector<Vni> out;
  for (const auto& [v, mv] : mac_vrfs_) out.push_back(v);
  return out;
}

std::vector<NeighView> EvpnService::neigh_views(std::optional<Vni> vni) const {
  std::vector<NeighView> out;
  for (const auto& [v, mv] : mac_vrfs_) {
    if (vni && *vni != v) continue;
    auto n = mv.neigh_views();
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

std::vector<DupAddrView> EvpnService::dup_views(std::optional<Vni> vni) const {
  std::vector<DupAddrView> out;
  for (const auto& [v, mv] : mac_vrfs_) {
    if (vni && *vni != v) continue;
    auto d = mv.dup_views();
    out.insert(out.end(), d.begin(), d.end());
  }
  return out;
}

std::map<Vni, std::vector<IpAddress>> EvpnService::remote_vteps() const {
  std::map<Vni, std::vector<IpAddress>> out;
  for (const auto& [v, mv] : mac_vrfs_) out[v] = mv.remote_vteps();
  return out;
}

std::vector<VrfView> EvpnService::vrf_views() const {
  std::vector<VrfView> out;
  for (const auto& [n, vrf] : ip_vrfs_) {
    out.push_back(vrf.vrf_view());
    if (auto it = dp_status_.find(out.back().l3vni); it != dp_status_.end()) out.back().dataplane = it->second;
  }
  return out;
}

std::vector<RmacView> EvpnService::rmac_views() const {
  std::vector<RmacView> out;
  for (const auto& [n, vrf] : ip_vrfs_) {
    auto r = vrf.rmac_views();
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::vector<VrfRouteView> EvpnService::vrf_route_views(const std::string& name) const {
  std::vector<VrfRouteView> out;
  for (const auto& [n, vrf] : ip_vrfs_) {
    if (!name.empty() && name != n) continue;
    auto r = vrf.route_views();
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

}  // namespace evpnd::evpn

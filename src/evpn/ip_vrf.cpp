#include "evpn/ip_vrf.hpp"

#include <algorithm>

#include "evpn/auto_rd_rt.hpp"

namespace evpnd::evpn {
namespace {

IpPrefix host_prefix(const IpAddress& ip) { return IpPrefix(ip, ip.is_v4() ? 32 : 128); }
bool is_host(const IpPrefix& p) { return p.length() == (p.family() == IpFamily::kV4 ? 32 : 128); }

}  // namespace

IpVrf::IpVrf(IpVrfConfig cfg) : cfg_(std::move(cfg)) {}

bool IpVrf::imports(const std::vector<RouteTarget>& route_rts) const {
  return rt_match(route_rts, cfg_.import_rts);
}

void IpVrf::stop(Output& out) {
  for (auto& [p, b] : bgp_routes_) {
    if (b.installed) out.del(*b.installed);
  }
  for (const auto& p : exported_) out.unicast.push_back({cfg_.name, p, false});
  for (auto& [p, e] : routes_) {
    if (e.installed) out.del(*e.installed);
    e.installed.reset();
  }
  for (auto& [vtep, r] : rmacs_) {
    if (r.installed) out.del(dataplane::RemoteRmac{cfg_.l3vni, *r.installed, vtep});
  }
  for (const auto& [p, srcs] : local_prefixes_) {
    out.withdraw(make_prefix_route(cfg_.rd, p, cfg_.l3vni), cfg_.local_vtep);
  }
  routes_.clear();
  path_index_.clear();
  local_prefixes_.clear();
  local_hosts_.clear();
  rmacs_.clear();
  bgp_routes_.clear();
  exported_.clear();
}

void IpVrf::set_router_mac(const Mac& rmac, Output& out) {
  if (cfg_.router_mac == rmac) return;
  cfg_.router_mac = rmac;
  for (const auto& [p, srcs] : local_prefixes_) advertise_prefix(p, out);
}

// ---- type-5 origination -------------------------------------------------------------------

void IpVrf::advertise_prefix(const IpPrefix& p, Output& out) {
  wire::IpPrefixRoute r = make_prefix_route(cfg_.rd, p, cfg_.l3vni);
  r.gateway = type5_gateway(p);  // ip_vrf_bgp.cpp
  out.advertise(std::move(r), prefix_route_attrs(cfg_.export_rts, cfg_.router_mac), cfg_.local_vtep);
}

bool IpVrf::add_local_prefix(const IpPrefix& p, PrefixSource src, Output& out) {
  auto& srcs = local_prefixes_[p];
  const bool first = srcs.empty();
  if (!srcs.insert(src).second) return false;
  if (first) {
    advertise_prefix(p, out);
    reconcile(p, out);  // our own prefix: an imported route for it is not installed
  }
  sync_export(p, out);
  return true;
}

bool IpVrf::remove_local_prefix(const IpPrefix& p, PrefixSource src, Output& out) {
  auto it = local_prefixes_.find(p);
  if (it == local_prefixes_.end() || !it->second.erase(src)) return false;
  if (it->second.empty()) {
    local_prefixes_.erase(it);
    out.withdraw(make_prefix_route(cfg_.rd, p, cfg_.l3vni), cfg_.local_vtep);
    reconcile(p, out);
  }
  sync_export(p, out);
  return true;
}

void IpVrf::set_local_host(const IpAddress& ip, bool present, Output& out) {
  const bool changed = present ? local_hosts_.insert(ip).second : local_hosts_.erase(ip) > 0;
  if (changed) reconcile(host_prefix(ip), out);
}

// ---- import -------------------------------------------------------------------------------

void IpVrf::remote_host(const Bytes& key, const wire::MacIpAdvertisement& r, const IpAddress& vtep,
                        const PathInfo& info, Output& out) {
  if (r.ip.empty()) return;
  if ((cfg_.anycast_gateway_mac && r.mac == *cfg_.anycast_gateway_mac) || info.default_gateway) {
    remote_withdraw(key, out);  // RFC 9135 §4.1 anycast gateway: present everywhere, never a host
    return;
  }
  if (!info.router_mac) {
    out.notice(Severity::kInfo, NoticeKind::kRouteIgnored, cfg_.l3vni, r.mac, r.ip,
               "MAC+IP route from " + vtep.to_string() + " without Router's MAC: no host route in VRF " +
                   cfg_.name);
    remote_withdraw(key, out);
    return;
  }
  add_path(key, host_prefix(r.ip), Path{vtep, *info.router_mac, info.seq}, true, out);
}

void IpVrf::remote_prefix(const Bytes& key, const wire::IpPrefixRoute& r, const IpAddress& vtep,
                          const PathInfo& info, Output& out) {
  if (!info.router_mac || !r.esi.is_zero()) {
    out.notice(Severity::kInfo, NoticeKind::kRouteIgnored, cfg_.l3vni, std::nullopt, std::nullopt,
               "type-5 " + r.prefix.to_string() + " from " + vtep.to_string() +
                   (info.router_mac ? " with an ESI overlay index" : " without Router's MAC") +
                   " not supported; ignored");
    remote_withdraw(key, out);
    return;
  }
  add_path(key, r.prefix, Path{vtep, *info.router_mac, 0}, false, out);
}

void IpVrf::add_path(const Bytes& key, const IpPrefix& p, Path path, bool host, Output& out) {
  auto idx = path_index_.find(key);
  if (idx != path_index_.end() && (idx->second.first != p || idx->second.second != host)) remote_withdraw(key, out);
  path_index_[key] = {p, host};
  note_rmac(path.vtep, path.rmac, out);
  RouteEntry& e = routes_[p];
  (host ? e.host_paths : e.prefix_paths)[key] = path;
  reconcile(p, out);
}

void IpVrf::remote_withdraw(const Bytes& key, Output& out) {
  auto idx = path_index_.find(key);
  if (idx == path_index_.end()) return;
  const auto [p, host] = idx->second;
  path_index_.erase(idx);
  auto it = routes_.find(p);
  if (it == routes_.end()) return;
  (host ? it->second.host_paths : it->second.prefix_paths).erase(key);
  reconcile(p, out);
  if (it->second.host_paths.empty() && it->second.prefix_paths.empty() && !it->second.installed) routes_.erase(it);
}

// ---- decisions ----------------------------------------------------------------------------

std::vector<IpAddress> IpVrf::desired_nexthops(const IpPrefix& p, const RouteEntry& e) const {
  std::vector<IpAddress> nh;
  if (local_prefixes_.count(p) || bgp_routes_.count(p)) return nh;
  if (!e.host_paths.empty() && !(is_host(p) && local_hosts_.count(p.address()))) {
    // One host lives in one place: MAC-mobility order, newest seq (serial number order across
    // the 32-bit wrap, RFC 7432 §15) then lowest VTEP.
    const Path* best = nullptr;
    for (const auto& [key, path] : e.host_paths) {
      const int c = best ? wire::mobility_seq_compare(path.seq, best->seq) : 1;
      if (c > 0 || (c == 0 && path.vtep < best->vtep)) best = &path;
    }
    nh.push_back(best->vtep);
    return nh;
  }
  if (!e.host_paths.empty()) return nh;  // the host is local here
  for (const auto& [key, path] : e.prefix_paths) nh.push_back(path.vtep);
  std::sort(nh.begin(), nh.end());
  nh.erase(std::unique(nh.begin(), nh.end()), nh.end());
  return nh;
}

void IpVrf::reconcile(const IpPrefix& p, Output& out) {
  auto it = routes_.find(p);
  if (it == routes_.end()) return sync_export(p, out);
  RouteEntry& e = it->second;
  const std::vector<IpAddress> want = desired_nexthops(p, e);
  const std::vector<IpAddress> have = e.installed ? e.installed->nexthops : std::vector<IpAddress>{};
  if (want == have) return sync_export(p, out);
  for (const auto& v : want) {
    if (!std::binary_search(have.begin(), have.end(), v)) rmac_ref(v, out);
  }
  if (!want.empty()) {
    e.installed = dataplane::VrfRoute{cfg_.l3vni, p, want, 20};
    out.add(*e.installed);  // kAdd replaces the next-hop set
  } else {
    out.del(*e.installed);
    e.installed.reset();
  }
  for (const auto& v : have) {
    if (!std::binary_search(want.begin(), want.end(), v)) rmac_unref(v, out);
  }
  sync_export(p, out);
}

void IpVrf::note_rmac(const IpAddress& vtep, const Mac& rmac, Output& out) {
  Rmac& r = rmacs_[vtep];
  r.mac = rmac;
  if (r.installed && *r.installed != rmac) {
    out.del(dataplane::RemoteRmac{cfg_.l3vni, *r.installed, vtep});
    out.add(dataplane::RemoteRmac{cfg_.l3vni, rmac, vtep});
    r.installed = rmac;
  }
}

void IpVrf::rmac_ref(const IpAddress& vtep, Output& out) {
  Rmac& r = rmacs_[vtep];
  if (r.refs++ == 0) {
    out.add(dataplane::RemoteRmac{cfg_.l3vni, r.mac, vtep});
    r.installed = r.mac;
  }
}

void IpVrf::rmac_unref(const IpAddress& vtep, Output& out) {
  auto it = rmacs_.find(vtep);
  if (it == rmacs_.end() || it->second.refs == 0) return;
  if (--it->second.refs == 0) {
    if (it->second.installed) out.del(dataplane::RemoteRmac{cfg_.l3vni, *it->second.installed, vtep});
    // The entry stays: the VTEP's paths (and the Router's MAC they brought) may still be here,
    // not installed because a local source or a BGP route wins; when that goes, rmac_ref()
    // needs the MAC again (erasing it here re-added the RMAC with a zero MAC).
    it->second.installed.reset();
  }
}

// ---- views --------------------------------------------------------------------------------

std::vector<RmacView> IpVrf::rmac_views() const {
  std::vector<RmacView> out;
  for (const auto& [vtep, r] : rmacs_) {
    if (r.installed) out.push_back({cfg_.l3vni, vtep, *r.installed});
  }
  return out;
}

std::vector<VrfRouteView> IpVrf::route_views() const {
  std::vector<VrfRouteView> out;
  for (const auto& [p, e] : routes_) {
    if (!e.installed) continue;
    const bool host = !e.host_paths.empty() && e.installed->nexthops.size() == 1 &&
                      std::any_of(e.host_paths.begin(), e.host_paths.end(),
                                  [&](const auto& kv) { return kv.second.vtep == e.installed->nexthops[0]; });
    out.push_back({cfg_.l3vni, p, e.installed->nexthops, host ? VrfRouteSource::kHost : VrfRouteSource::kPrefix, {}});
  }
  for (const auto& [p, b] : bgp_routes_) {
    if (b.installed) out.push_back({cfg_.l3vni, p, b.installed->nexthops, VrfRouteSource::kBgp, b.best.peer});
  }
  std::sort(out.begin(), out.end(), [](const VrfRouteView& a, const VrfRouteView& b) { return a.prefix < b.prefix; });
  return out;
}

VrfView IpVrf::vrf_view() const {
  VrfView v;
  v.name = cfg_.name;
  v.l3vni = cfg_.l3vni;
  v.rd = cfg_.rd;
  v.import_rts = cfg_.import_rts;
  v.export_rts = cfg_.export_rts;
  v.router_mac = cfg_.router_mac;
  v.l2vnis = cfg_.l2vnis;
  for (const auto& [p, srcs] : local_prefixes_) v.local_prefixes.push_back(p);
  for (const auto& [p, e] : routes_) v.routes += e.installed ? 1 : 0;
  v.routes += bgp_routes_.size();
  return v;
}

}  // namespace evpnd::evpn

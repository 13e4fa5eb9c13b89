#include "daemon/evpn_api.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "daemon/es_api.hpp"
#include "daemon/evpn_table_views.hpp"
#include "evpn/json_views.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

template <class T>
json strings(const std::vector<T>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back(x.to_string());
  return a;
}

// `vni` query or body value: absent, or 1..16777215.
tl::expected<std::optional<Vni>, std::string> vni_param(const api::ApiRequest& req) {
  auto it = req.query.find("vni");
  if (it == req.query.end()) return std::nullopt;
  const std::string& s = it->second;
  if (s.empty() || s.size() > 8 || s.find_first_not_of("0123456789") != std::string::npos)
    return tl::make_unexpected("bad vni '" + s + "': expected 1-16777215");
  const unsigned long v = std::stoul(s);
  if (v < 1 || v > kMaxVni) return tl::make_unexpected("bad vni '" + s + "': expected 1-16777215");
  return static_cast<Vni>(v);
}

bool frr_format(const api::ApiRequest& req) {
  auto it = req.query.find("format");
  return it != req.query.end() && it->second == "frr";
}

std::string vrf_of_l3vni(const api::Config& c, Vni l3vni) {
  for (const auto& v : c.vrfs)
    if (v.l3vni == l3vni) return v.name;
  return "";
}

json vnis(const evpn::EvpnService& s) {
  json a = json::array();
  for (const auto& v : s.vni_views()) {
    std::string bridge = "br" + std::to_string(v.vni), vxlan = "vxlan" + std::to_string(v.vni);
    // The running VNI's devices: the file's or, for a run-time VNI (issue 11), the API's.
    if (const api::L2VniConfig* l = s.l2vni_config(v.vni)) {
      if (!l->bridge.empty()) bridge = l->bridge;
      if (!l->vxlan_device.empty()) vxlan = l->vxlan_device;
    }
    a.push_back({{"vni", v.vni}, {"type", "L2"}, {"vxlan_device", vxlan}, {"bridge", bridge}, {"vrf", v.vrf},
                 {"rd", v.rd.to_string()}, {"import_rts", strings(v.import_rts)},
                 {"export_rts", strings(v.export_rts)}, {"local_macs", v.local_macs},
                 {"remote_macs", v.remote_macs}, {"local_neighbors", v.local_neighs},
                 {"remote_neighbors", v.remote_neighs}, {"endpoints", v.endpoints},
                 {"remote_vteps", strings(v.remote_vteps)},
                 {"dataplane", evpn::dataplane_status_json(v.dataplane)}});
  }
  for (const auto& v : s.vrf_views()) {
    std::set<IpAddress> vteps;
    for (const auto& r : s.rmac_views())
      if (r.l3vni == v.l3vni) vteps.insert(r.vtep);
    json l2 = json::array();
    for (Vni x : v.l2vnis) l2.push_back(x);
    a.push_back({{"vni", v.l3vni}, {"type", "L3"}, {"vxlan_device", "vxlan" + std::to_string(v.l3vni)},
                 {"bridge", "br" + std::to_string(v.l3vni)}, {"vrf", v.name}, {"rd", v.rd.to_string()},
                 {"import_rts", strings(v.import_rts)}, {"export_rts", strings(v.export_rts)},
                 {"router_mac", v.router_mac.to_string()}, {"l2vnis", l2},
                 {"remote_vteps", strings(std::vector<IpAddress>(vteps.begin(), vteps.end()))},
                 {"dataplane", evpn::dataplane_status_json(v.dataplane)}});
  }
  return json{{"vnis", std::move(a)}};
}

json vteps(const evpn::EvpnService& s) {
  std::map<IpAddress, std::vector<Vni>> by;
  for (const auto& [vni, list] : s.remote_vteps())
    for (const auto& v : list) by[v].push_back(vni);
  for (const auto& r : s.rmac_views()) {
    auto& l = by[r.vtep];
    if (std::find(l.begin(), l.end(), r.l3vni) == l.end()) l.push_back(r.l3vni);
  }
  json a = json::array();
  for (const auto& [vtep, list] : by) a.push_back({{"vtep", vtep.to_string()}, {"vnis", list}});
  return json{{"vteps", std::move(a)}};
}

json vrfs(const evpn::EvpnService& s) {
  json a = json::array();
  for (const auto& v : s.vrf_views()) {
    a.push_back({{"name", v.name}, {"l3vni", v.l3vni}, {"rd", v.rd.to_string()},
                 {"router_mac", v.router_mac.to_string()}, {"import_rts", strings(v.import_rts)},
                 {"export_rts", strings(v.export_rts)}, {"state", "up"}, {"routes", v.routes},
                 {"local_prefixes", strings(v.local_prefixes)}});
  }
  return json{{"vrfs", std::move(a)}};
}

json rmacs(const evpn::EvpnService& s, const api::Config& c) {
  json a = json::array();
  for (const auto& r : s.rmac_views())
    a.push_back({{"vrf", vrf_of_l3vni(c, r.l3vni)}, {"l3vni", r.l3vni}, {"vtep", r.vtep.to_string()},
                 {"rmac", r.rmac.to_string()}});
  return json{{"rmacs", std::move(a)}};
}

json vrf_routes(const evpn::EvpnService& s, const std::string& name) {
  const evpn::IpVrf* vrf = s.ip_vrf(name);
  std::map<IpAddress, Mac> rmac;
  for (const auto& r : s.rmac_views())
    if (r.l3vni == vrf->config().l3vni) rmac[r.vtep] = r.rmac;
  json a = json::array();
  for (const auto& v : s.vrf_views()) {
    if (v.name != name) continue;
    for (const auto& p : v.local_prefixes)
      a.push_back({{"prefix", p.to_string()}, {"nexthops", json::array()}, {"type", "local"}});
  }
  for (const auto& r : s.vrf_route_views(name)) {
    json hops = json::array();
    if (r.source == evpn::VrfRouteSource::kBgp) {
      // Via a CE of the VRF's BGP instance (issue 10): its address, and the peer it came from.
      for (const auto& nh : r.nexthops) hops.push_back({{"next_hop", nh.to_string()}});
      a.push_back({{"prefix", r.prefix.to_string()}, {"nexthops", hops}, {"type", "bgp"},
                   {"peer", r.peer ? r.peer->to_string() : ""}});
      continue;
    }
    for (const auto& nh : r.nexthops) {
      auto it = rmac.find(nh);
      hops.push_back({{"vtep", nh.to_string()}, {"rmac", it != rmac.end() ? it->second.to_string() : ""}});
    }
    a.push_back({{"prefix", r.prefix.to_string()}, {"nexthops", hops},
                 {"type", r.source == evpn::VrfRouteSource::kHost ? "host" : "prefix"}});
  }
  return json{{"routes", std::move(a)}};
}

json dup_addr(const evpn::EvpnService& s, std::optional<Vni> vni, bool all) {
  std::map<std::pair<Vni, Mac>, std::vector<IpAddress>> ips;
  for (const auto& m : s.mac_views(vni)) ips[{m.vni, m.mac}] = m.ips;
  json a = json::array();
  for (const auto& d : s.dup_views(vni)) {
    if (!all && !d.duplicate && !d.frozen) continue;
    // A MAC entry lists the MAC's IPs; an IP entry (IP duplicate detection) its own IP.
    const std::vector<IpAddress> l = d.ip.empty() ? ips[{d.vni, d.mac}] : std::vector<IpAddress>{d.ip};
    a.push_back({{"vni", d.vni}, {"kind", d.ip.empty() ? "mac" : "ip"}, {"mac", d.mac.to_string()},
                 {"ip", l.empty() ? "" : l.front().to_string()}, {"ips", strings(l)}, {"moves", d.moves},
                 {"total_moves", d.total_moves}, {"state", d.frozen ? "frozen" : d.duplicate ? "duplicate" : "ok"}});
  }
  return json{{"entries", std::move(a)}};
}

api::ApiResponse done(const engine::Effects& fx, json ok) {
  if (!fx.error.empty()) return error(fx.error.find("unknown VRF") == 0 ? 404 : 400, fx.error);
  return api::ApiResponse{200, std::move(ok)};
}

// Why `a` cannot be a VTEP/host address, or "" (as api::detail::non_unicast_reason).
std::string non_unicast(const IpAddress& a) {
  if (a.is_unspecified()) return "is the unspecified address";
  const uint8_t* b = a.data();
  if ((a.is_v4() && (b[0] & 0xf0) == 0xe0) || (a.is_v6() && b[0] == 0xff)) return "is a multicast address";
  if (a.is_v4() && a.v4_host_order() == 0xffffffffu) return "is the broadcast address";
  return "";
}

// A prefix inside the multicast ranges (224.0.0.0/4, ff00::/8) or the IPv4 limited broadcast.
bool multicast_prefix(const IpPrefix& p) {
  const uint8_t* b = p.address().data();
  if (p.family() == IpFamily::kV4)
    return (p.length() >= 4 && (b[0] & 0xf0) == 0xe0) || (p.length() == 32 && p.address().v4_host_order() == 0xffffffffu);
  return p.length() >= 8 && b[0] == 0xff;
}

// "10.0.0.1/24" when the text's address has bits past the length (IpPrefix::parse clears them).
std::optional<std::string> host_bits(const std::string& text, const IpPrefix& p) {
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (slash == std::string::npos || !addr || *addr == p.address()) return std::nullopt;
  return "prefix '" + text + "' has host bits set (did you mean " + p.to_string() + "?)";
}

bool has_l3vni(const api::Config& c, uint32_t l3vni) {
  return std::any_of(c.vrfs.begin(), c.vrfs.end(), [&](const auto& v) { return v.l3vni == l3vni; });
}

api::ApiResponse prefixes(Daemon& d, const std::string& vrf, const api::ApiRequest& req) {
  if (!req.body.is_object() || !req.body.contains("prefix") || !req.body["prefix"].is_string())
    return error(400, "body must be {\"prefix\": \"A.B.C.D/N\"}");
  const std::string text = req.body["prefix"].get<std::string>();
  const auto slash = text.find('/');
  auto p = IpPrefix::parse(text);
  if (!p || slash == std::string::npos) return error(400, "bad prefix '" + text + "': expected ADDRESS/LENGTH");
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr || !(*addr == p->address()))
    return error(400, "bad prefix '" + text + "': host bits set (did you mean " + p->to_string() + "?)");
  // A type-5 route is unicast reachability (RFC 9136 §3): a group range is never one.
  if (multicast_prefix(*p)) return error(400, "bad prefix '" + text + "': a multicast or broadcast range");
  if (!d.engine().evpn()->ip_vrf(vrf)) return error(404, "no such VRF " + vrf);
  const bool add = req.method == "POST";
  auto fx = d.dispatch(engine::ev::Prefix{vrf, *p, add});
  return done(fx, json{{add ? "announced" : "withdrawn", p->to_string()}, {"vrf", vrf}});
}

api::ApiResponse clear_dup(Daemon& d, const api::ApiRequest& req) {
  std::optional<Vni> vni;
  std::optional<Mac> mac;
  if (!req.body.is_null() && !req.body.is_object()) return error(400, "body must be {} or {\"vni\": N, \"mac\": M}");
  if (req.body.is_object()) {
    if (req.body.contains("vni")) {
      const auto& v = req.body["vni"];
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > int64_t(kMaxVni))
        return error(400, "bad vni: expected an integer 1-16777215");
      vni = static_cast<Vni>(v.get<int64_t>());
      if (!d.engine().evpn()->mac_vrf(*vni)) return error(404, "no such VNI " + std::to_string(*vni));
    }
    if (req.body.contains("mac")) {
      const auto& m = req.body["mac"];
      if (!m.is_string() || !(mac = Mac::parse(m.get<std::string>()))) return error(400, "bad mac: expected aa:bb:cc:dd:ee:ff");
    }
  }
  const size_t before = d.engine().evpn()->dup_views(vni).size();
  auto fx = d.dispatch(engine::ev::ClearDuplicates{vni, mac});
  return done(fx, json{{"cleared", true}, {"tracked_before", before}});
}

}  // namespace

std::optional<RouteRefusal> check_local_route(const Daemon& d, const nlohmann::json& j, const engine::LocalRoute& r) {
  auto bad = [](std::string why, int status = 400) { return std::optional<RouteRefusal>(RouteRefusal{status, std::move(why)}); };
  // RFC 7432 §7 / RFC 8365 §5.1.3: the next hop is the VTEP, where traffic for the route goes.
  if (auto why = non_unicast(r.next_hop); !why.empty())
    return bad("next_hop " + r.next_hop.to_string() + " " + why + " (a VTEP address is needed)");
  const evpn::EvpnService* s = d.engine().evpn();
  auto unknown_l2 = [&](uint32_t vni) { return s && !s->mac_vrf(vni); };
  auto unknown_l3 = [&](uint32_t vni) { return s && !has_l3vni(d.config(), vni); };
  if (const auto* a = std::get_if<wire::EthernetAutoDiscovery>(&r.route)) {
    if (a->esi.is_zero()) return bad("esi 0 has no Ethernet segment (RFC 7432 §8.2)");
  } else if (const auto* m = std::get_if<wire::MacIpAdvertisement>(&r.route)) {
    if (m->mac.is_zero()) return bad("mac " + m->mac.to_string() + " is not a host MAC");
    // RFC 7432 §7.2: the MAC advertised is a unicast station address; broadcast and multicast
    // traffic is flooded (type 3), never learned.
    if (m->mac.is_multicast()) return bad("mac " + m->mac.to_string() + " is a multicast or broadcast MAC");
    if (!m->ip.empty())
      if (auto why = non_unicast(m->ip); !why.empty()) return bad("ip " + m->ip.to_string() + " " + why);
    if (unknown_l2(m->label1)) return bad("no such L2VNI " + std::to_string(m->label1) + " on this node", 404);
    if (m->label2 && unknown_l3(*m->label2)) return bad("no such L3VNI " + std::to_string(*m->label2) + " on this node", 404);
  } else if (const auto* t3 = std::get_if<wire::InclusiveMulticast>(&r.route)) {
    if (auto why = non_unicast(t3->originator); !why.empty())
      return bad("originator " + t3->originator.to_string() + " " + why);
    if (r.pmsi) {
      // RFC 6514 §5: ingress replication's tunnel identifier is the unicast address to send to.
      const IpAddress ep = r.pmsi->endpoint();
      if (auto why = non_unicast(ep); !why.empty()) return bad("pmsi_tunnel endpoint " + ep.to_string() + " " + why);
      if (unknown_l2(r.pmsi->label)) return bad("no such L2VNI " + std::to_string(r.pmsi->label) + " on this node", 404);
    }
  } else if (const auto* es = std::get_if<wire::EthernetSegment>(&r.route)) {
    if (es->esi.is_zero()) return bad("esi 0 has no Ethernet segment (RFC 7432 §8.1.1)");
    if (auto why = non_unicast(es->originator); !why.empty())
      return bad("originator " + es->originator.to_string() + " " + why);
  } else if (const auto* p = std::get_if<wire::IpPrefixRoute>(&r.route)) {
    if (j.contains("prefix") && j["prefix"].is_string())
      if (auto why = host_bits(j["prefix"].get<std::string>(), p->prefix)) return bad(*why);
    if (multicast_prefix(p->prefix)) return bad("prefix " + p->prefix.to_string() + " is a multicast or broadcast range");
    // RFC 9136 §3.1: the GW IP address has the prefix's family.
    if (p->gateway.family() != p->prefix.family())
      return bad("gateway " + p->gateway.to_string() + " is not of the prefix's address family");
    if (!p->gateway.is_unspecified())
      if (auto why = non_unicast(p->gateway); !why.empty()) return bad("gateway " + p->gateway.to_string() + " " + why);
    if (unknown_l3(p->label)) return bad("no such L3VNI " + std::to_string(p->label) + " on this node", 404);
  }
  return std::nullopt;
}

std::optional<api::ApiResponse> handle_evpn_api(Daemon& d, const api::ApiRequest& req) {
  const std::string& path = req.path;
  if (auto es = handle_es_api(d, req)) return es;  // /v1/evpn/es, /v1/evpn/es-evi (es_api.hpp)
  static const std::string kVrfs = "/v1/vrfs/";
  const bool evpn_path = path.rfind("/v1/evpn/", 0) == 0 && path.rfind("/v1/evpn/routes", 0) != 0;
  const bool vrf_path = path.rfind(kVrfs, 0) == 0;
  if (!evpn_path && !vrf_path) return std::nullopt;
  const evpn::EvpnService* s = d.engine().evpn();
  const api::Config& c = d.config();
  if (req.method == "GET" && evpn_path) {
    auto vni = vni_param(req);
    if (!vni) return error(400, vni.error());
    const bool frr = frr_format(req);
    if (!s) {  // route reflector: nothing to show
      static const std::map<std::string, const char*> kEmpty = {
          {"/v1/evpn/vnis", "vnis"},    {"/v1/evpn/macs", "macs"}, {"/v1/evpn/arp-cache", "entries"},
          {"/v1/evpn/vteps", "vteps"},  {"/v1/evpn/vrfs", "vrfs"}, {"/v1/evpn/rmacs", "rmacs"},
          {"/v1/evpn/dup-addr", "entries"}};
      auto it = kEmpty.find(path);
      if (it == kEmpty.end()) return std::nullopt;
      return api::ApiResponse{200, json{{it->second, json::array()}}};
    }
    if (*vni && !s->mac_vrf(**vni)) return error(404, "no such L2VNI " + std::to_string(**vni));
    if (path == "/v1/evpn/vnis") return api::ApiResponse{200, frr ? evpn::vni_json(s->vni_views(), s->vrf_views()) : vnis(*s)};
    if ((path == "/v1/evpn/macs" || path == "/v1/evpn/arp-cache") && !frr) {  // streamed, paged
      auto page = page_params(req);
      if (!page) return error(400, page.error());
      return path == "/v1/evpn/macs" ? mac_table_reply(d, *vni, *page) : arp_cache_reply(d, *vni, *page);
    }
    if (path == "/v1/evpn/macs") return api::ApiResponse{200, evpn::mac_table_json(s->mac_views(*vni))};
    if (path == "/v1/evpn/arp-cache") return api::ApiResponse{200, evpn::arp_cache_json(s->neigh_views(*vni))};
    if (path == "/v1/evpn/vteps") return api::ApiResponse{200, vteps(*s)};
    if (path == "/v1/evpn/vrfs") return api::ApiResponse{200, vrfs(*s)};
    if (path == "/v1/evpn/rmacs") return api::ApiResponse{200, frr ? evpn::rmac_json(s->rmac_views()) : rmacs(*s, c)};
    if (path == "/v1/evpn/dup-addr") {
      auto it = req.query.find("all");
      const bool all = it != req.query.end() && (it->second == "1" || it->second == "true");
      return api::ApiResponse{200, frr ? evpn::dup_addr_json(s->dup_views(*vni), d.now()) : dup_addr(*s, *vni, all)};
    }
    return std::nullopt;
  }
  if (req.method == "POST" && path == "/v1/evpn/dup-addr/clear") {
    if (!s) return error(404, "no EVPN service on this node (no vtep section)");
    return clear_dup(d, req);
  }
  if (vrf_path) {
    const std::string rest = path.substr(kVrfs.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos || slash == 0) return std::nullopt;
    const std::string name = rest.substr(0, slash), what = rest.substr(slash + 1);
    if (what != "routes" && what != "prefixes") return std::nullopt;
    if (!s || !s->ip_vrf(name)) return error(404, "no such VRF " + name);
    if (what == "routes" && req.method == "GET") {
      if (frr_format(req)) return api::ApiResponse{200, evpn::vrf_routes_json(s->vrf_route_views(name))};
      return api::ApiResponse{200, vrf_routes(*s, name)};
    }
    if (what == "prefixes" && (req.method == "POST" || req.method == "DELETE")) return prefixes(d, name, req);
    return error(405, "method " + req.method + " not allowed on " + path);
  }
  return std::nullopt;
}

}  // namespace evpnd::daemon

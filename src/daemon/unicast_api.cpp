#include "daemon/unicast_api.hpp"

#include <algorithm>

#include "daemon/api_routes.hpp"
#include "daemon/unicast_views.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

// Why `vrf` has no instance to show: not configured at all, or configured without BGP.
api::ApiResponse no_instance(const Daemon& d, const std::string& vrf) {
  const auto& vrfs = d.config().vrfs;
  const bool configured = std::any_of(vrfs.begin(), vrfs.end(), [&](const auto& v) { return v.name == vrf; });
  if (!configured) return error(404, "no such VRF " + vrf);
  return error(404, "VRF " + vrf + " has no BGP instance (it has no neighbors or listen-ranges)");
}

// The walks look the instance up again on every piece (unicast_views.hpp, UnicastSource): a
// reload that removes the VRF's instance or rebuilds the engine ends the walk, never dangles.
UnicastSourceFn vrf_source(const Daemon& d, std::string vrf) {
  return [&d, vrf = std::move(vrf)] {
    const bgp::Speaker* s = d.engine().speaker(vrf);
    return UnicastSource{s, s ? &s->unicast_table() : nullptr};
  };
}

UnicastSourceFn global_source(const Daemon& d) {
  return [&d] {
    const bgp::Speaker& s = d.engine().speaker();
    return UnicastSource{&s, &s.unicast_table()};
  };
}

json vrfs(const Daemon& d) {
  json a = json::array();
  for (const std::string& name : d.engine().bgp_vrfs())
    if (const bgp::Speaker* s = d.engine().speaker(name)) a.push_back(vrf_summary_json(name, *s, s->unicast_table()));
  return json{{"vrfs", std::move(a)}};
}
}  // namespace

std::optional<api::ApiResponse> handle_unicast_api(const Daemon& d, const api::ApiRequest& req) {
  static const std::string kVrfs = "/v1/bgp/vrfs";
  const std::string& path = req.path;
  std::optional<IpFamily> global;
  if (path == "/v1/bgp/ipv4/routes") global = IpFamily::kV4;
  else if (path == "/v1/bgp/ipv6/routes") global = IpFamily::kV6;
  const bool vrf_path = path == kVrfs || path == kVrfs + "/" || path.rfind(kVrfs + "/", 0) == 0;
  if (!global && !vrf_path) return std::nullopt;
  if (req.method != "GET") return error(405, "method " + req.method + " not allowed on " + path);
  if (global) return unicast_routes_reply(req, global_source(d), global);
  if (path == kVrfs || path == kVrfs + "/") return api::ApiResponse{200, vrfs(d)};
  // /v1/bgp/vrfs/<name>/<what>
  const std::string rest = path.substr(kVrfs.size() + 1);
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  const std::string name = rest.substr(0, slash), what = rest.substr(slash + 1);
  static const std::string kOne = "neighbors/";
  const bool one = what.rfind(kOne, 0) == 0 && what.size() > kOne.size();
  if (what != "neighbors" && what != "routes" && !one) return std::nullopt;
  const bgp::Speaker* s = d.engine().speaker(name);
  if (!s) return no_instance(d, name);
  if (one) {  // the global neighbour detail shape plus where a dynamic peer came from
    const std::string addr = what.substr(kOne.size());
    auto ip = IpAddress::parse(addr);
    const bgp::Peer* p = ip ? s->find_peer(*ip) : nullptr;
    if (!p) return error(404, "no such neighbor " + addr + " in VRF " + name);
    json n = neighbor_json(*s, *p, d.now());
    const bgp::ListenRange* r = listen_range_of(*s, *p);
    n["vrf"] = name;
    n["dynamic"] = p->cfg.dynamic;
    n["listen_range"] = r ? json(r->range.to_string()) : json(nullptr);
    return api::ApiResponse{200, json{{"neighbors", json::array({std::move(n)})}}};
  }
  if (what == "neighbors") return api::ApiResponse{200, vrf_neighbors_json(name, *s, s->unicast_table(), d.now())};
  return unicast_routes_reply(req, vrf_source(d, name));
}

}  // namespace evpnd::daemon

// The EVPN and VRF part of the JSON API (shapes: docs/API.md):
//   GET    /v1/evpn/vnis, /v1/evpn/macs?vni=, /v1/evpn/arp-cache?vni=, /v1/evpn/vteps,
//          /v1/evpn/vrfs, /v1/evpn/rmacs, /v1/evpn/dup-addr?vni=&all=1, /v1/vrfs/<name>/routes
//   POST   /v1/evpn/dup-addr/clear {} | {"vni": N, "mac": "..."}
//   POST   /v1/vrfs/<name>/prefixes {"prefix": "10.99.0.0/24"}   (type-5 announce)
//   DELETE /v1/vrfs/<name>/prefixes {"prefix": ...}              (type-5 withdraw)
// GET views also take `format=frr`: the FRR 8.4 `show evpn ... json` shapes (evpn/json_views).
// On a route reflector (no EvpnService) the views are empty and the actions answer 404.
// NOTE threading: the io_context thread (called from handle_api).
#pragma once

#include <optional>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// nullopt: not an EVPN/VRF path (the caller answers 404 for unknown endpoints).
std::optional<api::ApiResponse> handle_evpn_api(Daemon& d, const api::ApiRequest& req);

// Why a route given to POST /v1/evpn/routes (`j`, as parsed into `r` by parse_local_route) must
// not be originated: 400 for what no VTEP could mean (a group or zero MAC, a next hop or
// originator that is not a unicast address, a type-5 prefix with host bits, a gateway of the
// other family, a zero ESI on type 1/4), 404 for a VNI this leaf does not run (only checked
// when the node has an EVPN service: a route reflector injects for any VNI). nullopt: fine.
struct RouteRefusal {
  int status = 400;
  std::string reason;
};
std::optional<RouteRefusal> check_local_route(const Daemon& d, const nlohmann::json& j, const engine::LocalRoute& r);

}  // namespace evpnd::daemon

// The JSON API handler of evpnd (served by api::ApiServer over a unix socket):
//   GET    /v1/bgp/summary
//   GET    /v1/bgp/neighbors, /v1/bgp/neighbors/<address>
//   GET    /v1/bgp/evpn/routes?type=N&rd=RD&vni=N&limit=N
//   POST   /v1/config/reload
//   POST   /v1/evpn/routes   {"routes":[ROUTE + next_hop, extended_communities]}
//   DELETE /v1/evpn/routes   (same body)
// Shapes are documented in docs/API.md; the route shapes come from wire/json_view.hpp.
// NOTE threading: runs on the io_context thread (ApiServer calls it there).
#pragma once

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

api::ApiResponse handle_api(Daemon& d, const api::ApiRequest& req);

// Views, exposed for tests.
nlohmann::json summary_json(const bgp::Speaker& s, bgp::TimePoint now);
nlohmann::json neighbor_json(const bgp::Speaker& s, const bgp::Peer& p, bgp::TimePoint now);

}  // namespace evpnd::daemon

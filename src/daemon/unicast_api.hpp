// The unicast BGP part of the JSON API (issue 10; shapes: docs/API.md, unicast_views.hpp):
//   GET /v1/bgp/vrfs                                   the VRFs with a BGP instance
//   GET /v1/bgp/vrfs/<name>/neighbors                  a VRF instance's neighbours (summary)
//   GET /v1/bgp/vrfs/<name>/neighbors/<address>        one in detail (/v1/bgp/neighbors' shape)
//   GET /v1/bgp/vrfs/<name>/routes?family=&prefix=&limit=&cursor=   its unicast table, paged
//   GET /v1/bgp/ipv4/routes, /v1/bgp/ipv6/routes?prefix=&limit=&cursor=   the global instance's
// A VRF that is not configured, or has no BGP instance (no neighbors or listen-ranges), is 404
// with the reason; other methods on these paths 405.
// NOTE threading: the io_context thread (called from handle_api).
#pragma once

#include <optional>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// nullopt: not one of these paths.
std::optional<api::ApiResponse> handle_unicast_api(const Daemon& d, const api::ApiRequest& req);

}  // namespace evpnd::daemon

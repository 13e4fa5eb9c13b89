// POST/DELETE/GET /v1/evpn/endpoints (issue 11; shapes in docs/API.md "Run-time segments and
// endpoints"): the request is parsed and validated here, the Daemon (daemon_endpoints.cpp) keeps
// the endpoint in its run-time state and announces it to EVPN.
// NOTE threading: the io_context thread (called from handle_api).
#pragma once

#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"
#include "daemon/runtime_state.hpp"

namespace evpnd::daemon {

// nullopt: not an endpoints path (the caller answers 404 for unknown endpoints).
std::optional<api::ApiResponse> handle_endpoint_api(Daemon& d, const api::ApiRequest& req);

// The body of POST /v1/evpn/endpoints as an endpoint, or why it is refused (400: the reason names
// the key). Exposed for tests.
tl::expected<RuntimeEndpoint, std::string> parse_endpoint(const nlohmann::json& body);

// ENDPOINT: {vni, mac, ips, interface, attachment}.
nlohmann::json endpoint_json(const RuntimeEndpoint& e);

// IFNAMSIZ - 1 (linux/if.h): the longest interface name the kernel accepts.
inline constexpr size_t kMaxIfName = 15;

}  // namespace evpnd::daemon

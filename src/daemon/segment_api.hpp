// Run-time segments over the JSON API (issue 11; shapes: docs/API.md "Run-time segments and
// endpoints"):
//   PUT    /v1/evpn/vnis/N  {attachment?, <keys of an l2vnis entry>}  201 created / 200 held
//   GET    /v1/evpn/vnis/N                                            VNI-STATE, 404 unknown
//   DELETE /v1/evpn/vnis/N?attachment=ID                              200 {released, removed}
// (GET /v1/evpn/vnis, the list, stays in evpn_api.cpp.) The work is Daemon's (daemon_segments.cpp).
// NOTE threading: the io_context thread (called from handle_api).
#pragma once

#include <optional>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// nullopt: not a /v1/evpn/vnis/N path.
std::optional<api::ApiResponse> handle_segment_api(Daemon& d, const api::ApiRequest& req);

}  // namespace evpnd::daemon

// GET /metrics: Prometheus text (api/metrics.hpp) built fresh per scrape from the engine's,
// the speaker's, the EVPN service's and the data plane's counters. Names: evpnd_<what>[_total].
// NOTE threading: the io_context thread.
#pragma once

#include <string>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// `api`: the serving ApiServer's counters (evpnd_api_*), absent when called outside a request.
std::string metrics_text(const Daemon& d, const api::ApiServerStats* api = nullptr);

}  // namespace evpnd::daemon

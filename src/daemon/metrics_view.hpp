// GET /metrics: Prometheus text (api/metrics.hpp) built fresh per scrape from the engine's,
// the speaker's, the EVPN service's and the data plane's counters. Names: evpnd_<what>[_total].
// NOTE threading: the io_context thread.
#pragma once

#include <string>

#include "daemon/daemon.hpp"

namespace evpnd::daemon {

std::string metrics_text(const Daemon& d);

}  // namespace evpnd::daemon

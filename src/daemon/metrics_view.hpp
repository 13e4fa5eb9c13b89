// GET /metrics: Prometheus text (api/metrics.hpp) built fresh per scrape from the engine's,
// the speaker's, the EVPN service's and the data plane's counters. Names: evpnd_<what>[_total].
// NOTE threading: the io_context thread.
#pragma once

#include <string>
#include <vector>

#include "api/api_server.hpp"
#include "api/metrics.hpp"
#include "dataplane/dataplane.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// `api`: the serving ApiServer's counters (evpnd_api_*), absent when called outside a request.
std::string metrics_text(const Daemon& d, const api::ApiServerStats* api = nullptr);

// The Ethernet-segment filter drops (Dataplane::es_drop_counters()):
// evpnd_es_bum_dropped_total{es,port,reason="non_df|local_bias|blocked"} per attachment port and
// evpnd_es_overlay_bum_dropped_total{vni,port} per VXLAN device (hairpin echo prevention).
void write_es_drop_metrics(api::MetricsWriter& w, const std::vector<dataplane::EsDropCounter>& counters);

}  // namespace evpnd::daemon

// Ethernet segments in the JSON API and /metrics (shapes: docs/API.md "Ethernet segments"):
//   GET /v1/evpn/es               every segment (local today; remote ones join the same list)
//   GET /v1/evpn/es/<esi|name>    one segment, 404 when unknown
//   GET /v1/evpn/es-evi[?vni=N]   one entry per <segment, VNI>
// Metrics: evpnd_es_df_changes_total{es}, evpnd_es_up{es}, evpnd_es_df{es,vni}, evpnd_es_peers{es}.
// NOTE threading: the io_context thread (called from handle_api / the metrics view).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "api/api_server.hpp"
#include "api/metrics.hpp"
#include "daemon/daemon.hpp"
#include "evpn/es_views.hpp"

namespace evpnd::daemon {

nlohmann::json es_json(const evpn::EsView& v);
nlohmann::json es_evi_json(const evpn::EsEviView& v);

// nullopt: not an Ethernet segment path.
std::optional<api::ApiResponse> handle_es_api(Daemon& d, const api::ApiRequest& req);

void write_es_metrics(api::MetricsWriter& w, const evpn::EvpnService& s, evpn::Time now);

}  // namespace evpnd::daemon

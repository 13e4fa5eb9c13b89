// GET /metrics: Prometheus text (api/metrics.hpp) built fresh per scrape from the engine's,
// the speaker's, the EVPN service's and the data plane's counters. Names: evpnd_<what>[_total].
// NOTE threading: the io_context thread.
#pragma once

#include <string>
#include <vector>

#include "api/api_server.hpp"
#include "api/metrics.hpp"
#include "dataplane/dataplane.hpp"
#include "bgp/speaker.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {

// `api`: the serving ApiServer's counters (evpnd_api_*), absent when called outside a request.
std::string metrics_text(const Daemon& d, const api::ApiServerStats* api = nullptr);

// The Ethernet-segment filter drops (Dataplane::es_drop_counters()):
// evpnd_es_bum_dropped_total{es,port,reason="non_df|local_bias|blocked"} per attachment port and
// evpnd_es_overlay_bum_dropped_total{vni,port} per VXLAN device (hairpin echo prevention).
void write_es_drop_metrics(api::MetricsWriter& w, const std::vector<dataplane::EsDropCounter>& counters);

// A VRF's BGP instance (issue 10), labelled {vrf, peer}:
//   evpnd_vrf_bgp_session_state   BGP4-MIB bgpPeerState (RFC 4273): 1 idle .. 6 established
//   evpnd_vrf_bgp_prefixes        prefixes accepted from the peer (both unicast families)
//   evpnd_bgp_policy_rejected_total  prefixes the import policy refused (also for the global
//                                 instance's peers, with vrf="")
//   evpnd_vrf_bgp_dynamic_peers{vrf,range}  peers created from each listen range
//   evpnd_vrf_bgp_dynamic_refused_total{vrf,range}  connections refused past its max-peers
//   evpnd_vrf_bgp_routes{vrf,family}        the Loc-RIB per family
void write_vrf_bgp_metrics(api::MetricsWriter& w, const std::string& vrf, const bgp::Speaker& s,
                           const bgp::UnicastTable& t);

}  // namespace evpnd::daemon

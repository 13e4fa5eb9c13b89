#include "daemon/metrics_view.hpp"

#include "daemon/es_api.hpp"
#include "daemon/unicast_views.hpp"

#include "api/metrics.hpp"

namespace evpnd::daemon {
namespace {
constexpr const char* kPolicyRejectedHelp =
    "Unicast prefixes refused by the import policy (a prefix list, or RFC 8212 without one)";
}  // namespace

std::string metrics_text(const Daemon& d, const api::ApiServerStats* api) {
  api::MetricsWriter w;
  const bgp::Speaker& s = d.engine().speaker();
  using api::MetricType;

  size_t established = 0;
  for (const bgp::Peer* p : s.peers()) established += p->established() ? 1 : 0;
  w.gauge("evpnd_bgp_peers", "Configured BGP neighbours", double(s.peers().size()));
  w.gauge("evpnd_bgp_peers_established", "BGP sessions in state Established", double(established));
  w.gauge("evpnd_bgp_loc_rib_routes", "Routes in the Loc-RIB (destinations with a best path)", double(s.loc_rib_size()));
  for (const bgp::Peer* p : s.peers()) {
    const api::MetricLabels l{{"peer", p->cfg.address.to_string()}};
    const auto& c = p->counters;
    w.gauge("evpnd_bgp_session_up", "1 when the session is Established", p->established() ? 1 : 0, l);
    w.counter("evpnd_bgp_messages_received_total", "BGP messages received", double(c.messages_in), l);
    w.counter("evpnd_bgp_messages_sent_total", "BGP messages sent", double(c.messages_out), l);
    w.counter("evpnd_bgp_updates_received_total", "UPDATE messages received", double(c.updates_in), l);
    w.counter("evpnd_bgp_updates_sent_total", "UPDATE messages sent", double(c.updates_out), l);
    w.counter("evpnd_bgp_notifications_received_total", "NOTIFICATION messages received", double(c.notifications_in), l);
    w.counter("evpnd_bgp_notifications_sent_total", "NOTIFICATION messages sent", double(c.notifications_out), l);
    w.gauge("evpnd_bgp_prefixes_received", "Routes received from the peer", double(p->prefixes_received), l);
    w.gauge("evpnd_bgp_prefixes_sent", "Routes advertised to the peer", double(s.prefixes_sent(*p)), l);
    w.counter("evpnd_bgp_rfc7606_treat_as_withdraw_total", "UPDATEs handled as withdrawals (RFC 7606 section 2)",
              double(c.treat_as_withdraw), l);
    w.counter("evpnd_bgp_rfc7606_attribute_discard_total", "Malformed attributes discarded (RFC 7606 section 2)",
              double(c.attribute_discard), l);
    w.counter("evpnd_bgp_rfc7606_session_reset_total",
              "Malformed messages that reset the session with a NOTIFICATION (RFC 7606 section 2, RFC 4271 section 6)",
              double(c.malformed_session_reset), l);
    w.counter("evpnd_bgp_loop_rejected_total", "UPDATEs refused by loop detection (RFC 4456 section 8)",
              double(c.loop_rejected), l);
    w.counter("evpnd_bgp_session_resets_total", "Established sessions that went down", double(c.session_resets), l);
    w.counter("evpnd_bgp_send_hold_expired_total", "Sessions dropped by the send hold timer (RFC 9687)",
              double(c.send_hold_expired), l);
    w.counter("evpnd_bgp_output_blocked_total", "Times the output queue reached its limit (peer catching up)",
              double(c.output_blocked), l);
    w.counter("evpnd_bgp_unnegotiated_nlri_total",
              "NLRI of an address family the session did not negotiate, ignored (RFC 4760 section 8)",
              double(c.unnegotiated_nlri), l);
    w.counter("evpnd_bgp_routes_too_large_total",
              "Routes not advertised because their UPDATE would exceed the session's maximum message size "
              "(RFC 4271 section 9.2, RFC 8654 section 4)",
              double(c.routes_too_large), l);
    w.gauge("evpnd_bgp_output_queued_bytes", "Bytes waiting to be sent to the peer", double(s.output_queued(*p)), l);
    // vrf="": the global instance (the VRF instances' peers below carry their VRF).
    w.counter("evpnd_bgp_policy_rejected_total", kPolicyRejectedHelp, double(c.policy_rejected),
              {{"vrf", ""}, {"peer", p->cfg.address.to_string()}});
  }
  for (const std::string& vrf : d.engine().bgp_vrfs())
    if (const bgp::Speaker* vs = d.engine().speaker(vrf)) write_vrf_bgp_metrics(w, vrf, *vs, vs->unicast_table());

  const RefusalLog& refused = d.peer_io().refusals();
  for (size_t r = 0; r < engine::kRefuseReasons; ++r) {
    const auto why = engine::RefuseReason(r);
    w.counter("evpnd_bgp_connections_refused_total", "Incoming BGP connections refused, per reason",
              double(refused.count(why)), {{"reason", engine::to_string(why)}});
  }
  w.counter("evpnd_bgp_connections_refused_log_suppressed_total",
            "Refused connections not logged one line each (rate limit, see RefusalLog)", double(refused.suppressed_total()));
  const LoopMonitor& loop = d.loop_monitor();
  auto secs = [](auto dur) { return std::chrono::duration<double>(dur).count(); };
  w.gauge("evpnd_event_loop_lag_seconds", "How late the last event-loop probe timer ran", secs(loop.last_lag()));
  w.gauge("evpnd_event_loop_lag_max_seconds", "Largest event-loop lag since start (longest stall)", secs(loop.max_lag()));
  w.counter("evpnd_event_loop_stalls_total", "Event-loop lags of 1 s or more", double(loop.stalls()));
  if (api) {
    w.counter("evpnd_api_requests_total", "API requests handled", double(api->requests));
    w.counter("evpnd_api_streamed_responses_total", "API replies streamed in pieces", double(api->streamed));
    w.counter("evpnd_api_request_timeouts_total", "API requests not complete within the request timeout (408)",
              double(api->request_timeouts));
    w.counter("evpnd_api_idle_timeouts_total", "API connections closed for inactivity", double(api->idle_timeouts));
    w.counter("evpnd_api_evictions_total", "API connections closed to make room for a new client", double(api->evictions));
    w.counter("evpnd_api_connections_refused_total", "API connections refused: every slot was answering",
              double(api->refused_full));
    w.gauge("evpnd_api_connections", "Open API connections", double(api->connections));
  }
  w.counter("evpnd_config_reloads_total", "Configuration reloads applied", double(d.reloads().applied));
  w.counter("evpnd_runtime_state_save_failures_total",
            "Writes of <state-dir>/runtime.json that failed (the run-time state stays in memory; the next change writes it all)",
            double(d.runtime_save_failures()));
  w.counter("evpnd_config_reloads_refused_total", "Configuration reloads refused (invalid file, or a listen address that cannot be bound)",
            double(d.reloads().refused));

  const engine::EngineCounters& ec = d.engine().counters();
  if (const evpn::EvpnService* e = d.engine().evpn()) {
    write_es_metrics(w, *e, d.now());  // Ethernet segments (es_api.hpp)
    w.counter("evpnd_evpn_routes_originated_total", "EVPN routes advertised by the local VTEP",
              double(ec.evpn_routes_originated));
    w.counter("evpnd_evpn_routes_withdrawn_total", "EVPN routes withdrawn by the local VTEP",
              double(ec.evpn_routes_withdrawn));
    w.counter("evpnd_evpn_best_path_changes_total", "Loc-RIB best-path changes handed to the EVPN service",
              double(ec.remote_best_changes));
    const auto& sc = e->counters();
    w.counter("evpnd_evpn_remote_routes_imported_total", "Remote routes imported into a MAC-VRF or IP-VRF",
              double(sc.remote_routes_imported));
    w.counter("evpnd_evpn_remote_routes_unmatched_total", "Remote routes whose route targets matched nothing",
              double(sc.remote_routes_unmatched));
    // Receive-side checks (src/evpn/route_checks.hpp): the route stays in BGP, it is not installed.
    const char* kNotInstalled = "Remote routes (per VRF for vni_mismatch) not installed by a receive-side RFC check";
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.encap_unsupported),
              {{"reason", "encapsulation"}});
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.vni_mismatch), {{"reason", "vni_mismatch"}});
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.overlay_index_unresolved),
              {{"reason", "overlay_index"}});
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.treat_as_withdraw),
              {{"reason", "treat_as_withdraw"}});
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.router_mac_invalid),
              {{"reason", "router_mac"}});
    w.counter("evpnd_evpn_routes_not_installed_total", kNotInstalled, double(sc.esi_without_ad_per_es),
              {{"reason", "esi_without_ad_per_es"}});
    w.counter("evpnd_es_mass_withdraw_total",
              "Remote PEs' A-D per ES route sets withdrawn while MACs of the segment were installed: one "
              "nexthop group change re-points them all (RFC 7432 section 8.2)",
              double(sc.es_mass_withdrawals));
    w.counter("evpnd_evpn_notices_total", "EVPN notices logged (duplicates, sticky conflicts, ignored routes)",
              double(d.notices_logged()));
    for (const auto& v : e->vni_views()) {
      const api::MetricLabels l{{"vni", std::to_string(v.vni)}};
      w.gauge("evpnd_evpn_macs", "MAC entries per L2VNI", double(v.local_macs), {{"vni", std::to_string(v.vni)}, {"type", "local"}});
      w.gauge("evpnd_evpn_macs", "MAC entries per L2VNI", double(v.remote_macs), {{"vni", std::to_string(v.vni)}, {"type", "remote"}});
      w.gauge("evpnd_evpn_remote_vteps", "Remote VTEPs in the flood list (type 3)", double(v.remote_vteps.size()), l);
      w.counter("evpnd_evpn_mac_moves_total", "MAC mobility events (RFC 7432 section 15)", double(v.counters.moves), l);
      w.counter("evpnd_evpn_ip_moves_total", "IP moves counted by duplicate detection (location or MAC changed)",
                double(v.counters.ip_moves), l);
      w.counter("evpnd_evpn_dad_detections_total", "Duplicate address detections (DAD trips)",
                double(v.counters.duplicates_detected), l);
      w.counter("evpnd_evpn_sticky_conflicts_total", "Static MACs seen behind another VTEP", double(v.counters.sticky_conflicts), l);
      w.gauge("evpnd_evpn_endpoints", "Local endpoints announced through the API (POST /v1/evpn/endpoints)",
              double(v.endpoints), l);
      w.counter("evpnd_evpn_endpoint_holds_total",
                "Bridge agings and neighbour removals of API endpoints that withdrew nothing (pinned)",
                double(v.counters.endpoint_holds), l);
    }
    for (const auto& v : e->vrf_views())
      w.gauge("evpnd_vrf_routes", "Routes installed in the IP-VRF", double(v.routes), {{"vrf", v.name}});
  }
  if (const DataplaneIo* dp = d.dataplane()) {
    const auto& c = dp->counters();
    w.counter("evpnd_dataplane_batches_total", "Intent batches applied", double(c.batches));
    w.counter("evpnd_dataplane_intents_applied_total", "Data-plane intents applied", double(c.intents_applied));
    w.counter("evpnd_dataplane_errors_total", "Data-plane intents that failed", double(c.intent_errors));
    w.counter("evpnd_dataplane_events_total", "Events read from the data plane (local learning)", double(c.events));
    w.counter("evpnd_dataplane_resyncs_total", "Data-plane resyncs (lost netlink events)", double(c.resyncs));
    w.counter("evpnd_dataplane_reconciles_total", "Reconciliations with the kernel", double(c.reconciles));
    w.counter("evpnd_dataplane_reconcile_added_total", "Entries added by reconciliation", double(c.reconcile_added));
    w.counter("evpnd_dataplane_reconcile_removed_total", "Entries removed by reconciliation", double(c.reconcile_removed));
    // Results and drift per intent kind (dataplane/retry_queue.hpp), health per VNI.
    const dataplane::RetryQueue& rq = dp->retries();
    for (size_t k = 0; k < dataplane::kIntentKinds; ++k) {
      const auto kind = static_cast<dataplane::IntentKind>(k);
      const api::MetricLabels l{{"kind", dataplane::to_string(kind)}};
      const auto& kc = rq.counters(kind);
      w.counter("evpnd_dataplane_intent_failures_total", "Data-plane intents the provider refused, per kind",
                double(kc.failures), l);
      w.counter("evpnd_dataplane_drift_total", "Entries or devices of ours removed behind our back, per kind",
                double(kc.drifts), l);
      w.counter("evpnd_dataplane_retries_total", "Failed or drifted intents re-applied, per kind", double(kc.retries), l);
      w.gauge("evpnd_dataplane_retries_pending", "Intents waiting for a retry, per kind", double(rq.pending(kind)), l);
    }
    write_es_drop_metrics(w, dp->provider().es_drop_counters());
    for (const auto& [vni, st] : dp->vni_status())
      w.gauge("evpnd_dataplane_vni_healthy", "1 when everything of the VNI is installed, 0 while retrying or a device is missing",
              st.state == dataplane::VniHealth::kOk ? 1 : 0,
              {{"vni", std::to_string(vni)}, {"state", dataplane::to_string(st.state)}});
  }
  return w.render();
}

void write_vrf_bgp_metrics(api::MetricsWriter& w, const std::string& vrf, const bgp::Speaker& s,
                           const bgp::UnicastTable& t) {
  const auto accepted = accepted_by_peer(t);
  for (const bgp::Peer* p : s.peers()) {
    const api::MetricLabels l{{"vrf", vrf}, {"peer", p->cfg.address.to_string()}};
    // RFC 4273 (BGP4-MIB) bgpPeerState numbering: FsmState's order plus one.
    w.gauge("evpnd_vrf_bgp_session_state", "BGP session state (1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established)",
            double(int(p->display_state()) + 1), l);
    auto it = accepted.find(p->id);
    w.gauge("evpnd_vrf_bgp_prefixes", "Prefixes accepted from the peer (ipv4 and ipv6 unicast)",
            double(it == accepted.end() ? 0 : it->second.total()), l);
    w.counter("evpnd_bgp_policy_rejected_total", kPolicyRejectedHelp, double(p->counters.policy_rejected), l);
  }
  for (const auto& r : s.listen_range_status()) {
    const api::MetricLabels l{{"vrf", vrf}, {"range", r.range.to_string()}};
    w.gauge("evpnd_vrf_bgp_dynamic_peers", "Peers created from a listen range", double(r.peers), l);
    w.counter("evpnd_vrf_bgp_dynamic_refused_total", "Connections a listen range refused: it had max-peers already",
              double(r.refused), l);
  }
  const UnicastCounts loc = loc_rib_by_family(t);
  w.gauge("evpnd_vrf_bgp_routes", "Prefixes with a best path in the VRF's BGP table", double(loc.ipv4),
          {{"vrf", vrf}, {"family", "ipv4-unicast"}});
  w.gauge("evpnd_vrf_bgp_routes", "Prefixes with a best path in the VRF's BGP table", double(loc.ipv6),
          {{"vrf", vrf}, {"family", "ipv6-unicast"}});
}

void write_es_drop_metrics(api::MetricsWriter& w, const std::vector<dataplane::EsDropCounter>& counters) {
  for (const auto& c : counters) {
    if (c.esi)
      w.counter("evpnd_es_bum_dropped_total",
                "Frames an Ethernet-segment port filter dropped (RFC 7432 8.5 non-DF, RFC 8365 8.3.1 local bias, "
                "single-active blocking)",
                double(c.packets), {{"es", c.esi->to_string()}, {"port", c.port}, {"reason", c.reason}});
    else
      w.counter("evpnd_es_overlay_bum_dropped_total",
                "Overlay BUM kept from going back into the overlay at a VXLAN device (hairpin for fast failover)",
                double(c.packets), {{"vni", std::to_string(c.vni)}, {"port", c.port}});
  }
}

}  // namespace evpnd::daemon

#include "daemon/es_api.hpp"

#include <algorithm>

namespace evpnd::daemon {
namespace {
using nlohmann::json;

json ips(const std::vector<IpAddress>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back(x.to_string());
  return a;
}

api::ApiResponse not_found(std::string msg) { return api::ApiResponse{404, json{{"error", std::move(msg)}}}; }

}  // namespace

json es_evi_json(const evpn::EsEviView& v) {
  json j = {{"name", v.name},
            {"esi", v.esi.to_string()},
            {"vni", v.vni},
            {"local", v.local},
            {"port", v.port},
            {"attachment_up", v.attachment_up},
            {"evi_present", v.evi_present},
            {"df", v.df ? json(v.df->to_string()) : json(nullptr)},
            // FRR's `show evpn es` wording: "DF status: df | non-df".
            {"df_status", v.is_df ? "df" : "non-df"},
            {"non_df", v.non_df},
            {"blocked", v.blocked},
            {"df_algorithm", v.df_algorithm_used},
            {"df_fallback", v.df_fallback},
            {"df_ranking", ips(v.ranking)},
            {"df_id", v.df_id}};
  return j;
}

json es_json(const evpn::EsView& v) {
  json vteps = json::array();
  for (const auto& p : v.vteps) {
    vteps.push_back({{"vtep", p.vtep.to_string()},
                     {"local", p.local},
                     {"df_algorithm", p.df_algorithm},
                     {"df_preference", p.df_preference},
                     {"dont_preempt", p.dont_preempt},
                     {"ac_df", p.ac_df},
                     {"es_route", p.es_route},
                     {"evis", p.evis}});
  }
  json evis = json::array();
  for (const auto& e : v.evis) evis.push_back(es_evi_json(e));
  json frags = json::array();
  for (const auto& r : v.fragment_rds) frags.push_back(r.to_string());
  return {{"name", v.name},
          {"esi", v.esi.to_string()},
          {"esi_type", v.esi.type()},
          {"local", v.local},
          {"redundancy", v.redundancy},
          {"state", v.state},
          {"df_wait_ms", v.df_wait_ms},
          {"df_wait_remaining_ms", v.df_wait_remaining_ms ? json(*v.df_wait_remaining_ms) : json(nullptr)},
          {"es_import", v.es_import.to_string()},
          {"rd", v.rd ? json(v.rd->to_string()) : json(nullptr)},
          {"fragment_rds", std::move(frags)},
          {"fast_failover", v.fast_failover},
          {"backup_nhid", v.backup_nhid},
          {"df_changes", v.df_changes},
          {"vteps", std::move(vteps)},
          {"evis", std::move(evis)}};
}

// A segment known only from other PEs' routes (FRR's Type R): the PEs with their A-D routes,
// `active` where both the per-ES and that VNI's per-EVI route are present (FRR's "(A)"), and the
// fdb nexthop group per VNI that the segment's MACs point at (aliasing, RFC 7432 §8.4).
json remote_es_json(const evpn::RemoteEsView& v) {
  json vteps = json::array();
  for (const auto& p : v.vteps)
    vteps.push_back({{"vtep", p.vtep.to_string()},
                     {"local", false},
                     {"per_es", p.per_es},
                     {"single_active", p.single_active},
                     {"evis", p.per_evi},
                     {"active", p.active}});
  json groups = json::array();
  for (const auto& g : v.groups)
    groups.push_back({{"vni", g.vni},
                      {"nhid", g.nhid},
                      {"primary", g.primary.empty() ? json(nullptr) : json(g.primary.to_string())},
                      {"members", ips(g.members)},
                      {"macs", g.macs}});
  return {{"name", ""},
          {"esi", v.esi.to_string()},
          {"esi_type", v.esi.type()},
          {"local", false},
          {"redundancy", v.single_active ? "single-active" : "all-active"},
          {"state", "remote"},
          {"macs", v.macs},
          {"vteps", std::move(vteps)},
          {"groups", std::move(groups)},
          {"evis", json::array()}};
}

std::optional<api::ApiResponse> handle_es_api(Daemon& d, const api::ApiRequest& req) {
  static const std::string kEs = "/v1/evpn/es", kEsEvi = "/v1/evpn/es-evi";
  const std::string& path = req.path;
  const bool one = path.rfind(kEs + "/", 0) == 0;
  if (path != kEs && path != kEsEvi && !one) return std::nullopt;
  if (req.method != "GET") return api::ApiResponse{405, json{{"error", "method " + req.method + " not allowed on " + path}}};
  const evpn::EvpnService* s = d.engine().evpn();
  if (path == kEsEvi) {
    std::optional<Vni> vni;
    if (auto it = req.query.find("vni"); it != req.query.end()) {
      const std::string& t = it->second;
      if (t.empty() || t.size() > 8 || t.find_first_not_of("0123456789") != std::string::npos || std::stoul(t) < 1 ||
          std::stoul(t) > kMaxVni)
        return api::ApiResponse{400, json{{"error", "bad vni '" + t + "': expected 1-16777215"}}};
      vni = Vni(std::stoul(t));
    }
    json a = json::array();
    if (s)
      for (const auto& e : s->es_evi_views())
        if (!vni || e.vni == *vni) a.push_back(es_evi_json(e));
    return api::ApiResponse{200, json{{"es_evis", std::move(a)}}};
  }
  const std::vector<evpn::EsView> views = s ? s->es_views(d.now()) : std::vector<evpn::EsView>{};
  // Remote segments: those of our own ESIs are already in the local views (as their peers).
  std::vector<evpn::RemoteEsView> remote;
  if (s)
    for (auto& r : s->remote_es_views())
      if (std::none_of(views.begin(), views.end(), [&](const auto& v) { return v.esi == r.esi; }))
        remote.push_back(std::move(r));
  if (!one) {
    json a = json::array();
    for (const auto& v : views) a.push_back(es_json(v));
    for (const auto& r : remote) a.push_back(remote_es_json(r));
    return api::ApiResponse{200, json{{"segments", std::move(a)}}};
  }
  // One segment by ESI ("03:44:..") or by name.
  const std::string key = path.substr(kEs.size() + 1);
  const auto esi = Esi::parse(key);
  for (const auto& v : views)
    if (v.name == key || (esi && v.esi == *esi)) return api::ApiResponse{200, es_json(v)};
  for (const auto& r : remote)
    if (esi && r.esi == *esi) return api::ApiResponse{200, remote_es_json(r)};
  return not_found("no such Ethernet segment " + key);
}

void write_es_metrics(api::MetricsWriter& w, const evpn::EvpnService& s, evpn::Time now) {
  for (const auto& v : s.es_views(now)) {
    const api::MetricLabels l{{"es", v.name}, {"esi", v.esi.to_string()}};
    w.counter("evpnd_es_df_changes_total",
              "Designated Forwarder changes of this PE (DF <-> non-DF) over the segment's VNIs", double(v.df_changes), l);
    w.gauge("evpnd_es_up", "1 when the Ethernet segment is up and past its DF Wait timer (RFC 8584 section 2.1)",
            v.state == "up" ? 1 : 0, l);
    w.gauge("evpnd_es_peers", "Peer PEs of the segment (their Ethernet Segment routes)",
            double(std::count_if(v.vteps.begin(), v.vteps.end(), [](const auto& p) { return !p.local; })), l);
    for (const auto& e : v.evis)
      w.gauge("evpnd_es_df", "1 when this PE is the DF of the segment in the VNI", e.is_df ? 1 : 0,
              {{"es", v.name}, {"esi", v.esi.to_string()}, {"vni", std::to_string(e.vni)}});
  }
}

}  // namespace evpnd::daemon

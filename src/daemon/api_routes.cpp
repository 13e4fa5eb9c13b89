#include "daemon/api_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "api/metrics.hpp"
#include "daemon/evpn_api.hpp"
#include "daemon/metrics_view.hpp"
#include "daemon/paged_view.hpp"
#include "daemon/route_json.hpp"
#include "daemon/endpoint_api.hpp"
#include "daemon/segment_api.hpp"
#include "daemon/unicast_api.hpp"
#include "daemon/unicast_views.hpp"
#include "wire/json_view.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

int64_t uptime(const bgp::Peer& p, bgp::TimePoint now) {
  if (!p.established()) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(now - p.established_at).count();
}

json families(const std::vector<AfiSafi>& v) {
  json a = json::array();
  for (auto f : v) a.push_back(to_string(f));
  return a;
}

std::optional<uint32_t> parse_u32(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const uint64_t v = std::stoull(s);
  if (v > 0xFFFFFFFF) return std::nullopt;
  return static_cast<uint32_t>(v);
}

json route_json(const bgp::Speaker& s, const bgp::Path& p, bool best) {
  json j = wire::to_json(p.nlri);
  j["prefix_string"] = wire::to_string(p.nlri);
  j["next_hop"] = p.info->next_hop.to_string();
  const bgp::Peer* from = p.peer == bgp::kLocalPeer ? nullptr : s.peer(p.peer);
  j["peer"] = p.peer == bgp::kLocalPeer ? std::string("local") : from ? from->cfg.address.to_string() : "unknown";
  j["best"] = best;
  j["stale"] = bool(p.flags & bgp::path_flag::kStale);
  j["attributes"] = wire::to_json(p.info->attrs);
  return j;
}

bool vni_matches(const bgp::Path& p, uint32_t vni) {
  return std::visit(
      [&](const auto& r) -> bool {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, wire::MacIpAdvertisement>) return r.label1 == vni || r.label2 == vni;
        else if constexpr (std::is_same_v<T, wire::EthernetAutoDiscovery> || std::is_same_v<T, wire::IpPrefixRoute>)
          return r.label == vni;
        else if constexpr (std::is_same_v<T, wire::InclusiveMulticast>)
          return p.info->attrs.pmsi_tunnel && p.info->attrs.pmsi_tunnel->label == vni;
        else return false;
      },
      p.nlri);
}

// The EVPN RIB walked in DestId order (see paged_view.hpp, NOTE consistency). A DestId names
// a destination for its whole life (Dests never move; an id is reused only after its Dest is
// erased), so resuming at "last id + 1" visits every destination that lived through the walk
// exactly once. The table is looked up again on every call: a reload that rebuilds the engine
// invalidates the walk instead of leaving it on a freed table.
class RouteWalker : public ViewWalker {
 public:
  struct Filter {
    std::optional<uint32_t> type, vni;
    std::optional<Rd> rd;
  };
  RouteWalker(const Daemon& d, Filter f, bgp::DestId from) : d_(d), engine_(&d.engine()), f_(f), next_(from) {}

  bool walk(ItemSink& sink) override {
    // Bounds one call when the filter matches little: ~1 ms of scanning, then the loop's turn.
    static constexpr size_t kScanBudget = 16384;
    const bgp::Speaker& s = d_.engine().speaker();
    const bgp::RouteTable& t = s.table();
    for (size_t scanned = 0; next_ < t.id_limit(); ++next_) {
      if (++scanned > kScanBudget) {
        sink.yield();
        return true;
      }
      const bgp::Dest& d = t.at(next_);
      if (!d.in_use) continue;
      const wire::EvpnRoute& nlri = d.nlri();
      if (f_.type && wire::route_type(nlri) != *f_.type) continue;
      if (f_.rd) {
        const Rd* r = wire::route_rd(nlri);
        if (!r || !(*r == *f_.rd)) continue;
      }
      size_t n = 0;
      for (const bgp::Path& p : d.paths) n += wanted(p);
      if (n == 0) continue;
      if (sink.stop(n)) return true;  // this destination starts the next piece or page
      for (size_t i = 0; i < d.paths.size(); ++i)
        if (wanted(d.paths[i])) sink.add(route_json(s, d.paths[i], int32_t(i) == d.best));
    }
    return false;
  }
  std::string cursor() const override { return std::to_string(next_); }
  bool invalidated() const override { return &d_.engine() != engine_; }

 private:
  bool wanted(const bgp::Path& p) const { return p.live() && (!f_.vni || vni_matches(p, *f_.vni)); }

  const Daemon& d_;
  const engine::Engine* engine_;
  Filter f_;
  bgp::DestId next_;
};

api::ApiResponse routes(const Daemon& dm, const api::ApiRequest& req) {
  RouteWalker::Filter f;
  if (auto it = req.query.find("type"); it != req.query.end()) {
    f.type = parse_u32(it->second);
    if (!f.type || *f.type < 1 || *f.type > 5) return error(400, "bad type '" + it->second + "': expected 1-5");
  }
  if (auto it = req.query.find("vni"); it != req.query.end()) {
    f.vni = parse_u32(it->second);
    if (!f.vni || *f.vni > kMaxVni) return error(400, "bad vni '" + it->second + "': expected 0-16777215");
  }
  if (auto it = req.query.find("rd"); it != req.query.end()) {
    f.rd = Rd::parse(it->second);
    if (!f.rd) return error(400, "bad rd '" + it->second + "': expected ASN:N or IP:N");
  }
  auto page = page_params(req);
  if (!page) return error(400, page.error());
  bgp::DestId from = 0;
  if (page->cursor) {
    auto c = parse_u32(*page->cursor);
    if (!c) return error(400, "bad cursor '" + *page->cursor + "': pass back a next_cursor value");
    from = *c;
  }
  return paged_reply("routes", std::make_unique<RouteWalker>(dm, f, from), page->limit);
}

api::ApiResponse local_routes(Daemon& d, const api::ApiRequest& req, bool add) {
  if (!req.body.is_object() || !req.body.contains("routes") || !req.body["routes"].is_array())
    return error(400, "body must be {\"routes\":[...]}");
  std::vector<engine::LocalRoute> parsed;
  size_t i = 0;
  for (const auto& r : req.body["routes"]) {
    auto lr = parse_local_route(r);
    if (!lr) return error(400, "routes[" + std::to_string(i) + "]: " + lr.error());
    if (auto bad = add ? check_local_route(d, r, *lr) : std::nullopt)  // a withdrawal may name anything
      return error(bad->status, "routes[" + std::to_string(i) + "]: " + bad->reason);
    parsed.push_back(std::move(*lr));
    ++i;
  }
  if (add) {
    d.dispatch(engine::ev::OriginateRoutes{std::move(parsed)});
    return api::ApiResponse{200, json{{"originated", i}}};
  }
  std::vector<wire::EvpnRoute> rs;
  for (auto& p : parsed) rs.push_back(std::move(p.route));
  auto fx = d.dispatch(engine::ev::WithdrawRoutes{std::move(rs)});
  return api::ApiResponse{200, json{{"withdrawn", i - fx.routes_not_found}, {"not_found", fx.routes_not_found}}};
}
// The peer's unicast prefixes in the table per family (the global table is small: the underlay's
// loopbacks; one walk per neighbour shown).
UnicastCounts unicast_accepted(const bgp::Speaker& s, const bgp::Peer& p) {
  const auto m = accepted_by_peer(s.unicast_table());
  auto it = m.find(p.id);
  return it == m.end() ? UnicastCounts{} : it->second;
}
}  // namespace

json neighbor_json(const bgp::Speaker& s, const bgp::Peer& p, bgp::TimePoint now) {
  const auto& c = p.counters;
  const auto& n = p.neg;
  const bool up = p.established();
  json j = {
      {"address", p.cfg.address.to_string()},
      {"remote_as", p.cfg.remote_as},
      {"local_as", s.config().asn},
      {"state", to_string(p.display_state())},
      {"role", to_string(p.role)},
      {"description", p.cfg.description},
      {"hold_time", up ? n.hold_time : p.cfg.hold_time},
      {"keepalive", up ? n.keepalive : p.cfg.keepalive.value_or(p.cfg.hold_time / 3)},
      {"uptime_seconds", uptime(p, now)},
      // RFC 9687: the running send hold time (0 = off) and, for a peer that does not keep up,
      // what waits in its output queue and whether it is catching up outside its update group.
      {"send_hold_time", up ? json(s.send_hold_time(p)) : (p.cfg.send_hold_time ? json(*p.cfg.send_hold_time) : json(nullptr))},
      {"output_queued_bytes", s.output_queued(p)},
      {"catching_up", up && s.catching_up(p)},
      {"last_error", p.last_error},
      {"negotiated",
       {{"families", up ? families(n.families) : json::array()},
        {"four_octet_as", up && n.four_octet_as},
        {"route_refresh", up && n.route_refresh},
        {"graceful_restart", up && n.graceful_restart},
        {"extended_message", up && n.extended_message}}},
      {"counters",
       {{"messages_in", c.messages_in},
        {"messages_out", c.messages_out},
        {"updates_in", c.updates_in},
        {"updates_out", c.updates_out},
        {"notifications_in", c.notifications_in},
        {"notifications_out", c.notifications_out},
        {"treat_as_withdraw", c.treat_as_withdraw},
        {"attribute_discard", c.attribute_discard},
        {"malformed_session_reset", c.malformed_session_reset},
        {"loop_rejected", c.loop_rejected},
        {"session_resets", c.session_resets},
        {"send_hold_expired", c.send_hold_expired},
        {"output_blocked", c.output_blocked},
        {"unnegotiated_nlri", c.unnegotiated_nlri},
        {"routes_too_large", c.routes_too_large},
        {"stale_routes", p.stale_routes}}},
      {"prefixes_received", p.prefixes_received},
      {"prefixes_sent", s.prefixes_sent(p)},
      {"prefixes_accepted", unicast_accepted(s, p).to_json()},
      {"policy_rejected", c.policy_rejected},
      {"max_prefixes", p.cfg.max_prefixes ? json(*p.cfg.max_prefixes) : json(nullptr)},
      {"max_prefixes_restart", p.cfg.max_prefix_restart},
      {"max_prefix_tripped", p.max_prefix_tripped},
      {"nlri_error", p.cfg.nlri_error_withdraw ? "treat-as-withdraw" : "session-reset"},
  };
  if (up) j["peer_router_id"] = n.peer_router_id.to_string();
  if (p.max_prefix_tripped && p.max_prefix_restart_at != bgp::TimePoint{}) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(p.max_prefix_restart_at - now).count();
    j["max_prefix_restart_in_seconds"] = std::max<int64_t>(left, 0);
  }
  return j;
}

json summary_json(const bgp::Speaker& s, bgp::TimePoint now) {
  json peers = json::array();
  for (const bgp::Peer* p : s.peers()) {
    peers.push_back({{"address", p->cfg.address.to_string()},
                     {"remote_as", p->cfg.remote_as},
                     {"description", p->cfg.description},
                     {"role", to_string(p->role)},
                     {"state", to_string(p->display_state())},
                     {"uptime_seconds", uptime(*p, now)},
                     {"prefixes_received", p->prefixes_received},
                     {"prefixes_sent", s.prefixes_sent(*p)},
                     {"messages_in", p->counters.messages_in},
                     {"messages_out", p->counters.messages_out}});
  }
  return {{"router_id", s.config().router_id.to_string()},
          {"asn", s.config().asn},
          {"cluster_id", s.identity().cluster_id.to_string()},
          {"loc_rib_routes", s.loc_rib_size()},
          {"peers", std::move(peers)}};
}

api::ApiResponse handle_api(Daemon& d, const api::ApiRequest& req) {
  const bgp::Speaker& s = d.engine().speaker();
  const auto now = d.now();
  const std::string& path = req.path;
  static const std::string kNeighbors = "/v1/bgp/neighbors";
  if (auto r = handle_segment_api(d, req)) return std::move(*r);  // issue 11: run-time segments
  if (auto r = handle_endpoint_api(d, req)) return std::move(*r);  // issue 11: local endpoints
  if (auto r = handle_evpn_api(d, req)) return std::move(*r);
  if (auto r = handle_unicast_api(d, req)) return std::move(*r);  // issue 10: VRF instances, unicast tables
  if (req.method == "GET") {
    if (path == "/metrics") {
      api::ApiResponse r{200, nullptr};
      r.text = metrics_text(d, req.server);
      r.content_type = std::string(api::kPrometheusContentType);
      return r;
    }
    if (path == "/v1/bgp/summary") return {200, summary_json(s, now)};
    if (path == kNeighbors || path == kNeighbors + "/") {
      json a = json::array();
      for (const bgp::Peer* p : s.peers()) a.push_back(neighbor_json(s, *p, now));
      return {200, json{{"neighbors", std::move(a)}}};
    }
    if (path.rfind(kNeighbors + "/", 0) == 0) {
      const std::string addr = path.substr(kNeighbors.size() + 1);
      auto ip = IpAddress::parse(addr);
      const bgp::Peer* p = ip ? s.find_peer(*ip) : nullptr;
      if (!p) return error(404, "no such neighbor " + addr);
      return {200, json{{"neighbors", json::array({neighbor_json(s, *p, now)})}}};
    }
    if (path == "/v1/bgp/evpn/routes") return routes(d, req);
  } else if (req.method == "POST") {
    if (path == "/v1/config/reload") {
      auto r = d.reload();
      if (!r) return error(400, r.error());
      return {200, json{{"applied", *r}}};
    }
    if (path == "/v1/evpn/routes") return local_routes(d, req, true);
    // `clear bgp neighbor`: Cease/Administrative Reset (RFC 4486 subcode 4), then the session
    // starts again; also re-enables a peer that tripped max-prefixes.
    static const std::string kReset = "/reset";
    if (path.rfind(kNeighbors + "/", 0) == 0 && path.size() > kNeighbors.size() + 1 + kReset.size() &&
        path.compare(path.size() - kReset.size(), kReset.size(), kReset) == 0) {
      const std::string addr = path.substr(kNeighbors.size() + 1, path.size() - kNeighbors.size() - 1 - kReset.size());
      auto ip = IpAddress::parse(addr);
      if (!ip) return error(400, "bad neighbor address '" + addr + "'");
      if (!s.find_peer(*ip)) return error(404, "no such neighbor " + addr);
      d.dispatch(engine::ev::ResetPeer{*ip, 4});
      return {200, json{{"reset", ip->to_string()}}};
    }
  } else if (req.method == "DELETE") {
    if (path == "/v1/evpn/routes") return local_routes(d, req, false);
  }
  return error(404, "no such endpoint " + req.method + " " + path);
}

}  // namespace evpnd::daemon

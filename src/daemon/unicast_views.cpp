#include "daemon/unicast_views.hpp"

#include <chrono>

#include "wire/json_view.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

const char* family_name(IpFamily f) { return f == IpFamily::kV6 ? "ipv6-unicast" : "ipv4-unicast"; }

void add(UnicastCounts& c, const IpPrefix& p) { ++(p.family() == IpFamily::kV6 ? c.ipv6 : c.ipv4); }

int64_t uptime(const bgp::Peer& p, bgp::TimePoint now) {
  if (!p.established()) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(now - p.established_at).count();
}

json family_list(const std::vector<AfiSafi>& v) {
  json a = json::array();
  for (auto f : v) a.push_back(to_string(f));
  return a;
}

api::ApiResponse bad(std::string msg) { return api::ApiResponse{400, json{{"error", std::move(msg)}}}; }

std::optional<uint32_t> parse_u32(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const uint64_t v = std::stoull(s);
  if (v > 0xFFFFFFFF) return std::nullopt;
  return static_cast<uint32_t>(v);
}
}  // namespace

json UnicastCounts::to_json() const { return {{"ipv4-unicast", ipv4}, {"ipv6-unicast", ipv6}}; }

std::map<bgp::PeerId, UnicastCounts> accepted_by_peer(const bgp::UnicastTable& t) {
  std::map<bgp::PeerId, UnicastCounts> m;
  t.for_each([&](bgp::DestId, const bgp::UnicastDest& d) {
    for (const auto& p : d.paths)
      if (p.live() && !(p.flags & bgp::path_flag::kStale)) add(m[p.peer], p.nlri);
  });
  return m;
}

UnicastCounts loc_rib_by_family(const bgp::UnicastTable& t) {
  UnicastCounts c;
  t.for_each([&](bgp::DestId, const bgp::UnicastDest& d) {
    if (d.best_path()) add(c, d.nlri());
  });
  return c;
}

const bgp::ListenRange* listen_range_of(const bgp::Speaker& s, const bgp::Peer& p) {
  if (!p.cfg.dynamic) return nullptr;
  // The most specific range containing it, as the speaker matched it (speaker_dynamic.cpp).
  const bgp::ListenRange* best = nullptr;
  for (const auto& r : s.listen_ranges())
    if (r.range.contains(p.cfg.address) && (!best || r.range.length() > best->range.length())) best = &r;
  return best;
}

json unicast_path_json(const bgp::Speaker& s, const bgp::UnicastPath& p, bool best) {
  json j = {{"prefix", p.nlri.to_string()}, {"family", family_name(p.nlri.family())}};
  if (p.peer == bgp::kLocalPeer) {
    j["peer"] = "local";
  } else {
    const bgp::Peer* from = s.peer(p.peer);
    j["peer"] = from ? from->cfg.address.to_string() : "unknown";  // a dynamic peer gone meanwhile
  }
  // The next hop of the path: MP_REACH's (IPv6, or IPv4 carried in MP_REACH), else the NEXT_HOP
  // attribute (RFC 4271 §5.1.3); null for a local route without one ("this speaker").
  const bgp::PathInfo& info = *p.info;
  if (!info.next_hop.empty()) j["next_hop"] = info.next_hop.to_string();
  else if (info.attrs.next_hop) j["next_hop"] = info.attrs.next_hop->to_string();
  else j["next_hop"] = nullptr;
  j["best"] = best;
  j["stale"] = bool(p.flags & bgp::path_flag::kStale);
  j["attributes"] = wire::to_json(info.attrs);
  return j;
}

json vrf_summary_json(const std::string& vrf, const bgp::Speaker& s, const bgp::UnicastTable& t) {
  size_t configured = 0, established = 0, dynamic = 0;
  for (const bgp::Peer* p : s.peers()) {
    (p->cfg.dynamic ? dynamic : configured) += 1;
    established += p->established() ? 1 : 0;
  }
  json ranges = json::array();
  const auto status = s.listen_range_status();  // in listen_ranges() order
  for (size_t i = 0; i < status.size() && i < s.listen_ranges().size(); ++i) {
    const auto& st = status[i];
    ranges.push_back({{"range", st.range.to_string()}, {"remote_as", s.listen_ranges()[i].peer.remote_as},
                      {"max_peers", st.max_peers}, {"peers", st.peers}, {"refused", st.refused}});
  }
  return {{"name", vrf},
          {"asn", s.config().asn},
          {"router_id", s.config().router_id.to_string()},
          {"peers_configured", configured},
          {"peers_established", established},
          {"dynamic_peers", dynamic},
          {"listen_ranges", std::move(ranges)},
          {"unicast_routes", loc_rib_by_family(t).to_json()}};
}

json vrf_neighbor_json(const bgp::Speaker& s, const bgp::Peer& p, const UnicastCounts& accepted, bgp::TimePoint now) {
  const bgp::ListenRange* r = listen_range_of(s, p);
  return {{"address", p.cfg.address.to_string()},
          {"remote_as", p.cfg.remote_as},
          {"local_as", s.config().asn},
          {"description", p.cfg.description},
          {"role", to_string(p.role)},
          {"state", to_string(p.display_state())},
          {"uptime_seconds", uptime(p, now)},
          {"dynamic", p.cfg.dynamic},
          {"listen_range", r ? json(r->range.to_string()) : json(nullptr)},
          {"families", family_list(p.cfg.families)},
          {"negotiated_families", p.established() ? family_list(p.neg.families) : json::array()},
          {"prefixes_received", p.prefixes_received},
          {"prefixes_accepted", accepted.to_json()},
          {"prefixes_sent", s.prefixes_sent(p)},
          {"stale_routes", p.stale_routes},
          {"policy_rejected", p.counters.policy_rejected},
          {"unnegotiated_nlri", p.counters.unnegotiated_nlri},
          {"no_next_hop", p.counters.no_next_hop},
          {"messages_in", p.counters.messages_in},
          {"messages_out", p.counters.messages_out},
          {"last_error", p.last_error}};
}

json vrf_neighbors_json(const std::string& vrf, const bgp::Speaker& s, const bgp::UnicastTable& t, bgp::TimePoint now) {
  const auto accepted = accepted_by_peer(t);
  json a = json::array();
  for (const bgp::Peer* p : s.peers()) {
    auto it = accepted.find(p->id);
    a.push_back(vrf_neighbor_json(s, *p, it == accepted.end() ? UnicastCounts{} : it->second, now));
  }
  return {{"vrf", vrf}, {"asn", s.config().asn}, {"router_id", s.config().router_id.to_string()},
          {"neighbors", std::move(a)}};
}

bgp::DestId exact_dest(const bgp::UnicastTable& t, const IpPrefix& p) {
  const bgp::DestId id = t.find(p);
  return id != bgp::kNoDest && t.at(id).has_live() ? id : bgp::kNoDest;
}

bgp::DestId longest_match(const bgp::UnicastTable& t, const IpAddress& a) {
  // At most 33 (129) hash lookups: cheaper than any walk of the table.
  for (int len = a.is_v6() ? 128 : 32; len >= 0; --len)
    if (auto id = exact_dest(t, IpPrefix(a, uint8_t(len))); id != bgp::kNoDest) return id;
  return bgp::kNoDest;
}

UnicastWalker::UnicastWalker(UnicastSourceFn source, std::optional<IpFamily> family, bgp::DestId from,
                             std::optional<bgp::DestId> only)
    : source_(std::move(source)), first_(source_().speaker), family_(family), next_(from), only_(only) {}

bool UnicastWalker::invalidated() const { return source_().speaker != first_; }

bool UnicastWalker::walk(ItemSink& sink) {
  // Bounds one call when the family filter skips much: ~1 ms of scanning, then the loop's turn.
  static constexpr size_t kScanBudget = 16384;
  const UnicastSource src = source_();
  if (!src.speaker || !src.table) return false;
  const bgp::UnicastTable& t = *src.table;
  const size_t end = only_ ? std::min<size_t>(*only_ + 1, t.id_limit()) : t.id_limit();
  if (only_ && next_ < *only_) next_ = *only_;
  for (size_t scanned = 0; next_ < end; ++next_) {
    if (++scanned > kScanBudget) {
      sink.yield();
      return true;
    }
    const bgp::UnicastDest& d = t.at(next_);
    if (!d.in_use || (family_ && d.nlri().family() != *family_)) continue;
    size_t n = 0;
    for (const auto& p : d.paths) n += p.live();
    if (n == 0) continue;
    if (sink.stop(n)) return true;  // this destination starts the next piece or page
    for (size_t i = 0; i < d.paths.size(); ++i)
      if (d.paths[i].live()) sink.add(unicast_path_json(*src.speaker, d.paths[i], int32_t(i) == d.best));
  }
  return false;
}

api::ApiResponse unicast_routes_reply(const api::ApiRequest& req, UnicastSourceFn source,
                                      std::optional<IpFamily> fixed_family) {
  std::optional<IpFamily> family = fixed_family;
  if (auto it = req.query.find("family"); it != req.query.end()) {
    const std::string& f = it->second;
    std::optional<IpFamily> asked;
    if (f == "ipv4" || f == "ipv4-unicast") asked = IpFamily::kV4;
    else if (f == "ipv6" || f == "ipv6-unicast") asked = IpFamily::kV6;
    else return bad("bad family '" + f + "': expected ipv4 or ipv6");
    if (fixed_family && *asked != *fixed_family) return bad("family '" + f + "' contradicts the path");
    family = asked;
  }
  auto page = page_params(req);
  if (!page) return bad(page.error());
  bgp::DestId from = 0;
  if (page->cursor) {
    auto c = parse_u32(*page->cursor);
    if (!c) return bad("bad cursor '" + *page->cursor + "': pass back a next_cursor value");
    from = *c;
  }
  std::optional<bgp::DestId> only;
  if (auto it = req.query.find("prefix"); it != req.query.end()) {
    const std::string& text = it->second;
    const bool has_len = text.find('/') != std::string::npos;
    auto p = has_len ? IpPrefix::parse(text) : std::nullopt;
    auto a = has_len ? std::nullopt : IpAddress::parse(text);
    if (!p && !a) return bad("bad prefix '" + text + "': expected ADDRESS or ADDRESS/LENGTH");
    const IpFamily f = p ? p->family() : a->family();
    if (family && f != *family)
      return bad("prefix '" + text + "' is not " + (*family == IpFamily::kV6 ? "ipv6" : "ipv4"));
    const UnicastSource src = source();
    bgp::DestId id = bgp::kNoDest;
    if (src.table) id = p ? exact_dest(*src.table, *p) : longest_match(*src.table, *a);
    // Not in the table: an empty list (the walk starts past the end).
    only = id;
    if (id == bgp::kNoDest) from = bgp::kNoDest;
  }
  return paged_reply("routes", std::make_unique<UnicastWalker>(std::move(source), family, from, only), page->limit);
}

}  // namespace evpnd::daemon

// `show bgp vrfs`, `show bgp vrf NAME summary`, `show bgp [vrf NAME] ipv4|ipv6 [PREFIX]`: the
// unicast BGP instances (issue 10), laid out as FRR's `show bgp vrf all`, `show bgp vrf NAME
// summary` and `show bgp vrf NAME ipv4 unicast` print them.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <sstream>

#include "evpnctl/show_views.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

using nlohmann::json;

namespace {

// {"ipv4-unicast":n,"ipv6-unicast":m} -> n + m (absent counts as 0).
uint64_t family_total(const json& counts) {
  uint64_t n = 0;
  if (counts.is_object())
    for (auto& [k, v] : counts.items())
      if (v.is_number_unsigned()) n += v.get<uint64_t>();
  return n;
}

// FRR's origin codes after the AS path: i (IGP), e (EGP), ? (incomplete).
std::string path_with_origin(const json& attrs) {
  std::string path = format_as_path(attrs.value("as_path", json()));
  const std::string origin = field(attrs, "origin");
  const char* code = origin == "igp" ? "i" : origin == "egp" ? "e" : origin == "-" ? "" : "?";
  if (*code) path.append(path.empty() ? "" : " ").append(code);
  return path;
}

// Sort key of a prefix as FRR orders its table: IPv4 before IPv6, then address, then length.
// Unparseable text sorts last, in its original order (the sort is stable).
std::array<uint8_t, 18> prefix_key(const std::string& text) {
  std::array<uint8_t, 18> k;
  k.fill(0xff);
  const auto slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  const int len = slash == std::string::npos ? 0 : std::atoi(text.c_str() + slash + 1);
  uint8_t b[16] = {};
  if (inet_pton(AF_INET, addr.c_str(), b) == 1) k[0] = 4;
  else if (inet_pton(AF_INET6, addr.c_str(), b) == 1) k[0] = 6;
  else return k;
  std::copy(b, b + 16, k.begin() + 1);
  k[17] = uint8_t(len);
  return k;
}

// The reply's paths grouped per prefix (the daemon lists a prefix's paths together), the
// groups in FRR's order. Within one page only: a paged walk follows the table's own order.
std::vector<const json*> sorted_paths(const json& routes) {
  std::vector<std::pair<std::array<uint8_t, 18>, std::vector<const json*>>> groups;
  std::string last;
  for (auto& r : routes) {
    const std::string p = r.value("prefix", "");
    if (groups.empty() || p != last) groups.push_back({prefix_key(p), {}});
    groups.back().second.push_back(&r);
    last = p;
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const json*> out;
  for (auto& g : groups) out.insert(out.end(), g.second.begin(), g.second.end());
  return out;
}

}  // namespace

std::string render_bgp_vrfs(const json& body) {
  const json& vrfs = list_field(body, "vrfs");
  if (vrfs.empty()) return "No VRF has a BGP instance.\n";
  Table t({"Name", "AS", "Router ID", "#PeersCfg", "#PeersEstb", "#Dynamic", "IPv4 routes", "IPv6 routes"});
  for (size_t c : {1, 3, 4, 5, 6, 7}) t.align(c, Align::kRight);
  std::string ranges;
  for (auto& v : vrfs) {
    const json& routes = v.value("unicast_routes", json::object());
    t.add_row({field(v, "name"), field(v, "asn"), field(v, "router_id"), field(v, "peers_configured"),
               field(v, "peers_established"), field(v, "dynamic_peers"), field(routes, "ipv4-unicast"),
               field(routes, "ipv6-unicast")});
    for (auto& r : list_field(v, "listen_ranges")) {
      ranges.append("  ").append(field(v, "name")).append(": ").append(field(r, "range")).append(" remote-as ")
          .append(field(r, "remote_as")).append(", ").append(field(r, "peers")).append(" of at most ")
          .append(field(r, "max_peers")).append(" peers");  // append: g++ 12 -Wrestrict false positive
      if (r.value("refused", 0) > 0) ranges.append(", ").append(field(r, "refused")).append(" connections refused (full)");
      ranges.append("\n");
    }
  }
  std::ostringstream out;
  out << t.render();
  if (!ranges.empty()) out << "\nListen ranges:\n" << ranges;
  return out.str();
}

// FRR's summary: the received-prefix count stands in the state column once the session is up
// (here the prefixes accepted by the import policy, both families), dynamic neighbours marked *.
std::string render_bgp_vrf_summary(const json& body) {
  std::ostringstream out;
  out << "BGP router identifier " << field(body, "router_id") << ", local AS number " << field(body, "asn") << " vrf "
      << field(body, "vrf") << "\n\n";
  const json& peers = list_field(body, "neighbors");
  if (peers.empty()) {
    out << "No BGP neighbors are configured.\n";
    return out.str();
  }
  Table t({"Neighbor", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxAcc", "PfxSnt", "Rejected", "Desc"});
  for (size_t c : {1, 2, 3, 5, 6, 7}) t.align(c, Align::kRight);
  size_t dynamic = 0;
  std::string notes;
  for (auto& p : peers) {
    const bool dyn = p.value("dynamic", false);
    dynamic += dyn;
    const std::string state = field(p, "state");
    const std::string acc = std::to_string(family_total(p.value("prefixes_accepted", json())));
    // Up for less than a second is still up (format_uptime prints 0 as "never").
    const json up = p.value("uptime_seconds", json());
    const std::string updown = state == "Established" && !(up.is_number() && up.get<double>() > 0) ? "00:00:00"
                                                                                               : format_uptime(up);
    std::string name = dyn ? "*" : "";
    name.append(field(p, "address"));
    t.add_row({name, field(p, "remote_as"), field(p, "messages_in"),
               field(p, "messages_out"), updown, state == "Established" ? acc : state, field(p, "prefixes_sent"), field(p, "policy_rejected"),
               field(p, "description")});
    if (p.value("unnegotiated_nlri", 0) > 0)
      notes.append("  ").append(field(p, "address")).append(": ").append(field(p, "unnegotiated_nlri"))
          .append(" NLRI of families the session did not negotiate ignored\n");
  }
  out << t.render() << "\nTotal number of neighbors " << peers.size() << "\n";
  if (dynamic) out << "* - dynamic neighbor, " << dynamic << " dynamic neighbor(s)\n";
  if (!notes.empty()) out << notes;
  return out.str();
}

std::string render_unicast_routes(const json& body) {
  const json& routes = list_field(body, "routes");
  if (routes.empty()) return "No BGP prefixes displayed.\n";
  Table t({"", "Network", "Next Hop", "Metric", "LocPrf", "Peer", "Path"});
  t.align(3, Align::kRight).align(4, Align::kRight);
  std::string last;
  size_t prefixes = 0;
  for (const json* rp : sorted_paths(routes)) {
    const json& r = *rp;
    const json& attrs = r.value("attributes", json::object());
    // Status as FRR: S stale (RFC 4724 kept across the peer's restart), * valid, > best.
    std::string status = r.value("stale", false) ? "S*" : "*";
    if (r.value("best", false)) status += ">";
    // A prefix's paths are listed together: the network printed on the first only.
    const std::string prefix = field(r, "prefix");
    prefixes += prefix != last;
    const std::string path = path_with_origin(attrs);
    t.add_row({status, prefix == last ? "" : prefix, field(r, "next_hop"), field(attrs, "med"),
               field(attrs, "local_pref"), field(r, "peer"), path.empty() ? "-" : path});
    last = prefix;
  }
  std::ostringstream out;
  out << "Status codes: * valid, > best, S stale\nOrigin codes: i - IGP, e - EGP, ? - incomplete\n\n"
      << t.render() << "\nDisplayed " << prefixes << " prefix" << (prefixes == 1 ? "" : "es") << ", "
      << routes.size() << " path" << (routes.size() == 1 ? "" : "s") << "\n";
  return out.str();
}

std::string render_unicast_prefix(const json& body) {
  const json& routes = list_field(body, "routes");
  if (routes.empty()) return "% Network not in table\n";
  std::ostringstream out;
  out << "BGP routing table entry for " << field(routes[0], "prefix") << "\nPaths: (" << routes.size()
      << " available)\n";
  for (auto& r : routes) {
    const json& attrs = r.value("attributes", json::object());
    const std::string path = format_as_path(attrs.value("as_path", json()));
    out << "  " << (path.empty() ? "Local" : path) << "\n    " << field(r, "next_hop") << " from " << field(r, "peer")
        << "\n      Origin " << field(attrs, "origin");
    if (attrs.contains("med")) out << ", metric " << field(attrs, "med");
    if (attrs.contains("local_pref")) out << ", localpref " << field(attrs, "local_pref");
    if (r.value("best", false)) out << ", best";
    if (r.value("stale", false)) out << ", stale";
    out << "\n";
    if (attrs.contains("communities")) out << "      Community: " << join_field(attrs, "communities", " ") << "\n";
    if (attrs.contains("large_communities"))
      out << "      Large Community: " << join_field(attrs, "large_communities", " ") << "\n";
    if (attrs.contains("extended_communities"))
      out << "      Extended Community: " << join_field(attrs, "extended_communities", " ") << "\n";
  }
  return out.str();
}

}  // namespace evpnctl

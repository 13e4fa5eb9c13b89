// `show bgp ...` views, laid out like FRR's `show bgp summary` / `show bgp neighbors` so
// operators moving from FRR read them without thinking.
#include <cctype>
#include <cstdio>
#include <sstream>

#include "evpnctl/show_views.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

using nlohmann::json;

std::string field(const json& obj, const char* key) {
  if (!obj.is_object()) return "-";
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "-";
  // Strings are printable()'d: descriptions, errors (NOTIFICATION data, shutdown
  // communications) and names come from peers and operators.
  if (it->is_string()) return it->get<std::string>().empty() ? "-" : printable(it->get<std::string>());
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  if (it->is_array()) return join_field(obj, key);
  return it->dump();
}

std::string join_field(const json& obj, const char* key, const char* sep) {
  const json& arr = list_field(obj, key);
  std::string out;
  for (auto& v : arr) {
    if (!out.empty()) out += sep;
    out += v.is_string() ? printable(v.get<std::string>()) : v.dump();
  }
  return out.empty() ? "-" : out;
}

const json& list_field(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

std::string format_uptime(const json& seconds) {
  if (!seconds.is_number() || seconds.get<double>() <= 0) return "never";
  uint64_t s = seconds.get<uint64_t>();
  uint64_t m = s / 60, h = m / 60, d = h / 24, w = d / 7;
  char buf[32];
  if (d == 0) std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", (unsigned long long)h, (unsigned long long)(m % 60),
                            (unsigned long long)(s % 60));
  else if (w == 0) std::snprintf(buf, sizeof buf, "%llud%02lluh%02llum", (unsigned long long)d, (unsigned long long)(h % 24),
                                 (unsigned long long)(m % 60));
  else std::snprintf(buf, sizeof buf, "%lluw%llud%02lluh", (unsigned long long)w, (unsigned long long)(d % 7),
                     (unsigned long long)(h % 24));
  return buf;
}

std::string render_bgp_summary(const json& body) {
  std::ostringstream out;
  out << "BGP router identifier " << field(body, "router_id") << ", local AS number " << field(body, "asn");
  if (body.contains("cluster_id")) out << ", cluster-id " << field(body, "cluster_id");
  out << "\nLoc-RIB routes: " << field(body, "loc_rib_routes") << "\n\n";
  const json& peers = list_field(body, "peers");
  if (peers.empty()) {
    out << "No BGP neighbors are configured.\n";
    return out.str();
  }
  Table t({"Neighbor", "AS", "Role", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxRcd", "PfxSnt", "Desc"});
  for (size_t c : {1, 3, 4, 6, 7}) t.align(c, Align::kRight);
  for (auto& p : peers) {
    std::string state = field(p, "state");
    // FRR prints the received-prefix count in place of the state once the session is up.
    std::string state_pfx = state == "Established" ? field(p, "prefixes_received") : state;
    t.add_row({field(p, "address"), field(p, "remote_as"), field(p, "role"), field(p, "messages_in"),
               field(p, "messages_out"), format_uptime(p.value("uptime_seconds", json())), state_pfx,
               field(p, "prefixes_sent"), field(p, "description")});
  }
  out << t.render() << "\nTotal number of neighbors " << peers.size() << "\n";
  return out.str();
}

std::string render_bgp_neighbors(const json& body) {
  const json& neighbors = list_field(body, "neighbors");
  if (neighbors.empty()) return "No such neighbor.\n";
  std::ostringstream out;
  bool first = true;
  for (auto& n : neighbors) {
    if (!first) out << "\n";
    first = false;
    out << "BGP neighbor is " << field(n, "address") << ", remote AS " << field(n, "remote_as") << ", local AS "
        << field(n, "local_as") << ", role " << field(n, "role") << "\n";
    if (field(n, "description") != "-") out << " Description: " << field(n, "description") << "\n";
    if (n.value("dynamic", false))  // a VRF's listen-range peer (issue 10)
      out << " Dynamic neighbor of VRF " << field(n, "vrf") << ", listen range " << field(n, "listen_range") << "\n";
    out << "  BGP state = " << field(n, "state");
    if (field(n, "state") == "Established") out << ", up for " << format_uptime(n.value("uptime_seconds", json()));
    out << "\n  Hold time is " << field(n, "hold_time") << " seconds, keepalive interval is " << field(n, "keepalive")
        << " seconds";
    // RFC 9687: 0 = off; null (down, nothing configured) = the default max(480, 2 x hold).
    if (n.contains("send_hold_time")) {
      const std::string sh = field(n, "send_hold_time");
      out << ", send hold time " << (sh == "0" ? "off" : sh == "-" ? "default" : sh + " seconds");
    }
    out << "\n";
    if (n.value("catching_up", false))
      out << "  Output: " << field(n, "output_queued_bytes")
          << " bytes waiting; fell behind, catching up outside its update group\n";
    const json& neg = n.value("negotiated", json::object());
    out << "  Negotiated:\n    Address families: " << join_field(neg, "families", ", ") << "\n"
        << "    4-octet AS: " << field(neg, "four_octet_as") << ", route refresh: " << field(neg, "route_refresh")
        << ", graceful restart: " << field(neg, "graceful_restart") << ", extended message: "
        << field(neg, "extended_message") << "\n";
    const json& c = n.value("counters", json::object());
    Table msgs({"  Message statistics:", "Sent", "Rcvd"});
    msgs.align(1, Align::kRight).align(2, Align::kRight);
    msgs.add_row({"    Updates:", field(c, "updates_out"), field(c, "updates_in")});
    msgs.add_row({"    Notifications:", field(c, "notifications_out"), field(c, "notifications_in")});
    msgs.add_row({"    Total:", field(c, "messages_out"), field(c, "messages_in")});
    out << msgs.render();
    out << "  Treat-as-withdraw: " << field(c, "treat_as_withdraw") << ", attribute discard: "
        << field(c, "attribute_discard") << ", reset for malformed input: " << field(c, "malformed_session_reset")
        << ", session resets: " << field(c, "session_resets")
        << ", stale routes: " << field(c, "stale_routes") << "\n";
    if (c.value("send_hold_expired", 0) > 0 || c.value("output_blocked", 0) > 0)
      out << "  Send hold timer expiries: " << field(c, "send_hold_expired") << ", output queue full: "
          << field(c, "output_blocked") << " time(s)\n";
    out << "  Prefixes received " << field(n, "prefixes_received") << ", sent " << field(n, "prefixes_sent")
        << ", maximum " << (field(n, "max_prefixes") == "-" ? "none" : field(n, "max_prefixes")) << "\n";
    // Unicast (issue 10): what the import policy let in per family, and what it refused.
    const json& acc = n.value("prefixes_accepted", json::object());
    if (acc.value("ipv4-unicast", 0) > 0 || acc.value("ipv6-unicast", 0) > 0 || n.value("policy_rejected", 0) > 0)
      out << "  Unicast prefixes accepted: ipv4 " << field(acc, "ipv4-unicast") << ", ipv6 " << field(acc, "ipv6-unicast")
          << "; refused by the import policy: " << field(n, "policy_rejected") << "\n";
    if (n.value("max_prefix_tripped", false)) {
      out << "  Stopped: maximum prefixes exceeded; ";
      if (n.contains("max_prefix_restart_in_seconds"))
        out << "restarts in " << field(n, "max_prefix_restart_in_seconds") << " s\n";
      else
        out << "`evpnctl clear bgp neighbor " << field(n, "address") << "` starts it again\n";
    }
    if (field(n, "last_error") != "-") out << "  Last error: " << field(n, "last_error") << "\n";
  }
  return out.str();
}

// FRR notation: sequence "65001 65002", AS_SET "{65003,65004}", confederation "(65010 65011)" and
// "[65012,65013]". The API sends sequences as numbers, sets as arrays, confed segments as objects.
std::string format_as_path(const json& path) {
  if (path.is_string()) return printable(path.get<std::string>());
  std::string out;
  // Appends only (no "{" + s): g++ 12 -O3 reports a false -Wrestrict on operator+ (PR 105329).
  auto list = [](const char* open, const json& asns, const char* sep, const char* close) {
    std::string s(open);
    bool first = true;
    for (auto& a : asns) {
      s.append(first ? "" : sep).append(a.dump());
      first = false;
    }
    return s.append(close);
  };
  for (auto& seg : path.is_array() ? path : json::array()) {
    std::string text = seg.is_number()  ? seg.dump()
                       : seg.is_array() ? list("{", seg, ",", "}")
                       : seg.is_object() && seg.contains("confed_sequence") ? list("(", seg["confed_sequence"], " ", ")")
                       : seg.is_object() && seg.contains("confed_set")      ? list("[", seg["confed_set"], ",", "]")
                                                                            : seg.dump();
    out.append(out.empty() ? "" : " ").append(text);
  }
  return out;  // empty: iBGP-learned or local
}

std::string render_evpn_routes(const json& body) {
  const json& routes = list_field(body, "routes");
  if (routes.empty()) return "No EVPN routes.\n";
  Table t({"", "Type", "RD", "Route", "NextHop", "VNI", "Peer", "Path"});
  t.align(1, Align::kRight);
  for (auto& r : routes) {
    bool best = r.value("best", false);
    const json& attrs = r.value("attributes", json::object());
    std::string vni = field(r, "vni");
    // Type-3 routes carry their VNI as the PMSI tunnel label (RFC 8365 §5.1.3).
    if (vni == "-" && attrs.contains("pmsi_tunnel")) vni = field(attrs["pmsi_tunnel"], "label");
    if (field(r, "l3vni") != "-") vni.append("/").append(field(r, "l3vni"));  // append: g++ 12 -Wrestrict false positive
    std::string path = format_as_path(attrs.value("as_path", json()));
    // Origin code as FRR prints it after the path: i (IGP), e (EGP), ? (incomplete).
    std::string origin = field(attrs, "origin");
    for (auto& ch : origin) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    const char* code = origin == "igp" || origin == "i" ? "i" : origin == "egp" || origin == "e" ? "e"
                       : origin == "-" ? "" : "?";
    if (*code) path.append(path.empty() ? "" : " ").append(code);
    // evpnd's prefix_string starts with the RD (FRR style); the RD has its own column here.
    std::string route = field(r, "prefix_string"), rd = field(r, "rd");
    if (route.size() > rd.size() + 1 && route.compare(0, rd.size(), rd) == 0 && route[rd.size()] == ' ')
      route.erase(0, rd.size() + 1);
    t.add_row({best ? "*>" : "* ", field(r, "route_type"), rd, route,
               field(r, "next_hop"), vni, field(r, "peer"), path.empty() ? "-" : path});
  }
  std::ostringstream out;
  out << t.render() << "\nDisplayed " << routes.size() << " route" << (routes.size() == 1 ? "" : "s");
  if (body.contains("count") && body["count"].is_number() && body["count"].get<size_t>() != routes.size())
    out << " of " << body["count"].get<size_t>();
  out << "\n";
  return out.str();
}

}  // namespace evpnctl

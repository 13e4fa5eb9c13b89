// JSON shapes of wire values; see json_view.hpp for the contract.
#include "wire/json_view.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace evpnd::wire {
namespace {

using nlohmann::json;

// Wire text is untrusted and not necessarily UTF-8; json::dump() throws on invalid UTF-8, so
// keep printable ASCII and escape everything else.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out += c;
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

const char* origin_name(Origin o) {
  switch (o) {
    case Origin::kIgp: return "igp";
    case Origin::kEgp: return "egp";
    case Origin::kIncomplete: return "incomplete";
  }
  return "invalid";
}

// RFC 6514 §5 tunnel types.
std::string tunnel_type_name(uint8_t t) {
  switch (t) {
    case 0: return "no-tunnel-info";
    case 1: return "rsvp-te-p2mp";
    case 2: return "mldp-p2mp";
    case 3: return "pim-ssm";
    case 4: return "pim-sm";
    case 5: return "bidir-pim";
    case 6: return "ingress-replication";
    case 7: return "mldp-mp2mp";
    default: return "type-" + std::to_string(t);
  }
}

json as_path_json(const AsPath& path) {
  json out = json::array();
  for (const auto& seg : path) {
    switch (seg.type) {
      case AsPathSegment::Type::kSequence:
        for (Asn a : seg.asns) out.push_back(a);
        break;
      case AsPathSegment::Type::kSet:
        out.push_back(seg.asns);
        break;
      case AsPathSegment::Type::kConfedSequence:
        out.push_back(json{{"confed_sequence", seg.asns}});
        break;
      case AsPathSegment::Type::kConfedSet:
        out.push_back(json{{"confed_set", seg.asns}});
        break;
    }
  }
  return out;
}

json aggregator_json(const Aggregator& a) {
  return json{{"asn", a.asn}, {"address", a.address.to_string()}};
}

json prefixes_json(const std::vector<IpPrefix>& ps) {
  json out = json::array();
  for (const auto& p : ps) out.push_back(p.to_string());
  return out;
}

// RFC 7911 path identifiers go into each EVPN route object as "path_id".
json routes_json(const std::vector<EvpnRoute>& rs, const std::vector<uint32_t>& path_ids) {
  json out = json::array();
  for (size_t i = 0; i < rs.size(); ++i) {
    json r = to_json(rs[i]);
    if (i < path_ids.size()) r["path_id"] = path_ids[i];
    out.push_back(std::move(r));
  }
  return out;
}

// Prefix lists stay lists of strings; their RFC 7911 path identifiers go into a parallel
// "<key>_path_ids" array.
void put_prefixes(json& j, const std::string& key, const std::vector<IpPrefix>& ps,
                  const std::vector<uint32_t>& path_ids, bool always) {
  if (ps.empty() && !always) return;
  j[key] = prefixes_json(ps);
  if (!path_ids.empty()) j[key + "_path_ids"] = path_ids;
}

json pmsi_json(const PmsiTunnel& p) {
  json j{{"tunnel_type", tunnel_type_name(p.tunnel_type)}, {"label", p.label}};
  if (p.flags != 0) j["flags"] = p.flags;
  const IpAddress ep = p.endpoint();
  if (!ep.empty()) {
    j["endpoint"] = ep.to_string();
  } else if (!p.tunnel_id.empty()) {
    j["tunnel_id"] = to_hex(p.tunnel_id);
  }
  return j;
}

// The key for reach/withdraw lists of a non-EVPN family: "ipv4_reach", "ipv6_withdraw", ...
std::string family_key(AfiSafi as, const char* suffix) {
  if (as == kIpv4Unicast) return std::string("ipv4_") + suffix;
  if (as == kIpv6Unicast) return std::string("ipv6_") + suffix;
  return to_string(as) + "_" + suffix;
}

json update_json(const Update& u) {
  json j{{"type", "UPDATE"}};
  j["attributes"] = to_json(u.attrs, u.mp_reach ? &*u.mp_reach : nullptr);
  put_prefixes(j, "withdrawn", u.withdrawn, u.withdrawn_path_ids, false);
  put_prefixes(j, "nlri", u.nlri, u.nlri_path_ids, false);
  if (u.mp_reach) {
    const MpReach& r = *u.mp_reach;
    if (r.afi_safi == kL2vpnEvpn) {
      j["evpn_reach"] = routes_json(r.evpn, r.path_ids);
    } else {
      put_prefixes(j, family_key(r.afi_safi, "reach"), r.prefixes, r.path_ids, true);
    }
  }
  if (u.mp_unreach) {
    const MpUnreach& w = *u.mp_unreach;
    if (w.afi_safi == kL2vpnEvpn) {
      j["evpn_withdraw"] = routes_json(w.evpn, w.path_ids);
    } else {
      put_prefixes(j, family_key(w.afi_safi, "withdraw"), w.prefixes, w.path_ids, true);
    }
  }
  if (u.is_end_of_rib()) j["end_of_rib"] = to_string(u.mp_unreach ? u.mp_unreach->afi_safi : kIpv4Unicast);
  if (!u.errors.empty()) {
    json errs = json::array();
    for (const auto& e : u.errors) errs.push_back(to_json(e));
    j["errors"] = std::move(errs);
  }
  if (u.treat_as_withdraw) j["treat_as_withdraw"] = true;
  return j;
}

json open_json(const Open& o) {
  return json{{"type", "OPEN"},
              {"version", o.version},
              {"my_as", o.my_as},
              {"hold_time", o.hold_time},
              {"bgp_id", o.bgp_id.to_string()},
              {"capabilities", to_json(o.caps)}};
}

json notification_json(const Notification& n) {
  json j{{"type", "NOTIFICATION"},
         {"code", n.code},
         {"subcode", n.subcode},
         {"code_name", notify_code_name(n.code)},
         {"subcode_name", notify_subcode_name(n.code, n.subcode)}};
  if (!n.data.empty()) j["data"] = to_hex(n.data);
  // RFC 8203 / RFC 9003 §2: Administrative Shutdown and Reset may carry operator text.
  if (auto text = n.shutdown_communication()) j["shutdown_communication"] = printable(*text);
  return j;
}

json route_refresh_json(const RouteRefresh& r) {
  return json{{"type", "ROUTE-REFRESH"},
              {"afi", uint16_t(r.afi_safi.afi)},
              {"safi", uint8_t(r.afi_safi.safi)},
              {"subtype", r.subtype}};
}

}  // namespace

const char* message_type_json_name(uint8_t type) {
  switch (type) {
    case 1: return "OPEN";
    case 2: return "UPDATE";
    case 3: return "NOTIFICATION";
    case 4: return "KEEPALIVE";
    case 5: return "ROUTE-REFRESH";
    default: return "UNKNOWN";
  }
}

json to_json(const EvpnRoute& route) {
  struct Visitor {
    json operator()(const EthernetAutoDiscovery& r) const {
      return json{{"route_type", 1}, {"rd", r.rd.to_string()}, {"esi", r.esi.to_string()},
                  {"ethernet_tag", r.ethernet_tag}, {"vni", r.label}};
    }
    json operator()(const MacIpAdvertisement& r) const {
      json j{{"route_type", 2}, {"rd", r.rd.to_string()}, {"esi", r.esi.to_string()},
             {"ethernet_tag", r.ethernet_tag}, {"mac", r.mac.to_string()}, {"vni", r.label1}};
      if (!r.ip.empty()) j["ip"] = r.ip.to_string();
      if (r.label2) j["l3vni"] = *r.label2;
      return j;
    }
    json operator()(const InclusiveMulticast& r) const {
      return json{{"route_type", 3}, {"rd", r.rd.to_string()}, {"ethernet_tag", r.ethernet_tag},
                  {"originator", r.originator.to_string()}};
    }
    json operator()(const EthernetSegment& r) const {
      return json{{"route_type", 4}, {"rd", r.rd.to_string()}, {"esi", r.esi.to_string()},
                  {"originator", r.originator.to_string()}};
    }
    json operator()(const IpPrefixRoute& r) const {
      return json{{"route_type", 5}, {"rd", r.rd.to_string()}, {"esi", r.esi.to_string()},
                  {"ethernet_tag", r.ethernet_tag}, {"prefix", r.prefix.to_string()},
                  {"gateway", r.gateway.to_string()}, {"vni", r.label}};
    }
    json operator()(const UnknownEvpnRoute& r) const {
      return json{{"route_type", r.route_type}, {"hex", to_hex(r.value)}};
    }
  };
  return std::visit(Visitor{}, route);
}

json to_json(const PathAttributes& a, const MpReach* mp) {
  json j = json::object();
  if (a.origin) j["origin"] = origin_name(*a.origin);
  if (a.as_path) j["as_path"] = as_path_json(*a.as_path);
  if (mp != nullptr && !mp->next_hop.empty()) {
    j["next_hop"] = mp->next_hop.to_string();
    if (!mp->link_local_next_hop.empty()) j["link_local_next_hop"] = mp->link_local_next_hop.to_string();
    if (a.next_hop) j["ipv4_next_hop"] = a.next_hop->to_string();
  } else if (a.next_hop) {
    j["next_hop"] = a.next_hop->to_string();
  }
  if (a.med) j["med"] = *a.med;
  if (a.local_pref) j["local_pref"] = *a.local_pref;
  if (a.atomic_aggregate) j["atomic_aggregate"] = true;
  if (a.aggregator) j["aggregator"] = aggregator_json(*a.aggregator);
  if (!a.communities.empty()) {
    json cs = json::array();
    for (uint32_t c : a.communities) cs.push_back(std::to_string(c >> 16) + ":" + std::to_string(c & 0xffff));
    j["communities"] = std::move(cs);
  }
  if (a.originator_id) j["originator_id"] = a.originator_id->to_string();
  if (!a.cluster_list.empty()) {
    json cl = json::array();
    for (const auto& c : a.cluster_list) cl.push_back(c.to_string());
    j["cluster_list"] = std::move(cl);
  }
  if (!a.ext_communities.empty()) {
    json ec = json::array();
    for (const auto& c : a.ext_communities) ec.push_back(c.to_string());
    j["extended_communities"] = std::move(ec);
  }
  if (a.as4_path) j["as4_path"] = as_path_json(*a.as4_path);
  if (a.as4_aggregator) j["as4_aggregator"] = aggregator_json(*a.as4_aggregator);
  if (a.pmsi_tunnel) j["pmsi_tunnel"] = pmsi_json(*a.pmsi_tunnel);
  if (!a.large_communities.empty()) {
    json lc = json::array();
    for (const auto& c : a.large_communities) {
      lc.push_back(std::to_string(c.global_admin) + ":" + std::to_string(c.local1) + ":" +
                   std::to_string(c.local2));
    }
    j["large_communities"] = std::move(lc);
  }
  if (!a.unknown.empty()) {
    json un = json::array();
    for (const auto& r : a.unknown) un.push_back(json{{"type", r.type}, {"flags", r.flags}, {"hex", to_hex(r.value)}});
    j["unknown"] = std::move(un);
  }
  return j;
}

json to_json(const DecodeError& e) {
  json j{{"action", to_string(e.action)},
         {"code", e.code},
         {"subcode", e.subcode},
         {"code_name", notify_code_name(e.code)},
         {"subcode_name", notify_subcode_name(e.code, e.subcode)},
         {"reason", printable(e.reason)}};
  if (e.attribute_type != 0) j["attribute"] = e.attribute_type;
  if (!e.data.empty()) j["data"] = to_hex(e.data);
  return j;
}

json to_json(const Capabilities& c) {
  json j = json::object();
  if (!c.multiprotocol.empty()) {
    json mp = json::array();
    for (const auto& as : c.multiprotocol) mp.push_back(to_string(as));
    j["multiprotocol"] = std::move(mp);
  }
  if (c.route_refresh) j["route_refresh"] = true;
  if (c.route_refresh_cisco) j["route_refresh_cisco"] = true;
  if (c.enhanced_route_refresh) j["enhanced_route_refresh"] = true;
  if (c.extended_message) j["extended_message"] = true;
  if (c.graceful_restart) {
    const auto& gr = *c.graceful_restart;
    json fams = json::array();
    for (const auto& f : gr.families) {
      fams.push_back(json{{"afi_safi", to_string(f.afi_safi)}, {"forwarding_preserved", f.forwarding_preserved}});
    }
    j["graceful_restart"] = json{{"restart_state", gr.restart_state},
                                 {"notification", gr.notification},
                                 {"restart_time", gr.restart_time},
                                 {"families", std::move(fams)}};
  }
  if (c.four_octet_as) j["four_octet_as"] = *c.four_octet_as;
  if (!c.add_path.empty()) {
    json ap = json::array();
    for (const auto& e : c.add_path) {
      const char* dir = e.send_receive == 1 ? "receive" : e.send_receive == 2 ? "send"
                        : e.send_receive == 3 ? "both" : "invalid";
      ap.push_back(json{{"afi_safi", to_string(e.afi_safi)}, {"send_receive", dir}});
    }
    j["add_path"] = std::move(ap);
  }
  if (c.fqdn_hostname || c.fqdn_domain) {
    json f = json::object();
    if (c.fqdn_hostname) f["hostname"] = printable(*c.fqdn_hostname);
    if (c.fqdn_domain) f["domain"] = printable(*c.fqdn_domain);
    j["fqdn"] = std::move(f);
  }
  if (!c.unknown.empty()) {
    json un = json::array();
    for (const auto& r : c.unknown) un.push_back(json{{"code", r.code}, {"hex", to_hex(r.value)}});
    j["unknown"] = std::move(un);
  }
  return j;
}

json to_json(const Message& m) {
  struct Visitor {
    json operator()(const Open& o) const { return open_json(o); }
    json operator()(const Update& u) const { return update_json(u); }
    json operator()(const Notification& n) const { return notification_json(n); }
    json operator()(const Keepalive&) const { return json{{"type", "KEEPALIVE"}}; }
    json operator()(const RouteRefresh& r) const { return route_refresh_json(r); }
  };
  return std::visit(Visitor{}, m);
}

}  // namespace evpnd::wire

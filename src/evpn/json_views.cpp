#include "evpn/json_views.hpp"

#include <nlohmann/json.hpp>

namespace evpnd::evpn {
namespace {

using nlohmann::json;

template <class T>
json strings(const std::vector<T>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back(x.to_string());
  return a;
}

const char* origin_name(EntryOrigin o) { return o == EntryOrigin::kLocal ? "local" : "remote"; }

}  // namespace

json mac_table_json(const std::vector<MacView>& macs) {
  json out = json::object();
  for (const auto& m : macs) {
    json& vni = out[std::to_string(m.vni)];
    if (!vni.contains("macs")) vni["macs"] = json::object();
    json e = {{"type", origin_name(m.origin)},
              {"localSequence", m.local_seq},
              {"remoteSequence", m.remote_seq},
              {"isDuplicate", m.duplicate},
              {"isSticky", m.sticky},
              {"isFrozen", m.frozen},
              {"neighbors", strings(m.ips)}};
    if (m.origin == EntryOrigin::kLocal) e["intf"] = m.port;
    else e["remoteVtep"] = m.remote_vtep.to_string();
    if (!m.esi.is_zero()) e["esi"] = m.esi.to_string();   // FRR: "esi" of an ES MAC
    if (m.nhid != 0) e["nexthopGroup"] = m.nhid;
    if (m.synced) e["peerActive"] = true;
    if (m.endpoint) e["endpoint"] = true;  // evpnd only: announced through the API (issue 11)
    vni["macs"][m.mac.to_string()] = std::move(e);
    vni["numMacs"] = vni["macs"].size();
  }
  return out;
}

json arp_cache_json(const std::vector<NeighView>& neighs) {
  json out = json::object();
  for (const auto& n : neighs) {
    json& vni = out[std::to_string(n.vni)];
    if (!vni.contains("entries")) vni["entries"] = json::object();
    json e = {{"type", origin_name(n.origin)}, {"mac", n.mac.to_string()}};
    if (n.origin == EntryOrigin::kRemote) e["remoteVtep"] = n.remote_vtep.to_string();
    vni["entries"][n.ip.to_string()] = std::move(e);
    vni["numArpNd"] = vni["entries"].size();
  }
  return out;
}

json dataplane_status_json(const dataplane::VniDataplaneStatus& s) {
  return json{{"state", dataplane::to_string(s.state)}, {"pending", s.pending}, {"failures", s.failures},
              {"drifts", s.drifts}, {"last_error", s.last_error}};
}

json vni_json(const std::vector<VniView>& l2, const std::vector<VrfView>& l3) {
  json out = json::array();
  for (const auto& v : l2) {
    out.push_back({{"vni", v.vni},
                   {"type", "L2"},
                   {"vrf", v.vrf},
                   {"l3vni", v.l3vni},
                   {"rd", v.rd.to_string()},
                   {"importRts", strings(v.import_rts)},
                   {"exportRts", strings(v.export_rts)},
                   {"vtepIp", v.local_vtep.to_string()},
                   {"numMacs", v.local_macs + v.remote_macs},
                   {"numLocalMacs", v.local_macs},
                   {"numRemoteMacs", v.remote_macs},
                   {"numArpNd", v.local_neighs + v.remote_neighs},
                   {"numRemoteVteps", strings(v.remote_vteps)},
                   {"counters",
                    {{"localLearns", v.counters.local_learns},
                     {"moves", v.counters.moves},
                     {"duplicatesDetected", v.counters.duplicates_detected},
                     {"stickyConflicts", v.counters.sticky_conflicts},
                     {"gatewayMacIgnored", v.counters.gateway_mac_ignored},
                     {"remotePaths", v.counters.remote_paths},
                     {"endpointHolds", v.counters.endpoint_holds}}}});
  }
  for (const auto& v : l3) {
    json l2vnis = json::array();
    for (Vni x : v.l2vnis) l2vnis.push_back(x);
    out.push_back({{"vni", v.l3vni},
                   {"type", "L3"},
                   {"vrf", v.name},
                   {"state", "Up"},
                   {"rd", v.rd.to_string()},
                   {"importRts", strings(v.import_rts)},
                   {"exportRts", strings(v.export_rts)},
                   {"routerMac", v.router_mac.to_string()},
                   {"l2Vnis", l2vnis},
                   {"localPrefixes", strings(v.local_prefixes)},
                   {"numRoutes", v.routes}});
  }
  return out;
}

json dup_addr_json(const std::vector<DupAddrView>& dups, Time now) {
  json out = json::array();
  for (const auto& d : dups) {
    json e = {{"vni", d.vni},
              {"mac", d.mac.to_string()},
              {"type", d.ip.empty() ? "mac" : "ip"},
              {"moves", d.moves},
              {"totalMoves", d.total_moves},
              {"isDuplicate", d.duplicate},
              {"isFrozen", d.frozen}};
    if (!d.ip.empty()) e["ip"] = d.ip.to_string();
    if (d.detected_at) {
      e["detectedAgoSeconds"] = std::chrono::duration_cast<std::chrono::seconds>(now - *d.detected_at).count();
    }
    if (d.frozen && d.freeze_until) {
      e["freezeRemainingSeconds"] = std::chrono::duration_cast<std::chrono::seconds>(*d.freeze_until - now).count();
    }
    out.push_back(std::move(e));
  }
  return out;
}

json rmac_json(const std::vector<RmacView>& rmacs) {
  json out = json::array();
  for (const auto& r : rmacs) {
    out.push_back({{"l3vni", r.l3vni}, {"vtep", r.vtep.to_string()}, {"routerMac", r.rmac.to_string()}});
  }
  return out;
}

json vrf_routes_json(const std::vector<VrfRouteView>& routes) {
  json out = json::array();
  for (const auto& r : routes) {
    json j{{"l3vni", r.l3vni},
           {"prefix", r.prefix.to_string()},
           {"nexthops", strings(r.nexthops)},
           {"source", r.source == VrfRouteSource::kHost ? "host" : r.source == VrfRouteSource::kBgp ? "bgp" : "prefix"}};
    if (r.peer) j["peer"] = r.peer->to_string();
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace evpnd::evpn

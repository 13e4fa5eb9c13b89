// JSON rendering of the EVPN views (views.hpp) for the API and evpnctl. Shapes follow FRR 8.4's
// `show evpn ... json` where one exists (../shared/FRR-INTEROP.md §4) so scripts can be shared:
//   mac_table_json   {"<vni>": {"numMacs": n, "macs": {"<mac>": {"type": "local"|"remote",
//                     "intf" | "remoteVtep", "localSequence", "remoteSequence", "isDuplicate",
//                     "isSticky", "isFrozen", "neighbors": ["ip", ..]}}}}
//   arp_cache_json   {"<vni>": {"numArpNd": n, "entries": {"<ip>": {"type", "mac", "remoteVtep"?}}}}
//   vni_json         [{"vni", "type": "L2", "vrf", "l3vni", "rd", "importRts", "exportRts",
//                     "vtepIp", "numMacs", "numLocalMacs", "numRemoteMacs", "numArpNd",
//                     "numRemoteVteps": ["ip", ..], "counters": {..}},
//                     {"vni", "type": "L3", "vrf", "rd", "importRts", "exportRts", "routerMac",
//                     "l2Vnis": [..], "localPrefixes": [..], "numRoutes"}]
//   dup_addr_json    [{"vni", "mac", "moves", "totalMoves", "isDuplicate", "isFrozen",
//                     "detectedAgoSeconds"?, "freezeRemainingSeconds"?}]
//   rmac_json        [{"l3vni", "vtep", "routerMac"}]
//   vrf_routes_json  [{"l3vni", "prefix", "nexthops": [..], "source": "host"|"prefix"|"bgp", "peer"?}]
// Times are given relative to `now` (the views hold steady-clock time points).
#pragma once

#include <map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "evpn/views.hpp"

namespace evpnd::evpn {

nlohmann::json mac_table_json(const std::vector<MacView>& macs);
nlohmann::json arp_cache_json(const std::vector<NeighView>& neighs);
// `{"state": "ok"|"retrying"|"device-missing", "pending", "failures", "drifts", "last_error"}`:
// the data plane's result for a VNI (docs/API.md, GET /v1/evpn/vnis).
nlohmann::json dataplane_status_json(const dataplane::VniDataplaneStatus& s);
nlohmann::json vni_json(const std::vector<VniView>& l2, const std::vector<VrfView>& l3);
nlohmann::json dup_addr_json(const std::vector<DupAddrView>& dups, Time now);
nlohmann::json rmac_json(const std::vector<RmacView>& rmacs);
nlohmann::json vrf_routes_json(const std::vector<VrfRouteView>& routes);

}  // namespace evpnd::evpn

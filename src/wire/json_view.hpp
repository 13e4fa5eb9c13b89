// JSON rendering of decoded wire values, shared by `evpnctl decode` and the daemon's API
// (`show bgp evpn routes`), so both speak the same shapes. The shapes are a public interface:
// change them only together with docs/ and the golden files in tests/decode/expected/.
//
// Shapes (absent optional values are omitted, never null; keys are sorted by nlohmann::json):
//   ROUTE   {"route_type":2,"rd":"10.255.0.1:2","esi":"00:..:00","ethernet_tag":0,
//            "mac":"02:00:00:00:01:10","ip":"192.168.100.10","vni":100,"l3vni":5000}
//           type 1: rd, esi, ethernet_tag, vni     type 3: rd, ethernet_tag, originator
//           type 4: rd, esi, originator            type 5: rd, esi, ethernet_tag, prefix, gateway, vni
//           other:  route_type, hex (the value after type and length)
//           with RFC 7911 add-path (in an UPDATE): "path_id"
//   ATTRS   {"origin":"igp|egp|incomplete","as_path":[65001,[65002,65003]],"next_hop":"..",
//            "med":0,"local_pref":100,"atomic_aggregate":true,"aggregator":{"asn":..,"address":..},
//            "communities":["65000:1"],"originator_id":"..","cluster_list":[".."],
//            "extended_communities":["rt:65000:100","encap:vxlan",..],"large_communities":["1:2:3"],
//            "pmsi_tunnel":{"tunnel_type":"ingress-replication","label":100,"endpoint":".."},
//            "as4_path":[..],"as4_aggregator":{..},"unknown":[{"type":N,"flags":N,"hex":".."}]}
//           as_path: SEQUENCE members flattened as numbers, SET as a nested array,
//           CONFED_SEQUENCE as {"confed_sequence":[..]}, CONFED_SET as {"confed_set":[..]}.
//   ERROR   {"action":"treat-as-withdraw","code":3,"subcode":1,"code_name":"..","subcode_name":"..",
//            "reason":"..", "attribute":N (when known), "data":"hex" (when not empty)}
//   MESSAGE see to_json(const Message&) below.
//
// NOTE strings taken from the wire (FQDN hostname, shutdown communication) are made printable
// ASCII (other bytes become \xNN) so that json::dump() never throws on invalid UTF-8.
// NOTE threading/performance: pure functions, allocate freely; not for per-packet hot paths.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "wire/attributes.hpp"
#include "wire/error.hpp"
#include "wire/evpn_route.hpp"
#include "wire/message.hpp"

namespace evpnd::wire {

nlohmann::json to_json(const EvpnRoute& r);

// The path attributes; when `mp` is given its next hop becomes "next_hop" (EVPN: the VTEP),
// with "link_local_next_hop" for a 32-byte IPv6 next hop. A NEXT_HOP attribute that is also
// present (IPv4 NLRI in the same UPDATE) then moves to "ipv4_next_hop".
nlohmann::json to_json(const PathAttributes& a, const MpReach* mp = nullptr);

nlohmann::json to_json(const DecodeError& e);
nlohmann::json to_json(const Capabilities& c);

// One whole message:
//   {"type":"OPEN","version":4,"my_as":65000,"hold_time":9,"bgp_id":"..","capabilities":{..}}
//   {"type":"UPDATE","attributes":{..},"evpn_reach":[ROUTE..],"evpn_withdraw":[ROUTE..],
//    "ipv4_reach"/"ipv6_reach"/"ipv4_withdraw"/"ipv6_withdraw":["prefix"..],
//    "withdrawn":["prefix"..],"nlri":["prefix"..],"end_of_rib":"l2vpn-evpn",
//    "errors":[ERROR..],"treat_as_withdraw":true}
//   {"type":"NOTIFICATION","code":6,"subcode":4,"code_name":"..","subcode_name":"..","data":"hex",
//    "shutdown_communication":".." (RFC 8203, Cease subcodes 2 and 4)}
//   {"type":"KEEPALIVE"}
//   {"type":"ROUTE-REFRESH","afi":25,"safi":70,"subtype":0}
// An UPDATE always has "attributes" (maybe {}); the other UPDATE keys appear only when they have
// content, except the MP_REACH/MP_UNREACH lists ("evpn_reach", "ipv6_withdraw", ...), present
// (maybe []) whenever that attribute is. Families other than l2vpn-evpn, ipv4/ipv6-unicast use
// "<afi_safi>_reach"/"<afi_safi>_withdraw" ("afi1-safi128_reach"). With RFC 7911 add-path, EVPN
// routes get "path_id" and prefix lists a parallel "<key>_path_ids" array. The message length is not part of Message; callers that know it add "length".
nlohmann::json to_json(const Message& m);

// "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"; "UNKNOWN" for other codes.
const char* message_type_json_name(uint8_t type);

}  // namespace evpnd::wire

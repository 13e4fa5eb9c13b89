// Plain read-only views of the EVPN state for the API (`evpnctl show evpn ...`). JSON rendering
// lives in json_views.hpp; these structs are the stable in-process shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "core/types.hpp"
#include "dataplane/intent.hpp"
#include "evpn/output.hpp"

namespace evpnd::evpn {

enum class EntryOrigin : uint8_t { kLocal, kRemote };

// `show evpn mac vni <vni>` (FRR: type, intf | remoteVtep, localSequence, remoteSequence, isDuplicate).
struct MacView {
  Vni vni = 0;
  Mac mac;
  EntryOrigin origin = EntryOrigin::kLocal;
  std::string port;          // local: bridge port
  IpAddress remote_vtep;     // remote: the winning VTEP
  uint32_t local_seq = 0;
  uint32_t remote_seq = 0;
  bool sticky = false;       // local static MAC, or remote with the sticky flag
  bool duplicate = false;
  bool frozen = false;
  std::vector<IpAddress> ips;  // local neighbours / remote MAC+IP routes of the winning VTEP
  Esi esi;                   // the Ethernet segment (zero: single-homed)
  uint32_t nhid = 0;         // remote behind a multihomed segment: its FDB nexthop group
  bool synced = false;       // MAC sync: a peer PE of our segment advertises it (remote_vtep),
                             // installed on our attachment `port` (FRR: peer-active)
  bool endpoint = false;     // announced through the API (pinned; issue 11); a remote origin
                             // then means displaced by a newer remote path (RFC 7432 §15)
  bool operator==(const MacView&) const = default;
};

// `show evpn arp-cache vni <vni>`.
struct NeighView {
  Vni vni = 0;
  IpAddress ip;
  Mac mac;
  EntryOrigin origin = EntryOrigin::kLocal;
  IpAddress remote_vtep;
  bool operator==(const NeighView&) const = default;
};

// `show evpn dup-addr`.
struct DupAddrView {
  Vni vni = 0;
  Mac mac;
  uint32_t moves = 0;          // inside the current window
  uint64_t total_moves = 0;
  bool duplicate = false;
  std::optional<Time> detected_at;
  bool frozen = false;
  std::optional<Time> freeze_until;  // frozen without a deadline: until cleared
  IpAddress ip;                      // set: an IP entry (mac = its MAC now); empty: a MAC entry
  bool operator==(const DupAddrView&) const = default;
};

struct MacVrfCounters {
  uint64_t local_learns = 0;
  uint64_t moves = 0;
  uint64_t ip_moves = 0;
  uint64_t duplicates_detected = 0;  // MACs and IPs
  uint64_t sticky_conflicts = 0;
  uint64_t gateway_mac_ignored = 0;
  uint64_t remote_paths = 0;   // remote type-2 paths accepted
  uint64_t endpoint_holds = 0; // agings / neighbour removals not withdrawn: an API endpoint pins them
};

// `show evpn vni detail` (L2 part).
struct VniView {
  Vni vni = 0;
  Rd rd;
  std::vector<RouteTarget> import_rts, export_rts;
  std::string vrf;             // "" when the segment has no IP-VRF
  Vni l3vni = 0;
  IpAddress local_vtep;
  size_t local_macs = 0, remote_macs = 0, local_neighs = 0, remote_neighs = 0;
  size_t endpoints = 0;        // API endpoints (issue 11), displaced ones included
  std::vector<IpAddress> remote_vteps;  // flood list (type-3)
  MacVrfCounters counters;
  dataplane::VniDataplaneStatus dataplane;  // as the data plane reported it (set_dataplane_status)
};

// `show evpn vni detail` (L3 part) / `show vrf`.
struct VrfView {
  std::string name;
  Vni l3vni = 0;
  Rd rd;
  std::vector<RouteTarget> import_rts, export_rts;
  Mac router_mac;
  std::vector<Vni> l2vnis;
  std::vector<IpPrefix> local_prefixes;  // originated as type-5
  size_t routes = 0;                     // installed VRF routes
  dataplane::VniDataplaneStatus dataplane;  // of the L3VNI (set_dataplane_status)
};

struct RmacView {
  Vni l3vni = 0;
  IpAddress vtep;
  Mac rmac;
  bool operator==(const RmacView&) const = default;
};

// type-2 MAC+IP / type-5 (next hops: VTEPs) / the VRF's BGP best route (next hop: the CE).
enum class VrfRouteSource : uint8_t { kHost, kPrefix, kBgp };
struct VrfRouteView {
  Vni l3vni = 0;
  IpPrefix prefix;
  std::vector<IpAddress> nexthops;
  VrfRouteSource source = VrfRouteSource::kPrefix;
  std::optional<IpAddress> peer;  // kBgp: the neighbour it was learnt from
  bool operator==(const VrfRouteView&) const = default;
};

}  // namespace evpnd::evpn

// Builds the EVPN routes this VTEP originates, with the attributes FRR 8.4 puts on them
// (checked byte for byte against tests/vectors/captures):
//   type 2  RD, ESI (0, or the segment of the port it was learnt on), tag 0, MAC[, IP], label1 = L2VNI[, label2 = L3VNI]   RFC 7432 §7.2,
//           RFC 9135 §5.1 (symmetric IRB: label2 and Router's MAC only on MAC+IP routes)
//           ext-comms: encap VXLAN, L2 export RTs[, L3 export RTs, Router's MAC][, MAC Mobility]
//   type 3  RD, tag 0, originator = VTEP; PMSI tunnel type 6 (ingress replication), label =
//           VNI, endpoint = VTEP (RFC 8365 §5.1.3); ext-comms: encap VXLAN, export RTs
//   type 5  RD, ESI 0, tag 0, prefix, gateway 0, label = L3VNI (RFC 9136 §3);
//           ext-comms: encap VXLAN, export RTs, Router's MAC
// Ext-community order follows FRR: encapsulation, RTs, Router's MAC, MAC Mobility.
// MAC Mobility (RFC 7432 §7.7) is added once seq > 0, or with seq 0 for a sticky MAC, as FRR.
// Every path gets ORIGIN IGP and an empty AS_PATH (RFC 4271 §5.1.2, locally originated).
#pragma once

#include <optional>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "core/types.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

// What a MAC-VRF's type-2 routes need from the IP-VRF its SVI belongs to.
struct L3Binding {
  Vni l3vni = 0;
  std::vector<RouteTarget> export_rts;
  Mac router_mac;
  bool operator==(const L3Binding&) const = default;
};

struct MacRouteSpec {
  Rd rd;
  Vni l2vni = 0;
  Mac mac;
  IpAddress ip;                           // empty: MAC-only route
  std::vector<RouteTarget> export_rts;    // the MAC-VRF's
  const L3Binding* l3 = nullptr;          // used only when `ip` is set
  uint32_t seq = 0;
  bool sticky = false;
  Esi esi;                                // the Ethernet segment the MAC was learnt on (RFC 7432 §7.2), else 0
};

wire::PathAttributes base_attrs();
wire::MacIpAdvertisement make_mac_route(const MacRouteSpec& s);
wire::PathAttributes mac_route_attrs(const MacRouteSpec& s);

wire::InclusiveMulticast make_imet_route(const Rd& rd, const IpAddress& vtep);
wire::PathAttributes imet_route_attrs(Vni vni, const IpAddress& vtep,
                                      const std::vector<RouteTarget>& export_rts);

wire::IpPrefixRoute make_prefix_route(const Rd& rd, const IpPrefix& prefix, Vni l3vni);
wire::PathAttributes prefix_route_attrs(const std::vector<RouteTarget>& export_rts, const Mac& rmac);

// What an imported path says about itself (RFC 7432 §7.7, RFC 9135 §8.1, RFC 7432 §7.8).
struct PathInfo {
  uint32_t seq = 0;
  bool sticky = false;
  std::optional<Mac> router_mac;
  bool default_gateway = false;
};
PathInfo path_info(const wire::PathAttributes& attrs);

}  // namespace evpnd::evpn

// The seam between a VRF's BGP instance (unicast sessions with CEs: Kubernetes nodes, gateways;
// issue 10) and the EVPN logic, in EVPN's own terms so src/evpn does not depend on src/bgp:
//
//   VRF Loc-RIB best path (bgp::LocRibListener::on_unicast_best_changed, engine) ->
//     VrfUnicastRoute -> EvpnService::on_vrf_unicast -> type-5 of the VRF (RFC 9136 §3.1) +
//     a VrfRoute via the CE in the VRF's kernel table
//   the VRF's EVPN routes (imported type-5 and host routes, connected subnets) ->
//     Output::unicast (UnicastUpdate) -> engine -> the VRF's speaker originates them towards
//     its CEs (next-hop-self), subject to each neighbour's export policy
#pragma once

#include <string>

#include "core/ip.hpp"

namespace evpnd::evpn {

// A VRF's best BGP unicast route, as redistribution needs it.
struct VrfUnicastRoute {
  IpPrefix prefix;
  IpAddress next_hop;  // the CE's next hop (NEXT_HOP / MP_REACH next hop): the kernel route's gateway
  IpAddress peer;      // the neighbour it was learnt from (views, notices)
  bool operator==(const VrfUnicastRoute&) const = default;
};

// EVPN asks the VRF's BGP instance to originate (announce) or withdraw a prefix.
struct UnicastUpdate {
  std::string vrf;
  IpPrefix prefix;
  bool announce = true;
  bool operator==(const UnicastUpdate&) const = default;
};

}  // namespace evpnd::evpn

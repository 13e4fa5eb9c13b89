// RD/RT auto-derivation and Route Target matching for MAC-VRFs and IP-VRFs.
//
// RD: type 1, <router-id>:<index> (RFC 7432 §7.9). FRR hands out the index from one id space per
// BGP speaker: 1 for the default instance, then each object as it appears. In the lab captures
// (tests/vectors/captures) VRF tenant1 is 10.255.0.1:2, VNI 100 is :3 and VNI 200 is :4, so
// rd_index_plan() assigns 2.. to the VRFs first (config order), then the L2VNIs (config order).
// A configured RD does not give its index back (FRR allocates the index regardless); an index
// whose automatic RD is a configured one is skipped (run-time VNIs keep explicit RDs).
//
// RT (RFC 8365 §5.1.2.1, RFC 7432 §7.10.1):
//   RtAutoMode::kFrr      <ASN>:<VNI> as a 2-octet-AS RT (type 0x00, sub-type 0x02), the form
//                         FRR 8.4 sends (captures: 00 02 fd e8 00 00 00 64 = 65000:100).
//   RtAutoMode::kRfc8365  RFC 8365 §5.1.2.1 layout: Global Administrator = 2-octet ASN, Local
//                         Administrator = A(1 bit, 0 = auto-derived) | Type(3 bits, 1 = VXLAN) |
//                         D-ID(4 bits, 0) | Service ID(24 bits, the VNI), i.e. the value
//                         0x10000000 | VNI; FRR's `autort rfc8365-compatible` (EVPN_AUTORT_VXLAN).
//   4-byte ASNs: RFC 8365 says the RT then has to be configured by hand (the 2-octet Global
//   Administrator cannot hold the AS). FRR uses the low 16 bits of the ASN ("unique across VNIs,
//   the same across routers of one AS"); both modes here do the same, so 4200000001 (0xFA56EA01)
//   gives 59905:<VNI>.
// Matching is exact (all 8 bytes): the RT types must agree too, as in FRR.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/config.hpp"
#include "core/ip.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "core/types.hpp"
#include "wire/attributes.hpp"

namespace evpnd::evpn {

using api::RtAutoMode;

inline constexpr uint32_t kRfc8365VxlanType = 0x10000000;  // A=0, Type=1 (VXLAN), D-ID=0

Rd auto_rd(const IpAddress& router_id, uint16_t index);
RouteTarget auto_rt(Asn asn, Vni vni, RtAutoMode mode);

// The RD index of every configured VRF and L2VNI, FRR's allocation order (see above).
struct RdIndexPlan {
  std::map<std::string, uint16_t> vrfs;
  std::map<Vni, uint16_t> l2vnis;
};
RdIndexPlan rd_index_plan(const api::Config& cfg);

// All Route Targets among the path's extended communities (types 0x00/0x01/0x02, sub-type 0x02).
std::vector<RouteTarget> route_targets(const wire::PathAttributes& attrs);
// True when any RT of the route is in `import`.
bool rt_match(const std::vector<RouteTarget>& route_rts, const std::vector<RouteTarget>& import);

}  // namespace evpnd::evpn

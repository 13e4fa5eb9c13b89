// Receive-side checks of a remote EVPN route before a leaf installs it: what the RFCs require a
// VXLAN VTEP to verify that BGP itself does not. A route failing them stays in the BGP RIB (and
// is reflected: the checks are about this VTEP's data plane, not the route's validity on the
// wire); it is only not imported, with a counter and a notice.
//
//   * Encapsulation (RFC 8365 §5.1.3, §6; RFC 9012 §4.1 tunnel types): an ingress NVE can send to
//     an egress NVE only over an encapsulation both support. evpnd does VXLAN (tunnel type 8)
//     only. A route whose BGP Encapsulation extended communities name other types only (MPLS,
//     NVGRE, ...) is not usable. A route without the community: "the default MPLS encapsulation
//     or a locally configured encapsulation is assumed" (§5.1.3, repeated in §6) — MPLS unless
//     the operator configured `vtep.default-encapsulation: vxlan`.
//   * VNI (RFC 8365 §5.1.3): the label fields carry the VNI, local (downstream assigned) or
//     global; type 2 Label1 and the type-3 PMSI label are the L2VNI, type 2 Label2 and the type-5
//     label the L3VNI (RFC 9135 §5.1, RFC 9136 §3.1). The ingress NVE must send with the VNI the
//     egress advertised. The Linux data plane programs FDB, flood and RMAC entries without
//     NDA_VNI (src/dataplane/linux/linux_entries.cpp), so the kernel sends with the local
//     device's VNI: a route whose VNI differs from the local VNI it would be imported into would
//     put the frames into another segment at the egress. Such routes are not imported into that
//     VRF (a downstream-assigned VNI needs per-entry VNIs in the data plane; not implemented).
//   * Type-5 overlay index and label (RFC 9136 §3.1, §3.2): evpnd implements the interface-less
//     model (§4.4.1: Router's MAC + non-zero L3VNI, forwarded to the BGP next hop). An overlay
//     index (ESI, Gateway IP, or a Router's MAC with label 0) means the route "cannot be used"
//     until it is recursively resolved (ESI via RT-1, GW IP via an RT-2 with that IP, MAC via an
//     RT-2 with that MAC), which evpnd does not do: such a route is not installed — never via its
//     BGP next hop, which is not where the prefix lives. Invalid routes are "treat-as-withdraw":
//     ESI and GW IP both non-zero (§3.2 SHOULD), label 0 without any overlay index (§3.1 MUST),
//     a broadcast/multicast (or zero) Router's MAC (§3.2 MUST). A leaf does that by not using
//     the route (the BGP layer still holds it; see docs/CONFORMANCE.md).
//   * Router's MAC of a type-2 MAC+IP route (RFC 9135 §8.1 with the RFC 9136 §3.2 validity rule):
//     a broadcast/multicast/zero MAC is never used as the inner destination of a host route.
// NOTE pure: no I/O; the caller counts and logs.
#pragma once

#include <optional>
#include <string>

#include "core/mac.hpp"
#include "core/types.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

// What to assume for a route without a BGP Encapsulation extended community (RFC 8365 §5.1.3).
enum class DefaultEncap : uint8_t { kMpls, kVxlan };

// Empty when the route may be sent to over VXLAN; otherwise why not ("encapsulation mpls",
// "no encapsulation community (MPLS assumed, RFC 8365 §5.1.3)").
std::string encapsulation_problem(const wire::PathAttributes& attrs, DefaultEncap dflt);

// The VNI a route carries for a MAC-VRF (type 2 Label1, type 3 PMSI label) or nullopt when it
// carries none we can read (type 3 without a PMSI Tunnel attribute: the local VNI is used).
std::optional<Vni> route_l2vni(const wire::EvpnRoute& r, const wire::PathAttributes& attrs);
// The VNI a route carries for an IP-VRF: type 2 Label2 (absent: nullopt), type 5 label.
std::optional<Vni> route_l3vni(const wire::EvpnRoute& r);

// A Router's MAC that can never be an inner destination MAC: multicast (which includes
// broadcast) or all-zero.
bool router_mac_invalid(const Mac& m);

enum class Type5Problem : uint8_t {
  kNone,
  kTreatAsWithdraw,   // invalid per RFC 9136 §3.1 / §3.2
  kOverlayIndex,      // needs recursive resolution through an overlay index (not implemented)
};
struct Type5Verdict {
  Type5Problem problem = Type5Problem::kNone;
  std::string why;  // empty for kNone
};
// RFC 9136 §3.1/§3.2 for a received RT-5 with Router's MAC `rmac` (nullopt: no community).
// kNone also covers "no Router's MAC, non-zero label" (overlay index "None"), which IpVrf
// rejects for its own reason (this VTEP routes symmetrically only).
Type5Verdict check_type5(const wire::IpPrefixRoute& r, const std::optional<Mac>& rmac);

}  // namespace evpnd::evpn

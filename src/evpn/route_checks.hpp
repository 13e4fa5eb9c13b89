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
// NOTE pure: no I/O; the caller counts and logs.
#pragma once

#include <optional>
#include <string>

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

}  // namespace evpnd::evpn

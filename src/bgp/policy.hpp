// The fixed BGP policy of an EVPN speaker: inbound loop checks and attribute normalisation,
// which peers may receive which paths (RFC 4456 §6 route reflection), and the outbound
// attribute rewrite per peer role (RFC 4271 §5.1, RFC 4456 §8, RFC 7432 §7 next hop).
//
// NOTE pure functions over values; called once per UPDATE (inbound) and once per distinct
// (attribute set, update group) pair (outbound, cached by the update group).
#pragma once

#include <cstdint>
#include <optional>

#include "bgp/attr_table.hpp"
#include "core/ip.hpp"
#include "core/types.hpp"

namespace evpnd::bgp {

enum class PeerRole : uint8_t {
  kLocal,       // locally originated routes
  kRrClient,    // iBGP route-reflector client
  kIbgp,        // iBGP non-client
  kEbgp,
};
const char* to_string(PeerRole r);  // "local", "rr-client", "ibgp", "ebgp"
inline bool is_ibgp(PeerRole r) { return r == PeerRole::kRrClient || r == PeerRole::kIbgp; }

struct SpeakerIdentity {
  Asn asn = 0;
  IpAddress router_id;
  IpAddress cluster_id;  // RFC 4456 §7: defaults to the router id
};

enum class InboundVerdict : uint8_t {
  kAccept,
  kOriginatorIsUs,   // RFC 4456 §8: ORIGINATOR_ID equals our router id
  kClusterLoop,      // RFC 4456 §8: our CLUSTER_ID is in CLUSTER_LIST
  kAsLoop,           // RFC 4271 §9.1.2: our AS in the AS_PATH (eBGP)
  kFirstAsMismatch,  // RFC 4271 §6.3: eBGP AS_PATH must start with the peer's AS
};
const char* to_string(InboundVerdict v);

// Checks a received path for loops; `peer_as` is the sender's AS.
InboundVerdict check_inbound(const wire::PathAttributes& a, PeerRole from, Asn peer_as, const SpeakerIdentity& me);

// Normalises received attributes in place: from eBGP, LOCAL_PREF is ignored (RFC 4271 §5.1.5)
// and the iBGP-only ORIGINATOR_ID / CLUSTER_LIST dropped (RFC 4456 §8: non-transitive).
void normalize_inbound(wire::PathAttributes& a, PeerRole from);

// RFC 4456 §6: may a path learned from a `from` peer be advertised to a `to` peer?
//   local / eBGP -> everyone; client -> clients, non-clients, eBGP;
//   non-client -> clients and eBGP only (never iBGP to iBGP without reflection).
bool may_advertise(PeerRole from, PeerRole to);

// The attributes sent to a `to` peer for a path from a `from` peer whose router id is
// `from_router_id`. EVPN next hops (the VTEP) are never changed (RFC 7432 §7; RFC 4456 §8).
PathInfo transform_outbound(const PathInfo& in, PeerRole from, const IpAddress& from_router_id, PeerRole to,
                            const SpeakerIdentity& me);

// The same for a unicast route of `family` (the RIB keeps its next hop in PathInfo::next_hop,
// never in the NEXT_HOP attribute; the encoder writes NEXT_HOP or MP_REACH_NLRI from it).
// RFC 4271 §5.1.3: to an eBGP peer the next hop is always `local`, the session's local address
// (next-hop-self: the peer reaches the prefix through us); to an iBGP peer the received next hop
// is kept, except for a locally originated route without one (unspecified), which gets `local`.
// nullopt when the next hop this needs is unknown or not of the prefix's family (no RFC 8950
// extended next hop is negotiated): the route is then not advertised on the session.
std::optional<PathInfo> transform_outbound_unicast(const PathInfo& in, PeerRole from, const IpAddress& from_router_id,
                                                   PeerRole to, const SpeakerIdentity& me,
                                                   const std::optional<IpAddress>& local, IpFamily family);

}  // namespace evpnd::bgp

// OPEN construction and capability negotiation (RFC 4271 §4.2/§6.2, RFC 5492, RFC 4760,
// RFC 6793 4-octet AS, RFC 2918 route refresh, RFC 4724 graceful restart, RFC 8654 extended
// message).
//
// NOTE pure: builds our OPEN from settings and checks a received OPEN against the peer's
// configuration; the result (Negotiated) parameterises the codec contexts and the RIB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/ip.hpp"
#include "core/types.hpp"
#include "wire/message.hpp"

namespace evpnd::bgp {

struct LocalSettings {  // what we advertise to one peer
  Asn asn = 0;
  IpAddress router_id;
  uint16_t hold_time = 90;
  std::vector<AfiSafi> families{kL2vpnEvpn};
  bool graceful_restart = true;
  uint16_t restart_time = 120;
  bool restarting = false;  // R bit: we restarted and kept forwarding state (helper-only: false)
  // RFC 4724 §3: list every family with the F bit set, so helpers retain our routes while we
  // restart (a leaf's kernel entries stay across a restart with vtep.on-stop keep; a route
  // reflector's forwarding state is its clients', see speaker_config()).
  bool preserve_forwarding = false;
  bool extended_message = true;
};

struct PeerExpectation {  // what we require of the peer
  Asn remote_as = 0;
  IpAddress local_router_id;  // to detect a peer using our own identifier (RFC 6286 §2.2)
};

// The session parameters both sides agreed on.
struct Negotiated {
  Asn peer_as = 0;
  IpAddress peer_router_id;
  uint16_t hold_time = 0;   // min(ours, theirs); 0 = no keepalives (RFC 4271 §4.2)
  uint16_t keepalive = 0;   // hold/3, or the configured value when smaller
  std::vector<AfiSafi> families;  // intersection
  bool four_octet_as = false;
  bool route_refresh = false;
  bool extended_message = false;
  bool graceful_restart = false;    // both advertised capability 64
  bool peer_restarting = false;     // the peer's R bit
  uint16_t peer_restart_time = 0;
  std::vector<AfiSafi> gr_families; // families listed in the peer's capability (retained on loss)
  std::vector<AfiSafi> gr_preserved; // ... with the F bit set (kept until End-of-RIB on return)
  bool has_family(AfiSafi f) const;
  wire::DecodeContext decode_context(bool ebgp) const;
  wire::EncodeContext encode_context() const;
};

struct OpenError {  // the NOTIFICATION to send for a bad OPEN
  uint8_t code = 2;
  uint8_t subcode = 0;
  Bytes data;
  std::string reason;
};

wire::Open build_open(const LocalSettings& local);

// Checks the peer's OPEN (RFC 4271 §6.2) and intersects capabilities. Errors:
//   2/1 version, 2/2 bad peer AS (also AS_TRANS without capability 65 when remote AS > 65535),
//   2/3 bad BGP identifier (0, or equal to ours for iBGP), 2/6 hold time 1 or 2,
//   2/7 unsupported capability (RFC 5492 §3) when no configured family is offered by the peer.
tl::expected<Negotiated, OpenError> negotiate(const LocalSettings& local, const PeerExpectation& expect,
                                              const wire::Open& peer_open,
                                              std::optional<uint16_t> configured_keepalive);

}  // namespace evpnd::bgp

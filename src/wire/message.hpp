// BGP messages (RFC 4271 §4) and their pure codec.
//
//   decode_message(bytes, ctx) -> Message or DecodeError        (one whole message, header included)
//   encode_message(Message, ctx, out)                           (appends one whole message)
//
// NOTE context: everything that changes the wire format after OPEN (4-octet AS, extended
// message, add-path) comes in through DecodeContext/EncodeContext; the codec never sees a peer.
// NOTE errors (RFC 7606): an UPDATE whose problems allow it keeps decoding; its `errors` list
// each problem with its action, and `treat_as_withdraw` tells the RIB to withdraw its NLRI.
// Only a kSessionReset error makes decode_message fail; its code/subcode/data are the
// NOTIFICATION to send (RFC 4271 §6: the data the RFC asks for, e.g. the erroneous Length or
// Type field, the offending attribute as flags, type, length and value).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/types.hpp"
#include "wire/attributes.hpp"
#include "wire/error.hpp"

namespace evpnd::wire {

inline constexpr size_t kHeaderSize = 19;
inline constexpr size_t kMaxMessageSize = 4096;
inline constexpr size_t kMaxExtendedMessageSize = 65535;  // RFC 8654

enum class MessageType : uint8_t { kOpen = 1, kUpdate = 2, kNotification = 3, kKeepalive = 4, kRouteRefresh = 5 };

struct AddPathEntry {
  AfiSafi afi_safi;
  uint8_t send_receive = 0;  // 1 receive, 2 send, 3 both (RFC 7911 §4)
  bool operator==(const AddPathEntry&) const = default;
};
struct GracefulRestart {  // RFC 4724 §3
  bool restart_state = false;   // R bit
  bool notification = false;    // N bit (RFC 8538)
  uint16_t restart_time = 0;    // 12 bits, seconds
  struct Family {
    AfiSafi afi_safi;
    bool forwarding_preserved = false;
    uint8_t reserved_flags = 0;  // the 7 reserved bits of the AFI flags octet (0x7F), as received
    bool operator==(const Family&) const = default;
  };
  std::vector<Family> families;
  uint8_t reserved_flags = 0;  // the 2 reserved Restart Flags bits (0x30 of the first octet)
  bool operator==(const GracefulRestart&) const = default;
};
struct RawCapability {
  uint8_t code = 0;
  Bytes value;
  bool operator==(const RawCapability&) const = default;
};

// Capabilities advertised in one OPEN. Encoding order follows the order of the fields below
// unless `order` (filled by the decoder) says otherwise, so decoded OPENs re-encode byte-exact.
struct Capabilities {
  std::vector<AfiSafi> multiprotocol;        // code 1
  bool route_refresh = false;                // code 2
  bool route_refresh_cisco = false;          // code 128 (pre-standard, FRR still sends it)
  bool enhanced_route_refresh = false;       // code 70
  bool extended_message = false;             // code 6
  std::optional<GracefulRestart> graceful_restart;  // code 64
  std::optional<Asn> four_octet_as;          // code 65
  std::vector<AddPathEntry> add_path;        // code 69
  std::optional<std::string> fqdn_hostname;  // code 73 (FRR): hostname
  std::optional<std::string> fqdn_domain;
  // Kept and re-encoded as received: capabilities with unknown codes, and the instances of a
  // single-valued capability that are not used. RFC 5492 §4 leaves repeats to each
  // capability's document: graceful restart uses the LAST instance (RFC 4724 §3 MUST), so the
  // earlier ones are kept here; route refresh, extended message, 4-octet AS and FQDN say
  // nothing, so their first instance is used and the later ones are kept here. Repeated
  // multiprotocol and add-path instances are merged into their lists.
  std::vector<RawCapability> unknown;
  bool operator==(const Capabilities&) const = default;
};

struct Open {
  uint8_t version = 4;
  uint16_t my_as = 0;  // AS_TRANS (23456) when the real AS > 65535
  uint16_t hold_time = 0;
  IpAddress bgp_id;    // IPv4
  Capabilities caps;
  // The wire layout of the optional parameters, recorded by the decoder for byte-exact
  // re-encoding: each entry is one capability code in wire order; a new optional parameter
  // (type 2) starts where `param_breaks` says. Empty -> one parameter per capability,
  // fields' order (what FRR does).
  // `param_breaks` holds, for each optional parameter, the index into `order` of its first
  // capability (so FRR's layout is 0, 1, 2, ...).
  std::vector<uint8_t> order;
  std::vector<uint16_t> param_breaks;
  // How many caps.add_path entries each add-path capability (code 69) held, in wire order;
  // filled only when the capability appeared more than once. Empty -> one capability for all.
  std::vector<uint8_t> add_path_sizes;
  // The reserved octet of each multiprotocol capability (RFC 4760 §8: "SHOULD be set to 0 by the
  // sender and ignored by the receiver"), parallel to caps.multiprotocol; filled only when one is
  // not zero. Missing entries are sent as zero.
  std::vector<uint8_t> mp_reserved;
  // RFC 9072 extended optional parameters length was used (also chosen by the encoder when the
  // parameters exceed 255 bytes).
  bool extended_params = false;
  bool operator==(const Open&) const = default;
  Asn asn() const { return caps.four_octet_as.value_or(my_as); }
};

struct Update {
  std::vector<IpPrefix> withdrawn;  // IPv4 unicast
  PathAttributes attrs;
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::vector<IpPrefix> nlri;  // IPv4 unicast
  // RFC 7606 outcome of decoding (empty when the UPDATE was clean).
  std::vector<DecodeError> errors;
  bool treat_as_withdraw = false;
  // Attribute types in wire order as decoded; encoders use it for byte-exact re-encoding
  // and otherwise follow FRR's order: MP_REACH, ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF,
  // ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST, MP_UNREACH,
  // EXT_COMMUNITIES, AS4_PATH, AS4_AGGREGATOR, PMSI_TUNNEL, LARGE_COMMUNITIES, unknown ones.
  // Present attributes missing from attr_order are appended in that order; entries of
  // attr_order whose attribute is absent are skipped. Discarded attributes are not listed.
  std::vector<uint8_t> attr_order;
  // The flags octet of each attr_order entry as received, its four unused low-order bits cleared
  // (RFC 4271 §4.3; parallel to attr_order). The encoder
  // takes the Extended Length and Partial bits from it; without it, Extended Length is used as
  // FRR does: always for MP_REACH, MP_UNREACH (not for an End-of-RIB), AS_PATH and AS4_PATH,
  // otherwise only when the value exceeds 255 bytes.
  std::vector<uint8_t> attr_flags;
  // RFC 7911 path identifiers, parallel to `withdrawn` / `nlri`; empty without add-path.
  std::vector<uint32_t> withdrawn_path_ids;
  std::vector<uint32_t> nlri_path_ids;

  bool is_end_of_rib() const;  // RFC 4724 §2
  bool operator==(const Update&) const = default;
};

struct Notification {
  uint8_t code = 0;
  uint8_t subcode = 0;
  Bytes data;
  // "Cease/Administrative Reset" (+ ": \"text\"" for an RFC 8203/9003 shutdown communication;
  // Cease/Hard Reset (RFC 8538) names the inner code/subcode: "Cease/Hard Reset (Cease/...)").
  std::string to_string() const;
  // The RFC 8203/9003 shutdown communication of Cease subcodes 2 and 4, when well formed.
  std::optional<std::string> shutdown_communication() const;
  bool operator==(const Notification&) const = default;
};

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

struct RouteRefresh {  // RFC 2918, RFC 7313 subtype
  AfiSafi afi_safi;
  uint8_t subtype = 0;  // 0 normal, 1 BoRR, 2 EoRR
  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

struct DecodeContext {
  bool four_octet_as = true;        // both sides advertised capability 65
  bool extended_message = false;    // RFC 8654 negotiated
  bool add_path_rx_evpn = false;    // path identifiers in received EVPN NLRI
  bool add_path_rx_ipv4 = false;
  bool add_path_rx_ipv6 = false;
  bool ebgp = false;                // RFC 7606 §7.x: some attributes are discarded from eBGP peers
  // An incorrect MP_REACH_NLRI / MP_UNREACH_NLRI whose NLRI field can still be walked (wrong
  // attribute flags, an EVPN route whose lengths are illegal for its type) is a session reset
  // (RFC 7606 §5.3, RFC 4760 §7; default). true: the lenient mode of the `nlri-error:
  // treat-as-withdraw` neighbour option (in the spirit of draft-decraene-idr-nlri-error-handling):
  // the UPDATE is treat-as-withdraw for the routes that could be parsed. NLRI that cannot be
  // located or framed reset the session in both modes.
  bool nlri_error_withdraw = false;
};
struct EncodeContext {
  bool four_octet_as = true;
  bool extended_message = false;
  bool add_path_tx_evpn = false;
  bool add_path_tx_ipv4 = false;
  bool add_path_tx_ipv6 = false;
};

// Reads the 19-byte header at the start of `bytes`: returns the total message length when the
// header is valid, or a session-reset error (bad marker, length, type). Used by stream framers.
tl::expected<uint16_t, DecodeError> peek_header(ByteView bytes, const DecodeContext& ctx);

// `bytes` must hold exactly one message (peek_header gives its length); anything else is a
// Bad Message Length error. Never reads outside `bytes`, never throws on malformed input.
tl::expected<Message, DecodeError> decode_message(ByteView bytes, const DecodeContext& ctx);
// Appends one message to `out`. The caller keeps UPDATEs within the negotiated maximum size
// (4096, or 65535 with RFC 8654); the encoder does not split. Capacity is reserved once, EVPN
// NLRI are written in place (no per-route allocation).
void encode_message(const Message& m, const EncodeContext& ctx, Bytes& out);
Bytes encode_message(const Message& m, const EncodeContext& ctx);

const char* message_type_name(MessageType t);  // "OPEN", "UPDATE", ...

}  // namespace evpnd::wire

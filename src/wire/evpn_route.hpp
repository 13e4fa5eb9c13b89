// EVPN NLRI (AFI 25 / SAFI 70) as values: RFC 7432 §7.1-7.4, RFC 9136 §3 (type 5).
//
// Labels: RFC 8365 §5.1.3 carries the 24-bit VNI unshifted in the 3-octet label field (FRR does
// so); `label1`/`label2` hold that raw 24-bit field value, i.e. the VNI. (An MPLS data plane
// would read the 20-bit label as field >> 4, RFC 7432 §7.2; nothing here shifts.)
// Unknown route types (6-11 and any other) are kept as opaque bytes and re-encoded as is; RFC
// 7606 §5.4 tells the *RIB* to discard routes of unrecognized types, the codec only carries them.
//
// NOTE legal lengths (the byte after the route type; anything else is malformed):
//   type 1: 25 | type 2: 33, 36, 37, 40, 49, 52 (MAC length must be 48, IP length 0/32/128,
//   optional second label) | type 3: 17, 29 | type 4: 23, 35 | type 5: 34 (IPv4), 58 (IPv6),
//   prefix length <= 32 / 128. Types 3/4 (and 2) must also agree with their IP Length byte.
// NOTE errors (RFC 7606): the NLRI field of MP_(UN)REACH_NLRI is a sequence of (type, length,
// value) and can be walked as long as every length fits inside the field.
//   * A length that runs past the end of the field (or a lone trailing byte) means the field
//     cannot be parsed: RFC 7606 §5.3 / §3 (j) -> "session reset" (UPDATE Message Error /
//     Optional Attribute Error, RFC 4760 §7). We never use "AFI/SAFI disable" (error.hpp).
//   * A route whose length fits but is inconsistent with its type (or whose inner MAC/IP/prefix
//     length is invalid) is reported as kTreatAsWithdraw, with the well-formed routes kept: the
//     field can still be walked. It makes the MP_REACH/MP_UNREACH attribute "incorrect" (RFC
//     7606 §5.3: an NLRI whose length is inconsistent with the AFI/SAFI), so the attribute
//     decoder (attribute_mp.cpp) turns it into a session reset (RFC 4760 §7), unless the
//     neighbour opted into `nlri-error: treat-as-withdraw` (DecodeContext::nlri_error_withdraw).
//   Errors carry code 3 / subcode 9 and attribute_type 0: the caller knows whether the field
//   came from MP_REACH (14) or MP_UNREACH (15) and fills attribute_type and data.
// NOTE type-5 host bits: RFC 9136 §3.1 does not allow two encodings of one prefix, and the RIB
// key must be canonical, so decoding clears bits beyond the prefix length (IpPrefix does). A
// route sent with host bits set therefore re-encodes without them; FRR masks its prefixes
// (apply_mask), so its routes re-encode byte-exact (tested against the captures).
// NOTE performance: decode and encode do not allocate for types 1-5 (only vector growth and
// UnknownEvpnRoute::value allocate). decode_evpn_nlri walks the field once to check framing and
// reserve the vector, then decodes in place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include <tl/expected.hpp>

#include "wire/error.hpp"

namespace evpnd::wire {

enum class EvpnRouteType : uint8_t {
  kEthernetAutoDiscovery = 1,
  kMacIpAdvertisement = 2,
  kInclusiveMulticast = 3,
  kEthernetSegment = 4,
  kIpPrefix = 5,
};

struct EthernetAutoDiscovery {  // type 1
  Rd rd;
  Esi esi;
  uint32_t ethernet_tag = 0;
  uint32_t label = 0;
  bool operator==(const EthernetAutoDiscovery&) const = default;
};

struct MacIpAdvertisement {  // type 2
  Rd rd;
  Esi esi;
  uint32_t ethernet_tag = 0;
  Mac mac;
  IpAddress ip;  // empty() when IP length is 0
  uint32_t label1 = 0;  // L2VNI
  std::optional<uint32_t> label2;  // L3VNI (symmetric IRB), when present on the wire
  bool operator==(const MacIpAdvertisement&) const = default;
};

struct InclusiveMulticast {  // type 3
  Rd rd;
  uint32_t ethernet_tag = 0;
  IpAddress originator;
  bool operator==(const InclusiveMulticast&) const = default;
};

struct EthernetSegment {  // type 4
  Rd rd;
  Esi esi;
  IpAddress originator;
  bool operator==(const EthernetSegment&) const = default;
};

struct IpPrefixRoute {  // type 5 (RFC 9136): IPv4 (length 34) or IPv6 (length 58)
  Rd rd;
  Esi esi;
  uint32_t ethernet_tag = 0;
  IpPrefix prefix;
  IpAddress gateway;  // same family as prefix; 0.0.0.0 / :: when unused
  uint32_t label = 0;  // L3VNI
  bool operator==(const IpPrefixRoute&) const = default;
};

struct UnknownEvpnRoute {
  uint8_t route_type = 0;
  Bytes value;  // the route's bytes after type and length
  bool operator==(const UnknownEvpnRoute&) const = default;
};

using EvpnRoute = std::variant<EthernetAutoDiscovery, MacIpAdvertisement, InclusiveMulticast,
                               EthernetSegment, IpPrefixRoute, UnknownEvpnRoute>;

uint8_t route_type(const EvpnRoute& r);
const Rd* route_rd(const EvpnRoute& r);  // nullptr for unknown types

// The RIB key of a route: the NLRI fields that identify it, without the fields that are
// attributes of the path (labels; ESI and gateway for types 2/5). RFC 7432 §7.2: the type-2
// key is RD, Ethernet Tag, MAC and IP; RFC 9136 §3.1: the type-5 key is RD, Ethernet Tag and prefix.
// Returned as bytes (type byte first) so it can be hashed and compared cheaply.
Bytes route_key(const EvpnRoute& r);

// The prefix as FRR 8.4 prints it (lib/prefix.c prefixevpn2str, the keys of
// `show bgp l2vpn evpn json` under each RD):
//   type 2 "[2]:[0]:[48]:[02:00:00:00:01:10]" or "...:[32]:[192.168.100.10]" (":[128]:[v6]")
//   type 3 "[3]:[0]:[32]:[10.255.0.1]"   type 4 "[4]:[<esi>]:[32]:[10.255.0.1]"
//   type 5 "[5]:[0]:[24]:[192.168.100.0]"
//   type 1 "[1]:[0]:[<esi>]" (FRR appends the originator IP and a fragment id it takes from the
//          next hop, which are not in the NLRI), unknown "[7]:[<hex of value>]".
std::string frr_prefix(const EvpnRoute& r);
// Human form: the RD, a space, then frr_prefix():
// "10.255.0.1:3 [2]:[0]:[48]:[02:00:00:00:01:10]:[32]:[192.168.100.10]" (unknown types: no RD).
std::string to_string(const EvpnRoute& r);

// Bytes encode_evpn_route() appends: 2 (type, length) + the route's value length.
size_t encoded_size(const EvpnRoute& r);

// Decodes one EVPN NLRI (type, length, value) from `in` (see NOTE errors above). A
// treat-as-withdraw error has consumed exactly the bad route, so the caller may go on with the
// next one; after a session-reset error the reader's position is unspecified.
tl::expected<EvpnRoute, DecodeError> decode_evpn_route(ByteReader& in);
// Encodes one EVPN NLRI (type, length, value). Labels are masked to 24 bits. Values that cannot
// be on the wire are encoded as the nearest legal form: an empty type-3/4 originator as
// 0.0.0.0, a type-5 gateway of the wrong family as the zero address of the prefix's family,
// an empty type-5 prefix as 0.0.0.0/0, an UnknownEvpnRoute value longer than 255 bytes cut.
void encode_evpn_route(ByteWriter& out, const EvpnRoute& r);
// Decodes a whole NLRI field (MP_REACH/MP_UNREACH), appending to `routes`.
//   * session reset (framing broken): returns the error; nothing is appended.
//   * treat-as-withdraw: every well-formed route is still appended (the caller must withdraw
//     them all, RFC 7606 §2); the first error is returned.
tl::expected<void, DecodeError> decode_evpn_nlri(ByteReader in, std::vector<EvpnRoute>& routes);

}  // namespace evpnd::wire

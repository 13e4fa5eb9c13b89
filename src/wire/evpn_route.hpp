// EVPN NLRI (AFI 25 / SAFI 70) as values: RFC 7432 §7.1-7.4, RFC 9136 §3 (type 5).
//
// Labels: RFC 8365 §5.1.3 carries the 24-bit VNI unshifted in the 3-octet label field (FRR does
// so); `label1`/`label2` hold that raw 24-bit field value, i.e. the VNI.
// Unknown route types (6-11 and any other) are kept as opaque bytes and re-encoded as is.
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

// Human form like FRR's: "[2]:[0]:[48]:[02:00:00:00:01:10]:[32]:[192.168.100.10]" prefixed by RD.
std::string to_string(const EvpnRoute& r);

// Decodes one EVPN NLRI (type, length, value) from `in`. Errors per RFC 7606 §5.4 / RFC 7432 §20:
// a bad length inside the NLRI makes the whole MP_REACH treat-as-withdraw... except that
// if the NLRI field cannot be parsed at all the session must be reset (§5.3).
tl::expected<EvpnRoute, DecodeError> decode_evpn_route(ByteReader& in);
// Encodes one EVPN NLRI (type, length, value).
void encode_evpn_route(ByteWriter& out, const EvpnRoute& r);
// Decodes a whole NLRI field (MP_REACH/MP_UNREACH). On error, `routes` holds what was decoded
// before the error.
tl::expected<void, DecodeError> decode_evpn_nlri(ByteReader in, std::vector<EvpnRoute>& routes);

}  // namespace evpnd::wire

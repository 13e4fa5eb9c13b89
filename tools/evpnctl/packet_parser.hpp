// Decapsulation of one captured frame down to its TCP segment: link layer (Ethernet with VLAN
// tags, Linux cooked SLL/SLL2, raw IP, BSD loopback/null), IPv4 (no fragments) or IPv6 (extension
// headers skipped), TCP.
//
// NOTE ownership: the returned payload is a view into the frame; keep the frame alive.
// NOTE errors: never reads past the captured bytes; anything that is not a whole, unfragmented
// TCP segment comes back as a SkipReason. A segment whose payload was cut by the capture's
// snap length is returned with the bytes that were captured and its length on the wire.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "core/ip.hpp"

namespace evpnctl {

// libpcap link types (DLT_* values as returned by pcap_datalink()).
inline constexpr int kLinkNull = 0;        // DLT_NULL: 4-byte AF in the capturing host's order
inline constexpr int kLinkEthernet = 1;    // DLT_EN10MB
inline constexpr int kLinkRaw = 12;        // DLT_RAW on Linux
inline constexpr int kLinkRawAlt = 14;     // DLT_RAW on OpenBSD
inline constexpr int kLinkLoop = 108;      // DLT_LOOP: 4-byte AF, network order
inline constexpr int kLinkLinuxSll = 113;  // DLT_LINUX_SLL
inline constexpr int kLinkIpv4 = 228;      // DLT_IPV4
inline constexpr int kLinkIpv6 = 229;      // DLT_IPV6
inline constexpr int kLinkLinuxSll2 = 276; // DLT_LINUX_SLL2

bool link_type_supported(int dlt);

struct Endpoint {
  evpnd::IpAddress addr;
  uint16_t port = 0;
  std::string to_string() const;  // "10.0.0.1:179", "[2001:db8::1]:179"
  auto operator<=>(const Endpoint&) const = default;
  bool operator==(const Endpoint&) const = default;
};

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
}  // namespace tcp_flag

struct TcpSegment {
  Endpoint src, dst;
  uint32_t seq = 0;
  uint8_t flags = 0;
  evpnd::ByteView payload;       // the captured payload bytes
  uint32_t payload_length = 0;   // the payload length on the wire (from the IP header)
  bool truncated() const { return payload.size() < payload_length; }
};

enum class SkipReason : uint8_t {
  kUnsupportedLink,  // link type or link-layer protocol we do not decode
  kNotIp,
  kNotTcp,
  kFragment,         // IPv4/IPv6 fragments are not reassembled
  kMalformed,        // header lengths that do not fit the frame
};
const char* to_string(SkipReason r);

tl::expected<TcpSegment, SkipReason> parse_tcp_segment(int dlt, evpnd::ByteView frame);

}  // namespace evpnctl

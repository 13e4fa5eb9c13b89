// Link, IP and TCP header walking for offline captures; see packet_parser.hpp.
#include "evpnctl/packet_parser.hpp"

namespace evpnctl {
namespace {

using evpnd::ByteReader;
using evpnd::ByteView;
using evpnd::IpAddress;

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthVlan = 0x8100;   // IEEE 802.1Q
constexpr uint16_t kEthQinQ = 0x88a8;   // IEEE 802.1ad
constexpr uint16_t kEthQinQOld = 0x9100;
constexpr uint8_t kProtoTcp = 6;

tl::unexpected<SkipReason> skip(SkipReason r) { return tl::unexpected(r); }

// `ip_payload` holds the captured part of an IP payload of `wire_length` bytes.
tl::expected<TcpSegment, SkipReason> parse_tcp(ByteView ip_payload, size_t wire_length,
                                               const IpAddress& src, const IpAddress& dst) {
  ByteReader r(ip_payload);
  auto sport = r.u16();
  auto dport = r.u16();
  auto seq = r.u32();
  auto ack = r.u32();
  auto off_flags = r.u16();
  if (!sport || !dport || !seq || !ack || !off_flags) return skip(SkipReason::kMalformed);
  (void)ack;
  const size_t header_len = size_t(*off_flags >> 12) * 4;  // RFC 9293 §3.1 data offset
  if (header_len < 20 || header_len > ip_payload.size() || header_len > wire_length) {
    return skip(SkipReason::kMalformed);
  }
  TcpSegment s;
  s.src = Endpoint{src, *sport};
  s.dst = Endpoint{dst, *dport};
  s.seq = *seq;
  s.flags = uint8_t(*off_flags & 0x3f);
  s.payload = ip_payload.subspan(header_len);
  s.payload_length = uint32_t(wire_length - header_len);
  return s;
}

tl::expected<TcpSegment, SkipReason> parse_ipv4(ByteView pkt) {
  if (pkt.size() < 20 || (pkt[0] >> 4) != 4) return skip(SkipReason::kMalformed);
  const size_t ihl = size_t(pkt[0] & 0x0f) * 4;
  const size_t total = size_t(pkt[2]) << 8 | pkt[3];
  if (ihl < 20 || total < ihl || pkt.size() < ihl) return skip(SkipReason::kMalformed);
  const uint16_t frag = uint16_t(pkt[6] << 8 | pkt[7]);
  if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) return skip(SkipReason::kFragment);  // MF or offset
  if (pkt[9] != kProtoTcp) return skip(SkipReason::kNotTcp);
  // The frame may be longer (Ethernet padding) or shorter (snap length) than the IP packet.
  const bool truncated = pkt.size() < total;
  const ByteView body = pkt.subspan(ihl, (truncated ? pkt.size() : total) - ihl);
  return parse_tcp(body, total - ihl, IpAddress::v4(pkt.data() + 12), IpAddress::v4(pkt.data() + 16));
}

// RFC 8200 §4: walk the extension header chain to the upper-layer header.
tl::expected<TcpSegment, SkipReason> parse_ipv6(ByteView pkt) {
  if (pkt.size() < 40 || (pkt[0] >> 4) != 6) return skip(SkipReason::kMalformed);
  const size_t payload_len = size_t(pkt[4]) << 8 | pkt[5];
  uint8_t next = pkt[6];
  const bool truncated = pkt.size() < 40 + payload_len;
  ByteView rest = pkt.subspan(40, truncated ? pkt.size() - 40 : payload_len);
  size_t wire_rest = payload_len;  // bytes of `rest` on the wire
  for (int hops = 0; hops < 16; ++hops) {
    switch (next) {
      case kProtoTcp:
        return parse_tcp(rest, wire_rest, IpAddress::v6(pkt.data() + 8), IpAddress::v6(pkt.data() + 24));
      case 0:    // hop-by-hop options
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140: {  // shim6
        if (rest.size() < 8) return skip(SkipReason::kMalformed);
        const size_t len = (size_t(rest[1]) + 1) * 8;
        if (rest.size() < len) return skip(SkipReason::kMalformed);
        if (wire_rest < len) return skip(SkipReason::kMalformed);
        next = rest[0];
        rest = rest.subspan(len);
        wire_rest -= len;
        break;
      }
      case 44: {  // fragment: only an atomic fragment (offset 0, M clear) carries a whole packet
        if (rest.size() < 8) return skip(SkipReason::kMalformed);
        const uint16_t off_m = uint16_t(rest[2] << 8 | rest[3]);
        if ((off_m & 0xfff9) != 0) return skip(SkipReason::kFragment);
        if (wire_rest < 8) return skip(SkipReason::kMalformed);
        next = rest[0];
        rest = rest.subspan(8);
        wire_rest -= 8;
        break;
      }
      case 51: {  // AH (RFC 4302 §2.2: length in 4-octet units minus 2)
        if (rest.size() < 8) return skip(SkipReason::kMalformed);
        const size_t len = (size_t(rest[1]) + 2) * 4;
        if (rest.size() < len) return skip(SkipReason::kMalformed);
        if (wire_rest < len) return skip(SkipReason::kMalformed);
        next = rest[0];
        rest = rest.subspan(len);
        wire_rest -= len;
        break;
      }
      default:  // ESP (50), no next header (59), UDP, ICMPv6, ...
        return skip(SkipReason::kNotTcp);
    }
  }
  return skip(SkipReason::kMalformed);
}

tl::expected<TcpSegment, SkipReason> parse_by_ethertype(uint16_t type, ByteView pkt) {
  if (type == kEthIpv4) return parse_ipv4(pkt);
  if (type == kEthIpv6) return parse_ipv6(pkt);
  return skip(SkipReason::kNotIp);
}

tl::expected<TcpSegment, SkipReason> parse_by_version(ByteView pkt) {
  if (pkt.empty()) return skip(SkipReason::kMalformed);
  if ((pkt[0] >> 4) == 4) return parse_ipv4(pkt);
  if ((pkt[0] >> 4) == 6) return parse_ipv6(pkt);
  return skip(SkipReason::kNotIp);
}

tl::expected<TcpSegment, SkipReason> parse_ethernet(ByteView frame) {
  ByteReader r(frame);
  if (!r.skip(12)) return skip(SkipReason::kMalformed);
  auto type = r.u16();
  // Up to two VLAN tags (802.1Q, QinQ).
  for (int tags = 0; type && (*type == kEthVlan || *type == kEthQinQ || *type == kEthQinQOld) && tags < 2; ++tags) {
    if (!r.skip(2)) return skip(SkipReason::kMalformed);
    type = r.u16();
  }
  if (!type) return skip(SkipReason::kMalformed);
  return parse_by_ethertype(*type, r.rest());
}

// DLT_NULL / DLT_LOOP: a 4-byte address family. AF_INET is 2 everywhere; AF_INET6 is 10 (Linux),
// 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). The byte order depends on the capturing host,
// so accept both: the values are small.
tl::expected<TcpSegment, SkipReason> parse_null(ByteView frame) {
  if (frame.size() < 4) return skip(SkipReason::kMalformed);
  const uint32_t be = uint32_t(frame[0]) << 24 | uint32_t(frame[1]) << 16 | uint32_t(frame[2]) << 8 | frame[3];
  const uint32_t le = uint32_t(frame[3]) << 24 | uint32_t(frame[2]) << 16 | uint32_t(frame[1]) << 8 | frame[0];
  const uint32_t af = be < 256 ? be : le;
  const ByteView pkt = frame.subspan(4);
  if (af == 2) return parse_ipv4(pkt);
  if (af == 10 || af == 24 || af == 28 || af == 30) return parse_ipv6(pkt);
  return skip(SkipReason::kNotIp);
}

}  // namespace

bool link_type_supported(int dlt) {
  switch (dlt) {
    case kLinkNull: case kLinkEthernet: case kLinkRaw: case kLinkRawAlt: case kLinkLoop:
    case kLinkLinuxSll: case kLinkIpv4: case kLinkIpv6: case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

std::string Endpoint::to_string() const {
  // Built with append(): GCC 12 at -O3 reports a false -Wrestrict on "[" + s + "]:".
  std::string out;
  out.reserve(48);
  if (addr.is_v6()) out.append(1, '[');
  out.append(addr.to_string());
  if (addr.is_v6()) out.append(1, ']');
  out.append(1, ':');
  out.append(std::to_string(port));
  return out;
}

const char* to_string(SkipReason r) {
  switch (r) {
    case SkipReason::kUnsupportedLink: return "unsupported link type";
    case SkipReason::kNotIp: return "not IP";
    case SkipReason::kNotTcp: return "not TCP";
    case SkipReason::kFragment: return "IP fragment";
    case SkipReason::kMalformed: return "malformed headers";
  }
  return "?";
}

tl::expected<TcpSegment, SkipReason> parse_tcp_segment(int dlt, ByteView frame) {
  switch (dlt) {
    case kLinkEthernet:
      return parse_ethernet(frame);
    case kLinkRaw:
    case kLinkRawAlt:
      return parse_by_version(frame);
    case kLinkIpv4:
      return parse_ipv4(frame);
    case kLinkIpv6:
      return parse_ipv6(frame);
    case kLinkNull:
    case kLinkLoop:
      return parse_null(frame);
    case kLinkLinuxSll:  // 16 bytes; protocol (ethertype) in the last 2
      if (frame.size() < 16) return skip(SkipReason::kMalformed);
      return parse_by_ethertype(uint16_t(frame[14] << 8 | frame[15]), frame.subspan(16));
    case kLinkLinuxSll2:  // 20 bytes; protocol first
      if (frame.size() < 20) return skip(SkipReason::kMalformed);
      return parse_by_ethertype(uint16_t(frame[0] << 8 | frame[1]), frame.subspan(20));
    default:
      return skip(SkipReason::kUnsupportedLink);
  }
}

}  // namespace evpnctl

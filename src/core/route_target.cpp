#include "core/route_target.hpp"

#include <charconv>
#include <cstring>

#include "core/bytes.hpp"

namespace evpnd {

RouteTarget::RouteTarget(const uint8_t* b8) { std::memcpy(bytes_.data(), b8, 8); }

RouteTarget RouteTarget::as2(uint16_t asn, uint32_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u8(0x00);
  w.u8(0x02);
  w.u16(asn);
  w.u32(value);
  return RouteTarget(b.data());
}

RouteTarget RouteTarget::ipv4(IpAddress addr, uint16_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u8(0x01);
  w.u8(0x02);
  w.bytes(addr.data(), 4);
  w.u16(value);
  return RouteTarget(b.data());
}

RouteTarget RouteTarget::as4(uint32_t asn, uint16_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u8(0x02);
  w.u8(0x02);
  w.u32(asn);
  w.u16(value);
  return RouteTarget(b.data());
}

namespace {
template <typename T>
std::optional<T> parse_uint(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<RouteTarget> RouteTarget::parse(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto admin = text.substr(0, colon);
  auto assigned = text.substr(colon + 1);
  if (admin.find('.') != std::string_view::npos) {
    auto ip = IpAddress::parse(admin);
    auto v = parse_uint<uint16_t>(assigned);
    if (!ip || !ip->is_v4() || !v) return std::nullopt;
    return ipv4(*ip, *v);
  }
  bool force4 = !admin.empty() && (admin.back() == 'L' || admin.back() == 'l');
  if (force4) admin.remove_suffix(1);
  auto asn = parse_uint<uint32_t>(admin);
  if (!asn) return std::nullopt;
  if (!force4 && *asn <= 0xFFFF) {
    auto v = parse_uint<uint32_t>(assigned);
    if (!v) return std::nullopt;
    return as2(uint16_t(*asn), *v);
  }
  auto v = parse_uint<uint16_t>(assigned);
  if (!v) return std::nullopt;
  return as4(*asn, *v);
}

std::string RouteTarget::to_string() const {
  ByteReader r(bytes_.data() + 2, 6);
  switch (bytes_[0] & 0x3F) {  // ignore the IANA-authority/transitive bits
    case 0x00: {
      uint16_t a = *r.u16();
      return std::to_string(a) + ":" + std::to_string(*r.u32());
    }
    case 0x01: {
      auto ip = IpAddress::v4(bytes_.data() + 2);
      r.skip(4);
      return ip.to_string() + ":" + std::to_string(*r.u16());
    }
    case 0x02: {
      uint32_t a = *r.u32();
      return std::to_string(a) + ":" + std::to_string(*r.u16());
    }
    default:
      return "type" + std::to_string(bytes_[0]) + ":" + to_hex(ByteView(bytes_.data() + 2, 6));
  }
}

}  // namespace evpnd

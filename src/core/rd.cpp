#include "core/rd.hpp"

#include <charconv>
#include <cstring>

#include "core/bytes.hpp"

namespace evpnd {

Rd::Rd(const uint8_t* b8) { std::memcpy(bytes_.data(), b8, 8); }

Rd Rd::type0(uint16_t asn, uint32_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u16(0);
  w.u16(asn);
  w.u32(value);
  return Rd(b.data());
}

Rd Rd::type1(IpAddress v4, uint16_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u16(1);
  w.bytes(v4.data(), 4);
  w.u16(value);
  return Rd(b.data());
}

Rd Rd::type2(uint32_t asn, uint16_t value) {
  Bytes b;
  ByteWriter w(b);
  w.u16(2);
  w.u32(asn);
  w.u16(value);
  return Rd(b.data());
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

std::optional<Rd> Rd::parse(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto admin = text.substr(0, colon);
  auto assigned = text.substr(colon + 1);
  if (admin.find('.') != std::string_view::npos) {
    auto ip = IpAddress::parse(admin);
    auto v = parse_uint<uint16_t>(assigned);
    if (!ip || !ip->is_v4() || !v) return std::nullopt;
    return type1(*ip, *v);
  }
  auto asn = parse_uint<uint32_t>(admin);
  if (!asn) return std::nullopt;
  if (*asn <= 0xFFFF) {
    auto v = parse_uint<uint32_t>(assigned);
    if (!v) return std::nullopt;
    return type0(uint16_t(*asn), *v);
  }
  auto v = parse_uint<uint16_t>(assigned);
  if (!v) return std::nullopt;
  return type2(*asn, *v);
}

std::string Rd::to_string() const {
  ByteReader r(bytes_.data(), 8);
  uint16_t t = *r.u16();
  switch (t) {
    case 0: {
      uint16_t a = *r.u16();
      uint32_t v = *r.u32();
      return std::to_string(a) + ":" + std::to_string(v);
    }
    case 1: {
      auto ip = IpAddress::v4(bytes_.data() + 2);
      r.skip(4);
      return ip.to_string() + ":" + std::to_string(*r.u16());
    }
    case 2: {
      uint32_t a = *r.u32();
      return std::to_string(a) + ":" + std::to_string(*r.u16());
    }
    default:
      return "type" + std::to_string(t) + ":" + to_hex(ByteView(bytes_.data() + 2, 6));
  }
}

}  // namespace evpnd

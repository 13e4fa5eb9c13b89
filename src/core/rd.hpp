// Route Distinguisher (RFC 4364 §4.2): type 0 (2-byte ASN:4-byte), 1 (IPv4:2-byte),
// 2 (4-byte ASN:2-byte). Other types are kept as their 8 raw bytes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip.hpp"

namespace evpnd {

class Rd {
 public:
  constexpr Rd() = default;
  explicit Rd(const uint8_t* b8);
  static Rd type0(uint16_t asn, uint32_t value);
  static Rd type1(IpAddress v4, uint16_t value);
  static Rd type2(uint32_t asn, uint16_t value);
  // "65000:100" (type 0, or type 2 when the ASN > 65535), "10.0.0.1:2" (type 1).
  static std::optional<Rd> parse(std::string_view text);

  uint16_t type() const { return uint16_t(bytes_[0] << 8 | bytes_[1]); }
  const uint8_t* data() const { return bytes_.data(); }
  std::string to_string() const;  // unknown types: "type<N>:<hex>"

  auto operator<=>(const Rd&) const = default;
  bool operator==(const Rd&) const = default;

 private:
  std::array<uint8_t, 8> bytes_{};
};

}  // namespace evpnd

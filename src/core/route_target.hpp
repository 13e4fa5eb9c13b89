// Route Target extended community value (RFC 4360 §4, RFC 5668): transitive type
// 0x00 (2-byte AS:4-byte), 0x01 (IPv4:2-byte), 0x02 (4-byte AS:2-byte), sub-type 0x02.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip.hpp"

namespace evpnd {

class RouteTarget {
 public:
  constexpr RouteTarget() = default;
  explicit RouteTarget(const uint8_t* b8);  // the full 8-byte extended community
  static RouteTarget as2(uint16_t asn, uint32_t value);
  static RouteTarget ipv4(IpAddress addr, uint16_t value);
  static RouteTarget as4(uint32_t asn, uint16_t value);
  // "65000:100" (AS2 form, AS4 form if asn > 65535), "10.0.0.1:5", "65000L:100" forces AS4.
  static std::optional<RouteTarget> parse(std::string_view text);

  uint8_t type() const { return bytes_[0]; }
  const uint8_t* data() const { return bytes_.data(); }  // 8 bytes, ready for the wire
  std::string to_string() const;                         // "65000:100"

  auto operator<=>(const RouteTarget&) const = default;
  bool operator==(const RouteTarget&) const = default;

 private:
  std::array<uint8_t, 8> bytes_{};
};

}  // namespace evpnd

// Ethernet Segment Identifier (RFC 7432 §5): 10 bytes, first byte is the ESI type (0-5).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace evpnd {

class Esi {
 public:
  constexpr Esi() = default;
  explicit Esi(const uint8_t* b10);
  static std::optional<Esi> parse(std::string_view text);  // "00:11:..:99" (10 bytes)

  uint8_t type() const { return bytes_[0]; }
  bool is_zero() const;
  const uint8_t* data() const { return bytes_.data(); }
  std::string to_string() const;  // "00:00:00:00:00:00:00:00:00:00"

  auto operator<=>(const Esi&) const = default;
  bool operator==(const Esi&) const = default;

 private:
  std::array<uint8_t, 10> bytes_{};
};

}  // namespace evpnd

// 48-bit Ethernet MAC address.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace evpnd {

class Mac {
 public:
  constexpr Mac() = default;
  explicit Mac(const uint8_t* b6);
  static std::optional<Mac> parse(std::string_view text);  // "02:00:00:00:01:10"

  const uint8_t* data() const { return bytes_.data(); }
  bool is_zero() const;
  bool is_multicast() const { return bytes_[0] & 1; }
  uint64_t as_u64() const;
  std::string to_string() const;

  auto operator<=>(const Mac&) const = default;
  bool operator==(const Mac&) const = default;

 private:
  std::array<uint8_t, 6> bytes_{};
};

}  // namespace evpnd

template <>
struct std::hash<evpnd::Mac> {
  size_t operator()(const evpnd::Mac& m) const noexcept { return std::hash<uint64_t>{}(m.as_u64()); }
};

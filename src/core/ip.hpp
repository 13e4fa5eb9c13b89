// IPv4/IPv6 addresses and prefixes as plain values (16 bytes + family), cheap to copy and hash.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace evpnd {

enum class IpFamily : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

class IpAddress {
 public:
  constexpr IpAddress() = default;
  static IpAddress v4(uint32_t host_order);
  static IpAddress v4(const uint8_t* b4);
  static IpAddress v6(const uint8_t* b16);
  static std::optional<IpAddress> parse(std::string_view text);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::kV4; }
  bool is_v6() const { return family_ == IpFamily::kV6; }
  bool empty() const { return family_ == IpFamily::kNone; }
  bool is_unspecified() const;  // 0.0.0.0 / ::  (or no family)
  // Wire length: 4, 16 or 0.
  size_t size() const { return is_v4() ? 4 : is_v6() ? 16 : 0; }
  const uint8_t* data() const { return bytes_.data(); }  // first size() bytes are valid
  uint32_t v4_host_order() const;
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;
  bool operator==(const IpAddress&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
  IpFamily family_ = IpFamily::kNone;
};

class IpPrefix {
 public:
  constexpr IpPrefix() = default;
  IpPrefix(IpAddress addr, uint8_t len);  // host bits are cleared
  static std::optional<IpPrefix> parse(std::string_view text);  // "10.0.0.0/8", "2001:db8::/32"

  const IpAddress& address() const { return addr_; }
  uint8_t length() const { return len_; }
  IpFamily family() const { return addr_.family(); }
  bool contains(const IpAddress& a) const;
  std::string to_string() const;

  auto operator<=>(const IpPrefix&) const = default;
  bool operator==(const IpPrefix&) const = default;

 private:
  IpAddress addr_{};
  uint8_t len_ = 0;
};

}  // namespace evpnd

template <>
struct std::hash<evpnd::IpAddress> {
  size_t operator()(const evpnd::IpAddress& a) const noexcept;
};
template <>
struct std::hash<evpnd::IpPrefix> {
  size_t operator()(const evpnd::IpPrefix& p) const noexcept;
};

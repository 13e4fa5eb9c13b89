// Small vocabulary types shared by every layer.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace evpnd {

using Asn = uint32_t;
using Vni = uint32_t;  // 24-bit; values above 0xFFFFFF are invalid
inline constexpr Vni kMaxVni = 0xFFFFFF;

enum class Afi : uint16_t { kIpv4 = 1, kIpv6 = 2, kL2vpn = 25 };
enum class Safi : uint8_t { kUnicast = 1, kEvpn = 70 };

struct AfiSafi {
  Afi afi = Afi::kL2vpn;
  Safi safi = Safi::kEvpn;
  auto operator<=>(const AfiSafi&) const = default;
  bool operator==(const AfiSafi&) const = default;
};
inline constexpr AfiSafi kL2vpnEvpn{Afi::kL2vpn, Safi::kEvpn};
inline constexpr AfiSafi kIpv4Unicast{Afi::kIpv4, Safi::kUnicast};
inline constexpr AfiSafi kIpv6Unicast{Afi::kIpv6, Safi::kUnicast};

// "l2vpn-evpn", "ipv4-unicast", "ipv6-unicast", or "afi<N>-safi<M>".
std::string to_string(AfiSafi as);

}  // namespace evpnd

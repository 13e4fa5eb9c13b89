// Ethernet Segment Identifier (RFC 7432 §5): 10 bytes, first byte is the ESI type (0-5), then a
// 9-octet value whose layout depends on the type:
//   0x00 operator-configured       9 octets as given
//   0x01 IEEE 802.1AX LACP         CE LACP system MAC (6) | CE LACP port key (2) | 0x00
//   0x02 bridged LAN (MSTP)        root bridge MAC (6) | root bridge priority (2) | 0x00
//   0x03 MAC-based                 system MAC (6) | local discriminator (3)
//   0x04 router-ID                 router ID (4) | local discriminator (4) | 0x00
//   0x05 AS-based                  ASN (4) | local discriminator (4) | 0x00
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/mac.hpp"

namespace evpnd {

class Esi {
 public:
  constexpr Esi() = default;
  explicit Esi(const uint8_t* b10);
  static std::optional<Esi> parse(std::string_view text);  // "00:11:..:99" (10 bytes)
  // Builders for the types evpnd configures (RFC 7432 §5).
  static Esi type0(const std::array<uint8_t, 9>& value);
  static Esi type1(const Mac& lacp_system_mac, uint16_t port_key);
  // Type 3; nullopt when the discriminator does not fit its 3 octets. FRR's `evpn mh es-sys-mac
  // 44:38:39:ff:ff:02` + `es-id 2` is type3(that MAC, 2) = 03:44:38:39:ff:ff:02:00:00:02.
  static std::optional<Esi> type3(const Mac& system_mac, uint32_t local_discriminator);

  uint8_t type() const { return bytes_[0]; }
  bool is_zero() const;
  bool is_max() const;  // all 0xFF: the reserved MAX-ESI (RFC 7432 §5)
  // The ES-Import Route Target derived from the ESI (RFC 7432 §7.6): "derived automatically for
  // the ESI Types 1, 2, and 3, by encoding the high-order 6-octet portion of the 9-octet ESI
  // Value, which corresponds to a MAC address". nullopt for the other types (no MAC to derive
  // from: the ES-Import must then be configured). FRR 8.4 derives octets 1-6 for every type.
  std::optional<Mac> es_import_auto() const;
  const uint8_t* data() const { return bytes_.data(); }
  std::string to_string() const;  // "00:00:00:00:00:00:00:00:00:00"

  auto operator<=>(const Esi&) const = default;
  bool operator==(const Esi&) const = default;

 private:
  std::array<uint8_t, 10> bytes_{};
};

}  // namespace evpnd

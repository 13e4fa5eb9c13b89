// VXLAN header (RFC 7348 §5): flags (I bit 0x08), 24 reserved bits, VNI (24), 8 reserved.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/types.hpp"

namespace evpnd::wire {

inline constexpr uint16_t kVxlanUdpPort = 4789;
inline constexpr size_t kVxlanHeaderSize = 8;

struct VxlanHeader {
  uint8_t flags = 0x08;
  Vni vni = 0;
  bool operator==(const VxlanHeader&) const = default;
};

// nullopt when shorter than 8 bytes or the I flag is clear (RFC 7348: "MUST be set to 1 for a valid VNI").
std::optional<VxlanHeader> decode_vxlan(ByteView bytes);
void encode_vxlan(const VxlanHeader& h, ByteWriter& out);

}  // namespace evpnd::wire

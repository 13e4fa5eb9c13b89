// VXLAN header (RFC 7348 §5):
//   byte 0     flags: R R R R I R R R (I = 0x08, "MUST be set to 1 for a valid VNI")
//   bytes 1-3  reserved (24 bits)
//   bytes 4-6  VNI (24 bits)
//   byte 7     reserved (8 bits)
// Reserved fields "MUST be set to zero on transmission and ignored on receipt": the decoder
// ignores them (so GBP's Group Policy ID in bytes 2-3 does not make a frame invalid) but keeps
// the whole flags byte; the encoder always sets I and writes zeros in the reserved fields.
#include "wire/vxlan.hpp"

namespace evpnd::wire {

namespace {
constexpr uint8_t kFlagI = 0x08;
}

std::optional<VxlanHeader> decode_vxlan(ByteView bytes) {
  if (bytes.size() < kVxlanHeaderSize) return std::nullopt;
  if (!(bytes[0] & kFlagI)) return std::nullopt;
  VxlanHeader h;
  h.flags = bytes[0];
  h.vni = (uint32_t{bytes[4]} << 16) | (uint32_t{bytes[5]} << 8) | bytes[6];
  return h;
}

// The VNI is masked to its 24 bits (values above kMaxVni cannot be represented).
void encode_vxlan(const VxlanHeader& h, ByteWriter& out) {
  const uint8_t b[kVxlanHeaderSize] = {uint8_t(h.flags | kFlagI), 0, 0, 0,
                                       uint8_t(h.vni >> 16), uint8_t(h.vni >> 8), uint8_t(h.vni), 0};
  out.bytes(b, sizeof b);
}

}  // namespace evpnd::wire

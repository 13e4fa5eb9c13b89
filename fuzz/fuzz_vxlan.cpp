// Fuzzes the VXLAN header codec (RFC 7348 §5): decode must not read past the buffer, a decoded
// header re-encodes to the input's flags and VNI bytes with zero reserved fields, and decodes
// back to itself.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "wire/vxlan.hpp"

using namespace evpnd;
using namespace evpnd::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto h = decode_vxlan(ByteView(data, size));
  FUZZ_CHECK(bool(h) == (size >= kVxlanHeaderSize && (data[0] & 0x08)));
  if (!h) return 0;
  FUZZ_CHECK(h->vni <= kMaxVni);
  Bytes out;
  ByteWriter w(out);
  encode_vxlan(*h, w);
  FUZZ_CHECK(out.size() == kVxlanHeaderSize);
  FUZZ_CHECK(out[0] == data[0] && out[4] == data[4] && out[5] == data[5] && out[6] == data[6]);
  FUZZ_CHECK(out[1] == 0 && out[2] == 0 && out[3] == 0 && out[7] == 0);
  auto again = decode_vxlan(out);
  FUZZ_CHECK(again && *again == *h);
  return 0;
}

// Fuzzes the whole BGP message codec. The first input byte picks the session context (one bit
// per DecodeContext flag), the rest is one message, header included.
// Properties:
//   * decode_message never crashes or reads out of bounds (ASan/UBSan);
//   * a decoded message re-encodes (same capabilities on the encode side) to bytes that decode
//     without error to an equal message, when the first decode was clean (no RFC 7606 errors);
//   * when the first decode kept going past RFC 7606 errors, the re-encoding (which no longer
//     carries the discarded parts) must still decode, and from there encode/decode is a fixed
//     point (equal messages, equal bytes).
#include <cstddef>
#include <cstdint>
#include <variant>

#include "fuzz_check.hpp"
#include "wire/message.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

bool has_errors(const Message& m) {
  const auto* u = std::get_if<Update>(&m);
  return u && (!u->errors.empty() || u->treat_as_withdraw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  DecodeContext dctx;
  dctx.four_octet_as = !(sel & 0x01);  // the common case (bit clear) is 4-octet AS
  dctx.extended_message = sel & 0x02;
  dctx.add_path_rx_evpn = sel & 0x04;
  dctx.add_path_rx_ipv4 = sel & 0x08;
  dctx.add_path_rx_ipv6 = sel & 0x10;
  dctx.ebgp = sel & 0x20;
  EncodeContext ectx;
  ectx.four_octet_as = dctx.four_octet_as;
  ectx.extended_message = dctx.extended_message;
  ectx.add_path_tx_evpn = dctx.add_path_rx_evpn;
  ectx.add_path_tx_ipv4 = dctx.add_path_rx_ipv4;
  ectx.add_path_tx_ipv6 = dctx.add_path_rx_ipv6;

  const ByteView bytes(data + 1, size - 1);
  (void)peek_header(bytes, dctx);
  auto m1 = decode_message(bytes, dctx);
  if (!m1) {
    FUZZ_CHECK(m1.error().action == ErrorAction::kSessionReset);
    return 0;
  }
  (void)message_type_name(static_cast<MessageType>(m1->index() + 1));

  const Bytes b1 = encode_message(*m1, ectx);
  auto m2 = decode_message(b1, dctx);
  FUZZ_CHECK(bool(m2));
  if (!has_errors(*m1)) {
    FUZZ_CHECK(*m2 == *m1);
    return 0;
  }
  const Bytes b2 = encode_message(*m2, ectx);
  auto m3 = decode_message(b2, dctx);
  FUZZ_CHECK(bool(m3));
  FUZZ_CHECK(*m3 == *m2);
  FUZZ_CHECK(b2 == encode_message(*m3, ectx));
  return 0;
}

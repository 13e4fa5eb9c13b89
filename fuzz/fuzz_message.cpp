// Fuzzes the whole BGP message codec. The first input byte picks the session context (one bit
// per DecodeContext flag), the rest is one message, header included.
// Properties:
//   * decode_message never crashes or reads out of bounds (ASan/UBSan);
//   * a decoded message re-encodes (same capabilities on the encode side) to bytes that decode
//     without error to an equal message, when the first decode was clean (no RFC 7606 errors);
//   * when the first decode kept going past RFC 7606 errors, the re-encoding (which no longer
//     carries the discarded parts) must still decode;
//   * always: encode(decode(encode(m))) == encode(m) byte for byte;
//   * OPEN, NOTIFICATION, KEEPALIVE and a 23-octet ROUTE-REFRESH re-encode to the input byte for
//     byte (OPEN records its layout, repeated capabilities and reserved bits for this). UPDATE
//     re-encoding may normalise; ROUTE-REFRESH drops ORF entries / trailing octets (RFC 5291 is
//     not supported).
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "wire/message.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

bool has_errors(const Message& m) {
  const auto* u = std::get_if<Update>(&m);
  return u && (!u->errors.empty() || u->treat_as_withdraw);
}

// Whole-message equality up to the one change re-encoding makes on purpose: an unrecognized
// optional transitive attribute is passed on with Partial set (RFC 4271 §5), in its
// RawAttribute and in its attr_flags entry. (The unused low-order flag bits are cleared by the
// decoder itself, RFC 4271 §4.3; prefix host bits are cleared by IpPrefix, so neither shows in
// the model.)
Message normalized(Message m) {
  if (auto* u = std::get_if<Update>(&m)) {
    for (auto& raw : u->attrs.unknown) raw.flags |= attr_flag::kPartial;
    for (size_t i = 0; i < u->attr_order.size() && i < u->attr_flags.size(); ++i) {
      if (canonical_attr_flags(u->attr_order[i]) == 0) u->attr_flags[i] |= attr_flag::kPartial;
    }
  }
  return m;
}
bool same(const Message& a, const Message& b) { return normalized(a) == normalized(b); }

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
  dctx.nlri_error_withdraw = sel & 0x40;
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
  const bool exact = !std::holds_alternative<Update>(*m1) &&
                     !(std::holds_alternative<RouteRefresh>(*m1) && bytes.size() != 23);
  if (exact) FUZZ_CHECK(b1 == Bytes(bytes.begin(), bytes.end()));
  auto m2 = decode_message(b1, dctx);
  FUZZ_CHECK(bool(m2));
  FUZZ_CHECK(encode_message(*m2, ectx) == b1);  // encode(decode(encode(x))) == encode(x)
  if (!has_errors(*m1)) FUZZ_CHECK(same(*m2, *m1));
  return 0;
}

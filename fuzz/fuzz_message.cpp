// Fuzzes the whole BGP message codec. The first input byte picks the session context (one bit
// per DecodeContext flag), the rest is one message, header included.
// Properties:
//   * decode_message never crashes or reads out of bounds (ASan/UBSan);
//   * a decoded message re-encodes (same capabilities on the encode side) to bytes that decode
//     without error to an equal message, when the first decode was clean (no RFC 7606 errors);
//   * when the first decode kept going past RFC 7606 errors, the re-encoding (which no longer
//     carries the discarded parts) must still decode;
//   * always: encode(decode(encode(m))) == encode(m) byte for byte.
#include <cstddef>
#include <cstdint>
#include <type_traits>
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

// Message equality up to what re-encoding legitimately changes:
//   * Update::errors are compared by count (DecodeError has no operator==, which leaves
//     Update's defaulted operator== deleted);
//   * the four unused low bits of attribute flags (RFC 4271 §4.3: "MUST be ignored when
//     received"), which the decoder records in attr_flags and the encoder clears;
//   * the Partial bit of unrecognized optional transitive attributes, which the encoder sets
//     (RFC 4271 §5: passed on with Partial set).
PathAttributes normalized(PathAttributes a) {
  for (auto& raw : a.unknown) raw.flags &= attr_flag::kOptional | attr_flag::kTransitive;
  return a;
}
std::vector<uint8_t> normalized(std::vector<uint8_t> flags) {
  for (auto& f : flags) f &= attr_flag::kOptional | attr_flag::kTransitive | attr_flag::kExtendedLength;
  return flags;
}
bool same(const Message& a, const Message& b) {
  const auto* x = std::get_if<Update>(&a);
  const auto* y = std::get_if<Update>(&b);
  if (!x || !y) return !x && !y && a.index() == b.index() && std::visit([&b](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, Update>) return false;
    else return v == std::get<T>(b);
  }, a);
  return x->withdrawn == y->withdrawn && normalized(x->attrs) == normalized(y->attrs) &&
         x->mp_reach == y->mp_reach && x->mp_unreach == y->mp_unreach && x->nlri == y->nlri &&
         x->treat_as_withdraw == y->treat_as_withdraw && x->errors.size() == y->errors.size() &&
         x->attr_order == y->attr_order && normalized(x->attr_flags) == normalized(y->attr_flags) &&
         x->withdrawn_path_ids == y->withdrawn_path_ids && x->nlri_path_ids == y->nlri_path_ids;
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
  FUZZ_CHECK(encode_message(*m2, ectx) == b1);  // encode(decode(encode(x))) == encode(x)
  if (!has_errors(*m1)) FUZZ_CHECK(same(*m2, *m1));
  return 0;
}

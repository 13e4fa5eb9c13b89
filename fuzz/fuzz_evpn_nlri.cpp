// Fuzzes the EVPN NLRI codec with the input as an MP_REACH/MP_UNREACH NLRI field.
// Properties (RFC 7606 policy in evpn_route.hpp):
//   * decode_evpn_nlri and a route-by-route decode_evpn_route walk agree on routes and errors;
//   * a session-reset error appends nothing;
//   * the decoded routes re-encode to a field that decodes cleanly to the same routes, and
//     encoded_size() matches; for a clean decode without type-5 routes the re-encoding is the
//     input byte for byte (type 5 may lose host bits, by design);
//   * route_key / to_string never crash.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "wire/evpn_route.hpp"

using namespace evpnd;
using namespace evpnd::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<EvpnRoute> routes;
  auto result = decode_evpn_nlri(ByteReader(data, size), routes);
  if (!result && result.error().action == ErrorAction::kSessionReset) {
    FUZZ_CHECK(routes.empty());
    return 0;
  }
  if (!result) FUZZ_CHECK(result.error().action == ErrorAction::kTreatAsWithdraw);

  // The single-route API sees the same routes and the same outcome.
  {
    ByteReader in(data, size);
    std::vector<EvpnRoute> one_by_one;
    bool malformed = false;
    while (!in.empty()) {
      auto r = decode_evpn_route(in);
      if (r) {
        one_by_one.push_back(std::move(*r));
      } else {
        FUZZ_CHECK(r.error().action == ErrorAction::kTreatAsWithdraw);
        malformed = true;
      }
    }
    FUZZ_CHECK(one_by_one == routes);
    FUZZ_CHECK(malformed == !result);
  }

  Bytes out;
  ByteWriter w(out);
  bool has_type5 = false;
  for (size_t i = 0; i < routes.size(); ++i) {
    const EvpnRoute& r = routes[i];
    const size_t before = out.size();
    encode_evpn_route(w, r);
    FUZZ_CHECK(out.size() - before == encoded_size(r));
    has_type5 |= route_type(r) == 5;
    if (i < 4) {  // text and keys are per-type code: a few routes per input cover them, cheaply
      FUZZ_CHECK(route_key(r).size() >= (std::holds_alternative<UnknownEvpnRoute>(r) ? 1u : 9u));
      FUZZ_CHECK(!to_string(r).empty());
    }
  }
  if (result && !has_type5) FUZZ_CHECK(out == Bytes(data, data + size));

  std::vector<EvpnRoute> again;
  auto second = decode_evpn_nlri(ByteReader(out), again);
  FUZZ_CHECK(bool(second));
  FUZZ_CHECK(again == routes);
  Bytes out2;
  ByteWriter w2(out2);
  for (const auto& r : again) encode_evpn_route(w2, r);
  FUZZ_CHECK(out2 == out);
  return 0;
}

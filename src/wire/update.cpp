// UPDATE framing (RFC 4271 §4.3): Withdrawn Routes, Path Attributes, NLRI, and the UPDATE-level
// RFC 7606 rules:
//   RFC 4271 §6.3 / RFC 7606 §4: Withdrawn Routes Length or Total Path Attribute Length running
//     past the message -> session reset (Malformed Attribute List), the NLRI cannot be located;
//   RFC 7606 §5.3: an IPv4 prefix field that cannot be parsed -> session reset (Invalid Network
//     Field);
//   RFC 7606 §3 d: a missing well-known mandatory attribute (ORIGIN, AS_PATH; NEXT_HOP only when
//     the NLRI field is not empty, RFC 4760 §3) -> treat-as-withdraw. An UPDATE without
//     reachable NLRI (withdrawals, End-of-RIB) needs none;
//   RFC 7606 §5.2: an UPDATE with path attributes other than MP_UNREACH_NLRI but no reachable
//     NLRI (none in the NLRI field, none in an MP_REACH_NLRI) gives no confidence that its NLRI
//     were parsed, so an attribute error calling for more than attribute discard is a session
//     reset there, with that error's NOTIFICATION (e.g. a 3-octet LOCAL_PREF in a pure
//     withdrawal: Attribute Length Error, data = the attribute).
#include <algorithm>
#include <bitset>
#include <optional>

#include "wire/attribute_codec.hpp"
#include "wire/message_codec.hpp"

namespace evpnd::wire {

bool Update::is_end_of_rib() const {
  // RFC 4724 §2: IPv4 unicast: an UPDATE with nothing in it; other families: an UPDATE with
  // only an empty MP_UNREACH_NLRI for the family.
  if (!withdrawn.empty() || !nlri.empty() || mp_reach || !errors.empty()) return false;
  if (!(attrs == PathAttributes{})) return false;
  return !mp_unreach || (mp_unreach->evpn.empty() && mp_unreach->prefixes.empty());
}

namespace detail {

namespace {

DecodeError reset(uint8_t subcode, std::string reason) {
  return make_error(ErrorAction::kSessionReset, 3, subcode, std::move(reason));
}

void check_mandatory(Update& u, const std::bitset<256>& seen) {
  const bool mp_nlri = u.mp_reach && (!u.mp_reach->evpn.empty() || !u.mp_reach->prefixes.empty());
  if (u.nlri.empty() && !mp_nlri) return;
  auto missing = [&](AttrType t) {
    const uint8_t type = static_cast<uint8_t>(t);
    if (seen[type]) return;
    // RFC 4271 §6.3: the data field is the type code of the missing attribute.
    u.errors.push_back(make_error(ErrorAction::kTreatAsWithdraw, 3, subcode::kMissingWellKnown,
                                  "missing well-known attribute " + attr_type_name(type),
                                  ByteView(&type, 1), type));
    u.treat_as_withdraw = true;
  };
  missing(AttrType::kOrigin);
  missing(AttrType::kAsPath);
  if (!u.nlri.empty()) missing(AttrType::kNextHop);
}

// RFC 7606 §5.2 (see the file comment); returns the session-reset error, if any.
std::optional<DecodeError> missing_nlri_reset(const Update& u, const std::bitset<256>& seen) {
  constexpr uint8_t kReach = static_cast<uint8_t>(AttrType::kMpReach);
  constexpr uint8_t kUnreach = static_cast<uint8_t>(AttrType::kMpUnreach);
  if (!u.nlri.empty()) return std::nullopt;
  const DecodeError* strong = nullptr;
  bool reach_nlri = false;  // the MP_REACH carried NLRI, even if the lenient mode dropped them all
  for (const auto& e : u.errors) {
    if (e.action != ErrorAction::kAttributeDiscard && !strong) strong = &e;
    reach_nlri |= e.attribute_type == kReach && e.subcode == subcode::kOptionalAttributeError;
  }
  if (!strong) return std::nullopt;
  if (u.mp_reach && (reach_nlri || !u.mp_reach->evpn.empty() || !u.mp_reach->prefixes.empty())) {
    return std::nullopt;
  }
  // "path attributes other than MP_UNREACH_NLRI": any attribute seen (also a discarded or
  // malformed one), or an error that names another type (a header cut short by the field's end).
  std::bitset<256> others = seen;
  others.reset(kUnreach);
  const bool other_attrs = others.any() || std::any_of(u.errors.begin(), u.errors.end(), [](const DecodeError& e) {
                             return e.attribute_type != kUnreach;
                           });
  if (!other_attrs) return std::nullopt;
  DecodeError e = *strong;
  e.action = ErrorAction::kSessionReset;
  e.reason = "no reachable NLRI, so " + e.reason + " cannot be treat-as-withdraw (RFC 7606 §5.2)";
  return e;
}

}  // namespace

tl::expected<Update, DecodeError> decode_update(ByteView body, const DecodeContext& ctx) {
  ByteReader r(body);
  Update u;
  auto wlen = r.u16();
  if (!wlen || *wlen > r.remaining()) {
    return tl::unexpected(reset(subcode::kMalformedAttributeList,
                                "withdrawn routes length exceeds the message"));
  }
  ByteView withdrawn = *r.view(*wlen);
  auto alen = r.u16();
  if (!alen) {
    return tl::unexpected(reset(subcode::kMalformedAttributeList,
                                "withdrawn routes length leaves no room for the attribute length"));
  }
  if (*alen > r.remaining()) {
    return tl::unexpected(reset(subcode::kMalformedAttributeList,
                                "total path attribute length " + std::to_string(*alen) +
                                    " exceeds the message (" + std::to_string(r.remaining()) +
                                    " octets left)"));
  }
  ByteView attrs = *r.view(*alen);
  ByteView nlri = r.rest();

  if (auto why = decode_prefixes(withdrawn, IpFamily::kV4, ctx.add_path_rx_ipv4, u.withdrawn,
                                 u.withdrawn_path_ids)) {
    return tl::unexpected(reset(subcode::kInvalidNetworkField, "withdrawn routes: " + *why));
  }
  std::bitset<256> seen;
  if (auto ok = decode_path_attributes(attrs, ctx, u, seen); !ok) {
    return tl::unexpected(std::move(ok.error()));
  }
  if (auto why = decode_prefixes(nlri, IpFamily::kV4, ctx.add_path_rx_ipv4, u.nlri,
                                 u.nlri_path_ids)) {
    return tl::unexpected(reset(subcode::kInvalidNetworkField, "NLRI: " + *why));
  }
  check_mandatory(u, seen);
  if (auto e = missing_nlri_reset(u, seen)) return tl::unexpected(std::move(*e));
  return u;
}

void encode_update(ByteWriter& w, const Update& u, const EncodeContext& ctx) {
  size_t at = w.placeholder(2);
  encode_prefixes(w, u.withdrawn, u.withdrawn_path_ids, ctx.add_path_tx_ipv4);
  w.patch_u16(at, static_cast<uint16_t>(w.size() - at - 2));
  at = w.placeholder(2);
  encode_path_attributes(w, u, ctx);
  w.patch_u16(at, static_cast<uint16_t>(w.size() - at - 2));
  encode_prefixes(w, u.nlri, u.nlri_path_ids, ctx.add_path_tx_ipv4);
}

}  // namespace detail
}  // namespace evpnd::wire

// The Path Attributes field of an UPDATE: framing, flags, duplicates and dispatch to the value
// decoders, with the RFC 7606 error handling that does not depend on one attribute's value.
//
//   §4   an attribute header or value running past the field -> treat-as-withdraw, stop parsing
//        (the Total Path Attribute Length still locates the NLRI);
//   §3 g duplicate MP_REACH/MP_UNREACH -> session reset; other duplicates -> keep the first;
//   §3 c Optional/Transitive bits in conflict with the type -> treat-as-withdraw (RFC 4271
//        §5: Partial set on a well-known or optional non-transitive attribute is a conflict too);
//        except MP_REACH_NLRI / MP_UNREACH_NLRI, whose own rule is §5.3: flags inconsistent with
//        RFC 4760 make the attribute incorrect -> session reset (RFC 4760 §7), with Attribute
//        Flags Error and the attribute as data (RFC 4271 §6.3 MUST), unless the neighbour chose
//        the lenient `nlri-error: treat-as-withdraw` (DecodeContext::nlri_error_withdraw);
//   §3 j an MP_REACH/MP_UNREACH cut short by the end of the field cannot be parsed -> reset;
//   RFC 4271 §6.3: an unrecognized well-known attribute -> session reset (not revised by 7606);
//   RFC 4271 §5: unrecognized optional transitive -> kept; optional non-transitive -> ignored;
//   RFC 4271 §4.3: the four unused low-order flag bits are ignored (masked off).
#include <string>

#include "wire/attribute_codec.hpp"

namespace evpnd::wire::detail {

namespace {

using namespace attr_flag;

constexpr uint8_t kUsedFlagBits = kOptional | kTransitive | kPartial | kExtendedLength;

std::string hex8(uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[v >> 4] + kDigits[v & 15];
}

AttrResult discard(std::string reason) {
  return Problem{ErrorAction::kAttributeDiscard, 3, subcode::kUnspecific, std::move(reason)};
}

// Decodes the value of a known attribute type into `u`.
AttrResult decode_known(uint8_t type, ByteView v, const DecodeContext& ctx, Update& u) {
  PathAttributes& a = u.attrs;
  const size_t asn_size = ctx.four_octet_as ? 4 : 2;
  switch (static_cast<AttrType>(type)) {
    case AttrType::kOrigin: return decode_origin(v, a);
    case AttrType::kAsPath: {
      AsPath p;
      AttrResult r = decode_as_path(v, asn_size, p);
      if (!r) a.as_path = std::move(p);
      return r;
    }
    case AttrType::kNextHop: return decode_next_hop(v, a);
    case AttrType::kMed: return decode_u32_attr(v, "MULTI_EXIT_DISC", a.med);
    case AttrType::kLocalPref:
      // RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded whatever its length.
      if (ctx.ebgp) return discard("LOCAL_PREF from an external peer");
      return decode_u32_attr(v, "LOCAL_PREF", a.local_pref);
    case AttrType::kAtomicAggregate: return decode_atomic_aggregate(v, a);
    case AttrType::kAggregator: return decode_aggregator(v, asn_size, "AGGREGATOR", a.aggregator);
    case AttrType::kCommunities: return decode_communities(v, a);
    case AttrType::kOriginatorId:
      // RFC 7606 §7.9 / §7.10: route-reflection attributes from an external peer are discarded.
      if (ctx.ebgp) return discard("ORIGINATOR_ID from an external peer");
      return decode_originator_id(v, a);
    case AttrType::kClusterList:
      if (ctx.ebgp) return discard("CLUSTER_LIST from an external peer");
      return decode_cluster_list(v, a);
    case AttrType::kMpReach: return decode_mp_reach(v, ctx, u.mp_reach);
    case AttrType::kMpUnreach: return decode_mp_unreach(v, ctx, u.mp_unreach);
    case AttrType::kExtCommunities: return decode_ext_communities(v, a);
    case AttrType::kAs4Path: {
      // RFC 6793 §3: NEW speakers do not exchange AS4_PATH; one received is discarded.
      if (ctx.four_octet_as) return discard("AS4_PATH from a 4-octet-AS speaker (RFC 6793 §3)");
      AsPath p;
      AttrResult r = decode_as_path(v, 4, p);
      if (!r) {
        a.as4_path = std::move(p);
      } else {  // RFC 6793 §6 (RFC 7606 §7.2 does not apply): malformed AS4_PATH is discarded
        r->action = ErrorAction::kAttributeDiscard;
        r->reason = "AS4_PATH: " + r->reason;
      }
      return r;
    }
    case AttrType::kAs4Aggregator:
      if (ctx.four_octet_as) {
        return discard("AS4_AGGREGATOR from a 4-octet-AS speaker (RFC 6793 §3)");
      }
      return decode_aggregator(v, 4, "AS4_AGGREGATOR", a.as4_aggregator);
    case AttrType::kPmsiTunnel: return decode_pmsi_tunnel(v, a);
    case AttrType::kLargeCommunities: return decode_large_communities(v, a);
  }
  return std::nullopt;  // not reached: callers only pass known types
}

class AttributeDecoder {
 public:
  AttributeDecoder(const DecodeContext& ctx, Update& u) : ctx_(ctx), u_(u) {}

  tl::expected<void, DecodeError> run(ByteView field, std::bitset<256>& seen) {
    size_t pos = 0;
    while (pos < field.size()) {
      ByteView rest = field.subspan(pos);
      const bool ext = rest[0] & kExtendedLength;
      const size_t hdr = ext ? 4 : 3;
      if (rest.size() < hdr) {
        if (rest.size() > 1 && is_mp(rest[1])) return mp_cut_short(rest, rest[1]);
        record(Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kMalformedAttributeList,
                       std::to_string(rest.size()) + " octet(s) left in the attribute field, "
                       "too few for an attribute header"},
               rest, rest.size() > 1 ? rest[1] : 0);
        break;
      }
      // RFC 4271 §4.3: the four low-order bits are unused, "MUST be zero when sent and MUST be
      // ignored when received"; masking them here keeps them out of attr_flags and RawAttribute.
      const uint8_t flags = rest[0] & kUsedFlagBits, type = rest[1];
      const size_t len = ext ? size_t(rest[2]) << 8 | rest[3] : rest[2];
      if (rest.size() < hdr + len) {
        if (is_mp(type)) return mp_cut_short(rest, type);
        record(Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kAttributeLengthError,
                       attr_type_name(type) + ": length " + std::to_string(len) +
                           " overruns the attribute field (" + std::to_string(rest.size() - hdr) +
                           " octets left)"},
               rest, type);
        break;
      }
      ByteView whole = rest.first(hdr + len);
      pos += hdr + len;
      if (seen[type]) {
        if (is_mp(type)) {
          return tl::unexpected(make_error(ErrorAction::kSessionReset, 3,
                                           subcode::kMalformedAttributeList,
                                           "duplicate " + attr_type_name(type), whole, type));
        }
        record(Problem{ErrorAction::kAttributeDiscard, 3, subcode::kMalformedAttributeList,
                       "duplicate " + attr_type_name(type) + " discarded"},
               whole, type);
        continue;
      }
      seen.set(type);
      auto ok = one(flags, type, whole, whole.subspan(hdr));
      if (!ok) return ok;
    }
    return {};
  }

 private:
  tl::expected<void, DecodeError> one(uint8_t flags, uint8_t type, ByteView whole, ByteView v) {
    const uint8_t canon = canonical_attr_flags(type);
    if (canon == 0) return unknown(flags, type, whole, v);

    const bool opt_trans = canon == (kOptional | kTransitive);
    const bool flags_bad =
        (flags & (kOptional | kTransitive)) != canon || ((flags & kPartial) && !opt_trans);
    if (flags_bad && !is_mp(type)) {
      // RFC 7606 §3 c: the attribute is malformed; its value is not used.
      record(flags_problem(flags, type), whole, type);
      return {};
    }
    if (flags_bad && !ctx_.nlri_error_withdraw) {
      // RFC 7606 §5.3: MP_REACH/MP_UNREACH flags inconsistent with RFC 4760 -> "session reset"
      // or "AFI/SAFI disable" (RFC 4760 §7); the subcode is RFC 4271 §6.3's.
      Problem p = flags_problem(flags, type);
      return tl::unexpected(make_error(ErrorAction::kSessionReset, p.code, p.subcode,
                                       p.reason + " (RFC 7606 §5.3)", whole, type));
    }
    AttrResult p = decode_known(type, v, ctx_, u_);
    if (p && p->action == ErrorAction::kSessionReset) {
      return tl::unexpected(make_error(p->action, p->code, p->subcode, p->reason, whole, type));
    }
    // Lenient mode: a malformed MP attribute still yields its NLRI, which treat-as-withdraw
    // needs (§3 j).
    if (flags_bad) record(flags_problem(flags, type), whole, type);
    if (p) record(*p, whole, type);
    if (!p || p->keep) {
      u_.attr_order.push_back(type);
      u_.attr_flags.push_back(flags);
      if (opt_trans && (flags & kPartial) && type < 64) u_.attrs.partial |= uint64_t{1} << type;
    }
    return {};
  }

  tl::expected<void, DecodeError> unknown(uint8_t flags, uint8_t type, ByteView whole,
                                          ByteView v) {
    if (!(flags & kOptional)) {
      return tl::unexpected(make_error(ErrorAction::kSessionReset, 3,
                                       subcode::kUnrecognizedWellKnown,
                                       "unrecognized well-known attribute " + std::to_string(type),
                                       whole, type));
    }
    if (flags & kTransitive) {
      u_.attrs.unknown.push_back(RawAttribute{flags, type, Bytes(v.begin(), v.end())});
      u_.attr_order.push_back(type);
      u_.attr_flags.push_back(flags);
    }
    return {};
  }

  static bool is_mp(uint8_t type) {
    return type == uint8_t(AttrType::kMpReach) || type == uint8_t(AttrType::kMpUnreach);
  }

  // RFC 7606 §4 would make a cut-short attribute treat-as-withdraw, but an MP_REACH/MP_UNREACH
  // cut short hides its NLRI, so treat-as-withdraw is impossible (§3 j, §5.3) -> session reset,
  // Attribute Length Error (RFC 4271 §6.3) with what is left of the attribute as data.
  static tl::unexpected<DecodeError> mp_cut_short(ByteView rest, uint8_t type) {
    return tl::unexpected(make_error(ErrorAction::kSessionReset, 3, subcode::kAttributeLengthError,
                                     attr_type_name(type) + ": runs past the attribute field (" +
                                         std::to_string(rest.size()) +
                                         " octets left); its NLRI cannot be parsed (RFC 7606 §3 j)",
                                     rest, type));
  }

  static Problem flags_problem(uint8_t flags, uint8_t type) {
    return Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kAttributeFlagsError,
                   attr_type_name(type) + ": flags " + hex8(flags) + " conflict with the type (" +
                       hex8(canonical_attr_flags(type)) + ")"};
  }

  void record(const Problem& p, ByteView whole, uint8_t type) {
    u_.errors.push_back(make_error(p.action, p.code, p.subcode, p.reason, whole, type));
    if (p.action == ErrorAction::kTreatAsWithdraw) u_.treat_as_withdraw = true;
  }

  const DecodeContext& ctx_;
  Update& u_;
};

}  // namespace

tl::expected<void, DecodeError> decode_path_attributes(ByteView field, const DecodeContext& ctx,
                                                       Update& u, std::bitset<256>& seen) {
  return AttributeDecoder(ctx, u).run(field, seen);
}

}  // namespace evpnd::wire::detail

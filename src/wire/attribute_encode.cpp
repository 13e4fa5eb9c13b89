// Encoding of the Path Attributes field: order (attr_order, else FRR's), flags (canonical
// Optional/Transitive bits, recorded Partial/Extended Length bits) and values.
//
// NOTE performance: everything is appended to one buffer; a length field is a placeholder patched
// once the value is written. Only an attribute announced with a 1-octet length whose value turns
// out longer than 255 octets costs a memmove (widening to Extended Length).
#include <array>

#include "wire/as4_path.hpp"
#include "wire/attribute_codec.hpp"

namespace evpnd::wire::detail {

namespace {

using namespace attr_flag;

// FRR 8.4's order (bgp_packet_attribute), checked against the captures: MP_REACH first.
constexpr std::array<AttrType, 17> kFrrOrder = {
    AttrType::kMpReach,          AttrType::kOrigin,        AttrType::kAsPath,
    AttrType::kNextHop,          AttrType::kMed,           AttrType::kLocalPref,
    AttrType::kAtomicAggregate,  AttrType::kAggregator,    AttrType::kCommunities,
    AttrType::kOriginatorId,     AttrType::kClusterList,   AttrType::kMpUnreach,
    AttrType::kExtCommunities,   AttrType::kAs4Path,       AttrType::kAs4Aggregator,
    AttrType::kPmsiTunnel,       AttrType::kLargeCommunities,
};

class AttributeEncoder {
 public:
  AttributeEncoder(ByteWriter& w, const Update& u, const EncodeContext& ctx)
      : w_(w), u_(u), a_(u.attrs), ctx_(ctx) {
    // RFC 6793 §4.2.2: towards a 2-octet-AS speaker, ASNs above 65535 go out as AS_TRANS, and
    // AS4_PATH / AS4_AGGREGATOR carry the real ones. Given ones (a decoded UPDATE re-encoded)
    // are written as they are; otherwise they are derived from AS_PATH / AGGREGATOR.
    if (!ctx_.four_octet_as) {
      if (a_.as4_path) as4_path_ = &*a_.as4_path;
      else if (a_.as_path && (derived_as4_path_ = as4_path_for(*a_.as_path))) as4_path_ = &*derived_as4_path_;
      if (a_.as4_aggregator) as4_aggregator_ = &*a_.as4_aggregator;
      else if (a_.aggregator && a_.aggregator->asn > 0xFFFF) as4_aggregator_ = &*a_.aggregator;
    }
  }

  void run() {
    for (size_t i = 0; i < u_.attr_order.size(); ++i) {
      const uint8_t type = u_.attr_order[i];
      if (done_[type]) continue;
      std::optional<uint8_t> rec;
      if (i < u_.attr_flags.size()) rec = u_.attr_flags[i];
      emit(type, rec);
    }
    for (AttrType t : kFrrOrder) {
      if (!done_[uint8_t(t)]) emit(uint8_t(t), std::nullopt);
    }
    for (const auto& raw : a_.unknown) {
      if (!done_[raw.type]) emit(raw.type, std::nullopt);
    }
  }

 private:
  // Writes attribute `type` if present; `rec` is the flags octet it was received with.
  void emit(uint8_t type, std::optional<uint8_t> rec) {
    const uint8_t canon = canonical_attr_flags(type);
    const RawAttribute* raw = nullptr;
    uint8_t flags = canon;
    if (canon == 0) {
      for (const auto& r : a_.unknown) {
        if (r.type == type) {
          raw = &r;
          break;
        }
      }
      if (!raw) return;
      // RFC 4271 §5: an unrecognized optional transitive attribute is passed on with Partial set.
      flags = (raw->flags & (kOptional | kTransitive)) | kPartial;
    } else {
      if (!present(type)) return;
      // RFC 4271 §5: a Partial bit set by a previous AS is never cleared (recorded per type in
      // PathAttributes::partial, and in the received flags when re-encoding an UPDATE as is).
      if (canon == (kOptional | kTransitive)) {
        if (rec) flags |= *rec & kPartial;
        if (type < 64 && (a_.partial >> type & 1)) flags |= kPartial;
      }
    }
    done_.set(type);
    bool ext = rec ? (*rec & kExtendedLength) != 0 : default_extended(type);
    const size_t begin = w_.size();
    w_.u8(flags | (ext ? kExtendedLength : 0));
    w_.u8(type);
    const size_t len_at = w_.placeholder(ext ? 2 : 1);
    const size_t value_at = w_.size();
    if (raw) w_.bytes(raw->value);
    else value(type);
    const size_t len = w_.size() - value_at;
    if (!ext && len > 255) {  // widen the length field to two octets
      Bytes& b = w_.buffer();
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(len_at), uint8_t{0});
      b[begin] |= kExtendedLength;
      ext = true;
    }
    if (ext) w_.patch_u16(len_at, static_cast<uint16_t>(len));
    else w_.patch_u8(len_at, static_cast<uint8_t>(len));
  }

  // FRR always uses the 2-octet length for MP_REACH, MP_UNREACH (but not in an End-of-RIB),
  // AS_PATH and AS4_PATH; for the others only when needed.
  bool default_extended(uint8_t type) const {
    switch (static_cast<AttrType>(type)) {
      case AttrType::kMpReach:
      case AttrType::kAsPath:
      case AttrType::kAs4Path:
        return true;
      case AttrType::kMpUnreach:
        return !u_.mp_unreach->evpn.empty() || !u_.mp_unreach->prefixes.empty();
      default:
        return false;
    }
  }

  bool present(uint8_t type) const {
    switch (static_cast<AttrType>(type)) {
      case AttrType::kOrigin: return a_.origin.has_value();
      case AttrType::kAsPath: return a_.as_path.has_value();
      case AttrType::kNextHop: return a_.next_hop.has_value();
      case AttrType::kMed: return a_.med.has_value();
      case AttrType::kLocalPref: return a_.local_pref.has_value();
      case AttrType::kAtomicAggregate: return a_.atomic_aggregate;
      case AttrType::kAggregator: return a_.aggregator.has_value();
      case AttrType::kCommunities: return !a_.communities.empty();
      case AttrType::kOriginatorId: return a_.originator_id.has_value();
      case AttrType::kClusterList: return !a_.cluster_list.empty();
      case AttrType::kMpReach: return u_.mp_reach.has_value();
      case AttrType::kMpUnreach: return u_.mp_unreach.has_value();
      case AttrType::kExtCommunities: return !a_.ext_communities.empty();
      // RFC 6793 §3: never sent between two 4-octet-AS speakers (both stay null then).
      case AttrType::kAs4Path: return as4_path_ != nullptr;
      case AttrType::kAs4Aggregator: return as4_aggregator_ != nullptr;
      case AttrType::kPmsiTunnel: return a_.pmsi_tunnel.has_value();
      case AttrType::kLargeCommunities: return !a_.large_communities.empty();
    }
    return false;
  }

  void v4(const IpAddress& a) {
    if (a.is_v4()) w_.bytes(a.data(), 4);
    else w_.zeros(4);  // keeps the attribute well formed; callers set IPv4 values
  }

  void aggregator(const Aggregator& g, size_t asn_size) {
    if (asn_size == 4) w_.u32(g.asn);
    else w_.u16(static_cast<uint16_t>(g.asn > 0xFFFF ? kAsTrans : g.asn));
    v4(g.address);
  }

  void value(uint8_t type) {
    const size_t asn_size = ctx_.four_octet_as ? 4 : 2;
    switch (static_cast<AttrType>(type)) {
      case AttrType::kOrigin: w_.u8(static_cast<uint8_t>(*a_.origin)); break;
      case AttrType::kAsPath: encode_as_path(w_, *a_.as_path, asn_size); break;
      case AttrType::kNextHop: v4(*a_.next_hop); break;
      case AttrType::kMed: w_.u32(*a_.med); break;
      case AttrType::kLocalPref: w_.u32(*a_.local_pref); break;
      case AttrType::kAtomicAggregate: break;
      case AttrType::kAggregator: aggregator(*a_.aggregator, asn_size); break;
      case AttrType::kCommunities:
        for (uint32_t c : a_.communities) w_.u32(c);
        break;
      case AttrType::kOriginatorId: v4(*a_.originator_id); break;
      case AttrType::kClusterList:
        for (const auto& c : a_.cluster_list) v4(c);
        break;
      case AttrType::kMpReach: encode_mp_reach_value(w_, *u_.mp_reach, ctx_); break;
      case AttrType::kMpUnreach: encode_mp_unreach_value(w_, *u_.mp_unreach, ctx_); break;
      case AttrType::kExtCommunities:
        for (const auto& e : a_.ext_communities) w_.bytes(e.raw.data(), 8);
        break;
      case AttrType::kAs4Path: encode_as_path(w_, *as4_path_, 4); break;
      case AttrType::kAs4Aggregator: aggregator(*as4_aggregator_, 4); break;
      case AttrType::kPmsiTunnel: {
        const PmsiTunnel& t = *a_.pmsi_tunnel;
        w_.u8(t.flags);
        w_.u8(t.tunnel_type);
        w_.u24(t.label & 0xFFFFFF);
        w_.bytes(t.tunnel_id);
        break;
      }
      case AttrType::kLargeCommunities:
        for (const auto& l : a_.large_communities) {
          w_.u32(l.global_admin);
          w_.u32(l.local1);
          w_.u32(l.local2);
        }
        break;
    }
  }

  ByteWriter& w_;
  const Update& u_;
  const PathAttributes& a_;
  const EncodeContext& ctx_;
  std::bitset<256> done_;
  std::optional<AsPath> derived_as4_path_;
  const AsPath* as4_path_ = nullptr;              // AS4_PATH to send (2-octet sessions only)
  const Aggregator* as4_aggregator_ = nullptr;    // AS4_AGGREGATOR to send (likewise)
};

}  // namespace

void encode_path_attributes(ByteWriter& w, const Update& u, const EncodeContext& ctx) {
  AttributeEncoder(w, u, ctx).run();
}

}  // namespace evpnd::wire::detail

// Internal to src/wire (not part of the public API): the pieces of the UPDATE codec shared by
// update.cpp, attributes.cpp, attribute_decode.cpp, attribute_encode.cpp and attribute_mp.cpp.
//
// NOTE errors: per-attribute decoders return a Problem (RFC 7606 action + NOTIFICATION
// code/subcode + reason); attribute_decode.cpp turns it into a DecodeError carrying the whole
// attribute as data (RFC 4271 §6.3) and decides whether the value is kept.
// NOTE performance: decoders read from ByteView without copying except into the result;
// encoders append to one ByteWriter and patch length fields afterwards.
#pragma once

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "wire/attributes.hpp"
#include "wire/error.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::detail {

// Makes room for n more bytes without defeating vector's geometric growth (reserve(size + n)
// alone would reallocate for every message appended to a long buffer).
inline void reserve_more(Bytes& b, size_t n) {
  if (b.capacity() - b.size() < n) b.reserve(std::max(b.size() + n, 2 * b.capacity()));
}

DecodeError make_error(ErrorAction action, uint8_t code, uint8_t subcode, std::string reason,
                       ByteView data = {}, uint8_t attribute_type = 0);

struct Problem {
  ErrorAction action = ErrorAction::kTreatAsWithdraw;
  uint8_t code = 3;  // UPDATE Message Error
  uint8_t subcode = 0;
  std::string reason;
  bool keep = false;  // the decoded value is stored despite the problem (MP NLRI to withdraw)
};
using AttrResult = std::optional<Problem>;  // nullopt: decoded and stored

// ---- prefixes (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3) ----
// Decodes a whole prefix field. Returns a reason when it cannot be parsed (prefix length above
// the family's maximum, a prefix or path id running past the end); `out` then holds what was
// decoded before the error. Bits beyond the prefix length are cleared (IpPrefix), so a prefix
// sent with host bits set re-encodes in canonical form.
std::optional<std::string> decode_prefixes(ByteView field, IpFamily family, bool add_path,
                                           std::vector<IpPrefix>& out,
                                           std::vector<uint32_t>& path_ids);
// Path ids come from `path_ids[i]` when present, else 0.
void encode_prefixes(ByteWriter& w, const std::vector<IpPrefix>& prefixes,
                     const std::vector<uint32_t>& path_ids, bool add_path);

// ---- AS_PATH / AS4_PATH (RFC 4271 §4.3, RFC 6793, RFC 7606 §7.2) ----
AttrResult decode_as_path(ByteView v, size_t asn_size, AsPath& out);
// ASNs above 65535 become AS_TRANS when asn_size is 2 (RFC 6793 §4.2.2); segments longer than
// 255 ASNs are split.
void encode_as_path(ByteWriter& w, const AsPath& p, size_t asn_size);

// ---- per-attribute value decoders (attributes.cpp); `v` is the value only ----
AttrResult decode_origin(ByteView v, PathAttributes& a);
AttrResult decode_next_hop(ByteView v, PathAttributes& a);
AttrResult decode_u32_attr(ByteView v, const char* name, std::optional<uint32_t>& out);
AttrResult decode_atomic_aggregate(ByteView v, PathAttributes& a);
AttrResult decode_aggregator(ByteView v, size_t asn_size, const char* name,
                             std::optional<Aggregator>& out);
AttrResult decode_communities(ByteView v, PathAttributes& a);
AttrResult decode_originator_id(ByteView v, PathAttributes& a);
AttrResult decode_cluster_list(ByteView v, PathAttributes& a);
AttrResult decode_ext_communities(ByteView v, PathAttributes& a);
AttrResult decode_pmsi_tunnel(ByteView v, PathAttributes& a);
AttrResult decode_large_communities(ByteView v, PathAttributes& a);

// ---- MP_REACH_NLRI / MP_UNREACH_NLRI (attribute_mp.cpp) ----
AttrResult decode_mp_reach(ByteView v, const DecodeContext& ctx, std::optional<MpReach>& out);
AttrResult decode_mp_unreach(ByteView v, const DecodeContext& ctx,
                             std::optional<MpUnreach>& out);
void encode_mp_reach_value(ByteWriter& w, const MpReach& m, const EncodeContext& ctx);
void encode_mp_unreach_value(ByteWriter& w, const MpUnreach& m, const EncodeContext& ctx);

// ---- the attribute field as a whole ----
// Decodes the Path Attributes field into u.attrs / mp_reach / mp_unreach / attr_order /
// attr_flags / errors / treat_as_withdraw; `seen` gets every attribute type present (even
// discarded or malformed ones). Returns only session-reset errors.
tl::expected<void, DecodeError> decode_path_attributes(ByteView field, const DecodeContext& ctx,
                                                       Update& u, std::bitset<256>& seen);
void encode_path_attributes(ByteWriter& w, const Update& u, const EncodeContext& ctx);

}  // namespace evpnd::wire::detail

// RFC 6793 (4-octet AS numbers) towards speakers that did not negotiate the capability ("OLD"
// speakers): the AS path they send is AS_PATH with 2-octet ASNs (AS_TRANS for the ones that do
// not fit) plus, when some did not, AS4_PATH / AS4_AGGREGATOR with the 4-octet truth.
//
// The codec stays literal: decode_message() with a 2-octet DecodeContext yields AS_PATH and
// AS4_PATH as received, and encode_message() writes a given AS4_PATH as is. The speaker folds
// what it received with reconstruct_as4() (RFC 6793 §4.2.3), so the RIB only holds 4-octet
// AS paths; encoding such attributes with a 2-octet EncodeContext then adds AS4_PATH /
// AS4_AGGREGATOR by itself (RFC 6793 §4.2.2, see as4_path_for()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "wire/attributes.hpp"

namespace evpnd::wire {

inline constexpr Asn kAsTrans = 23456;  // RFC 6793 §9

struct As4Outcome {
  enum class PathUse : uint8_t {
    kNone,               // no AS4_PATH (or no AS_PATH to merge it into)
    kMerged,             // AS_PATH now holds the reconstructed 4-octet path
    kIgnoredLonger,      // AS4_PATH had more ASNs than AS_PATH: ignored (§4.2.3)
    kIgnoredAggregator,  // AGGREGATOR was not AS_TRANS while AS4_AGGREGATOR came: both ignored
  };
  PathUse path = PathUse::kNone;
  bool aggregator_from_as4 = false;    // AGGREGATOR replaced by AS4_AGGREGATOR
  size_t confed_segments_dropped = 0;  // AS4_PATH confederation segments discarded (§3)
};
const char* to_string(As4Outcome::PathUse u);

// RFC 6793 §4.2.3: folds AS4_PATH / AS4_AGGREGATOR received from an OLD speaker into AS_PATH /
// AGGREGATOR and removes both, so `a` then has 4-octet semantics. Call it only for attributes
// from a peer that did not negotiate 4-octet AS numbers.
As4Outcome reconstruct_as4(PathAttributes& a);

// The merge of §4.2.3 on its own: the leading part of `as_path` that `as4_path` does not cover
// (with leading or adjacent confederation segments), followed by `as4_path`; `as_path` itself
// when `as4_path` counts more ASNs (RFC 4271 §9.1.2.2 counting: a SET is 1, confederation
// segments 0).
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path);

// RFC 6793 §4.2.2: the AS4_PATH a NEW speaker sends to an OLD one along with `as_path`: the path
// without confederation segments, or nullopt when every ASN fits in 2 octets (then none is sent).
std::optional<AsPath> as4_path_for(const AsPath& as_path);

}  // namespace evpnd::wire

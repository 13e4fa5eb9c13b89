// Prefix lists: the per-neighbour import/export policy of unicast sessions (issue 10), with the
// semantics of FRR's `ip prefix-list` and BIRD's `net ~ [ prefix{ge,le} ]`:
//   an entry `P [ge G] [le L]` matches a route R when R lies inside P (len(R) >= len(P) and R's
//   first len(P) bits are P's) and len(R) is in the entry's range: neither ge nor le = exactly
//   len(P); `ge G` = G..32 (128 for IPv6); `le L` = len(P)..L; both = G..L (FRR's rules);
//   an IPv4 entry never matches an IPv6 route and vice versa;
//   entries are tried in order, the first match decides (permit / deny); no match = deny.
//
// RFC 8212 §2: an eBGP session without an import (export) policy accepts (advertises) nothing;
// bgp::PeerConfig's filters are std::optional so "no policy" and "an empty list" (deny all) differ.
//
// A core value type because the configuration (api) and the speaker (bgp) both hold it.
// NOTE pure values; evaluated once per received prefix (import) and once per (prefix, update
// group) on export.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"

namespace evpnd {

struct PrefixListEntry {
  IpPrefix prefix;
  std::optional<uint8_t> ge;  // see the header comment for the defaults
  std::optional<uint8_t> le;
  bool permit = true;
  bool operator==(const PrefixListEntry&) const = default;
  auto operator<=>(const PrefixListEntry&) const = default;
};

struct PrefixList {
  std::vector<PrefixListEntry> entries;
  bool operator==(const PrefixList&) const = default;
  auto operator<=>(const PrefixList&) const = default;
};

// True when the first entry matching `p` permits it; false when it denies or none matches.
bool permits(const PrefixList& list, const IpPrefix& p);
// Whether one entry matches `p` (the length range as in the header comment).
bool matches(const PrefixListEntry& e, const IpPrefix& p);
// "10.244.0.0/16 le 26", "deny 0.0.0.0/0 le 32" (the form the config and the views use).
std::string to_string(const PrefixListEntry& e);

}  // namespace evpnd

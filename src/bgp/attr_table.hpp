// Interned path attributes: every distinct (attributes, next hop) pair exists once and routes
// hold a shared pointer to it. A fabric's million type-2 routes share a handful of attribute
// sets (one per VTEP and RT combination), so a route costs one pointer instead of a copy.
//
// NOTE threading: single-threaded (the engine thread). shared_ptr's atomic refcount is the
// only synchronisation and is not relied upon.
// NOTE performance: intern() hashes the attributes once per UPDATE (not per NLRI); lookups are
// O(1). Entries die with their last route; the table holds weak references and purges expired
// ones when it grows (amortised O(1)).
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/ip.hpp"
#include "wire/attributes.hpp"

namespace evpnd::bgp {

// The attributes of a path plus the next hop from MP_REACH_NLRI (EVPN's next hop is the VTEP,
// RFC 7432 §7; it is shared by every NLRI of the UPDATE, so it is interned with them).
struct PathInfo {
  wire::PathAttributes attrs;
  IpAddress next_hop;
  size_t hash = 0;  // of attrs and next_hop, set by AttrTable
  bool operator==(const PathInfo& o) const { return next_hop == o.next_hop && attrs == o.attrs; }
};
using AttrRef = std::shared_ptr<const PathInfo>;

size_t hash_attributes(const wire::PathAttributes& a, const IpAddress& next_hop);

class AttrTable {
 public:
  // Returns the shared entry equal to `info`, creating it when new.
  AttrRef intern(PathInfo info);
  size_t size() const { return table_.size(); }
  void purge();  // drop expired entries

 private:
  std::unordered_multimap<size_t, std::weak_ptr<const PathInfo>> table_;
  size_t purge_at_ = 1024;
};

}  // namespace evpnd::bgp

// The EVPN route table: one Dest per route key (RFC 7432 §7 / RFC 9136 §3.1, the fields that
// wire::route_key() serialises), each holding the paths received for it (Adj-RIB-In entries of
// every peer, plus locally originated ones) and the index of the best one (Loc-RIB).
//
// NOTE performance: Dests live in one vector indexed by a dense DestId (reused through a free
// list), found through an open-addressing index of (id, hash) slots, so 1M routes cost one
// Dest (32 bytes) + one heap block of paths (~100 bytes) + 16 bytes of index, and no per-route
// string or key copy: the key is compared field by field on the route itself (key_equal),
// consistent with wire::route_key() (tested). Per-group Adj-RIB-Out state is a bitmap indexed
// by DestId (update_group.hpp).
// NOTE invariants: a Dest always has at least one Path; when the last real path goes, a
// tombstone (kWithdrawn) keeps the NLRI until every update group has sent the withdrawal, then
// the Dest is erased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bgp/attr_table.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::bgp {

using PeerId = uint32_t;
inline constexpr PeerId kLocalPeer = 0;  // locally originated routes (API / EVPN logic)
inline constexpr PeerId kNoPeer = 0xFFFFFFFF;
using DestId = uint32_t;
inline constexpr DestId kNoDest = 0xFFFFFFFF;

namespace path_flag {
inline constexpr uint8_t kStale = 1;      // RFC 4724 §4.2: kept while the peer restarts
inline constexpr uint8_t kWithdrawn = 2;  // tombstone, not a candidate
}  // namespace path_flag

struct Path {
  wire::EvpnRoute nlri;  // as received: labels, ESI and gateway may differ between paths
  AttrRef info;
  PeerId peer = kNoPeer;
  uint8_t flags = 0;
  bool live() const { return !(flags & path_flag::kWithdrawn); }
};

struct Dest {
  std::vector<Path> paths;
  int32_t best = -1;  // index into paths, -1 = no best (no live path)
  bool in_use = false;
  const Path* best_path() const { return best >= 0 ? &paths[size_t(best)] : nullptr; }
  const wire::EvpnRoute& nlri() const { return paths.front().nlri; }
  bool has_live() const;
};

// Key identity of EVPN routes without serialising them (see NOTE performance).
size_t key_hash(const wire::EvpnRoute& r);
bool key_equal(const wire::EvpnRoute& a, const wire::EvpnRoute& b);

class RouteTable {
 public:
  RouteTable();
  DestId find(const wire::EvpnRoute& r) const { return find(r, hash_of(r)); }
  DestId find(const wire::EvpnRoute& r, uint32_t hash) const;
  // Finds the route's Dest or creates one holding a tombstone path for `r`.
  DestId find_or_create(const wire::EvpnRoute& r, bool* created = nullptr) { return find_or_create(r, hash_of(r), created); }
  DestId find_or_create(const wire::EvpnRoute& r, uint32_t hash, bool* created = nullptr);
  void erase(DestId id) { erase(id, hash_of(at(id).nlri())); }
  void erase(DestId id, uint32_t hash);

  // Batch support: hash a whole UPDATE's routes and prefetch their index slots first, so the
  // cache misses of a batch overlap instead of being paid one after another (the index is far
  // larger than the caches at 1M routes).
  static uint32_t hash_of(const wire::EvpnRoute& r) { return static_cast<uint32_t>(key_hash(r)); }
  void prefetch(uint32_t hash) const { __builtin_prefetch(&slots_[probe_start(hash)]); }
  void prefetch_dest(DestId id) const { __builtin_prefetch(&dests_[id]); }
  Dest& at(DestId id) { return dests_[id]; }
  const Dest& at(DestId id) const { return dests_[id]; }
  size_t size() const { return count_; }
  // One past the largest DestId ever used: bitmaps indexed by DestId are sized by this.
  size_t id_limit() const { return dests_.size(); }
  void reserve(size_t n);

  template <typename F>
  void for_each(F&& f) const {
    for (DestId i = 0; i < dests_.size(); ++i)
      if (dests_[i].in_use) f(i, dests_[i]);
  }
  template <typename F>
  void for_each_mut(F&& f) {
    for (DestId i = 0; i < dests_.size(); ++i)
      if (dests_[i].in_use) f(i, dests_[i]);
  }

 private:
  struct Slot {
    uint32_t id = kNoDest;
    uint32_t hash = 0;
  };
  size_t probe_start(uint32_t h) const { return h & (slots_.size() - 1); }
  void grow();
  void insert_slot(uint32_t id, uint32_t h);

  std::vector<Dest> dests_;
  std::vector<DestId> free_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace evpnd::bgp

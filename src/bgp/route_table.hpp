// A route table of one RIB key type (NOTE family-generic): the EVPN table (`RouteTable`, keyed
// by wire::EvpnRoute) and the unicast table (`UnicastTable`, keyed by IpPrefix: ipv4-unicast and
// ipv6-unicast share it, the prefix says which) are the two instances of BasicRouteTable.
//
// The EVPN route table: one Dest per route key (RFC 7432 §7 / RFC 9136 §3.1, the fields that
// wire::route_key() serialises), each holding the paths received for it (Adj-RIB-In entries of
// every peer, plus locally originated ones) and the index of the best one (Loc-RIB).
//
// NOTE performance: Dests live in 4 MiB chunks indexed by a dense DestId (reused through a
// free list), found through an open-addressing index of (id, hash) slots, so 1M routes cost one
// Dest (~112 bytes, its single path inline, see path_list.hpp) + 16-32 bytes of index, no heap
// block per route and no per-route string or key copy: the key is compared field by field on the route itself (key_equal),
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
#include "bgp/path_list.hpp"
#include "wire/evpn_route.hpp"
#include "wire/route_key.hpp"

namespace evpnd::bgp {

using DestId = uint32_t;
inline constexpr DestId kNoDest = 0xFFFFFFFF;
inline constexpr PeerId kLocalPeer = 0;  // locally originated routes (API / EVPN logic)

template <typename N>
struct BasicDest {
  BasicPathList<N> paths;
  int16_t best = -1;  // index into paths, -1 = no best (no live path); one path per peer
  bool in_use = false;
  // The peer whose path the update groups advertised at the last flush (kNoPeer = none): that
  // peer was not sent the route (RFC 4456 §6, see Speaker::fill_group), so a later change is
  // judged against it. Fits in the padding after `best`: the Dest stays 112 bytes.
  PeerId adv_from = kNoPeer;
  const BasicPath<N>* best_path() const { return best >= 0 ? &paths[size_t(best)] : nullptr; }
  const N& nlri() const { return paths.front().nlri; }
  bool has_live() const {
    for (const auto& p : paths)
      if (p.live()) return true;
    return false;
  }
};

// Route identity (EVPN and unicast) is the codec's: wire/route_key.hpp (see NOTE performance).
using wire::key_equal;
using wire::key_hash;

template <typename N>
class BasicRouteTable {
 public:
  using Dest = BasicDest<N>;
  BasicRouteTable();
  ~BasicRouteTable();
  BasicRouteTable(const BasicRouteTable&) = delete;
  BasicRouteTable& operator=(const BasicRouteTable&) = delete;
  DestId find(const N& r) const { return find(r, hash_of(r)); }
  DestId find(const N& r, uint32_t hash) const;
  // Finds the route's Dest or creates one holding a tombstone path for `r`.
  DestId find_or_create(const N& r, bool* created = nullptr) { return find_or_create(r, hash_of(r), created); }
  DestId find_or_create(const N& r, uint32_t hash, bool* created = nullptr);
  void erase(DestId id) { erase(id, hash_of(at(id).nlri())); }
  void erase(DestId id, uint32_t hash);

  // Batch support: hash a whole UPDATE's routes and prefetch their index slots first, so the
  // cache misses of a batch overlap instead of being paid one after another (the index is far
  // larger than the caches at 1M routes).
  static uint32_t hash_of(const N& r) { return static_cast<uint32_t>(key_hash(r)); }
  void prefetch(uint32_t hash) const { __builtin_prefetch(&slots_[probe_start(hash)]); }
  // Both cache lines of the Dest (112 bytes: the PathList's size/capacity sit in the second).
  void prefetch_dest(DestId id) const {
    const char* p = reinterpret_cast<const char*>(&at(id));
    __builtin_prefetch(p);
    __builtin_prefetch(p + sizeof(Dest) - 1);
  }
  // Second stage of a batch prefetch: once the slot is (likely) in cache, start loading the
  // Dest its first probe names, so a lookup's two dependent misses overlap across the batch.
  void prefetch_home_dest(uint32_t hash) const {
    const Slot& s = slots_[probe_start(hash)];
    if (s.id != kNoDest && s.hash == hash) __builtin_prefetch(&at(s.id));
  }
  Dest& at(DestId id) { return chunks_[id / kPerChunk][id % kPerChunk]; }
  const Dest& at(DestId id) const { return chunks_[id / kPerChunk][id % kPerChunk]; }
  size_t size() const { return count_; }
  // One past the largest DestId ever used: bitmaps indexed by DestId are sized by this.
  size_t id_limit() const { return limit_; }
  void reserve(size_t n);

  template <typename F>
  void for_each(F&& f) const {
    for (DestId i = 0; i < limit_; ++i)
      if (const Dest& d = at(i); d.in_use) f(i, d);
  }
  template <typename F>
  void for_each_mut(F&& f) {
    for (DestId i = 0; i < limit_; ++i)
      if (Dest& d = at(i); d.in_use) f(i, d);
  }

 private:
  struct Slot {
    uint32_t id = kNoDest;
    uint32_t hash = 0;
  };
  // Dests live in fixed chunks that never move (no copy when the table grows, references
  // stay valid); each chunk is faulted in by one call when allocated (big_alloc in
  // route_table.cpp says why not transparent huge pages).
  static constexpr size_t kChunkBytes = size_t{4} << 20;
  static constexpr size_t kPerChunk = kChunkBytes / sizeof(Dest);
  size_t probe_start(uint32_t h) const { return h & mask_; }
  void grow();
  void resize_slots(size_t n);
  void insert_slot(uint32_t id, uint32_t h);
  DestId new_dest();

  std::vector<Dest*> chunks_;
  size_t limit_ = 0;
  std::vector<DestId> free_;
  Slot* slots_ = nullptr;
  size_t slot_count_ = 0;
  size_t mask_ = 0;
  size_t count_ = 0;
};

extern template class BasicRouteTable<wire::EvpnRoute>;
extern template class BasicRouteTable<IpPrefix>;
using Dest = BasicDest<wire::EvpnRoute>;
using RouteTable = BasicRouteTable<wire::EvpnRoute>;
using UnicastDest = BasicDest<IpPrefix>;
using UnicastTable = BasicRouteTable<IpPrefix>;

}  // namespace evpnd::bgp

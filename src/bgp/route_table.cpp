#include "bgp/route_table.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace evpnd::bgp {
namespace {

constexpr size_t kBigAlign = size_t{2} << 20;

// Large, long-lived arrays (Dest chunks, the slot index) are faulted in with one
// MADV_POPULATE_WRITE call per allocation (Linux 5.14+; elsewhere the pages fault on first touch
// as usual) instead of one page fault per 4 KiB, and deliberately NOT with transparent huge
// pages. Measured on the 2-core VM (rr-bench 1M type-2): with MADV_HUGEPAGE the announce took
// 0.25 s or 0.50 s depending on the run, the slow runs spending 0.2-0.3 s of system time in
// clear_page_erms of the 2 MiB faults: whole free 2 MiB blocks are the ones the guest reported
// to the hypervisor (virtio-balloon free page reporting), so touching them faults on the host
// as well. 4 KiB pages come from blocks that are still backed: 0.27-0.29 s every run.
void* big_alloc(size_t bytes) {
  if (bytes < kBigAlign) {
    void* p = std::malloc(bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const size_t rounded = (bytes + kBigAlign - 1) / kBigAlign * kBigAlign;
  void* p = std::aligned_alloc(kBigAlign, rounded);
  if (!p) throw std::bad_alloc();
#ifdef MADV_POPULATE_WRITE
  madvise(p, rounded, MADV_POPULATE_WRITE);  // best effort: EINVAL on older kernels
#endif
  return p;
}

}  // namespace

template <typename N>
BasicRouteTable<N>::BasicRouteTable() { resize_slots(1024); }

template <typename N>
BasicRouteTable<N>::~BasicRouteTable() {
  for (size_t c = 0; c < chunks_.size(); ++c) {
    const size_t n = std::min(kPerChunk, limit_ - c * kPerChunk);
    for (size_t i = 0; i < n; ++i) chunks_[c][i].~Dest();
    std::free(chunks_[c]);
  }
  std::free(slots_);
}

template <typename N>
void BasicRouteTable<N>::resize_slots(size_t n) {
  std::free(slots_);
  slots_ = static_cast<Slot*>(big_alloc(n * sizeof(Slot)));
  std::fill(slots_, slots_ + n, Slot{});
  slot_count_ = n;
  mask_ = n - 1;
}

template <typename N>
void BasicRouteTable<N>::reserve(size_t n) {
  while (slot_count_ < n * 2) grow();
}

template <typename N>
DestId BasicRouteTable<N>::find(const N& r, uint32_t h) const {
  const size_t mask = mask_;
  for (size_t i = probe_start(h);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id == kNoDest) return kNoDest;
    if (s.hash == h && key_equal(at(s.id).nlri(), r)) return s.id;
  }
}

template <typename N>
void BasicRouteTable<N>::insert_slot(uint32_t id, uint32_t h) {
  const size_t mask = mask_;
  size_t i = probe_start(h);
  while (slots_[i].id != kNoDest) i = (i + 1) & mask;
  slots_[i] = Slot{id, h};
}

template <typename N>
void BasicRouteTable<N>::grow() {
  Slot* old = slots_;
  const size_t old_count = slot_count_;
  slots_ = nullptr;
  resize_slots(old_count * 2);
  for (size_t i = 0; i < old_count; ++i)
    if (old[i].id != kNoDest) insert_slot(old[i].id, old[i].hash);
  std::free(old);
}

template <typename N>
DestId BasicRouteTable<N>::new_dest() {
  if (!free_.empty()) {
    const DestId id = free_.back();
    free_.pop_back();
    return id;
  }
  if (limit_ == chunks_.size() * kPerChunk) chunks_.push_back(static_cast<Dest*>(big_alloc(kPerChunk * sizeof(Dest))));
  const DestId id = static_cast<DestId>(limit_++);
  // Default- not value-initialised: `Dest()` zeroed all 112 bytes with rep stos, and the
  // caller's first read of the PathList size right after stalled on it (rep-string stores do
  // not forward); the members that matter have initialisers, the path buffer is raw storage.
  // The Dests handed out next are requested for writing now: this memory is cold.
  new (&at(id)) Dest;
  constexpr DestId kAhead = 8;
  if ((id + kAhead) / kPerChunk == id / kPerChunk) {
    const char* p = reinterpret_cast<const char*>(&at(id + kAhead));
    __builtin_prefetch(p, 1);
    __builtin_prefetch(p + sizeof(Dest) - 1, 1);
  }
  return id;
}

template <typename N>
DestId BasicRouteTable<N>::find_or_create(const N& r, uint32_t h, bool* created) {
  const size_t mask = mask_;
  size_t i = probe_start(h);
  for (;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id == kNoDest) break;
    if (s.hash == h && key_equal(at(s.id).nlri(), r)) {
      if (created) *created = false;
      return s.id;
    }
  }
  const DestId id = new_dest();
  Dest& d = at(id);
  d.in_use = true;
  d.best = -1;
  d.adv_from = kNoPeer;
  d.paths.clear();
  d.paths.emplace_back(r, AttrRef{}, kNoPeer, path_flag::kWithdrawn);
  ++count_;
  if (created) *created = true;
  if (count_ * 2 > slot_count_) {
    grow();
    insert_slot(id, h);
  } else {
    slots_[i] = Slot{id, h};
  }
  return id;
}

template <typename N>
void BasicRouteTable<N>::erase(DestId id, uint32_t h) {
  Dest& d = at(id);
  if (!d.in_use) return;
  const size_t mask = mask_;
  size_t i = probe_start(h);
  while (slots_[i].id != id) i = (i + 1) & mask;
  // Backward-shift deletion keeps linear probing correct without tombstones.
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (slots_[j].id == kNoDest) break;
    const size_t k = probe_start(slots_[j].hash);
    // Move slot j back to i when its home k is not cyclically within (i, j].
    const bool in_range = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
    if (!in_range) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
  d.paths.reset();
  d.best = -1;
  d.adv_from = kNoPeer;
  d.in_use = false;
  free_.push_back(id);
  --count_;
}

template class BasicRouteTable<wire::EvpnRoute>;
template class BasicRouteTable<IpPrefix>;

}  // namespace evpnd::bgp

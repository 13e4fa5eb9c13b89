#include "bgp/route_table.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace evpnd::bgp {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}
uint64_t load8(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint64_t mix_bytes(uint64_t h, const uint8_t* p, size_t n) {
  while (n >= 8) {
    h = mix(h, load8(p));
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return mix(h, tail ^ (n << 56));
}
// mix_bytes for a length known at compile time, same value. The variable-length tail copy
// above is a byte loop into a stack word read back whole: a store-forwarding stall per call
// (perf annotate: two thirds of mix_ip's samples on the instruction after that load).
template <size_t N>
uint64_t mix_fixed(uint64_t h, const uint8_t* p) {
  for (size_t i = 0; i + 8 <= N; i += 8) h = mix(h, load8(p + i));
  constexpr size_t kTail = N % 8;
  uint64_t tail = 0;
  if constexpr (kTail >= 4) {
    uint32_t lo;
    std::memcpy(&lo, p + N - kTail, 4);
    tail = lo;
    for (size_t i = 4; i < kTail; ++i) tail |= uint64_t{p[N - kTail + i]} << (8 * i);
  } else {
    for (size_t i = 0; i < kTail; ++i) tail |= uint64_t{p[N - kTail + i]} << (8 * i);
  }
  return mix(h, tail ^ (uint64_t{kTail} << 56));
}
uint64_t mix_ip(uint64_t h, const IpAddress& a) {
  h = mix(h, static_cast<uint8_t>(a.family()));
  if (a.is_v4()) return mix_fixed<4>(h, a.data());
  if (a.is_v6()) return mix_fixed<16>(h, a.data());
  return mix_fixed<0>(h, a.data());
}
// Whole-field comparisons as word loads (the defaulted operator== of the std::array members
// compiled to memcmp calls: 4% of the withdrawal's samples).
bool rd_eq(const Rd& a, const Rd& b) { return load8(a.data()) == load8(b.data()); }
bool mac_eq(const Mac& a, const Mac& b) {
  uint32_t x, y;
  std::memcpy(&x, a.data(), 4);
  std::memcpy(&y, b.data(), 4);
  uint16_t u, v;
  std::memcpy(&u, a.data() + 4, 2);
  std::memcpy(&v, b.data() + 4, 2);
  return x == y && u == v;
}
bool ip_eq(const IpAddress& a, const IpAddress& b) {
  return a.family() == b.family() && load8(a.data()) == load8(b.data()) && load8(a.data() + 8) == load8(b.data() + 8);
}
uint64_t finalize(uint64_t h) {  // splitmix64 finaliser: spreads the bits for the mask
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

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

size_t key_hash(const wire::EvpnRoute& r) {
  uint64_t h = r.index();
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, wire::UnknownEvpnRoute>) {
          h = mix(h, v.route_type);
          h = mix_bytes(h, v.value.data(), v.value.size());
        } else {
          h = mix_fixed<8>(h, v.rd.data());
          if constexpr (std::is_same_v<T, wire::EthernetAutoDiscovery>) {
            h = mix_fixed<10>(mix(h, v.ethernet_tag), v.esi.data());
          } else if constexpr (std::is_same_v<T, wire::MacIpAdvertisement>) {
            h = mix(mix(h, v.ethernet_tag), v.mac.as_u64());
            h = mix_ip(h, v.ip);
          } else if constexpr (std::is_same_v<T, wire::InclusiveMulticast>) {
            h = mix_ip(mix(h, v.ethernet_tag), v.originator);
          } else if constexpr (std::is_same_v<T, wire::EthernetSegment>) {
            h = mix_ip(mix_fixed<10>(h, v.esi.data()), v.originator);
          } else if constexpr (std::is_same_v<T, wire::IpPrefixRoute>) {
            h = mix_ip(mix(h, v.ethernet_tag * 256u + v.prefix.length()), v.prefix.address());
          }
        }
      },
      r);
  return finalize(h);
}

bool key_equal(const wire::EvpnRoute& a, const wire::EvpnRoute& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, wire::UnknownEvpnRoute>) {
          return x.route_type == y.route_type && x.value == y.value;
        } else if constexpr (std::is_same_v<T, wire::EthernetAutoDiscovery>) {
          return x.rd == y.rd && x.esi == y.esi && x.ethernet_tag == y.ethernet_tag;
        } else if constexpr (std::is_same_v<T, wire::MacIpAdvertisement>) {
          return x.ethernet_tag == y.ethernet_tag && rd_eq(x.rd, y.rd) && mac_eq(x.mac, y.mac) && ip_eq(x.ip, y.ip);
        } else if constexpr (std::is_same_v<T, wire::InclusiveMulticast>) {
          return x.ethernet_tag == y.ethernet_tag && rd_eq(x.rd, y.rd) && ip_eq(x.originator, y.originator);
        } else if constexpr (std::is_same_v<T, wire::EthernetSegment>) {
          return x.rd == y.rd && x.esi == y.esi && x.originator == y.originator;
        } else {
          return x.rd == y.rd && x.ethernet_tag == y.ethernet_tag && x.prefix == y.prefix;
        }
      },
      a);
}

size_t key_hash(const IpPrefix& p) {
  return finalize(mix_ip(mix(static_cast<uint64_t>(p.length()) + 0x100, 0), p.address()));
}

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

// PathList: the paths of one Dest, a small vector with room for one path inline.
//
// NOTE performance: almost every EVPN route has exactly one path (one originating VTEP; a
// route reflector sees it once per originator), so the first path lives inside the Dest and
// a million-route table needs no heap block per route (no malloc, no page faults beyond the
// Dest array itself, ~110 bytes less per route). Two or more paths move to the heap.
// The interface is the subset of std::vector that the RIB and its readers use.
// NOTE family-generic: templated on the RIB key type N (wire::EvpnRoute for l2vpn-evpn,
// IpPrefix for ipv4/ipv6-unicast, whose family is the prefix's); `Path`/`PathList` are the EVPN
// instances, `UnicastPath`/`UnicastPathList` the unicast ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "bgp/attr_table.hpp"
#include "core/ip.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::bgp {

using PeerId = uint32_t;
inline constexpr PeerId kNoPeer = 0xFFFFFFFF;

namespace path_flag {
inline constexpr uint8_t kStale = 1;      // RFC 4724 §4.2: kept while the peer restarts
inline constexpr uint8_t kWithdrawn = 2;  // tombstone, not a candidate
}  // namespace path_flag

template <typename N>
struct BasicPath {
  N nlri;  // as received: EVPN labels, ESI and gateway may differ between paths of one Dest
  AttrRef info;
  PeerId peer = kNoPeer;
  uint8_t flags = 0;
  bool live() const { return !(flags & path_flag::kWithdrawn); }
};

template <typename N>
class BasicPathList {
 public:
  using Path = BasicPath<N>;
  using iterator = Path*;
  using const_iterator = const Path*;

  BasicPathList() = default;
  BasicPathList(const BasicPathList& o) { copy_from(o); }
  BasicPathList(BasicPathList&& o) noexcept { steal(o); }
  BasicPathList& operator=(const BasicPathList& o) {
    if (this != &o) {
      release();
      copy_from(o);
    }
    return *this;
  }
  BasicPathList& operator=(BasicPathList&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~BasicPathList() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Path* data() { return cap_ == 1 ? inline_ptr() : heap(); }
  const Path* data() const { return cap_ == 1 ? inline_ptr() : heap(); }
  Path& operator[](size_t i) { return data()[i]; }
  const Path& operator[](size_t i) const { return data()[i]; }
  Path* begin() { return data(); }
  Path* end() { return data() + size_; }
  const Path* begin() const { return data(); }
  const Path* end() const { return data() + size_; }
  Path& front() { return data()[0]; }
  const Path& front() const { return data()[0]; }
  Path& back() { return data()[size_ - 1]; }
  const Path& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n > cap_) regrow(n);
  }
  void push_back(Path p) {
    if (size_ == cap_) regrow(cap_ * 2);
    new (data() + size_) Path(std::move(p));
    ++size_;
  }
  // Builds the path in place: a Path temporary on the stack, copied into the Dest, cost a
  // store-forwarding stall per new route (perf annotate of RouteTable::find_or_create).
  // The arguments must not refer into this list.
  template <typename... A>
  Path& emplace_back(A&&... a) {
    if (size_ == cap_) regrow(cap_ * 2);
    Path* p = new (data() + size_) Path{std::forward<A>(a)...};
    ++size_;
    return *p;
  }
  // Back to empty with the inline slot, without building a PathList temporary to move from.
  void reset() { release(); }
  Path* erase(Path* pos) {
    Path* d = data();
    for (Path* p = pos; p + 1 != d + size_; ++p) *p = std::move(p[1]);
    d[size_ - 1].~Path();
    --size_;
    return pos;
  }
  void clear() {
    Path* d = data();
    for (uint32_t i = 0; i < size_; ++i) d[i].~Path();
    size_ = 0;
  }

 private:
  Path* inline_ptr() { return std::launder(reinterpret_cast<Path*>(buf_)); }
  const Path* inline_ptr() const { return std::launder(reinterpret_cast<const Path*>(buf_)); }
  // With more than one slot, the first bytes of buf_ hold the heap pointer.
  Path* heap() const {
    Path* p;
    std::memcpy(&p, buf_, sizeof p);
    return p;
  }
  // Rare (a second path), kept out of line so the common inline paths stay small.
  [[gnu::noinline]] void regrow(size_t n) {
    Path* fresh = std::allocator<Path>().allocate(n);
    Path* old = data();
    for (uint32_t i = 0; i < size_; ++i) {
      new (fresh + i) Path(std::move(old[i]));
      old[i].~Path();
    }
    if (cap_ > 1) std::allocator<Path>().deallocate(old, cap_);
    std::memcpy(buf_, &fresh, sizeof fresh);
    cap_ = static_cast<uint32_t>(n);
  }
  void release() {
    clear();
    if (cap_ > 1) std::allocator<Path>().deallocate(heap(), cap_);
    cap_ = 1;
  }
  void copy_from(const BasicPathList& o) {
    reserve(o.size_);
    for (const Path& p : o) push_back(p);
  }
  void steal(BasicPathList& o) {
    if (o.cap_ > 1) {
      std::memcpy(buf_, o.buf_, sizeof(Path*));
      cap_ = o.cap_;
      size_ = o.size_;
      o.cap_ = 1;
      o.size_ = 0;
      return;
    }
    if (o.size_) {
      new (inline_ptr()) Path(std::move(*o.inline_ptr()));
      size_ = 1;
      o.clear();
    }
  }

  alignas(Path) unsigned char buf_[sizeof(Path)];
  uint32_t size_ = 0;
  uint32_t cap_ = 1;
};

using Path = BasicPath<wire::EvpnRoute>;
using PathList = BasicPathList<wire::EvpnRoute>;
using UnicastPath = BasicPath<IpPrefix>;
using UnicastPathList = BasicPathList<IpPrefix>;

}  // namespace evpnd::bgp

// Route identity, defined once beside the codec (issue 10): which NLRI fields make two routes
// "the same route" for the RIB, in the forms its users need:
//   route_key(r)          the key as bytes (type byte first): ordered maps and sets (EVPN's
//                         KeyMap, ethernet_segment.cpp), logs; route_key.cpp;
//   key_hash / key_equal  the same identity without serialising (the BGP route tables' hot path:
//                         1M type-2 routes hash and compare with no allocation).
// They agree (route_key_test.cpp: key_equal(a, b) == (route_key(a) == route_key(b)), and equal
// keys hash equally).
//
// EVPN key fields (RFC 7432 §7.1-7.4 "for the purpose of BGP route key processing", RFC 9136
// §3.1): the type and RD, then 1: ESI, Ethernet Tag; 2: Ethernet Tag, MAC, IP; 3: Ethernet Tag,
// originator IP; 4: ESI, originator IP; 5: Ethernet Tag, prefix. Labels, a type-2's ESI and a
// type-5's ESI / gateway are attributes of the path, not key. Unknown types: the whole value.
// Unicast (ipv4/ipv6-unicast, RFC 4271 / RFC 4760): the prefix (family, length, address with
// host bits clear).
//
// NOTE performance: key_hash / key_equal are inline on purpose: they run for every route a
// table looks up and were tuned there (compile-time lengths, word loads; route_table.cpp's
// history). Hash values are only ever used in memory, never on the wire or on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <variant>

#include "core/ip.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::wire {

Bytes route_key(const EvpnRoute& r);  // (also declared in evpn_route.hpp)

namespace key_detail {

inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}
inline uint64_t load8(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t mix_bytes(uint64_t h, const uint8_t* p, size_t n) {
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
inline uint64_t mix_fixed(uint64_t h, const uint8_t* p) {
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
inline uint64_t mix_ip(uint64_t h, const IpAddress& a) {
  h = mix(h, static_cast<uint8_t>(a.family()));
  if (a.is_v4()) return mix_fixed<4>(h, a.data());
  if (a.is_v6()) return mix_fixed<16>(h, a.data());
  return mix_fixed<0>(h, a.data());
}
// Whole-field comparisons as word loads (the defaulted operator== of the std::array members
// compiled to memcmp calls: 4% of the withdrawal's samples).
inline bool rd_eq(const Rd& a, const Rd& b) { return load8(a.data()) == load8(b.data()); }
inline bool mac_eq(const Mac& a, const Mac& b) {
  uint32_t x, y;
  std::memcpy(&x, a.data(), 4);
  std::memcpy(&y, b.data(), 4);
  uint16_t u, v;
  std::memcpy(&u, a.data() + 4, 2);
  std::memcpy(&v, b.data() + 4, 2);
  return x == y && u == v;
}
inline bool ip_eq(const IpAddress& a, const IpAddress& b) {
  return a.family() == b.family() && load8(a.data()) == load8(b.data()) && load8(a.data() + 8) == load8(b.data() + 8);
}
inline uint64_t finalize(uint64_t h) {  // splitmix64 finaliser: spreads the bits for a mask
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

}  // namespace key_detail

inline size_t key_hash(const EvpnRoute& r) {
  using namespace key_detail;
  uint64_t h = r.index();
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, UnknownEvpnRoute>) {
          h = mix(h, v.route_type);
          h = mix_bytes(h, v.value.data(), v.value.size());
        } else {
          h = mix_fixed<8>(h, v.rd.data());
          if constexpr (std::is_same_v<T, EthernetAutoDiscovery>) {
            h = mix_fixed<10>(mix(h, v.ethernet_tag), v.esi.data());
          } else if constexpr (std::is_same_v<T, MacIpAdvertisement>) {
            h = mix(mix(h, v.ethernet_tag), v.mac.as_u64());
            h = mix_ip(h, v.ip);
          } else if constexpr (std::is_same_v<T, InclusiveMulticast>) {
            h = mix_ip(mix(h, v.ethernet_tag), v.originator);
          } else if constexpr (std::is_same_v<T, EthernetSegment>) {
            h = mix_ip(mix_fixed<10>(h, v.esi.data()), v.originator);
          } else if constexpr (std::is_same_v<T, IpPrefixRoute>) {
            h = mix_ip(mix(h, v.ethernet_tag * 256u + v.prefix.length()), v.prefix.address());
          }
        }
      },
      r);
  return finalize(h);
}

inline bool key_equal(const EvpnRoute& a, const EvpnRoute& b) {
  using namespace key_detail;
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, UnknownEvpnRoute>) {
          return x.route_type == y.route_type && x.value == y.value;
        } else if constexpr (std::is_same_v<T, EthernetAutoDiscovery>) {
          return x.rd == y.rd && x.esi == y.esi && x.ethernet_tag == y.ethernet_tag;
        } else if constexpr (std::is_same_v<T, MacIpAdvertisement>) {
          return x.ethernet_tag == y.ethernet_tag && rd_eq(x.rd, y.rd) && mac_eq(x.mac, y.mac) && ip_eq(x.ip, y.ip);
        } else if constexpr (std::is_same_v<T, InclusiveMulticast>) {
          return x.ethernet_tag == y.ethernet_tag && rd_eq(x.rd, y.rd) && ip_eq(x.originator, y.originator);
        } else if constexpr (std::is_same_v<T, EthernetSegment>) {
          return x.rd == y.rd && x.esi == y.esi && x.originator == y.originator;
        } else {
          return x.rd == y.rd && x.ethernet_tag == y.ethernet_tag && x.prefix == y.prefix;
        }
      },
      a);
}

// Unicast: the prefix is the whole key (IpPrefix keeps host bits clear, so == is the identity).
inline size_t key_hash(const IpPrefix& p) {
  using namespace key_detail;
  return finalize(mix_ip(mix(static_cast<uint64_t>(p.length()) + 0x100, 0), p.address()));
}
inline bool key_equal(const IpPrefix& a, const IpPrefix& b) { return a == b; }

}  // namespace evpnd::wire

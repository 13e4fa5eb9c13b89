// route_key(): the RIB key of an EVPN route as bytes (route_key.hpp says which fields and why;
// key_hash / key_equal there are the same identity without the bytes).
#include "wire/route_key.hpp"

#include <type_traits>

namespace evpnd::wire {
namespace {

void put32(Bytes& b, uint32_t v) {
  const uint8_t x[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
  b.insert(b.end(), x, x + 4);
}
void put(Bytes& b, const uint8_t* p, size_t n) { b.insert(b.end(), p, p + n); }
// IP Length (bits) then the address: keeps IPv4 and IPv6 keys apart and self-delimiting.
void put_ip(Bytes& b, const IpAddress& a) {
  b.push_back(uint8_t(a.size() * 8));
  put(b, a.data(), a.size());
}

}  // namespace

// Key fields per route type (RFC 7432 §7.1-7.4 "for the purpose of BGP route key processing",
// RFC 9136 §3.1), always after the type byte and the RD:
//   1: ESI, Ethernet Tag           2: Ethernet Tag, MAC, IP Length, IP
//   3: Ethernet Tag, IP Length, IP 4: ESI, IP Length, IP
//   5: Ethernet Tag, Prefix Length, Prefix (4 or 16 bytes, family from the address)
//   unknown: the type byte and the whole value (we cannot tell key from attribute).
Bytes route_key(const EvpnRoute& r) {
  Bytes k;
  k.reserve(48);
  k.push_back(route_type(r));
  std::visit(
      [&k](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, UnknownEvpnRoute>) {
          put(k, v.value.data(), v.value.size());
        } else {
          put(k, v.rd.data(), 8);
          if constexpr (std::is_same_v<T, EthernetAutoDiscovery>) {
            put(k, v.esi.data(), 10);
            put32(k, v.ethernet_tag);
          } else if constexpr (std::is_same_v<T, MacIpAdvertisement>) {
            put32(k, v.ethernet_tag);
            put(k, v.mac.data(), 6);
            put_ip(k, v.ip);
          } else if constexpr (std::is_same_v<T, InclusiveMulticast>) {
            put32(k, v.ethernet_tag);
            put_ip(k, v.originator);
          } else if constexpr (std::is_same_v<T, EthernetSegment>) {
            put(k, v.esi.data(), 10);
            put_ip(k, v.originator);
          } else {
            put32(k, v.ethernet_tag);
            k.push_back(v.prefix.length());
            put_ip(k, v.prefix.address());
          }
        }
      },
      r);
  return k;
}

}  // namespace evpnd::wire

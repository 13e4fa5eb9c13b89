// EVPN route identity and text: route_type, route_rd, route_key (RIB key bytes), frr_prefix
// and to_string. The codec itself is in evpn_route.cpp.
#include <string>
#include <string_view>
#include <type_traits>

#include "wire/evpn_route.hpp"

namespace evpnd::wire {
namespace {

template <typename T>
constexpr uint8_t type_of() {
  if constexpr (std::is_same_v<T, EthernetAutoDiscovery>) return 1;
  else if constexpr (std::is_same_v<T, MacIpAdvertisement>) return 2;
  else if constexpr (std::is_same_v<T, InclusiveMulticast>) return 3;
  else if constexpr (std::is_same_v<T, EthernetSegment>) return 4;
  else return 5;
}

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

// GCC 12 reports false -Wrestrict on chains of `"[" + std::string + ...`: build by appending.
void field(std::string& s, std::string_view v, bool first = false) {
  if (!first) s += ':';
  s += '[';
  s += v;
  s += ']';
}
void field(std::string& s, uint32_t v) { field(s, std::to_string(v)); }
void bits_and_ip(std::string& s, const IpAddress& a) {
  field(s, uint32_t(a.size() * 8));
  field(s, a.to_string());
}

}  // namespace

uint8_t route_type(const EvpnRoute& r) {
  return std::visit(
      [](const auto& v) -> uint8_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, UnknownEvpnRoute>) return v.route_type;
        else return type_of<T>();
      },
      r);
}

const Rd* route_rd(const EvpnRoute& r) {
  return std::visit(
      [](const auto& v) -> const Rd* {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, UnknownEvpnRoute>) return nullptr;
        else return &v.rd;
      },
      r);
}

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

std::string frr_prefix(const EvpnRoute& r) {
  std::string s;
  s.reserve(64);
  field(s, std::to_string(route_type(r)), true);
  std::visit(
      [&s](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, UnknownEvpnRoute>) {
          field(s, to_hex(v.value));
        } else if constexpr (std::is_same_v<T, EthernetAutoDiscovery>) {
          field(s, v.ethernet_tag);
          field(s, v.esi.to_string());
        } else if constexpr (std::is_same_v<T, MacIpAdvertisement>) {
          field(s, v.ethernet_tag);
          field(s, 48);
          field(s, v.mac.to_string());
          if (!v.ip.empty()) bits_and_ip(s, v.ip);
        } else if constexpr (std::is_same_v<T, InclusiveMulticast>) {
          field(s, v.ethernet_tag);
          bits_and_ip(s, v.originator);
        } else if constexpr (std::is_same_v<T, EthernetSegment>) {
          field(s, v.esi.to_string());
          bits_and_ip(s, v.originator);
        } else {
          field(s, v.ethernet_tag);
          field(s, v.prefix.length());
          field(s, v.prefix.address().to_string());
        }
      },
      r);
  return s;
}

std::string to_string(const EvpnRoute& r) {
  const Rd* rd = route_rd(r);
  if (!rd) return frr_prefix(r);
  std::string s = rd->to_string();
  s += ' ';
  s += frr_prefix(r);
  return s;
}

}  // namespace evpnd::wire

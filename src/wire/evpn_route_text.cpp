// EVPN route text and accessors: route_type, route_rd, frr_prefix and to_string. The codec
// itself is in evpn_route.cpp, route identity (route_key) in route_key.cpp.
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

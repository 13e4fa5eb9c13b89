// Shared inputs of the wire benchmarks: type-2 MAC+IP routes as FRR sends them for symmetric
// IRB (RD type 1, zero ESI, tag 0, IPv4, labels L2VNI + L3VNI: 40-byte value, 42 on the wire).
#pragma once

#include <cstdint>
#include <vector>

#include "wire/evpn_route.hpp"

namespace evpnd::bench {

// The number of such routes that fill one 4096-byte UPDATE next to FRR's attributes
// (ORIGIN, empty AS_PATH, LOCAL_PREF, 3 ext communities, MP_REACH with an IPv4 next hop).
inline constexpr size_t kRoutesPerUpdate = 95;

inline std::vector<wire::EvpnRoute> make_type2_routes(size_t n, uint32_t first = 0) {
  std::vector<wire::EvpnRoute> routes;
  routes.reserve(n);
  const Rd rd = Rd::type1(IpAddress::v4(0x0AFF0001), 3);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = first + uint32_t(i);
    const uint8_t mac[6] = {0x02, 0x00, uint8_t(k >> 24), uint8_t(k >> 16), uint8_t(k >> 8), uint8_t(k)};
    wire::MacIpAdvertisement m;
    m.rd = rd;
    m.mac = Mac(mac);
    m.ip = IpAddress::v4(0xC0A80000 | (k & 0xFFFF));
    m.label1 = 100;
    m.label2 = 5000;
    routes.emplace_back(m);
  }
  return routes;
}

}  // namespace evpnd::bench

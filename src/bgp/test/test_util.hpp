// Helpers shared by the bgp tests.
#pragma once

#include "bgp/attr_table.hpp"
#include "bgp/route_table.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::bgp::test {

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }

inline wire::EvpnRoute type2(uint32_t i, const char* rd = "10.0.0.1:2", uint32_t vni = 100) {
  wire::MacIpAdvertisement r;
  r.rd = *Rd::parse(rd);
  const uint8_t mac[6] = {0x02, 0x4c, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
  r.mac = Mac(mac);
  r.ip = IpAddress::v4(0xc0a80000u + i);
  r.label1 = vni;
  return r;
}

inline AttrRef attrs(AttrTable& t, wire::PathAttributes a, const char* nh = "10.0.0.1") {
  return t.intern(PathInfo{std::move(a), ip(nh), 0});
}

inline wire::PathAttributes ibgp_attrs(uint32_t local_pref = 100) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path = wire::AsPath{};
  a.local_pref = local_pref;
  return a;
}

}  // namespace evpnd::bgp::test

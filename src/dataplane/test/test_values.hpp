// Shared test values for the data-plane tests (the FRR lab of FRR-INTEROP.md §1).
#pragma once

#include "dataplane/intent.hpp"

namespace evpnd::dataplane::test {

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }
inline IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
inline Mac mac(const char* s) { return *Mac::parse(s); }

inline L2Vni l2vni(Vni vni, NetnsName ns = "") {
  L2Vni v;
  v.vni = vni;
  v.vxlan_device = "vxlan" + std::to_string(vni);
  v.bridge = "br" + std::to_string(vni);
  v.local_vtep = ip("10.255.0.1");
  v.netns = std::move(ns);
  return v;
}

inline L3Vni l3vni(Vni vni, NetnsName ns = "") {
  L3Vni v;
  v.name = "tenant1";
  v.l3vni = vni;
  v.vxlan_device = "vxlan" + std::to_string(vni);
  v.bridge = "br" + std::to_string(vni);
  v.router_mac = mac("02:00:0a:ff:00:01");
  v.local_vtep = ip("10.255.0.1");
  v.netns = std::move(ns);
  return v;
}

}  // namespace evpnd::dataplane::test

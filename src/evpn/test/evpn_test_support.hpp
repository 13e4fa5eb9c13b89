// Shared helpers for the evpn unit tests: the FRR lab configuration (../shared/FRR-INTEROP.md),
// remote routes as leaf2 (10.255.0.2) would send them, and output filters.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "api/config.hpp"
#include "evpn/evpn_service.hpp"
#include "evpn/output.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn::test {

using namespace std::chrono_literals;

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }
inline Mac mac(const char* s) { return *Mac::parse(s); }
inline IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
inline Rd rd(const char* s) { return *Rd::parse(s); }
inline RouteTarget rt(const char* s) { return *RouteTarget::parse(s); }
inline Time t0() { return Time{} + 1000s; }

// leaf1 of the FRR lab: VNIs 100 and 200 in VRF tenant1 (L3VNI 5000), symmetric IRB.
inline api::Config lab_config() {
  api::Config c;
  c.router_id = ip("10.255.0.1");
  c.asn = 65000;
  c.vtep_source = ip("10.255.0.1");
  c.dataplane = api::DataplaneKind::kLinux;
  api::VrfConfig v;
  v.name = "tenant1";
  v.l3vni = 5000;
  v.router_mac = mac("02:00:0a:ff:00:01");
  v.anycast_gateway_mac = mac("02:00:5e:00:01:01");
  c.vrfs.push_back(v);
  api::L2VniConfig a;
  a.vni = 100;
  a.vrf = "tenant1";
  a.gateway = pfx("192.168.100.0/24");
  a.gateway_address = ip("192.168.100.1");
  c.l2vnis.push_back(a);
  api::L2VniConfig b;
  b.vni = 200;
  b.vrf = "tenant1";
  b.gateway = pfx("192.168.200.0/24");
  b.gateway_address = ip("192.168.200.1");
  c.l2vnis.push_back(b);
  return c;
}

struct RemoteMacIp {
  const char* vtep = "10.255.0.2";
  const char* rd = "10.255.0.2:3";
  const char* mac = "02:00:00:00:01:20";
  const char* ip = nullptr;  // MAC-only when null
  Vni l2vni = 100;
  std::vector<const char*> rts = {"65000:100"};
  std::optional<const char*> rmac;
  uint32_t seq = 0;
  bool sticky = false;
};

inline wire::MacIpAdvertisement type2(const RemoteMacIp& s) {
  wire::MacIpAdvertisement r;
  r.rd = rd(s.rd);
  r.mac = mac(s.mac);
  if (s.ip) r.ip = ip(s.ip);
  r.label1 = s.l2vni;
  if (s.rmac) r.label2 = 5000;
  return r;
}

inline wire::PathAttributes type2_attrs(const RemoteMacIp& s) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path = wire::AsPath{};
  a.local_pref = 100;
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  for (const char* r : s.rts) a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(r)));
  if (s.rmac) a.ext_communities.push_back(wire::ExtCommunity::router_mac(mac(*s.rmac)));
  if (s.seq > 0 || s.sticky) a.ext_communities.push_back(wire::ExtCommunity::mac_mobility(s.seq, s.sticky));
  return a;
}

inline wire::PathAttributes imet_attrs(const char* vtep, Vni vni, const char* rtv) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(rtv)));
  wire::PmsiTunnel p;
  p.tunnel_type = 6;
  p.label = vni;
  const IpAddress v = ip(vtep);
  p.tunnel_id.assign(v.data(), v.data() + 4);
  a.pmsi_tunnel = p;
  return a;
}

inline wire::IpPrefixRoute type5(const char* rdv, const char* prefix, Vni l3vni = 5000) {
  wire::IpPrefixRoute r;
  r.rd = rd(rdv);
  r.prefix = pfx(prefix);
  r.gateway = r.prefix.family() == IpFamily::kV4 ? ip("0.0.0.0") : ip("::");
  r.label = l3vni;
  return r;
}

inline wire::PathAttributes type5_attrs(const char* rtv, const char* rmac) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(rtv)));
  a.ext_communities.push_back(wire::ExtCommunity::router_mac(mac(rmac)));
  return a;
}

// Filters of an Output.
template <class T>
std::vector<T> intents_of(const Output& o, dataplane::Action a) {
  std::vector<T> out;
  for (const auto& i : o.intents) {
    if (i.action == a) {
      if (const T* t = i.get<T>()) out.push_back(*t);
    }
  }
  return out;
}
template <class T>
std::vector<T> adds(const Output& o) { return intents_of<T>(o, dataplane::Action::kAdd); }
template <class T>
std::vector<T> dels(const Output& o) { return intents_of<T>(o, dataplane::Action::kDelete); }

inline std::vector<RouteUpdate> routes_of(const Output& o, RouteOp op) {
  std::vector<RouteUpdate> out;
  for (const auto& r : o.routes) {
    if (r.op == op) out.push_back(r);
  }
  return out;
}
inline std::vector<RouteUpdate> advertised(const Output& o) { return routes_of(o, RouteOp::kAdvertise); }
inline std::vector<RouteUpdate> withdrawn(const Output& o) { return routes_of(o, RouteOp::kWithdraw); }

inline std::optional<wire::ExtCommunity::MacMobility> mobility(const wire::PathAttributes& a) {
  for (const auto& ec : a.ext_communities) {
    if (auto mm = ec.as_mac_mobility()) return mm;
  }
  return std::nullopt;
}

inline size_t count_notices(const Output& o, NoticeKind k) {
  size_t n = 0;
  for (const auto& x : o.notices) n += x.kind == k;
  return n;
}

inline std::string hex_of(const wire::PathAttributes& a) {
  Bytes b;
  for (const auto& ec : a.ext_communities) b.insert(b.end(), ec.raw.begin(), ec.raw.end());
  return to_hex(b);
}

}  // namespace evpnd::evpn::test

// One IP-VRF with its L3VNI: symmetric IRB (RFC 9135) and IP prefix routes (RFC 9136).
//
// Owns: the VRF's locally originated type-5 prefixes (connected SVI subnets, configured and
// run-time prefixes, reference-counted by source), the imported host paths (type-2 MAC+IP with
// the VRF's RTs) and prefix paths (type-5), the VRF routes and RMACs told to the data plane.
//
// Import rules:
//   * type-2 MAC+IP -> /32 or /128 host route via the advertising VTEP, with that VTEP's Router's
//     MAC (RFC 9135 §5.2); several VTEPs: MAC-mobility order (highest seq, then lowest VTEP IP);
//     no host route for an address that is a local neighbour here, nor for the anycast gateway;
//   * type-5 -> prefix route with one next hop per VTEP over all best paths of the prefix (each
//     RD brings its own best path, so ECMP across VTEPs: RFC 9136 §4.4.1);
//   * a host path outranks prefix paths for the same /32 (more specific knowledge);
//   * nothing is installed for a prefix this VRF originates itself or has a BGP route for from
//     one of its CEs (local wins, as FRR's locally originated path with weight 32768 does);
//   * a path without the Router's MAC (asymmetric IRB, RFC 9136 gateway-IP overlay index) is
//     ignored with a notice: this VTEP only routes symmetrically.
// Redistribution (issue 10, ip_vrf_bgp.cpp): the VRF's BGP best routes become type-5 routes
// (source kBgp) and kernel routes via the CE; every prefix the VRF routes through EVPN (local
// sources other than BGP, installed remote routes) is offered to the VRF's BGP instance.
// Every next hop VTEP gets one RemoteRmac intent, reference-counted by the routes using it;
// an RMAC is added before the first route that uses it and deleted after the last.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "evpn/output.hpp"
#include "evpn/route_builder.hpp"
#include "evpn/views.hpp"
#include "evpn/vrf_unicast.hpp"

namespace evpnd::evpn {

struct IpVrfConfig {
  std::string name;
  Vni l3vni = 0;
  Rd rd;
  std::vector<RouteTarget> import_rts;
  std::vector<RouteTarget> export_rts;
  Mac router_mac;
  std::optional<Mac> anycast_gateway_mac;
  IpAddress local_vtep;
  std::vector<Vni> l2vnis;  // segments whose SVI is in this VRF (for the views)
  // Redistribution with the VRF's BGP instance (issue 10; api::VrfConfig, ip_vrf_bgp.cpp).
  bool advertise_unicast = true;  // BGP best routes -> type-5 (RFC 9136 §3.1)
  bool gateway_ip = false;        // ... with GW IP = the CE next hop (§3.2 overlay index)
  bool export_evpn = true;        // EVPN-routed prefixes -> Output::unicast (to the CEs)
};

// Why this VTEP originates a type-5 prefix; one type-5 per prefix, withdrawn with the last source.
enum class PrefixSource : uint8_t { kConnected, kConfigured, kRuntime, kBgp };

class IpVrf {
 public:
  explicit IpVrf(IpVrfConfig cfg);

  const IpVrfConfig& config() const { return cfg_; }
  const std::string& name() const { return cfg_.name; }
  Vni l3vni() const { return cfg_.l3vni; }
  bool imports(const std::vector<RouteTarget>& route_rts) const;
  L3Binding binding() const { return {cfg_.l3vni, cfg_.export_rts, cfg_.router_mac}; }
  // An L2VNI whose SVI joins / leaves this VRF at run time (for the views).
  void add_member(Vni l2vni) { cfg_.l2vnis.push_back(l2vni); }
  void remove_member(Vni l2vni) { std::erase(cfg_.l2vnis, l2vni); }

  // Withdraws every type-5 and deletes every intent produced.
  void stop(Output& out);
  // The router MAC changed: re-advertise the type-5 routes with the new Router's MAC.
  void set_router_mac(const Mac& rmac, Output& out);

  // Type-5 origination; returns false when nothing changed (already there / not there).
  bool add_local_prefix(const IpPrefix& p, PrefixSource src, Output& out);
  bool remove_local_prefix(const IpPrefix& p, PrefixSource src, Output& out);
  // The VRF's BGP best route for `p` changed (nullopt = gone; ip_vrf_bgp.cpp): a type-5 with
  // source kBgp (advertise_unicast), the kernel route via the CE (VrfRoute local), exports.
  void bgp_route(const IpPrefix& p, const std::optional<VrfUnicastRoute>& best, Output& out);
  // The redistribution switches changed (configuration reload): type-5 routes of BGP routes
  // advertised / withdrawn / re-advertised with the other GW IP, exports announced / withdrawn.
  void set_redistribution(bool advertise_unicast, bool gateway_ip, bool export_evpn, Output& out);
  // Every prefix currently offered to the VRF's BGP instance (export_evpn), in prefix order.
  std::vector<IpPrefix> exported_prefixes() const;
  // A local neighbour in one of this VRF's segments appeared / went: no remote host route then.
  void set_local_host(const IpAddress& ip, bool present, Output& out);

  void remote_host(const Bytes& key, const wire::MacIpAdvertisement& r, const IpAddress& vtep,
                   const PathInfo& info, Output& out);
  void remote_prefix(const Bytes& key, const wire::IpPrefixRoute& r, const IpAddress& vtep,
                     const PathInfo& info, Output& out);
  // Withdraws a host or prefix path by route key (no-op when unknown).
  void remote_withdraw(const Bytes& key, Output& out);

  std::vector<RmacView> rmac_views() const;
  std::vector<VrfRouteView> route_views() const;
  VrfView vrf_view() const;

 private:
  struct Path {
    IpAddress vtep;
    Mac rmac;
    uint32_t seq = 0;
  };
  struct RouteEntry {
    KeyMap<Path> host_paths;
    KeyMap<Path> prefix_paths;
    std::optional<dataplane::VrfRoute> installed;
  };
  struct Rmac {
    Mac mac;             // latest Router's MAC seen from this VTEP
    uint32_t refs = 0;   // installed routes using the VTEP as next hop
    std::optional<Mac> installed;
  };

  void add_path(const Bytes& key, const IpPrefix& p, Path path, bool host, Output& out);
  void note_rmac(const IpAddress& vtep, const Mac& rmac, Output& out);
  void reconcile(const IpPrefix& p, Output& out);
  std::vector<IpAddress> desired_nexthops(const IpPrefix& p, const RouteEntry& e) const;
  void rmac_ref(const IpAddress& vtep, Output& out);
  void rmac_unref(const IpAddress& vtep, Output& out);
  void advertise_prefix(const IpPrefix& p, Output& out);
  // The type-5's Gateway IP: the CE's next hop with gateway_ip while p has a BGP source, else 0.
  IpAddress type5_gateway(const IpPrefix& p) const;
  // Is `p` something this VRF routes through EVPN and may offer to its BGP instance?
  bool exportable(const IpPrefix& p) const;
  // Announces / withdraws `p` towards the VRF's BGP instance when exportable(p) changed.
  void sync_export(const IpPrefix& p, Output& out);

  IpVrfConfig cfg_;
  std::map<IpPrefix, RouteEntry> routes_;
  KeyMap<std::pair<IpPrefix, bool>> path_index_;  // key -> (prefix, is host path)
  std::map<IpPrefix, std::set<PrefixSource>> local_prefixes_;
  std::set<IpAddress> local_hosts_;
  std::map<IpAddress, Rmac> rmacs_;
  // The VRF's BGP best routes (ip_vrf_bgp.cpp) and what is installed for them: they win over
  // remote paths for the same prefix (nothing remote is installed while one is here).
  struct BgpRoute {
    VrfUnicastRoute best;
    std::optional<dataplane::VrfRoute> installed;
  };
  std::map<IpPrefix, BgpRoute> bgp_routes_;
  std::set<IpPrefix> exported_;  // announced in Output::unicast and not withdrawn since
};

}  // namespace evpnd::evpn

// EvpnService: the facade the engine talks to. It owns one MacVrf per L2VNI and one IpVrf per
// VRF, built from api::Config, and turns every input into an Output (routes to advertise or
// withdraw, data-plane intents, notices).
//
// Inputs (engine -> here):
//   start()                       once: Ensure L2Vni/L3Vni/SviAddress intents, type-3 per VNI,
//                                 type-5 for connected SVI subnets and configured prefixes
//   on_local_mac / _removed       bridge learning on local ports (dataplane events)
//   on_local_neigh / _removed     ARP/ND entries on the SVIs
//   on_dataplane_event            the same four, straight from dataplane::DataplaneEvent
//   on_remote_route               a Loc-RIB best-path change of an EVPN route: the new best path
//                                 (add) or its disappearance (remove); our own routes must not be
//                                 passed (RFC 4456 originator check), and any route whose VTEP is
//                                 ours is ignored anyway
//   on_timer(now)                 DAD freeze expiry; next_deadline() says when to call it
//   announce / withdraw           run-time type-5 prefixes (API)
//   on_vrf_unicast                a VRF's BGP best route changed (issue 10): type-5 + kernel
//                                 route via the CE; Output::unicast carries the VRF's EVPN
//                                 prefixes to its BGP instance (evpn_service_vrf_bgp.cpp)
//   clear_duplicates              `clear evpn dup-addr`
// Before import, route_checks.hpp: a route without VXLAN encapsulation (RFC 8365 §5.1.3, §6) is
// not installed anywhere; a VRF whose local VNI differs from the route's VNI (label fields, RFC
// 8365 §5.1.3) does not import it; a type-5 route with an overlay index or invalid per RFC 9136
// §3.1/§3.2 is not used, nor a non-unicast Router's MAC; a MAC/IP route with a non-reserved ESI is
// used only while an Ethernet A-D per ES route for that ESI is present (RFC 7432 §9.2.2), unless
// the ESI is one of our own segments (MAC sync, mac_vrf.hpp; never a host route: the host is
// local). Counted and logged; BGP keeps the route.
// Ethernet A-D routes (type 1; RFC 7432 §8.6: single-homed PEs process them too) go to
// RemoteEs (remote_es.hpp): per ES when a MAC-VRF imports its RTs, per EVI into the MAC-VRFs
// whose RTs match and whose VNI is its label (RFC 8365 §5.1.3). Each change re-points the
// segment's nexthop groups (aliasing, backup path, mass withdraw) and re-evaluates its MACs.
// Import is by Route Target (RFC 7432 §9.2.1 / RFC 4364 §4.3.1): a type-2 goes to every
// MAC-VRF whose import RTs match (remote MAC/neighbour intents) and, when it has an IP, to
// every IP-VRF whose import RTs match (host route + RMAC); type-3 to MAC-VRFs (flood list);
// type-5 to IP-VRFs (prefix routes, ECMP). A re-advertisement with other RTs moves the path.
//
// Defaults worth knowing: the VTEP address is vtep.source-ip (else the router-id); a VRF without
// a configured router MAC gets 02:00:<last 4 bytes of the VTEP address> (FRR lab convention,
// unique per VTEP) until set_router_mac() gives the L3VNI bridge's real MAC.
// NOTE threading: single-threaded, owned by the engine. No I/O, no clock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "api/config.hpp"
#include "dataplane/intent.hpp"
#include "evpn/dup_detector.hpp"
#include "evpn/ethernet_segment.hpp"
#include "evpn/ip_vrf.hpp"
#include "evpn/mac_vrf.hpp"
#include "evpn/nexthop_groups.hpp"
#include "evpn/output.hpp"
#include "evpn/remote_es.hpp"
#include "evpn/views.hpp"

namespace evpnd::evpn {

struct ServiceCounters {
  uint64_t remote_routes_imported = 0;  // adds that matched at least one VRF
  uint64_t remote_routes_unmatched = 0; // adds whose RTs matched nothing
  uint64_t own_vtep_ignored = 0;        // routes with our own VTEP (reflected back)
  uint64_t unsupported_ignored = 0;     // type 4, unknown, A-D with a reserved ESI; PMSI types other than 6
  uint64_t encap_unsupported = 0;       // no VXLAN encapsulation (RFC 8365 §5.1.3, §6): not installed
  uint64_t vni_mismatch = 0;            // per VRF: route VNI != local VNI (RFC 8365 §5.1.3): not imported
  uint64_t overlay_index_unresolved = 0;  // type 5 with ESI / GW IP / MAC overlay index (RFC 9136 §3.2)
  uint64_t treat_as_withdraw = 0;       // type 5 invalid per RFC 9136 §3.1/§3.2: not used
  uint64_t router_mac_invalid = 0;      // type 2 MAC+IP with a non-unicast Router's MAC: no host route
  uint64_t esi_without_ad_per_es = 0;   // type 2 with a non-reserved ESI and no A-D per ES (RFC 7432 §9.2.2)
  uint64_t es_mass_withdrawals = 0;     // a PE's per-ES routes withdrawn with MACs of the ES installed (§8.2)
};

// What the config does not say but the daemon knows.
struct ServiceOptions {
  // Name of the namespace evpnd runs in ("" if unnamed). A VRF without `netns:` (netns backend)
  // lives in namespace "<underlay_netns>-<vrf>", or "<vrf>" when this is empty (FRR's netns VRF
  // backend names the VRF after its namespace).
  std::string underlay_netns;
};

class EvpnService {
 public:
  explicit EvpnService(const api::Config& cfg, ServiceOptions opts = {});
  // The MAC-VRFs point at remote_es_: not copyable, not movable (held by unique_ptr).
  EvpnService(const EvpnService&) = delete;
  EvpnService& operator=(const EvpnService&) = delete;

  const IpAddress& local_vtep() const { return local_vtep_; }

  // `now` starts the Ethernet segments' start-up delay (es-timers.startup-delay-ms).
  Output start(Time now = {});

  Output on_local_mac(Vni vni, const Mac& mac, const std::string& port, bool is_static, Time now);
  Output on_local_mac_removed(Vni vni, const Mac& mac, Time now);
  Output on_local_neigh(Vni vni, const IpAddress& ip, const Mac& mac, Time now);
  Output on_local_neigh_removed(Vni vni, const IpAddress& ip, Time now);
  // LocalMacLearned/Aged and LocalNeighbourLearned/Removed; other events yield nothing.
  Output on_dataplane_event(const dataplane::DataplaneEvent& ev, Time now);

  Output on_remote_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs,
                         const IpAddress& next_hop, bool add, Time now);

  // A VRF's best BGP unicast route for `prefix` changed; nullopt = it is gone (issue 10,
  // vrf_unicast.hpp): the type-5 redistribution and the VRF's kernel route via the CE follow.
  Output on_vrf_unicast(const std::string& vrf, const IpPrefix& prefix, const std::optional<VrfUnicastRoute>& best,
                        Time now);
  // Everything the VRF currently offers to its BGP instance (export_evpn; announce = true each),
  // for the engine to originate when the VRF's BGP instance is created: Output::unicast then
  // carries only the changes. Empty for an unknown VRF.
  std::vector<UnicastUpdate> vrf_unicast_exports(const std::string& vrf) const;
  // A reload changed a VRF's redistribution switches (advertise_unicast, gateway_ip,
  // export_evpn; ConfigDiff::vrf_bgp_changed): type-5 routes of its BGP routes advertised,
  // withdrawn or re-advertised with the other GW IP, exports announced / withdrawn.
  tl::expected<Output, std::string> set_vrf_redistribution(const api::VrfConfig& vrf);

  Output on_timer(Time now);
  std::optional<Time> next_deadline() const;

  tl::expected<Output, std::string> announce(const std::string& vrf, const IpPrefix& p);
  tl::expected<Output, std::string> withdraw(const std::string& vrf, const IpPrefix& p);
  // The L3VNI bridge's MAC, once known: re-advertises MAC+IP and type-5 routes.
  tl::expected<Output, std::string> set_router_mac(const std::string& vrf, const Mac& rmac);
  // Live L2VNI changes (configuration reload; evpn_service_reconfig.cpp). add_l2vni() sets the
  // segment up (devices, SVI addresses, type-3, connected prefix) with the next free auto-RD
  // index, so existing VNIs keep their RDs; the caller then offers the Loc-RIB's EVPN routes
  // again (on_remote_route) so the new VNI imports what is already known. remove_l2vni()
  // withdraws what the VNI advertised, deletes what it installed and its devices. A VNI bound to
  // a VRF must name an existing one.
  tl::expected<Output, std::string> add_l2vni(const api::L2VniConfig& l2);
  tl::expected<Output, std::string> remove_l2vni(Vni vni);
  // Local endpoints announced through the API (issue 11; evpn_service_endpoints.cpp): the MAC
  // is local on `port` and each of `ips` a local neighbour of it, advertised at once (RFC 7432
  // §9.1: MAC and MAC+IP type-2, mobility sequence above a remote one, §15) and pinned: a bridge
  // aging or a neighbour removal does not withdraw them while the endpoint exists (counted).
  // A repeated add replaces the IP set (IPs no longer listed are withdrawn). remove_endpoint
  // withdraws what the endpoint pinned unless the bridge still has it learned. Errors: unknown VNI.
  tl::expected<Output, std::string> add_endpoint(Vni vni, const Mac& mac, const std::vector<IpAddress>& ips,
                                                 const std::string& port, Time now);
  tl::expected<Output, std::string> remove_endpoint(Vni vni, const Mac& mac, Time now);
  // The namespace of the VNI's bridge as its L2Vni intent names it ("" = the underlay's; the
  // tenant namespace with the netns VRF backend); nullopt for an unknown VNI. The daemon matches
  // a bridge port's removal (LinkChanged::netns) against it.
  std::optional<std::string> l2vni_netns(Vni vni) const;
  // Clears duplicate flags (and freezes) in one VNI or all, for one MAC or all.
  Output clear_duplicates(std::optional<Vni> vni, std::optional<Mac> mac);
  // The data plane's result per VNI (failed intents waiting for a retry, devices deleted behind
  // our back): the daemon's DataplaneIo reports every change, the views show it. VNIs absent
  // from `status` are healthy.
  void set_dataplane_status(std::map<Vni, dataplane::VniDataplaneStatus> status) { dp_status_ = std::move(status); }

  // Views for the API.
  std::vector<VniView> vni_views() const;
  std::vector<MacView> mac_views(std::optional<Vni> vni = std::nullopt) const;
  std::vector<NeighView> neigh_views(std::optional<Vni> vni = std::nullopt) const;
  std::vector<DupAddrView> dup_views(std::optional<Vni> vni = std::nullopt) const;
  std::map<Vni, std::vector<IpAddress>> remote_vteps() const;
  std::vector<VrfView> vrf_views() const;
  std::vector<RmacView> rmac_views() const;
  // Remote Ethernet segments (`show evpn es`, remote part): ESI, PEs with their per-ES/per-EVI
  // routes and active (A) VNIs, the groups per VNI, single-active.
  std::vector<RemoteEsView> remote_es_views() const { return remote_es_.views(); }
  const RemoteEs& remote_es() const { return remote_es_; }
  // Is `esi` one of our own (configured) Ethernet segments?
  bool local_esi(const Esi& esi) const;
  std::vector<VrfRouteView> vrf_route_views(const std::string& vrf = "") const;
  const ServiceCounters& counters() const { return counters_; }
  // Ethernet segments (multihoming; evpn_service_es.cpp): `show evpn es`, `show evpn es-evi`.
  std::vector<EsView> es_views(Time now) const;
  std::vector<EsEviView> es_evi_views() const;
  const EthernetSegment* segment(const std::string& name) const;
  // Live segment changes (configuration reload): removed ones withdraw their routes and delete
  // their intents, added ones start (subject to the DF Wait timer), changed ones with the same
  // ESI and attachments are reconfigured in place (a new DF preference re-advertises the type-4
  // without a flap); any other change is a removal and an addition.
  Output reconfigure_segments(const std::vector<api::EthernetSegmentConfig>& segments,
                              const api::EsTimersConfig& timers, Time now);

  // The one allocator of FDB nexthop ids (nexthop_groups.hpp): remote segments' aliasing groups
  // and local segments' peer groups (fast-failover backup) share its per-VTEP nexthops.
  NexthopGroups& nexthop_groups() { return nhg_; }
  const NexthopGroups& nexthop_groups() const { return nhg_; }

  const MacVrf* mac_vrf(Vni vni) const;
  // The running L2VNI's configuration (file or API, with the RD it was given) and its devices
  // as set up (bridge, vxlan device, namespace, SVI MAC, MTU): run-time segments (issue 11).
  const api::L2VniConfig* l2vni_config(Vni vni) const;
  std::optional<dataplane::L2Vni> l2vni_setup(Vni vni) const;
  std::vector<Vni> l2vnis() const;  // in order (the API's paged views walk them)
  const IpVrf* ip_vrf(const std::string& name) const;

 private:
  // Where one remote route (by route key) was imported, to undo it on withdraw or RT change.
  struct Imported {
    wire::EvpnRoute route;
    std::vector<Vni> mac_vrfs;
    std::vector<std::string> ip_vrfs;
  };

  void build();
  void add_mac_vrf(const api::L2VniConfig& l2, uint16_t rd_index);
  bool rd_in_use(const Rd& rd) const;  // by a running MAC-VRF or IP-VRF
  void start_intents(Output& out) const;
  dataplane::L2Vni l2vni_intent(const api::L2VniConfig& l2) const;
  void svi_intents(const api::L2VniConfig& l2, Output& out) const;
  std::string vrf_netns_name(const std::string& vrf) const;  // netns backend
  void unimport(const Bytes& key, const Imported& rec, const std::vector<Vni>& keep_mac,
                const std::vector<std::string>& keep_ip, Time now, Output& out);
  IpVrf* vrf_of(Vni l2vni);
  // Re-derive the IP-VRF's local-host flag of `mac`'s neighbour IPs from the MAC's state.
  void sync_local_hosts(const MacVrf& mv, const Mac& mac, Output& out);
  std::optional<IpAddress> route_vtep(const wire::EvpnRoute& r, const wire::PathAttributes& a,
                                      const IpAddress& nh, Output& out);
  // RFC 8365 §5.1.3: does the route's VNI (for a MAC-VRF or an IP-VRF) match the local one?
  // Counts and notes a mismatch (route_checks.hpp).
  bool vni_matches(const wire::EvpnRoute& r, std::optional<Vni> route_vni, Vni local, bool l3,
                   const IpAddress& vtep, Output& out);
  // Multihoming (evpn_service_es.cpp).
  void build_segments();
  void add_segment(const api::EthernetSegmentConfig& c);
  EsEvi es_evi(Vni vni) const;
  void sync_es_ports(Output& out);  // MAC-VRFs learn which ports are attachments (type-2 ESI)
  void start_segment(EthernetSegment& seg, Time now, Output& out);
  void on_link(const dataplane::LinkChanged& l, Time now, Output& out);
  // Fast failover: the FdbNexthopGroup of the segment's peer PEs follows its type-4 routes.
  void sync_backup(EthernetSegment& seg, Output& out);
  // A type-4 or per-EVI A-D route for one of our segments: true when consumed (type 4).
  bool local_es_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs, const IpAddress& next_hop,
                      bool add, const Bytes& key, Time now, Output& out);
  bool segment_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs, const IpAddress& next_hop,
                     bool add, const Bytes& key, Time now, Output& out);
  // An Ethernet A-D route (type 1) added or withdrawn (evpn_service_remote_es.cpp).
  void ad_route(const Bytes& key, const wire::EthernetAutoDiscovery* ad, const wire::PathAttributes& attrs,
                const std::optional<IpAddress>& vtep, Time now, Output& out);
  // After an A-D change of `esi`: groups re-pointed, the MAC/IP routes of the segment offered
  // again when its first per-ES route came or its last one went (`had_per_es` before), its MACs
  // re-evaluated.
  void es_changed(const Esi& esi, bool had_per_es, Time now, Output& out);
  // May the route go into IP-VRFs at all (RFC 9136 §3.1/§3.2 for type 5, Router's MAC validity)?
  bool ip_vrf_usable(const wire::EvpnRoute& r, const PathInfo& info, const IpAddress& vtep, Output& out);

  std::map<Vni, dataplane::VniDataplaneStatus> dp_status_;
  api::Config cfg_;
  ServiceOptions opts_;
  IpAddress local_vtep_;
  DadConfig dad_;
  std::map<Vni, MacVrf> mac_vrfs_;
  std::map<std::string, IpVrf> ip_vrfs_;
  std::map<Vni, std::string> l2_to_vrf_;
  KeyMap<Imported> imported_;
  NexthopGroups nhg_;              // FDB nexthop/group ids (before anything that uses them)
  RemoteEs remote_es_{nhg_};       // A-D routes, remote segments' groups, MAC/IP routes with an ESI
  std::vector<Mac> gateway_macs_;  // every VRF's router and anycast gateway MAC: never hosts
  uint16_t next_rd_index_ = 2;     // auto-RD index for a VNI added at run time
  ServiceCounters counters_;
  std::map<std::string, EthernetSegment> segments_;  // by name
  Time started_at_{};
  bool started_ = false;
};

}  // namespace evpnd::evpn

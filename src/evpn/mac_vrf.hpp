// One MAC-VRF (EVI) per L2VNI, RFC 7432 / RFC 8365 VLAN-based service: local learning -> type-2
// and type-3 routes; remote type-2/3 best paths -> data-plane intents; MAC mobility (RFC 7432
// §15) and duplicate address detection.
//
// Owns: local MACs and neighbours of the VNI, the remote type-2/3 paths imported into it (keyed
// by route key, so several RDs/VTEPs may advertise one MAC), what it advertises and what it has
// told the data plane. Every change ends in reconcile(): the desired routes/intents of one MAC
// are computed from the state and diffed against what was published, so outputs are minimal and
// a repeated input yields nothing.
//
// Mobility rules (RFC 7432 §15):
//   * local learn of a MAC that is remote: advertise with seq = remote seq + 1 (a move);
//   * a remote path that beats ours (higher seq; equal seq and lower VTEP IP, §15.1) makes us
//     withdraw and install the remote (a move); a path that loses is kept but not installed;
//   * a static (sticky) local MAC never moves; a remote route for it raises an alarm (§15.2);
//     a sticky remote MAC is not taken over by a local learn (alarm);
//   * gateway MACs (anycast gateway, router MACs) are never advertised nor installed as hosts.
// Multihoming (remote_es.hpp): a remote MAC with a non-reserved ESI is installed through the
// segment's FDB nexthop group (RemoteMac::nhid; aliasing, backup path, mass withdraw), bound with
// RemoteEs::bind()/settle() around its intent. MAC sync: a path whose ESI is one of this VNI's
// local segments (a peer PE of ours advertising a host on our segment) is not a remote location:
// RFC 7432 §9.2.2 "the receiving PE is locally attached to the same ESI, then the PE does not
// alter its forwarding state based on the received route. This ensures that local routes are
// preferred to remote routes." It is installed on the local attachment (SyncedMac), is no
// mobility event, and a later local learn advertises the highest received sequence number, not
// one more (RFC 7432 §15: "...previously received a MAC/IP Advertisement route with the same
// non-zero Ethernet segment identifier advertises it with: 1. no MAC Mobility extended community
// attribute, if the received route did not carry said attribute. 2. ... the sequence number
// equal to the highest of the sequence number(s) in the received MAC/IP Advertisement route(s)").
// Paths of one non-reserved ESI from different VTEPs are not moves either ("ESI comparison is
// done for multihoming in order to prevent false detection of MAC moves among the PEs attached
// to the same multihomed site", §15).
// Duplicate detection counts local<->remote moves and remote VTEP changes (dup_detector.hpp);
// with freeze, a frozen MAC keeps what was published until the freeze ends or is cleared.
// IP addresses are counted too, as FRR's zebra does: an IP moves when where it lives (local, or
// the VTEP of its installed remote binding) or its MAC changes, which also catches two hosts
// claiming one IP with different MACs behind different VTEPs (a MAC count never sees that).
// An IP duplicate is logged, counted and shown; freeze applies to MACs only.
// Endpoints (issue 11, mac_vrf_endpoints.cpp): a MAC announced through the API with its port and
// IPs. Two facts are kept apart: "learned" (the bridge has the MAC on a local port; the kernel
// has a neighbour) and "pinned" (an endpoint names it). The MAC is advertised while either holds;
// an aging or a neighbour removal of a pinned MAC/IP withdraws nothing (counted: endpoint_holds),
// and removing the endpoint withdraws only what is not learned. An IP's owner is the latest
// claim (a learned neighbour or a pin); when a learned neighbour goes, a pin of the IP takes it
// back. A pin is not sticky (RFC 7432 §15.2 is for static MACs): adding it is a local learn (a
// move from a remote location: seq = remote + 1), and a remote path that wins later (§15) makes
// us withdraw as for a learned MAC. The endpoint then stays, displaced (shown as a remote MAC
// with the flag), and is advertised again (seq = that remote's + 1) once no remote location is
// left: nothing else would bring a quiet pod back, and the orchestrator, not the fabric, says
// when it is gone (DELETE, or its port disappearing: the daemon's backstop).
// NOTE threading: single-threaded (the engine's). Performance: O(log n) per event plus the
// number of routes/IPs of the one MAC concerned.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "evpn/dup_detector.hpp"
#include "evpn/output.hpp"
#include "evpn/remote_es.hpp"
#include "evpn/route_builder.hpp"
#include "evpn/views.hpp"

namespace evpnd::evpn {

struct MacVrfConfig {
  Vni vni = 0;
  Rd rd;
  std::vector<RouteTarget> import_rts;
  std::vector<RouteTarget> export_rts;
  IpAddress local_vtep;
  std::optional<L3Binding> l3;      // the IP-VRF of this segment's SVI (symmetric IRB)
  std::vector<Mac> gateway_macs;    // anycast gateway / router MACs: never hosts
  std::string vrf;                  // name of that IP-VRF, for the views
  std::map<std::string, Esi> es_ports;  // attachment port -> ESI: its MACs' type-2s carry the ESI
};

class MacVrf {
 public:
  MacVrf(MacVrfConfig cfg, DadConfig dad);

  const MacVrfConfig& config() const { return cfg_; }
  Vni vni() const { return cfg_.vni; }
  bool imports(const std::vector<RouteTarget>& route_rts) const;
  bool is_gateway_mac(const Mac& m) const;
  // Remote segments' groups (owned by EvpnService, which outlives this MacVrf); unset: MACs
  // with an ESI are installed towards their advertiser (unit tests of MacVrf alone).
  void set_remote_es(RemoteEs* es) { es_ = es; }
  // Re-evaluates where `mac` is installed (its segment's A-D routes changed).
  void refresh(const Mac& mac, Output& out);

  // Advertises the type-3 route (RFC 7432 §11.1) once the VNI exists.
  void start(Output& out);
  // Withdraws everything this VNI advertised and deletes every intent it produced.
  void stop(Output& out);
  // The IP-VRF binding changed (e.g. the router MAC became known): re-advertise MAC+IP routes.
  void set_l3(std::optional<L3Binding> l3, Output& out);
  // The Ethernet segments' attachment ports in this VNI changed: re-advertise their MACs.
  void set_es_ports(std::map<std::string, Esi> ports, Output& out);

  void local_mac(const Mac& mac, const std::string& port, bool is_static, Time now, Output& out);
  void local_mac_removed(const Mac& mac, Time now, Output& out);
  void local_neigh(const IpAddress& ip, const Mac& mac, Time now, Output& out);
  void local_neigh_removed(const IpAddress& ip, Time now, Output& out);

  // API endpoints (see the header comment). add_endpoint() replaces the IP set of an existing
  // one; errors (nothing changed): a gateway MAC, an IP pinned by another endpoint MAC of this
  // VNI. remove_endpoint() returns false when `mac` is no endpoint here.
  tl::expected<void, std::string> add_endpoint(const Mac& mac, const std::vector<IpAddress>& ips,
                                               const std::string& port, Time now, Output& out);
  bool remove_endpoint(const Mac& mac, Time now, Output& out);
  bool is_endpoint(const Mac& mac) const;
  size_t endpoint_count() const { return endpoints_; }

  // The best path for route key `key` (add or replace); `vtep` is its next hop.
  void remote_mac_route(const Bytes& key, const wire::MacIpAdvertisement& r, const IpAddress& vtep,
                        const PathInfo& info, Time now, Output& out);
  void remote_mac_withdraw(const Bytes& key, const Mac& mac, Time now, Output& out);
  void remote_imet(const Bytes& key, const IpAddress& vtep, Output& out);
  void remote_imet_withdraw(const Bytes& key, Output& out);

  // Freeze expiry; returns the next deadline this VNI needs a timer for.
  void on_timer(Time now, Output& out);
  std::optional<Time> next_deadline() const;
  // Operator clear of duplicate flags (all MACs when `mac` is empty); returns how many.
  size_t clear_duplicates(const std::optional<Mac>& mac, Output& out);

  std::vector<MacView> mac_views() const;
  std::vector<NeighView> neigh_views() const;
  // Paged views for the API's streamed replies: at most `max` entries after `after` (exclusive;
  // from the first when unset) in key order, so a walk resumes by key whatever changed meanwhile.
  std::vector<MacView> mac_views_after(const std::optional<Mac>& after, size_t max) const;
  std::optional<MacView> mac_view(const Mac& mac) const;  // one MAC's table entry, if it has one
  // Neighbours: the local ones by IP, then the remote ones by IP; `after` = (remote, ip).
  std::vector<NeighView> neigh_views_after(const std::optional<std::pair<bool, IpAddress>>& after, size_t max) const;
  std::vector<DupAddrView> dup_views() const;
  VniView vni_view() const;
  std::vector<IpAddress> remote_vteps() const;
  const MacVrfCounters& counters() const { return counters_; }
  // Is `ip` a local neighbour whose MAC is local here (the IP-VRF then needs no remote route)?
  // A neighbour whose MAC moved to another VTEP is stale (the kernel keeps probing it): the
  // remote MAC+IP path wins, as in FRR (zebra replaces it with the remote neighbour).
  bool has_local_host(const IpAddress& ip) const;
  // The local neighbour IPs of `mac` (whose local-host state changes with the MAC's).
  std::vector<IpAddress> local_ips_of(const Mac& mac) const;

 private:
  struct LocalMac {
    std::string port;
    bool is_static = false;
  };
  struct Endpoint {    // pinned through the API
    std::string port;
    std::set<IpAddress> ips;
  };
  struct RemotePath {
    IpAddress vtep;
    IpAddress ip;     // empty for MAC-only routes
    uint32_t seq = 0;
    bool sticky = false;
    Esi esi;
  };
  struct Best {
    IpAddress vtep;
    uint32_t seq = 0;
    bool sticky = false;
    Esi esi;
  };
  struct Published {
    wire::EvpnRoute route;
    wire::PathAttributes attrs;
  };
  struct IpLoc {       // where an IP lives now: local (with its MAC) or behind a remote VTEP
    bool local = false;
    IpAddress vtep;
    Mac mac;
    bool operator==(const IpLoc&) const = default;
  };
  using IpSnapshot = std::vector<std::pair<IpAddress, IpLoc>>;
  struct Entry {
    std::optional<LocalMac> local;   // present <=> we own the MAC and advertise it
    bool learned = false;            // the bridge has it on a local port (local is then set)
    std::optional<Endpoint> endpoint;  // pinned through the API (local unless displaced)
    uint32_t local_seq = 0;
    KeyMap<RemotePath> paths;
    std::set<IpAddress> local_ips;
    DadState dad;
    KeyMap<Published> advertised;
    std::optional<dataplane::RemoteMac> installed;
    std::optional<dataplane::SyncedMac> synced;  // MAC sync onto a local attachment
    std::set<IpAddress> installed_neighs;
  };

  // The best path of other locations (sync paths excluded) / of our peers on our segments.
  std::optional<Best> best_remote(const Entry& e) const { return best_of(e, false); }
  std::optional<Best> best_sync(const Entry& e) const { return best_of(e, true); }
  std::optional<Best> best_of(const Entry& e, bool sync) const;
  // The attachment port of `esi` in this VNI when it is one of our segments (MAC sync).
  const std::string* es_port(const Esi& esi) const;
  bool is_sync(const Esi& esi) const { return es_port(esi) != nullptr; }
  // Does the sync path `s` beat the remote one (§15: newer seq, then the lower VTEP)?
  static bool sync_wins(const std::optional<Best>& s, const std::optional<Best>& r);
  bool local_wins(const Entry& e, const Best& b) const;
  void record_move(const Mac& mac, Entry& e, Time now, Output& out, const char* how);
  // Makes `mac` local on `l` (a bridge learn or an endpoint): a move when it was remote (§15).
  // False (nothing changed but a notice) when a sticky remote path forbids it (§15.2).
  bool take_local(const Mac& mac, Entry& e, LocalMac l, const char* how, Time now, Output& out);
  // An endpoint IP is no longer pinned: a learned neighbour keeps it, else it is local no more.
  void unpin(const IpAddress& ip, const Mac& mac, Time now, Output& out);
  // An IP's local owner becomes `mac` (a learned neighbour or a pin) / the IP is local no more.
  void set_neigh(const IpAddress& ip, const Mac& mac, Time now, Output& out);
  void clear_neigh(const IpAddress& ip, Output& out);
  // A displaced endpoint whose remote locations are all gone is advertised again.
  void retake_endpoint(const Mac& mac, Entry& e, uint32_t last_remote_seq, Time now, Output& out);
  std::optional<IpLoc> ip_location(const IpAddress& ip) const;
  // The current location of `ip` (if any) and of every IP bound to `mac`, before a change ...
  IpSnapshot ip_snapshot(const Mac& mac, const IpAddress& ip) const;
  // ... and after it: every IP whose location changed made a move.
  void record_ip_moves(const IpSnapshot& before, Time now, Output& out);
  void reconcile(const Mac& mac, Entry& e, Output& out);
  void reconcile_routes(const Mac& mac, Entry& e, Output& out);
  void reconcile_install(const Mac& mac, Entry& e, Output& out);
  void maybe_erase(const Mac& mac);
  void reconcile_ip_users(const IpAddress& ip, Output& out);
  MacRouteSpec spec(const Mac& mac, const IpAddress& ip, const Entry& e) const;

  MacVrfConfig cfg_;
  DadConfig dad_;
  std::optional<MacView> view_of(const Mac& mac, const Entry& e) const;  // nullopt: not a table entry
  std::map<Mac, Entry> macs_;
  std::map<IpAddress, Mac> local_neighs_;    // effective local owner of each IP (learned or pinned)
  std::map<IpAddress, Mac> learned_neighs_;  // what the kernel reported
  std::map<IpAddress, Mac> pinned_ips_;      // IPs of endpoints
  size_t endpoints_ = 0;
  std::map<IpAddress, std::set<Mac>> remote_ip_users_;  // remote MAC+IP paths by IP
  std::map<IpAddress, Mac> neigh_owner_;                // installed remote neighbour -> MAC
  KeyMap<IpAddress> imet_paths_;
  std::map<IpAddress, uint32_t> flood_refs_;
  std::set<Mac> timed_freezes_;
  std::map<IpAddress, DadState> ip_dad_;  // IPs that moved at least once  // MACs frozen with a deadline: next_deadline() looks at these only
  bool started_ = false;
  MacVrfCounters counters_;
  RemoteEs* es_ = nullptr;
};

}  // namespace evpnd::evpn

// evpnd's configuration model (what the YAML file says, validated and typed).
//
// NOTE: parse_config() never throws for bad input; it returns a ConfigError naming file, line
// and reason. diff_config() says which parts changed so SIGHUP only touches what it must.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/prefix_list.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "core/types.hpp"

namespace evpnd::api {

struct NeighborConfig {
  IpAddress address;
  Asn remote_as = 0;
  uint16_t port = 179;                      // remote port for active connects
  std::vector<AfiSafi> families{kL2vpnEvpn};
  bool route_reflector_client = false;
  bool passive = false;                     // never connect, only accept
  std::string description;
  std::optional<IpAddress> update_source;   // local address to bind for active connects
  uint16_t hold_time = 90;                  // seconds; keepalive = hold/3 unless set
  std::optional<uint16_t> keepalive;
  uint16_t connect_retry = 5;               // seconds (RFC 4271 suggests 120; fabrics want fast)
  std::optional<std::string> md5_password;  // RFC 2385
  std::optional<uint8_t> ttl_security_hops; // RFC 5082 GTSM: accept TTL >= 256 - hops
  std::optional<uint32_t> max_prefixes;     // per peer, all families
  uint32_t max_prefixes_restart = 0;        // seconds until a tripped peer restarts; 0 = stays down
  bool graceful_restart = true;
  // `nlri-error`: what an incorrect MP_REACH/MP_UNREACH whose NLRI can still be walked does:
  // session-reset (false, default: RFC 7606 §5.3, RFC 4760 §7) or treat-as-withdraw (true).
  bool nlri_error_withdraw = false;
  // RFC 9687 send hold time (seconds): timers.send-hold-time, else the global send-hold-time,
  // else unset = the RFC default max(480, 2 x negotiated hold time); 0 = disabled.
  std::optional<uint32_t> send_hold_time;
  // Unicast policy (issue 10): `prefix-list: {import: [...], export: [...]}` with entries
  // `{prefix, ge?, le?, action?: permit|deny}`. Unset = no policy (RFC 8212: an eBGP neighbour
  // then gets and gives no unicast route); an empty list denies all.
  std::optional<PrefixList> import_prefixes;
  std::optional<PrefixList> export_prefixes;
  std::optional<uint8_t> ebgp_multihop;     // `ebgp-multihop: N` (TTL); unset = system default (64)
  bool operator==(const NeighborConfig&) const = default;
};

// `vrfs[].listen-ranges` (issue 10): peers in `range` may connect and get `peer`'s settings
// (its `address` unused; `remote-as`, families, policy, timers, md5 as for a neighbour).
struct ListenRangeConfig {
  IpPrefix range;
  NeighborConfig peer;
  uint32_t max_peers = 100;
  bool operator==(const ListenRangeConfig&) const = default;
};

struct GracefulRestartConfig {
  bool enabled = true;
  uint16_t restart_time = 120;  // advertised (RFC 4724 §3)
  uint16_t stale_time = 360;    // how long a restarting peer's stale routes are kept
  // Upper bound of the route-selection deferral after our own restart (RFC 4724 §4.1); 0 = none.
  // Below the helpers' stale time (360 s in evpnd and FRR), so they still hold our routes.
  uint16_t select_defer_time = 120;
  bool operator==(const GracefulRestartConfig&) const = default;
};

enum class DataplaneKind { kNone, kLinux, kFake };
enum class VrfBackend { kNetns, kVrfDevice };
enum class RtAutoMode { kFrr, kRfc8365 };  // ASN(low 16 bits):VNI as FRR, or RFC 8365 §5.1.2.1 type-2 4-byte

struct L2VniConfig {
  Vni vni = 0;
  std::string bridge;          // default br<vni>
  std::string vxlan_device;    // default vxlan<vni>
  bool arp_suppression = true;
  std::optional<Rd> rd;        // default router-id:index
  std::vector<RouteTarget> import_rts;  // empty -> auto
  std::vector<RouteTarget> export_rts;  // empty -> auto
  std::string vrf;             // IP-VRF this segment's SVI belongs to ("" = none)
  std::optional<IpPrefix> gateway;      // the SVI subnet, e.g. 192.168.100.0/24 (host bits cleared)
  std::optional<IpPrefix> gateway_v6;
  // The anycast gateway address itself (IpPrefix clears host bits, so the address is kept here):
  // "gateway: 192.168.100.1/24" gives gateway 192.168.100.0/24 and gateway_address 192.168.100.1.
  std::optional<IpAddress> gateway_address;
  std::optional<IpAddress> gateway_v6_address;
  // "V" of DF election for this EVI (RFC 7432 §8.5 modulo, RFC 8584 §3 HRW): the VNI by default.
  std::optional<uint32_t> df_id;
  bool operator==(const L2VniConfig&) const = default;
};

struct VrfConfig {
  std::string name;
  Vni l3vni = 0;
  std::optional<Rd> rd;
  std::vector<RouteTarget> import_rts;
  std::vector<RouteTarget> export_rts;
  std::optional<Mac> router_mac;        // default: MAC of the L3VNI bridge
  std::optional<Mac> anycast_gateway_mac;
  std::vector<IpPrefix> announce;       // type-5 prefixes originated at start
  bool advertise_connected = true;      // type-5 for SVI subnets
  std::string netns;                    // netns backend: namespace name (default <underlay-ns>-<name>)
  uint32_t table = 0;                   // vrf-device backend: routing table id
  // BGP inside the VRF (issue 10; FRR's `router bgp ASN vrf NAME`): unicast sessions with CEs
  // (Kubernetes nodes, gateways), their sockets opened in the VRF (netns / bound to the device).
  std::vector<NeighborConfig> neighbors;        // families default to [ipv4-unicast] here
  std::vector<ListenRangeConfig> listen_ranges;
  std::optional<Asn> asn;                       // the VRF instance's AS (default: the global asn)
  // Redistribution into EVPN (FRR's `advertise ipv4|ipv6 unicast [gateway-ip]`): the VRF's best
  // BGP unicast routes become type-5 routes of the VRF (RFC 9136 §3.1); interface-less with
  // the Router's MAC (§4.4.1) unless gateway_ip, then the route's next hop is the type-5
  // gateway IP overlay index (§3.2).
  bool advertise_unicast = true;
  bool gateway_ip = false;
  // The other way: the VRF's EVPN routes (type-5 prefixes, type-2 host routes, connected SVI
  // subnets) offered to its BGP neighbours (next-hop-self), subject to their export policy.
  bool export_evpn = true;
  bool operator==(const VrfConfig&) const = default;
};

// RFC 7432 §15.1: after N moves in M seconds the PE MUST alert the operator and stop sending and
// processing MAC/IP routes for the MAC until the operator acts: so freeze is on by default, until
// cleared (freeze_seconds 0). `freeze: false` (FRR's default: warn only) and a timed freeze are
// explicit operator choices that do not conform (docs/CONFIG.md).
struct DuplicateDetectionConfig {
  uint32_t max_moves = 5;
  uint32_t window_seconds = 180;
  bool freeze = true;
  uint32_t freeze_seconds = 0;  // 0 = permanent until cleared
  bool operator==(const DuplicateDetectionConfig&) const = default;
};

// A local Ethernet segment (multihoming, RFC 7432 §5-§8, RFC 8365 §8, RFC 8584, RFC 9785):
// `ethernet-segments:` in docs/CONFIG.md.
enum class DfAlgorithmConfig : uint8_t {
  kModulo = 0,             // RFC 7432 §8.5 (DF Alg 0)
  kHrw = 1,                // RFC 8584 §3 (DF Alg 1)
  kPreferenceHighest = 2,  // RFC 9785 (DF Alg 2): highest preference wins (FRR's only algorithm)
  kPreferenceLowest = 3,   // RFC 9785 (DF Alg 3)
};
struct EthernetSegmentConfig {
  std::string name;
  Esi esi;                                 // types 0 (literal), 1 (LACP), 3 (MAC-based)
  bool single_active = false;              // redundancy: single-active | all-active
  std::map<Vni, std::string> attachments;  // L2VNI -> the bridge port facing the segment
  DfAlgorithmConfig df_algorithm = DfAlgorithmConfig::kPreferenceHighest;
  uint16_t df_preference = 32767;          // RFC 9785 (FRR's default)
  bool dont_preempt = false;               // RFC 9785 "Don't Preempt"
  bool ac_df = true;                       // RFC 8584 §4: AC-influenced DF election
  bool fast_failover = true;               // backup_port towards the segment's peer PEs
  bool operator==(const EthernetSegmentConfig&) const = default;
};
struct EsTimersConfig {
  uint32_t df_wait_ms = 3000;              // RFC 8584 §2.1 DF Wait timer (default 3 s)
  uint32_t startup_delay_ms = 0;           // hold segments down this long after start
  bool operator==(const EsTimersConfig&) const = default;
};

struct Config {
  std::string source_file;
  IpAddress router_id;
  Asn asn = 0;
  std::optional<IpAddress> cluster_id;   // default router-id
  IpAddress listen_address = *IpAddress::parse("0.0.0.0");
  uint16_t listen_port = 179;            // 0 = do not listen
  std::string api_socket = "/run/evpnd/evpnd.sock";
  // `state-dir:` where run-time state that must survive a restart lives (issue 11: segments and
  // endpoints created through the API, <state_dir>/runtime.json). Written only when such state
  // exists; a lab/test daemon sets its own.
  std::string state_dir = "/var/lib/evpnd";
  std::string log_level = "info";
  GracefulRestartConfig graceful_restart;
  std::optional<uint32_t> send_hold_time;  // global default of neighbors' send hold time (RFC 9687)
  std::vector<NeighborConfig> neighbors;
  // Unicast prefixes originated to the global (underlay) neighbours that negotiated the family,
  // e.g. the VTEP loopback: `advertise: [10.255.0.1/32]` (issue 10).
  std::vector<IpPrefix> advertise;
  // VTEP / data plane (leaf role). DataplaneKind::kNone = pure route reflector.
  DataplaneKind dataplane = DataplaneKind::kNone;
  std::optional<IpAddress> vtep_source;
  uint16_t vxlan_port = 4789;
  // vtep.on-stop: on a clean stop keep the kernel entries we installed (traffic keeps flowing
  // while evpnd restarts; the next start reconciles them) or remove them.
  bool remove_entries_on_stop = false;
  // vtep.default-encapsulation: what a received route without a BGP Encapsulation extended
  // community is assumed to use (RFC 8365 §5.1.3: "the default MPLS encapsulation or a locally
  // configured encapsulation"). false = MPLS (such routes are not installed), true = VXLAN.
  bool default_encap_vxlan = false;
  VrfBackend vrf_backend = VrfBackend::kNetns;
  RtAutoMode rt_auto = RtAutoMode::kFrr;
  DuplicateDetectionConfig dad;
  std::vector<L2VniConfig> l2vnis;
  std::vector<VrfConfig> vrfs;
  std::vector<EthernetSegmentConfig> ethernet_segments;
  EsTimersConfig es_timers;
  bool operator==(const Config&) const = default;
};

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when not tied to a line
  int column = 0;
  std::string reason;
  std::string path;               // "neighbors[0].remote-as" ("" when the whole file is at fault)
  std::string to_string() const;  // "evpnd.yaml:12: neighbors[0].remote-as: expected 1..4294967295"
};

// Larger files are refused before parsing ("file:0: larger than the limit"): a YAML tree costs
// far more memory than its text, and a config of 64k neighbours is about 6 MiB.
inline constexpr size_t kMaxConfigBytes = 16u << 20;

tl::expected<Config, ConfigError> parse_config_file(const std::string& path);
tl::expected<Config, ConfigError> parse_config_text(const std::string& text, const std::string& name);

struct ConfigDiff {
  bool global_changed = false;  // router-id, asn, cluster-id: needs a restart of every session
  bool listen_changed = false;  // listen address/port: the listener is re-bound, sessions stay up
  std::vector<IpAddress> neighbors_added, neighbors_removed, neighbors_changed;
  std::vector<Vni> l2vnis_added, l2vnis_removed, l2vnis_changed;
  // vrfs_changed: VRFs whose EVPN / data-plane part changed (the reload rebuilds their EVPN
  // state). vrf_bgp_changed: VRFs present before and after whose BGP part changed (neighbors,
  // listen-ranges, asn, advertise-unicast, gateway-ip, export-evpn): applied to the VRF's BGP
  // instance only (ConfigureVrfBgp, AddPeer/RemovePeer with the vrf; diff_neighbors says which
  // sessions). A VRF with both kinds of change is in both lists; added/removed VRFs in neither.
  std::vector<std::string> vrfs_added, vrfs_removed, vrfs_changed;
  std::vector<std::string> vrf_bgp_changed;
  bool advertise_changed = false;  // the global `advertise:` list (compared as a set)
  // Ethernet segments by name, and es-timers: applied live (docs/CONFIG.md "Reload").
  std::vector<std::string> segments_added, segments_removed, segments_changed;
  bool es_timers_changed = false;
  // Settings outside the lists above (see docs/CONFIG.md "Reload" for what each one implies).
  bool graceful_restart_changed = false;  // new capability value: takes effect on session restart
  bool log_level_changed = false;         // applied at once
  bool api_changed = false;               // api.socket: needs a daemon restart
  bool vtep_changed = false;              // dataplane, vtep source/port, vrf-backend, route-target-auto
  bool dad_changed = false;               // duplicate-address-detection parameters
  bool empty() const;
};
ConfigDiff diff_config(const Config& before, const Config& after);

// L2VNIs created at run time (issue 11: PUT /v1/evpn/vnis/N, docs/API.md): `text` is one
// `l2vnis:` entry (the request body; JSON is YAML), `vni` given by the request (a `vni` key in
// `text` must agree). Each is parsed like a file entry and `file`'s L2VNIs + all of them are
// checked with the file's rules (unique VNI, devices and RDs; the VRF exists; gateways), in
// order. An entry without `rd` is not checked for an automatic RD: the EVPN service gives a
// run-time VNI the next free one. Errors: ConfigError.file "VNI N", .path the body key.
struct RuntimeL2VniSpec {
  Vni vni = 0;
  std::string text;
};
tl::expected<std::vector<L2VniConfig>, ConfigError> check_runtime_l2vnis(const Config& file,
                                                                         const std::vector<RuntimeL2VniSpec>& specs);

// Neighbours matched by address (a VRF's, for vrf_bgp_changed; the global ones are in ConfigDiff).
struct NeighborDiff {
  std::vector<IpAddress> added, removed, changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};
NeighborDiff diff_neighbors(const std::vector<NeighborConfig>& before, const std::vector<NeighborConfig>& after);
// Whether two versions of a VRF differ in their BGP part / in the rest.
bool vrf_bgp_differs(const VrfConfig& before, const VrfConfig& after);
bool vrf_evpn_differs(const VrfConfig& before, const VrfConfig& after);

}  // namespace evpnd::api

// Data-plane intents and events: the contract between src/evpn (producer of intents, consumer of
// learn events) and the data-plane providers (Linux netlink, in-memory fake).
//
// NOTE shape: copied from zebra's dplane (zebra/zebra_dplane.h): an op (Action x IntentKind) plus a
// context object that snapshots everything the provider needs, so a provider never calls back into
// EVPN state. Objects below an L2VNI/L3VNI are keyed by VNI only: the provider keeps a registry of
// the L2VNI/L3VNI objects it was told to ensure and resolves device names / namespaces from it, so
// an Ensure* intent for the VNI must come first (in the same batch is fine).
// NOTE purity: no netlink/socket headers; this header is usable from pure libraries.
// NOTE idempotence: every kAdd is "make it so" (create or replace), every kDelete of something
// absent succeeds. Applying the same batch twice changes nothing the second time.
// NOTE ownership marks (how reconciliation recognises what is ours, as FRR does):
//   FDB entries we install are `extern_learn` (flood entries: all-zero MAC `self permanent`),
//   neighbours `extern_learn NOARP`, routes `proto bgp`.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/types.hpp"

namespace evpnd::dataplane {

// Namespace names are /run/netns/<name>; "" means the namespace evpnd itself runs in (underlay).
using NetnsName = std::string;

enum class VrfBackend : uint8_t { kNetns, kVrfDevice };

// One L2VNI: `ip link add <vxlan_device> type vxlan id <vni> local <local_vtep> dstport <dstport>
// nolearning ttl <ttl>` in the underlay namespace, moved into `netns`, enslaved to `bridge`
// (`stp_state 0 mcast_snooping 0 ageing_time <ageing>`), bridge port `learning off
// neigh_suppress <arp_suppression>`, both up (FRR-INTEROP.md §1).
struct L2Vni {
  Vni vni = 0;
  std::string vxlan_device;           // "vxlan<vni>"
  std::string bridge;                 // "br<vni>"; a vlan-unaware bridge, itself the SVI
  IpAddress local_vtep;               // IFLA_VXLAN_LOCAL (zebra reads the VTEP from it)
  uint16_t dstport = 4789;
  uint8_t ttl = 64;
  bool arp_suppression = true;        // IFLA_BRPORT_NEIGH_SUPPRESS on the vxlan port
  std::optional<Mac> bridge_mac;      // SVI MAC (anycast gateway MAC when the SVI routes)
  uint32_t mtu = 1500;                // vxlan device MTU; 0 = kernel default
  uint32_t ageing_time_cs = 360000;   // bridge FDB ageing, centiseconds (FRR lab: 1 h)
  NetnsName netns;                    // where bridge + vxlan end up (tenant netns or "")
  auto operator<=>(const L2Vni&) const = default;
};

// One IP-VRF with its L3VNI (symmetric IRB). The L3VNI bridge is the VRF's SVI and carries the
// router MAC. Backend kNetns: the VRF is namespace `netns` (the vxlan device is created in the
// underlay and moved in). Backend kVrfDevice: a `vrf` device `name` with `table`, the L3VNI
// bridge (and the L2VNI SVIs of this VRF) enslaved to it, everything in the underlay namespace.
struct L3Vni {
  std::string name;                   // VRF name ("tenant1")
  Vni l3vni = 0;
  std::string vxlan_device;           // "vxlan<l3vni>"
  std::string bridge;                 // "br<l3vni>"
  Mac router_mac;                     // MAC of `bridge`; must be unique per VTEP
  IpAddress local_vtep;
  uint16_t dstport = 4789;
  uint8_t ttl = 64;
  uint32_t mtu = 1500;
  VrfBackend backend = VrfBackend::kNetns;
  uint32_t table = 0;                 // kVrfDevice: kernel routing table id
  NetnsName netns;                    // kNetns: the tenant namespace
  std::vector<std::string> member_bridges;  // kVrfDevice: L2VNI SVIs to enslave to the VRF
  auto operator<=>(const L3Vni&) const = default;
};

// An address on an L2VNI's SVI (its bridge), e.g. the anycast gateway 192.168.100.1/24.
// The gateway MAC is L2Vni::bridge_mac.
// NOTE: not an IpPrefix, whose constructor clears the host bits (192.168.100.1/24 -> .0/24).
struct SviAddress {
  Vni vni = 0;
  IpAddress address;                  // 192.168.100.1
  uint8_t prefix_len = 0;             // 24
  auto operator<=>(const SviAddress&) const = default;
};

// A MAC behind a remote VTEP (type-2): `<mac> dev vxlanN dst <vtep> self extern_learn` and
// `<mac> dev vxlanN master brN extern_learn [sticky]`. A MAC behind a remote multihomed Ethernet
// segment (aliasing, RFC 7432 §8.4/§14.1) points at the segment's FdbNexthopGroup instead:
// `<mac> dev vxlanN nhid <group> self extern_learn` (NDA_NHID, no NDA_DST).
struct RemoteMac {
  Vni vni = 0;
  Mac mac;
  IpAddress vtep;                     // the advertiser (views; the destination when nhid == 0)
  bool sticky = false;                // MAC Mobility "static" flag (RFC 7432 §15.2) -> NTF_STICKY
  uint32_t nhid = 0;                  // != 0: an FdbNexthopGroup id, used instead of `vtep`
  auto operator<=>(const RemoteMac&) const = default;
};

// Head-end replication entry from a type-3 route: `00:00:00:00:00:00 dev vxlanN dst <vtep> self
// permanent`, appended (NLM_F_APPEND) so every remote VTEP gets a copy of BUM traffic.
struct FloodEntry {
  Vni vni = 0;
  IpAddress vtep;
  auto operator<=>(const FloodEntry&) const = default;
};

// A remote host's IP->MAC binding on the L2VNI's SVI, for ARP/ND suppression:
// `<ip> dev brN lladdr <mac> extern_learn NOARP`.
struct RemoteNeighbour {
  Vni vni = 0;
  IpAddress ip;
  Mac mac;
  bool is_router = false;             // IPv6: NTF_ROUTER (RFC 9047 / Router flag of type-2 ND)
  auto operator<=>(const RemoteNeighbour&) const = default;
};

// A remote VTEP's router MAC in an IP-VRF: FDB on the L3VNI vxlan device (as RemoteMac) plus
// `<vtep> dev brL3 lladdr <rmac> extern_learn NOARP` so routes via <vtep> resolve.
struct RemoteRmac {
  Vni l3vni = 0;
  Mac rmac;
  IpAddress vtep;
  auto operator<=>(const RemoteRmac&) const = default;
};

// A host (type-2 IP) or prefix (type-5) route in the VRF of `l3vni`:
// `<prefix> [nexthop] via <vtep> dev brL3 onlink proto bgp metric 20`; several next hops = ECMP
// (RTA_MULTIPATH). Each next hop needs a RemoteRmac for its VTEP to forward.
struct VrfRoute {
  Vni l3vni = 0;
  IpPrefix prefix;
  std::vector<IpAddress> nexthops;    // remote VTEPs, sorted and unique for comparisons
  uint32_t metric = 20;
  // The next hops are routers on the VRF's own links (BGP CEs, issue 10), not VTEPs:
  // `<prefix> via <nh> proto bgp metric 20` resolved by the kernel through the VRF's connected
  // subnets, no onlink, no RemoteRmac.
  bool local = false;
  auto operator<=>(const VrfRoute&) const = default;
};

// ---- Multihoming (RFC 7432 §8, RFC 8365 §8; ../shared/research/multihoming.md §3, §5) -------
// Nexthop ids evpnd owns: the provider treats ids in [kFdbNexthopIdBase, kFdbNexthopIdEnd) as
// ours (reconcile, drift); per-VTEP nexthops and groups are allocated by EVPN from this range.
inline constexpr uint32_t kFdbNexthopIdBase = 0x0E000000;
inline constexpr uint32_t kFdbNexthopIdEnd = 0x0F000000;

// An `fdb` nexthop towards one remote VTEP: `ip nexthop replace id <id> via <vtep> fdb`, created in
// the namespace the VXLAN devices are created in (the underlay): the kernel resolves NDA_NHID in
// the VXLAN device's creation namespace, not the tenant namespace it was moved to.
struct FdbNexthop {
  uint32_t id = 0;
  IpAddress vtep;
  auto operator<=>(const FdbNexthop&) const = default;
};

// `ip nexthop replace id <id> group <m1>/<m2>/... fdb` (members are FdbNexthop ids, sorted, never
// empty: the kernel refuses an empty group, so the owner deletes it and re-points its MACs first).
// Every remote MAC of one Ethernet segment in one VNI points at its group, so a change of the
// segment's PEs is one replace for all of them (mass withdraw, RFC 7432 §8.2) and the kernel
// hashes flows over the members (aliasing, §8.4). Single-active: a group of the primary only,
// the backup swapped in by one replace (§14.1.1).
struct FdbNexthopGroup {
  uint32_t id = 0;
  std::vector<uint32_t> members;
  auto operator<=>(const FdbNexthopGroup&) const = default;
};

// A local Ethernet segment's attachment circuit in one L2VNI: the bridge port facing the segment
// and the filters a Linux bridge cannot express, which the Linux provider programs with tc/eBPF
// (a tagger on underlay ingress records the outer source VTEP in skb->priority, which survives
// decapsulation; a filter on the port's egress drops by the rules below and counts per reason).
// Frames from local ports are never subject to these filters (local bias, RFC 8365 §8.3.1).
struct EsAttachment {
  Vni vni = 0;
  std::string port;                   // the bridge port in the L2VNI's bridge (config `attachments`)
  Esi esi;
  bool non_df = false;                // RFC 7432 §8.5: no BUM from the fabric out of this port
  bool blocked = false;               // single-active non-DF (§14.1.1): no traffic in or out at all
  std::vector<IpAddress> peer_vteps;  // RFC 8365 §8.3.1: BUM that came from one of these VTEPs
                                      // (they share the segment) never leaves on this port; sorted
  uint32_t backup_nhid = 0;           // fast failover: != 0 -> the port's `backup_port` is the
                                      // VNI's vxlan device and local MACs of the segment have a
                                      // `self nhid <backup_nhid>` entry there (an FdbNexthopGroup
                                      // of the segment's peer PEs)
  auto operator<=>(const EsAttachment&) const = default;
};

// A MAC on a local Ethernet segment advertised by a peer PE of that segment (a type-2 carrying a
// local ESI): installed on the local attachment, not towards the peer, and not a MAC move (MAC
// sync; FRR's "peer-active"): `<mac> dev <port> master extern_learn`.
struct SyncedMac {
  Vni vni = 0;
  Mac mac;
  std::string port;
  auto operator<=>(const SyncedMac&) const = default;
};

enum class Action : uint8_t { kAdd, kDelete };

// Order matters: variant index == IntentKind value.
enum class IntentKind : uint8_t {
  kL2Vni, kL3Vni, kSviAddress, kRemoteMac, kFloodEntry, kRemoteNeighbour, kRemoteRmac, kVrfRoute,
  kFdbNexthop, kFdbNexthopGroup, kEsAttachment, kSyncedMac
};
using IntentObject = std::variant<L2Vni, L3Vni, SviAddress, RemoteMac, FloodEntry, RemoteNeighbour, RemoteRmac,
                                  VrfRoute, FdbNexthop, FdbNexthopGroup, EsAttachment, SyncedMac>;

// One data-plane operation (zebra: dplane op + context).
struct Intent {
  Action action = Action::kAdd;
  IntentObject object;

  static Intent add(IntentObject o) { return Intent{Action::kAdd, std::move(o)}; }
  static Intent del(IntentObject o) { return Intent{Action::kDelete, std::move(o)}; }
  IntentKind kind() const { return static_cast<IntentKind>(object.index()); }
  template <class T> const T* get() const { return std::get_if<T>(&object); }
  bool operator==(const Intent&) const = default;
};

std::string to_string(IntentKind k);
std::string to_string(const Intent& i);  // "add remote-mac vni 100 02:..:01 -> 10.255.0.2"

// Outcome of apply(): one entry per failed intent; everything else was applied.
// NOTE results go back to the owner (zebra's dplane "Philosophy Note"): `intent` names what failed
// so the daemon can retry it and report it per VNI; providers fill it for synchronous failures
// (= the batch's intent) and for late ones (decoded from the failed request).
struct IntentError {
  size_t index = 0;                   // position in the batch given to apply()
  int error = 0;                      // errno-style code (EINVAL, ENODEV, ...)
  std::string message;                // operator-readable: what failed and why
  std::optional<Intent> intent;       // the intent that failed, when the provider knows it
};
struct ApplyResult {
  size_t applied = 0;                 // intents that succeeded
  std::vector<IntentError> errors;
  bool ok() const { return errors.empty(); }
};

// ---------------------------------------------------------------------------------------------
// Events up from the data plane. Only objects of known L2VNIs/L3VNIs are reported; entries we
// installed ourselves (extern_learn, permanent, `self` on the vxlan device) are never reported.

// A MAC learned by the bridge on a local (non-VXLAN) port of an L2VNI bridge.
struct LocalMacLearned {
  Vni vni = 0;
  Mac mac;
  std::string port;                   // bridge port name, e.g. "rl1-h1"
  bool is_static = false;             // configured (NUD_NOARP/PERMANENT, not aged): sticky in EVPN
  auto operator<=>(const LocalMacLearned&) const = default;
};
// The local MAC aged out or was deleted (or moved behind the vxlan port, i.e. became remote).
struct LocalMacAged {
  Vni vni = 0;
  Mac mac;
  auto operator<=>(const LocalMacAged&) const = default;
};

enum class NeighState : uint8_t { kIncomplete, kReachable, kStale, kDelay, kProbe, kFailed, kNoarp, kPermanent };
// True for states in which the IP->MAC binding is confirmed or still usable (worth advertising).
inline bool is_usable(NeighState s) {
  return s == NeighState::kReachable || s == NeighState::kStale || s == NeighState::kDelay ||
         s == NeighState::kProbe || s == NeighState::kPermanent || s == NeighState::kNoarp;
}

// A neighbour (ARP/ND) entry on an L2VNI's SVI that is not ours (not extern_learn).
struct LocalNeighbourLearned {
  Vni vni = 0;
  IpAddress ip;
  Mac mac;
  NeighState state = NeighState::kReachable;
  bool is_router = false;
  auto operator<=>(const LocalNeighbourLearned&) const = default;
};
struct LocalNeighbourRemoved {
  Vni vni = 0;
  IpAddress ip;
  auto operator<=>(const LocalNeighbourRemoved&) const = default;
};

// Any link in a watched namespace appeared, changed or vanished.
struct LinkChanged {
  NetnsName netns;
  std::string name;
  uint32_t ifindex = 0;
  bool up = false;                    // IFF_UP and carrier (IFF_LOWER_UP)
  bool removed = false;
  std::optional<Mac> mac;
  uint32_t mtu = 0;
  std::optional<Vni> vni;             // set when the link is a known L2VNI/L3VNI bridge or vxlan
  auto operator<=>(const LinkChanged&) const = default;
};

// Events were lost (netlink ENOBUFS / overrun): the consumer must re-read state with dump() and
// re-derive local learning from it; the provider has already re-dumped for its own caches.
struct ResyncNeeded {
  NetnsName netns;
  std::string reason;
  auto operator<=>(const ResyncNeeded&) const = default;
};

// Something carrying our ownership marks vanished from the data plane: an FDB/flood entry,
// neighbour, route or SVI address deleted, or a bridge/vxlan/vrf device of a registered VNI
// deleted (`object` is then the L2Vni/L3Vni as registered). The provider cannot tell our own
// deletions (echoes) from foreign ones: the consumer compares with what it wants installed.
// Fields the kernel does not report on deletion are left empty (e.g. the VTEP of a bridge
// `master` FDB entry).
struct OwnedEntryRemoved {
  IntentObject object;
  auto operator<=>(const OwnedEntryRemoved&) const = default;
};

using DataplaneEvent = std::variant<LocalMacLearned, LocalMacAged, LocalNeighbourLearned,
                                    LocalNeighbourRemoved, LinkChanged, ResyncNeeded, OwnedEntryRemoved>;
std::string to_string(const DataplaneEvent& e);

// ---------------------------------------------------------------------------------------------
// What dump() returns: the objects currently in the data plane, in intent vocabulary.
// The `ours` part holds entries carrying our ownership marks (see the NOTE at the top); local
// learning is reported as the corresponding events' payloads.
struct DataplaneState {
  std::vector<L2Vni> l2vnis;           // devices that exist, attributes as read back
  std::vector<L3Vni> l3vnis;
  std::vector<SviAddress> svi_addresses;
  std::vector<RemoteMac> remote_macs;
  std::vector<FloodEntry> flood_entries;
  std::vector<RemoteNeighbour> remote_neighbours;
  std::vector<RemoteRmac> remote_rmacs;
  std::vector<VrfRoute> routes;        // proto bgp only
  std::vector<FdbNexthop> fdb_nexthops;          // ids in evpnd's range only
  std::vector<FdbNexthopGroup> fdb_nexthop_groups;
  std::vector<EsAttachment> es_attachments;      // filters as programmed (provider's own record)
  std::vector<SyncedMac> synced_macs;
  std::vector<LocalMacLearned> local_macs;
  std::vector<LocalNeighbourLearned> local_neighbours;
};

// Every object of `s` that evpnd installed (the `ours` part; not local learning), in dependency
// order: what an object refers to comes before it (devices, then fdb nexthops, their groups, the
// entries using them, the ES attachments whose backup is a group; VRF routes after the RMACs
// the ones via VTEPs resolve through and after the SVI addresses whose connected subnets resolve
// the ones via CEs, VrfRoute::local). Install in this order, remove in reverse. One list, so a new kind cannot be left out of the reconcile or the removal.
std::vector<IntentObject> installed_objects(const DataplaneState& s);

// ---------------------------------------------------------------------------------------------
// Data-plane health of one VNI as the daemon's retry queue sees it (dataplane/retry_queue.hpp),
// reported to EVPN so `show evpn vni` tells the truth.
enum class VniHealth : uint8_t {
  kOk,              // everything we asked for is installed, as far as the provider told us
  kRetrying,        // some intents of the VNI failed and wait for their retry
  kDeviceMissing,   // its bridge/vxlan/vrf device was deleted behind our back: being recreated
};
inline const char* to_string(VniHealth h) {
  return h == VniHealth::kOk ? "ok" : h == VniHealth::kRetrying ? "retrying" : "device-missing";
}
struct VniDataplaneStatus {
  VniHealth state = VniHealth::kOk;
  size_t pending = 0;                 // intents waiting for a retry
  uint64_t failures = 0;              // intents the provider refused (since start)
  uint64_t drifts = 0;                // entries/devices removed behind our back (since start)
  std::string last_error;             // the latest failure or drift, "" when none ever happened
  bool operator==(const VniDataplaneStatus&) const = default;
};

// Result of reconcile(desired): what had to change to make the data plane match.
struct ReconcileReport {
  size_t added = 0;                   // missing or different entries (re)installed
  size_t removed = 0;                 // ours but not desired
  size_t unchanged = 0;               // already right: left alone, never flushed
  std::vector<IntentError> errors;    // index refers to the plan's intent list
};

}  // namespace evpnd::dataplane

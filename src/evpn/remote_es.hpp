// Remote Ethernet segments (RFC 7432 §8.2, §8.4, §9.2.2, §14.1; RFC 8365 §8): what the Ethernet
// A-D routes of other PEs say about each ESI, and where the MACs behind a segment are sent.
//
// Per ESI and VTEP: its A-D per ES route(s) (Ethernet tag MAX-ET; a set of fragments with
// distinct RDs, §8.2) with the ESI Label Single-Active flag, and its A-D per EVI routes by VNI
// (the MAC-VRFs EvpnService imported them into: RT match and label = VNI, RFC 8365 §5.1.3).
// A VTEP is *active* for <ESI, VNI> when it advertised both (§8.4: "the combination of an
// Ethernet A-D per EVI route ... AND Ethernet A-D per ES routes"; FRR shows it as `(A)`).
//
// Where a MAC of ESI X in VNI v advertised by PE P goes (target()):
//   * All-active (no per-ES route of X has the Single-Active flag, §14.1.2): every active PE
//     (aliasing), plus P itself while P's per-ES route is present (§14.1.2: "If the next hop is
//     constructed as a result of a MAC route, then this label stack MUST be used"). All MACs of
//     <X, v> whose advertiser is active share one group, so losing a PE's per-ES route is ONE
//     group replace for all of them (mass withdraw, §8.2: "update their next-hop adjacencies for
//     all MAC addresses associated with the Ethernet segment"). A MAC whose own advertiser lost
//     its per-ES route keeps the other active PEs: §9.2.2 T2 "If after T1 PE1 withdraws its set
//     of Ethernet A-D per ES routes, then PE3 forwards traffic destined to M1 to PE2 only."
//     With no PE left the MAC is not installed (§8.2: "simply invalidates the MAC entries";
//     FRR does the same, it does not fall back to the type-2's next hop).
//   * Single-active (at least one per-ES route of X with the flag, §14.1.1 MUST deduce): the
//     primary P only, while its per-ES route is present; when it goes and exactly one other PE is
//     active for <X, v>, that backup is swapped in (§14.1.1 MAY; one group replace); with several
//     backups the MACs are removed so traffic floods (§14.1.1 MUST "start flooding").
//   * The MAC/IP route itself is imported only while some PE's per-ES route for X is present
//     (§9.2.2: "when both the MAC/IP Advertisement route AND the associated set of Ethernet A-D
//     per ES routes have been received"); an A-D per EVI route alone is never used (§8.4 MUST NOT).
//
// Groups come from NexthopGroups (NhgUse::kRemoteEs, key <X, v, primary>); MacVrf binds each
// installed MAC: bind() before the MAC's intent (group add/replace first), settle() after it
// (a group no MAC uses is deleted after the MACs). refresh(X) after an A-D change re-points the
// groups of X (one replace each) and names the MACs to re-evaluate.
// Also kept: the MAC/IP routes with a non-reserved ESI as received, so EvpnService can offer them
// again when the first per-ES route of the ESI comes or the last one goes.
// NOTE threading: single-threaded (EvpnService's). Pure.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "evpn/nexthop_groups.hpp"
#include "evpn/output.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

// Ethernet Tag MAX-ET (0xFFFFFFFF) marks the A-D per ES route (RFC 7432 §8.2.1).
inline constexpr uint32_t kMaxEthernetTag = 0xFFFFFFFF;

// RFC 7432 §5: ESI 0 (single-homed) and MAX-ESI (all 0xFF) are reserved.
bool esi_reserved(const Esi& e);

// `show evpn es` (remote part; FRR: VTEPs with flags, `(A)` = active).
struct RemoteEsVtepView {
  IpAddress vtep;
  bool per_es = false;            // its A-D per ES route(s) are present
  bool single_active = false;     // ... with the ESI Label Single-Active flag
  std::vector<Vni> per_evi;       // VNIs of its A-D per EVI routes
  std::vector<Vni> active;        // per-ES and per-EVI: a member of the segment's groups
  bool operator==(const RemoteEsVtepView&) const = default;
};
struct RemoteEsGroupView {
  Vni vni = 0;
  IpAddress primary;              // empty: the segment's shared group of <ESI, VNI>
  uint32_t nhid = 0;
  std::vector<IpAddress> members;
  uint32_t macs = 0;              // MACs pointing at it
  bool operator==(const RemoteEsGroupView&) const = default;
};
struct RemoteEsView {
  Esi esi;
  bool single_active = false;     // §14.1.1: at least one per-ES route with the flag
  std::vector<RemoteEsVtepView> vteps;
  std::vector<RemoteEsGroupView> groups;
  size_t macs = 0;                // MACs of the segment known here (installed or waiting)
  bool operator==(const RemoteEsView&) const = default;
};

class RemoteEs {
 public:
  struct PerEs {
    Esi esi;
    IpAddress vtep;
    bool single_active = false;
  };
  struct PerEvi {
    Esi esi;
    IpAddress vtep;
    std::vector<Vni> vnis;        // MAC-VRFs that imported it
  };
  struct Target {
    NhgKey key;
    std::vector<IpAddress> members;
  };
  struct Parked {
    wire::EvpnRoute route;
    wire::PathAttributes attrs;
    IpAddress next_hop;
  };
  using MacRef = std::pair<Vni, Mac>;

  explicit RemoteEs(NexthopGroups& nhg) : nhg_(nhg) {}

  // The A-D route with `key` is now `r` (nullopt: withdrawn or not usable). Returns the ESIs
  // whose state changed (the one it named before and the one it names now).
  std::vector<Esi> set_per_es(const Bytes& key, std::optional<PerEs> r);
  std::vector<Esi> set_per_evi(const Bytes& key, std::optional<PerEvi> r);
  // Either kind (a withdrawal names the route key only).
  std::vector<Esi> withdraw(const Bytes& key);

  std::optional<Esi> esi_of(const Bytes& key) const;       // the ESI an A-D route names
  bool has_per_es(const Esi& esi) const;                   // any PE's per-ES route present
  bool single_active(const Esi& esi) const;
  std::vector<IpAddress> active(const Esi& esi, Vni vni) const;
  std::optional<Target> target(const Esi& esi, Vni vni, const IpAddress& advertiser) const;

  // MacVrf: the MAC `ref` of `esi` advertised by `advertiser` is to be installed. Returns the
  // group id (its add/replace appended to `out` first) or nullopt when it cannot be installed.
  std::optional<uint32_t> bind(const MacRef& ref, const Esi& esi, const IpAddress& advertiser, Output& out);
  // After the MAC's intents: drops the group it used before if it uses another one now (or
  // none); `watch` keeps it registered for refresh() (it still wants a group of its ESI).
  void settle(const MacRef& ref, bool watch, Output& out);
  // After set_*(): re-points the groups of `esi` in use (one replace each) and returns the MACs
  // of the segment, to be re-evaluated (MacVrf::refresh) in that order.
  std::vector<MacRef> refresh(const Esi& esi, Output& out);

  // MAC/IP routes with a non-reserved ESI, as received.
  void track(const Bytes& key, const Esi& esi, Parked p);
  void untrack(const Bytes& key);
  std::vector<Parked> parked(const Esi& esi) const;

  std::vector<RemoteEsView> views() const;
  std::optional<RemoteEsView> view(const Esi& esi) const;
  uint64_t mass_withdrawals() const { return mass_withdrawals_; }

 private:
  struct VtepState {
    uint32_t per_es = 0;          // per-ES route keys (fragments) naming this VTEP
    uint32_t single_active = 0;   // ... of which with the Single-Active flag
    std::map<Vni, uint32_t> per_evi;
  };
  struct EsState {
    std::map<IpAddress, VtepState> vteps;
    std::set<NhgKey> groups;      // keys acquired for MACs of this segment
    std::set<MacRef> users;
    KeyMap<Parked> parked;
  };
  struct MacUse {
    Esi esi;
    std::optional<NhgKey> held;   // the group the installed MAC points at
    std::optional<NhgKey> pending;
  };

  bool has_es(const EsState& s, const IpAddress& vtep) const;
  std::optional<std::vector<IpAddress>> members_for(const NhgKey& key) const;
  void forget_if_idle(const Esi& esi);

  NexthopGroups& nhg_;
  std::map<Esi, EsState> es_;
  KeyMap<PerEs> per_es_;
  KeyMap<PerEvi> per_evi_;
  KeyMap<Esi> parked_index_;
  std::map<MacRef, MacUse> users_;
  uint64_t mass_withdrawals_ = 0;
};

}  // namespace evpnd::evpn

// Remote Ethernet segments as far as a single-homed VTEP needs them (RFC 7432 §9.2.2, §8.2):
// a MAC/IP route with a non-reserved ESI may only be installed together with the Ethernet A-D
// per ES route(s) for that ESI — "if the receiving PE decides to install forwarding state for
// the associated MAC address, it MUST be based on the MAC/IP Advertisement route as well as the
// Ethernet A-D per ES route(s)". Multihoming itself (issue 9) is not implemented: no aliasing or
// backup path (§8.4, §14) — the MAC is installed towards the VTEP that advertised it, and only
// while that same VTEP's A-D per ES route for the ESI is present (its withdrawal is the §8.2
// mass withdrawal: every MAC of the segment behind that VTEP goes).
//
// Owns: the A-D per ES routes seen (route key -> ESI and VTEP) and the MAC/IP routes with a
// non-reserved ESI (route key -> the route as received), so EvpnService can offer them again
// when their A-D per ES route comes or goes.
// NOTE threading: single-threaded (EvpnService's).
#pragma once

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/esi.hpp"
#include "core/ip.hpp"
#include "evpn/output.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

// Ethernet Tag MAX-ET (0xFFFFFFFF) marks the A-D per ES route (RFC 7432 §8.2.1).
inline constexpr uint32_t kMaxEthernetTag = 0xFFFFFFFF;

// RFC 7432 §5: ESI 0 (single-homed) and MAX-ESI (all 0xFF) are reserved.
bool esi_reserved(const Esi& e);

class EsRoutes {
 public:
  using Segment = std::pair<Esi, IpAddress>;  // ESI, advertising VTEP
  struct Parked {
    wire::EvpnRoute route;
    wire::PathAttributes attrs;
    IpAddress next_hop;
  };

  // An A-D per ES route (by route key) names `seg`; call ad_per_es_withdraw(key) first when it
  // may have named another one (a re-advertisement from another VTEP).
  void ad_per_es_add(const Bytes& key, const Segment& seg);
  // The route is gone (or no longer usable); the segment it named, if any.
  std::optional<Segment> ad_per_es_withdraw(const Bytes& key);
  bool present(const Segment& seg) const;

  // A MAC/IP route whose installation depends on `seg` (stored as received).
  void track(const Bytes& key, const Segment& seg, Parked p);
  void untrack(const Bytes& key);
  std::vector<Parked> dependents(const Segment& seg) const;
  size_t tracked() const { return macip_.size(); }

 private:
  std::map<Bytes, Segment, KeyLess> ad_routes_;     // A-D per ES route key -> segment
  std::map<Segment, uint32_t> segments_;            // segment -> A-D per ES routes naming it
  std::map<Bytes, std::pair<Segment, Parked>, KeyLess> macip_;
};

}  // namespace evpnd::evpn

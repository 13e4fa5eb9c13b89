// The BGP decision process, phase 2 (RFC 4271 §9.1.2.2) with the route-reflection tie-breakers
// of RFC 4456 §9 and the EVPN MAC mobility rule of RFC 7432 §15.1, in this order:
//   0. locally originated over learned (FRR's weight 32768 does the same)
//   1. type-2: sticky MAC, then higher MAC Mobility sequence (RFC 7432 §15.1)
//   2. highest LOCAL_PREF (absent = 100)
//   3. shortest AS_PATH (RFC 4271 §9.1.2.2 a)
//   4. lowest ORIGIN (b)
//   5. lowest MED, only between paths from the same neighbouring AS (c; absent MED = 0)
//   6. eBGP over iBGP (d)
//   7. lowest BGP identifier, ORIGINATOR_ID standing in for it when present (f; RFC 4456 §9)
//   8. shortest CLUSTER_LIST (RFC 4456 §9)
//   9. lowest peer address (g)
// Stale paths (graceful restart) lose to non-stale ones before step 1 (RFC 4724 §4.2 keeps them
// for forwarding, not to win over fresh information).
#pragma once

#include <cstdint>
#include <functional>

#include "bgp/route_table.hpp"

namespace evpnd::bgp {

// What the decision process needs to know about the peer a path came from.
struct PeerFacts {
  bool local = false;  // locally originated
  bool ebgp = false;
  IpAddress router_id;
  IpAddress address;
};

enum class BestReason : uint8_t {
  kEqual,
  kNotStale,
  kLocalOrigin,
  kMacMobility,
  kLocalPref,
  kAsPathLength,
  kOrigin,
  kMed,
  kEbgpOverIbgp,
  kRouterId,
  kClusterListLength,
  kPeerAddress,
};
const char* to_string(BestReason r);

// < 0: a is better, > 0: b is better, 0: equal. `why` (optional) gets the deciding step.
// One decision process for every table (N = wire::EvpnRoute or IpPrefix); step 1 (MAC
// mobility) applies to EVPN type-2 routes only. Instantiated for both in best_path.cpp.
template <typename N>
int compare_paths(const BasicPath<N>& a, const PeerFacts& fa, const BasicPath<N>& b, const PeerFacts& fb,
                  BestReason* why = nullptr);

using PeerFactsLookup = std::function<const PeerFacts&(PeerId)>;

// Index of the best live path of `d`, or -1.
template <typename N>
int32_t select_best(const BasicDest<N>& d, const PeerFactsLookup& facts);

extern template int compare_paths(const Path&, const PeerFacts&, const Path&, const PeerFacts&, BestReason*);
extern template int compare_paths(const UnicastPath&, const PeerFacts&, const UnicastPath&, const PeerFacts&,
                                  BestReason*);
extern template int32_t select_best(const Dest&, const PeerFactsLookup&);
extern template int32_t select_best(const UnicastDest&, const PeerFactsLookup&);

}  // namespace evpnd::bgp

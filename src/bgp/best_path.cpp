#include "bgp/best_path.hpp"

#include <type_traits>

namespace evpnd::bgp {
namespace {

constexpr uint32_t kDefaultLocalPref = 100;

// RFC 7432 §7.7: the MAC Mobility community (sequence, sticky); absent = (0, not sticky).
struct Mobility {
  uint32_t seq = 0;
  bool sticky = false;
};
Mobility mobility(const Path& p) {
  Mobility m;
  for (const auto& ec : p.info->attrs.ext_communities) {
    if (auto mm = ec.as_mac_mobility()) {
      m.seq = mm->sequence;
      m.sticky = mm->sticky;
      break;
    }
  }
  return m;
}

// The neighbouring AS for MED comparison: the first AS of the leftmost AS_SEQUENCE
// (RFC 4271 §9.1.2.2 c); 0 when the path is empty (our own AS).
Asn neighbour_as(const wire::PathAttributes& a) {
  if (!a.as_path) return 0;
  for (const auto& seg : *a.as_path) {
    if (seg.type == wire::AsPathSegment::Type::kSequence && !seg.asns.empty()) return seg.asns.front();
    if (seg.type == wire::AsPathSegment::Type::kSet) return 0;
  }
  return 0;
}

template <typename T>
int lower_wins(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

template <typename N>
int compare_paths(const BasicPath<N>& a, const PeerFacts& fa, const BasicPath<N>& b, const PeerFacts& fb,
                  BestReason* why) {
  auto decide = [why](BestReason r, int v) {
    if (why) *why = r;
    return v;
  };
  int c;
  const bool sa = a.flags & path_flag::kStale, sb = b.flags & path_flag::kStale;
  if (sa != sb) return decide(BestReason::kNotStale, sa ? 1 : -1);
  if (fa.local != fb.local) return decide(BestReason::kLocalOrigin, fa.local ? -1 : 1);

  const auto& x = a.info->attrs;
  const auto& y = b.info->attrs;
  if constexpr (std::is_same_v<N, wire::EvpnRoute>) {
    if (std::holds_alternative<wire::MacIpAdvertisement>(a.nlri)) {
      const Mobility ma = mobility(a), mb = mobility(b);
      if (ma.sticky != mb.sticky) return decide(BestReason::kMacMobility, ma.sticky ? -1 : 1);
      // RFC 7432 §15: the newer sequence wins, compared across the 32-bit wrap.
      if ((c = wire::mobility_seq_compare(mb.seq, ma.seq))) return decide(BestReason::kMacMobility, c);
    }
  }
  if ((c = lower_wins(y.local_pref.value_or(kDefaultLocalPref), x.local_pref.value_or(kDefaultLocalPref))))
    return decide(BestReason::kLocalPref, c);
  const size_t la = x.as_path ? wire::as_path_length(*x.as_path) : 0;
  const size_t lb = y.as_path ? wire::as_path_length(*y.as_path) : 0;
  if ((c = lower_wins(la, lb))) return decide(BestReason::kAsPathLength, c);
  const auto oa = static_cast<uint8_t>(x.origin.value_or(wire::Origin::kIncomplete));
  const auto ob = static_cast<uint8_t>(y.origin.value_or(wire::Origin::kIncomplete));
  if ((c = lower_wins(oa, ob))) return decide(BestReason::kOrigin, c);
  if (neighbour_as(x) == neighbour_as(y)) {
    if ((c = lower_wins(x.med.value_or(0), y.med.value_or(0)))) return decide(BestReason::kMed, c);
  }
  if (fa.ebgp != fb.ebgp) return decide(BestReason::kEbgpOverIbgp, fa.ebgp ? -1 : 1);
  const IpAddress& ida = x.originator_id ? *x.originator_id : fa.router_id;
  const IpAddress& idb = y.originator_id ? *y.originator_id : fb.router_id;
  if ((c = lower_wins(ida.v4_host_order(), idb.v4_host_order()))) return decide(BestReason::kRouterId, c);
  if ((c = lower_wins(x.cluster_list.size(), y.cluster_list.size()))) return decide(BestReason::kClusterListLength, c);
  if ((c = lower_wins(fa.address, fb.address))) return decide(BestReason::kPeerAddress, c);
  return decide(BestReason::kEqual, 0);
}

template <typename N>
int32_t select_best(const BasicDest<N>& d, const PeerFactsLookup& facts) {
  int32_t best = -1;
  for (size_t i = 0; i < d.paths.size(); ++i) {
    const BasicPath<N>& p = d.paths[i];
    if (!p.live()) continue;
    if (best < 0) {
      best = static_cast<int32_t>(i);
      continue;
    }
    const BasicPath<N>& b = d.paths[size_t(best)];
    if (compare_paths(p, facts(p.peer), b, facts(b.peer)) < 0) best = static_cast<int32_t>(i);
  }
  return best;
}

template int compare_paths(const Path&, const PeerFacts&, const Path&, const PeerFacts&, BestReason*);
template int compare_paths(const UnicastPath&, const PeerFacts&, const UnicastPath&, const PeerFacts&, BestReason*);
template int32_t select_best(const Dest&, const PeerFactsLookup&);
template int32_t select_best(const UnicastDest&, const PeerFactsLookup&);

const char* to_string(BestReason r) {
  switch (r) {
    case BestReason::kEqual: return "equal";
    case BestReason::kNotStale: return "not-stale";
    case BestReason::kLocalOrigin: return "local-origin";
    case BestReason::kMacMobility: return "mac-mobility";
    case BestReason::kLocalPref: return "local-pref";
    case BestReason::kAsPathLength: return "as-path-length";
    case BestReason::kOrigin: return "origin";
    case BestReason::kMed: return "med";
    case BestReason::kEbgpOverIbgp: return "ebgp-over-ibgp";
    case BestReason::kRouterId: return "router-id";
    case BestReason::kClusterListLength: return "cluster-list-length";
    case BestReason::kPeerAddress: return "peer-address";
  }
  return "?";
}

}  // namespace evpnd::bgp

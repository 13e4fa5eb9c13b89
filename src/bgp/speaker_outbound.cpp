// What a session may carry: the families it negotiated (RFC 4760 §8), both ways, and UPDATEs no
// larger than its maximum message size (RFC 4271 §9.2, RFC 8654 §4).
//
// Sending: update groups are per negotiated family set (GroupPolicy::families), and outbound()
// is the one place that decides whether a group gets a best path at all; fill_group and the
// catch-up pump both ask it, so a route of a family the session did not negotiate is never
// encoded for it, announced or withdrawn. For unicast it also applies the export policy (RFC
// 8212 §2 without one towards eBGP) and next-hop-self (policy.hpp, transform_outbound_unicast).
//
// Receiving: RFC 4760 §8 makes both speakers advertise a family before routes of it are
// exchanged, but prescribes nothing for a peer that sends one anyway, and RFC 4760 §7's reset
// is for an incorrect MP_REACH/MP_UNREACH, not for a well-formed one of another family. So such
// NLRI are ignored (FRR does the same), counted per neighbour (unnegotiated_nlri: neighbour API,
// /metrics) and logged at most once per 10 s per neighbour.
//
// Size: a route whose attributes came from an extended-message peer may not fit 4096 octets
// towards one without (RFC 8654 §4). outbound() asks the group (UpdateGroup::fitting, which
// first tries dropping the attribute-discard attributes); a route that still does not fit is
// treated as not advertisable to that group: never sent, withdrawn where it had been sent,
// counted per member (routes_too_large) and logged at most every 10 s per neighbour.
#include <spdlog/spdlog.h>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {

template <typename N>
const AttrRef* Speaker::outbound(UpdateGroup& g, const BasicPath<N>& b, bool count) {
  const GroupPolicy& pol = g.policy();
  if (!pol.carries(RibTraits<N>::family(b.nlri))) return nullptr;
  const Peer& from = *peers_[b.peer];
  if (!may_advertise(from.role, pol.role)) return nullptr;
  const NlriKind kind = RibTraits<N>::kind(b.nlri);
  if constexpr (std::is_same_v<N, IpPrefix>) {
    // Export policy (issue 10): the group's prefix list; without one, RFC 8212 §2 sends an
    // eBGP peer nothing (iBGP without a policy gets every route).
    if (pol.export_filter ? !permits(*pol.export_filter, b.nlri) : pol.role == PeerRole::kEbgp) return nullptr;
  }
  const AttrRef& out = g.out_attrs(b.info, from.role, from.facts.router_id, me_, attrs_, kind);
  if constexpr (std::is_same_v<N, IpPrefix>) {
    if (!out) {
      // next-hop-self (RFC 4271 §5.1.3) needs the session's local address of the prefix's
      // family, and the I/O layer did not report one: the route cannot be sent correctly.
      if (count) {
        for (PeerId m : g.members()) {
          if (m == b.peer) continue;
          Peer& p = *peers_[m];
          ++p.counters.no_next_hop;
          if (auto held = p.no_next_hop_log.allow(now_))
            spdlog::warn("peer {}: {} not advertised: next-hop-self needs a local {} address on this session and "
                         "none is known{}",
                         p.cfg.address.to_string(), b.nlri.to_string(), kind == NlriKind::kIpv6 ? "IPv6" : "IPv4",
                         *held ? " (" + std::to_string(*held) + " more such routes since the last report)" : "");
        }
      }
      return nullptr;
    }
  }
  size_t size = 0;
  size_t route_size;
  if constexpr (std::is_same_v<N, IpPrefix>) route_size = UnicastPacker::prefix_size(b.nlri);
  else route_size = wire::encoded_size(b.nlri);
  const AttrRef* fit = g.fitting(out, kind, route_size, attrs_, &size);
  if (!fit && count) {
    // RFC 4271 §9.2 "MUST NOT advertise the route ... MAY choose to log an error locally"; the
    // caller withdraws it from members that had it (RFC 8654 §4, RFC 4271 §9.1.3).
    for (PeerId m : g.members()) {
      if (m == b.peer) continue;  // never sent its own route anyway (RFC 4456 §6)
      Peer& p = *peers_[m];
      ++p.counters.routes_too_large;
      if (auto held = p.too_large_log.allow(now_)) {
        spdlog::warn("peer {}: route {} not advertised: its UPDATE would be {} octets, over the {} this session "
                     "allows (RFC 4271 §9.2, RFC 8654 §4){}",
                     p.cfg.address.to_string(), RibTraits<N>::text(b.nlri), size,
                     pol.extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize,
                     *held ? " (" + std::to_string(*held) + " more such routes since the last report)" : "");
      }
    }
  }
  return fit;
}

template const AttrRef* Speaker::outbound(UpdateGroup&, const Path&, bool);
template const AttrRef* Speaker::outbound(UpdateGroup&, const UnicastPath&, bool);

bool Speaker::drop_unnegotiated(Peer& p, wire::Update& u) {
  // End-of-RIB (RFC 4724 §2) of a family this session does not carry: nothing to count.
  if (u.is_end_of_rib() && !p.neg.has_family(u.mp_unreach ? u.mp_unreach->afi_safi : kIpv4Unicast)) return true;
  uint64_t dropped = 0;
  std::string families;
  auto note = [&](AfiSafi f, size_t n) {
    dropped += n;
    const std::string name = to_string(f);
    if (families.find(name) == std::string::npos) families += (families.empty() ? "" : ", ") + name;
  };
  // The IPv4 fields of the UPDATE itself are IPv4 unicast (RFC 4271 §4.3, RFC 4760 §8: a peer
  // without capability 1 speaks only that).
  if ((!u.nlri.empty() || !u.withdrawn.empty()) && !p.neg.has_family(kIpv4Unicast)) {
    note(kIpv4Unicast, u.nlri.size() + u.withdrawn.size());
    u.nlri.clear();
    u.withdrawn.clear();
    u.nlri_path_ids.clear();
    u.withdrawn_path_ids.clear();
  }
  if (u.mp_reach && !p.neg.has_family(u.mp_reach->afi_safi)) {
    note(u.mp_reach->afi_safi, u.mp_reach->evpn.size() + u.mp_reach->prefixes.size());
    u.mp_reach.reset();
  }
  if (u.mp_unreach && !p.neg.has_family(u.mp_unreach->afi_safi)) {
    note(u.mp_unreach->afi_safi, u.mp_unreach->evpn.size() + u.mp_unreach->prefixes.size());
    u.mp_unreach.reset();
  }
  if (families.empty()) return false;
  p.counters.unnegotiated_nlri += dropped;
  if (auto held = p.unnegotiated_log.allow(now_)) {
    spdlog::warn("peer {}: {} NLRI of {} ignored: family not negotiated on this session (RFC 4760 §8){}",
                 p.cfg.address.to_string(), dropped, families,
                 *held ? " (" + std::to_string(*held) + " more such UPDATEs since the last report)" : "");
  }
  // Nothing of a negotiated family left: the UPDATE is done with (its attribute errors, if any,
  // were counted by the caller).
  return u.nlri.empty() && u.withdrawn.empty() && !u.mp_reach && !u.mp_unreach;
}

}  // namespace evpnd::bgp

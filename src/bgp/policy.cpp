#include "bgp/policy.hpp"

#include <algorithm>

namespace evpnd::bgp {
namespace {
constexpr uint32_t kDefaultLocalPref = 100;

bool path_contains(const wire::AsPath& p, Asn asn) {
  for (const auto& seg : p)
    if (std::find(seg.asns.begin(), seg.asns.end(), asn) != seg.asns.end()) return true;
  return false;
}

// RFC 4271 §5.1.2 b): prepend our AS to the leading AS_SEQUENCE, or start a new one when the
// path is empty, starts with an AS_SET, or the first segment is full (255 ASes).
void prepend_as(wire::AsPath& p, Asn asn) {
  if (p.empty() || p.front().type != wire::AsPathSegment::Type::kSequence || p.front().asns.size() >= 255) {
    p.insert(p.begin(), wire::AsPathSegment{wire::AsPathSegment::Type::kSequence, {asn}});
  } else {
    p.front().asns.insert(p.front().asns.begin(), asn);
  }
}
}  // namespace

const char* to_string(PeerRole r) {
  switch (r) {
    case PeerRole::kLocal: return "local";
    case PeerRole::kRrClient: return "rr-client";
    case PeerRole::kIbgp: return "ibgp";
    case PeerRole::kEbgp: return "ebgp";
  }
  return "?";
}

const char* to_string(InboundVerdict v) {
  switch (v) {
    case InboundVerdict::kAccept: return "accept";
    case InboundVerdict::kOriginatorIsUs: return "originator is us";
    case InboundVerdict::kClusterLoop: return "cluster-list loop";
    case InboundVerdict::kAsLoop: return "as-path loop";
    case InboundVerdict::kFirstAsMismatch: return "first AS is not the peer's";
  }
  return "?";
}

InboundVerdict check_inbound(const wire::PathAttributes& a, PeerRole from, Asn peer_as, const SpeakerIdentity& me) {
  if (from == PeerRole::kEbgp) {
    if (a.as_path) {
      if (path_contains(*a.as_path, me.asn)) return InboundVerdict::kAsLoop;
      const auto& p = *a.as_path;
      if (p.empty() || p.front().type != wire::AsPathSegment::Type::kSequence || p.front().asns.empty() ||
          p.front().asns.front() != peer_as)
        return InboundVerdict::kFirstAsMismatch;
    }
    return InboundVerdict::kAccept;
  }
  if (is_ibgp(from)) {
    if (a.originator_id && *a.originator_id == me.router_id) return InboundVerdict::kOriginatorIsUs;
    if (std::find(a.cluster_list.begin(), a.cluster_list.end(), me.cluster_id) != a.cluster_list.end())
      return InboundVerdict::kClusterLoop;
  }
  return InboundVerdict::kAccept;
}

void normalize_inbound(wire::PathAttributes& a, PeerRole from) {
  if (from == PeerRole::kEbgp) {
    a.local_pref.reset();
    a.originator_id.reset();
    a.cluster_list.clear();
  }
}

bool may_advertise(PeerRole from, PeerRole to) {
  if (to == PeerRole::kLocal) return false;
  switch (from) {
    case PeerRole::kLocal:
    case PeerRole::kEbgp: return true;
    case PeerRole::kRrClient: return true;
    case PeerRole::kIbgp: return to == PeerRole::kRrClient || to == PeerRole::kEbgp;
  }
  return false;
}

PathInfo transform_outbound(const PathInfo& in, PeerRole from, const IpAddress& from_router_id, PeerRole to,
                            const SpeakerIdentity& me) {
  PathInfo out;
  out.attrs = in.attrs;
  out.next_hop = in.next_hop;
  auto& a = out.attrs;
  if (!a.origin) a.origin = wire::Origin::kIgp;
  if (!a.as_path) a.as_path = wire::AsPath{};
  if (to == PeerRole::kEbgp) {
    prepend_as(*a.as_path, me.asn);
    a.local_pref.reset();
    a.originator_id.reset();
    a.cluster_list.clear();
    // RFC 4271 §5.1.4: a MED received from another AS is not passed on to a third one.
    if (from != PeerRole::kLocal) a.med.reset();
    return out;
  }
  // iBGP (client or not).
  if (!a.local_pref) a.local_pref = kDefaultLocalPref;
  if (is_ibgp(from)) {
    // RFC 4456 §8: reflection sets ORIGINATOR_ID once and prepends our CLUSTER_ID.
    if (!a.originator_id) a.originator_id = from_router_id;
    a.cluster_list.insert(a.cluster_list.begin(), me.cluster_id);
  }
  return out;
}

std::optional<PathInfo> transform_outbound_unicast(const PathInfo& in, PeerRole from, const IpAddress& from_router_id,
                                                   PeerRole to, const SpeakerIdentity& me,
                                                   const std::optional<IpAddress>& local, IpFamily family) {
  PathInfo out = transform_outbound(in, from, from_router_id, to, me);
  out.attrs.next_hop.reset();
  const bool self = to == PeerRole::kEbgp || (from == PeerRole::kLocal && in.next_hop.is_unspecified());
  if (self) {
    if (!local) return std::nullopt;
    out.next_hop = *local;
  }
  if (out.next_hop.family() != family || out.next_hop.is_unspecified()) return std::nullopt;
  return out;
}

}  // namespace evpnd::bgp

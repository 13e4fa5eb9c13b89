// Unicast inbound (issue 10): the IPv4 unicast fields of an UPDATE (Withdrawn Routes, NLRI with
// the NEXT_HOP attribute, RFC 4271 §4.3) and MP_REACH_NLRI / MP_UNREACH_NLRI of ipv4-unicast and
// ipv6-unicast (RFC 4760 §3-4; IPv6 takes the global next hop, RFC 2545 §3: the link-local one
// is only meaningful on the shared link and is not kept), into the unicast table.
//
// By the time this runs, process_update() has dropped the NLRI of families the session did not
// negotiate (RFC 4760 §8, counted) and checked the path for loops (RFC 4271 §9.1.2, RFC 4456 §8),
// turning a looped UPDATE into a withdrawal like RFC 7606's treat-as-withdraw.
//
// Import policy: the neighbour's prefix list (PeerConfig::import_filter, FRR semantics); without
// one, RFC 8212 §2 accepts nothing from an eBGP peer (iBGP takes every prefix). A refused prefix
// is counted (PeerCounters::policy_rejected), logged rate-limited, and withdrawn: the peer's
// previous route for it, if it had one, is gone, as a filter change on a live session would make
// it. EVPN routes are not filtered (peer.hpp says why).
#include <spdlog/spdlog.h>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {
namespace {
bool is_unicast(AfiSafi f) { return f == kIpv4Unicast || f == kIpv6Unicast; }
}  // namespace

bool Speaker::import_permits(const Peer& p, const IpPrefix& prefix) const {
  if (p.cfg.import_filter) return permits(*p.cfg.import_filter, prefix);
  return p.role != PeerRole::kEbgp;  // RFC 8212 §2
}

void Speaker::process_unicast(Peer& p, wire::Update& u, const wire::PathAttributes* attrs, bool as_withdraw) {
  for (const IpPrefix& w : u.withdrawn) withdraw(unicast_, p.id, w);
  if (u.mp_unreach && is_unicast(u.mp_unreach->afi_safi)) {
    const auto& prefixes = u.mp_unreach->prefixes;
    prefetch_batch(unicast_, prefixes);
    for (size_t i = 0; i < prefixes.size(); ++i) withdraw(unicast_, p.id, prefixes[i], unicast_.batch_hashes[i]);
  }
  auto take = [&](const std::vector<IpPrefix>& prefixes, const IpAddress& next_hop) {
    if (prefixes.empty()) return;
    AttrRef info;
    bool withdraw_all = as_withdraw || !attrs;
    const Connection* c = p.conn(p.session);
    if (!withdraw_all && (next_hop.is_unspecified() || next_hop.family() != prefixes.front().family() ||
                          (c && c->local && *c->local == next_hop))) {
      // RFC 4271 §6.3: a NEXT_HOP that is not a usable address of the prefix's family (or is
      // our own address on the session) is semantically incorrect: the routes are ignored and
      // the error logged. Without RFC 8950 negotiated, an IPv4 prefix cannot have an IPv6 next hop.
      ++p.counters.treat_as_withdraw;
      spdlog::warn("peer {}: {} prefixes with next hop {} ignored (RFC 4271 §6.3)", p.cfg.address.to_string(),
                   prefixes.size(), next_hop.to_string());
      withdraw_all = true;
    }
    if (!withdraw_all) {
      PathInfo pi{*attrs, next_hop, 0};
      pi.attrs.next_hop.reset();  // the RIB keeps the next hop in PathInfo only (policy.hpp)
      info = attrs_.intern(std::move(pi));
    }
    prefetch_batch(unicast_, prefixes);
    uint64_t refused = 0;
    const IpPrefix* first_refused = nullptr;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      const uint32_t h = unicast_.batch_hashes[i];
      if (withdraw_all) {
        withdraw(unicast_, p.id, prefixes[i], h);
      } else if (!import_permits(p, prefixes[i])) {
        if (!refused++) first_refused = &prefixes[i];
        withdraw(unicast_, p.id, prefixes[i], h);
      } else {
        announce(unicast_, p.id, prefixes[i], info, h);
      }
    }
    if (!refused) return;
    p.counters.policy_rejected += refused;
    if (auto held = p.policy_log.allow(now_)) {
      spdlog::info("peer {}: {} prefixes refused by the import policy{} (first: {}){}", p.cfg.address.to_string(),
                   refused, p.cfg.import_filter ? "" : " (none configured on an eBGP session: RFC 8212 §2)",
                   first_refused->to_string(),
                   *held ? " (" + std::to_string(*held) + " more such UPDATEs since the last report)" : "");
    }
  };
  take(u.nlri, attrs && attrs->next_hop ? *attrs->next_hop : IpAddress{});
  if (u.mp_reach && is_unicast(u.mp_reach->afi_safi)) take(u.mp_reach->prefixes, u.mp_reach->next_hop);
}

}  // namespace evpnd::bgp

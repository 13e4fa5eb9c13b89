// EvpnService: Ethernet A-D routes of remote PEs (RFC 7432 §8.2, §8.4, §8.6, §14.1) into
// RemoteEs, and what a change of a segment's PEs does to its MACs (kept apart from the dispatch
// in evpn_service.cpp).
#include <algorithm>
#include <set>

#include "evpn/auto_rd_rt.hpp"
#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {
namespace {

bool single_active_flag(const wire::PathAttributes& attrs) {
  for (const auto& ec : attrs.ext_communities) {
    if (auto l = ec.as_esi_label()) return l->single_active;  // §8.2.1 / §14.1.1
  }
  return false;
}

}  // namespace

bool EvpnService::local_esi(const Esi& esi) const {
  return std::any_of(segments_.begin(), segments_.end(), [&](const auto& s) { return s.second.esi() == esi; });
}

void EvpnService::ad_route(const Bytes& key, const wire::EthernetAutoDiscovery* ad,
                           const wire::PathAttributes& attrs, const std::optional<IpAddress>& vtep, Time now,
                           Output& out) {
  std::optional<RemoteEs::PerEs> per_es;
  std::optional<RemoteEs::PerEvi> per_evi;
  if (ad && vtep) {
    const std::vector<RouteTarget> rts = route_targets(attrs);
    if (ad->ethernet_tag == kMaxEthernetTag) {
      // Per ES (§8.2.1): its RTs are those of every EVI of the segment (§8.2.1.1); kept while
      // one of our MAC-VRFs imports one of them.
      if (std::any_of(mac_vrfs_.begin(), mac_vrfs_.end(), [&](const auto& m) { return m.second.imports(rts); })) {
        per_es = RemoteEs::PerEs{ad->esi, *vtep, single_active_flag(attrs)};
      }
    } else {
      // Per EVI (§8.4.1): the EVI's RTs; its label carries the VNI (RFC 8365 §5.1.3), which must
      // be the local one as for every other route of the MAC-VRF.
      per_evi = RemoteEs::PerEvi{ad->esi, *vtep, {}};
      for (auto& [vni, mv] : mac_vrfs_) {
        if (mv.imports(rts) && vni_matches(wire::EvpnRoute{*ad}, Vni(ad->label), vni, false, *vtep, out)) {
          per_evi->vnis.push_back(vni);
        }
      }
    }
  }
  std::set<Esi> touched;
  if (auto old = remote_es_.esi_of(key)) touched.insert(*old);
  if (per_es) touched.insert(per_es->esi);
  if (per_evi) touched.insert(per_evi->esi);
  std::map<Esi, bool> had;
  for (const auto& e : touched) had[e] = remote_es_.has_per_es(e);
  std::vector<Esi> changed;
  if (ad && ad->ethernet_tag == kMaxEthernetTag) {
    changed = remote_es_.set_per_es(key, per_es);
  } else if (ad) {
    changed = remote_es_.set_per_evi(key, per_evi);
  } else {
    changed = remote_es_.withdraw(key);
  }
  counters_.es_mass_withdrawals = remote_es_.mass_withdrawals();
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (const auto& e : changed) es_changed(e, had[e], now, out);
}

void EvpnService::es_changed(const Esi& esi, bool had_per_es, Time now, Output& out) {
  // 1. One replace per group of the segment: every MAC pointing at it follows (mass withdraw).
  const std::vector<RemoteEs::MacRef> macs = remote_es_.refresh(esi, out);
  // 2. The first per-ES route of the segment came or the last one went: its MAC/IP routes are
  //    imported or unimported (MAC-VRFs and IP-VRFs; §9.2.2, §8.2 "invalidates the MAC entries").
  if (remote_es_.has_per_es(esi) != had_per_es) {
    for (auto& p : remote_es_.parked(esi)) out.append(on_remote_route(p.route, p.attrs, p.next_hop, true, now));
  }
  // 3. Each MAC of the segment re-evaluated: moved to another group, installed once its segment
  //    has a PE again, or removed (before the group it used, which is deleted after the MACs).
  for (const auto& [vni, mac] : macs) {
    auto mv = mac_vrfs_.find(vni);
    if (mv == mac_vrfs_.end()) continue;
    mv->second.refresh(mac, out);
    sync_local_hosts(mv->second, mac, out);
  }
}

}  // namespace evpnd::evpn

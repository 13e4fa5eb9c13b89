// MacVrf's read-only views (kept apart from the event logic in mac_vrf.cpp).
#include "evpn/mac_vrf.hpp"

namespace evpnd::evpn {

std::optional<MacView> MacVrf::view_of(const Mac& mac, const Entry& e) const {
  MacView v;
  v.vni = cfg_.vni;
  v.mac = mac;
  v.local_seq = e.local_seq;
  v.duplicate = e.dad.duplicate;
  v.frozen = e.dad.frozen;
  v.endpoint = e.endpoint.has_value();
  if (auto best = best_remote(e)) v.remote_seq = best->seq;
  if (e.local) {
    v.origin = EntryOrigin::kLocal;
    v.port = e.local->port;
    v.sticky = e.local->is_static;
    v.ips.assign(e.local_ips.begin(), e.local_ips.end());
    if (auto it = cfg_.es_ports.find(v.port); it != cfg_.es_ports.end()) v.esi = it->second;
  } else if (e.installed) {
    v.origin = EntryOrigin::kRemote;
    v.remote_vtep = e.installed->vtep;
    v.sticky = e.installed->sticky;
    v.nhid = e.installed->nhid;
    if (auto best = best_remote(e)) v.esi = best->esi;
    v.ips.assign(e.installed_neighs.begin(), e.installed_neighs.end());
  } else if (e.synced) {
    v.origin = EntryOrigin::kLocal;
    v.port = e.synced->port;
    v.synced = true;
    if (auto sync = best_sync(e)) {
      v.remote_vtep = sync->vtep;
      v.esi = sync->esi;
      v.remote_seq = sync->seq;
    }
  } else {
    return std::nullopt;  // only neighbours or duplicate-detection history: not a MAC table entry
  }
  return v;
}

std::vector<MacView> MacVrf::mac_views() const { return mac_views_after(std::nullopt, SIZE_MAX); }

std::vector<MacView> MacVrf::mac_views_after(const std::optional<Mac>& after, size_t max) const {
  std::vector<MacView> out;
  for (auto it = after ? macs_.upper_bound(*after) : macs_.begin(); it != macs_.end() && out.size() < max; ++it)
    if (auto v = view_of(it->first, it->second)) out.push_back(std::move(*v));
  return out;
}

std::optional<MacView> MacVrf::mac_view(const Mac& mac) const {
  auto it = macs_.find(mac);
  return it == macs_.end() ? std::nullopt : view_of(it->first, it->second);
}

std::vector<NeighView> MacVrf::neigh_views_after(const std::optional<std::pair<bool, IpAddress>>& after,
                                                 size_t max) const {
  std::vector<NeighView> out;
  if (!after || !after->first) {
    for (auto it = after ? local_neighs_.upper_bound(after->second) : local_neighs_.begin();
         it != local_neighs_.end() && out.size() < max; ++it)
      out.push_back({cfg_.vni, it->first, it->second, EntryOrigin::kLocal, {}});
  }
  for (auto it = after && after->first ? neigh_owner_.upper_bound(after->second) : neigh_owner_.begin();
       it != neigh_owner_.end() && out.size() < max; ++it) {
    auto e = macs_.find(it->second);
    IpAddress vtep = (e != macs_.end() && e->second.installed) ? e->second.installed->vtep : IpAddress{};
    out.push_back({cfg_.vni, it->first, it->second, EntryOrigin::kRemote, vtep});
  }
  return out;
}

std::vector<NeighView> MacVrf::neigh_views() const { return neigh_views_after(std::nullopt, SIZE_MAX); }

std::vector<DupAddrView> MacVrf::dup_views() const {
  std::vector<DupAddrView> out;
  for (const auto& [mac, e] : macs_) {
    if (!e.dad.duplicate && e.dad.moves == 0) continue;
    out.push_back({cfg_.vni, mac, e.dad.moves, e.dad.total_moves, e.dad.duplicate, e.dad.detected_at,
                   e.dad.frozen, e.dad.freeze_until});
  }
  for (const auto& [ip, d] : ip_dad_) {
    if (!d.duplicate && d.moves == 0) continue;
    const auto loc = ip_location(ip);
    DupAddrView v{cfg_.vni, loc ? loc->mac : Mac{}, d.moves, d.total_moves, d.duplicate, d.detected_at, false,
                  std::nullopt};
    v.ip = ip;
    out.push_back(v);
  }
  return out;
}

std::vector<IpAddress> MacVrf::remote_vteps() const {
  std::vector<IpAddress> out;
  for (const auto& [vtep, refs] : flood_refs_) out.push_back(vtep);
  return out;
}

VniView MacVrf::vni_view() const {
  VniView v;
  v.vni = cfg_.vni;
  v.rd = cfg_.rd;
  v.import_rts = cfg_.import_rts;
  v.export_rts = cfg_.export_rts;
  v.vrf = cfg_.vrf;
  v.l3vni = cfg_.l3 ? cfg_.l3->l3vni : 0;
  v.local_vtep = cfg_.local_vtep;
  for (const auto& [mac, e] : macs_) {
    if (e.local || e.synced) ++v.local_macs;
    else if (e.installed) ++v.remote_macs;
  }
  v.local_neighs = local_neighs_.size();
  v.endpoints = endpoints_;
  v.remote_neighs = neigh_owner_.size();
  v.remote_vteps = remote_vteps();
  v.counters = counters_;
  return v;
}

}  // namespace evpnd::evpn

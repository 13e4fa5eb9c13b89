#include "dataplane/reconcile.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

namespace evpnd::dataplane {

bool l2vni_matches(const L2Vni& d, const L2Vni& c) {
  return d.vni == c.vni && d.vxlan_device == c.vxlan_device && d.bridge == c.bridge &&
         d.local_vtep == c.local_vtep && d.dstport == c.dstport && d.ttl == c.ttl &&
         d.arp_suppression == c.arp_suppression && (!d.bridge_mac || d.bridge_mac == c.bridge_mac) &&
         (d.mtu == 0 || d.mtu == c.mtu) && d.ageing_time_cs == c.ageing_time_cs && d.netns == c.netns;
}

bool l3vni_matches(const L3Vni& d, const L3Vni& c) {
  return d.name == c.name && d.l3vni == c.l3vni && d.vxlan_device == c.vxlan_device &&
         d.bridge == c.bridge && d.router_mac == c.router_mac && d.local_vtep == c.local_vtep &&
         d.dstport == c.dstport && d.ttl == c.ttl && (d.mtu == 0 || d.mtu == c.mtu) &&
         d.backend == c.backend && d.netns == c.netns &&
         (d.backend == VrfBackend::kNetns || (d.table == c.table && d.member_bridges == c.member_bridges));
}

namespace {

// Diffs one table keyed by `key(obj)`: equal (by `same`) -> unchanged, different or missing ->
// add, current-only -> delete.
template <class T, class KeyFn, class SameFn = std::equal_to<T>>
void diff_table(const std::vector<T>& want, const std::vector<T>& have, KeyFn key, ReconcilePlan& plan,
                std::vector<Intent>& dels, std::vector<Intent>& adds, SameFn same = {}) {
  using Key = decltype(key(std::declval<const T&>()));
  std::map<Key, const T*> cur;
  for (const auto& h : have) cur.emplace(key(h), &h);
  std::map<Key, bool> seen;
  for (const auto& w : want) {
    auto k = key(w);
    if (!seen.emplace(k, true).second) continue;  // duplicate desire: first one wins
    auto it = cur.find(k);
    if (it != cur.end() && same(w, *it->second)) {
      ++plan.unchanged;
    } else {
      adds.push_back(Intent::add(w));
      ++plan.adds;
    }
  }
  for (const auto& [k, h] : cur) {
    if (seen.count(k)) continue;
    dels.push_back(Intent::del(*h));
    ++plan.removes;
  }
}

template <class T>
std::vector<T> collect(std::span<const Intent> desired) {
  std::vector<T> out;
  for (const auto& i : desired)
    if (i.action == Action::kAdd)
      if (const T* t = i.get<T>()) out.push_back(*t);
  return out;
}

// A MAC in nhid form has no VTEP in the data plane (RemoteMac::vtep is for views then).
bool same_remote_mac(const RemoteMac& want, const RemoteMac& have) {
  return want.vni == have.vni && want.mac == have.mac && want.sticky == have.sticky && want.nhid == have.nhid &&
         (want.nhid != 0 || want.vtep == have.vtep);
}

FdbNexthopGroup normalised(FdbNexthopGroup g) {
  std::sort(g.members.begin(), g.members.end());
  g.members.erase(std::unique(g.members.begin(), g.members.end()), g.members.end());
  return g;
}

VrfRoute normalised(VrfRoute r) {
  std::sort(r.nexthops.begin(), r.nexthops.end());
  r.nexthops.erase(std::unique(r.nexthops.begin(), r.nexthops.end()), r.nexthops.end());
  return r;
}

}  // namespace

ReconcileReport reconcile_report(const ReconcilePlan& plan, ApplyResult result) {
  ReconcileReport rep;
  rep.unchanged = plan.unchanged;
  rep.errors = std::move(result.errors);
  for (size_t idx = 0, e = 0; idx < plan.intents.size(); ++idx) {
    if (e < rep.errors.size() && rep.errors[e].index == idx) {
      ++e;
      continue;
    }
    ++(plan.intents[idx].action == Action::kAdd ? rep.added : rep.removed);
  }
  return rep;
}

ReconcilePlan plan_reconcile(std::span<const Intent> desired, const DataplaneState& current) {
  ReconcilePlan plan;
  std::vector<Intent> dels, vnis, adds;

  for (const auto& w : collect<L2Vni>(desired)) {
    const L2Vni* c = nullptr;
    for (const auto& h : current.l2vnis)
      if (h.vni == w.vni) c = &h;
    if (c && l2vni_matches(w, *c)) {
      ++plan.unchanged;
    } else {
      vnis.push_back(Intent::add(w));
      ++plan.adds;
    }
  }
  for (const auto& w : collect<L3Vni>(desired)) {
    const L3Vni* c = nullptr;
    for (const auto& h : current.l3vnis)
      if (h.l3vni == w.l3vni) c = &h;
    if (c && l3vni_matches(w, *c)) {
      ++plan.unchanged;
    } else {
      vnis.push_back(Intent::add(w));
      ++plan.adds;
    }
  }

  // Multihoming order (multihoming.md §5): nexthops before the groups that name them, groups
  // before the MACs and attachments that use them; deletions the other way round, after the
  // MACs were re-pointed, so a group is never deleted while a MAC still uses it (the kernel
  // would flush the MAC) and a nexthop never while a group still has it.
  std::vector<Intent> nh_adds, group_adds, group_dels, nh_dels;
  diff_table(collect<FdbNexthop>(desired), current.fdb_nexthops, [](const FdbNexthop& o) { return o.id; }, plan,
             nh_dels, nh_adds);
  auto want_groups = collect<FdbNexthopGroup>(desired);
  for (auto& g : want_groups) g = normalised(std::move(g));
  std::vector<FdbNexthopGroup> have_groups;
  for (const auto& g : current.fdb_nexthop_groups) have_groups.push_back(normalised(g));
  diff_table(want_groups, have_groups, [](const FdbNexthopGroup& o) { return o.id; }, plan, group_dels, group_adds);

  diff_table(collect<SviAddress>(desired), current.svi_addresses,
             [](const SviAddress& o) { return std::tuple(o.vni, o.address, o.prefix_len); }, plan, dels, adds);
  diff_table(collect<RemoteMac>(desired), current.remote_macs,
             [](const RemoteMac& o) { return std::tuple(o.vni, o.mac); }, plan, dels, adds, same_remote_mac);
  diff_table(collect<SyncedMac>(desired), current.synced_macs,
             [](const SyncedMac& o) { return std::tuple(o.vni, o.mac); }, plan, dels, adds);
  diff_table(collect<EsAttachment>(desired), current.es_attachments,
             [](const EsAttachment& o) { return std::tuple(o.vni, o.port); }, plan, dels, adds);
  diff_table(collect<FloodEntry>(desired), current.flood_entries,
             [](const FloodEntry& o) { return std::tuple(o.vni, o.vtep); }, plan, dels, adds);
  diff_table(collect<RemoteNeighbour>(desired), current.remote_neighbours,
             [](const RemoteNeighbour& o) { return std::tuple(o.vni, o.ip); }, plan, dels, adds);
  diff_table(collect<RemoteRmac>(desired), current.remote_rmacs,
             [](const RemoteRmac& o) { return std::tuple(o.l3vni, o.vtep); }, plan, dels, adds);
  auto want_routes = collect<VrfRoute>(desired);
  for (auto& r : want_routes) r = normalised(std::move(r));
  std::vector<VrfRoute> have_routes;
  for (const auto& r : current.routes) have_routes.push_back(normalised(r));
  diff_table(want_routes, have_routes, [](const VrfRoute& o) { return std::tuple(o.l3vni, o.prefix); },
             plan, dels, adds);

  plan.intents.reserve(dels.size() + vnis.size() + adds.size() + nh_adds.size() + group_adds.size() +
                       group_dels.size() + nh_dels.size());
  for (auto* v : {&dels, &vnis, &nh_adds, &group_adds, &adds, &group_dels, &nh_dels})
    for (auto& i : *v) plan.intents.push_back(std::move(i));
  return plan;
}

}  // namespace evpnd::dataplane

#include "dataplane/fake/fake_dataplane.hpp"

#include <algorithm>
#include <cerrno>

#include "dataplane/reconcile.hpp"

namespace evpnd::dataplane {

template <class Map, class Key, class Val>
void FakeDataplane::put(Map& m, const Key& k, const Val& v) {
  auto [it, inserted] = m.try_emplace(k, v);
  if (inserted) {
    ++mutations_;
  } else if (!(it->second == v)) {
    it->second = v;
    ++mutations_;
  }
}

template <class Map, class Key>
void FakeDataplane::erase(Map& m, const Key& k) {
  mutations_ += m.erase(k);
}

void FakeDataplane::drop_vni(Vni vni) {
  auto drop = [&](auto& m) {
    for (auto it = m.begin(); it != m.end();) {
      if (std::get<0>(it->first) == vni) {
        it = m.erase(it);
        ++mutations_;
      } else {
        ++it;
      }
    }
  };
  drop(svi_), drop(macs_), drop(flood_), drop(neighs_), drop(rmacs_), drop(routes_);
  drop(local_macs_), drop(local_neighs_), drop(es_attachments_), drop(synced_macs_);
}

int FakeDataplane::apply_one(const Intent& i) {
  const bool add = i.action == Action::kAdd;
  if (const auto* o = i.get<L2Vni>()) {
    if (o->vni == 0 || o->vni > kMaxVni || o->bridge.empty() || o->vxlan_device.empty()) return EINVAL;
    if (add) {
      put(l2vnis_, o->vni, *o);
    } else {
      drop_vni(o->vni);
      erase(l2vnis_, o->vni);
    }
  } else if (const auto* o3 = i.get<L3Vni>()) {
    if (o3->l3vni == 0 || o3->l3vni > kMaxVni || o3->name.empty()) return EINVAL;
    if (add) {
      put(l3vnis_, o3->l3vni, *o3);
    } else {
      drop_vni(o3->l3vni);
      erase(l3vnis_, o3->l3vni);
    }
  } else if (const auto* s = i.get<SviAddress>()) {
    if (!known_l2(s->vni)) return add ? ENODEV : 0;
    add ? put(svi_, std::tuple(s->vni, s->address, s->prefix_len), *s) : erase(svi_, std::tuple(s->vni, s->address, s->prefix_len));
  } else if (const auto* m = i.get<RemoteMac>()) {
    if (!known_l2(m->vni) && !known_l3(m->vni)) return add ? ENODEV : 0;
    auto k = std::tuple(m->vni, m->mac);
    if (!add) return erase(macs_, k), 0;
    if (m->vtep.empty() || m->mac.is_multicast()) return EINVAL;
    if (m->nhid != 0 && groups_.count(m->nhid) == 0) return ENOENT;  // kernel: "Nexthop id does not exist"
    put(macs_, k, *m);
    if (local_macs_.erase(k)) events_.push_back(LocalMacAged{m->vni, m->mac});  // taken over
  } else if (const auto* f = i.get<FloodEntry>()) {
    if (!known_l2(f->vni)) return add ? ENODEV : 0;
    if (f->vtep.empty()) return EINVAL;
    add ? put(flood_, std::tuple(f->vni, f->vtep), *f) : erase(flood_, std::tuple(f->vni, f->vtep));
  } else if (const auto* n = i.get<RemoteNeighbour>()) {
    if (!known_l2(n->vni) && !known_l3(n->vni)) return add ? ENODEV : 0;
    if (add && n->ip.empty()) return EINVAL;
    add ? put(neighs_, std::tuple(n->vni, n->ip), *n) : erase(neighs_, std::tuple(n->vni, n->ip));
  } else if (const auto* r = i.get<RemoteRmac>()) {
    if (!known_l3(r->l3vni)) return add ? ENODEV : 0;
    if (add && r->vtep.empty()) return EINVAL;
    add ? put(rmacs_, std::tuple(r->l3vni, r->vtep), *r) : erase(rmacs_, std::tuple(r->l3vni, r->vtep));
  } else if (const auto* rt = i.get<VrfRoute>()) {
    if (!known_l3(rt->l3vni)) return add ? ENODEV : 0;
    auto k = std::tuple(rt->l3vni, rt->prefix);
    if (!add) return erase(routes_, k), 0;
    if (rt->nexthops.empty()) return EINVAL;
    // Via a CE (local): a plain gateway of the prefix's family, as the Linux provider writes it.
    if (rt->local && std::any_of(rt->nexthops.begin(), rt->nexthops.end(),
                                 [&](const IpAddress& nh) { return nh.is_v6() != rt->prefix.address().is_v6(); }))
      return EAFNOSUPPORT;
    VrfRoute norm = *rt;
    std::sort(norm.nexthops.begin(), norm.nexthops.end());
    norm.nexthops.erase(std::unique(norm.nexthops.begin(), norm.nexthops.end()), norm.nexthops.end());
    put(routes_, k, norm);
  } else if (const auto* nh = i.get<FdbNexthop>()) {
    if (nh->id < kFdbNexthopIdBase || nh->id >= kFdbNexthopIdEnd) return EINVAL;
    if (!add) {
      for (const auto& [gid, g] : groups_)
        if (std::count(g.members.begin(), g.members.end(), nh->id)) return EBUSY;  // see the header
      return erase(nexthops_, nh->id), 0;
    }
    if (nh->vtep.empty()) return EINVAL;
    put(nexthops_, nh->id, *nh);
  } else if (const auto* g = i.get<FdbNexthopGroup>()) {
    if (g->id < kFdbNexthopIdBase || g->id >= kFdbNexthopIdEnd) return EINVAL;
    if (!add) {
      for (const auto& [k, mac] : macs_)
        if (mac.nhid == g->id) return EBUSY;  // see the header
      return erase(groups_, g->id), 0;
    }
    if (g->members.empty()) return EINVAL;
    for (uint32_t member : g->members)
      if (nexthops_.count(member) == 0) return ENOENT;
    put(groups_, g->id, *g);
  } else if (const auto* es = i.get<EsAttachment>()) {
    if (!known_l2(es->vni)) return add ? ENODEV : 0;
    auto k = std::tuple(es->vni, es->port);
    if (!add) return erase(es_attachments_, k), 0;
    if (es->port.empty()) return EINVAL;
    if (es->backup_nhid != 0 && groups_.count(es->backup_nhid) == 0) return ENOENT;
    put(es_attachments_, k, *es);
  } else if (const auto* sm = i.get<SyncedMac>()) {
    if (!known_l2(sm->vni)) return add ? ENODEV : 0;
    auto k = std::tuple(sm->vni, sm->mac);
    if (!add) return erase(synced_macs_, k), 0;
    if (sm->port.empty() || sm->mac.is_multicast()) return EINVAL;
    put(synced_macs_, k, *sm);
  }
  return 0;
}

ApplyResult FakeDataplane::apply(std::span<const Intent> batch) {
  ApplyResult res;
  auto fail_at = std::exchange(fail_index_, std::nullopt);
  for (size_t idx = 0; idx < batch.size(); ++idx) {
    int err = (fail_at && *fail_at == idx) ? fail_error_ : apply_one(batch[idx]);
    if (err == 0) {
      ++res.applied;
    } else {
      res.errors.push_back({idx, err, "fake: " + to_string(batch[idx]) + ": " + std::to_string(err), batch[idx]});
    }
  }
  return res;
}

size_t FakeDataplane::poll_events(std::vector<DataplaneEvent>& out) {
  size_t n = events_.size();
  for (auto& e : events_) out.push_back(std::move(e));
  events_.clear();
  return n;
}

tl::expected<DataplaneState, DataplaneError> FakeDataplane::dump() {
  DataplaneState s;
  for (const auto& [k, v] : l2vnis_) s.l2vnis.push_back(v);
  for (const auto& [k, v] : l3vnis_) s.l3vnis.push_back(v);
  for (const auto& [k, v] : svi_) s.svi_addresses.push_back(v);
  for (const auto& [k, v] : macs_) s.remote_macs.push_back(v);
  for (const auto& [k, v] : flood_) s.flood_entries.push_back(v);
  for (const auto& [k, v] : neighs_) s.remote_neighbours.push_back(v);
  for (const auto& [k, v] : rmacs_) s.remote_rmacs.push_back(v);
  for (const auto& [k, v] : routes_) s.routes.push_back(v);
  for (const auto& [k, v] : nexthops_) s.fdb_nexthops.push_back(v);
  for (const auto& [k, v] : groups_) s.fdb_nexthop_groups.push_back(v);
  for (const auto& [k, v] : es_attachments_) s.es_attachments.push_back(v);
  for (const auto& [k, v] : synced_macs_) s.synced_macs.push_back(v);
  for (const auto& [k, v] : local_macs_) s.local_macs.push_back(v);
  for (const auto& [k, v] : local_neighs_) s.local_neighbours.push_back(v);
  return s;
}

ReconcileReport FakeDataplane::reconcile(std::span<const Intent> desired) {
  auto state = dump();
  auto plan = plan_reconcile(desired, *state);
  return reconcile_report(plan, apply(plan.intents));
}

void FakeDataplane::learn_local_mac(Vni vni, const Mac& mac, const std::string& port, bool is_static) {
  if (!known_l2(vni)) return;
  LocalMacLearned ev{vni, mac, port, is_static};
  auto k = std::tuple(vni, mac);
  erase(macs_, k);  // the bridge entry moves to the local port (take-over)
  auto it = local_macs_.find(k);
  if (it != local_macs_.end() && it->second == ev) return;  // kernel sends nothing new
  put(local_macs_, k, ev);
  events_.push_back(ev);
}

void FakeDataplane::age_local_mac(Vni vni, const Mac& mac) {
  if (local_macs_.erase(std::tuple(vni, mac)) == 0) return;
  ++mutations_;
  events_.push_back(LocalMacAged{vni, mac});
}

void FakeDataplane::learn_local_neighbour(Vni vni, const IpAddress& ip, const Mac& mac, NeighState st) {
  if (!known_l2(vni) && !known_l3(vni)) return;
  LocalNeighbourLearned ev{vni, ip, mac, st, false};
  erase(neighs_, std::tuple(vni, ip));
  put(local_neighs_, std::tuple(vni, ip), ev);
  events_.push_back(ev);
}

void FakeDataplane::remove_local_neighbour(Vni vni, const IpAddress& ip) {
  if (local_neighs_.erase(std::tuple(vni, ip)) == 0) return;
  ++mutations_;
  events_.push_back(LocalNeighbourRemoved{vni, ip});
}

void FakeDataplane::remove_behind_back(const IntentObject& o) {
  std::optional<IntentObject> have = find(o);
  if (!have) return;
  if (const auto* v = std::get_if<L2Vni>(&*have)) {
    drop_vni(v->vni);
    erase(l2vnis_, v->vni);
  } else if (const auto* v3 = std::get_if<L3Vni>(&*have)) {
    drop_vni(v3->l3vni);
    erase(l3vnis_, v3->l3vni);
  } else {
    (void)apply_one(Intent::del(*have));
  }
  events_.push_back(OwnedEntryRemoved{*have});
}

std::optional<IntentObject> FakeDataplane::find(const IntentObject& o) const {
  auto get = [](const auto& m, const auto& k) -> std::optional<IntentObject> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return IntentObject{it->second};
  };
  if (const auto* v = std::get_if<L2Vni>(&o)) return get(l2vnis_, v->vni);
  if (const auto* v3 = std::get_if<L3Vni>(&o)) return get(l3vnis_, v3->l3vni);
  if (const auto* s = std::get_if<SviAddress>(&o)) return get(svi_, std::tuple(s->vni, s->address, s->prefix_len));
  if (const auto* m = std::get_if<RemoteMac>(&o)) return get(macs_, std::tuple(m->vni, m->mac));
  if (const auto* f = std::get_if<FloodEntry>(&o)) return get(flood_, std::tuple(f->vni, f->vtep));
  if (const auto* n = std::get_if<RemoteNeighbour>(&o)) return get(neighs_, std::tuple(n->vni, n->ip));
  if (const auto* r = std::get_if<RemoteRmac>(&o)) {
    if (!r->vtep.empty()) return get(rmacs_, std::tuple(r->l3vni, r->vtep));
    for (const auto& [k, x] : rmacs_)
      if (x.l3vni == r->l3vni && x.rmac == r->rmac) return IntentObject{x};
    return std::nullopt;
  }
  if (const auto* rt = std::get_if<VrfRoute>(&o)) return get(routes_, std::tuple(rt->l3vni, rt->prefix));
  if (const auto* nh = std::get_if<FdbNexthop>(&o)) return get(nexthops_, nh->id);
  if (const auto* g = std::get_if<FdbNexthopGroup>(&o)) return get(groups_, g->id);
  if (const auto* es = std::get_if<EsAttachment>(&o)) return get(es_attachments_, std::tuple(es->vni, es->port));
  if (const auto* sm = std::get_if<SyncedMac>(&o)) return get(synced_macs_, std::tuple(sm->vni, sm->mac));
  return std::nullopt;
}

const RemoteMac* FakeDataplane::remote_mac(Vni vni, const Mac& mac) const {
  auto it = macs_.find({vni, mac});
  return it == macs_.end() ? nullptr : &it->second;
}
const RemoteNeighbour* FakeDataplane::remote_neighbour(Vni vni, const IpAddress& ip) const {
  auto it = neighs_.find({vni, ip});
  return it == neighs_.end() ? nullptr : &it->second;
}
const RemoteRmac* FakeDataplane::remote_rmac(Vni l3vni, const IpAddress& vtep) const {
  auto it = rmacs_.find({l3vni, vtep});
  return it == rmacs_.end() ? nullptr : &it->second;
}
const VrfRoute* FakeDataplane::route(Vni l3vni, const IpPrefix& prefix) const {
  auto it = routes_.find({l3vni, prefix});
  return it == routes_.end() ? nullptr : &it->second;
}

}  // namespace evpnd::dataplane

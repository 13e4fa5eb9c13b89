#include "evpn/remote_es.hpp"

#include <algorithm>

namespace evpnd::evpn {

bool esi_reserved(const Esi& e) {
  return e.is_zero() || std::all_of(e.data(), e.data() + 10, [](uint8_t b) { return b == 0xFF; });
}

// ---- A-D routes ---------------------------------------------------------------------------

std::vector<Esi> RemoteEs::set_per_es(const Bytes& key, std::optional<PerEs> r) {
  std::vector<Esi> changed;
  std::optional<std::pair<Esi, IpAddress>> lost;  // a VTEP whose per-ES presence may end
  if (auto it = per_es_.find(key); it != per_es_.end()) {
    const PerEs old = it->second;
    if (r && r->esi == old.esi && r->vtep == old.vtep && r->single_active == old.single_active) return {};
    per_es_.erase(it);
    VtepState& v = es_[old.esi].vteps[old.vtep];
    --v.per_es;
    if (old.single_active) --v.single_active;
    lost.emplace(old.esi, old.vtep);
    changed.push_back(old.esi);
  }
  if (r) {
    per_es_[key] = *r;
    VtepState& v = es_[r->esi].vteps[r->vtep];
    ++v.per_es;
    if (r->single_active) ++v.single_active;
    if (changed.empty() || changed[0] != r->esi) changed.push_back(r->esi);
  }
  if (lost) {
    EsState& s = es_[lost->first];
    auto v = s.vteps.find(lost->second);
    if (v != s.vteps.end() && v->second.per_es == 0) {
      // RFC 7432 §8.2 mass withdraw: the PE's whole set of per-ES routes is gone. Counted when
      // MACs of the segment are installed here (their groups change in refresh()).
      if (!s.groups.empty()) ++mass_withdrawals_;
      if (v->second.per_evi.empty()) s.vteps.erase(v);
    }
    forget_if_idle(lost->first);
  }
  return changed;
}

std::vector<Esi> RemoteEs::set_per_evi(const Bytes& key, std::optional<PerEvi> r) {
  std::vector<Esi> changed;
  if (r) {
    std::sort(r->vnis.begin(), r->vnis.end());
    r->vnis.erase(std::unique(r->vnis.begin(), r->vnis.end()), r->vnis.end());
    if (r->vnis.empty()) r.reset();
  }
  if (auto it = per_evi_.find(key); it != per_evi_.end()) {
    const PerEvi old = it->second;
    if (r && r->esi == old.esi && r->vtep == old.vtep && r->vnis == old.vnis) return {};
    per_evi_.erase(it);
    EsState& s = es_[old.esi];
    VtepState& v = s.vteps[old.vtep];
    for (Vni vni : old.vnis) {
      if (auto c = v.per_evi.find(vni); c != v.per_evi.end() && --c->second == 0) v.per_evi.erase(c);
    }
    if (v.per_es == 0 && v.per_evi.empty()) s.vteps.erase(old.vtep);
    changed.push_back(old.esi);
  }
  if (r) {
    per_evi_[key] = *r;
    VtepState& v = es_[r->esi].vteps[r->vtep];
    for (Vni vni : r->vnis) ++v.per_evi[vni];
    if (changed.empty() || changed[0] != r->esi) changed.push_back(r->esi);
  }
  for (const auto& e : changed) forget_if_idle(e);
  return changed;
}

std::vector<Esi> RemoteEs::withdraw(const Bytes& key) {
  std::vector<Esi> out = set_per_es(key, std::nullopt);
  for (auto& e : set_per_evi(key, std::nullopt)) out.push_back(e);
  return out;
}

std::optional<Esi> RemoteEs::esi_of(const Bytes& key) const {
  if (auto it = per_es_.find(key); it != per_es_.end()) return it->second.esi;
  if (auto it = per_evi_.find(key); it != per_evi_.end()) return it->second.esi;
  return std::nullopt;
}

bool RemoteEs::has_es(const EsState& s, const IpAddress& vtep) const {
  auto v = s.vteps.find(vtep);
  return v != s.vteps.end() && v->second.per_es > 0;
}

bool RemoteEs::has_per_es(const Esi& esi) const {
  auto it = es_.find(esi);
  if (it == es_.end()) return false;
  return std::any_of(it->second.vteps.begin(), it->second.vteps.end(), [](const auto& v) { return v.second.per_es > 0; });
}

bool RemoteEs::single_active(const Esi& esi) const {
  auto it = es_.find(esi);
  if (it == es_.end()) return false;
  return std::any_of(it->second.vteps.begin(), it->second.vteps.end(),
                     [](const auto& v) { return v.second.single_active > 0; });
}

std::vector<IpAddress> RemoteEs::active(const Esi& esi, Vni vni) const {
  std::vector<IpAddress> out;
  auto it = es_.find(esi);
  if (it == es_.end()) return out;
  for (const auto& [vtep, v] : it->second.vteps) {
    if (v.per_es > 0 && v.per_evi.count(vni)) out.push_back(vtep);  // sorted: map order
  }
  return out;
}

std::optional<RemoteEs::Target> RemoteEs::target(const Esi& esi, Vni vni, const IpAddress& advertiser) const {
  auto it = es_.find(esi);
  if (it == es_.end()) return std::nullopt;
  const bool own_es = has_es(it->second, advertiser);
  std::vector<IpAddress> act = active(esi, vni);
  if (single_active(esi)) {
    // §14.1.1: the primary (the MAC's advertiser) only; a backup only when it is the one.
    Target t{NhgKey{NhgUse::kRemoteEs, esi, vni, advertiser}, {}};
    if (own_es) {
      t.members = {advertiser};
    } else {
      std::erase(act, advertiser);
      if (act.size() != 1) return std::nullopt;  // none, or several backups: flood (§14.1.1)
      t.members = act;
    }
    return t;
  }
  if (own_es && !std::binary_search(act.begin(), act.end(), advertiser)) {
    // The advertiser has the per-ES route but no per-EVI route for this VNI (per-EVI routes are
    // OPTIONAL, §8.4.1): its MAC route still makes it a next hop (§14.1.2), beside the aliases.
    act.insert(std::upper_bound(act.begin(), act.end(), advertiser), advertiser);
    return Target{NhgKey{NhgUse::kRemoteEs, esi, vni, advertiser}, std::move(act)};
  }
  if (act.empty()) return std::nullopt;
  return Target{NhgKey{NhgUse::kRemoteEs, esi, vni, {}}, std::move(act)};
}

std::optional<std::vector<IpAddress>> RemoteEs::members_for(const NhgKey& key) const {
  if (key.primary.empty()) {
    if (single_active(key.esi)) return std::nullopt;  // obsolete: its MACs move to primary groups
    return active(key.esi, key.vni);
  }
  auto t = target(key.esi, key.vni, key.primary);
  if (!t) return std::vector<IpAddress>{};
  if (t->key != key) return std::nullopt;
  return t->members;
}

// ---- MACs ---------------------------------------------------------------------------------

std::optional<uint32_t> RemoteEs::bind(const MacRef& ref, const Esi& esi, const IpAddress& advertiser, Output& out) {
  MacUse& u = users_[ref];
  if (u.esi != esi) {
    if (auto old = es_.find(u.esi); old != es_.end()) old->second.users.erase(ref);
    u.esi = esi;
  }
  es_[esi].users.insert(ref);
  u.pending.reset();
  const auto t = target(esi, ref.first, advertiser);
  if (!t) return std::nullopt;
  if (u.held == t->key) {
    for (auto& i : nhg_.update(t->key, t->members)) out.intents.push_back(std::move(i));
    u.pending = u.held;
    return nhg_.id(t->key);
  }
  NexthopGroups::Acquired a = nhg_.acquire(t->key, t->members);
  for (auto& i : a.intents) out.intents.push_back(std::move(i));
  es_[esi].groups.insert(t->key);
  u.pending = t->key;
  return a.id;
}

void RemoteEs::settle(const MacRef& ref, bool watch, Output& out) {
  auto it = users_.find(ref);
  if (it == users_.end()) return;
  MacUse& u = it->second;
  if (u.held && u.held != u.pending) {
    for (auto& i : nhg_.release(*u.held)) out.intents.push_back(std::move(i));
    if (nhg_.refs(*u.held) == 0) {
      if (auto s = es_.find(u.held->esi); s != es_.end()) s->second.groups.erase(*u.held);
    }
  }
  u.held = u.pending;
  u.pending.reset();
  if (watch || u.held) return;
  const Esi esi = u.esi;
  if (auto s = es_.find(esi); s != es_.end()) s->second.users.erase(ref);
  users_.erase(it);
  forget_if_idle(esi);
}

std::vector<RemoteEs::MacRef> RemoteEs::refresh(const Esi& esi, Output& out) {
  auto it = es_.find(esi);
  if (it == es_.end()) return {};
  // Group replaces first: every MAC pointing at a group follows it without a change of its own.
  for (const NhgKey& key : it->second.groups) {
    const auto members = members_for(key);
    if (!members) continue;  // obsolete key: its MACs move when re-evaluated, then it is released
    for (auto& i : nhg_.update(key, *members)) out.intents.push_back(std::move(i));
  }
  return {it->second.users.begin(), it->second.users.end()};
}

// ---- parked MAC/IP routes -----------------------------------------------------------------

void RemoteEs::track(const Bytes& key, const Esi& esi, Parked p) {
  untrack(key);
  parked_index_[key] = esi;
  es_[esi].parked[key] = std::move(p);
}

void RemoteEs::untrack(const Bytes& key) {
  auto it = parked_index_.find(key);
  if (it == parked_index_.end()) return;
  const Esi esi = it->second;
  parked_index_.erase(it);
  if (auto s = es_.find(esi); s != es_.end()) s->second.parked.erase(key);
  forget_if_idle(esi);
}

std::vector<RemoteEs::Parked> RemoteEs::parked(const Esi& esi) const {
  std::vector<Parked> out;
  if (auto s = es_.find(esi); s != es_.end()) {
    for (const auto& [key, p] : s->second.parked) out.push_back(p);
  }
  return out;
}

void RemoteEs::forget_if_idle(const Esi& esi) {
  auto s = es_.find(esi);
  if (s == es_.end()) return;
  const EsState& e = s->second;
  if (e.vteps.empty() && e.groups.empty() && e.users.empty() && e.parked.empty()) es_.erase(s);
}

// ---- views --------------------------------------------------------------------------------

std::optional<RemoteEsView> RemoteEs::view(const Esi& esi) const {
  auto it = es_.find(esi);
  if (it == es_.end() || it->second.vteps.empty()) return std::nullopt;
  RemoteEsView v;
  v.esi = esi;
  v.single_active = single_active(esi);
  for (const auto& [vtep, s] : it->second.vteps) {
    RemoteEsVtepView vv;
    vv.vtep = vtep;
    vv.per_es = s.per_es > 0;
    vv.single_active = s.single_active > 0;
    for (const auto& [vni, n] : s.per_evi) {
      vv.per_evi.push_back(vni);
      if (vv.per_es) vv.active.push_back(vni);
    }
    v.vteps.push_back(std::move(vv));
  }
  std::map<NhgKey, uint32_t> macs;
  for (const auto& ref : it->second.users) {
    auto u = users_.find(ref);
    if (u != users_.end() && u->second.held) ++macs[*u->second.held];
  }
  for (const NhgKey& key : it->second.groups) {
    auto id = nhg_.id(key);
    if (!id) continue;
    v.groups.push_back({key.vni, key.primary, *id, nhg_.members(key), macs[key]});
  }
  v.macs = it->second.users.size();
  return v;
}

std::vector<RemoteEsView> RemoteEs::views() const {
  std::vector<RemoteEsView> out;
  for (const auto& [esi, s] : es_) {
    if (auto v = view(esi)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace evpnd::evpn

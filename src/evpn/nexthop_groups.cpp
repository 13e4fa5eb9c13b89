#include "evpn/nexthop_groups.hpp"

#include <algorithm>
#include <cassert>

namespace evpnd::evpn {
namespace {

std::vector<IpAddress> normalised(std::vector<IpAddress> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::erase_if(v, [](const IpAddress& a) { return a.empty(); });
  return v;
}

}  // namespace

uint32_t NexthopGroups::allocate() {
  constexpr uint32_t kBase = dataplane::kFdbNexthopIdBase;
  constexpr uint32_t kSpan = dataplane::kFdbNexthopIdEnd - dataplane::kFdbNexthopIdBase;
  // 16M ids for at most (VTEPs + segments x VNIs) objects: running out is a broken invariant.
  assert(used_.size() < kSpan);
  uint32_t id = last_;
  do {
    id = kBase + (id + 1 - kBase) % kSpan;
  } while (used_.count(id));
  used_.insert(id);
  last_ = id;
  return id;
}

dataplane::FdbNexthopGroup NexthopGroups::group_intent(const Group& g) const {
  dataplane::FdbNexthopGroup out{g.id, {}};
  for (const auto& vtep : g.members) out.members.push_back(nexthops_.at(vtep).id);
  std::sort(out.members.begin(), out.members.end());
  return out;
}

void NexthopGroups::repoint(Group& g, std::vector<IpAddress> vteps, std::vector<dataplane::Intent>& out) {
  for (const auto& vtep : vteps) {
    if (std::binary_search(g.members.begin(), g.members.end(), vtep)) continue;
    auto [it, created] = nexthops_.try_emplace(vtep);
    if (created) {
      it->second.id = allocate();
      out.push_back(dataplane::Intent::add(dataplane::FdbNexthop{it->second.id, vtep}));
    }
    ++it->second.refs;
  }
  std::vector<IpAddress> gone;
  for (const auto& vtep : g.members) {
    if (!std::binary_search(vteps.begin(), vteps.end(), vtep)) gone.push_back(vtep);
  }
  g.members = std::move(vteps);
  out.push_back(dataplane::Intent::add(group_intent(g)));  // kAdd is create-or-replace
  for (const auto& vtep : gone) {
    auto it = nexthops_.find(vtep);
    if (it == nexthops_.end() || --it->second.refs > 0) continue;
    out.push_back(dataplane::Intent::del(dataplane::FdbNexthop{it->second.id, vtep}));
    used_.erase(it->second.id);
    nexthops_.erase(it);
  }
}

NexthopGroups::Acquired NexthopGroups::acquire(const NhgKey& key, const std::vector<IpAddress>& vteps) {
  Acquired a;
  std::vector<IpAddress> want = normalised(vteps);
  if (want.empty()) return a;
  auto [it, fresh] = groups_.try_emplace(key);
  Group& g = it->second;
  if (fresh) g.id = allocate();
  ++g.refs;
  a.id = g.id;
  if (fresh || want != g.members) repoint(g, std::move(want), a.intents);
  return a;
}

std::vector<dataplane::Intent> NexthopGroups::update(const NhgKey& key, const std::vector<IpAddress>& vteps) {
  std::vector<dataplane::Intent> out;
  auto it = groups_.find(key);
  if (it == groups_.end()) return out;
  std::vector<IpAddress> want = normalised(vteps);
  if (want.empty() || want == it->second.members) return out;
  repoint(it->second, std::move(want), out);
  return out;
}

std::vector<dataplane::Intent> NexthopGroups::release(const NhgKey& key) {
  std::vector<dataplane::Intent> out;
  auto it = groups_.find(key);
  if (it == groups_.end() || it->second.refs == 0) return out;
  if (--it->second.refs > 0) return out;
  const Group g = std::move(it->second);
  groups_.erase(it);
  out.push_back(dataplane::Intent::del(group_intent(g)));
  used_.erase(g.id);
  for (const auto& vtep : g.members) {
    auto n = nexthops_.find(vtep);
    if (n == nexthops_.end() || --n->second.refs > 0) continue;
    out.push_back(dataplane::Intent::del(dataplane::FdbNexthop{n->second.id, vtep}));
    used_.erase(n->second.id);
    nexthops_.erase(n);
  }
  return out;
}

std::optional<uint32_t> NexthopGroups::id(const NhgKey& key) const {
  auto it = groups_.find(key);
  if (it == groups_.end()) return std::nullopt;
  return it->second.id;
}

std::vector<IpAddress> NexthopGroups::members(const NhgKey& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? std::vector<IpAddress>{} : it->second.members;
}

std::optional<uint32_t> NexthopGroups::nexthop_id(const IpAddress& vtep) const {
  auto it = nexthops_.find(vtep);
  if (it == nexthops_.end()) return std::nullopt;
  return it->second.id;
}

uint32_t NexthopGroups::refs(const NhgKey& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? 0 : it->second.refs;
}

std::vector<dataplane::Intent> NexthopGroups::desired() const {
  std::vector<dataplane::Intent> out;
  for (const auto& [vtep, n] : nexthops_) out.push_back(dataplane::Intent::add(dataplane::FdbNexthop{n.id, vtep}));
  for (const auto& [key, g] : groups_) out.push_back(dataplane::Intent::add(group_intent(g)));
  return out;
}

}  // namespace evpnd::evpn

#include "dataplane/retry_queue.hpp"

#include <algorithm>

namespace evpnd::dataplane {
namespace {

template <class... Ts>
struct Overload : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overload(Ts...) -> Overload<Ts...>;

}  // namespace

IntentKey key_of(const IntentObject& o) {
  const auto kind = static_cast<IntentKind>(o.index());
  return std::visit(
      Overload{
          [&](const L2Vni& x) { return IntentKey{kind, x.vni, ""}; },
          [&](const L3Vni& x) { return IntentKey{kind, x.l3vni, ""}; },
          [&](const SviAddress& x) {
            return IntentKey{kind, x.vni, x.address.to_string() + "/" + std::to_string(x.prefix_len)};
          },
          [&](const RemoteMac& x) { return IntentKey{kind, x.vni, x.mac.to_string()}; },
          [&](const FloodEntry& x) { return IntentKey{kind, x.vni, x.vtep.to_string()}; },
          [&](const RemoteNeighbour& x) { return IntentKey{kind, x.vni, x.ip.to_string()}; },
          [&](const RemoteRmac& x) { return IntentKey{kind, x.l3vni, x.vtep.to_string()}; },
          [&](const VrfRoute& x) { return IntentKey{kind, x.l3vni, x.prefix.to_string()}; },
          // Nexthops and groups belong to no VNI (they are shared by every VNI of a segment).
          [&](const FdbNexthop& x) { return IntentKey{kind, 0, std::to_string(x.id)}; },
          [&](const FdbNexthopGroup& x) { return IntentKey{kind, 0, std::to_string(x.id)}; },
          [&](const EsAttachment& x) { return IntentKey{kind, x.vni, x.port}; },
          [&](const SyncedMac& x) { return IntentKey{kind, x.vni, x.mac.to_string()}; },
      },
      o);
}

void RetryQueue::schedule(const IntentKey& k, Entry& e, Time now) {
  (void)k;
  ++e.attempts;
  // base, 2 base, 4 base, ... capped; the shift is bounded so it cannot overflow.
  const unsigned shift = std::min(e.attempts - 1, 20u);
  const auto delay = std::min<std::chrono::milliseconds>(policy_.base * (int64_t{1} << shift), policy_.cap);
  if (!e.pending) ++pending_;
  e.pending = true;
  e.next = now + delay;
}

void RetryQueue::failed(const Intent& i, int error, const std::string& message, Time now) {
  prune(now);
  const IntentKey k = key_of(i.object);
  auto [it, inserted] = entries_.try_emplace(k, Entry{i});
  Entry& e = it->second;
  e.intent = i;
  e.drift = e.pending && e.drift && i.action == Action::kAdd;  // a device still missing stays so
  schedule(k, e, now);
  ++counters_[size_t(k.kind)].failures;
  VniRecord& v = vnis_[k.vni];
  ++v.failures;
  v.last_error = message.empty() ? to_string(i) + ": error " + std::to_string(error) : message;
}

void RetryQueue::drifted(const IntentObject& o, Time now) {
  prune(now);
  const IntentKey k = key_of(o);
  auto [it, inserted] = entries_.try_emplace(k, Entry{Intent::add(o)});
  Entry& e = it->second;
  e.intent = Intent::add(o);
  if (e.pending) {
    e.drift = e.drift || is_device(k.kind);
    return;  // already waiting: a second deletion notice changes nothing
  }
  e.drift = true;
  schedule(k, e, now);
  ++counters_[size_t(k.kind)].drifts;
  VniRecord& v = vnis_[k.vni];
  ++v.drifts;
  v.last_error = "removed behind our back: " + to_string(Intent::del(o)).substr(4);
}

void RetryQueue::succeeded(const IntentKey& k, Time now) {
  auto it = entries_.find(k);
  if (it == entries_.end() || !it->second.pending) return;
  it->second.pending = false;
  it->second.drift = false;
  it->second.next = now;
  --pending_;
}

void RetryQueue::postpone(const IntentKey& k, Time until) {
  auto it = entries_.find(k);
  if (it != entries_.end() && it->second.pending) it->second.next = std::max(it->second.next, until);
}

void RetryQueue::drop(const IntentKey& k) {
  auto it = entries_.find(k);
  if (it == entries_.end()) return;
  if (it->second.pending) --pending_;
  entries_.erase(it);
}

void RetryQueue::prune(Time now) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = (!it->second.pending && now - it->second.next >= policy_.forget) ? entries_.erase(it) : std::next(it);
}

std::vector<std::pair<IntentKey, Intent>> RetryQueue::due(Time now) {
  prune(now);
  std::vector<std::pair<IntentKey, Intent>> out;
  for (const auto& [k, e] : entries_)
    if (e.pending && e.next <= now) out.emplace_back(k, e.intent);
  // Devices before the entries below them; fdb nexthops before the groups that name them before
  // the MACs and attachments that use them; failed deletes the other way round (the reconcile
  // planner's order). A MAC retried before its group would only fail again (ENOENT).
  auto rank = [](const std::pair<IntentKey, Intent>& x) {
    const IntentKind k = x.first.kind;
    if (is_device(k)) return 0;
    const bool nh = k == IntentKind::kFdbNexthop, grp = k == IntentKind::kFdbNexthopGroup;
    if (x.second.action == Action::kAdd) return nh ? 1 : grp ? 2 : 3;
    return nh ? 6 : grp ? 5 : 4;
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return std::pair(rank(a), a.first.kind) < std::pair(rank(b), b.first.kind);
  });
  return out;
}

std::optional<RetryQueue::Time> RetryQueue::next_due() const {
  std::optional<Time> t;
  for (const auto& [k, e] : entries_)
    if (e.pending && (!t || e.next < *t)) t = e.next;
  return t;
}

std::optional<RetryQueue::Time> RetryQueue::next_of(const IntentKey& k) const {
  auto it = entries_.find(k);
  if (it == entries_.end() || !it->second.pending) return std::nullopt;
  return it->second.next;
}

size_t RetryQueue::pending(IntentKind kind) const {
  size_t n = 0;
  for (const auto& [k, e] : entries_) n += e.pending && k.kind == kind;
  return n;
}

std::map<Vni, VniDataplaneStatus> RetryQueue::vni_status() const {
  std::map<Vni, VniDataplaneStatus> out;
  for (const auto& [vni, r] : vnis_) out[vni] = VniDataplaneStatus{VniHealth::kOk, 0, r.failures, r.drifts, r.last_error};
  for (const auto& [k, e] : entries_) {
    if (!e.pending) continue;
    VniDataplaneStatus& s = out[k.vni];
    ++s.pending;
    if (is_device(k.kind) && e.drift) s.state = VniHealth::kDeviceMissing;
    else if (s.state == VniHealth::kOk) s.state = VniHealth::kRetrying;
  }
  return out;
}

}  // namespace evpnd::dataplane

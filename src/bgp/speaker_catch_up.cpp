// Bounded output for peers that do not keep up (issue 12 defect 3).
//
// A peer's output queue is what the speaker handed to its connection and the I/O layer has not
// yet written (Connection::out_queued, kept by queue_bytes/on_sent). Once it reaches
// SpeakerConfig::output_queue_limit, the next flush moves the peer out of its update group into
// a group of its own in catch-up mode (update_group.hpp): from then on a change costs one dirty
// bit, never encoded bytes, so the memory a stuck peer can hold is the limit plus one flush,
// whatever the churn. When the queue has room again, pump_catch_up() sends the dirty Dests in
// their latest state, in slices, re-deriving each from the Loc-RIB:
//   * the route is advertisable to the peer now   -> announce it (once, latest attributes)
//   * it is not, and the peer has it              -> withdraw it
//   * it is not, and the peer never had it        -> nothing (announced and withdrawn meanwhile)
// With nothing dirty and the queue below half the limit, the peer rejoins an in-sync group with
// the same policy: the fast peers kept their shared "encode once" path all along.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {
namespace {
// Dests encoded per slice: about what the room left in the queue holds (an EVPN NLRI with its
// share of the attributes is 40-60 bytes), at most 2048, so the queue exceeds the limit by at
// most one slice (tens of KiB) before the pump stops.
constexpr size_t kCatchUpSlice = 2048;
constexpr size_t kMinSlice = 64;
constexpr size_t kBytesPerRoute = 48;
}  // namespace

bool Speaker::over_limit(const Peer& p) const { return output_queued(p) >= cfg_.output_queue_limit; }

bool Speaker::catching_up(const Peer& p) const {
  const UpdateGroup* g = group(p.group);
  return g && g->catching_up();
}

void Speaker::split_slow_members() {
  std::vector<PeerId> slow;
  for (const auto& [gid, g] : groups_) {
    if (g->catching_up() || g->needs_full_dump()) continue;
    for (PeerId m : g->members())
      if (over_limit(*peers_[m])) slow.push_back(m);
  }
  for (PeerId m : slow) start_catch_up(*peers_[m]);
}

// Runs between flushes (adv_from then says what every in-sync group advertised), so the
// member's own Adj-RIB-Out is exactly "group bit && adv_from != member".
void Speaker::start_catch_up(Peer& p) {
  auto it = groups_.find(p.group);
  if (it == groups_.end()) return;
  UpdateGroup& old = *it->second;
  auto g = std::make_unique<UpdateGroup>(next_group_++, old.policy());
  g->begin_catch_up(old);
  if (p.own_in_group) {
    // Routes whose advertised path came from this peer were never sent to it.
    old.adj(TableId::kEvpn).for_each_advertised([&](DestId id) {
      if (evpn_.table.at(id).adv_from == p.id) g->adj(TableId::kEvpn).set_advertised(id, false);
    });
    old.adj(TableId::kUnicast).for_each_advertised([&](DestId id) {
      if (unicast_.table.at(id).adv_from == p.id) g->adj(TableId::kUnicast).set_advertised(id, false);
    });
  }
  g->members().push_back(p.id);
  p.own_in_group = 0;
  auto& m = old.members();
  m.erase(std::remove(m.begin(), m.end(), p.id), m.end());
  if (m.empty()) groups_.erase(it);
  p.group = g->id();
  groups_.emplace(g->id(), std::move(g));
  ++p.counters.output_blocked;
  spdlog::info("peer {}: {} bytes waiting to be sent (limit {}): leaves its update group and catches up on its own",
               p.cfg.address.to_string(), output_queued(p), cfg_.output_queue_limit);
}

void Speaker::pump_all_catch_up(Output& out) {
  std::vector<PeerId> behind;
  for (const auto& [gid, g] : groups_)
    if (g->catching_up()) behind.push_back(g->members().front());
  for (PeerId id : behind) pump_catch_up(*peers_[id], out);
}

template <typename N>
void Speaker::pump_table(Rib<N>& r, Peer& p, UpdateGroup& g, Connection& c, Output& out) {
  AdjRibOut& adj = g.adj(RibTraits<N>::kTable);
  std::vector<DestId> gone;  // tombstones withdrawn from the last peer that had them
  while (adj.dirty_count() && c.out_queued < cfg_.output_queue_limit) {
    typename PackerFor<N>::type pk(p.neg.encode_context(), g.policy().extended_message);
    const size_t room = (cfg_.output_queue_limit - c.out_queued) / kBytesPerRoute;
    adj.take_dirty(std::clamp(room, kMinSlice, kCatchUpSlice), [&](DestId id) {
      if (id >= r.table.id_limit() || !r.table.at(id).in_use) return;  // erased: it had no bit
      const BasicDest<N>& d = r.table.at(id);
      const BasicPath<N>* b = d.best_path();
      const bool had = adj.advertised(id);
      const AttrRef* out_attrs = b && b->peer != p.id ? outbound(g, *b) : nullptr;
      if (out_attrs) {
        pk.announce(*out_attrs, b->nlri);
        adj.set_advertised(id, true);
      } else if (had) {
        pk.withdraw(d.nlri());
        adj.set_advertised(id, false);
        if (!d.has_live()) gone.push_back(id);
      }
    });
    const auto chunks = pk.finish();  // before erasing: the packer points into the Dests
    send_chunks(chunks, {p.id}, pk.updates_encoded(), out);
    g.trim_cache();
    for (DestId id : gone) {
      bool still = false;
      for (const auto& [oid, o] : groups_) still |= o->adj(RibTraits<N>::kTable).advertised(id);
      if (!r.pending(id) && !still) r.table.erase(id);
    }
    gone.clear();
  }
}

void Speaker::pump_catch_up(Peer& p, Output& out) {
  Connection* c = p.conn(p.session);
  if (!c || !p.group) return;
  UpdateGroup& g = *groups_.at(p.group);
  pump_table(evpn_, p, g, *c, out);
  pump_table(unicast_, p, g, *c, out);
  if (!g.dirty_count() && c->out_queued < cfg_.output_queue_limit / 2) finish_catch_up(p);
}

// The peer holds exactly what the Loc-RIB says it should: join an in-sync group with the same
// policy (normal semantics: bit && adv_from != member), or become one.
void Speaker::finish_catch_up(Peer& p) {
  auto it = groups_.find(p.group);
  UpdateGroup& g = *it->second;
  const bool has_routes = p.prefixes_received || p.stale_routes;
  for (auto& [oid, o] : groups_) {
    if (oid == g.id() || o->needs_full_dump() || o->catching_up() || !(o->policy() == g.policy())) continue;
    uint32_t own = 0;
    if (has_routes) {
      o->adj(TableId::kEvpn).for_each_advertised([&](DestId id) { own += evpn_.table.at(id).adv_from == p.id; });
      o->adj(TableId::kUnicast).for_each_advertised([&](DestId id) { own += unicast_.table.at(id).adv_from == p.id; });
    }
    p.own_in_group = own;
    o->members().push_back(p.id);
    p.group = oid;
    groups_.erase(it);
    spdlog::info("peer {}: caught up, back in update group {}", p.cfg.address.to_string(), oid);
    return;
  }
  // No group to join: this one returns to normal semantics, where the routes whose best path
  // is the peer's own count as advertised (to everyone but it).
  uint32_t own = 0;
  if (has_routes) {
    auto mark_own = [&](auto& r) {
      AdjRibOut& adj = g.adj(std::decay_t<decltype(r)>::Traits::kTable);
      r.table.for_each([&](DestId id, const auto& d) {
        const auto* b = d.best_path();
        if (b && b->peer == p.id && outbound(g, *b, /*count=*/false)) {
          adj.set_advertised(id, true);
          ++own;
        }
      });
    };
    mark_own(evpn_);
    mark_own(unicast_);
  }
  p.own_in_group = own;
  g.end_catch_up();
  spdlog::info("peer {}: caught up", p.cfg.address.to_string());
}

}  // namespace evpnd::bgp

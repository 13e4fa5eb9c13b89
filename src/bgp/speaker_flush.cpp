// Update groups and the flush: turns the changed Dests of every table (rib_family.hpp) into
// packed UPDATEs per update group (Adj-RIB-Out: one bitmap per table, update_group.hpp), reports
// the Loc-RIB changes to the listener, and erases the Dests nobody needs any more.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {

GroupPolicy Speaker::group_policy(const Peer& p) const {
  GroupPolicy pol{p.role, p.neg.four_octet_as, p.neg.extended_message, p.neg.families, std::nullopt, std::nullopt};
  std::sort(pol.families.begin(), pol.families.end());
  if (pol.carries_unicast()) {
    // What a member's unicast UPDATEs depend on besides the role (next-hop-self, export policy):
    // peers that differ here cannot share an encoding.
    const Connection* c = nullptr;
    for (const auto& x : p.conns)
      if (x.id == p.session) c = &x;
    if (c) pol.local_address = c->local;
    pol.export_filter = p.cfg.export_filter;
  }
  return pol;
}

void Speaker::join_group(Peer& p) {
  auto g = std::make_unique<UpdateGroup>(next_group_++, group_policy(p));
  g->members().push_back(p.id);
  p.group = g->id();
  groups_.emplace(g->id(), std::move(g));
}

template <typename N>
void Speaker::erase_unadvertised(Rib<N>& r, const AdjRibOut& gone) {
  constexpr TableId t = RibTraits<N>::kTable;
  gone.for_each_advertised([&](DestId id) {
    if (r.table.at(id).has_live() || r.pending(id)) return;
    for (const auto& [oid, o] : groups_)
      if (o->adj(t).advertised(id)) return;
    r.table.erase(id);
  });
}

void Speaker::leave_group(Peer& p) {
  auto it = groups_.find(p.group);
  p.group = 0;
  if (it == groups_.end()) return;
  p.own_in_group = 0;  // counted against that group's Adj-RIB-Out only
  auto& m = it->second->members();
  m.erase(std::remove(m.begin(), m.end(), p.id), m.end());
  if (!m.empty()) return;
  std::unique_ptr<UpdateGroup> gone = std::move(it->second);
  groups_.erase(it);
  if (!gone->catching_up()) return;
  // A peer that fell behind may have been the last holder of withdrawn routes (tombstones kept
  // for its withdrawal): with it gone nobody needs them. Pending changes are left to the flush.
  erase_unadvertised(evpn_, gone->adj(TableId::kEvpn));
  erase_unadvertised(unicast_, gone->adj(TableId::kUnicast));
}

const UpdateGroup* Speaker::group(GroupId g) const {
  auto it = groups_.find(g);
  return it == groups_.end() ? nullptr : it->second.get();
}

size_t Speaker::prefixes_sent(const Peer& p) const {
  const UpdateGroup* g = group(p.group);
  return g ? g->total_advertised() - p.own_in_group : 0;
}

void Speaker::send_chunks(const std::vector<Chunk>& chunks, const std::vector<PeerId>& to, size_t updates,
                          Output& out) {
  for (PeerId id : to) {
    Peer& p = *peers_[id];
    if (!p.established()) continue;
    Connection* conn = p.conn(p.session);
    for (const auto& c : chunks) queue_bytes(out, *conn, c);
    p.counters.updates_out += updates;
    p.counters.messages_out += updates;
  }
}

template <typename P>
void Speaker::send_lanes(BasicFanoutPacker<P>& fp, Output& out) {
  // Every member gets each route in at most one lane, so the lanes' order does not matter.
  for (auto& lane : fp.lanes()) {
    if (!lane.packer) continue;
    const auto chunks = lane.packer->finish();
    send_chunks(chunks, lane.recipients, lane.packer->updates_encoded(), out);
  }
}

PeerId Speaker::member_of(PeerId p, GroupId g) const {
  return p < peers_.size() && peers_[p] && peers_[p]->group == g ? p : kNoPeer;
}

// Decides, for every Dest in scope, whether the group advertises it (and with which
// attributes) or must withdraw it, and to which members (RFC 4456 §6: never to the member the
// path came from). Per member m, "had" = bit && m != adv_from and "has" = advertise && m !=
// source of the new best; the lanes send an announcement to every member that has it and a
// withdrawal to every member that had it and no longer has it:
//   * announce from X: all but X; if X had the old path (from another peer), X gets a withdrawal
//   * withdraw of a path from X: all but X (X never had it)
template <typename N>
void Speaker::fill_group(Rib<N>& r, UpdateGroup& g, BasicFanoutPacker<typename PackerFor<N>::type>& fp, bool full) {
  using Fanout = BasicFanoutPacker<typename PackerFor<N>::type>;
  using To = typename Fanout::To;
  const GroupId gid = g.id();
  // RFC 4760 §8: a group without any family of this table never advertises anything from it
  // (its bitmap stays empty); outbound() checks the family of each route.
  if constexpr (std::is_same_v<N, wire::EvpnRoute>) {
    if (!g.policy().carries(kL2vpnEvpn)) return;
  } else {
    if (!g.policy().carries_unicast()) return;
  }
  AdjRibOut& adj = g.adj(RibTraits<N>::kTable);
  auto visit = [&](DestId id, const BasicDest<N>& d) {
    const BasicPath<N>* b = d.best_path();
    const bool had = adj.advertised(id);
    const PeerId xo = had ? member_of(d.adv_from, gid) : kNoPeer;
    const AttrRef* out_attrs = b ? outbound(g, *b) : nullptr;
    if (out_attrs) {
      const PeerId xn = member_of(b->peer, gid);
      if (auto* pk = fp.lane(To::kAllBut, xn)) pk->announce(*out_attrs, b->nlri);
      if (had && xn != kNoPeer && xn != xo)
        if (auto* pk = fp.lane(To::kOnly, xn)) pk->withdraw(d.nlri());
      adj.set_advertised(id, true);
      if (xo != xn) {
        if (xo != kNoPeer) --peers_[xo]->own_in_group;
        if (xn != kNoPeer) ++peers_[xn]->own_in_group;
      }
    } else if (had) {
      if (auto* pk = fp.lane(To::kAllBut, xo)) pk->withdraw(d.nlri());
      adj.set_advertised(id, false);
      if (xo != kNoPeer) --peers_[xo]->own_in_group;
    }
  };
  if (full) {
    r.table.for_each(visit);
  } else {
    // The changed Dests were last touched when their UPDATE was processed and have left the
    // nearer caches since when the batch is large: load them a few entries ahead.
    constexpr size_t kAhead = 6;
    const size_t n = r.changed.size();
    for (size_t i = 0; i < n && i < kAhead; ++i) r.table.prefetch_dest(r.changed[i]);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) r.table.prefetch_dest(r.changed[i + kAhead]);
      visit(r.changed[i], r.table.at(r.changed[i]));
    }
  }
}

template <typename N>
void Speaker::encode_group(Rib<N>& r, UpdateGroup& g, const Peer& first, bool full, Output& out) {
  if (!full && r.changed.empty()) return;
  BasicFanoutPacker<typename PackerFor<N>::type> fp(first.neg.encode_context(), g.policy().extended_message,
                                                    g.members());
  fill_group(r, g, fp, full);
  send_lanes(fp, out);
}

// After the groups were filled: the listener learns the Loc-RIB changes, every Dest's adv_from
// records what the groups now have, and Dests without a live path that no group still
// advertises are erased.
template <typename N>
void Speaker::flush_table_done(Rib<N>& r) {
  if (listener_) {
    for (DestId id : r.changed) {
      const BasicDest<N>& d = r.table.at(id);
      const BasicPath<N>* b = d.best_path();
      const PeerRole from = b ? peers_[b->peer]->role : PeerRole::kLocal;
      if constexpr (std::is_same_v<N, wire::EvpnRoute>) listener_->on_best_path_changed(d.nlri(), b, from);
      else listener_->on_unicast_best_changed(d.nlri(), b, from);
    }
  }
  constexpr TableId t = RibTraits<N>::kTable;
  // Withdrawn Dests are erased in the same pass that just loaded them (a separate pass found
  // them evicted again), with the index slots prefetched a few entries ahead: far enough to
  // hide the miss, near enough that the line is still cached when its turn comes.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < r.changed.size() && i < kAhead; ++i) r.table.prefetch(r.changed_hash[i]);
  for (size_t i = 0; i < r.changed.size(); ++i) {
    if (i + kAhead < r.changed.size()) r.table.prefetch(r.changed_hash[i + kAhead]);
    const DestId id = r.changed[i];
    r.changed_flag[id] = 0;
    BasicDest<N>& d = r.table.at(id);
    d.adv_from = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;  // what every group now has
    if (!d.has_live()) {
      bool still = false;
      for (const UpdateGroup* g : group_scratch_) still |= g->adj(t).advertised(id);
      if (!still) r.table.erase(id, r.changed_hash[i]);
    }
  }
  r.changed.clear();
  r.changed_hash.clear();
}

void Speaker::flush(Output& out) {
  // RFC 4724 §4.1: while we defer, nothing goes out; when it ends, every group's full dump
  // (with End-of-RIB) follows below.
  update_deferral(out);
  if (!deferring_ && (any_changed() || std::any_of(groups_.begin(), groups_.end(), [](const auto& kv) { return kv.second->needs_full_dump(); }))) {
    // A member whose output queue is full gets nothing more encoded: it leaves its group
    // before this flush (its Adj-RIB-Out is still the group's) and catches up on its own.
    if (any_changed()) split_slow_members();
    std::vector<GroupId> dumped;
    for (auto& [gid, g] : groups_) {
      if (g->catching_up()) {
        // Remember what changed (one bit per Dest, however often it changes); the pump
        // sends the latest state when the member's queue has room.
        for (DestId id : evpn_.changed) g->adj(TableId::kEvpn).mark_dirty(id);
        for (DestId id : unicast_.changed) g->adj(TableId::kUnicast).mark_dirty(id);
        continue;
      }
      const bool full = g->needs_full_dump();
      if (!full && !any_changed()) continue;
      const Peer& first = *peers_[g->members().front()];
      encode_group(evpn_, *g, first, full, out);
      encode_group(unicast_, *g, first, full, out);
      if (full) {
        // RFC 4724 §2: End-of-RIB after the whole table, to every member, per negotiated
        // family (IPv4 unicast: the empty UPDATE; others: an empty MP_UNREACH_NLRI).
        UpdatePacker eor(first.neg.encode_context(), g->policy().extended_message);
        for (AfiSafi f : first.neg.families) eor.end_of_rib(f);
        const auto chunks = eor.finish();
        send_chunks(chunks, g->members(), eor.updates_encoded(), out);
        g->set_full_dump_done();
        dumped.push_back(gid);
      }
      g->trim_cache();
    }
    // A freshly synced group now holds the same Adj-RIB-Out as an older one with the same
    // policy: merge its members there (update groups, encode once for all).
    for (GroupId gid : dumped) {
      UpdateGroup& g = *groups_.at(gid);
      for (auto& [oid, o] : groups_) {
        if (oid == gid || o->needs_full_dump() || o->catching_up() || !(o->policy() == g.policy())) continue;
        for (PeerId m : g.members()) {
          o->members().push_back(m);
          peers_[m]->group = oid;
        }
        groups_.erase(gid);
        break;
      }
    }
  }
  group_scratch_.clear();
  for (const auto& kv : groups_) group_scratch_.push_back(kv.second.get());
  flush_table_done(evpn_);
  flush_table_done(unicast_);
  if (!deferring_) pump_all_catch_up(out);
}

}  // namespace evpnd::bgp

// The RIB side of the speaker: UPDATE processing (RFC 7606 outcomes, loop checks), best-path
// selection per changed Dest, graceful-restart stale handling, max-prefix, update groups and
// the flush that turns changed Dests into packed UPDATEs.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/speaker.hpp"
#include "wire/as4_path.hpp"

namespace evpnd::bgp {
namespace {
constexpr uint8_t kCease = static_cast<uint8_t>(wire::NotifyCode::kCease);
constexpr uint8_t kCeaseMaxPrefix = 1;  // RFC 4486 §4

// RFC 7606 §6: the log of a malformed UPDATE lists the NLRI involved (the first few, then a count).
std::string nlri_list(const wire::Update& u) {
  constexpr size_t kShown = 8;
  std::string s;
  size_t n = 0;
  auto add = [&](const std::string& text) {
    if (n++ < kShown) s += (s.empty() ? "" : ", ") + text;
  };
  for (const auto& p : u.nlri) add(p.to_string());
  if (u.mp_reach) {
    for (const auto& r : u.mp_reach->evpn) add(wire::to_string(r));
    for (const auto& p : u.mp_reach->prefixes) add(p.to_string());
  }
  if (n > kShown) s += ", ... (" + std::to_string(n) + " in all)";
  return n ? s : "none";
}
}  // namespace

void Speaker::mark_changed(DestId d, uint32_t hash) {
  if (d >= changed_flag_.size()) changed_flag_.resize(std::max<size_t>(table_.id_limit(), d + 1) * 2, 0);
  if (!changed_flag_[d]) {
    changed_flag_[d] = 1;
    changed_.push_back(d);
    changed_hash_.push_back(hash);
  }
}

void Speaker::reselect(DestId id, PeerId old_best_peer, bool best_touched, uint32_t hash) {
  Dest& d = table_.at(id);
  if (d.paths.size() == 1) d.best = d.paths.front().live() ? 0 : -1;  // the common case: nothing to compare
  else d.best = static_cast<int16_t>(select_best(d, [this](PeerId p) -> const PeerFacts& { return peers_[p]->facts; }));
  const PeerId new_best = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
  if (old_best_peer == kNoPeer && new_best != kNoPeer) ++loc_rib_count_;
  if (old_best_peer != kNoPeer && new_best == kNoPeer) --loc_rib_count_;
  if (new_best != old_best_peer || best_touched) mark_changed(id, hash);
}

void Speaker::prefetch_batch(const std::vector<wire::EvpnRoute>& routes) {
  batch_hashes_.resize(routes.size());
  for (size_t i = 0; i < routes.size(); ++i) {
    batch_hashes_[i] = RouteTable::hash_of(routes[i]);
    table_.prefetch(batch_hashes_[i]);
  }
  for (size_t i = 0; i < routes.size(); ++i) table_.prefetch_home_dest(batch_hashes_[i]);
}

void Speaker::announce(PeerId peer, const wire::EvpnRoute& route, const AttrRef& info, uint32_t hash) {
  const DestId id = table_.find_or_create(route, hash);
  Dest& d = table_.at(id);
  const PeerId old_best = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
  Path* slot = nullptr;
  for (auto& p : d.paths)
    if (p.peer == peer && p.live()) slot = &p;
  bool fresh = false;
  if (!slot) {
    if (d.paths.size() == 1 && !d.paths.front().live()) {
      slot = &d.paths.front();  // reuse the tombstone
    } else {
      d.paths.push_back(Path{});
      slot = &d.paths.back();
    }
    fresh = true;
  }
  Peer& p = *peers_[peer];
  if (fresh) ++p.prefixes_received;
  if (!fresh && (slot->flags & path_flag::kStale)) {
    --p.stale_routes;
    ++p.prefixes_received;
  }
  const bool same = !fresh && slot->info == info && slot->nlri == route && !(slot->flags & path_flag::kStale);
  slot->nlri = route;
  slot->info = info;
  slot->peer = peer;
  slot->flags = 0;
  if (same) return;  // an identical re-announcement changes nothing (RFC 4271 §9.1.4)
  reselect(id, old_best, old_best == peer, hash);
}

bool Speaker::withdraw(PeerId peer, const wire::EvpnRoute& route, uint32_t hash) {
  const DestId id = table_.find(route, hash);
  if (id == kNoDest) return false;
  Dest& d = table_.at(id);
  auto it = std::find_if(d.paths.begin(), d.paths.end(), [peer](const Path& p) { return p.peer == peer && p.live(); });
  if (it == d.paths.end()) return false;
  const PeerId old_best = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
  Peer& p = *peers_[peer];
  if (it->flags & path_flag::kStale) --p.stale_routes; else --p.prefixes_received;
  if (d.paths.size() == 1) {
    it->flags = path_flag::kWithdrawn;  // tombstone keeps the NLRI for the withdrawal
    it->info.reset();
    it->peer = kNoPeer;
  } else {
    d.paths.erase(it);
  }
  d.best = -1;
  reselect(id, old_best, old_best == peer, hash);
  return true;
}

void Speaker::process_update(Peer& p, wire::Update& u, Output& out) {
  ++p.counters.updates_in;
  for (const auto& e : u.errors) {
    if (e.action == wire::ErrorAction::kAttributeDiscard) {
      ++p.counters.attribute_discard;
      spdlog::warn("peer {}: attribute discarded (RFC 7606): {}", p.cfg.address.to_string(), e.reason);
    }
  }
  if (drop_unnegotiated(p, u)) return;  // only families this session did not negotiate (RFC 4760 §8)
  if (u.is_end_of_rib()) return on_end_of_rib(p, u.mp_unreach ? u.mp_unreach->afi_safi : kIpv4Unicast, out);
  bool as_withdraw = u.treat_as_withdraw;
  if (as_withdraw) {
    ++p.counters.treat_as_withdraw;
    spdlog::warn("peer {}: UPDATE treated as withdraw (RFC 7606): {}; NLRI: {}", p.cfg.address.to_string(),
                 u.errors.empty() ? std::string("?") : u.errors.front().reason, nlri_list(u));
  }
  if (u.mp_reach && u.mp_reach->afi_safi == kL2vpnEvpn && !u.mp_reach->evpn.empty()) {
    AttrRef info;
    if (!as_withdraw) {
      if (!p.neg.four_octet_as) fold_as4(p, u.attrs);
      normalize_inbound(u.attrs, p.role);
      const InboundVerdict v = check_inbound(u.attrs, p.role, p.neg.peer_as, me_);
      if (v != InboundVerdict::kAccept) {
        // RFC 4456 §8 / RFC 4271 §9.1.2: ignore the route; drop what we had from this peer.
        ++p.counters.loop_rejected;
        spdlog::debug("peer {}: {} routes denied: {}", p.cfg.address.to_string(), u.mp_reach->evpn.size(), to_string(v));
        as_withdraw = true;
      } else {
        info = attrs_.intern(PathInfo{std::move(u.attrs), u.mp_reach->next_hop, 0});
      }
    }
    const auto& routes = u.mp_reach->evpn;
    prefetch_batch(routes);
    for (size_t i = 0; i < routes.size(); ++i) {
      // RFC 7606 §5.4: routes of unknown EVPN types are not installed.
      if (std::holds_alternative<wire::UnknownEvpnRoute>(routes[i])) continue;
      if (as_withdraw) withdraw(p.id, routes[i], batch_hashes_[i]);
      else announce(p.id, routes[i], info, batch_hashes_[i]);
    }
  }
  if (u.mp_unreach && u.mp_unreach->afi_safi == kL2vpnEvpn) {
    const auto& routes = u.mp_unreach->evpn;
    prefetch_batch(routes);
    for (size_t i = 0; i < routes.size(); ++i) withdraw(p.id, routes[i], batch_hashes_[i]);
  }
  check_max_prefix(p, out);
}

// RFC 6793 §4.2.3: a peer without the 4-octet AS capability sends 2-octet AS_PATHs (AS_TRANS
// for wide ASNs) and the real path in AS4_PATH; the RIB keeps only the reconstructed 4-octet
// AS_PATH, which loop detection and best path then use, and which update groups encode per
// member capability (AS4_PATH regenerated for 2-octet groups, never sent to 4-octet ones).
void Speaker::fold_as4(Peer& p, wire::PathAttributes& a) {
  if (!a.as4_path && !a.as4_aggregator) return;
  const wire::As4Outcome r = wire::reconstruct_as4(a);
  using U = wire::As4Outcome::PathUse;
  if (r.path == U::kIgnoredLonger || r.path == U::kIgnoredAggregator)
    spdlog::warn("peer {}: {} (RFC 6793 §4.2.3)", p.cfg.address.to_string(), wire::to_string(r.path));
  if (r.confed_segments_dropped)
    spdlog::warn("peer {}: {} confederation segment(s) discarded from AS4_PATH (RFC 6793 §3)",
                 p.cfg.address.to_string(), r.confed_segments_dropped);
}

void Speaker::check_max_prefix(Peer& p, Output& out) {
  if (!p.cfg.max_prefixes || p.prefixes_received <= *p.cfg.max_prefixes || !p.established()) return;
  spdlog::warn("peer {}: {} prefixes exceed the maximum {}", p.cfg.address.to_string(), p.prefixes_received,
               *p.cfg.max_prefixes);
  p.max_prefix_tripped = true;
  // Without a restart interval the peer stays down until reset or reconfigured (FRR's default);
  // with one, the kMaxPrefixRestart timer starts it again (FRR's `maximum-prefix N restart M`).
  p.admin_up = false;
  Connection* c = p.conn(p.session);
  if (c) feed(p, *c, FsmEvent{FsmEventType::kAdminCease, kCease, kCeaseMaxPrefix}, out);
  p.last_error = "maximum prefix count exceeded";
  if (p.cfg.max_prefix_restart) {
    const auto delay = std::chrono::seconds(p.cfg.max_prefix_restart);
    p.max_prefix_restart_at = now_ + delay;
    arm(out, p.id, 0, TimerKind::kMaxPrefixRestart, delay);
    spdlog::warn("peer {}: down after exceeding the maximum prefix count, restarting in {} s",
                 p.cfg.address.to_string(), p.cfg.max_prefix_restart);
  } else {
    spdlog::warn("peer {}: down after exceeding the maximum prefix count until reset or reconfigured",
                 p.cfg.address.to_string());
  }
}

void Speaker::process_route_refresh(Peer& p, const wire::RouteRefresh& rr, Output& out) {
  ++p.counters.route_refresh_in;
  // RFC 2918 §4: a ROUTE-REFRESH for a family not negotiated on the session is ignored.
  if (rr.afi_safi != kL2vpnEvpn || !p.neg.has_family(rr.afi_safi) || rr.subtype != 0 || !p.group) return;
  if (deferring_) return;  // the whole table goes out when the deferral ends (RFC 4724 §4.1)
  // RFC 2918 §4: resend the Adj-RIB-Out for the family to this peer only. Flushing first
  // makes the group's Adj-RIB-Out match the Loc-RIB (and may merge groups). The resend goes
  // through catch-up mode, so it is paced by the peer's output queue like any backlog: a peer
  // that keeps asking while not reading cannot make us queue one table copy per request.
  flush(out);
  if (!p.group) return;
  if (!groups_.at(p.group)->catching_up()) start_catch_up(p);
  groups_.at(p.group)->mark_all_advertised_dirty();
}

void Speaker::mark_stale(Peer& p) {
  table_.for_each_mut([&](DestId id, Dest& d) {
    for (auto& path : d.paths) {
      if (path.peer != p.id || !path.live() || (path.flags & path_flag::kStale)) continue;
      path.flags |= path_flag::kStale;
      --p.prefixes_received;
      ++p.stale_routes;
      const PeerId old = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
      reselect(id, old, false, RouteTable::hash_of(d.nlri()));
    }
  });
  spdlog::info("peer {}: graceful restart, keeping {} routes as stale", p.cfg.address.to_string(), p.stale_routes);
}

void Speaker::drop_peer_paths(Peer& p, bool only_stale) {
  std::vector<DestId> hits;
  table_.for_each([&](DestId id, const Dest& d) {
    for (const auto& path : d.paths)
      if (path.peer == p.id && path.live() && (!only_stale || (path.flags & path_flag::kStale))) {
        hits.push_back(id);
        break;
      }
  });
  for (DestId id : hits) {
    Dest& d = table_.at(id);
    const wire::EvpnRoute nlri = d.nlri();
    withdraw(p.id, nlri);
  }
}

void Speaker::originate(const wire::EvpnRoute& route, PathInfo info) {
  announce(kLocalPeer, route, attrs_.intern(std::move(info)));
}

bool Speaker::withdraw_local(const wire::EvpnRoute& route) { return withdraw(kLocalPeer, route); }

void Speaker::join_group(Peer& p) {
  GroupPolicy pol{p.role, p.neg.four_octet_as, p.neg.extended_message, p.neg.families};
  std::sort(pol.families.begin(), pol.families.end());
  auto g = std::make_unique<UpdateGroup>(next_group_++, pol);
  g->members().push_back(p.id);
  p.group = g->id();
  groups_.emplace(g->id(), std::move(g));
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
  gone->for_each_advertised([&](DestId id) {
    if (table_.at(id).has_live() || (id < changed_flag_.size() && changed_flag_[id])) return;
    for (const auto& [oid, o] : groups_)
      if (o->advertised(id)) return;
    table_.erase(id);
  });
}

const UpdateGroup* Speaker::group(GroupId g) const {
  auto it = groups_.find(g);
  return it == groups_.end() ? nullptr : it->second.get();
}

size_t Speaker::prefixes_sent(const Peer& p) const {
  const UpdateGroup* g = group(p.group);
  return g ? g->advertised_count() - p.own_in_group : 0;
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
void Speaker::fill_group(UpdateGroup& g, FanoutPacker& fp, bool full) {
  using To = FanoutPacker::To;
  const GroupId gid = g.id();
  // RFC 4760 §8: a group without l2vpn-evpn never advertises anything (its bitmap stays empty).
  if (!g.policy().carries(kL2vpnEvpn)) return;
  auto visit = [&](DestId id, const Dest& d) {
    const Path* b = d.best_path();
    const bool had = g.advertised(id);
    const PeerId xo = had ? member_of(d.adv_from, gid) : kNoPeer;
    const AttrRef* out_attrs = b ? outbound(g, *b) : nullptr;
    if (out_attrs) {
      const PeerId xn = member_of(b->peer, gid);
      if (UpdatePacker* pk = fp.lane(To::kAllBut, xn)) pk->announce(*out_attrs, b->nlri);
      if (had && xn != kNoPeer && xn != xo)
        if (UpdatePacker* pk = fp.lane(To::kOnly, xn)) pk->withdraw(d.nlri());
      g.set_advertised(id, true);
      if (xo != xn) {
        if (xo != kNoPeer) --peers_[xo]->own_in_group;
        if (xn != kNoPeer) ++peers_[xn]->own_in_group;
      }
    } else if (had) {
      if (UpdatePacker* pk = fp.lane(To::kAllBut, xo)) pk->withdraw(d.nlri());
      g.set_advertised(id, false);
      if (xo != kNoPeer) --peers_[xo]->own_in_group;
    }
  };
  if (full) {
    table_.for_each(visit);
  } else {
    // The changed Dests were last touched when their UPDATE was processed and have left the
    // nearer caches since when the batch is large: load them a few entries ahead.
    constexpr size_t kAhead = 6;
    const size_t n = changed_.size();
    for (size_t i = 0; i < n && i < kAhead; ++i) table_.prefetch_dest(changed_[i]);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) table_.prefetch_dest(changed_[i + kAhead]);
      visit(changed_[i], table_.at(changed_[i]));
    }
  }
}

void Speaker::flush(Output& out) {
  // RFC 4724 §4.1: while we defer, nothing goes out; when it ends, every group's full dump
  // (with End-of-RIB) follows below.
  update_deferral(out);
  if (!deferring_ && (!changed_.empty() || std::any_of(groups_.begin(), groups_.end(), [](const auto& kv) { return kv.second->needs_full_dump(); }))) {
    // A member whose output queue is full gets nothing more encoded: it leaves its group
    // before this flush (its Adj-RIB-Out is still the group's) and catches up on its own.
    if (!changed_.empty()) split_slow_members();
    std::vector<GroupId> dumped;
    for (auto& [gid, g] : groups_) {
      if (g->catching_up()) {
        // Remember what changed (one bit per Dest, however often it changes); the pump
        // sends the latest state when the member's queue has room.
        for (DestId id : changed_) g->mark_dirty(id);
        continue;
      }
      const bool full = g->needs_full_dump();
      if (!full && changed_.empty()) continue;
      const Peer& first = *peers_[g->members().front()];
      FanoutPacker fp(first.neg.encode_context(), g->policy().extended_message, g->members());
      fill_group(*g, fp, full);
      // Every member gets each route in at most one lane, so the lanes' order does not matter.
      for (auto& lane : fp.lanes()) {
        if (!lane.packer) continue;
        const auto chunks = lane.packer->finish();
        send_chunks(chunks, lane.recipients, lane.packer->updates_encoded(), out);
      }
      if (full) {
        // RFC 4724 §2: End-of-RIB after the whole table, to every member.
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
  if (listener_) {
    for (DestId id : changed_) {
      const Dest& d = table_.at(id);
      const Path* b = d.best_path();
      listener_->on_best_path_changed(d.nlri(), b, b ? peers_[b->peer]->role : PeerRole::kLocal);
    }
  }
  group_scratch_.clear();
  for (const auto& kv : groups_) group_scratch_.push_back(kv.second.get());
  // Withdrawn Dests are erased in the same pass that just loaded them (a separate pass found
  // them evicted again), with the index slots prefetched a few entries ahead: far enough to
  // hide the miss, near enough that the line is still cached when its turn comes.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < changed_.size() && i < kAhead; ++i) table_.prefetch(changed_hash_[i]);
  for (size_t i = 0; i < changed_.size(); ++i) {
    if (i + kAhead < changed_.size()) table_.prefetch(changed_hash_[i + kAhead]);
    const DestId id = changed_[i];
    changed_flag_[id] = 0;
    Dest& d = table_.at(id);
    d.adv_from = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;  // what every group now has
    if (!d.has_live()) {
      bool still = false;
      for (const UpdateGroup* g : group_scratch_) still |= g->advertised(id);
      if (!still) table_.erase(id, changed_hash_[i]);
    }
  }
  changed_.clear();
  changed_hash_.clear();
  if (!deferring_) pump_all_catch_up(out);
}

}  // namespace evpnd::bgp

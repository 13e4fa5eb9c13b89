// The RIB side of the speaker: UPDATE processing (RFC 7606 outcomes, loop checks), best-path
// selection per changed Dest, graceful-restart stale handling per family, max-prefix. One code
// path for both tables (rib_family.hpp): EVPN routes and unicast prefixes are announced,
// withdrawn and reselected by the same templates. Update groups and the flush that turns the
// changed Dests into packed UPDATEs are in speaker_flush.cpp; the unicast fields of an UPDATE
// are read in speaker_unicast.cpp.
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

template <typename N>
void Speaker::mark_changed(Rib<N>& r, DestId d, uint32_t hash) {
  if (d >= r.changed_flag.size()) r.changed_flag.resize(std::max<size_t>(r.table.id_limit(), d + 1) * 2, 0);
  if (!r.changed_flag[d]) {
    r.changed_flag[d] = 1;
    r.changed.push_back(d);
    r.changed_hash.push_back(hash);
  }
}

template <typename N>
void Speaker::reselect(Rib<N>& r, DestId id, PeerId old_best_peer, bool best_touched, uint32_t hash) {
  BasicDest<N>& d = r.table.at(id);
  if (d.paths.size() == 1) d.best = d.paths.front().live() ? 0 : -1;  // the common case: nothing to compare
  else d.best = static_cast<int16_t>(select_best(d, [this](PeerId p) -> const PeerFacts& { return peers_[p]->facts; }));
  const PeerId new_best = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
  if (old_best_peer == kNoPeer && new_best != kNoPeer) ++r.loc_rib_count;
  if (old_best_peer != kNoPeer && new_best == kNoPeer) --r.loc_rib_count;
  if (new_best != old_best_peer || best_touched) mark_changed(r, id, hash);
  // Unicast: a peer's path changed under our own best one (a VRF instance's EVPN export; a CE's
  // route for the prefix must still reach EVPN, engine_vrf.cpp): the listener is told too.
  else if constexpr (!std::is_same_v<N, wire::EvpnRoute>)
    if (new_best == kLocalPeer) mark_changed(r, id, hash);
}

template <typename N>
void Speaker::prefetch_batch(Rib<N>& r, const std::vector<N>& routes) {
  r.batch_hashes.resize(routes.size());
  for (size_t i = 0; i < routes.size(); ++i) {
    r.batch_hashes[i] = BasicRouteTable<N>::hash_of(routes[i]);
    r.table.prefetch(r.batch_hashes[i]);
  }
  for (size_t i = 0; i < routes.size(); ++i) r.table.prefetch_home_dest(r.batch_hashes[i]);
}

template <typename N>
void Speaker::announce(Rib<N>& r, PeerId peer, const N& route, const AttrRef& info, uint32_t hash) {
  using P = BasicPath<N>;
  const DestId id = r.table.find_or_create(route, hash);
  BasicDest<N>& d = r.table.at(id);
  const PeerId old_best = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
  P* slot = nullptr;
  for (auto& p : d.paths)
    if (p.peer == peer && p.live()) slot = &p;
  bool fresh = false;
  if (!slot) {
    if (d.paths.size() == 1 && !d.paths.front().live()) {
      slot = &d.paths.front();  // reuse the tombstone
    } else {
      d.paths.push_back(P{});
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
  reselect(r, id, old_best, old_best == peer, hash);
}

template <typename N>
bool Speaker::withdraw(Rib<N>& r, PeerId peer, const N& route, uint32_t hash) {
  using P = BasicPath<N>;
  const DestId id = r.table.find(route, hash);
  if (id == kNoDest) return false;
  BasicDest<N>& d = r.table.at(id);
  auto it = std::find_if(d.paths.begin(), d.paths.end(), [peer](const P& p) { return p.peer == peer && p.live(); });
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
  reselect(r, id, old_best, old_best == peer, hash);
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
  // The attributes are checked once for every family of the UPDATE (RFC 4271 §9.1.2: loop
  // detection applies to the path, whatever NLRI it carries).
  const bool reaches = !u.nlri.empty() || (u.mp_reach && (!u.mp_reach->evpn.empty() || !u.mp_reach->prefixes.empty()));
  if (reaches && !as_withdraw) {
    if (!p.neg.four_octet_as) fold_as4(p, u.attrs);
    normalize_inbound(u.attrs, p.role);
    const InboundVerdict v = check_inbound(u.attrs, p.role, p.neg.peer_as, me_);
    if (v != InboundVerdict::kAccept) {
      // RFC 4456 §8 / RFC 4271 §9.1.2: ignore the routes; drop what we had from this peer.
      ++p.counters.loop_rejected;
      spdlog::debug("peer {}: routes denied: {}; NLRI: {}", p.cfg.address.to_string(), to_string(v), nlri_list(u));
      as_withdraw = true;
    }
  }
  if (u.mp_reach && u.mp_reach->afi_safi == kL2vpnEvpn && !u.mp_reach->evpn.empty()) {
    AttrRef info;
    if (!as_withdraw) {
      const bool unicast_too = !u.nlri.empty();  // the IPv4 NLRI field needs the attributes too
      info = attrs_.intern(PathInfo{unicast_too ? u.attrs : std::move(u.attrs), u.mp_reach->next_hop, 0});
    }
    const auto& routes = u.mp_reach->evpn;
    prefetch_batch(evpn_, routes);
    for (size_t i = 0; i < routes.size(); ++i) {
      // RFC 7606 §5.4: routes of unknown EVPN types are not installed.
      if (std::holds_alternative<wire::UnknownEvpnRoute>(routes[i])) continue;
      if (as_withdraw) withdraw(evpn_, p.id, routes[i], evpn_.batch_hashes[i]);
      else announce(evpn_, p.id, routes[i], info, evpn_.batch_hashes[i]);
    }
  }
  if (u.mp_unreach && u.mp_unreach->afi_safi == kL2vpnEvpn) {
    const auto& routes = u.mp_unreach->evpn;
    prefetch_batch(evpn_, routes);
    for (size_t i = 0; i < routes.size(); ++i) withdraw(evpn_, p.id, routes[i], evpn_.batch_hashes[i]);
  }
  process_unicast(p, u, as_withdraw ? nullptr : &u.attrs, as_withdraw);
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
  if (!p.neg.has_family(rr.afi_safi) || rr.subtype != 0 || !p.group) return;
  if (rr.afi_safi != kL2vpnEvpn && rr.afi_safi != kIpv4Unicast && rr.afi_safi != kIpv6Unicast) return;
  if (deferring_) return;  // the whole table goes out when the deferral ends (RFC 4724 §4.1)
  // RFC 2918 §4: resend the Adj-RIB-Out of that family (only) to this peer only. Flushing
  // first makes the group's Adj-RIB-Out match the Loc-RIB (and may merge groups). The resend
  // goes through catch-up mode, so it is paced by the peer's output queue like any backlog: a
  // peer that keeps asking while not reading cannot make us queue one table copy per request.
  flush(out);
  if (!p.group) return;
  if (!groups_.at(p.group)->catching_up()) start_catch_up(p);
  UpdateGroup& g = *groups_.at(p.group);
  if (rr.afi_safi == kL2vpnEvpn) {
    g.adj(TableId::kEvpn).mark_all_advertised_dirty();
    return;
  }
  AdjRibOut& a = g.adj(TableId::kUnicast);
  a.for_each_advertised([&](DestId id) {
    if (RibTraits<IpPrefix>::family(unicast_.table.at(id).nlri()) == rr.afi_safi) a.mark_dirty(id);
  });
}

namespace {
bool listed(const std::vector<AfiSafi>& v, AfiSafi f) { return std::find(v.begin(), v.end(), f) != v.end(); }
}  // namespace

template <typename N>
void Speaker::mark_table_stale(Rib<N>& r, Peer& p, const std::vector<AfiSafi>& families) {
  r.table.for_each_mut([&](DestId id, BasicDest<N>& d) {
    for (auto& path : d.paths) {
      if (path.peer != p.id || !path.live() || (path.flags & path_flag::kStale)) continue;
      if (!listed(families, RibTraits<N>::family(path.nlri))) continue;
      path.flags |= path_flag::kStale;
      --p.prefixes_received;
      ++p.stale_routes;
      const PeerId old = d.best >= 0 ? d.paths[size_t(d.best)].peer : kNoPeer;
      reselect(r, id, old, false, BasicRouteTable<N>::hash_of(d.nlri()));
    }
  });
}

void Speaker::mark_stale(Peer& p, const std::vector<AfiSafi>& families) {
  if (listed(families, kL2vpnEvpn)) mark_table_stale(evpn_, p, families);
  if (listed(families, kIpv4Unicast) || listed(families, kIpv6Unicast)) mark_table_stale(unicast_, p, families);
  spdlog::info("peer {}: graceful restart, keeping {} routes as stale", p.cfg.address.to_string(), p.stale_routes);
}

template <typename N>
void Speaker::drop_table_paths(Rib<N>& r, Peer& p, bool only_stale, std::optional<AfiSafi> family) {
  std::vector<DestId> hits;
  r.table.for_each([&](DestId id, const BasicDest<N>& d) {
    if (family && RibTraits<N>::family(d.nlri()) != *family) return;
    for (const auto& path : d.paths)
      if (path.peer == p.id && path.live() && (!only_stale || (path.flags & path_flag::kStale))) {
        hits.push_back(id);
        break;
      }
  });
  for (DestId id : hits) {
    const N nlri = r.table.at(id).nlri();
    withdraw(r, p.id, nlri);
  }
}

void Speaker::drop_peer_paths(Peer& p, bool only_stale, std::optional<AfiSafi> family) {
  if (!family || *family == kL2vpnEvpn) drop_table_paths(evpn_, p, only_stale, family);
  if (!family || *family != kL2vpnEvpn) drop_table_paths(unicast_, p, only_stale, family);
}

void Speaker::originate(const wire::EvpnRoute& route, PathInfo info) {
  announce(evpn_, kLocalPeer, route, attrs_.intern(std::move(info)));
}

bool Speaker::withdraw_local(const wire::EvpnRoute& route) { return withdraw(evpn_, kLocalPeer, route); }

void Speaker::originate(const IpPrefix& prefix, PathInfo info) {
  info.attrs.next_hop.reset();  // the next hop lives in PathInfo::next_hop (policy.hpp)
  announce(unicast_, kLocalPeer, prefix, attrs_.intern(std::move(info)));
}

bool Speaker::withdraw_local(const IpPrefix& prefix) { return withdraw(unicast_, kLocalPeer, prefix); }

template void Speaker::announce(Rib<IpPrefix>&, PeerId, const IpPrefix&, const AttrRef&, uint32_t);
template bool Speaker::withdraw(Rib<IpPrefix>&, PeerId, const IpPrefix&, uint32_t);
template void Speaker::prefetch_batch(Rib<IpPrefix>&, const std::vector<IpPrefix>&);

}  // namespace evpnd::bgp

#include "evpn/mac_vrf.hpp"

#include <algorithm>

#include "evpn/auto_rd_rt.hpp"

namespace evpnd::evpn {

MacVrf::MacVrf(MacVrfConfig cfg, DadConfig dad) : cfg_(std::move(cfg)), dad_(dad) {}

bool MacVrf::imports(const std::vector<RouteTarget>& route_rts) const {
  return rt_match(route_rts, cfg_.import_rts);
}

bool MacVrf::is_gateway_mac(const Mac& m) const {
  return std::find(cfg_.gateway_macs.begin(), cfg_.gateway_macs.end(), m) != cfg_.gateway_macs.end();
}

void MacVrf::start(Output& out) {
  if (started_) return;
  started_ = true;
  out.advertise(make_imet_route(cfg_.rd, cfg_.local_vtep),
                imet_route_attrs(cfg_.vni, cfg_.local_vtep, cfg_.export_rts), cfg_.local_vtep);
}

void MacVrf::stop(Output& out) {
  for (auto& [mac, e] : macs_) {
    for (auto& [key, p] : e.advertised) out.withdraw(p.route, cfg_.local_vtep);
    e.advertised.clear();
    for (const auto& ip : e.installed_neighs) out.del(dataplane::RemoteNeighbour{cfg_.vni, ip, mac});
    e.installed_neighs.clear();
    if (e.installed) out.del(*e.installed);
    e.installed.reset();
    if (e.synced) out.del(*e.synced);
    e.synced.reset();
    if (es_) es_->settle({cfg_.vni, mac}, false, out);  // groups after the MACs using them
  }
  for (const auto& [vtep, refs] : flood_refs_) out.del(dataplane::FloodEntry{cfg_.vni, vtep});
  if (started_) out.withdraw(make_imet_route(cfg_.rd, cfg_.local_vtep), cfg_.local_vtep);
  macs_.clear();
  local_neighs_.clear();
  learned_neighs_.clear();
  pinned_ips_.clear();
  endpoints_ = 0;
  remote_ip_users_.clear();
  neigh_owner_.clear();
  ip_dad_.clear();
  imet_paths_.clear();
  flood_refs_.clear();
  started_ = false;
}

void MacVrf::set_l3(std::optional<L3Binding> l3, Output& out) {
  if (cfg_.l3 == l3) return;
  cfg_.l3 = std::move(l3);
  for (auto& [mac, e] : macs_) reconcile(mac, e, out);
}

void MacVrf::set_es_ports(std::map<std::string, Esi> ports, Output& out) {
  if (cfg_.es_ports == ports) return;
  cfg_.es_ports = std::move(ports);
  // Local MACs' type-2s carry the ESI; peers' paths of a segment become (or stop being) MAC sync.
  for (auto it = macs_.begin(); it != macs_.end();) {
    const Mac mac = it->first;
    ++it;
    reconcile(mac, macs_.at(mac), out);
    maybe_erase(mac);
  }
}

const std::string* MacVrf::es_port(const Esi& esi) const {
  for (const auto& [port, e] : cfg_.es_ports)
    if (e == esi) return &port;
  return nullptr;
}

// ---- local learning -----------------------------------------------------------------------

void MacVrf::local_mac(const Mac& mac, const std::string& port, bool is_static, Time now, Output& out) {
  if (is_gateway_mac(mac)) {
    // The anycast gateway / router MAC lives on every VTEP: never a host, never moves.
    ++counters_.gateway_mac_ignored;
    return;
  }
  ++counters_.local_learns;
  Entry& e = macs_[mac];
  if (e.local) {  // refresh, port change or static flag change (or a pinned MAC learned): no move
    e.local = LocalMac{port, is_static};
    e.learned = true;
    reconcile(mac, e, out);
    return;
  }
  if (!take_local(mac, e, LocalMac{port, is_static}, "learned", now, out)) return maybe_erase(mac);
  e.learned = true;
}

bool MacVrf::take_local(const Mac& mac, Entry& e, LocalMac l, const char* how, Time now, Output& out) {
  const IpSnapshot ips = ip_snapshot(mac, IpAddress{});
  // Where the MAC was: a remote location, or our segment (a peer's sync path) when it is now
  // learned on another port. Learned on the segment's own attachment it is no move (§15).
  const auto sync = best_sync(e);
  std::optional<Best> best = best_remote(e);
  if (sync_wins(sync, best)) best = *es_port(sync->esi) == l.port ? std::nullopt : sync;
  if (best) {
    if (best->sticky && !l.is_static) {
      // RFC 7432 §15.2: a MAC advertised as static elsewhere must not move here.
      ++counters_.sticky_conflicts;
      out.notice(Severity::kWarning, NoticeKind::kStickyConflict, cfg_.vni, mac, std::nullopt,
                 "MAC " + mac.to_string() + " " + how + " on " + l.port + " in VNI " +
                     std::to_string(cfg_.vni) + " is static behind VTEP " + best->vtep.to_string() +
                     "; not advertised");
      return false;
    }
    // RFC 7432 §15: the re-learned MAC is advertised with the newest received sequence number
    // plus one, wrapping from 0xFFFFFFFF to 0 (newer in serial number order). Not max(ours, ...):
    // across the wrap "max" has no meaning, and the RFC asks for received + 1.
    e.local_seq = wire::mobility_seq_next(best->seq);
    record_move(mac, e, now, out, "remote->local");
  } else if (sync && wire::mobility_seq_compare(sync->seq, e.local_seq) > 0) {
    // The host is on our segment, a peer PE saw it first: not a move (§15, same non-zero ESI):
    // the highest received sequence number, not one more.
    e.local_seq = sync->seq;
  }
  e.local = std::move(l);
  reconcile(mac, e, out);
  record_ip_moves(ips, now, out);
  return true;
}

void MacVrf::local_mac_removed(const Mac& mac, Time, Output& out) {
  auto it = macs_.find(mac);
  if (it == macs_.end() || !it->second.local) return;
  Entry& e = it->second;
  e.learned = false;
  if (e.endpoint) {
    // Pinned through the API: the bridge aged a quiet pod's entry, the pod is still there.
    ++counters_.endpoint_holds;
    e.local = LocalMac{e.endpoint->port, false};
    reconcile(mac, e, out);  // the port (its ESI) or the static flag may differ from the learned one
    return;
  }
  e.local.reset();
  reconcile(mac, e, out);
  maybe_erase(mac);
}

void MacVrf::local_neigh(const IpAddress& ip, const Mac& mac, Time now, Output& out) {
  if (is_gateway_mac(mac)) return;  // the SVI's own addresses are not hosts
  learned_neighs_[ip] = mac;
  set_neigh(ip, mac, now, out);
}

void MacVrf::local_neigh_removed(const IpAddress& ip, Time now, Output& out) {
  if (learned_neighs_.erase(ip) == 0 && !local_neighs_.count(ip)) return;
  if (auto pin = pinned_ips_.find(ip); pin != pinned_ips_.end()) {
    // An endpoint's IP: the kernel forgot a quiet pod's neighbour entry, the pod still has it.
    auto cur = local_neighs_.find(ip);
    if (cur != local_neighs_.end() && cur->second == pin->second) ++counters_.endpoint_holds;
    set_neigh(ip, pin->second, now, out);
    return;
  }
  clear_neigh(ip, out);
}

void MacVrf::set_neigh(const IpAddress& ip, const Mac& mac, Time now, Output& out) {
  auto old = local_neighs_.find(ip);
  if (old != local_neighs_.end() && old->second == mac) return;
  const IpSnapshot ips = ip_snapshot(mac, ip);
  if (old != local_neighs_.end()) {
    const Mac prev = old->second;
    local_neighs_.erase(old);
    if (auto pe = macs_.find(prev); pe != macs_.end()) {
      pe->second.local_ips.erase(ip);
      reconcile(prev, pe->second, out);
      maybe_erase(prev);
    }
  }
  local_neighs_[ip] = mac;
  Entry& e = macs_[mac];
  e.local_ips.insert(ip);
  reconcile(mac, e, out);
  reconcile_ip_users(ip, out);  // a local IP hides remote neighbours for it
  record_ip_moves(ips, now, out);
}

void MacVrf::clear_neigh(const IpAddress& ip, Output& out) {
  auto it = local_neighs_.find(ip);
  if (it == local_neighs_.end()) return;
  const Mac mac = it->second;
  local_neighs_.erase(it);
  if (auto e = macs_.find(mac); e != macs_.end()) {
    e->second.local_ips.erase(ip);
    reconcile(mac, e->second, out);
    maybe_erase(mac);
  }
  reconcile_ip_users(ip, out);
}

// ---- remote routes ------------------------------------------------------------------------

void MacVrf::remote_mac_route(const Bytes& key, const wire::MacIpAdvertisement& r, const IpAddress& vtep,
                              const PathInfo& info, Time now, Output& out) {
  const Mac& mac = r.mac;
  if (is_gateway_mac(mac)) {
    ++counters_.gateway_mac_ignored;
    out.notice(Severity::kInfo, NoticeKind::kGatewayMacIgnored, cfg_.vni, mac, std::nullopt,
               "gateway MAC " + mac.to_string() + " advertised by " + vtep.to_string() + " ignored");
    return;
  }
  ++counters_.remote_paths;
  const IpSnapshot ips = ip_snapshot(mac, r.ip);
  Entry& e = macs_[mac];
  auto old = e.paths.find(key);
  if (old != e.paths.end() && !old->second.ip.empty() && old->second.ip != r.ip) {
    remote_ip_users_[old->second.ip].erase(mac);
  }
  const bool changed = old == e.paths.end() || old->second.vtep != vtep || old->second.ip != r.ip ||
                       old->second.seq != info.seq || old->second.sticky != info.sticky;
  e.paths[key] = RemotePath{vtep, r.ip, info.seq, info.sticky, r.esi};
  if (!r.ip.empty()) {
    remote_ip_users_[r.ip].insert(mac);
    // A new or changed claim of an IP another MAC holds takes the kernel entry (the latest claim
    // owns it): forget ours so reconcile_install() claims it again.
    auto owner = neigh_owner_.find(r.ip);
    if (changed && owner != neigh_owner_.end() && owner->second != mac) e.installed_neighs.erase(r.ip);
  }

  const auto best = best_remote(e);
  if (is_sync(r.esi)) {
    // MAC sync: a peer of our segment advertises the host; our own route follows the highest
    // sequence number of the segment (§15) and nothing moves.
    if (e.local && !e.local->is_static && wire::mobility_seq_compare(info.seq, e.local_seq) > 0) {
      e.local_seq = info.seq;
    }
  } else if (e.local && best) {
    if (e.local->is_static) {
      // RFC 7432 §15.2: a locally static MAC advertised by another PE: alert, keep ours.
      ++counters_.sticky_conflicts;
      out.notice(Severity::kWarning, NoticeKind::kStickyConflict, cfg_.vni, mac, std::nullopt,
                 "static MAC " + mac.to_string() + " in VNI " + std::to_string(cfg_.vni) +
                     " also advertised by VTEP " + vtep.to_string());
    } else if (!local_wins(e, *best)) {
      record_move(mac, e, now, out, "local->remote");
      e.local.reset();  // the host went away: the remote path wins, ours is withdrawn
      e.learned = false;  // (the remote entry replaces the bridge's; an endpoint stays, displaced)
    }
  } else if (best && e.installed && e.installed->vtep != best->vtep && best->vtep == vtep) {
    // Another PE of the same multihomed segment is no new location (§15 ESI comparison).
    const auto was = std::find_if(e.paths.begin(), e.paths.end(),
                                  [&](const auto& kv) { return kv.second.vtep == e.installed->vtep; });
    const bool same_es = was != e.paths.end() && was->second.esi == best->esi && !esi_reserved(best->esi);
    if (!same_es) record_move(mac, e, now, out, "remote->remote");
  }
  reconcile(mac, e, out);
  if (!r.ip.empty()) reconcile_ip_users(r.ip, out);
  record_ip_moves(ips, now, out);
}

void MacVrf::remote_mac_withdraw(const Bytes& key, const Mac& mac, Time now, Output& out) {
  auto it = macs_.find(mac);
  if (it == macs_.end()) return;
  Entry& e = it->second;
  auto p = e.paths.find(key);
  if (p == e.paths.end()) return;
  const IpAddress ip = p->second.ip;
  const IpSnapshot ips = ip_snapshot(mac, ip);
  const std::optional<Best> was = best_remote(e);
  e.paths.erase(p);
  if (!ip.empty()) {
    bool still = std::any_of(e.paths.begin(), e.paths.end(), [&](const auto& kv) { return kv.second.ip == ip; });
    if (!still) {
      auto u = remote_ip_users_.find(ip);
      if (u != remote_ip_users_.end()) {
        u->second.erase(mac);
        if (u->second.empty()) remote_ip_users_.erase(u);
      }
    }
  }
  if (e.endpoint && !e.local && was && !best_remote(e)) {
    retake_endpoint(mac, e, was->seq, now, out);
  } else {
    reconcile(mac, e, out);
    maybe_erase(mac);
  }
  if (!ip.empty()) reconcile_ip_users(ip, out);
  record_ip_moves(ips, now, out);
}

void MacVrf::remote_imet(const Bytes& key, const IpAddress& vtep, Output& out) {
  auto it = imet_paths_.find(key);
  if (it != imet_paths_.end()) {
    if (it->second == vtep) return;
    remote_imet_withdraw(key, out);
  }
  imet_paths_[key] = vtep;
  if (flood_refs_[vtep]++ == 0) out.add(dataplane::FloodEntry{cfg_.vni, vtep});
}

void MacVrf::remote_imet_withdraw(const Bytes& key, Output& out) {
  auto it = imet_paths_.find(key);
  if (it == imet_paths_.end()) return;
  const IpAddress vtep = it->second;
  imet_paths_.erase(it);
  auto ref = flood_refs_.find(vtep);
  if (ref != flood_refs_.end() && --ref->second == 0) {
    flood_refs_.erase(ref);
    out.del(dataplane::FloodEntry{cfg_.vni, vtep});
  }
}

// ---- duplicate detection ------------------------------------------------------------------

void MacVrf::record_move(const Mac& mac, Entry& e, Time now, Output& out, const char* how) {
  ++counters_.moves;
  if (!dad_record_move(e.dad, dad_, now)) return;
  ++counters_.duplicates_detected;
  if (e.dad.frozen && e.dad.freeze_until) timed_freezes_.insert(mac);
  out.notice(Severity::kWarning, NoticeKind::kDuplicateDetected, cfg_.vni, mac, std::nullopt,
             "MAC " + mac.to_string() + " in VNI " + std::to_string(cfg_.vni) + " detected as duplicate (" +
                 std::to_string(e.dad.moves) + " moves in " + std::to_string(dad_.window.count()) +
                 " s, last " + how + ")" + (e.dad.frozen ? ", frozen" : ""));
}

std::optional<MacVrf::IpLoc> MacVrf::ip_location(const IpAddress& ip) const {
  if (auto l = local_neighs_.find(ip); l != local_neighs_.end()) {
    auto e = macs_.find(l->second);
    if (e != macs_.end() && e->second.local) return IpLoc{true, IpAddress{}, l->second};
  }
  if (auto o = neigh_owner_.find(ip); o != neigh_owner_.end()) {
    auto e = macs_.find(o->second);
    if (e != macs_.end() && e->second.installed) return IpLoc{false, e->second.installed->vtep, o->second};
  }
  return std::nullopt;
}

MacVrf::IpSnapshot MacVrf::ip_snapshot(const Mac& mac, const IpAddress& ip) const {
  IpSnapshot snap;
  if (!dad_.enabled) return snap;
  auto add = [&](const IpAddress& a) {
    if (a.empty() || std::any_of(snap.begin(), snap.end(), [&](const auto& x) { return x.first == a; })) return;
    if (auto loc = ip_location(a)) snap.emplace_back(a, *loc);  // no location yet: nothing can move
  };
  add(ip);
  if (auto e = macs_.find(mac); e != macs_.end()) {
    for (const auto& a : e->second.local_ips) add(a);
    for (const auto& [key, p] : e->second.paths) add(p.ip);
  }
  return snap;
}

void MacVrf::record_ip_moves(const IpSnapshot& before, Time now, Output& out) {
  for (const auto& [ip, was] : before) {
    const auto loc = ip_location(ip);
    if (!loc || *loc == was) continue;
    DadState& d = ip_dad_[ip];
    ++counters_.ip_moves;
    if (!dad_record_move(d, dad_, now)) continue;
    d.frozen = false;  // freeze applies to MACs only (see the header)
    d.freeze_until.reset();
    ++counters_.duplicates_detected;
    const std::string where = [](const IpLoc& l) {
      return l.local ? "local (" + l.mac.to_string() + ")" : l.vtep.to_string() + " (" + l.mac.to_string() + ")";
    }(*loc);
    out.notice(Severity::kWarning, NoticeKind::kDuplicateDetected, cfg_.vni, loc->mac, ip,
               "IP " + ip.to_string() + " in VNI " + std::to_string(cfg_.vni) + " detected as duplicate (" +
                   std::to_string(d.moves) + " moves in " + std::to_string(dad_.window.count()) + " s, now " +
                   where + ")");
  }
}

void MacVrf::on_timer(Time now, Output& out) {
  for (auto it = timed_freezes_.begin(); it != timed_freezes_.end();) {
    const Mac mac = *it;
    auto me = macs_.find(mac);
    if (me == macs_.end() || !me->second.dad.frozen) {
      it = timed_freezes_.erase(it);
      continue;
    }
    Entry& e = me->second;
    if (!dad_freeze_expired(e.dad, now)) {
      ++it;
      continue;
    }
    it = timed_freezes_.erase(it);  // reconcile/maybe_erase below may remove the entry
    dad_reset(e.dad);
    out.notice(Severity::kInfo, NoticeKind::kFreezeExpired, cfg_.vni, mac, std::nullopt,
               "MAC " + mac.to_string() + " in VNI " + std::to_string(cfg_.vni) + " unfrozen");
    reconcile(mac, e, out);
    maybe_erase(mac);
  }
}

std::optional<Time> MacVrf::next_deadline() const {
  // Called after every engine event: only the MACs with a timed freeze are looked at.
  std::optional<Time> next;
  for (const Mac& mac : timed_freezes_) {
    auto it = macs_.find(mac);
    if (it == macs_.end()) continue;
    const DadState& d = it->second.dad;
    if (d.frozen && d.freeze_until && (!next || *d.freeze_until < *next)) next = d.freeze_until;
  }
  return next;
}

size_t MacVrf::clear_duplicates(const std::optional<Mac>& only, Output& out) {
  size_t n = 0;
  for (auto it = ip_dad_.begin(); it != ip_dad_.end();) {
    const auto loc = ip_location(it->first);
    if (only && (!loc || loc->mac != *only)) {
      ++it;
      continue;
    }
    if (it->second.duplicate) {
      ++n;
      out.notice(Severity::kInfo, NoticeKind::kDuplicateCleared, cfg_.vni, loc ? std::optional(loc->mac) : std::nullopt,
                 it->first, "duplicate IP " + it->first.to_string() + " in VNI " + std::to_string(cfg_.vni) + " cleared");
    }
    it = ip_dad_.erase(it);
  }
  for (auto it = macs_.begin(); it != macs_.end();) {
    const Mac mac = it->first;
    Entry& e = it->second;
    ++it;
    if ((only && *only != mac) || e.dad.idle()) continue;
    const bool was_dup = e.dad.duplicate;
    dad_reset(e.dad);
    timed_freezes_.erase(mac);
    if (was_dup) {
      ++n;
      out.notice(Severity::kInfo, NoticeKind::kDuplicateCleared, cfg_.vni, mac, std::nullopt,
                 "duplicate MAC " + mac.to_string() + " in VNI " + std::to_string(cfg_.vni) + " cleared");
    }
    reconcile(mac, e, out);
    maybe_erase(mac);
  }
  return n;
}

// ---- decisions ----------------------------------------------------------------------------

bool MacVrf::sync_wins(const std::optional<Best>& s, const std::optional<Best>& r) {
  if (!s) return false;
  if (!r) return true;
  if (int c = wire::mobility_seq_compare(s->seq, r->seq)) return c > 0;
  return s->vtep < r->vtep;
}

std::optional<MacVrf::Best> MacVrf::best_of(const Entry& e, bool sync) const {
  // Per VTEP the newest seq of its paths (MAC-only and MAC+IP routes carry the same one);
  // across VTEPs the newest seq wins, equal seqs go to the lowest VTEP IP (RFC 7432 §15.1).
  // "Newest" is serial number order (RFC 7432 §15 wraparound; wire::mobility_seq_compare).
  std::optional<Best> best;
  std::map<IpAddress, Best> per_vtep;
  for (const auto& [key, p] : e.paths) {
    if (is_sync(p.esi) != sync) continue;
    auto [it, first] = per_vtep.try_emplace(p.vtep, Best{p.vtep, p.seq, p.sticky, p.esi});
    Best& b = it->second;
    if (!first && wire::mobility_seq_compare(p.seq, b.seq) > 0) b.seq = p.seq;
    b.sticky = b.sticky || p.sticky;
  }
  for (const auto& [vtep, b] : per_vtep) {  // ascending VTEP: the first of equal seqs stays
    if (!best || wire::mobility_seq_compare(b.seq, best->seq) > 0) best = b;
  }
  return best;
}

bool MacVrf::local_wins(const Entry& e, const Best& b) const {
  if (e.local->is_static) return true;  // RFC 7432 §15.2: static MACs never move
  if (b.sticky) return false;
  if (int c = wire::mobility_seq_compare(e.local_seq, b.seq)) return c > 0;
  return cfg_.local_vtep < b.vtep;  // RFC 7432 §15.1: equal seq, lower VTEP IP wins
}

MacRouteSpec MacVrf::spec(const Mac& mac, const IpAddress& ip, const Entry& e) const {
  MacRouteSpec s;
  s.rd = cfg_.rd;
  s.l2vni = cfg_.vni;
  s.mac = mac;
  s.ip = ip;
  s.export_rts = cfg_.export_rts;
  s.l3 = cfg_.l3 ? &*cfg_.l3 : nullptr;
  s.seq = e.local_seq;
  s.sticky = e.local && e.local->is_static;
  if (e.local)
    if (auto it = cfg_.es_ports.find(e.local->port); it != cfg_.es_ports.end()) s.esi = it->second;
  return s;
}

void MacVrf::reconcile(const Mac& mac, Entry& e, Output& out) {
  if (e.dad.frozen) return;  // freeze: keep what is published until unfrozen or cleared
  // Order: stop forwarding to the old place first, then announce / install the new state.
  if (e.local) {
    reconcile_install(mac, e, out);
    reconcile_routes(mac, e, out);
  } else {
    reconcile_routes(mac, e, out);
    reconcile_install(mac, e, out);
  }
}

void MacVrf::reconcile_routes(const Mac& mac, Entry& e, Output& out) {
  KeyMap<Published> want;
  if (e.local) {
    auto add = [&](const IpAddress& ip) {
      const MacRouteSpec s = spec(mac, ip, e);
      wire::EvpnRoute r = make_mac_route(s);
      want.emplace(wire::route_key(r), Published{std::move(r), mac_route_attrs(s)});
    };
    add(IpAddress{});
    for (const auto& ip : e.local_ips) add(ip);
  }
  for (auto it = e.advertised.begin(); it != e.advertised.end();) {
    if (want.count(it->first)) {
      ++it;
      continue;
    }
    out.withdraw(it->second.route, cfg_.local_vtep);
    it = e.advertised.erase(it);
  }
  for (auto& [key, p] : want) {
    auto cur = e.advertised.find(key);
    if (cur != e.advertised.end() && cur->second.route == p.route && cur->second.attrs == p.attrs) continue;
    out.advertise(p.route, p.attrs, cfg_.local_vtep);
    e.advertised[key] = std::move(p);
  }
}

void MacVrf::refresh(const Mac& mac, Output& out) {
  auto it = macs_.find(mac);
  if (it == macs_.end()) return;
  reconcile(mac, it->second, out);
  maybe_erase(mac);
}

void MacVrf::reconcile_install(const Mac& mac, Entry& e, Output& out) {
  std::optional<dataplane::RemoteMac> want_mac;
  std::optional<dataplane::SyncedMac> want_sync;
  std::set<IpAddress> want_neighs;
  bool want_group = false;  // bound to a remote segment's group (installed or waiting for one)
  if (!e.local) {
    const auto best = best_remote(e);
    const auto sync = best_sync(e);
    if (sync_wins(sync, best)) {
      want_sync = dataplane::SyncedMac{cfg_.vni, mac, *es_port(sync->esi)};
      // The host's IPs are synced too (FRR syncs MAC-IP): this PE resolves them through its SVI
      // instead of ARPing on the attachment, whose replies the host's LAG may hash to the peer
      // PE (which answers for the same anycast gateway MAC), so routing to the host from here
      // would fail. No host route: the host is on a connected subnet of this PE.
      for (const auto& [key, p] : e.paths) {
        if (is_sync(p.esi) && !p.ip.empty() && !has_local_host(p.ip)) want_neighs.insert(p.ip);
      }
    } else if (best) {
      want_mac = dataplane::RemoteMac{cfg_.vni, mac, best->vtep, best->sticky};
      for (const auto& [key, p] : e.paths) {
        if (p.vtep == best->vtep && !is_sync(p.esi) && !p.ip.empty() && !has_local_host(p.ip)) want_neighs.insert(p.ip);
      }
      if (es_ && !esi_reserved(best->esi)) {
        // Group add/replace goes out before the MAC that points at it.
        want_group = true;
        if (auto nhid = es_->bind({cfg_.vni, mac}, best->esi, best->vtep, out)) {
          want_mac->nhid = *nhid;
        } else {
          want_mac.reset();  // no PE of the segment usable: not installed (RFC 7432 §8.2)
          want_neighs.clear();
        }
      }
    }
  }
  // Neighbours go before their MAC on removal and after it on installation.
  for (auto it = e.installed_neighs.begin(); it != e.installed_neighs.end();) {
    if (want_neighs.count(*it)) {
      ++it;
      continue;
    }
    auto owner = neigh_owner_.find(*it);
    if (owner != neigh_owner_.end() && owner->second == mac) {
      neigh_owner_.erase(owner);
      out.del(dataplane::RemoteNeighbour{cfg_.vni, *it, mac});
    }
    it = e.installed_neighs.erase(it);
  }
  // One bridge entry per MAC: the old kind goes before the new one comes.
  if (e.installed && !want_mac) out.del(*e.installed);
  if (e.synced && !want_sync) {
    // A local learn means the bridge took the entry over (ours carry extern_learn and are never
    // reported as learned): deleting it now would delete the learned entry.
    if (!e.local) out.del(*e.synced);
    e.synced.reset();
  }
  if (want_sync && e.synced != want_sync) out.add(*want_sync);
  e.synced = want_sync;
  if (want_mac && e.installed != want_mac) out.add(*want_mac);  // kAdd replaces (VTEP, group, sticky)
  e.installed = want_mac;
  if (es_) es_->settle({cfg_.vni, mac}, want_group, out);  // a group no MAC uses goes after them
  for (const auto& ip : want_neighs) {
    if (e.installed_neighs.count(ip)) continue;
    e.installed_neighs.insert(ip);
    neigh_owner_[ip] = mac;  // the latest MAC to claim an IP owns the kernel entry
    out.add(dataplane::RemoteNeighbour{cfg_.vni, ip, mac});
  }
}

void MacVrf::reconcile_ip_users(const IpAddress& ip, Output& out) {
  auto u = remote_ip_users_.find(ip);
  if (u == remote_ip_users_.end()) return;
  const std::set<Mac> users = u->second;  // reconcile may change the index
  for (const auto& m : users) {
    auto e = macs_.find(m);
    if (e != macs_.end()) reconcile_install(m, e->second, out);
  }
}

void MacVrf::maybe_erase(const Mac& mac) {
  auto it = macs_.find(mac);
  if (it == macs_.end()) return;
  const Entry& e = it->second;
  if (e.local || e.endpoint || !e.paths.empty() || !e.local_ips.empty() || !e.dad.idle() || !e.advertised.empty() ||
      e.installed || e.synced || !e.installed_neighs.empty()) {
    return;
  }
  macs_.erase(it);
}

bool MacVrf::has_local_host(const IpAddress& ip) const {
  auto n = local_neighs_.find(ip);
  if (n == local_neighs_.end()) return false;
  auto e = macs_.find(n->second);
  return e != macs_.end() && e->second.local.has_value();
}

std::vector<IpAddress> MacVrf::local_ips_of(const Mac& mac) const {
  auto e = macs_.find(mac);
  if (e == macs_.end()) return {};
  return {e->second.local_ips.begin(), e->second.local_ips.end()};
}

}  // namespace evpnd::evpn

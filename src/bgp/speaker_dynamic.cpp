// Dynamic peers (issue 10; FRR's `bgp listen range`): an accepted connection from an address
// that is no configured peer but lies inside a listen range becomes a passive peer with the
// range's settings, for as long as its session lasts.
//
// Life of a dynamic peer:
//   created    on_accepted(), unless the range already has max_peers of them (the connection is
//              refused and counted, ListenRangeStatus::refused);
//   removed    when its last connection is gone (session ended, or never came up) and it keeps
//              no stale routes; when graceful restart (RFC 4724 §4.2) retained its routes, once
//              they are gone (End-of-RIB after it came back, or the restart / stale timer);
//              never connected to (passive: no connect-retry);
//   ended      with Cease 6/3 "Peer De-configured" (RFC 4486) when set_listen_ranges() drops
//              its range, with 6/6 "Other Configuration Change" when the range's settings
//              changed (it reconnects and gets the new ones) or a configured neighbour with its
//              address is added (add_peer: configured neighbours take precedence).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {
namespace {

constexpr uint8_t kCeaseDeconfigured = 3;   // RFC 4486 §3
constexpr uint8_t kCeaseConfigChange = 6;   // RFC 4486 §3

// The PeerConfig of a dynamic peer of `r` connecting from `remote`.
PeerConfig dynamic_config(const ListenRange& r, const IpAddress& remote) {
  PeerConfig c = r.peer;
  c.address = remote;
  c.passive = true;
  c.dynamic = true;
  c.update_source.reset();
  return c;
}

// The most specific range containing `a` (ranges from the configuration never overlap; an API
// caller's might, and the longest match is the one that does not depend on their order).
const ListenRange* match(const std::vector<ListenRange>& ranges, const IpAddress& a) {
  const ListenRange* best = nullptr;
  for (const auto& r : ranges)
    if (r.range.contains(a) && (!best || r.range.length() > best->range.length())) best = &r;
  return best;
}

const ListenRange* find_exact(const std::vector<ListenRange>& ranges, const IpPrefix& p) {
  for (const auto& r : ranges)
    if (r.range == p) return &r;
  return nullptr;
}

}  // namespace

bool Speaker::add_dynamic_peer(const IpAddress& remote, Output& out) {
  const ListenRange* r = match(listen_ranges_, remote);
  if (!r) return false;
  auto& counters = dynamic_.counters[r->range];
  if (counters.peers >= r->max_peers) {
    ++counters.refused;
    if (auto held = dynamic_.refused_log.allow(now_))
      spdlog::warn("listen range {}: refused a connection from {}: the range has its {} dynamic peers already{}",
                   r->range.to_string(), remote.to_string(), r->max_peers,
                   *held ? " (" + std::to_string(*held) + " more refusals not logged)" : "");
    return false;
  }
  const IpPrefix range = r->range;  // add_peer may not invalidate `r`, but keep the key by value
  const PeerId id = add_peer(dynamic_config(*r, remote), out);
  if (id == kNoPeer) return false;
  dynamic_.origin[id] = range;
  ++counters.peers;
  spdlog::info("peer {}: dynamic peer of listen range {} ({} of {})", remote.to_string(), range.to_string(),
               counters.peers, r->max_peers);
  return true;
}

void Speaker::remove_dynamic_peer(Peer& p, uint8_t cease_subcode, Output& out) {
  if (auto it = dynamic_.origin.find(p.id); it != dynamic_.origin.end()) {
    if (auto c = dynamic_.counters.find(it->second); c != dynamic_.counters.end() && c->second.peers) --c->second.peers;
    dynamic_.origin.erase(it);
  }
  const IpAddress addr = p.cfg.address;
  remove_peer(addr, cease_subcode, out);  // p is gone after this
}

void Speaker::sweep_dynamic(Output& out) {
  if (dynamic_.candidates.empty()) return;
  std::vector<PeerId> ids;
  ids.swap(dynamic_.candidates);  // remove_peer() reaps, which may add to the list again
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (PeerId id : ids) {
    Peer* p = peer_mut(id);
    if (!p || !p->cfg.dynamic || !p->conns.empty() || p->established()) continue;  // gone, or back
    // RFC 4724 §4.2: routes kept for a restarting peer stay until it is back and sent
    // End-of-RIB, or its timer ran out; on_timer() makes it a candidate again then.
    if (p->stale_routes) continue;
    spdlog::info("peer {}: dynamic peer's session is over, removing it", p->cfg.address.to_string());
    remove_dynamic_peer(*p, kCeaseDeconfigured, out);
  }
  dynamic_.candidates.clear();  // what remove_peer's reap added refers to removed peers
}

void Speaker::set_listen_ranges(std::vector<ListenRange> ranges, Output& out) {
  listen_ranges_ = std::move(ranges);
  // A peer whose range is gone is de-configured; one whose range changed settings is reset so
  // it comes back with the new ones (as a changed configured neighbour restarts on reload).
  std::vector<std::pair<PeerId, uint8_t>> ending;
  for (const auto& [id, range] : dynamic_.origin) {
    const Peer* p = peer(id);
    if (!p) continue;
    const ListenRange* r = find_exact(listen_ranges_, range);
    if (!r) ending.emplace_back(id, kCeaseDeconfigured);
    else if (!(dynamic_config(*r, p->cfg.address) == p->cfg)) ending.emplace_back(id, kCeaseConfigChange);
  }
  for (auto [id, subcode] : ending) {
    if (Peer* p = peer_mut(id)) {
      spdlog::info("peer {}: listen range {} {}, removing the dynamic peer", p->cfg.address.to_string(),
                   dynamic_.origin[id].to_string(), subcode == kCeaseDeconfigured ? "removed" : "changed");
      remove_dynamic_peer(*p, subcode, out);
    }
  }
  dynamic_.candidates.clear();
  // Counters of ranges that are gone go with them; a range kept keeps its refusal count.
  for (auto it = dynamic_.counters.begin(); it != dynamic_.counters.end();)
    it = find_exact(listen_ranges_, it->first) ? std::next(it) : dynamic_.counters.erase(it);
  for (const auto& r : listen_ranges_) dynamic_.counters[r.range];
  flush(out);
}

std::vector<ListenRangeStatus> Speaker::listen_range_status() const {
  std::vector<ListenRangeStatus> v;
  for (const auto& r : listen_ranges_) {
    ListenRangeStatus s{r.range, r.max_peers, 0, 0};
    if (auto it = dynamic_.counters.find(r.range); it != dynamic_.counters.end()) {
      s.peers = it->second.peers;
      s.refused = it->second.refused;
    }
    v.push_back(s);
  }
  return v;
}

}  // namespace evpnd::bgp

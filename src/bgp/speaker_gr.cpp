// Graceful restart (RFC 4724) of the speaker: End-of-RIB handling for both roles, and the
// restarting speaker's selection deferral (§4.1).
//
// Receiving speaker (helper, §4.2), per family (l2vpn-evpn, ipv4-unicast, ipv6-unicast):
// session_down() keeps a peer's routes of the families its capability listed as stale when the
// session ended without a NOTIFICATION (§4: sent or received, it deletes them), for the peer's
// restart time, after deleting the routes still stale from a previous loss (§4.2 consecutive
// restarts); the routes of the families it did not list are deleted at once. session_up() keeps
// the stale routes of each family with the F bit until that family's End-of-RIB (bounded by
// stale_time) and deletes the others; on_end_of_rib() sweeps, per family, what the peer did not
// re-advertise.
//
// Restarting speaker (§4.1): with preserve_forwarding every start is a restart (the R bit goes
// out in the first OPEN to each peer). The helpers hold our routes as stale and sweep, at our
// End-of-RIB, whatever we have not re-advertised by then. Advertising before we have the routes
// of the other peers would make them sweep routes that are still valid (a reflector coming back
// would send leaf A an End-of-RIB without leaf B's routes, and A would delete B's MACs). So
// flush() sends nothing (no UPDATE, no End-of-RIB) until the deferral is over:
//   * every configured peer has sent End-of-RIB for each negotiated family, except peers
//     without the capability or with the R bit set (restarting too: §4.1 excludes them, which
//     also keeps two restarting speakers from waiting for each other, e.g. at a cold start);
//   * a peer that is not Established is waited for during its connect-retry interval from the
//     start of the deferral (both sides dial at once after a restart; a peer that is not up by
//     then is down, and waiting for it would hold the whole fabric for the timer);
//   * at the latest after select_defer_time (the §4.1 "Selection_Deferral_Timer").
// Routes still reach the Loc-RIB listener (EVPN, data plane) as they arrive: received routes
// only add or refresh kernel entries, and the kernel entries from before the restart stay until
// the convergence reconcile, so deferring them as well would gain nothing.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/speaker.hpp"

namespace evpnd::bgp {
namespace {
std::chrono::milliseconds secs(uint32_t s) { return std::chrono::milliseconds(uint64_t{s} * 1000); }
}  // namespace

void Speaker::on_end_of_rib(Peer& p, AfiSafi family, Output& out) {
  p.eor_missing.erase(std::remove(p.eor_missing.begin(), p.eor_missing.end(), family), p.eor_missing.end());
  // RFC 4724 §4.2 works per family: this family's End-of-RIB ends the retention of this
  // family's stale paths only.
  auto it = std::find(p.stale_families.begin(), p.stale_families.end(), family);
  if (!p.gr_waiting_eor || it == p.stale_families.end()) return;
  p.stale_families.erase(it);
  // RFC 4724 §4.2: End-of-RIB from the restarted peer: what is still stale is gone.
  const uint32_t before = p.stale_routes;
  drop_peer_paths(p, true, family);
  spdlog::info("peer {}: End-of-RIB, sweeping {} stale routes of {}", p.cfg.address.to_string(),
               before - p.stale_routes, to_string(family));
  if (!p.stale_families.empty()) return;
  p.gr_waiting_eor = false;
  cancel(out, p.id, 0, TimerKind::kGracefulRestart);
}

void Speaker::update_deferral(Output& out) {
  if (!deferring_) return;
  if (defer_started_ == TimePoint{}) {
    if (by_address_.empty()) return;  // starts with the first peer
    defer_started_ = now_;
    spdlog::info("graceful restart: restarting, deferring route advertisement until the peers sent End-of-RIB "
                 "(at most {} s, RFC 4724 §4.1)",
                 cfg_.select_defer_time);
  }
  const TimePoint limit = defer_started_ + secs(cfg_.select_defer_time);
  TimePoint next = limit;  // when the answer can change without an input
  size_t waiting = 0, synced = 0, excluded = 0, down = 0;
  for (size_t i = 1; i < peers_.size(); ++i) {
    const Peer* p = peers_[i].get();
    if (!p || !p->admin_up) continue;
    if (p->established()) {
      if (!p->neg.graceful_restart || p->neg.peer_restarting) ++excluded;
      else if (p->eor_missing.empty()) ++synced;
      else ++waiting;
      continue;
    }
    const TimePoint until = defer_started_ + secs(p->cfg.connect_retry);
    if (now_ >= until) {
      ++down;
      continue;
    }
    ++waiting;
    next = std::min(next, until);
  }
  const bool expired = now_ >= limit;
  if (waiting && !expired) {
    if (defer_armed_ != next) {
      arm(out, kLocalPeer, 0, TimerKind::kSelectionDeferral,
          std::chrono::duration_cast<std::chrono::milliseconds>(next - now_) + std::chrono::milliseconds(1));
      defer_armed_ = next;
    }
    return;
  }
  deferring_ = false;
  if (defer_armed_ != TimePoint{}) cancel(out, kLocalPeer, 0, TimerKind::kSelectionDeferral);
  defer_armed_ = TimePoint{};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - defer_started_).count();
  const std::string why = expired ? fmt::format("select-defer-time ({} s) expired with {} peers not synced",
                                                cfg_.select_defer_time, waiting)
                          : down     ? fmt::format("End-of-RIB from every established peer, {} not up", down)
                          : excluded ? std::string("every peer sent End-of-RIB, is restarting too or has no GR")
                                     : std::string("End-of-RIB from every peer");
  spdlog::info("graceful restart: selection deferral over: {} after {} ms ({} synced, {} without GR or restarting); "
               "advertising {} routes",
               why, ms, synced, excluded, evpn_.loc_rib_count + unicast_.loc_rib_count);
}

}  // namespace evpnd::bgp

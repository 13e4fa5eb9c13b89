// Daemon: the leaf role (EVPN service + data plane). Kept apart from daemon.cpp (sessions,
// reload) so each stays readable.
//
//   // DataplaneIo (netlink monitor fds) -> on_dataplane_events -> Engine (ev::DataplaneEvents)
//   // Engine Effects::intents          -> DataplaneIo::submit (one apply per loop iteration)
//   // evpn_timer_ (next_deadline)      -> Engine (ev::EvpnTimer): DAD freeze expiry
//   // converge_timer_                  -> DataplaneIo::reconcile_desired, once after start-up
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "daemon/daemon.hpp"
#include "dataplane/linux/linux_dataplane.hpp"

namespace evpnd::daemon {
namespace {
// The start-up reconcile waits until every configured session has been Established, with no
// dataplane batch applied, this long (the initial table exchange is done by then), or until
// kConvergeLimit after start.
constexpr std::chrono::seconds kConvergeQuiet{3};
constexpr std::chrono::seconds kConvergeLimit{60};
constexpr std::chrono::milliseconds kConvergePoll{500};
}  // namespace

std::string own_netns_name() {
  struct stat self {};
  if (::stat("/proc/self/ns/net", &self) != 0) return "";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
    struct stat st {};
    if (::stat(e.path().c_str(), &st) == 0 && st.st_ino == self.st_ino && st.st_dev == self.st_dev)
      return e.path().filename().string();
  }
  return "";
}

std::unique_ptr<engine::Engine> make_engine(const api::Config& c, const std::string& own_netns) {
  std::unique_ptr<evpn::EvpnService> svc;
  if (c.dataplane != api::DataplaneKind::kNone || !c.l2vnis.empty() || !c.vrfs.empty()) {
    evpn::ServiceOptions o;
    o.underlay_netns = own_netns;
    svc = std::make_unique<evpn::EvpnService>(c, o);
  }
  return std::make_unique<engine::Engine>(speaker_config(c), std::move(svc));
}

void Daemon::start_dataplane() {
  std::unique_ptr<dataplane::Dataplane> dp;
  if (cfg_.dataplane == api::DataplaneKind::kLinux) {
    dataplane::LinuxDataplaneOptions o;  // underlay = the namespace we run in
    o.async_writes = true;                 // entry batches overlap with BGP work (nl_writer.hpp)
    auto l = dataplane::LinuxDataplane::open(o);
    if (!l) throw std::runtime_error("cannot open the Linux data plane: " + l.error().message);
    dp = std::move(*l);
  } else {
    dp = std::make_unique<dataplane::FakeDataplane>();  // fake, or none with VNIs (routes only)
  }
  dp_io_ = std::make_unique<DataplaneIo>(
      io_, std::move(dp), [this](std::vector<dataplane::DataplaneEvent>&& evs) { on_dataplane_events(std::move(evs)); },
      [this](const std::map<Vni, dataplane::VniDataplaneStatus>& st) {
        if (!stopping_) dispatch(engine::ev::DataplaneStatus{st});
      });
  // Devices first (synchronously), then the local routes (type 3, type 5) go out as peers come up.
  dispatch(engine::ev::StartEvpn{});
  // API endpoints of the state file (issue 11): their routes are ready before any session is.
  announce_endpoints();
  dp_io_->flush();
  // Hosts that were learned before we started: the monitor only reports changes. The dump
  // reports them through the provider's events, exactly as live learning does, so the provider's
  // caches know them and their later ageing or deletion is reported (and withdrawn).
  if (auto st = dp_io_->dump()) {
    spdlog::info("dataplane: {} local MACs and {} local neighbours at start, {} remote entries left from before",
                 st->local_macs.size(), st->local_neighbours.size(),
                 st->remote_macs.size() + st->flood_entries.size() + st->remote_neighbours.size() +
                     st->remote_rmacs.size() + st->routes.size());
  } else {
    spdlog::warn("dataplane: dump at start failed: {}", st.error().message);
  }
  dp_io_->poll_now();
  dp_io_->watch();
  started_at_ = now();
  converge_timer_ = std::make_unique<asio::steady_timer>(io_);
  check_convergence();
}

// Entries left from a previous run stay in place (traffic keeps flowing) and are overwritten as
// routes arrive; once BGP has converged, one reconcile removes what nobody advertises any more
// and re-adds anything missing. Right entries are never touched.
void Daemon::check_convergence() {
  if (reconciled_ || stopping_ || !dp_io_) return;
  const TimePoint t = now();
  bool all_up = !cfg_.neighbors.empty();
  for (const bgp::Peer* p : engine_->speaker().peers()) all_up = all_up && p->established();
  // Converged also means the routes stopped coming: while intents are still flowing (a 100k
  // table takes seconds), a full kernel dump + diff would stall the load it races with.
  const uint64_t batches = dp_io_->counters().batches;
  const bool busy = batches != batches_seen_;
  batches_seen_ = batches;
  if (!all_up || busy) all_up_since_.reset();
  if (all_up && !all_up_since_) all_up_since_ = t;
  if ((all_up_since_ && t - *all_up_since_ >= kConvergeQuiet) || t - started_at_ >= kConvergeLimit ||
      cfg_.neighbors.empty()) {
    reconciled_ = true;
    spdlog::info("dataplane: BGP converged, reconciling the kernel with the EVPN state");
    dp_io_->reconcile_desired();
    return;
  }
  converge_timer_->expires_after(kConvergePoll);
  converge_timer_->async_wait([this](asio::error_code ec) {
    if (!ec) check_convergence();
  });
}

void Daemon::on_dataplane_events(std::vector<dataplane::DataplaneEvent>&& evs) {
  if (stopping_) return;
  bool resync_needed = false;
  retract_endpoints_of_removed_ports(evs);  // backstop: a pod's port gone without a DELETE
  engine::ev::DataplaneEvents d;
  for (auto& e : evs) {
    if (const auto* r = std::get_if<dataplane::ResyncNeeded>(&e)) {
      spdlog::warn("dataplane: resync needed in netns '{}': {}", r->netns, r->reason);
      resync_needed = true;
      continue;
    }
    if (const auto* l = std::get_if<dataplane::LinkChanged>(&e)) {
      // The L3VNI bridge's MAC is the router MAC when the configuration does not fix one.
      if (l->vni && l->mac && !l->removed) {
        for (const auto& v : cfg_.vrfs) {
          if (v.l3vni == *l->vni && !v.router_mac && l->name == "br" + std::to_string(v.l3vni)) {
            auto fx = dispatch(engine::ev::SetRouterMac{v.name, *l->mac});
            if (!fx.error.empty()) spdlog::warn("router MAC of {}: {}", v.name, fx.error);
          }
        }
      }
      // Ethernet segment attachments follow their ports' state (EvpnService::on_link).
      if (cfg_.ethernet_segments.empty()) continue;
    }
    if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("dataplane event: {}", dataplane::to_string(e));
    d.events.push_back(std::move(e));
  }
  if (!d.events.empty()) dispatch(std::move(d));
  if (resync_needed) resync();
}

// Events were lost: the provider's dump compares the kernel with what it had reported and
// reports the difference (learned meanwhile / gone since) as events; then make the kernel match
// the EVPN state again.
void Daemon::resync() {
  auto st = dp_io_->dump();
  if (!st) {
    spdlog::error("dataplane: resync dump failed: {}", st.error().message);
    return;
  }
  dp_io_->poll_now();
  dp_io_->reconcile_desired();
}

void Daemon::arm_evpn_timer() {
  const auto next = engine_->evpn()->next_deadline();
  if (next == evpn_deadline_) return;
  evpn_deadline_ = next;
  if (!evpn_timer_) evpn_timer_ = std::make_unique<asio::steady_timer>(io_);
  evpn_timer_->cancel();
  if (!next || stopping_) return;
  evpn_timer_->expires_at(*next);
  evpn_timer_->async_wait([this, at = *next](asio::error_code ec) {
    if (ec || evpn_deadline_ != at) return;
    evpn_deadline_.reset();
    dispatch(engine::ev::EvpnTimer{});
  });
}

}  // namespace evpnd::daemon

#include "daemon/dataplane_io.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace evpnd::daemon {

using namespace dataplane;

DataplaneIo::DataplaneIo(asio::io_context& io, std::unique_ptr<Dataplane> dp, EventSink sink)
    : io_(io), dp_(std::move(dp)), sink_(std::move(sink)) {}

DataplaneIo::~DataplaneIo() {
  *alive_ = false;
  stop();
}

void DataplaneIo::stop() {
  stopped_ = true;
  for (auto& [fd, sd] : fds_) {
    asio::error_code ec;
    sd->cancel(ec);
    sd->release();  // the provider owns the descriptor
  }
  fds_.clear();
}

void DataplaneIo::submit(std::vector<Intent> intents) {
  if (intents.empty()) return;
  if (queued_.empty()) queued_ = std::move(intents);
  else queued_.insert(queued_.end(), std::make_move_iterator(intents.begin()), std::make_move_iterator(intents.end()));
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    flush_posted_ = false;
    flush();
  });
}

void DataplaneIo::flush() {
  if (queued_.empty()) return;
  std::vector<Intent> batch = std::move(queued_);
  queued_.clear();
  apply_now(batch);
}

void DataplaneIo::apply_now(std::vector<Intent>& batch) {
  (void)shadow_.apply(batch);
  std::vector<DataplaneEvent> ignored;
  shadow_.poll_events(ignored);  // take-over notices of the shadow mean nothing
  ++counters_.batches;
  const ApplyResult r = dp_->apply(batch);
  counters_.intents_applied += r.applied;
  counters_.intent_errors += r.errors.size();
  for (const auto& e : r.errors) {
    spdlog::warn("dataplane: {} failed: {} ({})", e.index < batch.size() ? to_string(batch[e.index]) : "?",
                 e.message, e.error);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    for (const auto& i : batch) spdlog::debug("dataplane: {}", to_string(i));
  }
  watch();
  // The provider may have read monitor events while applying (so its socket cannot overrun):
  // the descriptor need not be readable any more, so poll once the current handler is done.
  if (!poll_posted_) {
    poll_posted_ = true;
    asio::post(io_, [this, alive = alive_] {
      if (!*alive) return;
      poll_posted_ = false;
      if (!stopped_) on_readable();
    });
  }
}

ReconcileReport DataplaneIo::reconcile_desired() {
  flush();
  std::vector<Intent> desired;
  auto st = shadow_.dump();
  if (st) {
    for (auto& x : st->l3vnis) desired.push_back(Intent::add(x));
    for (auto& x : st->l2vnis) desired.push_back(Intent::add(x));
    for (auto& x : st->svi_addresses) desired.push_back(Intent::add(x));
    for (auto& x : st->remote_rmacs) desired.push_back(Intent::add(x));
    for (auto& x : st->remote_macs) desired.push_back(Intent::add(x));
    for (auto& x : st->flood_entries) desired.push_back(Intent::add(x));
    for (auto& x : st->remote_neighbours) desired.push_back(Intent::add(x));
    for (auto& x : st->routes) desired.push_back(Intent::add(x));
  }
  ReconcileReport rep = dp_->reconcile(desired);
  ++counters_.reconciles;
  counters_.reconcile_added += rep.added;
  counters_.reconcile_removed += rep.removed;
  counters_.reconcile_unchanged += rep.unchanged;
  counters_.intent_errors += rep.errors.size();
  for (const auto& e : rep.errors) spdlog::warn("dataplane reconcile: {} ({})", e.message, e.error);
  spdlog::info("dataplane reconcile: {} added, {} removed, {} unchanged, {} errors", rep.added, rep.removed,
               rep.unchanged, rep.errors.size());
  watch();
  return rep;
}

void DataplaneIo::remove_entries() {
  flush();
  auto st = shadow_.dump();
  if (!st) return;
  std::vector<Intent> del;
  // Routes before the RMACs they resolve through; then the bridging entries.
  for (auto& x : st->routes) del.push_back(Intent::del(x));
  for (auto& x : st->remote_rmacs) del.push_back(Intent::del(x));
  for (auto& x : st->remote_neighbours) del.push_back(Intent::del(x));
  for (auto& x : st->remote_macs) del.push_back(Intent::del(x));
  for (auto& x : st->flood_entries) del.push_back(Intent::del(x));
  spdlog::info("dataplane: removing {} entries we installed", del.size());
  apply_now(del);
}

void DataplaneIo::watch() {
  if (stopped_) return;
  const std::vector<int> want = dp_->event_fds();
  const std::set<int> wanted(want.begin(), want.end());
  for (auto it = fds_.begin(); it != fds_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    asio::error_code ec;
    it->second->cancel(ec);
    it->second->release();
    it = fds_.erase(it);
  }
  for (int fd : want) {
    if (fds_.count(fd)) continue;
    fds_.emplace(fd, std::make_unique<asio::posix::stream_descriptor>(io_, fd));
    arm(fd);
  }
}

void DataplaneIo::arm(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  it->second->async_wait(asio::posix::stream_descriptor::wait_read, [this, fd, alive = alive_](asio::error_code ec) {
    if (ec || !*alive || stopped_ || !fds_.count(fd)) return;
    on_readable();
    arm(fd);
  });
}

void DataplaneIo::on_readable() {
  std::vector<DataplaneEvent> evs;
  dp_->poll_events(evs);
  const std::vector<IntentError> late = dp_->take_late_errors();
  counters_.intent_errors += late.size();
  counters_.intents_applied -= std::min<uint64_t>(counters_.intents_applied, late.size());
  for (const auto& e : late) spdlog::warn("dataplane: {} failed ({})", e.message, e.error);
  if (evs.empty()) return;
  counters_.events += evs.size();
  for (const auto& e : evs)
    if (std::holds_alternative<ResyncNeeded>(e)) ++counters_.resyncs;
  sink_(std::move(evs));
}

}  // namespace evpnd::daemon

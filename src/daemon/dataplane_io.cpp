#include "daemon/dataplane_io.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace evpnd::daemon {

using namespace dataplane;

namespace {
RetryQueue::Time clock_now() { return RetryClock::now(); }
}  // namespace

DataplaneIo::DataplaneIo(asio::io_context& io, std::unique_ptr<Dataplane> dp, EventSink sink, StatusSink status,
                         RetryPolicy policy)
    : io_(io),
      dp_(std::move(dp)),
      sink_(std::move(sink)),
      status_sink_(std::move(status)),
      retry_(policy),
      retry_timer_(io) {}

DataplaneIo::~DataplaneIo() {
  *alive_ = false;
  stop();
}

void DataplaneIo::stop() {
  stopped_ = true;
  retry_timer_.cancel();
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
  apply_provider(batch);
}

ApplyResult DataplaneIo::apply_provider(const std::vector<Intent>& batch) {
  ++counters_.batches;
  ApplyResult r = dp_->apply(batch);
  counters_.intents_applied += r.applied;
  note_errors(r.errors, &batch, "");
  if (retry_.any_pending()) {
    // What succeeded needs no retry any more (a new intent for a key that was failing, or the
    // retry itself). Only while something is pending: a 100k batch pays nothing otherwise.
    const auto now = clock_now();
    std::vector<bool> failed(batch.size(), false);
    for (const auto& e : r.errors)
      if (e.index < batch.size()) failed[e.index] = true;
    for (size_t k = 0; k < batch.size(); ++k)
      if (!failed[k]) retry_.succeeded(key_of(batch[k].object), now);
    publish_status();
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
  return r;
}

void DataplaneIo::note_errors(const std::vector<IntentError>& errors, const std::vector<Intent>* batch,
                              const char* what) {
  if (errors.empty()) return;
  counters_.intent_errors += errors.size();
  const auto now = clock_now();
  for (const auto& e : errors) {
    std::optional<Intent> i = e.intent;
    if (!i && batch && e.index < batch->size()) i = (*batch)[e.index];
    spdlog::warn("dataplane{}: {} failed: {} ({})", what, i ? to_string(*i) : "?", e.message, e.error);
    if (i) retry_.failed(*i, e.error, e.message, now);
  }
  arm_retry();
  publish_status();
}

void DataplaneIo::on_owned_removed(const IntentObject& o) {
  // Wanted (as the shadow holds it) -> drift; not wanted -> the echo of our own deletion.
  std::optional<IntentObject> want = shadow_.find(o);
  if (!want) {
    ++counters_.own_removals;
    return;
  }
  spdlog::warn("dataplane: {} was removed behind our back: re-asserting it",
               to_string(Intent::add(*want)).substr(4));
  retry_.drifted(*want, clock_now());
  arm_retry();
  publish_status();
}

std::vector<Intent> DataplaneIo::entries_under(const IntentObject& device) {
  std::vector<Intent> out;
  auto st = shadow_.dump();
  if (!st) return out;
  const Vni vni = vni_of(device);
  auto add_if = [&](const auto& list, auto vni_field) {
    for (const auto& x : list)
      if (vni_field(x) == vni) out.push_back(Intent::add(x));
  };
  if (const auto* l2 = std::get_if<L2Vni>(&device)) {
    add_if(st->svi_addresses, [](const SviAddress& x) { return x.vni; });
    add_if(st->flood_entries, [](const FloodEntry& x) { return x.vni; });
    // A VRF device enslaves the SVI: re-ensure the L3VNI that lists this bridge.
    for (const auto& l3 : st->l3vnis)
      if (std::find(l3.member_bridges.begin(), l3.member_bridges.end(), l2->bridge) != l3.member_bridges.end())
        out.push_back(Intent::add(l3));
  } else {
    add_if(st->remote_rmacs, [](const RemoteRmac& x) { return x.l3vni; });
    add_if(st->routes, [](const VrfRoute& x) { return x.l3vni; });
  }
  add_if(st->remote_macs, [](const RemoteMac& x) { return x.vni; });
  add_if(st->remote_neighbours, [](const RemoteNeighbour& x) { return x.vni; });
  // Ethernet-segment ports of a recreated bridge lost their settings with it (the fdb nexthops
  // live in the underlay and survive a device).
  add_if(st->es_attachments, [](const EsAttachment& x) { return x.vni; });
  add_if(st->synced_macs, [](const SyncedMac& x) { return x.vni; });
  return out;
}

void DataplaneIo::run_retries() {
  if (stopped_) return;
  const auto now = clock_now();
  std::vector<Intent> devices, entries;
  for (auto& [k, last] : retry_.due(now)) {
    std::optional<IntentObject> want = shadow_.find(last.object);
    if (want) {
      (is_device(k.kind) ? devices : entries).push_back(Intent::add(std::move(*want)));
    } else if (last.action == Action::kDelete) {
      entries.push_back(last);  // a delete that failed, and still not wanted
    } else {
      retry_.drop(k);           // nobody wants it any more
    }
  }
  if (!devices.empty()) {
    for (const auto& d : devices) retry_.count_retry(d.kind());
    const ApplyResult r = apply_provider(devices);
    std::vector<bool> failed(devices.size(), false);
    for (const auto& e : r.errors)
      if (e.index < devices.size()) failed[e.index] = true;
    for (size_t k = 0; k < devices.size(); ++k) {
      if (failed[k]) continue;
      spdlog::info("dataplane: {} recreated, re-populating it", to_string(devices[k]).substr(4));
      auto under = entries_under(devices[k].object);
      entries.insert(entries.end(), std::make_move_iterator(under.begin()), std::make_move_iterator(under.end()));
    }
  }
  // Entries whose device is still being recreated wait for it (they come with the re-population).
  std::vector<Intent> ready;
  for (auto& i : entries) {
    const Vni vni = vni_of(i.object);
    std::optional<RetryQueue::Time> until;
    for (auto kind : {IntentKind::kL2Vni, IntentKind::kL3Vni})
      if (auto t = retry_.next_of(IntentKey{kind, vni, ""})) until = *t;
    if (until) {
      retry_.postpone(key_of(i.object), *until);
      continue;
    }
    retry_.count_retry(i.kind());
    ready.push_back(std::move(i));
  }
  if (!ready.empty()) apply_provider(ready);
  arm_retry();
  publish_status();
}

void DataplaneIo::arm_retry() {
  if (stopped_) return;
  const auto next = retry_.next_due();
  if (next == retry_at_) return;
  retry_at_ = next;
  retry_timer_.cancel();
  if (!next) return;
  retry_timer_.expires_at(*next);
  retry_timer_.async_wait([this, alive = alive_](asio::error_code ec) {
    if (ec || !*alive) return;
    retry_at_.reset();
    run_retries();
  });
}

void DataplaneIo::publish_status() {
  auto st = retry_.vni_status();
  if (st == published_) return;
  published_ = std::move(st);
  if (status_sink_) status_sink_(published_);
}

ReconcileReport DataplaneIo::reconcile_desired() {
  flush();
  std::vector<Intent> desired;
  if (auto st = shadow_.dump())
    for (auto& o : installed_objects(*st)) desired.push_back(Intent::add(std::move(o)));
  ReconcileReport rep = dp_->reconcile(desired);
  ++counters_.reconciles;
  counters_.reconcile_added += rep.added;
  counters_.reconcile_removed += rep.removed;
  counters_.reconcile_unchanged += rep.unchanged;
  note_errors(rep.errors, nullptr, " reconcile");
  spdlog::info("dataplane reconcile: {} added, {} removed, {} unchanged, {} errors", rep.added, rep.removed,
               rep.unchanged, rep.errors.size());
  watch();
  // The dump inside may have queued local-learning differences (LinuxDataplane::sync_local).
  asio::post(io_, [this, alive = alive_] {
    if (*alive && !stopped_) on_readable();
  });
  return rep;
}

void DataplaneIo::remove_entries() {
  flush();
  auto st = shadow_.dump();
  if (!st) return;
  // The reverse of the install order: ES attachments first (their filters must not outlive the
  // routes that made this PE a non-DF), routes before the RMACs they resolve through, MACs before
  // the nexthop groups they use, groups before their nexthops. Devices and SVI addresses stay.
  std::vector<Intent> del;
  auto objects = installed_objects(*st);
  for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
    const auto kind = static_cast<IntentKind>(it->index());
    if (is_device(kind) || kind == IntentKind::kSviAddress) continue;
    del.push_back(Intent::del(std::move(*it)));
  }
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
  counters_.intents_applied -= std::min<uint64_t>(counters_.intents_applied, late.size());
  note_errors(late, nullptr, " (late)");
  if (evs.empty()) return;
  counters_.events += evs.size();
  // Removals of what we own are ours to judge (drift or echo); the rest goes to the engine.
  std::vector<DataplaneEvent> rest;
  rest.reserve(evs.size());
  for (auto& e : evs) {
    if (const auto* o = std::get_if<OwnedEntryRemoved>(&e)) {
      on_owned_removed(o->object);
      continue;
    }
    if (std::holds_alternative<ResyncNeeded>(e)) ++counters_.resyncs;
    rest.push_back(std::move(e));
  }
  if (!rest.empty()) sink_(std::move(rest));
}

}  // namespace evpnd::daemon

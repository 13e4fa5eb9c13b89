// DataplaneIo: the daemon side of a data-plane provider (Linux netlink or the in-memory fake).
//
//   * events: every descriptor of Dataplane::event_fds() is watched with an
//     asio::posix::stream_descriptor; when one is readable, poll_events() drains all of them and
//     the events go to the `events` callback (-> Engine, as ev::DataplaneEvents). The list is
//     re-read after every apply()/reconcile() (a VNI in a new namespace adds a monitor socket).
//   * intents: submit() queues; one apply() per io_context loop iteration (asio::post), so the
//     intents of every event handled in that iteration go to the kernel as one batch.
//   * desired state: every submitted intent is also applied to an in-memory FakeDataplane (the
//     shadow), whose contents are exactly what we want installed. reconcile_desired() hands that
//     to the provider's reconcile(): missing entries are added, ours-but-unwanted removed, right
//     ones left alone (start-up after convergence, ResyncNeeded).
//
// NOTE threading: the io_context thread only (the Linux provider must stay on one thread: setns).
// NOTE errors: apply errors are logged per intent and counted; the shadow keeps the intent, so
// the next reconcile retries it.
#pragma once

#define ASIO_STANDALONE 1
#include <asio.hpp>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "dataplane/dataplane.hpp"
#include "dataplane/fake/fake_dataplane.hpp"

namespace evpnd::daemon {

struct DataplaneCounters {
  uint64_t batches = 0;          // apply() calls
  uint64_t intents_applied = 0;  // intents the provider accepted
  uint64_t intent_errors = 0;    // intents the provider refused
  uint64_t events = 0;           // events read from the provider
  uint64_t resyncs = 0;          // ResyncNeeded handled
  uint64_t reconciles = 0;
  uint64_t reconcile_added = 0, reconcile_removed = 0, reconcile_unchanged = 0;
};

class DataplaneIo {
 public:
  using EventSink = std::function<void(std::vector<dataplane::DataplaneEvent>&&)>;

  DataplaneIo(asio::io_context& io, std::unique_ptr<dataplane::Dataplane> dp, EventSink sink);
  ~DataplaneIo();

  // Queues intents; they are applied at the end of this loop iteration.
  void submit(std::vector<dataplane::Intent> intents);
  // Applies what is queued now (start-up, stop).
  void flush();
  // reconcile() with the shadow's contents as the desired state.
  dataplane::ReconcileReport reconcile_desired();
  // Forgets the desired state (a new engine will re-submit what it wants).
  void reset_desired() { shadow_ = dataplane::FakeDataplane{}; }
  // Deletes every remote entry we installed (FDB, neighbours, routes); devices stay.
  void remove_entries();
  tl::expected<dataplane::DataplaneState, dataplane::DataplaneError> dump() { return dp_->dump(); }
  // Starts watching the provider's descriptors (idempotent; call after open and apply).
  void watch();
  void stop();

  const DataplaneCounters& counters() const { return counters_; }
  dataplane::Dataplane& provider() { return *dp_; }

 private:
  void on_readable();
  void arm(int fd);
  void apply_now(std::vector<dataplane::Intent>& batch);

  asio::io_context& io_;
  std::unique_ptr<dataplane::Dataplane> dp_;
  EventSink sink_;
  dataplane::FakeDataplane shadow_;
  std::vector<dataplane::Intent> queued_;
  bool flush_posted_ = false;
  bool poll_posted_ = false;
  bool stopped_ = false;
  std::map<int, std::unique_ptr<asio::posix::stream_descriptor>> fds_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  DataplaneCounters counters_;
};

}  // namespace evpnd::daemon

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
//   * results and drift (zebra's dplane returns a result per op to its owner): every failed
//     intent (synchronous, late from the writer thread, or from reconcile) goes into a
//     RetryQueue and is re-applied with capped exponential backoff while the shadow still wants
//     it. An OwnedEntryRemoved event (an entry or device of ours deleted) is compared with the
//     shadow: wanted -> drift, re-asserted the same way (a device is recreated and re-populated
//     with everything the shadow holds under its VNI); not wanted -> our own deletion's echo.
//     The per-VNI health goes to the `status` callback (-> Engine -> EVPN views) when it changes.
//
// NOTE threading: the io_context thread only (the Linux provider must stay on one thread: setns).
// NOTE errors: logged per intent, counted per kind (retries()), retried (retry_queue.hpp).
// NOTE logging/monitoring: warn per failure and per drift; /metrics exports the counters below
// and RetryQueue's per-kind failures/drifts/retries/pending (metrics_view.cpp).
#pragma once

#define ASIO_STANDALONE 1
#include <asio.hpp>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "dataplane/dataplane.hpp"
#include "dataplane/fake/fake_dataplane.hpp"
#include "dataplane/retry_queue.hpp"

namespace evpnd::daemon {

struct DataplaneCounters {
  uint64_t batches = 0;          // apply() calls
  uint64_t intents_applied = 0;  // intents the provider accepted
  uint64_t intent_errors = 0;    // intents the provider refused
  uint64_t events = 0;           // events read from the provider
  uint64_t resyncs = 0;          // ResyncNeeded handled
  uint64_t reconciles = 0;
  uint64_t reconcile_added = 0, reconcile_removed = 0, reconcile_unchanged = 0;
  uint64_t own_removals = 0;     // OwnedEntryRemoved of something we no longer want (our echoes)
};

class DataplaneIo {
 public:
  using EventSink = std::function<void(std::vector<dataplane::DataplaneEvent>&&)>;
  using StatusSink = std::function<void(const std::map<Vni, dataplane::VniDataplaneStatus>&)>;

  DataplaneIo(asio::io_context& io, std::unique_ptr<dataplane::Dataplane> dp, EventSink sink,
              StatusSink status = {}, dataplane::RetryPolicy policy = {});
  ~DataplaneIo();

  // Queues intents; they are applied at the end of this loop iteration.
  void submit(std::vector<dataplane::Intent> intents);
  // Applies what is queued now (start-up, stop).
  void flush();
  // reconcile() with the shadow's contents as the desired state.
  dataplane::ReconcileReport reconcile_desired();
  // Forgets the desired state (a new engine will re-submit what it wants).
  void reset_desired() { shadow_ = dataplane::FakeDataplane{}; }
  // Deletes every remote entry we installed (FDB, neighbours, routes) and the Ethernet-segment
  // attachments (their filters); devices stay. `on-stop: keep` calls flush() instead, so the ES
  // filters stay attached and the next evpnd adopts them.
  void remove_entries();
  tl::expected<dataplane::DataplaneState, dataplane::DataplaneError> dump() { return dp_->dump(); }
  // Starts watching the provider's descriptors (idempotent; call after open and apply).
  void watch();
  void stop();
  // Reads what the provider has pending now (events, late errors) and hands it on.
  void poll_now() { on_readable(); }
  // Re-applies the retries that are due now (the retry timer calls it; tests too).
  void run_retries();

  const DataplaneCounters& counters() const { return counters_; }
  const dataplane::RetryQueue& retries() const { return retry_; }
  const std::map<Vni, dataplane::VniDataplaneStatus>& vni_status() const { return published_; }
  dataplane::Dataplane& provider() { return *dp_; }
  const dataplane::Dataplane& provider() const { return *dp_; }

 private:
  void on_readable();
  void arm(int fd);
  void apply_now(std::vector<dataplane::Intent>& batch);
  // Hands `batch` to the provider (not the shadow) and feeds the results to the retry queue.
  dataplane::ApplyResult apply_provider(const std::vector<dataplane::Intent>& batch);
  void note_errors(const std::vector<dataplane::IntentError>& errors, const std::vector<dataplane::Intent>* batch,
                   const char* what);
  void on_owned_removed(const dataplane::IntentObject& o);
  // Everything the shadow holds under the device's VNI, to re-populate a recreated device.
  std::vector<dataplane::Intent> entries_under(const dataplane::IntentObject& device);
  void arm_retry();
  void publish_status();

  asio::io_context& io_;
  std::unique_ptr<dataplane::Dataplane> dp_;
  EventSink sink_;
  StatusSink status_sink_;
  dataplane::FakeDataplane shadow_;
  dataplane::RetryQueue retry_;
  asio::steady_timer retry_timer_;
  std::optional<dataplane::RetryQueue::Time> retry_at_;
  std::map<Vni, dataplane::VniDataplaneStatus> published_;
  std::vector<dataplane::Intent> queued_;
  bool flush_posted_ = false;
  bool poll_posted_ = false;
  bool stopped_ = false;
  std::map<int, std::unique_ptr<asio::posix::stream_descriptor>> fds_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  DataplaneCounters counters_;
};

}  // namespace evpnd::daemon

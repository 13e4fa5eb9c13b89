// RetryQueue: the intents the data plane refused and the entries removed behind our back, each
// waiting to be re-asserted after a capped exponential backoff; plus the per-kind counters and
// the per-VNI health that the daemon reports to EVPN and /metrics.
//
// Why: a failed write (ENODEV while a device is being recreated, a busy kernel) must not stay
// missing until the next full reconcile, and an entry another process deletes must come back
// (Open/R's Fib keeps dirty sets with backoff the same way; zebra's dplane hands a status per
// operation back to its owner). The queue only decides *when*: the caller (DataplaneIo) decides
// *what* by looking the key up in its desired state, so an intent nobody wants any more is
// dropped instead of retried.
// NOTE no fights: a key keeps its attempt count for `forget` after it last succeeded, so an entry
// that somebody deletes again and again is re-added after 0.1 s, 0.2 s, 0.4 s ... at most every
// `cap`, never in a tight loop. Retries go on at `cap` for as long as the intent is wanted.
// NOTE pure: no clock, no I/O; time comes in as arguments.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/intent.hpp"

namespace evpnd::dataplane {

using RetryClock = std::chrono::steady_clock;

// What makes two intents "the same object" (the reconcile planner's keys): kind, VNI and the
// object's identity within the VNI (MAC, IP, VTEP or prefix).
struct IntentKey {
  IntentKind kind = IntentKind::kL2Vni;
  Vni vni = 0;
  std::string id;
  auto operator<=>(const IntentKey&) const = default;
};
IntentKey key_of(const IntentObject& o);
inline Vni vni_of(const IntentObject& o) { return key_of(o).vni; }
inline bool is_device(IntentKind k) { return k == IntentKind::kL2Vni || k == IntentKind::kL3Vni; }

struct RetryPolicy {
  std::chrono::milliseconds base{100};   // first retry; doubles per further attempt
  std::chrono::milliseconds cap{30000};  // longest wait between attempts
  std::chrono::seconds forget{60};       // quiet time after which a key starts from `base` again
};

struct RetryKindCounters {
  uint64_t failures = 0;   // intents the provider refused
  uint64_t drifts = 0;     // entries/devices removed behind our back (and wanted)
  uint64_t retries = 0;    // re-assertions attempted
};

constexpr size_t kIntentKinds = 12;

class RetryQueue {
 public:
  using Time = RetryClock::time_point;
  explicit RetryQueue(RetryPolicy p = {}) : policy_(p) {}

  // The provider refused `i`: retried after the key's backoff.
  void failed(const Intent& i, int error, const std::string& message, Time now);
  // `o` (wanted, as we want it) was removed behind our back: re-added after the key's backoff.
  void drifted(const IntentObject& o, Time now);
  // An intent for this key was applied: nothing pending for it any more (the attempt count is
  // kept for `forget`, see NOTE no fights).
  void succeeded(const IntentKey& k, Time now);
  // Nobody wants the key any more: nothing to retry.
  void drop(const IntentKey& k);
  // Keeps a pending key waiting until `until` without counting an attempt (an entry whose
  // device is still being recreated waits for it).
  void postpone(const IntentKey& k, Time until);
  // Counts a re-assertion of kind `k` (the caller applied what due() returned).
  void count_retry(IntentKind k) { ++counters_[size_t(k)].retries; }

  // The keys whose time has come, with the intent last attempted (devices first). They stay
  // pending until succeeded(), failed() or drop().
  std::vector<std::pair<IntentKey, Intent>> due(Time now);
  std::optional<Time> next_due() const;
  bool is_pending(const IntentKey& k) const { return next_of(k).has_value(); }
  // When a pending key is retried next (nothing when it is not pending).
  std::optional<Time> next_of(const IntentKey& k) const;
  bool any_pending() const { return pending_ > 0; }
  bool tracks(const IntentKey& k) const { return entries_.count(k) > 0; }
  bool empty() const { return entries_.empty(); }

  size_t pending(IntentKind k) const;
  const RetryKindCounters& counters(IntentKind k) const { return counters_[size_t(k)]; }
  // VNIs that ever had a failure or drift, with their health now.
  std::map<Vni, VniDataplaneStatus> vni_status() const;

 private:
  struct Entry {
    Intent intent;            // what to re-assert (kDelete: a failed delete)
    unsigned attempts = 0;    // failures/drifts in a row (see NOTE no fights)
    bool pending = false;     // waiting for a retry (else: settled, kept for its attempt count)
    bool drift = false;       // pending because it was removed behind our back
    Time next{};              // pending: when to retry; settled: when it settled
  };
  void schedule(const IntentKey& k, Entry& e, Time now);
  void prune(Time now);

  RetryPolicy policy_;
  std::map<IntentKey, Entry> entries_;
  size_t pending_ = 0;
  std::array<RetryKindCounters, kIntentKinds> counters_{};
  struct VniRecord {
    uint64_t failures = 0, drifts = 0;
    std::string last_error;
  };
  std::map<Vni, VniRecord> vnis_;
};

}  // namespace evpnd::dataplane

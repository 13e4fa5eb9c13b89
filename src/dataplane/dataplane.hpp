// The Dataplane interface: apply intent batches, report local learning, dump state, reconcile.
//
// NOTE threading: single-threaded, called from the daemon loop only. A provider never blocks
// indefinitely: apply() waits only for the kernel's ACKs of its own batch.
// NOTE event loop: the provider is free of asio. event_fds() lists the descriptors to watch for
// readability (e.g. with asio::posix::stream_descriptor::async_wait); when one is readable, call
// poll_events(), which reads what is pending without blocking and appends events in order.
// NOTE errors: apply() reports failures per intent (IntentError::index) and keeps going with the
// rest of the batch; only a broken provider (socket gone) fails every intent.
#pragma once

#include <span>
#include <vector>

#include <tl/expected.hpp>

#include "dataplane/intent.hpp"

namespace evpnd::dataplane {

struct DataplaneError {
  int error = 0;         // errno-style
  std::string message;
};

// Frames an Ethernet-segment filter dropped (RFC 7432 §8.5 non-DF, RFC 8365 §8.3.1 local bias,
// §14.1.1 single-active blocking; "hairpin": overlay BUM kept from going back into the overlay
// at a VXLAN device, whose counter has no ESI). Counters only grow while the attachment exists.
struct EsDropCounter {
  Vni vni = 0;
  std::string port;
  std::optional<Esi> esi;
  std::string reason;    // "non_df" | "local_bias" | "blocked" | "hairpin"
  uint64_t packets = 0;
  bool operator==(const EsDropCounter&) const = default;
};

class Dataplane {
 public:
  virtual ~Dataplane() = default;

  // Applies a batch in order (an Ensure L2Vni before the MACs of that VNI in the same batch works).
  virtual ApplyResult apply(std::span<const Intent> batch) = 0;

  // Descriptors to watch for readability; empty for providers without kernel state (the fake).
  virtual std::vector<int> event_fds() const = 0;
  // Drains pending events without blocking; returns how many were appended to `out`.
  virtual size_t poll_events(std::vector<DataplaneEvent>& out) = 0;

  // The current data-plane state for the registered L2VNIs/L3VNIs (see DataplaneState).
  virtual tl::expected<DataplaneState, DataplaneError> dump() = 0;

  // Start-up reconciliation: `desired` is the complete set of kAdd intents we want. Registers the
  // VNIs, dumps, installs only what is missing or different and removes only entries that are
  // ours (ownership marks) and not desired. Entries that are already right are not touched.
  virtual ReconcileReport reconcile(std::span<const Intent> desired) = 0;

  // Failures of writes that apply() handed off without waiting (a provider writing from a
  // thread of its own); IntentError::index is 0 and the message names the intent. Call after
  // poll_events(). Synchronous providers have none.
  virtual std::vector<IntentError> take_late_errors() { return {}; }

  // Drop counters of the Ethernet-segment filters (providers without filters have none).
  virtual std::vector<EsDropCounter> es_drop_counters() const { return {}; }
};

}  // namespace evpnd::dataplane

// The BGP finite state machine of one TCP connection (RFC 4271 §8) as a pure transition
// function: (state, event) -> (state, actions). The caller (bgp::Peer) executes the actions.
//
// NOTE scope: one Fsm per connection. A peer may briefly own two connections (ours and the
// peer's) until connection collision detection (§6.8) dumps one; that decision lives in Peer
// because it needs both connections. Timers are events: the caller arms them when an action
// says so and feeds back *TimerExpires when they fire. Nothing here reads a clock.
// NOTE OPEN validation (capabilities, AS, hold time) happens before the BGPOpen event is
// delivered: a bad OPEN arrives as kBgpOpenMsgErr with the NOTIFICATION to send.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evpnd::bgp {

enum class FsmState : uint8_t { kIdle, kConnect, kActive, kOpenSent, kOpenConfirm, kEstablished };
const char* to_string(FsmState s);  // "Idle", "Connect", ... (FRR's spelling)

// RFC 4271 §8.1 event numbers in comments.
enum class FsmEventType : uint8_t {
  kManualStart,                 // 1
  kManualStop,                  // 2
  kManualStartPassive,          // 4 (ManualStart_with_PassiveTcpEstablishment)
  kConnectRetryTimerExpires,    // 9
  kHoldTimerExpires,            // 10
  kKeepaliveTimerExpires,       // 11
  kTcpCrAcked,                  // 16: our outbound connect succeeded
  kTcpConnectionConfirmed,      // 17: an inbound connection was accepted
  kTcpConnectionFails,          // 18
  kBgpOpen,                     // 19: a valid OPEN (validated by the caller)
  kBgpHeaderErr,                // 21
  kBgpOpenMsgErr,               // 22
  kOpenCollisionDump,           // 23
  kNotifMsgVerErr,              // 24
  kNotifMsg,                    // 25
  kKeepAliveMsg,                // 26
  kUpdateMsg,                   // 27 (also ROUTE-REFRESH)
  kUpdateMsgErr,                // 28
  kAdminCease,                  // ManualStop with a specific Cease subcode (reset, deconfigured, max-prefix)
  kSendHoldTimerExpires,        // 29 (RFC 9687 §3.2)
};
const char* to_string(FsmEventType e);

struct FsmEvent {
  FsmEventType type = FsmEventType::kManualStart;
  // For *Err events and kAdminCease: the NOTIFICATION to send (code 0 = none).
  uint8_t notify_code = 0;
  uint8_t notify_subcode = 0;
  // For *Err events: its data (RFC 4271 §6.1-6.3: e.g. the erroneous Length or Type field, the
  // largest supported version, the offending attribute); carried into the kSendNotification.
  std::vector<uint8_t> notify_data;
};

enum class FsmActionType : uint8_t {
  kConnect,              // initiate the outbound TCP connection
  kDropConnection,       // close TCP (after flushing what was queued before)
  kSendOpen,
  kSendKeepalive,
  kSendNotification,     // code/subcode in the action
  kStartConnectRetryTimer,
  kStopConnectRetryTimer,
  kStartHoldTimerLarge,  // 4 minutes (§8.2.2: "large value") while waiting for OPEN
  kStartHoldTimer,       // negotiated hold time (0 = none)
  kStartKeepaliveTimer,  // negotiated keepalive time (0 = none)
  kStopTimers,           // hold + keepalive
  kSessionEstablished,   // enter Established: start route exchange
  kSessionDown,          // leave Established: withdraw the peer's routes (or mark stale)
  kProcessMessage,       // hand the UPDATE/ROUTE-REFRESH to the RIB; restart hold timer
  kRestartHoldTimer,
  kIncrementRetryCounter,
  kAbortConnection,      // close TCP now, without waiting for queued data (RFC 9687 §3.3)
};
const char* to_string(FsmActionType a);

struct FsmAction {
  FsmActionType type;
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;  // kSendNotification: the NOTIFICATION data
  bool operator==(const FsmAction&) const = default;
};

struct FsmResult {
  FsmState next = FsmState::kIdle;
  std::vector<FsmAction> actions;
};

// The pure transition function. `passive` is the peer's configuration (never connect out).
FsmResult fsm_step(FsmState state, const FsmEvent& event, bool passive);

// Convenience holder of one connection's state.
class Fsm {
 public:
  explicit Fsm(FsmState initial = FsmState::kIdle) : state_(initial) {}
  FsmState state() const { return state_; }
  std::vector<FsmAction> handle(const FsmEvent& e, bool passive) {
    FsmResult r = fsm_step(state_, e, passive);
    state_ = r.next;
    return std::move(r.actions);
  }

 private:
  FsmState state_;
};

}  // namespace evpnd::bgp

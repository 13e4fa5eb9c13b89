#include "bgp/fsm.hpp"

#include "wire/error.hpp"

namespace evpnd::bgp {
namespace {

using A = FsmActionType;
using E = FsmEventType;
using S = FsmState;

constexpr uint8_t kFsmError = static_cast<uint8_t>(wire::NotifyCode::kFsmError);
constexpr uint8_t kCease = static_cast<uint8_t>(wire::NotifyCode::kCease);
constexpr uint8_t kHoldExpired = static_cast<uint8_t>(wire::NotifyCode::kHoldTimerExpired);
constexpr uint8_t kSendHoldExpired = static_cast<uint8_t>(wire::NotifyCode::kSendHoldTimerExpired);
// RFC 6608 §4: FSM error subcodes name the state the unexpected message arrived in.
constexpr uint8_t kFsmUnexpectedInOpenSent = 1;
constexpr uint8_t kFsmUnexpectedInOpenConfirm = 2;
constexpr uint8_t kFsmUnexpectedInEstablished = 3;
// RFC 4486 §4 Cease subcodes.
constexpr uint8_t kCeaseAdminShutdown = 2;
constexpr uint8_t kCeaseCollision = 7;

FsmAction act(A t, uint8_t code = 0, uint8_t sub = 0) { return FsmAction{t, code, sub, {}}; }
// The NOTIFICATION of a *Err event, with the data the error carries (RFC 4271 §6).
FsmAction notify_of(const FsmEvent& e) {
  return FsmAction{A::kSendNotification, e.notify_code, e.notify_subcode, e.notify_data};
}

// The common "go to Idle" tail of most error transitions (§8.2.2): release resources, drop the
// TCP connection, count the retry. With passive peers we wait in Active instead (no retry timer
// drives an outbound connect), which is the RFC's "passive" variant of Idle -> Active.
FsmResult to_idle(std::vector<FsmAction> pre, bool was_established) {
  FsmResult r{S::kIdle, std::move(pre)};
  r.actions.push_back(act(A::kStopTimers));
  r.actions.push_back(act(A::kStopConnectRetryTimer));
  r.actions.push_back(act(A::kDropConnection));
  r.actions.push_back(act(A::kIncrementRetryCounter));
  if (was_established) r.actions.push_back(act(A::kSessionDown));
  return r;
}

uint8_t fsm_error_subcode(S s) {
  switch (s) {
    case S::kOpenSent: return kFsmUnexpectedInOpenSent;
    case S::kOpenConfirm: return kFsmUnexpectedInOpenConfirm;
    case S::kEstablished: return kFsmUnexpectedInEstablished;
    default: return 0;
  }
}

FsmResult step_idle(const FsmEvent& e, bool passive) {
  switch (e.type) {
    case E::kManualStart:
      if (passive) return {S::kActive, {act(A::kStartConnectRetryTimer)}};
      return {S::kConnect, {act(A::kStartConnectRetryTimer), act(A::kConnect)}};
    case E::kManualStartPassive:
      return {S::kActive, {act(A::kStartConnectRetryTimer)}};
    case E::kTcpConnectionConfirmed:
      // An inbound connection for a peer whose own FSM is Idle (e.g. passive peer waiting):
      // the caller creates this connection's FSM in Active; from Idle we refuse it (§8.2.2).
      return {S::kIdle, {act(A::kDropConnection)}};
    default:
      return {S::kIdle, {}};  // §8.2.2: other events are ignored in Idle
  }
}

FsmResult step_connect_or_active(S s, const FsmEvent& e, bool passive) {
  switch (e.type) {
    case E::kManualStart:
    case E::kManualStartPassive:
    case E::kSendHoldTimerExpires:  // the timer runs in Established only (RFC 9687 §3.3)
      return {s, {}};
    case E::kManualStop:
    case E::kAdminCease:
      return {S::kIdle, {act(A::kDropConnection), act(A::kStopConnectRetryTimer)}};
    case E::kConnectRetryTimerExpires:
      if (s == S::kActive && passive) return {S::kActive, {act(A::kStartConnectRetryTimer)}};
      return {S::kConnect, {act(A::kDropConnection), act(A::kStartConnectRetryTimer), act(A::kConnect)}};
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
      return {S::kOpenSent,
              {act(A::kStopConnectRetryTimer), act(A::kSendOpen), act(A::kStartHoldTimerLarge)}};
    case E::kTcpConnectionFails:
      // §8.2.2 Connect: restart the retry timer, go to Active; Active: back to Idle (the caller
      // restarts the peer after the retry timer, which keeps connecting with back-off).
      if (s == S::kConnect) return {S::kActive, {act(A::kDropConnection), act(A::kStartConnectRetryTimer)}};
      return {S::kIdle, {act(A::kDropConnection), act(A::kStartConnectRetryTimer), act(A::kIncrementRetryCounter)}};
    default:
      return to_idle({}, false);
  }
}

FsmResult step_open_sent(const FsmEvent& e) {
  switch (e.type) {
    case E::kManualStop:
      return to_idle({act(A::kSendNotification, kCease, kCeaseAdminShutdown)}, false);
    case E::kAdminCease:
      return to_idle({act(A::kSendNotification, kCease, e.notify_subcode)}, false);
    case E::kHoldTimerExpires:
      return to_idle({act(A::kSendNotification, kHoldExpired, 0)}, false);
    case E::kTcpConnectionFails:
      // §8.2.2 OpenSent: close, restart the retry timer, go to Active.
      return {S::kActive, {act(A::kDropConnection), act(A::kStopTimers), act(A::kStartConnectRetryTimer)}};
    case E::kBgpOpen:
      return {S::kOpenConfirm,
              {act(A::kStopConnectRetryTimer), act(A::kSendKeepalive), act(A::kStartKeepaliveTimer),
               act(A::kStartHoldTimer)}};
    case E::kBgpHeaderErr:
    case E::kBgpOpenMsgErr:
      return to_idle({notify_of(e)}, false);
    case E::kOpenCollisionDump:
      return to_idle({act(A::kSendNotification, kCease, kCeaseCollision)}, false);
    case E::kNotifMsgVerErr:
    case E::kNotifMsg:
      return to_idle({}, false);
    case E::kConnectRetryTimerExpires:
    case E::kKeepaliveTimerExpires:
    case E::kManualStart:
    case E::kManualStartPassive:
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
    case E::kSendHoldTimerExpires:  // not running before Established (RFC 9687 §3.3)
      return {S::kOpenSent, {}};  // a second connection is tracked by its own Fsm
    default:
      return to_idle({act(A::kSendNotification, kFsmError, fsm_error_subcode(S::kOpenSent))}, false);
  }
}

FsmResult step_open_confirm(const FsmEvent& e) {
  switch (e.type) {
    case E::kManualStop:
      return to_idle({act(A::kSendNotification, kCease, kCeaseAdminShutdown)}, false);
    case E::kAdminCease:
      return to_idle({act(A::kSendNotification, kCease, e.notify_subcode)}, false);
    case E::kHoldTimerExpires:
      return to_idle({act(A::kSendNotification, kHoldExpired, 0)}, false);
    case E::kKeepaliveTimerExpires:
      return {S::kOpenConfirm, {act(A::kSendKeepalive), act(A::kStartKeepaliveTimer)}};
    case E::kTcpConnectionFails:
    case E::kNotifMsg:
    case E::kNotifMsgVerErr:
      return to_idle({}, false);
    case E::kBgpHeaderErr:
    case E::kBgpOpenMsgErr:
      return to_idle({notify_of(e)}, false);
    case E::kOpenCollisionDump:
      return to_idle({act(A::kSendNotification, kCease, kCeaseCollision)}, false);
    case E::kKeepAliveMsg:
      return {S::kEstablished, {act(A::kRestartHoldTimer), act(A::kSessionEstablished)}};
    case E::kManualStart:
    case E::kManualStartPassive:
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
    case E::kConnectRetryTimerExpires:
    case E::kSendHoldTimerExpires:  // started on the KEEPALIVE that enters Established
      return {S::kOpenConfirm, {}};
    default:
      return to_idle({act(A::kSendNotification, kFsmError, fsm_error_subcode(S::kOpenConfirm))}, false);
  }
}

FsmResult step_established(const FsmEvent& e) {
  switch (e.type) {
    case E::kManualStop:
      return to_idle({act(A::kSendNotification, kCease, kCeaseAdminShutdown)}, true);
    case E::kAdminCease:
      return to_idle({act(A::kSendNotification, kCease, e.notify_subcode)}, true);
    case E::kHoldTimerExpires:
      return to_idle({act(A::kSendNotification, kHoldExpired, 0)}, true);
    case E::kSendHoldTimerExpires:
      // RFC 9687 §3.3: (optionally) the NOTIFICATION "Send Hold Timer Expired" (code 8,
      // subcode 0, no data, §5) if that does not delay the rest, release resources, drop the
      // connection, count the retry, Idle. The drop must not wait behind the stuck queue.
      return {S::kIdle,
              {act(A::kSendNotification, kSendHoldExpired, 0), act(A::kStopTimers), act(A::kStopConnectRetryTimer),
               act(A::kAbortConnection), act(A::kIncrementRetryCounter), act(A::kSessionDown)}};
    case E::kKeepaliveTimerExpires:
      return {S::kEstablished, {act(A::kSendKeepalive), act(A::kStartKeepaliveTimer)}};
    case E::kKeepAliveMsg:
      return {S::kEstablished, {act(A::kRestartHoldTimer)}};
    case E::kUpdateMsg:
      return {S::kEstablished, {act(A::kProcessMessage), act(A::kRestartHoldTimer)}};
    case E::kUpdateMsgErr:
    case E::kBgpHeaderErr:
      return to_idle({notify_of(e)}, true);
    case E::kOpenCollisionDump:
      return to_idle({act(A::kSendNotification, kCease, kCeaseCollision)}, true);
    case E::kTcpConnectionFails:
    case E::kNotifMsg:
    case E::kNotifMsgVerErr:
      return to_idle({}, true);
    case E::kManualStart:
    case E::kManualStartPassive:
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
    case E::kConnectRetryTimerExpires:
      return {S::kEstablished, {}};
    default:  // OPEN in Established and friends
      return to_idle({act(A::kSendNotification, kFsmError, fsm_error_subcode(S::kEstablished))}, true);
  }
}

}  // namespace

FsmResult fsm_step(FsmState state, const FsmEvent& e, bool passive) {
  switch (state) {
    case S::kIdle: return step_idle(e, passive);
    case S::kConnect:
    case S::kActive: return step_connect_or_active(state, e, passive);
    case S::kOpenSent: return step_open_sent(e);
    case S::kOpenConfirm: return step_open_confirm(e);
    case S::kEstablished: return step_established(e);
  }
  return {state, {}};
}

const char* to_string(FsmState s) {
  switch (s) {
    case S::kIdle: return "Idle";
    case S::kConnect: return "Connect";
    case S::kActive: return "Active";
    case S::kOpenSent: return "OpenSent";
    case S::kOpenConfirm: return "OpenConfirm";
    case S::kEstablished: return "Established";
  }
  return "?";
}

const char* to_string(FsmEventType e) {
  switch (e) {
    case E::kManualStart: return "ManualStart";
    case E::kManualStop: return "ManualStop";
    case E::kManualStartPassive: return "ManualStart_with_PassiveTcpEstablishment";
    case E::kConnectRetryTimerExpires: return "ConnectRetryTimer_Expires";
    case E::kHoldTimerExpires: return "HoldTimer_Expires";
    case E::kKeepaliveTimerExpires: return "KeepaliveTimer_Expires";
    case E::kTcpCrAcked: return "Tcp_CR_Acked";
    case E::kTcpConnectionConfirmed: return "TcpConnectionConfirmed";
    case E::kTcpConnectionFails: return "TcpConnectionFails";
    case E::kBgpOpen: return "BGPOpen";
    case E::kBgpHeaderErr: return "BGPHeaderErr";
    case E::kBgpOpenMsgErr: return "BGPOpenMsgErr";
    case E::kOpenCollisionDump: return "OpenCollisionDump";
    case E::kNotifMsgVerErr: return "NotifMsgVerErr";
    case E::kNotifMsg: return "NotifMsg";
    case E::kKeepAliveMsg: return "KeepAliveMsg";
    case E::kUpdateMsg: return "UpdateMsg";
    case E::kUpdateMsgErr: return "UpdateMsgErr";
    case E::kAdminCease: return "AdminCease";
    case E::kSendHoldTimerExpires: return "SendHoldTimer_Expires";
  }
  return "?";
}

const char* to_string(FsmActionType a) {
  switch (a) {
    case A::kConnect: return "Connect";
    case A::kDropConnection: return "DropConnection";
    case A::kSendOpen: return "SendOpen";
    case A::kSendKeepalive: return "SendKeepalive";
    case A::kSendNotification: return "SendNotification";
    case A::kStartConnectRetryTimer: return "StartConnectRetryTimer";
    case A::kStopConnectRetryTimer: return "StopConnectRetryTimer";
    case A::kStartHoldTimerLarge: return "StartHoldTimerLarge";
    case A::kStartHoldTimer: return "StartHoldTimer";
    case A::kStartKeepaliveTimer: return "StartKeepaliveTimer";
    case A::kStopTimers: return "StopTimers";
    case A::kSessionEstablished: return "SessionEstablished";
    case A::kSessionDown: return "SessionDown";
    case A::kProcessMessage: return "ProcessMessage";
    case A::kRestartHoldTimer: return "RestartHoldTimer";
    case A::kIncrementRetryCounter: return "IncrementRetryCounter";
    case A::kAbortConnection: return "AbortConnection";
  }
  return "?";
}

}  // namespace evpnd::bgp

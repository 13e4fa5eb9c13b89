#include <gtest/gtest.h>

#include <algorithm>

#include "bgp/fsm.hpp"

namespace evpnd::bgp {
namespace {
using A = FsmActionType;
using E = FsmEventType;
using S = FsmState;

bool has(const FsmResult& r, A a) {
  return std::any_of(r.actions.begin(), r.actions.end(), [a](const FsmAction& x) { return x.type == a; });
}
FsmAction notification(const FsmResult& r) {
  for (const auto& a : r.actions)
    if (a.type == A::kSendNotification) return a;
  return FsmAction{A::kConnect, 0, 0};
}

TEST(Fsm, Idle_ManualStart_ConnectsAndGoesToConnect) {
  auto r = fsm_step(S::kIdle, {E::kManualStart}, false);
  EXPECT_EQ(r.next, S::kConnect);
  EXPECT_TRUE(has(r, A::kConnect));
  EXPECT_TRUE(has(r, A::kStartConnectRetryTimer));
}

TEST(Fsm, Idle_ManualStartPassive_WaitsInActive) {
  auto r = fsm_step(S::kIdle, {E::kManualStart}, true);
  EXPECT_EQ(r.next, S::kActive);
  EXPECT_FALSE(has(r, A::kConnect));
  EXPECT_EQ(fsm_step(S::kIdle, {E::kManualStartPassive}, false).next, S::kActive);
}

TEST(Fsm, Idle_OtherEvents_Ignored) {
  for (auto e : {E::kHoldTimerExpires, E::kKeepAliveMsg, E::kUpdateMsg, E::kBgpOpen}) {
    auto r = fsm_step(S::kIdle, {e}, false);
    EXPECT_EQ(r.next, S::kIdle);
    EXPECT_TRUE(r.actions.empty());
  }
}

TEST(Fsm, ConnectOrActive_TcpUp_SendsOpenWithLargeHoldTimer) {
  for (auto [s, e] : {std::pair{S::kConnect, E::kTcpCrAcked}, std::pair{S::kActive, E::kTcpConnectionConfirmed}}) {
    auto r = fsm_step(s, {e}, false);
    EXPECT_EQ(r.next, S::kOpenSent);
    EXPECT_TRUE(has(r, A::kSendOpen));
    EXPECT_TRUE(has(r, A::kStartHoldTimerLarge));
  }
}

TEST(Fsm, Connect_TcpFails_GoesToActiveAndRetries) {
  auto r = fsm_step(S::kConnect, {E::kTcpConnectionFails}, false);
  EXPECT_EQ(r.next, S::kActive);
  EXPECT_TRUE(has(r, A::kStartConnectRetryTimer));
}

TEST(Fsm, OpenSent_ValidOpen_SendsKeepaliveGoesOpenConfirm) {
  auto r = fsm_step(S::kOpenSent, {E::kBgpOpen}, false);
  EXPECT_EQ(r.next, S::kOpenConfirm);
  EXPECT_TRUE(has(r, A::kSendKeepalive));
  EXPECT_TRUE(has(r, A::kStartHoldTimer));
  EXPECT_TRUE(has(r, A::kStartKeepaliveTimer));
}

TEST(Fsm, OpenSent_BadOpen_SendsGivenNotification) {
  auto r = fsm_step(S::kOpenSent, {E::kBgpOpenMsgErr, 2, 2}, false);
  EXPECT_EQ(r.next, S::kIdle);
  EXPECT_EQ(notification(r).code, 2);
  EXPECT_EQ(notification(r).subcode, 2);
  EXPECT_TRUE(has(r, A::kDropConnection));
  EXPECT_FALSE(has(r, A::kSessionDown));
}

TEST(Fsm, OpenSent_Update_FsmErrorSubcode1) {  // RFC 6608
  auto r = fsm_step(S::kOpenSent, {E::kUpdateMsg}, false);
  EXPECT_EQ(r.next, S::kIdle);
  EXPECT_EQ(notification(r).code, 5);
  EXPECT_EQ(notification(r).subcode, 1);
}

TEST(Fsm, OpenConfirm_Keepalive_Establishes) {
  auto r = fsm_step(S::kOpenConfirm, {E::kKeepAliveMsg}, false);
  EXPECT_EQ(r.next, S::kEstablished);
  EXPECT_TRUE(has(r, A::kSessionEstablished));
}

TEST(Fsm, OpenConfirm_Update_FsmErrorSubcode2) {
  auto r = fsm_step(S::kOpenConfirm, {E::kUpdateMsg}, false);
  EXPECT_EQ(notification(r).code, 5);
  EXPECT_EQ(notification(r).subcode, 2);
}

TEST(Fsm, Established_Open_FsmErrorSubcode3AndSessionDown) {
  auto r = fsm_step(S::kEstablished, {E::kBgpOpen}, false);
  EXPECT_EQ(r.next, S::kIdle);
  EXPECT_EQ(notification(r).code, 5);
  EXPECT_EQ(notification(r).subcode, 3);
  EXPECT_TRUE(has(r, A::kSessionDown));
}

TEST(Fsm, Established_HoldTimerExpires_Notification4) {
  for (auto s : {S::kOpenSent, S::kOpenConfirm, S::kEstablished}) {
    auto r = fsm_step(s, {E::kHoldTimerExpires}, false);
    EXPECT_EQ(r.next, S::kIdle);
    EXPECT_EQ(notification(r).code, 4);
    EXPECT_EQ(notification(r).subcode, 0);
    EXPECT_EQ(has(r, A::kSessionDown), s == S::kEstablished);
  }
}

// RFC 9687 §3.3: NOTIFICATION 8 (subcode 0), drop without waiting for the queue, Idle.
TEST(Fsm, Established_SendHoldTimerExpires_Notification8AndAbort) {
  auto r = fsm_step(S::kEstablished, {E::kSendHoldTimerExpires}, false);
  EXPECT_EQ(r.next, S::kIdle);
  EXPECT_EQ(notification(r), (FsmAction{A::kSendNotification, 8, 0}));
  EXPECT_TRUE(has(r, A::kAbortConnection));
  EXPECT_FALSE(has(r, A::kDropConnection));
  EXPECT_TRUE(has(r, A::kSessionDown));
  EXPECT_TRUE(has(r, A::kStopTimers));
  EXPECT_TRUE(has(r, A::kIncrementRetryCounter));
}

// The timer runs in Established only: a stale expiry elsewhere changes nothing.
TEST(Fsm, NotEstablished_SendHoldTimerExpires_Ignored) {
  for (auto s : {S::kIdle, S::kConnect, S::kActive, S::kOpenSent, S::kOpenConfirm}) {
    auto r = fsm_step(s, {E::kSendHoldTimerExpires}, false);
    EXPECT_EQ(r.next, s);
    EXPECT_TRUE(r.actions.empty());
  }
}

TEST(Fsm, Established_UpdateAndKeepalive_ProcessAndRestartHold) {
  auto r = fsm_step(S::kEstablished, {E::kUpdateMsg}, false);
  EXPECT_EQ(r.next, S::kEstablished);
  EXPECT_TRUE(has(r, A::kProcessMessage));
  EXPECT_TRUE(has(r, A::kRestartHoldTimer));
  auto k = fsm_step(S::kEstablished, {E::kKeepaliveTimerExpires}, false);
  EXPECT_TRUE(has(k, A::kSendKeepalive));
}

TEST(Fsm, Established_ManualStop_CeaseAdminShutdown) {
  auto r = fsm_step(S::kEstablished, {E::kManualStop}, false);
  EXPECT_EQ(notification(r).code, 6);
  EXPECT_EQ(notification(r).subcode, 2);
  EXPECT_TRUE(has(r, A::kSessionDown));
}

TEST(Fsm, Established_AdminCeaseMaxPrefix_Cease1) {
  auto r = fsm_step(S::kEstablished, {E::kAdminCease, 6, 1}, false);
  EXPECT_EQ(notification(r).code, 6);
  EXPECT_EQ(notification(r).subcode, 1);
}

TEST(Fsm, CollisionDump_CeaseCollision) {
  for (auto s : {S::kOpenSent, S::kOpenConfirm, S::kEstablished}) {
    auto r = fsm_step(s, {E::kOpenCollisionDump}, false);
    EXPECT_EQ(r.next, S::kIdle);
    EXPECT_EQ(notification(r).code, 6);
    EXPECT_EQ(notification(r).subcode, 7);
  }
}

TEST(Fsm, NotificationReceived_NoNotificationSent) {
  for (auto s : {S::kOpenSent, S::kOpenConfirm, S::kEstablished}) {
    auto r = fsm_step(s, {E::kNotifMsg}, false);
    EXPECT_EQ(r.next, S::kIdle);
    EXPECT_FALSE(has(r, A::kSendNotification));
  }
}

TEST(Fsm, Established_UpdateMsgErr_SendsCodeFromDecoder) {
  auto r = fsm_step(S::kEstablished, {E::kUpdateMsgErr, 3, 11}, false);
  EXPECT_EQ(notification(r).code, 3);
  EXPECT_EQ(notification(r).subcode, 11);
}

}  // namespace
}  // namespace evpnd::bgp

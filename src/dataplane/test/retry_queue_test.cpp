#include "dataplane/retry_queue.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;
using namespace std::chrono_literals;
using Time = RetryQueue::Time;

const Time t0{};
const RemoteMac kMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")};

TEST(RetryQueue_Failed, FirstRetryAfterBase_DoublingCapped) {
  RetryQueue q(RetryPolicy{100ms, 1000ms, 60s});
  q.failed(Intent::add(kMac), ENODEV, "no such device", t0);
  EXPECT_TRUE(q.due(t0 + 99ms).empty());
  ASSERT_EQ(q.due(t0 + 100ms).size(), 1u);
  EXPECT_EQ(q.next_due(), t0 + 100ms);
  // Each further failure doubles the wait: 200, 400, 800, then the cap (1000).
  Time now = t0 + 100ms;
  for (auto wait : {200ms, 400ms, 800ms, 1000ms, 1000ms}) {
    q.failed(Intent::add(kMac), ENODEV, "no such device", now);
    EXPECT_EQ(q.next_due(), now + wait);
    now += wait;
  }
  EXPECT_EQ(q.counters(IntentKind::kRemoteMac).failures, 6u);
  EXPECT_EQ(q.pending(IntentKind::kRemoteMac), 1u);
}

TEST(RetryQueue_Succeeded, ClearsPending_ButRepeatedDriftKeepsBackingOff) {
  RetryQueue q(RetryPolicy{100ms, 30000ms, 60s});
  const IntentKey k = key_of(kMac);
  q.drifted(kMac, t0);
  EXPECT_EQ(q.next_due(), t0 + 100ms);
  auto due = q.due(t0 + 100ms);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].second, Intent::add(kMac));
  q.succeeded(k, t0 + 100ms);
  EXPECT_FALSE(q.any_pending());
  EXPECT_FALSE(q.next_due());
  // Deleted again right away (someone fighting us): the wait grows instead of a tight loop.
  q.drifted(kMac, t0 + 150ms);
  EXPECT_EQ(q.next_due(), t0 + 150ms + 200ms);
  q.succeeded(k, t0 + 350ms);
  // Quiet for `forget`: back to the base delay.
  q.drifted(kMac, t0 + 350ms + 60s);
  EXPECT_EQ(q.next_due(), t0 + 350ms + 60s + 100ms);
  EXPECT_EQ(q.counters(IntentKind::kRemoteMac).drifts, 3u);
}

TEST(RetryQueue_Drifted, SecondNoticeWhilePending_CountedOnce) {
  RetryQueue q;
  q.drifted(kMac, t0);
  q.drifted(kMac, t0 + 10ms);
  EXPECT_EQ(q.counters(IntentKind::kRemoteMac).drifts, 1u);
  EXPECT_EQ(q.next_due(), t0 + 100ms);
}

TEST(RetryQueue_VniStatus, DeviceDrift_DeviceMissingUntilRecreated) {
  RetryQueue q;
  q.drifted(l2vni(100), t0);
  q.drifted(FloodEntry{100, ip("10.255.0.2")}, t0);
  auto st = q.vni_status();
  ASSERT_EQ(st.count(100), 1u);
  EXPECT_EQ(st[100].state, VniHealth::kDeviceMissing);
  EXPECT_EQ(st[100].pending, 2u);
  EXPECT_EQ(st[100].drifts, 2u);
  EXPECT_NE(st[100].last_error.find("flood-entry"), std::string::npos) << st[100].last_error;
  // Devices come first in due(), whatever the order of the notices.
  auto due = q.due(t0 + 1s);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].first.kind, IntentKind::kL2Vni);
  // Recreating fails: still missing, with the error.
  q.failed(due[0].second, EEXIST, "vxlan100 exists and is a dummy", t0 + 1s);
  EXPECT_EQ(q.vni_status()[100].state, VniHealth::kDeviceMissing);
  EXPECT_EQ(q.vni_status()[100].last_error, "vxlan100 exists and is a dummy");
  q.succeeded(due[0].first, t0 + 2s);
  EXPECT_EQ(q.vni_status()[100].state, VniHealth::kRetrying);  // the flood entry still waits
  q.succeeded(due[1].first, t0 + 2s);
  st = q.vni_status();
  EXPECT_EQ(st[100].state, VniHealth::kOk);
  EXPECT_EQ(st[100].pending, 0u);
  EXPECT_EQ(st[100].failures, 1u);
}

TEST(RetryQueue_Drop, UnwantedKey_NotRetried) {
  RetryQueue q;
  q.failed(Intent::add(kMac), ENODEV, "", t0);
  q.drop(key_of(kMac));
  EXPECT_TRUE(q.due(t0 + 1h).empty());
  EXPECT_FALSE(q.any_pending());
  EXPECT_EQ(q.pending(IntentKind::kRemoteMac), 0u);
}

TEST(RetryQueue_Due, NexthopDrift_NexthopThenGroupThenMacs_DeletesReversed) {
  // A deleted fdb nexthop takes its groups and (with a group) their MACs along in the kernel:
  // re-asserted in dependency order, or the MAC fails again with ENOENT.
  RetryQueue q;
  const uint32_t nh = kFdbNexthopIdBase + 1, grp = kFdbNexthopIdBase + 100;
  const RemoteMac m{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, grp};
  q.drifted(m, t0);
  q.drifted(FdbNexthopGroup{grp, {nh}}, t0);
  q.drifted(FdbNexthop{nh, ip("10.255.0.2")}, t0);
  q.drifted(l2vni(100), t0);
  q.failed(Intent::del(FdbNexthop{nh + 1, ip("10.255.0.3")}), EBUSY, "busy", t0);
  q.failed(Intent::del(FdbNexthopGroup{grp + 1, {nh + 1}}), EBUSY, "busy", t0);
  q.failed(Intent::del(RemoteMac{100, mac("02:00:00:00:0a:02"), ip("10.255.0.3")}), EIO, "io", t0);
  auto due = q.due(t0 + 1s);
  ASSERT_EQ(due.size(), 7u);
  EXPECT_EQ(due[0].first.kind, IntentKind::kL2Vni);
  EXPECT_EQ(due[1].second, Intent::add(FdbNexthop{nh, ip("10.255.0.2")}));
  EXPECT_EQ(due[2].second, Intent::add(FdbNexthopGroup{grp, {nh}}));
  EXPECT_EQ(due[3].second, Intent::add(m));
  EXPECT_EQ(due[4].second.kind(), IntentKind::kRemoteMac);
  EXPECT_EQ(due[5].second.kind(), IntentKind::kFdbNexthopGroup);
  EXPECT_EQ(due[6].second.kind(), IntentKind::kFdbNexthop);
}

TEST(IntentKey_Of, SameObjectDifferentAttributes_SameKey) {
  EXPECT_EQ(key_of(kMac), key_of(RemoteMac{100, kMac.mac, ip("10.255.0.3"), true}));
  EXPECT_NE(key_of(kMac), key_of(RemoteMac{200, kMac.mac, kMac.vtep}));
  EXPECT_EQ(key_of(VrfRoute{5000, pfx("10.0.0.0/24"), {ip("10.255.0.2")}}).vni, 5000u);
}

}  // namespace
}  // namespace evpnd::dataplane

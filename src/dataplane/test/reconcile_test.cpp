#include "dataplane/reconcile.hpp"

#include <gtest/gtest.h>

#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;

TEST(PlanReconcile_EmptyState, Everything_IsAddedVnisFirst) {
  std::vector<Intent> desired{Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")}),
                              Intent::add(l2vni(100))};
  auto plan = plan_reconcile(desired, DataplaneState{});
  ASSERT_EQ(plan.intents.size(), 2u);
  EXPECT_EQ(plan.intents[0].kind(), IntentKind::kL2Vni);
  EXPECT_EQ(plan.intents[1].kind(), IntentKind::kRemoteMac);
  EXPECT_EQ(plan.adds, 2u);
}

TEST(PlanReconcile_MatchingState, Nothing_IsPlanned) {
  DataplaneState cur;
  auto v = l2vni(100);
  v.bridge_mac = mac("02:00:5e:00:01:01");
  cur.l2vnis.push_back(v);
  cur.routes.push_back(VrfRoute{5000, pfx("10.1.0.0/16"), {ip("10.255.0.3"), ip("10.255.0.2")}});
  auto want = l2vni(100);  // no bridge_mac: don't care
  std::vector<Intent> desired{Intent::add(want),
                              Intent::add(VrfRoute{5000, pfx("10.1.0.0/16"), {ip("10.255.0.2"), ip("10.255.0.3")}})};
  auto plan = plan_reconcile(desired, cur);
  EXPECT_TRUE(plan.intents.empty());
  EXPECT_EQ(plan.unchanged, 2u);
}

TEST(PlanReconcile_StaleOurs, Deleted_BeforeAdds) {
  DataplaneState cur;
  cur.remote_neighbours.push_back(RemoteNeighbour{5000, ip("10.255.0.2"), mac("02:00:0a:ff:00:02")});
  std::vector<Intent> desired{Intent::add(RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")})};
  auto plan = plan_reconcile(desired, cur);
  ASSERT_EQ(plan.intents.size(), 2u);
  EXPECT_EQ(plan.intents[0].action, Action::kDelete);
  EXPECT_EQ(plan.intents[0].kind(), IntentKind::kRemoteNeighbour);
  EXPECT_EQ(plan.intents[1].action, Action::kAdd);
  EXPECT_EQ(plan.removes, 1u);
}

TEST(PlanReconcile_ChangedVtep, MacIsReAdded) {
  DataplaneState cur;
  cur.remote_macs.push_back(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")});
  std::vector<Intent> desired{Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.3")})};
  auto plan = plan_reconcile(desired, cur);
  ASSERT_EQ(plan.intents.size(), 1u);
  EXPECT_EQ(plan.intents[0], desired[0]);
}

TEST(PlanReconcile_L2VniDifferentPort, IsEnsuredAgain) {
  DataplaneState cur;
  auto v = l2vni(100);
  v.dstport = 8472;
  cur.l2vnis.push_back(v);
  std::vector<Intent> desired{Intent::add(l2vni(100))};
  EXPECT_EQ(plan_reconcile(desired, cur).adds, 1u);
}

TEST(PlanReconcile_L2VniNotDesired, IsNeverRemoved) {
  DataplaneState cur;
  cur.l2vnis.push_back(l2vni(100));
  auto plan = plan_reconcile({}, cur);
  EXPECT_TRUE(plan.intents.empty());
}

}  // namespace
}  // namespace evpnd::dataplane

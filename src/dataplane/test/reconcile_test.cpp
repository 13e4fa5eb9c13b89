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

TEST(PlanReconcile_RouteViaCe, KeptWhenSameReplacedWhenItWasViaVteps) {
  const VrfRoute ce{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, true};
  DataplaneState same;
  same.routes.push_back(ce);
  std::vector<Intent> desired{Intent::add(ce)};
  auto plan = plan_reconcile(desired, same);
  EXPECT_TRUE(plan.intents.empty());
  EXPECT_EQ(plan.unchanged, 1u);
  // Same prefix and table, but the kernel has it via a VTEP (onlink): ours is put back.
  DataplaneState vtep;
  vtep.routes.push_back(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, false});
  plan = plan_reconcile(desired, vtep);
  ASSERT_EQ(plan.intents.size(), 1u);
  EXPECT_EQ(plan.intents[0], desired[0]);
}

TEST(InstalledObjects_Routes, AfterTheSviAddressesAndRmacsTheyResolveThrough) {
  DataplaneState s;
  s.routes.push_back(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, true});
  s.routes.push_back(VrfRoute{5000, pfx("10.20.0.0/16"), {ip("10.255.0.2")}});
  s.remote_rmacs.push_back(RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")});
  s.svi_addresses.push_back(SviAddress{100, ip("192.168.100.1"), 24});
  s.l3vnis.push_back(l3vni(5000));
  auto objs = installed_objects(s);
  ASSERT_EQ(objs.size(), 5u);
  auto pos = [&](IntentKind k) {
    for (size_t i = 0; i < objs.size(); ++i)
      if (static_cast<IntentKind>(objs[i].index()) == k) return i;
    return objs.size();
  };
  EXPECT_LT(pos(IntentKind::kL3Vni), pos(IntentKind::kSviAddress));
  EXPECT_LT(pos(IntentKind::kSviAddress), pos(IntentKind::kVrfRoute));
  EXPECT_LT(pos(IntentKind::kRemoteRmac), pos(IntentKind::kVrfRoute));
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

// ---- multihoming: fdb nexthops, groups, nhid MACs, synced MACs, attachments -----------------
constexpr uint32_t kNh1 = kFdbNexthopIdBase + 1, kNh2 = kFdbNexthopIdBase + 2, kNh3 = kFdbNexthopIdBase + 3;
constexpr uint32_t kGrp = kFdbNexthopIdBase + 100, kGrpOld = kFdbNexthopIdBase + 101;

size_t position(const ReconcilePlan& p, Action a, IntentKind k) {
  for (size_t i = 0; i < p.intents.size(); ++i)
    if (p.intents[i].action == a && p.intents[i].kind() == k) return i;
  return SIZE_MAX;
}

TEST(PlanReconcile_Multihoming, EmptyState_NexthopsThenGroupsThenMacs) {
  const RemoteMac m{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, kGrp};
  std::vector<Intent> desired{Intent::add(m), Intent::add(FdbNexthopGroup{kGrp, {kNh2, kNh1}}),
                              Intent::add(FdbNexthop{kNh1, ip("10.255.0.2")}),
                              Intent::add(FdbNexthop{kNh2, ip("10.255.0.3")}), Intent::add(l2vni(100))};
  auto plan = plan_reconcile(desired, DataplaneState{});
  ASSERT_EQ(plan.intents.size(), 5u);
  EXPECT_EQ(plan.intents[0].kind(), IntentKind::kL2Vni);
  EXPECT_EQ(plan.intents[1].kind(), IntentKind::kFdbNexthop);
  EXPECT_EQ(plan.intents[2].kind(), IntentKind::kFdbNexthop);
  EXPECT_EQ(plan.intents[3].kind(), IntentKind::kFdbNexthopGroup);
  EXPECT_EQ(plan.intents[4], Intent::add(m));  // with its VTEP, for the provider's views
}

TEST(PlanReconcile_Multihoming, NhidMacReadBackWithoutVtep_Unchanged) {
  // The kernel keeps no VTEP for an nhid entry; the dump reports none. Members in any order.
  DataplaneState cur;
  cur.fdb_nexthops = {FdbNexthop{kNh1, ip("10.255.0.2")}, FdbNexthop{kNh2, ip("10.255.0.3")}};
  cur.fdb_nexthop_groups = {FdbNexthopGroup{kGrp, {kNh1, kNh2}}};
  cur.remote_macs = {RemoteMac{100, mac("02:00:00:00:0a:01"), IpAddress{}, false, kGrp}};
  std::vector<Intent> desired{Intent::add(FdbNexthop{kNh1, ip("10.255.0.2")}),
                              Intent::add(FdbNexthop{kNh2, ip("10.255.0.3")}),
                              Intent::add(FdbNexthopGroup{kGrp, {kNh2, kNh1}}),
                              Intent::add(RemoteMac{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, kGrp})};
  auto plan = plan_reconcile(desired, cur);
  EXPECT_TRUE(plan.intents.empty()) << to_string(plan.intents[0]);
  EXPECT_EQ(plan.unchanged, 4u);
}

TEST(PlanReconcile_Multihoming, VtepFormVersusNhidForm_MacReAdded) {
  DataplaneState cur;
  cur.remote_macs = {RemoteMac{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2")}};
  cur.fdb_nexthop_groups = {FdbNexthopGroup{kGrp, {kNh1}}};
  cur.fdb_nexthops = {FdbNexthop{kNh1, ip("10.255.0.2")}};
  const RemoteMac m{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, kGrp};
  std::vector<Intent> desired{Intent::add(FdbNexthop{kNh1, ip("10.255.0.2")}),
                              Intent::add(FdbNexthopGroup{kGrp, {kNh1}}), Intent::add(m)};
  auto plan = plan_reconcile(desired, cur);
  ASSERT_EQ(plan.intents.size(), 1u);
  EXPECT_EQ(plan.intents[0], Intent::add(m));
}

TEST(PlanReconcile_Multihoming, StaleGroupAndNexthop_DeletedAfterMacsMovedInReverseOrder) {
  // MAC moves from the stale group to a new one over a new nexthop: add nexthop, add group,
  // re-point the MAC, and only then delete the old group and then its nexthop.
  DataplaneState cur;
  cur.fdb_nexthops = {FdbNexthop{kNh1, ip("10.255.0.2")}, FdbNexthop{kNh3, ip("10.255.0.9")}};
  cur.fdb_nexthop_groups = {FdbNexthopGroup{kGrpOld, {kNh3}}};
  cur.remote_macs = {RemoteMac{100, mac("02:00:00:00:0a:01"), IpAddress{}, false, kGrpOld}};
  cur.synced_macs = {SyncedMac{100, mac("02:00:00:00:0b:01"), "es1-100"}};
  std::vector<Intent> desired{Intent::add(FdbNexthop{kNh1, ip("10.255.0.2")}),
                              Intent::add(FdbNexthop{kNh2, ip("10.255.0.3")}),
                              Intent::add(FdbNexthopGroup{kGrp, {kNh1, kNh2}}),
                              Intent::add(RemoteMac{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, kGrp})};
  auto plan = plan_reconcile(desired, cur);
  const size_t synced_del = position(plan, Action::kDelete, IntentKind::kSyncedMac);
  const size_t nh_add = position(plan, Action::kAdd, IntentKind::kFdbNexthop);
  const size_t grp_add = position(plan, Action::kAdd, IntentKind::kFdbNexthopGroup);
  const size_t mac_add = position(plan, Action::kAdd, IntentKind::kRemoteMac);
  const size_t grp_del = position(plan, Action::kDelete, IntentKind::kFdbNexthopGroup);
  const size_t nh_del = position(plan, Action::kDelete, IntentKind::kFdbNexthop);
  ASSERT_EQ(plan.intents.size(), 6u);
  EXPECT_LT(synced_del, nh_add);
  EXPECT_LT(nh_add, grp_add);
  EXPECT_LT(grp_add, mac_add);
  EXPECT_LT(mac_add, grp_del);
  EXPECT_LT(grp_del, nh_del);
  EXPECT_EQ(plan.intents[nh_del], Intent::del(FdbNexthop{kNh3, ip("10.255.0.9")}));
  EXPECT_EQ(plan.adds, 3u);
  EXPECT_EQ(plan.removes, 3u);
  EXPECT_EQ(plan.unchanged, 1u);
}

TEST(PlanReconcile_Multihoming, AttachmentDifferent_Reapplied) {
  DataplaneState cur;
  EsAttachment a{100, "es1-100"};
  cur.es_attachments = {a};
  a.blocked = true;
  auto plan = plan_reconcile(std::vector{Intent::add(a)}, cur);
  ASSERT_EQ(plan.intents.size(), 1u);
  EXPECT_EQ(plan.intents[0], Intent::add(a));
  EXPECT_EQ(plan_reconcile(std::vector{Intent::add(a)}, DataplaneState{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {a}}).adds, 0u);
}

}  // namespace
}  // namespace evpnd::dataplane

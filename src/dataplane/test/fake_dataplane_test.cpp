#include "dataplane/fake/fake_dataplane.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;

std::vector<DataplaneEvent> drain(FakeDataplane& dp) {
  std::vector<DataplaneEvent> ev;
  dp.poll_events(ev);
  return ev;
}

TEST(FakeDataplane_RemoteMac, UnknownVni_FailsWithEnodevAndKeepsGoing) {
  FakeDataplane dp;
  std::vector<Intent> b{Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")}),
                        Intent::add(l2vni(100)),
                        Intent::add(RemoteMac{100, mac("02:00:00:00:00:02"), ip("10.255.0.2")})};
  auto r = dp.apply(b);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].index, 0u);
  EXPECT_EQ(r.errors[0].error, ENODEV);
  EXPECT_EQ(r.applied, 2u);
  EXPECT_EQ(dp.remote_mac(100, mac("02:00:00:00:00:01")), nullptr);
  ASSERT_NE(dp.remote_mac(100, mac("02:00:00:00:00:02")), nullptr);
}

TEST(FakeDataplane_Apply, SameBatchTwice_SecondChangesNothing) {
  FakeDataplane dp;
  std::vector<Intent> b{Intent::add(l2vni(100)), Intent::add(l3vni(5000)),
                        Intent::add(FloodEntry{100, ip("10.255.0.2")}),
                        Intent::add(RemoteMac{100, mac("02:00:00:00:00:02"), ip("10.255.0.2")}),
                        Intent::add(RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}),
                        Intent::add(VrfRoute{5000, pfx("192.168.100.12/32"), {ip("10.255.0.2")}})};
  ASSERT_TRUE(dp.apply(b).ok());
  const size_t after_first = dp.mutations();
  EXPECT_EQ(after_first, 6u);
  ASSERT_TRUE(dp.apply(b).ok());
  EXPECT_EQ(dp.mutations(), after_first);
}

TEST(FakeDataplane_Delete, AbsentEntry_Succeeds) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100))}).ok());
  auto r = dp.apply(std::vector{Intent::del(RemoteMac{100, mac("02:00:00:00:00:09"), ip("10.255.0.2")}),
                                Intent::del(FloodEntry{100, ip("10.255.0.9")})});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.applied, 2u);
}

TEST(FakeDataplane_RemoveL2Vni, EntriesBelow_AreRemovedToo) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100)), Intent::add(FloodEntry{100, ip("10.255.0.2")}),
                                   Intent::add(RemoteMac{100, mac("02:00:00:00:00:02"), ip("10.255.0.2")})})
                  .ok());
  ASSERT_TRUE(dp.apply(std::vector{Intent::del(l2vni(100))}).ok());
  EXPECT_FALSE(dp.has_flood_entry(100, ip("10.255.0.2")));
  EXPECT_EQ(dp.remote_mac_count(), 0u);
  EXPECT_TRUE(dp.l2vnis().empty());
}

TEST(FakeDataplane_LocalLearn, KnownVni_QueuesEventOnce) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100))}).ok());
  dp.learn_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1");
  dp.learn_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1");  // refresh: no new event
  dp.learn_local_mac(200, mac("02:00:00:00:02:10"), "rl1-h2");  // unknown VNI: dropped
  auto ev = drain(dp);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<LocalMacLearned>(ev[0]), (LocalMacLearned{100, mac("02:00:00:00:01:10"), "rl1-h1", false}));
  dp.age_local_mac(100, mac("02:00:00:00:01:10"));
  ev = drain(dp);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<LocalMacAged>(ev[0]).mac, mac("02:00:00:00:01:10"));
}

TEST(FakeDataplane_RemoteMac, OverLocalMac_TakesOverAndReportsAged) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100))}).ok());
  dp.learn_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1");
  drain(dp);
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(RemoteMac{100, mac("02:00:00:00:01:10"), ip("10.255.0.2")})}).ok());
  auto ev = drain(dp);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<LocalMacAged>(ev[0]));
  EXPECT_EQ(dp.local_mac_count(), 0u);
  // And back: a local learn takes the bridge entry over again.
  dp.learn_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1");
  EXPECT_EQ(dp.remote_mac(100, mac("02:00:00:00:01:10")), nullptr);
  EXPECT_EQ(drain(dp).size(), 1u);
}

TEST(FakeDataplane_Route, NoNexthop_IsRejected) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l3vni(5000))}).ok());
  auto r = dp.apply(std::vector{Intent::add(VrfRoute{5000, pfx("10.1.0.0/16"), {}})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].error, EINVAL);
}

TEST(FakeDataplane_Route, EcmpNexthops_AreStoredSortedUnique) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l3vni(5000)),
                                   Intent::add(VrfRoute{5000, pfx("10.1.0.0/16"),
                                                        {ip("10.255.0.3"), ip("10.255.0.2"), ip("10.255.0.3")}})})
                  .ok());
  const auto* r = dp.route(5000, pfx("10.1.0.0/16"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->nexthops, (std::vector{ip("10.255.0.2"), ip("10.255.0.3")}));
}

TEST(FakeDataplane_Route, ViaCe_ReplacesRouteViaVtepsUnderSameKeyAndDumpsLocal) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l3vni(5000)),
                                   Intent::add(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("10.255.0.2")}})})
                  .ok());
  const VrfRoute ce{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, true};
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(ce)}).ok());
  ASSERT_NE(dp.route(5000, pfx("10.244.1.0/26")), nullptr);
  EXPECT_EQ(*dp.route(5000, pfx("10.244.1.0/26")), ce);
  auto st = dp.dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->routes, std::vector{ce});
  ASSERT_TRUE(dp.apply(std::vector{Intent::del(VrfRoute{5000, pfx("10.244.1.0/26"), {}, 20, true})}).ok());
  EXPECT_EQ(dp.route(5000, pfx("10.244.1.0/26")), nullptr);
}

TEST(FakeDataplane_Route, ViaCeOfOtherFamily_IsRejected) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l3vni(5000))}).ok());
  auto r = dp.apply(std::vector{Intent::add(VrfRoute{5000, pfx("2001:db8:244::/64"), {ip("192.168.100.11")}, 20, true})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].error, EAFNOSUPPORT);
}

TEST(FakeDataplane_Reconcile, StaleOursAndMissing_OnlyDiffApplied) {
  FakeDataplane dp;
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100)),
                                   Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")}),
                                   Intent::add(RemoteMac{100, mac("02:00:00:00:00:02"), ip("10.255.0.2")}),
                                   Intent::add(FloodEntry{100, ip("10.255.0.9")})})
                  .ok());
  dp.learn_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1");
  const size_t before = dp.mutations();
  std::vector<Intent> desired{Intent::add(l2vni(100)),
                              Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")}),
                              Intent::add(RemoteMac{100, mac("02:00:00:00:00:02"), ip("10.255.0.3")}),
                              Intent::add(FloodEntry{100, ip("10.255.0.2")})};
  auto rep = dp.reconcile(desired);
  EXPECT_TRUE(rep.errors.empty());
  EXPECT_EQ(rep.unchanged, 2u);  // the L2VNI and MAC ..:01
  EXPECT_EQ(rep.added, 2u);      // MAC ..:02 moved, new flood entry
  EXPECT_EQ(rep.removed, 1u);    // stale flood entry 10.255.0.9
  EXPECT_EQ(dp.mutations(), before + 3);
  EXPECT_EQ(dp.local_mac_count(), 1u);  // local learning is never ours to remove
  auto again = dp.reconcile(desired);
  EXPECT_EQ(again.added + again.removed, 0u);
  EXPECT_EQ(again.unchanged, 4u);
}

TEST(FakeDataplane_RemoveBehindBack, EntryAndDevice_RemovedAndReportedAsOwnedRemoved) {
  FakeDataplane dp;
  const RemoteMac m{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")};
  ASSERT_TRUE(dp.apply(std::vector{Intent::add(l2vni(100)), Intent::add(m), Intent::add(FloodEntry{100, ip("10.255.0.2")})}).ok());
  drain(dp);
  // The key is enough to find it (a deleted bridge entry carries no VTEP).
  dp.remove_behind_back(RemoteMac{100, m.mac, {}});
  EXPECT_EQ(dp.remote_mac(100, m.mac), nullptr);
  auto ev = drain(dp);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0], DataplaneEvent(OwnedEntryRemoved{m}));
  dp.remove_behind_back(l2vni(100));
  EXPECT_FALSE(dp.has_flood_entry(100, ip("10.255.0.2")));
  EXPECT_TRUE(dp.l2vnis().empty());
  ev = drain(dp);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0], DataplaneEvent(OwnedEntryRemoved{l2vni(100)}));
  dp.remove_behind_back(l2vni(100));  // not there: nothing to report
  EXPECT_TRUE(drain(dp).empty());
}

TEST(FakeDataplane_Apply, Failure_NamesTheIntent) {
  FakeDataplane dp;
  const Intent i = Intent::add(RemoteMac{100, mac("02:00:00:00:00:01"), ip("10.255.0.2")});
  auto r = dp.apply(std::vector{i});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].intent, i);
}

}  // namespace
}  // namespace evpnd::dataplane

// NexthopGroups: ids from evpnd's range, one FdbNexthop per VTEP shared by groups, intents in an
// order the data plane accepts (FakeDataplane refuses dangling references like the kernel).
#include "evpn/nexthop_groups.hpp"

#include <gtest/gtest.h>

#include "dataplane/fake/fake_dataplane.hpp"
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

using dataplane::Action;
using dataplane::FdbNexthop;
using dataplane::FdbNexthopGroup;

const NhgKey kA{NhgUse::kRemoteEs, *Esi::parse("00:11:22:33:44:55:66:77:88:99"), 100, {}};
const NhgKey kB{NhgUse::kLocalPeers, *Esi::parse("00:11:22:33:44:55:66:77:88:99"), 0, {}};

class NexthopGroupsTest : public ::testing::Test {
 protected:
  void apply(const std::vector<dataplane::Intent>& in) {
    auto res = dp.apply(in);
    ASSERT_TRUE(res.ok()) << res.errors[0].message;
  }
  NexthopGroups nhg;
  dataplane::FakeDataplane dp;
};

TEST_F(NexthopGroupsTest, Acquire_NexthopsThenGroupFromEvpndRange) {
  auto a = nhg.acquire(kA, {ip("10.255.0.3"), ip("10.255.0.2"), ip("10.255.0.2")});
  ASSERT_EQ(a.intents.size(), 3u);
  EXPECT_NE(a.intents[0].get<FdbNexthop>(), nullptr);
  EXPECT_NE(a.intents[1].get<FdbNexthop>(), nullptr);
  const auto* g = a.intents[2].get<FdbNexthopGroup>();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->id, a.id);
  EXPECT_EQ(g->members.size(), 2u);
  EXPECT_TRUE(std::is_sorted(g->members.begin(), g->members.end()));
  for (const auto& i : a.intents) {
    const uint32_t id = i.get<FdbNexthop>() ? i.get<FdbNexthop>()->id : i.get<FdbNexthopGroup>()->id;
    EXPECT_GE(id, dataplane::kFdbNexthopIdBase);
    EXPECT_LT(id, dataplane::kFdbNexthopIdEnd);
  }
  apply(a.intents);
  EXPECT_EQ(dp.fdb_nexthop_groups().at(a.id).members, g->members);
}

TEST_F(NexthopGroupsTest, SecondAcquireSameMembers_NoIntentsSameId) {
  auto a = nhg.acquire(kA, {ip("10.255.0.2")});
  auto b = nhg.acquire(kA, {ip("10.255.0.2")});
  EXPECT_EQ(a.id, b.id);
  EXPECT_TRUE(b.intents.empty());
  EXPECT_EQ(nhg.refs(kA), 2u);
  EXPECT_TRUE(nhg.release(kA).empty());  // still referenced
  EXPECT_EQ(nhg.release(kA).size(), 2u);  // group, then its nexthop
}

TEST_F(NexthopGroupsTest, GroupsShareVtepNexthop_DeletedWithLastGroup) {
  auto a = nhg.acquire(kA, {ip("10.255.0.2"), ip("10.255.0.3")});
  auto b = nhg.acquire(kB, {ip("10.255.0.2")});
  ASSERT_EQ(b.intents.size(), 1u);  // only the group: .2's nexthop exists
  apply(a.intents);
  apply(b.intents);
  auto ra = nhg.release(kA);
  ASSERT_EQ(ra.size(), 2u);  // group A, nexthop .3 (.2 is still B's)
  EXPECT_EQ(ra[0].action, Action::kDelete);
  EXPECT_NE(ra[0].get<FdbNexthopGroup>(), nullptr);
  EXPECT_EQ(ra[1].get<FdbNexthop>()->vtep, ip("10.255.0.3"));
  apply(ra);
  apply(nhg.release(kB));
  EXPECT_TRUE(dp.fdb_nexthops().empty());
  EXPECT_TRUE(dp.fdb_nexthop_groups().empty());
  EXPECT_EQ(nhg.nexthops(), 0u);
}

TEST_F(NexthopGroupsTest, UpdateShrink_OneGroupReplaceThenNexthopDelete) {
  auto a = nhg.acquire(kA, {ip("10.255.0.2"), ip("10.255.0.3")});
  apply(a.intents);
  auto u = nhg.update(kA, {ip("10.255.0.3")});
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].action, Action::kAdd);
  EXPECT_EQ(u[0].get<FdbNexthopGroup>()->id, a.id);
  EXPECT_EQ(u[1].action, Action::kDelete);
  EXPECT_EQ(u[1].get<FdbNexthop>()->vtep, ip("10.255.0.2"));
  apply(u);  // FakeDataplane: EBUSY had the nexthop gone first
  EXPECT_EQ(nhg.members(kA), std::vector<IpAddress>{ip("10.255.0.3")});
}

TEST_F(NexthopGroupsTest, UpdateSwap_NexthopAddReplaceDelete) {  // single-active backup swap
  apply(nhg.acquire(kA, {ip("10.255.0.2")}).intents);
  auto u = nhg.update(kA, {ip("10.255.0.3")});
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].get<FdbNexthop>()->vtep, ip("10.255.0.3"));
  EXPECT_NE(u[1].get<FdbNexthopGroup>(), nullptr);
  EXPECT_EQ(u[2].action, Action::kDelete);
  apply(u);
}

TEST_F(NexthopGroupsTest, UpdateEmptyOrUnknown_NothingChanges) {
  apply(nhg.acquire(kA, {ip("10.255.0.2")}).intents);
  EXPECT_TRUE(nhg.update(kA, {}).empty());
  EXPECT_EQ(nhg.members(kA), std::vector<IpAddress>{ip("10.255.0.2")});
  EXPECT_TRUE(nhg.update(kB, {ip("10.255.0.2")}).empty());
  EXPECT_EQ(nhg.acquire(kB, {}).id, 0u);
  EXPECT_EQ(nhg.groups(), 1u);
}

TEST_F(NexthopGroupsTest, FreedIdNotReusedByNextAllocation) {
  auto a = nhg.acquire(kA, {ip("10.255.0.2")});
  nhg.release(kA);
  auto b = nhg.acquire(kB, {ip("10.255.0.2")});
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(*nhg.nexthop_id(ip("10.255.0.2")), a.id);
}

TEST_F(NexthopGroupsTest, Desired_NexthopsBeforeGroups) {
  nhg.acquire(kA, {ip("10.255.0.2"), ip("10.255.0.3")});
  nhg.acquire(kB, {ip("10.255.0.4")});
  auto d = nhg.desired();
  ASSERT_EQ(d.size(), 5u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(d[i].get<FdbNexthop>(), nullptr);
  apply(d);
}

}  // namespace
}  // namespace evpnd::evpn::test

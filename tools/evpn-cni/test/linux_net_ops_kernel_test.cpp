// Kernel tests of LinuxNetOps::ensure_veth and configure_container (linux_netns_kernel_test.cpp:
// announce, a path-only namespace, delete and lookups): run as root in namespaces they create
// (cni_kernel_lab.hpp), removed by RAII guards; skipped otherwise. The kernel state is checked
// with iproute2's JSON output, not with the netlink parser under test.
#include "evpn-cni/linux_net_ops.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "cni_kernel_lab.hpp"

namespace evpnd::cni {
namespace {

using namespace test;

TEST(LinuxNetOpsKernel_EnsureVeth, Fresh_PairInBridgeWithMacMtu_SecondCallNoOp) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  const std::string before = thread_netns();
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  expect_attached(lab, lab.pod.path(), *a, 1450);  // MTU: the bridge's
  auto again = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->host.ifindex, a->host.ifindex);  // not recreated
  EXPECT_EQ(again->container.ifindex, a->container.ifindex);
  expect_attached(lab, lab.pod.path(), *again, 1450);
  EXPECT_EQ(thread_netns(), before);  // never left our namespace
}

TEST(LinuxNetOpsKernel_EnsureVeth, MtuGiven_BothEnds) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  VethSpec s = lab.spec(lab.pod.path());
  s.mtu = 1400;
  auto a = lab.ops->ensure_veth(s);
  ASSERT_TRUE(a) << a.error().message;
  expect_attached(lab, lab.pod.path(), *a, 1400);
}

// A pair in place but with none of its settings (down, no master, other MTU and MAC): completed
// in place, not recreated. Then one on another bridge: moved to ours.
TEST(LinuxNetOpsKernel_EnsureVeth, PairWithoutConfig_CompletedInPlace) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.node.ip(fmt::format("link add {} mtu 1500 type veth peer name eth0 netns {}", kHost, lab.pod.name())), 0);
  const int host_index = node_link(lab.node, kHost).value("ifindex", 0);
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->host.ifindex, host_index);
  expect_attached(lab, lab.pod.path(), *a, 1450);

  ASSERT_EQ(lab.node.ip("link add br-old type bridge"), 0);
  ASSERT_EQ(lab.node.ip(fmt::format("link set {} master br-old", kHost)), 0);
  ASSERT_EQ(lab.pod.ip("link set eth0 down"), 0);
  auto b = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->host.ifindex, host_index);
  expect_attached(lab, lab.pod.path(), *b, 1450);
}

// Names taken by devices that are not veths: an error, and nothing of theirs is touched.
TEST(LinuxNetOpsKernel_EnsureVeth, NamesTakenByOtherKinds_ErrorAndUntouched) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.node.ip(fmt::format("link add {} type bridge", kHost)), 0);
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kFailed);
  EXPECT_EQ(node_link(lab.node, kHost)["linkinfo"].value("info_kind", ""), "bridge");
  EXPECT_TRUE(pod_link(lab.pod.path(), "eth0").is_null());
  ASSERT_EQ(lab.node.ip(fmt::format("link del {}", kHost)), 0);
  ASSERT_EQ(lab.node.ip("link add evt-v0 type veth peer name evt-v1"), 0);
  VethSpec s = lab.spec(lab.pod.path());
  s.bridge = "evt-v0";  // not a bridge
  a = lab.ops->ensure_veth(s);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kFailed);
  EXPECT_NE(a.error().message.find("not a bridge"), std::string::npos) << a.error().message;
}

// The host end exists but its peer is not the container's eth0 (still in the node namespace, or
// in the pod under another name): a leftover, replaced.
TEST(LinuxNetOpsKernel_EnsureVeth, HostEndWithForeignPeer_Replaced) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.node.ip(fmt::format("link add {} type veth peer name evt-tmp", kHost)), 0);
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  expect_attached(lab, lab.pod.path(), *a, 1450);
  EXPECT_TRUE(node_link(lab.node, "evt-tmp").is_null());  // went with the old host end

  ASSERT_EQ(lab.ops->delete_veth(lab.node.name(), kHost).has_value(), true);
  ASSERT_EQ(lab.node.ip(fmt::format("link add {} type veth peer name tmp0 netns {}", kHost, lab.pod.name())), 0);
  auto b = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(b) << b.error().message;
  expect_attached(lab, lab.pod.path(), *b, 1450);
  EXPECT_TRUE(pod_link(lab.pod.path(), "tmp0").is_null());
}

// CNI_IFNAME taken in the container by something that is not our peer: an error, and it stays.
TEST(LinuxNetOpsKernel_EnsureVeth, IfnameTakenByOther_ErrorAndUntouched) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.pod.ip("link add eth0 type veth peer name other0"), 0);
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kFailed);
  EXPECT_NE(a.error().message.find("not the peer"), std::string::npos) << a.error().message;
  EXPECT_FALSE(pod_link(lab.pod.path(), "other0").is_null());
  // Also when our host end exists (paired with something else).
  ASSERT_EQ(lab.node.ip(fmt::format("link add {} type veth peer name evt-tmp", kHost)), 0);
  EXPECT_FALSE(lab.ops->ensure_veth(lab.spec(lab.pod.path())));
  EXPECT_FALSE(pod_link(lab.pod.path(), "other0").is_null());
}

TEST(LinuxNetOpsKernel_EnsureVeth, MissingNamespaceOrBridge_NotFound) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  VethSpec s = lab.spec(lab.pod.path() + "-gone");
  auto a = lab.ops->ensure_veth(s);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kNotFound) << a.error().message;
  s = lab.spec(lab.pod.path());
  s.bridge = "br9999";
  a = lab.ops->ensure_veth(s);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kNotFound) << a.error().message;
  s = lab.spec(lab.pod.path());
  s.bridge_netns = lab.node.name() + "-gone";
  a = lab.ops->ensure_veth(s);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kNotFound) << a.error().message;
  // A file that is not a namespace (a stale mount point): not there either.
  const std::string stale = fmt::format("/tmp/evt-cni-{}-stale", getpid());
  std::ofstream(stale).put('x');
  a = lab.ops->ensure_veth(lab.spec(stale));
  std::remove(stale.c_str());
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, NetError::Kind::kNotFound) << a.error().message;
  EXPECT_TRUE(node_link(lab.node, kHost).is_null());  // nothing half-made left behind
}

std::set<std::string> addr_set(const json& addrs) {
  std::set<std::string> out;
  for (const auto& a : addrs)
    if (a.value("scope", "") == "global") out.insert(a.value("local", "") + "/" + std::to_string(a.value("prefixlen", 0)));
  return out;
}

TEST(LinuxNetOpsKernel_ConfigureContainer, ExactAddressesAndRoutes_Idempotent) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.ops->ensure_veth(lab.spec(lab.pod.path())));
  ASSERT_EQ(lab.pod.ip("link set lo down"), 0);
  ASSERT_EQ(lab.pod.ip("addr add 10.7.7.7/24 dev eth0"), 0);  // not ours: removed
  ASSERT_EQ(lab.pod.ip("route add 10.8.0.0/16 via 10.7.7.1 dev eth0"), 0);
  const std::vector<IfAddress> addrs = {{ip("10.1.0.5"), 24}, {ip("fd00::5"), 64}};
  const std::vector<RouteSpec> routes = {{pfx("0.0.0.0/0"), ip("10.1.0.1")},
                                         {pfx("10.9.0.0/16"), std::nullopt},
                                         {pfx("::/0"), ip("fd00::1")}};
  for (int round = 0; round < 2; ++round) {
    auto r = lab.ops->configure_container(lab.pod.path(), "eth0", addrs, routes);
    ASSERT_TRUE(r) << r.error().message;
    json c = ip_json("-n " + lab.pod.name(), "addr show dev eth0");
    ASSERT_FALSE(c.empty());
    EXPECT_EQ(addr_set(c[0]["addr_info"]), (std::set<std::string>{"10.1.0.5/24", "fd00::5/64"}));
    for (const auto& a : c[0]["addr_info"])  // usable at once (the link-local one does DAD)
      if (a.value("scope", "") == "global") {
        EXPECT_FALSE(a.value("tentative", false)) << a.dump();
      }
    json lo = ip_json("-n " + lab.pod.name(), "link show dev lo");
    EXPECT_NE(lo[0]["flags"].dump().find("\"UP\""), std::string::npos);
    std::string r4, r6;
    lab.pod.ip("route show dev eth0", &r4);
    lab.pod.ip("-6 route show dev eth0", &r6);
    EXPECT_NE(r4.find("default via 10.1.0.1"), std::string::npos) << r4;
    EXPECT_NE(r4.find("10.9.0.0/16 scope link"), std::string::npos) << r4;  // proto boot: not printed
    EXPECT_EQ(r4.find("10.8.0.0/16"), std::string::npos) << r4;
    EXPECT_NE(r6.find("default via fd00::1"), std::string::npos) << r6;
    auto info = lab.ops->container_link(lab.pod.path(), "eth0");
    ASSERT_TRUE(info && *info);
    auto got_a = (*info)->addresses;
    auto got_r = (*info)->routes;
    EXPECT_EQ(got_a.size(), 2u);
    for (const auto& a : addrs) EXPECT_NE(std::find(got_a.begin(), got_a.end(), a), got_a.end()) << a.address.to_string();
    EXPECT_EQ(got_r.size(), 3u);  // the connected prefixes (proto kernel) are not listed
    for (const auto& x : routes) EXPECT_NE(std::find(got_r.begin(), got_r.end(), x), got_r.end()) << x.dst.to_string();
  }
  // A smaller set: the rest goes.
  auto r = lab.ops->configure_container(lab.pod.path(), "eth0", {{ip("10.1.0.6"), 24}}, {{pfx("0.0.0.0/0"), ip("10.1.0.1")}});
  ASSERT_TRUE(r) << r.error().message;
  json c = ip_json("-n " + lab.pod.name(), "addr show dev eth0");
  EXPECT_EQ(addr_set(c[0]["addr_info"]), (std::set<std::string>{"10.1.0.6/24"}));
  auto info = lab.ops->container_link(lab.pod.path(), "eth0");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->routes, (std::vector<RouteSpec>{{pfx("0.0.0.0/0"), ip("10.1.0.1")}}));
  // Missing interface: kNotFound.
  auto missing = lab.ops->configure_container(lab.pod.path(), "eth9", addrs, routes);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, NetError::Kind::kNotFound);
}

}  // namespace
}  // namespace evpnd::cni

// Kernel tests of LinuxNetOps::announce (frames captured on the bridge and checked byte by byte,
// and their effect on the node: the bridge learns the MAC, a Linux neighbour accepts them), of
// a CNI_NETNS that is only a /proc/<pid>/ns/net path, and of delete_veth and the lookups.
// Root only (cni_kernel_lab.hpp), skipped otherwise.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cni_kernel_lab.hpp"

namespace evpnd::cni {
namespace {

using namespace test;
using namespace std::chrono_literals;

std::string hex_of(const Bytes& f, size_t at, size_t n) { return to_hex(ByteView(f).subspan(at, n)); }
uint16_t be16(const Bytes& f, size_t at) { return static_cast<uint16_t>(f[at] << 8 | f[at + 1]); }

// RFC 1071 sum over the RFC 8200 §8.1 pseudo-header and the ICMPv6 message, checksum in place:
// 0xffff when it is right. Written here again so the test does not trust the code under test.
uint16_t icmpv6_sum(const Bytes& f) {
  uint32_t sum = 0;
  for (size_t i = 22; i < 54; i += 2) sum += be16(f, i);  // source and destination addresses
  const size_t len = be16(f, 18);
  sum += static_cast<uint32_t>(len) + 58;
  for (size_t i = 54; i + 1 < 54 + len; i += 2) sum += be16(f, i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

struct Seen {
  int garp = 0;
  int na = 0;
};

// Checks every announcement frame in `frames` field by field and counts them.
Seen check_frames(const std::vector<Bytes>& frames) {
  const std::string pod_mac = "020000000005";
  Seen seen;
  for (const auto& f : frames) {
    if (f.size() >= 42 && be16(f, 12) == 0x0806 && hex_of(f, 28, 4) == "0a010005") {
      ++seen.garp;
      EXPECT_EQ(hex_of(f, 0, 6), "ffffffffffff");                  // broadcast
      EXPECT_EQ(hex_of(f, 6, 6), pod_mac);                         // from the pod
      EXPECT_EQ(hex_of(f, 14, 8), "0001080006040001");             // Ethernet/IPv4, request
      EXPECT_EQ(hex_of(f, 22, 6), pod_mac);                        // sender hardware address
      EXPECT_EQ(hex_of(f, 32, 6), "000000000000");                 // target hardware: zero
      EXPECT_EQ(hex_of(f, 38, 4), "0a010005");                     // target IP = sender IP
    } else if (f.size() >= 86 && be16(f, 12) == 0x86dd && f[20] == 58 && f[54] == 136 &&
               hex_of(f, 62, 16) == "fd000000000000000000000000000005") {
      ++seen.na;
      EXPECT_EQ(hex_of(f, 0, 6), "333300000001");
      EXPECT_EQ(hex_of(f, 6, 6), pod_mac);
      EXPECT_EQ(be16(f, 18), 32);                                  // payload: NA + one option
      EXPECT_EQ(f[21], 255);                                       // hop limit (RFC 4861 §7.1.2)
      EXPECT_EQ(hex_of(f, 22, 16), "fd000000000000000000000000000005");
      EXPECT_EQ(hex_of(f, 38, 16), "ff020000000000000000000000000001");
      EXPECT_EQ(f[55], 0);                                         // code
      EXPECT_EQ(f[58], 0x20);                                      // Override only
      EXPECT_EQ(hex_of(f, 78, 8), "0201" + pod_mac);               // Target Link-Layer Address
      EXPECT_EQ(icmpv6_sum(f), 0xffff) << "bad ICMPv6 checksum " << to_hex(f);
    }
  }
  return seen;
}

TEST(LinuxNetOpsKernel_Announce, GarpAndNa_TwoEachOnTheBridge_NodeLearns) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.node.ip("addr add 10.1.0.1/24 dev br5001"), 0);
  ASSERT_EQ(lab.node.ip("addr add fd00::1/64 dev br5001 nodad"), 0);
  // Linux creates a neighbour entry from a gratuitous ARP only when told to (arp_accept); an
  // unsolicited NA only updates an entry it has, and replaces its MAC only when the Override
  // flag is set (RFC 4861 §7.2.5): give the node a stale entry with another MAC (once the
  // bridge has its port: carrier changes flush the table).
  ASSERT_EQ(lab.node.exec("sysctl -qw net.ipv4.conf.br5001.arp_accept=1"), 0);
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  const std::vector<IfAddress> addrs = {{ip("10.1.0.5"), 24}, {ip("fd00::5"), 64}};
  ASSERT_TRUE(lab.ops->configure_container(lab.pod.path(), "eth0", addrs, {}));

  ASSERT_EQ(lab.node.ip("neigh add fd00::5 lladdr 02:00:00:00:00:99 dev br5001 nud stale"), 0);

  Capture cap(lab.node.path(), "br5001");
  ASSERT_TRUE(cap.ok());
  const std::string before = thread_netns();
  auto r = lab.ops->announce(lab.pod.path(), "eth0", addrs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(thread_netns(), before);
  Seen seen = check_frames(cap.read_for(300ms));
  EXPECT_EQ(seen.garp, 2);
  EXPECT_EQ(seen.na, 2);

  // The bridge learned the pod's MAC on the host end; the node's neighbour tables took both.
  std::string fdb;
  lab.node.exec("bridge -j fdb show br br5001", &fdb);
  json entries = json::parse(fdb.empty() ? "[]" : fdb, nullptr, false);
  bool learned = false;
  for (const auto& e : entries) learned = learned || (e.value("mac", "") == kPodMac && e.value("ifname", "") == kHost);
  EXPECT_TRUE(learned) << fdb;
  json neigh = ip_json("-n " + lab.node.name(), "neigh show dev br5001");
  bool v4 = false, v6 = false;
  for (const auto& n : neigh) {
    v4 = v4 || (n.value("dst", "") == "10.1.0.5" && n.value("lladdr", "") == kPodMac);
    v6 = v6 || (n.value("dst", "") == "fd00::5" && n.value("lladdr", "") == kPodMac);
  }
  EXPECT_TRUE(v4) << neigh.dump();
  EXPECT_TRUE(v6) << neigh.dump();  // accepted: checksum, hop limit, Override, target option
}

TEST(LinuxNetOpsKernel_Announce, NoAddresses_NothingSent_MissingIfnameNotFound) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.ops->ensure_veth(lab.spec(lab.pod.path())));
  Capture cap(lab.node.path(), "br5001");
  ASSERT_TRUE(cap.ok());
  ASSERT_TRUE(lab.ops->announce(lab.pod.path(), "eth0", {}));
  Seen seen = check_frames(cap.read_for(100ms));
  EXPECT_EQ(seen.garp + seen.na, 0);
  auto r = lab.ops->announce(lab.pod.path(), "eth9", {{ip("10.1.0.5"), 24}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, NetError::Kind::kNotFound);
  r = lab.ops->announce(lab.pod.path() + "-gone", "eth0", {{ip("10.1.0.5"), 24}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, NetError::Kind::kNotFound);
}

// CNI_NETNS as /proc/<pid>/ns/net: a namespace with no /run/netns name. When its process dies
// the namespace goes, taking the pair with it; everything then reports "not found" or succeeds.
TEST(LinuxNetOpsKernel_PathNetns, ProcPidPath_WholeLifecycle) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  PathNetns pod;
  ASSERT_TRUE(pod.ok());
  auto a = lab.ops->ensure_veth(lab.spec(pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  expect_attached(lab, pod.path(), *a, 1450);
  ASSERT_TRUE(lab.ops->ensure_veth(lab.spec(pod.path())));
  auto c = lab.ops->configure_container(pod.path(), "eth0", {{ip("10.1.0.7"), 24}}, {{pfx("0.0.0.0/0"), ip("10.1.0.1")}});
  ASSERT_TRUE(c) << c.error().message;
  std::string addrs;
  pod.exec("ip -br addr show dev eth0", &addrs);
  EXPECT_NE(addrs.find("10.1.0.7/24"), std::string::npos) << addrs;
  auto announce = lab.ops->announce(pod.path(), "eth0", {{ip("10.1.0.7"), 24}});
  EXPECT_TRUE(announce) << announce.error().message;
  auto info = lab.ops->container_link(pod.path(), "eth0");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->addresses, (std::vector<IfAddress>{{ip("10.1.0.7"), 24}}));

  const std::string path = pod.path();
  pod.kill_now();
  // Namespace teardown runs in a kernel worker: the host end goes shortly after.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (!node_link(lab.node, kHost).is_null() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(node_link(lab.node, kHost).is_null());
  EXPECT_TRUE(lab.ops->delete_veth(lab.node.name(), kHost));
  auto gone = lab.ops->container_link(path, "eth0");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, NetError::Kind::kNotFound);
  auto again = lab.ops->ensure_veth(lab.spec(path));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, NetError::Kind::kNotFound);
}

TEST(LinuxNetOpsKernel_DeleteVeth, Twice_BothSucceed_PeerGoneToo) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.ops->ensure_veth(lab.spec(lab.pod.path())));
  auto r = lab.ops->delete_veth(lab.node.name(), kHost);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(node_link(lab.node, kHost).is_null());
  EXPECT_TRUE(pod_link(lab.pod.path(), "eth0").is_null());
  r = lab.ops->delete_veth(lab.node.name(), kHost);
  EXPECT_TRUE(r) << r.error().message;
  r = lab.ops->delete_veth(lab.node.name() + "-gone", kHost);  // namespace gone: success
  EXPECT_TRUE(r) << r.error().message;
  // Never someone else's device: the bridge is not a veth.
  r = lab.ops->delete_veth(lab.node.name(), "br5001");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, NetError::Kind::kFailed);
  EXPECT_FALSE(node_link(lab.node, "br5001").is_null());
}

TEST(LinuxNetOpsKernel_Lookups, HostAndContainerLink_InfoNulloptNotFound) {
  REQUIRE_ROOT();
  Lab lab;
  ASSERT_TRUE(lab.ok());
  auto a = lab.ops->ensure_veth(lab.spec(lab.pod.path()));
  ASSERT_TRUE(a) << a.error().message;
  auto h = lab.ops->host_link(lab.node.name(), kHost);
  ASSERT_TRUE(h && *h);
  EXPECT_EQ((*h)->master, "br5001");
  EXPECT_EQ((*h)->kind, "veth");
  EXPECT_EQ((*h)->ifindex, a->host.ifindex);
  EXPECT_TRUE((*h)->addresses.empty());
  auto br = lab.ops->host_link(lab.node.name(), "br5001");
  ASSERT_TRUE(br && *br);
  EXPECT_EQ((*br)->kind, "bridge");
  EXPECT_EQ((*br)->master, "");
  auto c = lab.ops->container_link(lab.pod.path(), "eth0");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->mac, mac(kPodMac));
  EXPECT_TRUE((*c)->up);

  auto none = lab.ops->host_link(lab.node.name(), "evpn00000000");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto cnone = lab.ops->container_link(lab.pod.path(), "eth9");
  ASSERT_TRUE(cnone);
  EXPECT_FALSE(*cnone);
  auto hns = lab.ops->host_link(lab.node.name() + "-gone", kHost);
  ASSERT_FALSE(hns);
  EXPECT_EQ(hns.error().kind, NetError::Kind::kNotFound);
  auto cns = lab.ops->container_link(lab.pod.path() + "-gone", "eth0");
  ASSERT_FALSE(cns);
  EXPECT_EQ(cns.error().kind, NetError::Kind::kNotFound);
}

}  // namespace
}  // namespace evpnd::cni

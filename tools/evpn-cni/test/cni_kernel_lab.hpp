// The lab of the LinuxNetOps kernel tests: a "node" namespace with the VNI's bridge br5001
// (MTU 1450) and a "pod" namespace, both evt-cni-<pid>-*, plus iproute2 JSON readers (the
// kernel state is checked with iproute2, not with the netlink parser under test).
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "cni_netns_fixture.hpp"
#include "evpn-cni/linux_net_ops.hpp"

namespace evpnd::cni::test {

using nlohmann::json;

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }
inline IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
inline Mac mac(const char* s) { return *Mac::parse(s); }

constexpr const char* kHost = "evpn1a2b3c4d";
constexpr const char* kPodMac = "02:00:00:00:00:05";

inline json ip_json(const std::string& netns_flag, const std::string& args) {
  std::string out;
  sh("ip " + netns_flag + " -j " + args, &out);
  return out.empty() ? json::array() : json::parse(out, nullptr, false);
}
inline json node_link(const TestNetns& n, const std::string& dev) {
  json j = ip_json("-n " + n.name(), "-d link show dev " + dev);
  return j.is_array() && !j.empty() ? j[0] : json{};
}
inline json pod_link(const std::string& netns_path, const std::string& dev) {
  std::string out;
  sh("nsenter --net=" + netns_path + " ip -j -d link show dev " + dev, &out);
  json j = out.empty() ? json::array() : json::parse(out, nullptr, false);
  return j.is_array() && !j.empty() ? j[0] : json{};
}

// A node namespace with bridge br5001 (MTU 1450) and a pod namespace.
struct Lab {
  TestNetns node{"node"};
  TestNetns pod{"pod"};
  std::unique_ptr<NetOps> ops = make_linux_net_ops();
  bool ok() {
    // MTU set after creation: only then is it the user's (BROPT_MTU_SET_BY_USER); a bridge
    // created with it follows its ports and falls back to 1500 when the last one leaves.
    return node.ok() && pod.ok() && node.ip("link add br5001 type bridge") == 0 &&
           node.ip("link set br5001 mtu 1450 up") == 0;
  }
  VethSpec spec(const std::string& container_netns) const {
    VethSpec s;
    s.host_name = kHost;
    s.bridge = "br5001";
    s.bridge_netns = node.name();
    s.container_netns = container_netns;
    s.container_ifname = "eth0";
    s.mac = mac(kPodMac);
    return s;
  }
};

inline void expect_attached(const Lab& lab, const std::string& pod_path, const AttachedVeth& a, uint32_t mtu) {
  EXPECT_EQ(a.host.name, kHost);
  EXPECT_EQ(a.host.kind, "veth");
  EXPECT_EQ(a.host.master, "br5001");
  EXPECT_TRUE(a.host.up);
  EXPECT_EQ(a.host.mtu, mtu);
  EXPECT_EQ(a.container.name, "eth0");
  EXPECT_EQ(a.container.kind, "veth");
  EXPECT_EQ(a.container.mac, mac(kPodMac));
  EXPECT_EQ(a.container.mtu, mtu);
  EXPECT_TRUE(a.container.up);
  EXPECT_EQ(a.container_sandbox, pod_path);
  // The kernel's view, through iproute2.
  json h = node_link(lab.node, kHost);
  EXPECT_EQ(h.value("master", ""), "br5001");
  EXPECT_EQ(h.value("mtu", 0), static_cast<int>(mtu));
  EXPECT_EQ(h.value("ifindex", 0), a.host.ifindex);
  EXPECT_EQ(h["linkinfo"].value("info_slave_kind", ""), "bridge");
  EXPECT_EQ(h["linkinfo"]["info_slave_data"].value("state", ""), "forwarding");
  json c = pod_link(pod_path, "eth0");
  EXPECT_EQ(c.value("address", ""), kPodMac);
  EXPECT_EQ(c.value("mtu", 0), static_cast<int>(mtu));
  EXPECT_EQ(c.value("operstate", ""), "UP");
  EXPECT_EQ(c.value("link_index", 0), a.host.ifindex);  // its peer is our host end
  EXPECT_EQ(h.value("link_index", 0), a.container.ifindex);
}

}  // namespace evpnd::cni::test

// LinuxNetOps: the CNI plugin's NetOps over rtnetlink (the data plane's NlSocket, encoders and
// parsers, see linux_netlink.hpp) and AF_PACKET (linux_announce.cpp).
//
// What the Linux implementation adds to the contract in net_ops.hpp:
// - ensure_veth creates the pair with one RTM_NEWLINK in the bridge's namespace: the peer is
//   created directly in the container namespace under CNI_IFNAME (IFLA_NET_NS_FD inside
//   VETH_INFO_PEER), both ends up, MTU set, host end enslaved (IFLA_MASTER). The pair exists
//   whole or not at all, so a crash mid-ADD leaves either nothing or a complete pair whose
//   settings (MAC, MTU, master, up) a retried ADD completes. A host end whose peer is not the
//   container's CNI_IFNAME (a leftover of an earlier attempt or pod) is deleted and recreated;
//   a CNI_IFNAME in the container that is not our peer is an error (never deleted: not ours).
//   "Our peer" is checked both ways: each end's IFLA_LINK is the other's ifindex and the host
//   end's IFLA_LINK_NETNSID is the id the bridge's namespace has for the container's.
// - ensure_veth returns once the bridge has enabled the host end (the bridge does that only after
//   the veth's carrier event has been processed, asynchronously), so a gratuitous ARP sent right
//   after is not dropped at a disabled port; bounded by kPortEnableWait. Without STP an enabled
//   port forwards; with STP it listens/learns for 2 x forward_delay, which ADD does not wait for.
// - LinkInfo::routes are main-table routes through the link that are not proto kernel (the
//   connected prefixes the kernel derives from addresses are left out): exactly what
//   configure_container sets. Routes are written with proto boot, as `ip route add` does.
#pragma once

#include <chrono>
#include <memory>

#include "evpn-cni/net_ops.hpp"

namespace evpnd::cni {

std::unique_ptr<NetOps> make_linux_net_ops();

class LinuxNetOps : public NetOps {
 public:
  static constexpr std::chrono::milliseconds kPortEnableWait{2000};

  NetResult<AttachedVeth> ensure_veth(const VethSpec& spec) override;
  NetResult<void> configure_container(const std::string& container_netns, const std::string& ifname,
                                      const std::vector<IfAddress>& addresses,
                                      const std::vector<RouteSpec>& routes) override;
  NetResult<void> announce(const std::string& container_netns, const std::string& ifname,
                           const std::vector<IfAddress>& addresses) override;
  NetResult<void> delete_veth(const std::string& bridge_netns, const std::string& host_name) override;
  NetResult<std::optional<LinkInfo>> host_link(const std::string& bridge_netns, const std::string& name) override;
  NetResult<std::optional<LinkInfo>> container_link(const std::string& container_netns,
                                                    const std::string& ifname) override;
};

}  // namespace evpnd::cni

// main.cpp may call it with or without the namespace.
using evpnd::cni::make_linux_net_ops;

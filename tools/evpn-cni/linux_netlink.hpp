// The CNI plugin's kernel layer, shared by linux_*.cpp: namespaces opened by /run/netns name or
// by CNI_NETNS path, one rtnetlink socket in each (the data plane's NlSocket, encoders and
// parsers: one netlink implementation in the project), and the link/address/route reads that
// NetOps answers and its idempotent "make it so" writes compare against.
//
// NOTE errors: a namespace that cannot be opened (ENOENT: the file is gone, e.g. a dead
// /proc/<pid>/ns/net) or entered (EINVAL: the file is not a namespace, e.g. a stale
// /run/netns entry whose mount was removed) is NetError::kNotFound, so DEL of a pod whose
// namespace is already gone succeeds (CNI spec §"DEL"); every other failure is kFailed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/linux/nl_socket.hpp"
#include "dataplane/linux/nl_types.hpp"
#include "evpn-cni/net_ops.hpp"

namespace evpnd::cni::linux_nl {

namespace nl = evpnd::dataplane::nl;

NetError failed(std::string message);
NetError not_found(std::string message);

// A namespace held open (its fd, for IFLA_NET_NS_FD / RTM_GETNSID / setns) with a netlink
// socket inside it. `label` names it in error messages ("netns /run/netns/x").
struct Netns {
  nl::NetnsFd fd;
  std::unique_ptr<nl::NlSocket> sock;
  std::string label;
};
// "" = the plugin's own namespace; otherwise /run/netns/<name> (VethSpec::bridge_netns).
NetResult<Netns> open_named(const std::string& name);
// A CNI_NETNS path, opened as given.
NetResult<Netns> open_path(const std::string& path);

// One request, acknowledged: kFailed with the kernel's errno text and extack message.
NetResult<void> request(Netns& ns, Bytes& msg, const std::string& what);

// RTM_GETLINK by name / by ifindex: nullopt when there is no such link (ENODEV).
NetResult<std::optional<nl::LinkMsg>> get_link(Netns& ns, const std::string& name);
NetResult<std::optional<nl::LinkMsg>> get_link(Netns& ns, int ifindex);

// RTM_GETNSID: the id `ns` knows `other` by (the IFLA_LINK_NETNSID of a veth whose peer lives
// there); nullopt when none is assigned.
NetResult<std::optional<int32_t>> nsid_of(Netns& ns, const Netns& other);

// The global-scope addresses (ifa_scope universe: not fe80::/10, not 127/8) on `ifindex`.
NetResult<std::vector<nl::AddrMsg>> global_addresses(Netns& ns, int ifindex);
// Main-table unicast routes whose one next hop leaves through `ifindex`, leaving out the ones the
// kernel derives from addresses (proto kernel: connected prefixes, fe80::/64): the routes someone
// configured, which is what configure_container sets and LinkInfo::routes reports.
NetResult<std::vector<nl::RouteMsg>> link_routes(Netns& ns, int ifindex);

// The NetOps view of a link: master name, global addresses and routes read from the kernel.
NetResult<LinkInfo> link_info(Netns& ns, const nl::LinkMsg& link);

// Sets IFF_UP (and optionally MTU / address / master) on an existing link; sends only what is set.
NetResult<void> set_link(Netns& ns, nl::LinkMsg change, const std::string& what);

}  // namespace evpnd::cni::linux_nl

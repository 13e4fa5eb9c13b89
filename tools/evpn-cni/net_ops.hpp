// NetOps: everything the CNI plugin does to the kernel, behind one interface, so the CNI logic
// (cni_plugin.hpp: verbs, versions, IPAM, attachments) is tested with a fake and the Linux
// implementation (linux_net_ops.cpp: rtnetlink through the project's NlSocket) with namespaces.
//
// Names: "host" is the namespace the plugin runs in (the runtime's, i.e. the node's underlay,
// where evpnd runs) unless `bridge_netns` says the VNI's bridge lives in a tenant namespace
// (evpnd's netns VRF backend: /run/netns/<name>); "container" is CNI_NETNS (a path).
// NOTE idempotence: every call is "make it so" and may be repeated; an ADD retried after a crash
// mid-ADD finds a half-made veth and completes or replaces it. delete_* of something absent
// succeeds (CNI DEL must, spec §"DEL").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/ip.hpp"
#include "core/mac.hpp"

namespace evpnd::cni {

struct NetError {
  enum class Kind : uint8_t { kNotFound, kFailed };  // kNotFound: the netns / link is not there
  Kind kind = Kind::kFailed;
  std::string message;  // "veth evpn1a2b3c4d: RTNETLINK: File exists"
};
template <typename T>
using NetResult = tl::expected<T, NetError>;

struct VethSpec {
  std::string host_name;        // "evpn" + 8 hex digits of hash(container id, ifname): <= 15 chars
  std::string bridge;           // the VNI's bridge ("br5001")
  std::string bridge_netns;     // "" = the plugin's namespace; else a /run/netns name
  std::string container_netns;  // CNI_NETNS path
  std::string container_ifname; // CNI_IFNAME
  std::optional<Mac> mac;       // container side; default: kernel random
  uint32_t mtu = 0;             // 0 = the bridge's MTU
};

struct IfAddress {
  IpAddress address;            // 10.1.0.5
  uint8_t prefix_len = 0;       // 24
  bool operator==(const IfAddress&) const = default;
};

struct RouteSpec {
  IpPrefix dst;                 // 0.0.0.0/0
  std::optional<IpAddress> gateway;
  bool operator==(const RouteSpec&) const = default;
};

struct LinkInfo {
  std::string name;
  int ifindex = 0;
  Mac mac;
  uint32_t mtu = 0;
  bool up = false;
  std::string master;           // the bridge it is enslaved to ("" = none)
  std::string kind;             // "veth", "bridge", ...
  std::vector<IfAddress> addresses;  // global-scope addresses
  std::vector<RouteSpec> routes;     // main-table routes with this link as output device
};

struct AttachedVeth {
  LinkInfo host;                // in the bridge's namespace
  LinkInfo container;           // in the container namespace
  std::string container_sandbox;  // = VethSpec::container_netns (the result's "sandbox")
};

class NetOps {
 public:
  virtual ~NetOps() = default;
  // The veth pair: host end `host_name` enslaved to `bridge` (in `bridge_netns`), up; container
  // end named `container_ifname` in the container namespace with `mac`/`mtu`, up. kNotFound when
  // the container namespace or the bridge does not exist.
  virtual NetResult<AttachedVeth> ensure_veth(const VethSpec& spec) = 0;
  // Sets exactly these addresses and routes on the container interface (adds the missing ones,
  // removes others it finds there), and brings `lo` up.
  virtual NetResult<void> configure_container(const std::string& container_netns, const std::string& ifname,
                                              const std::vector<IfAddress>& addresses,
                                              const std::vector<RouteSpec>& routes) = 0;
  // Gratuitous ARP (RFC 5227 §3 announcement) for IPv4, unsolicited Neighbour Advertisement
  // (RFC 4861 §7.2.6) for IPv6, sent from the container interface: bridges learn the MAC.
  virtual NetResult<void> announce(const std::string& container_netns, const std::string& ifname,
                                   const std::vector<IfAddress>& addresses) = 0;
  // Deletes the host end (the kernel deletes its peer). Absent: success.
  virtual NetResult<void> delete_veth(const std::string& bridge_netns, const std::string& host_name) = 0;
  // Lookups for CHECK and for idempotent ADD/DEL: nullopt when the link does not exist;
  // kNotFound when the namespace does not.
  virtual NetResult<std::optional<LinkInfo>> host_link(const std::string& bridge_netns, const std::string& name) = 0;
  virtual NetResult<std::optional<LinkInfo>> container_link(const std::string& container_netns,
                                                            const std::string& ifname) = 0;
};

}  // namespace evpnd::cni

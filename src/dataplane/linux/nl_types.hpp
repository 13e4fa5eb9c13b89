// Kernel vocabulary for the netlink provider: one plain struct per rtnetlink object we write or
// read (neighbour/FDB entry, link, route, address). The encoders turn them into bytes, the
// parsers turn kernel messages back into them; LinuxDataplane maps intents onto them.
//
// NOTE no netlink headers here: numeric constants are the kernel's (include/uapi), kept as plain
// integers so tests and callers can spell them via <linux/neighbour.h> etc. when they like.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "core/mac.hpp"

namespace evpnd::dataplane::nl {

// ndmsg + NDA_* (RTM_NEWNEIGH/DELNEIGH): an FDB entry (family AF_BRIDGE) or a neighbour
// (AF_INET/AF_INET6).
struct NeighMsg {
  uint8_t family = 0;                 // AF_BRIDGE (7), AF_INET (2), AF_INET6 (10)
  int32_t ifindex = 0;
  uint16_t state = 0;                 // NUD_*
  uint8_t flags = 0;                  // NTF_*
  std::optional<Mac> lladdr;          // NDA_LLADDR
  std::optional<IpAddress> dst;       // NDA_DST (FDB: remote VTEP; neighbour: the IP)
  std::optional<uint32_t> master;     // NDA_MASTER (read only: the bridge of an FDB entry)
  std::optional<uint32_t> vni;        // NDA_VNI
  std::optional<uint16_t> vlan;       // NDA_VLAN (read only; vlan-aware bridges are ignored)
  std::optional<uint32_t> nhid;       // NDA_NH_ID: an fdb nexthop group instead of NDA_DST
  bool operator==(const NeighMsg&) const = default;
};

struct VxlanInfo {
  uint32_t id = 0;
  IpAddress local;
  uint16_t port = 4789;               // host order; encoded big-endian
  uint8_t ttl = 64;
  bool learning = false;
  bool operator==(const VxlanInfo&) const = default;
};
struct BridgeInfo {
  uint32_t stp_state = 0;
  bool mcast_snooping = false;
  uint32_t ageing_time_cs = 30000;    // IFLA_BR_AGEING_TIME is in centiseconds (clock_t)
  bool operator==(const BridgeInfo&) const = default;
};
struct BridgePortInfo {
  bool learning = true;
  bool neigh_suppress = false;
  bool operator==(const BridgePortInfo&) const = default;
};
// Bridge-port settings of an Ethernet-segment attachment (multihoming.md §3): each is sent only
// when set, so one request changes exactly what the caller names.
struct BridgePortEs {
  std::optional<uint8_t> state;       // IFLA_BRPORT_STATE: BR_STATE_DISABLED (0) .. FORWARDING (3)
  std::optional<uint32_t> backup_port;  // IFLA_BRPORT_BACKUP_PORT ifindex; 0 = none
  std::optional<bool> hairpin;        // IFLA_BRPORT_MODE
  bool operator==(const BridgePortEs&) const = default;
};

// The peer of a veth being created (IFLA_INFO_DATA/VETH_INFO_PEER: an ifinfomsg and its own IFLA_*
// attributes). netns_fd creates the peer directly in another namespace (the CNI plugin's
// container end), so it never exists under its name in ours.
struct VethPeer {
  std::string name;                   // IFLA_IFNAME
  std::optional<Mac> address;         // IFLA_ADDRESS; default: kernel random
  std::optional<uint32_t> mtu;        // IFLA_MTU
  std::optional<int32_t> netns_fd;    // IFLA_NET_NS_FD
  std::optional<bool> up;             // ifi_flags/ifi_change IFF_UP
  bool operator==(const VethPeer&) const = default;
};

// ifinfomsg + IFLA_*: a link to create (kind set) or change, or a link read back.
struct LinkMsg {
  int32_t ifindex = 0;                // 0 on create: the kernel picks
  std::string name;                   // IFLA_IFNAME
  std::optional<Mac> address;         // IFLA_ADDRESS
  std::optional<uint32_t> mtu;        // IFLA_MTU
  std::optional<uint32_t> master;     // IFLA_MASTER (0 = release)
  std::optional<int32_t> netns_fd;    // IFLA_NET_NS_FD: move to that namespace
  std::optional<bool> up;             // ifi_flags/ifi_change IFF_UP
  bool addrgenmode_none = false;      // IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE = NONE
  std::string kind;                   // IFLA_INFO_KIND: "vxlan", "bridge", "vrf" or "" (no LINKINFO)
  std::optional<VxlanInfo> vxlan;
  std::optional<BridgeInfo> bridge;
  std::optional<uint32_t> vrf_table;  // IFLA_VRF_TABLE
  std::optional<VethPeer> veth_peer;  // kind "veth": VETH_INFO_PEER
  // Read back only:
  uint32_t flags = 0;                 // ifi_flags
  std::string slave_kind;             // IFLA_INFO_SLAVE_KIND
  std::optional<BridgePortInfo> brport;
  std::optional<BridgePortEs> brport_es;  // every field set when the link is a bridge port
  std::optional<int32_t> link_netnsid;
  std::optional<int32_t> link;        // IFLA_LINK: a veth's peer ifindex (in link_netnsid's namespace)
  bool operator==(const LinkMsg&) const = default;
};

struct NextHop {
  IpAddress gateway;
  int32_t ifindex = 0;
  uint8_t flags = 0;                  // RTNH_F_ONLINK (4)
  bool operator==(const NextHop&) const = default;
};
// rtmsg + RTA_*: a unicast route.
struct RouteMsg {
  uint8_t family = 0;
  IpPrefix dst;
  uint32_t table = 254;               // RT_TABLE_MAIN
  uint8_t protocol = 186;             // RTPROT_BGP
  uint8_t scope = 0;                  // RT_SCOPE_UNIVERSE
  uint8_t type = 1;                   // RTN_UNICAST
  std::optional<uint32_t> priority;   // RTA_PRIORITY (metric)
  std::vector<NextHop> nexthops;      // one: RTA_GATEWAY/RTA_OIF; more: RTA_MULTIPATH
  bool operator==(const RouteMsg&) const = default;
};
// Is this one of our `proto bgp` VRF routes via routers on the VRF's own links (BGP CEs,
// dataplane::VrfRoute::local)? Those are written without RTNH_F_ONLINK; our routes via VTEPs
// always carry it (linux_entries.cpp), so the flag tells them apart in a dump or a notification.
inline bool is_local_route(const RouteMsg& r) {
  constexpr uint8_t kOnlink = 4;  // RTNH_F_ONLINK
  if (r.nexthops.empty()) return false;
  for (const auto& nh : r.nexthops)
    if (nh.flags & kOnlink) return false;
  return true;
}

// nhmsg + NHA_*: an `fdb` nexthop (gateway = a remote VTEP) or an fdb nexthop group
// (`ip nexthop replace id <id> via <vtep> fdb` / `... group <a>/<b> fdb`).
struct NexthopMsg {
  uint32_t id = 0;                    // NHA_ID
  uint8_t family = 0;                 // nh_family: AF_INET/AF_INET6 for a gateway, AF_UNSPEC for a group
  uint8_t protocol = 0;               // nh_protocol
  std::optional<IpAddress> gateway;   // NHA_GATEWAY
  std::vector<uint32_t> group;        // NHA_GROUP member ids (weight 1 each)
  bool fdb = false;                   // NHA_FDB
  bool operator==(const NexthopMsg&) const = default;
};

// ifaddrmsg + IFA_*.
struct AddrMsg {
  int32_t ifindex = 0;
  IpAddress address;                  // IFA_LOCAL + IFA_ADDRESS (host bits kept)
  uint8_t prefix_len = 0;             // ifa_prefixlen
  uint8_t scope = 0;                  // ifa_scope: RT_SCOPE_UNIVERSE (0) = global, LINK (253), HOST (254)
  uint32_t flags = 0;                 // IFA_F_* (IFA_F_NODAD = 0x02); read back from IFA_FLAGS
  bool operator==(const AddrMsg&) const = default;
};

}  // namespace evpnd::dataplane::nl

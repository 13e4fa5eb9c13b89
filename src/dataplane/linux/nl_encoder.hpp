// Pure encoders: kernel-vocabulary structs (nl_types.hpp) -> rtnetlink request bytes.
//
// NOTE output: each call appends one complete, NLMSG_ALIGNed message to `out`, so many requests
// can be concatenated and sent with one sendmsg (netlink processes them in order).
// NOTE attribute order follows iproute2 (`bridge fdb`, `ip neigh`, `ip link`, `ip route`) so the
// byte-exact tests can be checked against strace captures of those tools.
// NOTE performance: no allocation beyond `out` growth; reserve() it for large batches.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "dataplane/linux/nl_types.hpp"

namespace evpnd::dataplane::nl {

struct Header {
  uint16_t flags = 0;                 // NLM_F_* beyond NLM_F_REQUEST (always set)
  uint32_t seq = 0;
};

// RTM_NEWNEIGH / RTM_DELNEIGH.
void encode_neigh(Bytes& out, uint16_t type, Header h, const NeighMsg& m);
// RTM_NEWLINK (create when m.kind is set and m.ifindex == 0, change otherwise); RTM_DELLINK by
// ifindex or, with ifindex 0, by IFLA_IFNAME.
void encode_link(Bytes& out, uint16_t type, Header h, const LinkMsg& m);
// RTM_SETLINK family AF_BRIDGE with IFLA_PROTINFO: bridge port flags (`bridge link set`).
void encode_brport(Bytes& out, Header h, int32_t ifindex, const BridgePortInfo& p);
// RTM_SETLINK family AF_BRIDGE: the Ethernet-segment port settings that are set in `p`.
void encode_brport_es(Bytes& out, Header h, int32_t ifindex, const BridgePortEs& p);
// RTM_NEWNEXTHOP / RTM_DELNEXTHOP (a delete carries the id only).
void encode_nexthop(Bytes& out, uint16_t type, Header h, const NexthopMsg& m);
// RTM_NEWROUTE / RTM_DELROUTE.
void encode_route(Bytes& out, uint16_t type, Header h, const RouteMsg& m);
// RTM_NEWADDR / RTM_DELADDR.
void encode_addr(Bytes& out, uint16_t type, Header h, const AddrMsg& m);
// Dump requests (NLM_F_DUMP): RTM_GETNEIGH/GETLINK/GETROUTE/GETADDR/GETNEXTHOP for `family`.
void encode_dump(Bytes& out, uint16_t type, uint32_t seq, uint8_t family);
// Filtered dumps, for a socket with NlSocket::strict_dumps() (elsewhere the kernel ignores the
// filters and dumps everything; callers filter again). iproute2 layout (`ip route show table
// main dev X`, `ip addr show dev X` on a strict socket).
// RTM_GETROUTE: routes of `table` and `type` whose next hop leaves through `oif`.
void encode_route_dump(Bytes& out, uint32_t seq, uint8_t family, uint32_t table, uint8_t type, int32_t oif);
// RTM_GETADDR: the addresses on `ifindex`.
void encode_addr_dump(Bytes& out, uint32_t seq, uint8_t family, int32_t ifindex);
// RTM_GETLINK by name (single link).
void encode_getlink(Bytes& out, uint32_t seq, const std::string& name);
// RTM_GETNSID for the namespace `netns_fd` refers to: the id the socket's namespace knows it by
// (the id IFLA_LINK_NETNSID of a veth with its peer there carries).
void encode_getnsid(Bytes& out, uint32_t seq, int32_t netns_fd);

}  // namespace evpnd::dataplane::nl

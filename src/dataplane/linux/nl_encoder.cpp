#include "dataplane/linux/nl_encoder.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

namespace evpnd::dataplane::nl {
namespace {

// Largest message we build (a route with many next hops is the biggest): reserve, encode, trim.
constexpr size_t kMaxMsg = 4096;

// Starts a message at the end of `out` and trims the buffer to its aligned length on destruction.
class MsgScope {
 public:
  MsgScope(Bytes& out, uint16_t type, Header h) : out_(out), at_(out.size()) {
    out_.resize(at_ + kMaxMsg);
    std::memset(out_.data() + at_, 0, kMaxMsg);
    nlh_ = mnl_nlmsg_put_header(out_.data() + at_);
    nlh_->nlmsg_type = type;
    nlh_->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | h.flags);
    nlh_->nlmsg_seq = h.seq;
  }
  ~MsgScope() { out_.resize(at_ + NLMSG_ALIGN(nlh_->nlmsg_len)); }
  MsgScope(const MsgScope&) = delete;
  MsgScope& operator=(const MsgScope&) = delete;
  nlmsghdr* nlh() { return nlh_; }
  template <class T>
  T* extra() {
    return static_cast<T*>(mnl_nlmsg_put_extra_header(nlh_, sizeof(T)));
  }

 private:
  Bytes& out_;
  size_t at_;
  nlmsghdr* nlh_;
};

uint8_t af(const IpAddress& a) { return a.is_v6() ? AF_INET6 : AF_INET; }

// VETH_INFO_PEER: a whole ifinfomsg followed by the peer's own IFLA_* attributes (veth_newlink()
// parses it with rtnl_nla_parse_ifla()). iproute2 nests it without NLA_F_NESTED (the policy has
// no type, so the kernel accepts either); match its bytes.
void put_veth_peer(nlmsghdr* nlh, const VethPeer& p) {
  nlattr* nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
  nest->nla_type = VETH_INFO_PEER;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload_tail(nlh));
  std::memset(ifi, 0, MNL_ALIGN(sizeof(ifinfomsg)));
  nlh->nlmsg_len += MNL_ALIGN(sizeof(ifinfomsg));
  ifi->ifi_family = AF_UNSPEC;
  if (p.up) {
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = *p.up ? IFF_UP : 0;
  }
  if (!p.name.empty()) mnl_attr_put_strz(nlh, IFLA_IFNAME, p.name.c_str());
  if (p.address) mnl_attr_put(nlh, IFLA_ADDRESS, 6, p.address->data());
  if (p.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *p.mtu);
  if (p.netns_fd) mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, static_cast<uint32_t>(*p.netns_fd));
  mnl_attr_nest_end(nlh, nest);
}
void put_ip(nlmsghdr* nlh, uint16_t type, const IpAddress& a) { mnl_attr_put(nlh, type, a.size(), a.data()); }

}  // namespace

void encode_neigh(Bytes& out, uint16_t type, Header h, const NeighMsg& m) {
  MsgScope s(out, type, h);
  auto* ndm = s.extra<ndmsg>();
  ndm->ndm_family = m.family;
  ndm->ndm_ifindex = m.ifindex;
  ndm->ndm_state = m.state;
  ndm->ndm_flags = m.flags;
  // iproute2 order: `bridge fdb` puts LLADDR then DST; `ip neigh` puts DST then LLADDR.
  if (m.family == AF_BRIDGE) {
    if (m.lladdr) mnl_attr_put(s.nlh(), NDA_LLADDR, 6, m.lladdr->data());
    if (m.dst) put_ip(s.nlh(), NDA_DST, *m.dst);
  } else {
    if (m.dst) put_ip(s.nlh(), NDA_DST, *m.dst);
    if (m.lladdr) mnl_attr_put(s.nlh(), NDA_LLADDR, 6, m.lladdr->data());
  }
  if (m.vni) mnl_attr_put_u32(s.nlh(), NDA_VNI, *m.vni);
  if (m.master) mnl_attr_put_u32(s.nlh(), NDA_MASTER, *m.master);
  // `bridge fdb ... nhid <id>` puts NDA_NH_ID after NDA_LLADDR (it has no NDA_DST then).
  if (m.nhid) mnl_attr_put_u32(s.nlh(), NDA_NH_ID, *m.nhid);
}

void encode_link(Bytes& out, uint16_t type, Header h, const LinkMsg& m) {
  MsgScope s(out, type, h);
  auto* ifi = s.extra<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = m.ifindex;
  if (m.up) {
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = *m.up ? IFF_UP : 0;
  }
  nlmsghdr* nlh = s.nlh();
  if (!m.name.empty()) mnl_attr_put_strz(nlh, IFLA_IFNAME, m.name.c_str());
  if (m.address) mnl_attr_put(nlh, IFLA_ADDRESS, 6, m.address->data());
  if (m.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *m.mtu);
  if (m.master) mnl_attr_put_u32(nlh, IFLA_MASTER, *m.master);
  if (m.netns_fd) mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, static_cast<uint32_t>(*m.netns_fd));
  if (m.addrgenmode_none) {
    nlattr* spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
    nlattr* in6 = mnl_attr_nest_start(nlh, AF_INET6);
    mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
    mnl_attr_nest_end(nlh, in6);
    mnl_attr_nest_end(nlh, spec);
  }
  if (m.kind.empty()) return;
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, m.kind.c_str());
  if (m.vxlan || m.bridge || m.vrf_table || m.veth_peer) {
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    if (m.vxlan) {
      const VxlanInfo& v = *m.vxlan;
      mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v.id);
      if (v.local.is_v4()) put_ip(nlh, IFLA_VXLAN_LOCAL, v.local);
      if (v.local.is_v6()) put_ip(nlh, IFLA_VXLAN_LOCAL6, v.local);
      mnl_attr_put_u8(nlh, IFLA_VXLAN_TTL, v.ttl);
      mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, v.learning ? 1 : 0);
      mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v.port));
    }
    if (m.bridge) {
      mnl_attr_put_u32(nlh, IFLA_BR_AGEING_TIME, m.bridge->ageing_time_cs);
      mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, m.bridge->stp_state);
      mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, m.bridge->mcast_snooping ? 1 : 0);
    }
    if (m.vrf_table) mnl_attr_put_u32(nlh, IFLA_VRF_TABLE, *m.vrf_table);
    if (m.veth_peer) put_veth_peer(nlh, *m.veth_peer);
    mnl_attr_nest_end(nlh, data);
  }
  mnl_attr_nest_end(nlh, info);
}

void encode_brport(Bytes& out, Header h, int32_t ifindex, const BridgePortInfo& p) {
  MsgScope s(out, RTM_SETLINK, h);
  auto* ifi = s.extra<ifinfomsg>();
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = ifindex;
  // `bridge link set` sends IFLA_PROTINFO with NLA_F_NESTED (br_setlink() requires it to parse
  // the nest as IFLA_BRPORT_* rather than the legacy single-u8 port state).
  nlattr* nest = mnl_attr_nest_start(s.nlh(), IFLA_PROTINFO | NLA_F_NESTED);
  mnl_attr_put_u8(s.nlh(), IFLA_BRPORT_LEARNING, p.learning ? 1 : 0);
  mnl_attr_put_u8(s.nlh(), IFLA_BRPORT_NEIGH_SUPPRESS, p.neigh_suppress ? 1 : 0);
  mnl_attr_nest_end(s.nlh(), nest);
}

void encode_brport_es(Bytes& out, Header h, int32_t ifindex, const BridgePortEs& p) {
  MsgScope s(out, RTM_SETLINK, h);
  auto* ifi = s.extra<ifinfomsg>();
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = ifindex;
  // br_setport() takes all three in the IFLA_PROTINFO nest (`bridge link set ... state 0`,
  // `hairpin on`; iproute2 sets backup_port through IFLA_INFO_SLAVE_DATA, same handler).
  nlattr* nest = mnl_attr_nest_start(s.nlh(), IFLA_PROTINFO | NLA_F_NESTED);
  if (p.state) mnl_attr_put_u8(s.nlh(), IFLA_BRPORT_STATE, *p.state);
  if (p.hairpin) mnl_attr_put_u8(s.nlh(), IFLA_BRPORT_MODE, *p.hairpin ? 1 : 0);
  if (p.backup_port) mnl_attr_put_u32(s.nlh(), IFLA_BRPORT_BACKUP_PORT, *p.backup_port);
  mnl_attr_nest_end(s.nlh(), nest);
}

void encode_nexthop(Bytes& out, uint16_t type, Header h, const NexthopMsg& m) {
  MsgScope s(out, type, h);
  auto* nhm = s.extra<nhmsg>();
  // A delete names the id only: the kernel refuses any other header field ("Invalid values in
  // header", nh_valid_get_del_req()).
  if (type != RTM_DELNEXTHOP) {
    nhm->nh_family = m.family;
    nhm->nh_protocol = m.protocol;
  }
  // iproute2 order: ID, GATEWAY or GROUP, FDB.
  mnl_attr_put_u32(s.nlh(), NHA_ID, m.id);
  if (type == RTM_DELNEXTHOP) return;
  if (m.gateway) put_ip(s.nlh(), NHA_GATEWAY, *m.gateway);
  if (!m.group.empty()) {
    std::vector<nexthop_grp> grp(m.group.size());
    for (size_t i = 0; i < m.group.size(); ++i) grp[i] = nexthop_grp{m.group[i], 0, 0, 0};  // weight 0 = 1
    mnl_attr_put(s.nlh(), NHA_GROUP, grp.size() * sizeof(nexthop_grp), grp.data());
  }
  if (m.fdb) mnl_attr_put(s.nlh(), NHA_FDB, 0, nullptr);
}

void encode_route(Bytes& out, uint16_t type, Header h, const RouteMsg& m) {
  MsgScope s(out, type, h);
  auto* rtm = s.extra<rtmsg>();
  rtm->rtm_family = m.family;
  rtm->rtm_dst_len = m.dst.length();
  rtm->rtm_table = m.table < 256 ? static_cast<uint8_t>(m.table) : uint8_t{RT_TABLE_UNSPEC};
  rtm->rtm_protocol = m.protocol;
  rtm->rtm_scope = m.scope;
  rtm->rtm_type = m.type;
  nlmsghdr* nlh = s.nlh();
  if (m.table >= 256) mnl_attr_put_u32(nlh, RTA_TABLE, m.table);
  put_ip(nlh, RTA_DST, m.dst.address());
  // iproute2 order for one next hop: DST, GATEWAY, PRIORITY, OIF; for ECMP: DST, PRIORITY, MULTIPATH.
  const NextHop* single = m.nexthops.size() == 1 ? &m.nexthops[0] : nullptr;
  if (single) {
    rtm->rtm_flags = single->flags;
    if (!single->gateway.empty()) put_ip(nlh, RTA_GATEWAY, single->gateway);
  }
  if (m.priority) mnl_attr_put_u32(nlh, RTA_PRIORITY, *m.priority);
  if (single) {
    if (single->ifindex) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<uint32_t>(single->ifindex));
  } else if (m.nexthops.size() > 1) {
    nlattr* mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
    mp->nla_type = RTA_MULTIPATH;  // iproute2 sends it without NLA_F_NESTED; match its bytes
    for (const NextHop& nh : m.nexthops) {
      auto* rtnh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
      nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
      rtnh->rtnh_flags = nh.flags;
      rtnh->rtnh_hops = 0;
      rtnh->rtnh_ifindex = nh.ifindex;
      if (!nh.gateway.empty()) put_ip(nlh, RTA_GATEWAY, nh.gateway);
      rtnh->rtnh_len = static_cast<uint16_t>(reinterpret_cast<char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                                             reinterpret_cast<char*>(rtnh));
    }
    mnl_attr_nest_end(nlh, mp);
  }
}

void encode_addr(Bytes& out, uint16_t type, Header h, const AddrMsg& m) {
  MsgScope s(out, type, h);
  auto* ifa = s.extra<ifaddrmsg>();
  ifa->ifa_family = af(m.address);
  ifa->ifa_prefixlen = m.prefix_len;
  ifa->ifa_scope = m.scope;
  ifa->ifa_index = static_cast<uint32_t>(m.ifindex);
  // iproute2: flags that fit the header's u8 go there, wider ones (IFA_F_NOPREFIXROUTE...) in
  // IFA_FLAGS. IFA_F_NODAD (0x02) fits.
  if (m.flags <= 0xff) ifa->ifa_flags = static_cast<uint8_t>(m.flags);
  put_ip(s.nlh(), IFA_LOCAL, m.address);
  put_ip(s.nlh(), IFA_ADDRESS, m.address);
  if (m.flags > 0xff) mnl_attr_put_u32(s.nlh(), IFA_FLAGS, m.flags);
}

void encode_dump(Bytes& out, uint16_t type, uint32_t seq, uint8_t family) {
  MsgScope s(out, type, Header{NLM_F_DUMP, seq});
  // Every RTM_GET* dump accepts a family-first header; use the largest (ifinfomsg/ndmsg/rtmsg
  // share the leading family byte). The kernel's strict checks want the exact header size.
  switch (type) {
    case RTM_GETNEIGH: s.extra<ndmsg>()->ndm_family = family; break;
    case RTM_GETROUTE: s.extra<rtmsg>()->rtm_family = family; break;
    case RTM_GETADDR: s.extra<ifaddrmsg>()->ifa_family = family; break;
    case RTM_GETNEXTHOP: s.extra<nhmsg>()->nh_family = family; break;
    default: s.extra<ifinfomsg>()->ifi_family = family; break;
  }
}

void encode_route_dump(Bytes& out, uint32_t seq, uint8_t family, uint32_t table, uint8_t type, int32_t oif) {
  MsgScope s(out, RTM_GETROUTE, Header{NLM_F_DUMP, seq});
  auto* rtm = s.extra<rtmsg>();
  rtm->rtm_family = family;
  rtm->rtm_table = table < 256 ? static_cast<uint8_t>(table) : uint8_t{RT_TABLE_UNSPEC};
  rtm->rtm_type = type;  // ip_valid_fib_dump_req(): rt_type filter
  mnl_attr_put_u32(s.nlh(), RTA_TABLE, table);
  mnl_attr_put_u32(s.nlh(), RTA_OIF, static_cast<uint32_t>(oif));
}

void encode_addr_dump(Bytes& out, uint32_t seq, uint8_t family, int32_t ifindex) {
  MsgScope s(out, RTM_GETADDR, Header{NLM_F_DUMP, seq});
  auto* ifa = s.extra<ifaddrmsg>();
  ifa->ifa_family = family;
  ifa->ifa_index = static_cast<uint32_t>(ifindex);  // inet_valid_dump_ifaddr_req(): ifindex filter
}

void encode_getlink(Bytes& out, uint32_t seq, const std::string& name) {
  MsgScope s(out, RTM_GETLINK, Header{0, seq});
  s.extra<ifinfomsg>()->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(s.nlh(), IFLA_IFNAME, name.c_str());
}

void encode_getnsid(Bytes& out, uint32_t seq, int32_t netns_fd) {
  MsgScope s(out, RTM_GETNSID, Header{0, seq});
  s.extra<rtgenmsg>()->rtgen_family = AF_UNSPEC;  // padded to 4 bytes (NLMSG_ALIGN), as the kernel parses it
  mnl_attr_put_u32(s.nlh(), NETNSA_FD, static_cast<uint32_t>(netns_fd));
}

}  // namespace evpnd::dataplane::nl

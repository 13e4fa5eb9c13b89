#include "dataplane/linux/nl_parser.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace evpnd::dataplane::nl {
namespace {

template <size_t N>
using AttrTable = std::array<const nlattr*, N>;

// Collects top-level attributes of one type range into `tb` (last one wins; out-of-range skipped).
template <size_t N>
int collect_cb(const nlattr* a, void* data) {
  auto* tb = static_cast<AttrTable<N>*>(data);
  uint16_t type = mnl_attr_get_type(a);
  if (type < N) (*tb)[type] = a;
  return MNL_CB_OK;
}

template <size_t N>
bool parse_attrs(const nlmsghdr* nlh, size_t hdrlen, AttrTable<N>& tb) {
  tb.fill(nullptr);
  return mnl_attr_parse(nlh, static_cast<unsigned>(hdrlen), collect_cb<N>, &tb) >= MNL_CB_STOP;
}

template <size_t N>
void parse_nested(const nlattr* nest, AttrTable<N>& tb) {
  tb.fill(nullptr);
  mnl_attr_parse_nested(nest, collect_cb<N>, &tb);
}

const nlmsghdr* header(ByteView msg, size_t extra) {
  if (msg.size() < sizeof(nlmsghdr)) return nullptr;
  auto* nlh = reinterpret_cast<const nlmsghdr*>(msg.data());
  if (nlh->nlmsg_len < mnl_nlmsg_size(extra) || nlh->nlmsg_len > msg.size()) return nullptr;
  return nlh;
}

std::optional<IpAddress> ip_attr(const nlattr* a) {
  if (!a) return std::nullopt;
  auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
  if (mnl_attr_get_payload_len(a) == 4) return IpAddress::v4(p);
  if (mnl_attr_get_payload_len(a) == 16) return IpAddress::v6(p);
  return std::nullopt;
}

std::optional<Mac> mac_attr(const nlattr* a) {
  if (!a || mnl_attr_get_payload_len(a) != 6) return std::nullopt;
  return Mac(static_cast<const uint8_t*>(mnl_attr_get_payload(a)));
}

std::optional<uint32_t> u32_attr(const nlattr* a) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0) return std::nullopt;
  return mnl_attr_get_u32(a);
}
std::optional<uint16_t> u16_attr(const nlattr* a) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0) return std::nullopt;
  return mnl_attr_get_u16(a);
}
std::optional<uint8_t> u8_attr(const nlattr* a) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0) return std::nullopt;
  return mnl_attr_get_u8(a);
}
std::string str_attr(const nlattr* a) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) return {};
  return mnl_attr_get_str(a);
}

}  // namespace

uint16_t message_type(ByteView msg) {
  if (msg.size() < sizeof(nlmsghdr)) return 0;
  return reinterpret_cast<const nlmsghdr*>(msg.data())->nlmsg_type;
}

std::optional<NeighMsg> parse_neigh(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(ndmsg));
  if (!nlh) return std::nullopt;
  auto* ndm = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable<NDA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(ndmsg), tb)) return std::nullopt;
  NeighMsg m;
  m.family = ndm->ndm_family;
  m.ifindex = ndm->ndm_ifindex;
  m.state = ndm->ndm_state;
  m.flags = ndm->ndm_flags;
  m.lladdr = mac_attr(tb[NDA_LLADDR]);
  m.dst = ip_attr(tb[NDA_DST]);
  m.master = u32_attr(tb[NDA_MASTER]);
  m.vni = u32_attr(tb[NDA_VNI]);
  m.vlan = u16_attr(tb[NDA_VLAN]);
  m.nhid = u32_attr(tb[NDA_NH_ID]);
  return m;
}

std::optional<LinkMsg> parse_link(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(ifinfomsg));
  if (!nlh) return std::nullopt;
  auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable<IFLA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(ifinfomsg), tb)) return std::nullopt;
  LinkMsg m;
  m.ifindex = ifi->ifi_index;
  m.flags = ifi->ifi_flags;
  m.name = str_attr(tb[IFLA_IFNAME]);
  m.address = mac_attr(tb[IFLA_ADDRESS]);
  m.mtu = u32_attr(tb[IFLA_MTU]);
  m.master = u32_attr(tb[IFLA_MASTER]);
  if (auto id = u32_attr(tb[IFLA_LINK_NETNSID])) m.link_netnsid = static_cast<int32_t>(*id);
  if (auto peer = u32_attr(tb[IFLA_LINK])) m.link = static_cast<int32_t>(*peer);
  if (tb[IFLA_LINKINFO]) {
    AttrTable<IFLA_INFO_MAX + 1> info;
    parse_nested(tb[IFLA_LINKINFO], info);
    m.kind = str_attr(info[IFLA_INFO_KIND]);
    m.slave_kind = str_attr(info[IFLA_INFO_SLAVE_KIND]);
    if (info[IFLA_INFO_DATA] && m.kind == "vxlan") {
      AttrTable<IFLA_VXLAN_MAX + 1> v;
      parse_nested(info[IFLA_INFO_DATA], v);
      VxlanInfo x;
      x.id = u32_attr(v[IFLA_VXLAN_ID]).value_or(0);
      if (auto a = ip_attr(v[IFLA_VXLAN_LOCAL])) x.local = *a;
      if (auto a = ip_attr(v[IFLA_VXLAN_LOCAL6])) x.local = *a;
      x.port = ntohs(u16_attr(v[IFLA_VXLAN_PORT]).value_or(0));
      x.ttl = u8_attr(v[IFLA_VXLAN_TTL]).value_or(0);
      x.learning = u8_attr(v[IFLA_VXLAN_LEARNING]).value_or(1) != 0;
      m.vxlan = x;
    } else if (info[IFLA_INFO_DATA] && m.kind == "bridge") {
      AttrTable<IFLA_BR_MAX + 1> b;
      parse_nested(info[IFLA_INFO_DATA], b);
      BridgeInfo x;
      x.stp_state = u32_attr(b[IFLA_BR_STP_STATE]).value_or(0);
      x.mcast_snooping = u8_attr(b[IFLA_BR_MCAST_SNOOPING]).value_or(1) != 0;
      x.ageing_time_cs = u32_attr(b[IFLA_BR_AGEING_TIME]).value_or(0);
      m.bridge = x;
    } else if (info[IFLA_INFO_DATA] && m.kind == "vrf") {
      AttrTable<IFLA_VRF_MAX + 1> r;
      parse_nested(info[IFLA_INFO_DATA], r);
      m.vrf_table = u32_attr(r[IFLA_VRF_TABLE]);
    }
    if (info[IFLA_INFO_SLAVE_DATA] && m.slave_kind == "bridge") {
      AttrTable<IFLA_BRPORT_MAX + 1> p;
      parse_nested(info[IFLA_INFO_SLAVE_DATA], p);
      BridgePortInfo x;
      x.learning = u8_attr(p[IFLA_BRPORT_LEARNING]).value_or(1) != 0;
      x.neigh_suppress = u8_attr(p[IFLA_BRPORT_NEIGH_SUPPRESS]).value_or(0) != 0;
      m.brport = x;
      BridgePortEs es;
      es.state = u8_attr(p[IFLA_BRPORT_STATE]).value_or(3);
      es.hairpin = u8_attr(p[IFLA_BRPORT_MODE]).value_or(0) != 0;
      es.backup_port = u32_attr(p[IFLA_BRPORT_BACKUP_PORT]).value_or(0);
      m.brport_es = es;
    }
  }
  return m;
}

std::optional<RouteMsg> parse_route(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(rtmsg));
  if (!nlh) return std::nullopt;
  auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable<RTA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(rtmsg), tb)) return std::nullopt;
  RouteMsg m;
  m.family = rtm->rtm_family;
  m.table = u32_attr(tb[RTA_TABLE]).value_or(rtm->rtm_table);
  m.protocol = rtm->rtm_protocol;
  m.scope = rtm->rtm_scope;
  m.type = rtm->rtm_type;
  m.priority = u32_attr(tb[RTA_PRIORITY]);
  IpAddress dst = ip_attr(tb[RTA_DST]).value_or(
      rtm->rtm_family == AF_INET6 ? *IpAddress::parse("::") : IpAddress::v4(uint32_t{0}));
  m.dst = IpPrefix(dst, rtm->rtm_dst_len);
  if (tb[RTA_MULTIPATH]) {
    auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(tb[RTA_MULTIPATH]));
    size_t left = mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
    while (left >= sizeof(rtnexthop)) {
      rtnexthop rtnh;
      std::memcpy(&rtnh, p, sizeof rtnh);
      if (rtnh.rtnh_len < sizeof(rtnexthop) || rtnh.rtnh_len > left) break;
      NextHop nh;
      nh.ifindex = rtnh.rtnh_ifindex;
      nh.flags = rtnh.rtnh_flags;
      // Attributes follow the rtnexthop inside its rtnh_len.
      size_t off = RTNH_ALIGN(sizeof(rtnexthop));
      while (off + sizeof(nlattr) <= rtnh.rtnh_len) {
        auto* a = reinterpret_cast<const nlattr*>(p + off);
        if (a->nla_len < sizeof(nlattr) || off + a->nla_len > rtnh.rtnh_len) break;
        if (mnl_attr_get_type(a) == RTA_GATEWAY)
          if (auto g = ip_attr(a)) nh.gateway = *g;
        off += MNL_ALIGN(a->nla_len);
      }
      m.nexthops.push_back(nh);
      size_t step = RTNH_ALIGN(rtnh.rtnh_len);
      if (step > left) break;
      p += step;
      left -= step;
    }
  } else if (tb[RTA_GATEWAY] || tb[RTA_OIF]) {
    NextHop nh;
    if (auto g = ip_attr(tb[RTA_GATEWAY])) nh.gateway = *g;
    nh.ifindex = static_cast<int32_t>(u32_attr(tb[RTA_OIF]).value_or(0));
    nh.flags = static_cast<uint8_t>(rtm->rtm_flags & 0xff);
    m.nexthops.push_back(nh);
  }
  return m;
}

std::optional<AddrMsg> parse_addr(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(ifaddrmsg));
  if (!nlh) return std::nullopt;
  auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable<IFA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(ifaddrmsg), tb)) return std::nullopt;
  AddrMsg m;
  m.ifindex = static_cast<int32_t>(ifa->ifa_index);
  m.prefix_len = ifa->ifa_prefixlen;
  m.scope = ifa->ifa_scope;
  m.flags = u32_attr(tb[IFA_FLAGS]).value_or(ifa->ifa_flags);
  auto a = ip_attr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS]);
  if (!a) return std::nullopt;
  m.address = *a;
  return m;
}

std::optional<NexthopMsg> parse_nexthop(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(nhmsg));
  if (!nlh) return std::nullopt;
  auto* nhm = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable<NHA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(nhmsg), tb)) return std::nullopt;
  auto id = u32_attr(tb[NHA_ID]);
  if (!id) return std::nullopt;
  NexthopMsg m;
  m.id = *id;
  m.family = nhm->nh_family;
  m.protocol = nhm->nh_protocol;
  m.gateway = ip_attr(tb[NHA_GATEWAY]);
  m.fdb = tb[NHA_FDB] != nullptr;
  if (tb[NHA_GROUP]) {
    // An array of struct nexthop_grp; a trailing partial element is ignored, never read past.
    const size_t len = mnl_attr_get_payload_len(tb[NHA_GROUP]);
    auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(tb[NHA_GROUP]));
    for (size_t off = 0; off + sizeof(nexthop_grp) <= len; off += sizeof(nexthop_grp)) {
      nexthop_grp g;
      std::memcpy(&g, p + off, sizeof g);
      m.group.push_back(g.id);
    }
  }
  return m;
}

std::optional<int32_t> parse_nsid(ByteView msg) {
  const nlmsghdr* nlh = header(msg, sizeof(rtgenmsg));
  if (!nlh || nlh->nlmsg_type != RTM_NEWNSID) return std::nullopt;
  AttrTable<NETNSA_MAX + 1> tb;
  if (!parse_attrs(nlh, sizeof(rtgenmsg), tb)) return std::nullopt;
  auto id = u32_attr(tb[NETNSA_NSID]);
  if (!id) return std::nullopt;
  return static_cast<int32_t>(*id);
}

}  // namespace evpnd::dataplane::nl

// Parser tests: encode -> parse gives the struct back (the encoder bytes are pinned by
// nl_encoder_test.cpp, so this is not a self-consistent round trip), plus truncation handling.
#include "dataplane/linux/nl_parser.hpp"

#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_writer.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane::nl {
namespace {

using namespace evpnd::dataplane::test;

TEST(ParseNeigh_FdbEntry, EncodedBytes_GiveFieldsBack) {
  Bytes b;
  NeighMsg m{AF_BRIDGE, 3, NUD_REACHABLE, NTF_SELF | NTF_EXT_LEARNED, mac("02:00:00:00:00:01"), ip("10.255.0.2")};
  m.vni = 100;
  encode_neigh(b, RTM_NEWNEIGH, {0, 1}, m);
  auto p = parse_neigh(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, m);
}

TEST(ParseNeigh_Truncated, ShortBuffer_IsRejected) {
  Bytes b;
  encode_neigh(b, RTM_NEWNEIGH, {0, 1}, NeighMsg{AF_BRIDGE, 3, 0, 0, mac("02:00:00:00:00:01"), std::nullopt});
  b.resize(b.size() - 4);
  EXPECT_FALSE(parse_neigh(b));
  EXPECT_FALSE(parse_neigh(ByteView(b).first(10)));
}

TEST(ParseRoute_Ecmp, Multipath_GivesBothNexthops) {
  Bytes b;
  RouteMsg r;
  r.family = AF_INET;
  r.dst = pfx("192.168.200.0/24");
  r.priority = 20;
  r.nexthops = {NextHop{ip("10.255.0.2"), 2, RTNH_F_ONLINK}, NextHop{ip("10.255.0.3"), 2, RTNH_F_ONLINK}};
  encode_route(b, RTM_NEWROUTE, {0, 1}, r);
  auto p = parse_route(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, r);
}

TEST(IsLocalRoute, OnlinkViaVtepsNotLocal_PlainGatewayLocal) {
  RouteMsg vteps;
  vteps.nexthops = {NextHop{ip("10.255.0.2"), 2, RTNH_F_ONLINK}, NextHop{ip("10.255.0.3"), 2, RTNH_F_ONLINK}};
  EXPECT_FALSE(is_local_route(vteps));
  RouteMsg ce;
  ce.nexthops = {NextHop{ip("192.168.100.11"), 7, 0}};  // the kernel fills in the resolved device
  EXPECT_TRUE(is_local_route(ce));
  ce.nexthops.push_back(NextHop{ip("10.255.0.2"), 2, RTNH_F_ONLINK});
  EXPECT_FALSE(is_local_route(ce));
  EXPECT_FALSE(is_local_route(RouteMsg{}));  // no next hop at all (blackhole-like): not ours either way
}

TEST(ParseLink_Vxlan, CreateRequest_GivesVxlanInfo) {
  Bytes b;
  LinkMsg l;
  l.name = "vxlan100";
  l.mtu = 1500;
  l.kind = "vxlan";
  l.vxlan = VxlanInfo{100, ip("10.255.0.1"), 4789, 64, false};
  encode_link(b, RTM_NEWLINK, {0, 1}, l);
  auto p = parse_link(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "vxlan100");
  EXPECT_EQ(p->mtu, 1500u);
  ASSERT_TRUE(p->vxlan);
  EXPECT_EQ(*p->vxlan, *l.vxlan);
}

TEST(ParseAddr, Encoded_KeepsHostBits) {
  Bytes b;
  encode_addr(b, RTM_NEWADDR, {0, 1}, AddrMsg{2, ip("192.168.100.1"), 24});
  auto p = parse_addr(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, ip("192.168.100.1"));
  EXPECT_EQ(p->prefix_len, 24);
}

TEST(ParseNexthop, EncodedGroupAndGateway_RoundTrip) {
  NexthopMsg g;
  g.id = 234881100;
  g.group = {234881025, 234881026};
  g.fdb = true;
  g.protocol = 186;
  Bytes b;
  encode_nexthop(b, RTM_NEWNEXTHOP, {0, 1}, g);
  auto p = parse_nexthop(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, g);
  NexthopMsg v;
  v.id = 234881025;
  v.family = AF_INET;
  v.gateway = ip("10.255.0.2");
  v.fdb = true;
  b.clear();
  encode_nexthop(b, RTM_NEWNEXTHOP, {0, 2}, v);
  p = parse_nexthop(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, v);
}

TEST(ParseNexthop, GroupWithPartialElementOrNoId_NeverReadsPast) {
  // NHA_GROUP of 12 bytes: one whole nexthop_grp (8) and 4 stray bytes, which are ignored.
  Bytes b = *parse_hex(
      "30000000 6800 0000 01000000 00000000"
      "00 00 00 00 00000000"
      "0800 0100 4c00000e"
      "1000 0200 0100000e 00 00 0000 0200000e");
  auto p = parse_nexthop(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->group, (std::vector<uint32_t>{234881025}));
  Bytes noid = *parse_hex("1c000000 6800 0000 01000000 00000000 00 00 00 00 00000000 0400 0b00");
  EXPECT_FALSE(parse_nexthop(noid));
  EXPECT_FALSE(parse_nexthop(ByteView(b.data(), 20)));  // shorter than nlmsghdr + nhmsg
}

TEST(ParseNeigh, NhidEntry_ReadsNhIdWithoutDst) {
  NeighMsg m{AF_BRIDGE, 3, NUD_PERMANENT, NTF_SELF | NTF_EXT_LEARNED, mac("02:00:00:00:0a:01"), {}};
  m.nhid = 234881100;
  Bytes b;
  encode_neigh(b, RTM_NEWNEIGH, {0, 1}, m);
  auto p = parse_neigh(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->nhid, 234881100u);
  EXPECT_FALSE(p->dst);
}

TEST(DescribeRequest, FdbNeighbourAndTruncated_ReadableText) {
  Bytes b;
  encode_neigh(b, RTM_NEWNEIGH, {0, 1},
               NeighMsg{AF_BRIDGE, 5, NUD_REACHABLE, NTF_SELF, mac("02:00:00:00:02:10"), ip("10.255.0.2")});
  EXPECT_EQ(describe_request(b), "add fdb 02:00:00:00:02:10 dst 10.255.0.2 ifindex 5");
  Bytes n;
  encode_neigh(n, RTM_DELNEIGH, {0, 2}, NeighMsg{AF_INET, 7, 0, 0, std::nullopt, ip("192.168.100.12")});
  EXPECT_EQ(describe_request(n), "del neighbour 192.168.100.12 ifindex 7");
  EXPECT_EQ(describe_request(ByteView(b.data(), 10)), "netlink request type 0");
}

// RTM_NEWNSID as the kernel answers RTM_GETNSID (rtnl_net_fill(): rtgenmsg, NETNSA_NSID s32).
TEST(ParseNsid, NewnsidAnswer_GivesId) {
  Bytes b = *parse_hex("1c000000 5800 0000 03000000 00000000 00 000000 0800 0100 05000000");
  EXPECT_EQ(parse_nsid(b), 5);
  Bytes none = *parse_hex("1c000000 5800 0000 03000000 00000000 00 000000 0800 0100 ffffffff");
  EXPECT_EQ(parse_nsid(none), -1);  // NETNSA_NSID_NOT_ASSIGNED
  Bytes other = *parse_hex("1c000000 5a00 0000 03000000 00000000 00 000000 0800 0100 05000000");
  EXPECT_FALSE(parse_nsid(other));  // not an RTM_NEWNSID
  EXPECT_FALSE(parse_nsid(ByteView(b).first(18)));
}

// A veth's IFLA_LINK (the peer's ifindex) and IFLA_LINK_NETNSID (the peer's namespace).
TEST(ParseLink_Veth, LinkAndLinkNetnsid_Read) {
  Bytes b = *parse_hex(
      "30000000 1000 0000 01000000 00000000"
      "00 00 0100 09000000 43100100 00000000"   // ifindex 9, flags UP|BROADCAST|MULTICAST|LOWER_UP
      "0800 0500 02000000"                      // IFLA_LINK 2
      "0800 2500 01000000");                    // IFLA_LINK_NETNSID 1
  auto p = parse_link(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ifindex, 9);
  EXPECT_EQ(p->link, 2);
  EXPECT_EQ(p->link_netnsid, 1);
  EXPECT_TRUE(p->flags & 1u);
}

TEST(ParseAddr, ScopeAndIfaFlags_Read) {
  Bytes b = *parse_hex(
      "34000000 1400 0000 01000000 00000000"
      "0a 40 80 fd 03000000"                    // /64, header flags PERMANENT, scope link, ifindex 3
      "1400 0100 fe800000000000000000000000000001"
      "0800 0800 c2000000");                    // IFA_FLAGS: PERMANENT|TENTATIVE|NODAD... wins
  auto p = parse_addr(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scope, 253);
  EXPECT_EQ(p->flags, 0xc2u);
  Bytes no_attr = *parse_hex(
      "2c000000 1400 0000 01000000 00000000"
      "0a 40 02 00 03000000"
      "1400 0100 20010db8000000000000000000000005");
  auto q = parse_addr(no_attr);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->scope, 0);
  EXPECT_EQ(q->flags, 0x02u);  // from the header when there is no IFA_FLAGS
}

}  // namespace
}  // namespace evpnd::dataplane::nl

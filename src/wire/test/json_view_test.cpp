// The JSON shapes of wire values (json_view.hpp): built from hand-made values and compared
// with literal JSON, so a changed shape fails here before it breaks API clients.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "wire/json_view.hpp"

namespace evpnd::wire {
namespace {

using nlohmann::json;

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Rd rd(const char* s) { return *Rd::parse(s); }

MacIpAdvertisement type2(bool with_ip, bool with_l3) {
  MacIpAdvertisement r;
  r.rd = rd("10.255.0.1:2");
  r.mac = *Mac::parse("02:00:00:00:01:10");
  if (with_ip) r.ip = ip("192.168.100.10");
  r.label1 = 100;
  if (with_l3) r.label2 = 5000;
  return r;
}

TEST(JsonView, Type2MacIpTwoLabels_AllFields) {
  EXPECT_EQ(to_json(EvpnRoute{type2(true, true)}), json::parse(R"({
    "route_type":2,"rd":"10.255.0.1:2","esi":"00:00:00:00:00:00:00:00:00:00","ethernet_tag":0,
    "mac":"02:00:00:00:01:10","ip":"192.168.100.10","vni":100,"l3vni":5000})"));
}

TEST(JsonView, Type2MacOnlyOneLabel_NoIpNoL3vni) {
  const json j = to_json(EvpnRoute{type2(false, false)});
  EXPECT_FALSE(j.contains("ip"));
  EXPECT_FALSE(j.contains("l3vni"));
  EXPECT_EQ(j["vni"], 100);
}

TEST(JsonView, OtherRouteTypes_DocumentedFields) {
  InclusiveMulticast t3{rd("65000:100"), 0, ip("10.255.0.1")};
  EXPECT_EQ(to_json(EvpnRoute{t3}), json::parse(
      R"({"route_type":3,"rd":"65000:100","ethernet_tag":0,"originator":"10.255.0.1"})"));
  IpPrefixRoute t5;
  t5.rd = rd("10.255.0.1:2");
  t5.prefix = *IpPrefix::parse("192.168.100.0/24");
  t5.gateway = ip("0.0.0.0");
  t5.label = 5000;
  EXPECT_EQ(to_json(EvpnRoute{t5}), json::parse(R"({"route_type":5,"rd":"10.255.0.1:2",
    "esi":"00:00:00:00:00:00:00:00:00:00","ethernet_tag":0,"prefix":"192.168.100.0/24",
    "gateway":"0.0.0.0","vni":5000})"));
  EthernetAutoDiscovery t1;
  t1.rd = rd("10.0.0.1:1");
  t1.ethernet_tag = 0xffffffff;
  t1.label = 7;
  EXPECT_EQ(to_json(EvpnRoute{t1}), json::parse(R"({"route_type":1,"rd":"10.0.0.1:1",
    "esi":"00:00:00:00:00:00:00:00:00:00","ethernet_tag":4294967295,"vni":7})"));
  EthernetSegment t4;
  t4.rd = rd("10.0.0.1:1");
  t4.esi = *Esi::parse("01:02:03:04:05:06:07:08:09:0a");
  t4.originator = ip("2001:db8::1");
  EXPECT_EQ(to_json(EvpnRoute{t4}), json::parse(R"({"route_type":4,"rd":"10.0.0.1:1",
    "esi":"01:02:03:04:05:06:07:08:09:0a","originator":"2001:db8::1"})"));
  EXPECT_EQ(to_json(EvpnRoute{UnknownEvpnRoute{9, Bytes{0xde, 0xad}}}), json::parse(R"({"route_type":9,"hex":"dead"})"));
}

TEST(JsonView, PathAttributesAllKinds_Shape) {
  PathAttributes a;
  a.origin = Origin::kIncomplete;
  a.as_path = AsPath{{AsPathSegment::Type::kSequence, {65001, 65002}},
                     {AsPathSegment::Type::kSet, {65003, 65004}},
                     {AsPathSegment::Type::kConfedSequence, {1}}};
  a.med = 0;
  a.local_pref = 100;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{65001, ip("10.0.0.9")};
  a.communities = {(65000u << 16) | 1u};
  a.originator_id = ip("10.255.0.1");
  a.cluster_list = {ip("10.255.0.254")};
  a.ext_communities = {ExtCommunity::route_target(RouteTarget::as2(65000, 100)),
                       ExtCommunity::encapsulation(TunnelEncap::kVxlan)};
  a.large_communities = {LargeCommunity{1, 2, 3}};
  PmsiTunnel p;
  p.label = 100;
  p.tunnel_id = Bytes{10, 255, 0, 1};
  a.pmsi_tunnel = p;
  a.unknown = {RawAttribute{0xc0, 99, Bytes{1, 2}}};
  MpReach mp;
  mp.next_hop = ip("10.255.0.1");
  EXPECT_EQ(to_json(a, &mp), json::parse(R"({
    "origin":"incomplete","as_path":[65001,65002,[65003,65004],{"confed_sequence":[1]}],
    "next_hop":"10.255.0.1","med":0,"local_pref":100,"atomic_aggregate":true,
    "aggregator":{"asn":65001,"address":"10.0.0.9"},"communities":["65000:1"],
    "originator_id":"10.255.0.1","cluster_list":["10.255.0.254"],
    "extended_communities":["rt:65000:100","encap:vxlan"],"large_communities":["1:2:3"],
    "pmsi_tunnel":{"tunnel_type":"ingress-replication","label":100,"endpoint":"10.255.0.1"},
    "unknown":[{"type":99,"flags":192,"hex":"0102"}]})"));
}

TEST(JsonView, NextHopAttributeAndMpNextHop_MpWinsAttributeMoves) {
  PathAttributes a;
  a.next_hop = ip("192.0.2.1");
  EXPECT_EQ(to_json(a), json::parse(R"({"next_hop":"192.0.2.1"})"));
  MpReach mp;
  mp.next_hop = ip("2001:db8::1");
  mp.link_local_next_hop = ip("fe80::1");
  EXPECT_EQ(to_json(a, &mp), json::parse(
      R"({"next_hop":"2001:db8::1","link_local_next_hop":"fe80::1","ipv4_next_hop":"192.0.2.1"})"));
  EXPECT_EQ(to_json(PathAttributes{}), json::object());
}

TEST(JsonView, UpdateWithEvpnReachWithdrawAndErrors_Shape) {
  Update u;
  u.attrs.origin = Origin::kIgp;
  u.attrs.as_path = AsPath{};
  MpReach mp;
  mp.next_hop = ip("10.255.0.1");
  mp.evpn = {type2(true, true)};
  u.mp_reach = mp;
  MpUnreach un;
  un.evpn = {type2(false, false)};
  u.mp_unreach = un;
  DecodeError e;
  e.action = ErrorAction::kTreatAsWithdraw;
  e.code = 3;
  e.subcode = 1;
  e.reason = "bad \xff thing";
  u.errors = {e};
  u.treat_as_withdraw = true;
  const json j = to_json(Message{u});
  EXPECT_EQ(j["type"], "UPDATE");
  EXPECT_EQ(j["attributes"], json::parse(R"({"origin":"igp","as_path":[],"next_hop":"10.255.0.1"})"));
  EXPECT_EQ(j["evpn_reach"], json::array({to_json(EvpnRoute{type2(true, true)})}));
  EXPECT_EQ(j["evpn_withdraw"], json::array({to_json(EvpnRoute{type2(false, false)})}));
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["action"], "treat-as-withdraw");
  EXPECT_EQ(j["errors"][0]["code"], 3);
  EXPECT_EQ(j["errors"][0]["subcode"], 1);
  EXPECT_EQ(j["errors"][0]["code_name"], notify_code_name(3));
  EXPECT_EQ(j["errors"][0]["subcode_name"], notify_subcode_name(3, 1));
  EXPECT_EQ(j["errors"][0]["reason"], "bad \\xff thing");  // made printable: dump() cannot throw
  EXPECT_EQ(j["treat_as_withdraw"], true);
  EXPECT_FALSE(j.contains("nlri"));
  EXPECT_FALSE(j.contains("withdrawn"));
  EXPECT_NO_THROW((void)j.dump());
}

TEST(JsonView, UpdateIpv4AndAddPath_PrefixListsAndPathIds) {
  Update u;
  u.attrs.next_hop = ip("192.0.2.1");
  u.nlri = {*IpPrefix::parse("10.0.0.0/8")};
  u.nlri_path_ids = {7};
  u.withdrawn = {*IpPrefix::parse("10.1.0.0/16")};
  MpReach mp;
  mp.afi_safi = kL2vpnEvpn;
  mp.next_hop = ip("10.255.0.1");
  mp.evpn = {type2(false, false)};
  mp.path_ids = {3};
  u.mp_reach = mp;
  const json j = to_json(Message{u});
  EXPECT_EQ(j["nlri"], json::array({"10.0.0.0/8"}));
  EXPECT_EQ(j["nlri_path_ids"], json::array({7}));
  EXPECT_EQ(j["withdrawn"], json::array({"10.1.0.0/16"}));
  EXPECT_FALSE(j.contains("withdrawn_path_ids"));
  EXPECT_EQ(j["evpn_reach"][0]["path_id"], 3);
  EXPECT_EQ(j["attributes"]["ipv4_next_hop"], "192.0.2.1");
  Update v6;
  MpUnreach un;
  un.afi_safi = kIpv6Unicast;
  un.prefixes = {*IpPrefix::parse("2001:db8::/32")};
  v6.mp_unreach = un;
  EXPECT_EQ(to_json(Message{v6})["ipv6_withdraw"], json::array({"2001:db8::/32"}));
}

TEST(JsonView, OpenWithCapabilities_Shape) {
  Open o;
  o.my_as = 65000;
  o.hold_time = 9;
  o.bgp_id = ip("10.255.0.1");
  o.caps.multiprotocol = {kL2vpnEvpn};
  o.caps.route_refresh = true;
  o.caps.four_octet_as = 65000;
  o.caps.add_path = {AddPathEntry{kL2vpnEvpn, 3}};
  o.caps.graceful_restart = GracefulRestart{false, true, 120, {{kL2vpnEvpn, false}}};
  o.caps.fqdn_hostname = "lab-leaf1";
  o.caps.fqdn_domain = "";
  o.caps.unknown = {RawCapability{200, Bytes{0xab}}};
  EXPECT_EQ(to_json(Message{o}), json::parse(R"({"type":"OPEN","version":4,"my_as":65000,
    "hold_time":9,"bgp_id":"10.255.0.1","capabilities":{"multiprotocol":["l2vpn-evpn"],
    "route_refresh":true,"four_octet_as":65000,
    "add_path":[{"afi_safi":"l2vpn-evpn","send_receive":"both"}],
    "graceful_restart":{"restart_state":false,"notification":true,"restart_time":120,
      "families":[{"afi_safi":"l2vpn-evpn","forwarding_preserved":false}]},
    "fqdn":{"hostname":"lab-leaf1","domain":""},"unknown":[{"code":200,"hex":"ab"}]}})"));
}

TEST(JsonView, NotificationKeepaliveRouteRefresh_Shapes) {
  Notification n{6, 4, Bytes{}};
  const json j = to_json(Message{n});
  EXPECT_EQ(j["type"], "NOTIFICATION");
  EXPECT_EQ(j["code"], 6);
  EXPECT_EQ(j["subcode"], 4);
  EXPECT_EQ(j["code_name"], notify_code_name(6));
  EXPECT_EQ(j["subcode_name"], notify_subcode_name(6, 4));
  EXPECT_FALSE(j.contains("data"));
  Notification shut{6, 2, Bytes{4, 'b', 'y', 'e', '!'}};
  const json s = to_json(Message{shut});
  EXPECT_EQ(s["data"], "04627965" "21");
  EXPECT_EQ(s["shutdown_communication"], "bye!");
  EXPECT_EQ(to_json(Message{Keepalive{}}), json::parse(R"({"type":"KEEPALIVE"})"));
  EXPECT_EQ(to_json(Message{RouteRefresh{kL2vpnEvpn, 1}}),
            json::parse(R"({"type":"ROUTE-REFRESH","afi":25,"safi":70,"subtype":1})"));
}

TEST(JsonView, DecodeErrorWithAttributeAndData_OptionalKeys) {
  DecodeError e;
  e.action = ErrorAction::kSessionReset;
  e.code = 3;
  e.subcode = 5;
  e.reason = "ORIGIN: length 2, expected 1";
  e.attribute_type = 1;
  e.data = Bytes{0x40, 0x01, 0x02, 0x00, 0x00};
  const json j = to_json(e);
  EXPECT_EQ(j["action"], to_string(ErrorAction::kSessionReset));
  EXPECT_EQ(j["attribute"], 1);
  EXPECT_EQ(j["data"], "4001020000");
  EXPECT_EQ(message_type_json_name(5), std::string("ROUTE-REFRESH"));
  EXPECT_EQ(message_type_json_name(9), std::string("UNKNOWN"));
}

}  // namespace
}  // namespace evpnd::wire

// The show views on fixed API bodies shaped as docs/API.md describes them.
#include <gtest/gtest.h>

#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

TEST(ShowViews, Uptime_FrrFormat) {
  EXPECT_EQ(format_uptime(json()), "never");
  EXPECT_EQ(format_uptime(0), "never");
  EXPECT_EQ(format_uptime(245), "00:04:05");
  EXPECT_EQ(format_uptime(3 * 86400 + 2 * 3600 + 11 * 60), "3d02h11m");
  EXPECT_EQ(format_uptime(12 * 7 * 86400 + 86400 + 3 * 3600), "12w1d03h");
}

TEST(ShowViews, AsPath_FrrNotation) {
  EXPECT_EQ(format_as_path(json::array()), "");
  EXPECT_EQ(format_as_path(json()), "");
  EXPECT_EQ(format_as_path(json::parse(R"([65001,65002,[65003,65004],{"confed_sequence":[65010,65011]},
                                            {"confed_set":[65012,65013]}])")),
            "65001 65002 {65003,65004} (65010 65011) [65012,65013]");
}

TEST(ShowViews, BgpSummary_FrrLikeTable) {
  json body = json::parse(R"({"router_id":"10.255.0.254","asn":65000,"cluster_id":"10.255.0.254","loc_rib_routes":12,
    "peers":[{"address":"10.255.0.1","remote_as":65000,"description":"leaf1","role":"rr-client","state":"Established",
              "uptime_seconds":601,"prefixes_received":5,"prefixes_sent":7,"messages_in":120,"messages_out":118},
             {"address":"10.255.0.2","remote_as":65000,"description":"","role":"rr-client","state":"Active",
              "uptime_seconds":0,"prefixes_received":0,"prefixes_sent":0,"messages_in":0,"messages_out":0}]})");
  EXPECT_EQ(render_bgp_summary(body),
            "BGP router identifier 10.255.0.254, local AS number 65000, cluster-id 10.255.0.254\n"
            "Loc-RIB routes: 12\n"
            "\n"
            "Neighbor       AS  Role       MsgRcvd  MsgSent  Up/Down   State/PfxRcd  PfxSnt  Desc\n"
            "10.255.0.1  65000  rr-client      120      118  00:10:01             5       7  leaf1\n"
            "10.255.0.2  65000  rr-client        0        0  never           Active       0  -\n"
            "\n"
            "Total number of neighbors 2\n");
}

TEST(ShowViews, BgpSummary_NoPeers) {
  EXPECT_NE(render_bgp_summary(json{{"router_id", "1.1.1.1"}, {"asn", 1}, {"peers", json::array()}})
                .find("No BGP neighbors are configured."),
            std::string::npos);
}

TEST(ShowViews, BgpNeighbor_DetailBlock) {
  json body = json::parse(R"({"neighbors":[{"address":"10.255.0.1","remote_as":65000,"local_as":65000,
    "state":"Established","role":"rr-client","description":"leaf1","hold_time":9,"keepalive":3,"uptime_seconds":61,
    "last_error":"","negotiated":{"families":["l2vpn-evpn","ipv4-unicast"],"four_octet_as":true,"route_refresh":true,
    "graceful_restart":false,"extended_message":false},
    "counters":{"messages_in":20,"messages_out":21,"updates_in":4,"updates_out":5,"notifications_in":0,
    "notifications_out":1,"treat_as_withdraw":2,"attribute_discard":0,"malformed_session_reset":3,"session_resets":1,
    "stale_routes":0},"prefixes_received":4,"prefixes_sent":5,"max_prefixes":null}]})");
  EXPECT_EQ(render_bgp_neighbors(body),
            "BGP neighbor is 10.255.0.1, remote AS 65000, local AS 65000, role rr-client\n"
            " Description: leaf1\n"
            "  BGP state = Established, up for 00:01:01\n"
            "  Hold time is 9 seconds, keepalive interval is 3 seconds\n"
            "  Negotiated:\n"
            "    Address families: l2vpn-evpn, ipv4-unicast\n"
            "    4-octet AS: yes, route refresh: yes, graceful restart: no, extended message: no\n"
            "  Message statistics:  Sent  Rcvd\n"
            "    Updates:              5     4\n"
            "    Notifications:        1     0\n"
            "    Total:               21    20\n"
            "  Treat-as-withdraw: 2, attribute discard: 0, reset for malformed input: 3, session resets: 1, "
            "stale routes: 0\n"
            "  Prefixes received 4, sent 5, maximum none\n");
  EXPECT_EQ(render_bgp_neighbors(json{{"neighbors", json::array()}}), "No such neighbor.\n");
}

TEST(ShowViews, BgpNeighbor_MaxPrefixStop_SaysWhenOrHowItRestarts) {
  auto tripped = [](bool timer) {
    json n = {{"address", "10.255.0.9"}, {"state", "Idle"}, {"max_prefix_tripped", true}, {"max_prefixes", 10}};
    if (timer) n["max_prefix_restart_in_seconds"] = 42;
    return render_bgp_neighbors(json{{"neighbors", json::array({n})}});
  };
  EXPECT_NE(tripped(true).find("  Stopped: maximum prefixes exceeded; restarts in 42 s\n"), std::string::npos)
      << tripped(true);
  EXPECT_NE(tripped(false).find("`evpnctl clear bgp neighbor 10.255.0.9` starts it again"), std::string::npos)
      << tripped(false);
}

TEST(ShowViews, BgpNeighbor_SendHoldAndSlowPeer_Shown) {  // RFC 9687, bounded output
  auto render = [](json n) { return render_bgp_neighbors(json{{"neighbors", json::array({n})}}); };
  json n = {{"address", "10.255.0.9"}, {"state", "Established"}, {"hold_time", 9}, {"keepalive", 3},
            {"send_hold_time", 480}, {"catching_up", true}, {"output_queued_bytes", 16777216},
            {"counters", {{"send_hold_expired", 1}, {"output_blocked", 2}}}};
  const std::string out = render(n);
  EXPECT_NE(out.find("keepalive interval is 3 seconds, send hold time 480 seconds\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  Output: 16777216 bytes waiting; fell behind, catching up outside its update group\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("  Send hold timer expiries: 1, output queue full: 2 time(s)\n"), std::string::npos) << out;
  n["send_hold_time"] = 0;
  EXPECT_NE(render(n).find("send hold time off"), std::string::npos);
  n["send_hold_time"] = nullptr;
  EXPECT_NE(render(n).find("send hold time default"), std::string::npos);
}

TEST(ShowViews, EvpnRoutes_BestMarkedPathAndOrigin) {
  json body = json::parse(R"({"count":2,"routes":[
    {"route_type":2,"rd":"10.255.0.1:2","vni":100,"l3vni":5000,"prefix_string":"10.255.0.1:2 [2]:[0]:[48]:[02:00:00:00:01:10]",
     "next_hop":"10.255.0.1","peer":"10.255.0.1","best":true,"attributes":{"origin":"IGP","as_path":[]}},
    {"route_type":3,"rd":"10.255.0.2:2","prefix_string":"[3]:[0]:[32]:[10.255.0.2]",
     "next_hop":"10.255.0.2","peer":"10.255.0.2","best":false,"attributes":{"origin":"incomplete","as_path":[65001,65002],
     "pmsi_tunnel":{"tunnel_type":"ingress-replication","label":100}}}]})");
  EXPECT_EQ(render_evpn_routes(body),
            "    Type  RD            Route                             NextHop     VNI       Peer        Path\n"
            "*>     2  10.255.0.1:2  [2]:[0]:[48]:[02:00:00:00:01:10]  10.255.0.1  100/5000  10.255.0.1  i\n"
            "*      3  10.255.0.2:2  [3]:[0]:[32]:[10.255.0.2]         10.255.0.2  100       10.255.0.2  65001 65002 ?\n"
            "\n"
            "Displayed 2 routes\n");
  EXPECT_EQ(render_evpn_routes(json{{"count", 0}, {"routes", json::array()}}), "No EVPN routes.\n");
}

TEST(ShowViews, EvpnVni_L2AndL3Rows) {
  json body = json::parse(R"({"vnis":[
    {"vni":100,"type":"L2","vxlan_device":"vxlan100","bridge":"br100","vrf":"tenant1","rd":"10.255.0.1:2",
     "import_rts":["65000:100"],"export_rts":["65000:100"],"local_macs":2,"remote_macs":3,"remote_vteps":["10.255.0.2","10.255.0.3"],
     "dataplane":{"state":"device-missing","pending":3,"failures":0,"drifts":3,"last_error":"removed behind our back: l2vni vni 100"}},
    {"vni":5000,"type":"L3","vxlan_device":"vxlan5000","bridge":"br5000","vrf":"tenant1","rd":"10.255.0.1:3",
     "import_rts":["65000:5000"],"export_rts":["65000:5000"],"remote_vteps":[]}]})");
  EXPECT_EQ(render_evpn_vnis(body),
            " VNI  Type  VxLAN IF   Bridge  Data Plane                  # MACs (L/R)  # Remote VTEPs  Tenant VRF  RD            Import RT   Export RT\n"
            " 100  L2    vxlan100   br100   device-missing (3 pending)  2/3                        2  tenant1     10.255.0.1:2  65000:100   65000:100\n"
            "5000  L3    vxlan5000  br5000  -                           -                          0  tenant1     10.255.0.1:3  65000:5000  65000:5000\n"
            "\n2 VNIs\n"
            "VNI 100: device-missing: removed behind our back: l2vni vni 100\n");
}

TEST(ShowViews, EvpnMac_LocalInterfaceRemoteVtepFlags) {
  json body = json::parse(R"({"macs":[
    {"vni":100,"mac":"02:00:00:00:01:10","type":"local","interface":"veth1","sequence":0,"flags":[]},
    {"vni":100,"mac":"02:00:00:00:02:10","type":"remote","vtep":"10.255.0.2","sequence":3,"flags":["sticky","duplicate"]}]})");
  EXPECT_EQ(render_evpn_macs(body),
            "VNI  MAC                Type    Intf/Remote VTEP  Seq #  Flags\n"
            "100  02:00:00:00:01:10  local   veth1                 0\n"
            "100  02:00:00:00:02:10  remote  10.255.0.2            3  sticky,duplicate\n"
            "\n2 MACs\n");
  EXPECT_EQ(render_evpn_macs(json{{"macs", json::array()}}), "No MAC entries.\n");
}

TEST(ShowViews, EvpnMac_RemoteBehindSegmentShowsEsiAndGroup) {  // as FRR's "Remote ES/VTEP"
  json body = json::parse(R"({"macs":[
    {"vni":100,"mac":"02:00:00:00:0a:01","type":"remote","vtep":"10.255.0.2","sequence":0,"flags":[],
     "esi":"03:44:38:39:ff:ff:01:00:00:01","nhid":234881027},
    {"vni":100,"mac":"02:00:00:00:0c:01","type":"local","interface":"es1-100","vtep":"10.255.0.3","sequence":0,
     "flags":["peer-active"],"esi":"03:44:38:39:ff:ff:01:00:00:01"}]})");
  EXPECT_EQ(render_evpn_macs(body),
            "VNI  MAC                Type    Intf/Remote VTEP                              Seq #  Flags\n"
            "100  02:00:00:00:0a:01  remote  03:44:38:39:ff:ff:01:00:00:01 nhid 234881027      0\n"
            "100  02:00:00:00:0c:01  local   es1-100                                           0  peer-active\n"
            "\n2 MACs\n");
}

TEST(ShowViews, ArpCacheVtepVrfRmacDup_Tables) {
  EXPECT_EQ(render_evpn_arp_cache(json::parse(R"({"entries":[{"vni":100,"ip":"192.168.100.10","mac":"02:00:00:00:01:10",
            "type":"remote","vtep":"10.255.0.2","sequence":1}]})")),
            "VNI  IP              MAC                Type    Remote VTEP  Seq #\n"
            "100  192.168.100.10  02:00:00:00:01:10  remote  10.255.0.2       1\n\n1 neighbor\n");
  EXPECT_EQ(render_evpn_vteps(json::parse(R"({"vteps":[{"vtep":"10.255.0.2","vnis":[100,200]}]})")),
            "Remote VTEP  VNIs\n10.255.0.2   100,200\n\n1 remote VTEP\n");
  EXPECT_EQ(render_evpn_vrfs(json::parse(R"({"vrfs":[{"name":"tenant1","l3vni":5000,"rd":"10.255.0.1:3",
            "router_mac":"02:00:0a:ff:00:01","import_rts":["65000:5000"],"export_rts":["65000:5000"],"state":"up"}]})")),
            "VRF      L3VNI  State  Router MAC         RD            Import RT   Export RT\n"
            "tenant1   5000  up     02:00:0a:ff:00:01  10.255.0.1:3  65000:5000  65000:5000\n\n1 VRF\n");
  EXPECT_EQ(render_evpn_rmacs(json::parse(R"({"rmacs":[{"vrf":"tenant1","vtep":"10.255.0.2","rmac":"02:00:0a:ff:00:02"}]})")),
            "VRF      Remote VTEP  Router MAC\ntenant1  10.255.0.2   02:00:0a:ff:00:02\n\n1 router MAC\n");
  EXPECT_EQ(render_evpn_dup_addr(json::parse(R"({"entries":[{"vni":100,"kind":"mac","mac":"02:00:00:00:01:10","ip":null,"moves":6,
            "state":"frozen"},{"vni":100,"kind":"ip","mac":"02:00:00:00:0b:0b","ip":"192.168.100.50","moves":5,
            "state":"duplicate"}]})")),
            "VNI  Type  MAC                IP              Moves  State\n"
            "100  mac   02:00:00:00:01:10  -                   6  frozen\n"
            "100  ip    02:00:00:00:0b:0b  192.168.100.50      5  duplicate\n\n2 duplicate addresses\n");
}

TEST(ShowViews, VrfRoutes_EcmpOneLinePerNexthop) {
  json body = json::parse(R"({"routes":[
    {"prefix":"10.99.0.0/24","type":"prefix","nexthops":[{"vtep":"10.255.0.2","rmac":"02:00:0a:ff:00:02"},
                                                        {"vtep":"10.255.0.3","rmac":"02:00:0a:ff:00:03"}]},
    {"prefix":"192.168.100.0/24","type":"connected","nexthops":[]}]})");
  EXPECT_EQ(render_vrf_routes(body),
            "Prefix            Type       Next hop (VTEP)  Router MAC\n"
            "10.99.0.0/24      prefix     10.255.0.2       02:00:0a:ff:00:02\n"
            "                             10.255.0.3       02:00:0a:ff:00:03\n"
            "192.168.100.0/24  connected  -                -\n"
            "\n2 routes\n");
}

TEST(ShowViews, MissingFields_DashNotCrash) {
  EXPECT_EQ(render_evpn_macs(json::parse(R"({"macs":[{}]})")),
            "VNI  MAC  Type  Intf/Remote VTEP  Seq #  Flags\n  -  -    -     -                     -\n\n1 MAC\n");
  EXPECT_EQ(render_bgp_summary(json::array()).substr(0, 22), "BGP router identifier ");
}

}  // namespace
}  // namespace evpnctl

// The unicast BGP views (issue 10) on fixed API bodies shaped as docs/API.md describes them.
#include <gtest/gtest.h>

#include <algorithm>

#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

TEST(UnicastShowViews, BgpVrfs_TableAndListenRanges) {
  json body = json::parse(R"({"vrfs":[{"name":"tenant1","asn":65000,"router_id":"10.0.0.1","peers_configured":1,
    "peers_established":2,"dynamic_peers":1,"listen_ranges":[{"range":"10.1.0.0/24","remote_as":64512,"max_peers":100,
    "peers":1,"refused":2}],"unicast_routes":{"ipv4-unicast":3,"ipv6-unicast":0}}]})");
  EXPECT_EQ(render_bgp_vrfs(body),
            "Name        AS  Router ID  #PeersCfg  #PeersEstb  #Dynamic  IPv4 routes  IPv6 routes\n"
            "tenant1  65000  10.0.0.1           1           2         1            3            0\n"
            "\n"
            "Listen ranges:\n"
            "  tenant1: 10.1.0.0/24 remote-as 64512, 1 of at most 100 peers, 2 connections refused (full)\n");
  EXPECT_EQ(render_bgp_vrfs(json::parse(R"({"vrfs":[]})")), "No VRF has a BGP instance.\n");
}

TEST(UnicastShowViews, VrfSummary_AcceptedInStateColumnDynamicMarked) {
  json body = json::parse(R"({"vrf":"tenant1","asn":65000,"router_id":"10.0.0.1","neighbors":[
    {"address":"10.1.0.5","remote_as":64512,"state":"Established","uptime_seconds":65,"dynamic":true,
     "listen_range":"10.1.0.0/24","prefixes_accepted":{"ipv4-unicast":2,"ipv6-unicast":1},"prefixes_sent":4,
     "policy_rejected":1,"unnegotiated_nlri":0,"messages_in":10,"messages_out":12,"description":""},
    {"address":"192.0.2.1","remote_as":64999,"state":"Active","uptime_seconds":0,"dynamic":false,
     "prefixes_accepted":{"ipv4-unicast":0,"ipv6-unicast":0},"prefixes_sent":0,"policy_rejected":0,
     "unnegotiated_nlri":3,"messages_in":0,"messages_out":0,"description":"gateway"}]})");
  EXPECT_EQ(render_bgp_vrf_summary(body),
            "BGP router identifier 10.0.0.1, local AS number 65000 vrf tenant1\n"
            "\n"
            "Neighbor      AS  MsgRcvd  MsgSent  Up/Down   State/PfxAcc  PfxSnt  Rejected  Desc\n"
            "*10.1.0.5  64512       10       12  00:01:05             3       4         1  -\n"
            "192.0.2.1  64999        0        0  never           Active       0         0  gateway\n"
            "\n"
            "Total number of neighbors 2\n"
            "* - dynamic neighbor, 1 dynamic neighbor(s)\n"
            "  192.0.2.1: 3 NLRI of families the session did not negotiate ignored\n");
  EXPECT_NE(render_bgp_vrf_summary(json::parse(R"({"vrf":"x","neighbors":[]})")).find("No BGP neighbors"), std::string::npos);
}

const char* kRoutes = R"({"routes":[
  {"prefix":"10.244.1.0/26","family":"ipv4-unicast","peer":"10.1.0.5","next_hop":"10.1.0.5","best":true,"stale":false,
   "attributes":{"origin":"igp","as_path":[64512],"med":0,"communities":["65000:7"]}},
  {"prefix":"10.244.1.0/26","family":"ipv4-unicast","peer":"10.1.0.6","next_hop":"10.1.0.6","best":false,"stale":true,
   "attributes":{"origin":"incomplete","as_path":[64513,64600]}},
  {"prefix":"203.0.113.10/32","family":"ipv4-unicast","peer":"local","next_hop":null,"best":true,"stale":false,
   "attributes":{"origin":"igp","as_path":[],"local_pref":100}}],"count":3})";

TEST(UnicastShowViews, Routes_FrrLikeTableNetworkOncePerPrefix) {
  EXPECT_EQ(render_unicast_routes(json::parse(kRoutes)),
            "Status codes: * valid, > best, S stale\n"
            "Origin codes: i - IGP, e - EGP, ? - incomplete\n"
            "\n"
            "    Network          Next Hop  Metric  LocPrf  Peer      Path\n"
            "*>  10.244.1.0/26    10.1.0.5       0       -  10.1.0.5  64512 i\n"
            "S*                   10.1.0.6       -       -  10.1.0.6  64513 64600 ?\n"
            "*>  203.0.113.10/32  -              -     100  local     i\n"
            "\n"
            "Displayed 2 prefixes, 3 paths\n");
  EXPECT_EQ(render_unicast_routes(json::parse(R"({"routes":[],"count":0})")), "No BGP prefixes displayed.\n");
}

TEST(UnicastShowViews, Routes_SortedAsFrrPathsOfAPrefixKeptTogether) {
  json body = json::parse(R"({"routes":[
    {"prefix":"2001:db8::/32","peer":"a","best":true},
    {"prefix":"10.244.1.0/26","peer":"b","best":true},{"prefix":"10.244.1.0/26","peer":"c"},
    {"prefix":"9.0.0.0/8","peer":"d","best":true},
    {"prefix":"10.244.1.0/24","peer":"e","best":true}]})");
  const std::string text = render_unicast_routes(body);
  std::vector<size_t> at;
  for (const char* p : {"9.0.0.0/8", "10.244.1.0/24", "10.244.1.0/26", "  c  ", "2001:db8::/32"}) at.push_back(text.find(p));
  for (size_t i = 0; i < at.size(); ++i) ASSERT_NE(at[i], std::string::npos) << i << "\n" << text;
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << text;
}

TEST(UnicastShowViews, Prefix_DetailPerPath) {
  json body = json::parse(kRoutes);
  body["routes"].erase(2);
  EXPECT_EQ(render_unicast_prefix(body),
            "BGP routing table entry for 10.244.1.0/26\n"
            "Paths: (2 available)\n"
            "  64512\n"
            "    10.1.0.5 from 10.1.0.5\n"
            "      Origin igp, metric 0, best\n"
            "      Community: 65000:7\n"
            "  64513 64600\n"
            "    10.1.0.6 from 10.1.0.6\n"
            "      Origin incomplete, stale\n");
  EXPECT_EQ(render_unicast_prefix(json::parse(R"({"routes":[],"count":0})")), "% Network not in table\n");
}

TEST(UnicastShowViews, VrfRoutes_BgpRoutesWithTheirPeer) {
  json body = json::parse(R"({"routes":[
    {"prefix":"10.99.0.0/24","type":"prefix","nexthops":[{"vtep":"10.255.0.2","rmac":"02:00:0a:ff:00:02"}]},
    {"prefix":"10.244.1.0/26","type":"bgp","peer":"10.1.0.5","nexthops":[{"next_hop":"10.1.0.5"}]}]})");
  EXPECT_EQ(render_vrf_routes(body),
            "Prefix         Type    Next hop    Router MAC         Peer\n"
            "10.99.0.0/24   prefix  10.255.0.2  02:00:0a:ff:00:02  -\n"
            "10.244.1.0/26  bgp     10.1.0.5    -                  10.1.0.5\n"
            "\n2 routes\n");
}

TEST(UnicastShowViews, GlobalNeighbor_UnicastLineOnlyWhenThereIsSomething) {
  json n = {{"address", "10.0.0.2"}, {"state", "Established"}, {"prefixes_received", 3},
            {"prefixes_accepted", {{"ipv4-unicast", 2}, {"ipv6-unicast", 0}}}, {"policy_rejected", 1}};
  const std::string text = render_bgp_neighbors({{"neighbors", {n}}});
  EXPECT_NE(text.find("  Unicast prefixes accepted: ipv4 2, ipv6 0; refused by the import policy: 1\n"), std::string::npos)
      << text;
  n["prefixes_accepted"] = {{"ipv4-unicast", 0}, {"ipv6-unicast", 0}};
  n["policy_rejected"] = 0;
  EXPECT_EQ(render_bgp_neighbors({{"neighbors", {n}}}).find("Unicast"), std::string::npos);  // an EVPN-only peer
}

TEST(UnicastShowViews, VrfSummary_JustEstablished_ZeroNotNever) {
  json body = {{"neighbors", {{{"address", "10.1.0.5"}, {"state", "Established"}, {"uptime_seconds", 0}}}}};
  EXPECT_NE(render_bgp_vrf_summary(body).find("00:00:00"), std::string::npos) << render_bgp_vrf_summary(body);
}

TEST(UnicastShowViews, MissingFields_DashNotCrash) {
  EXPECT_NE(render_bgp_vrfs(json::parse(R"({"vrfs":[{}]})")).find("-"), std::string::npos);
  EXPECT_NE(render_bgp_vrf_summary(json::parse(R"({"neighbors":[{}]})")).find("Total number of neighbors 1"),
            std::string::npos);
  EXPECT_NE(render_unicast_routes(json::parse(R"({"routes":[{}]})")).find("Displayed 1 prefix, 1 path"),
            std::string::npos);
  EXPECT_NE(render_unicast_prefix(json::parse(R"({"routes":[{}]})")).find("Local"), std::string::npos);
}

}  // namespace
}  // namespace evpnctl

// Issue 12, defect 10: POST /v1/evpn/routes and POST /v1/vrfs/NAME/prefixes refuse routes no
// VTEP could mean (400 with the reason), and on a leaf routes for VNIs it does not run (404).
// Every refused body here was originated before. Withdrawals (DELETE) stay lenient.
#include <gtest/gtest.h>

#include <unistd.h>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::Config config(const std::string& text) {
  auto c = api::parse_config_text(text, "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return *c;
}

api::ApiResponse post(Daemon& d, const std::string& path, json body, const std::string& method = "POST") {
  api::ApiRequest r;
  r.method = method;
  r.path = path;
  r.body = std::move(body);
  return handle_api(d, r);
}

json type2(const std::string& mac, const std::string& ip = "", const std::string& nh = "10.0.0.1") {
  json r = {{"route_type", 2}, {"rd", "10.0.0.1:2"}, {"mac", mac}, {"vni", 100}, {"next_hop", nh},
            {"extended_communities", {"rt:65000:100", "encap:vxlan"}}};
  if (!ip.empty()) r["ip"] = ip;
  return r;
}

json type5(const std::string& prefix, uint32_t vni = 5000, const std::string& gw = "") {
  json r = {{"route_type", 5}, {"rd", "10.0.0.1:3"}, {"prefix", prefix}, {"vni", vni}, {"next_hop", "10.0.0.1"},
            {"extended_communities", {"rt:65000:5000", "encap:vxlan"}}};
  if (!gw.empty()) r["gateway"] = gw;
  return r;
}

// Status and error of POST /v1/evpn/routes with one route.
std::pair<int, std::string> originate(Daemon& d, json route) {
  auto r = post(d, "/v1/evpn/routes", {{"routes", json::array({std::move(route)})}});
  return {r.status, r.body.contains("error") ? r.body["error"].get<std::string>() : ""};
}

void expect_refused(Daemon& d, json route, int status, const std::string& reason) {
  auto [code, error] = originate(d, std::move(route));
  EXPECT_EQ(code, status) << error;
  EXPECT_EQ(error.rfind("routes[0]: ", 0), 0u) << error;
  EXPECT_NE(error.find(reason), std::string::npos) << "error \"" << error << "\" lacks \"" << reason << "\"";
}

class EvpnRoutesApi : public ::testing::Test {
 protected:
  const std::string dir_ = ::testing::TempDir();
  asio::io_context io_;
  Daemon rr_{io_, config("router-id: 10.0.0.254\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ + "/rt-rr.sock }\n")};
  Daemon leaf_{io_, config("router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ +
                           "/rt-leaf.sock }\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                           "vrfs:\n  - { name: red, l3vni: 5000 }\nl2vnis:\n  - { vni: 100, vrf: red }\n")};
  void SetUp() override {
    rr_.start();
    leaf_.start();
  }
};

TEST_F(EvpnRoutesApi, GroupOrZeroMac_Refused400) {
  expect_refused(rr_, type2("ff:ff:ff:ff:ff:ff"), 400, "mac ff:ff:ff:ff:ff:ff is a multicast or broadcast MAC");
  expect_refused(rr_, type2("01:00:5e:00:00:01"), 400, "is a multicast or broadcast MAC");
  expect_refused(rr_, type2("00:00:00:00:00:00"), 400, "mac 00:00:00:00:00:00 is not a host MAC");
  expect_refused(rr_, type2("02:aa:00:00:00:01", "224.0.0.9"), 400, "ip 224.0.0.9 is a multicast address");
  EXPECT_EQ(originate(rr_, type2("02:aa:00:00:00:01", "192.168.1.5")).first, 200);
}

TEST_F(EvpnRoutesApi, NextHopNotUnicast_Refused400) {
  expect_refused(rr_, type2("02:aa:00:00:00:01", "", "0.0.0.0"), 400, "next_hop 0.0.0.0 is the unspecified address");
  expect_refused(rr_, type2("02:aa:00:00:00:01", "", "255.255.255.255"), 400, "is the broadcast address");
  expect_refused(rr_, type2("02:aa:00:00:00:01", "", "239.1.1.1"), 400, "next_hop 239.1.1.1 is a multicast address");
  expect_refused(rr_, type2("02:aa:00:00:00:01", "", "::"), 400, "next_hop :: is the unspecified address");
}

TEST_F(EvpnRoutesApi, Type5HostBitsMulticastOrFamilyMix_Refused400) {
  expect_refused(rr_, type5("10.9.0.1/24"), 400, "prefix '10.9.0.1/24' has host bits set (did you mean 10.9.0.0/24?)");
  expect_refused(rr_, type5("224.1.0.0/16"), 400, "is a multicast or broadcast range");
  expect_refused(rr_, type5("10.9.0.0/24", 5000, "2001:db8::1"), 400, "is not of the prefix's address family");
  EXPECT_EQ(originate(rr_, type5("10.9.0.0/24")).first, 200);
}

TEST_F(EvpnRoutesApi, Types134BadOriginatorOrZeroEsi_Refused400) {
  expect_refused(rr_, {{"route_type", 3}, {"rd", "10.0.0.1:2"}, {"originator", "0.0.0.0"}, {"vni", 100}, {"next_hop", "10.0.0.1"}},
                 400, "originator 0.0.0.0 is the unspecified address");
  expect_refused(rr_, {{"route_type", 3}, {"rd", "10.0.0.1:2"}, {"originator", "10.0.0.1"}, {"vni", 100}, {"next_hop", "10.0.0.1"},
                       {"pmsi_tunnel", {{"label", 100}, {"endpoint", "232.1.1.1"}}}},
                 400, "pmsi_tunnel endpoint 232.1.1.1 is a multicast address");
  expect_refused(rr_, {{"route_type", 1}, {"rd", "10.0.0.1:1"}, {"esi", "00:00:00:00:00:00:00:00:00:00"}, {"vni", 100},
                       {"next_hop", "10.0.0.1"}},
                 400, "esi 0 has no Ethernet segment");
  expect_refused(rr_, {{"route_type", 4}, {"rd", "10.0.0.1:1"}, {"esi", "00:00:00:00:00:00:00:00:00:00"},
                       {"originator", "10.0.0.1"}, {"next_hop", "10.0.0.1"}},
                 400, "esi 0 has no Ethernet segment");
}

TEST_F(EvpnRoutesApi, LeafUnknownVni_Refused404KnownAccepted) {
  json t2 = type2("02:aa:00:00:00:01");
  t2["vni"] = 999;
  expect_refused(leaf_, t2, 404, "no such L2VNI 999 on this node");
  t2["vni"] = 100;
  t2["l3vni"] = 6000;
  expect_refused(leaf_, t2, 404, "no such L3VNI 6000 on this node");
  expect_refused(leaf_, type5("10.9.0.0/24", 777), 404, "no such L3VNI 777 on this node");
  t2["l3vni"] = 5000;
  EXPECT_EQ(originate(leaf_, t2).first, 200);
  EXPECT_EQ(originate(leaf_, type5("10.9.0.0/24")).first, 200);
}

TEST_F(EvpnRoutesApi, Withdraw_NotChecked) {
  // A withdrawal names a route; refusing one that was never originated helps nobody.
  auto r = post(rr_, "/v1/evpn/routes", {{"routes", json::array({type2("ff:ff:ff:ff:ff:ff")})}}, "DELETE");
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["not_found"], 1);
}

TEST_F(EvpnRoutesApi, AnnounceMulticastPrefix_Refused400) {
  auto r = post(leaf_, "/v1/vrfs/red/prefixes", {{"prefix", "239.0.0.0/8"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "bad prefix '239.0.0.0/8': a multicast or broadcast range");
  EXPECT_EQ(post(leaf_, "/v1/vrfs/red/prefixes", {{"prefix", "ff05::/16"}}).status, 400);
  EXPECT_EQ(post(leaf_, "/v1/vrfs/red/prefixes", {{"prefix", "255.255.255.255/32"}}).status, 400);
  EXPECT_EQ(post(leaf_, "/v1/vrfs/red/prefixes", {{"prefix", "10.99.0.0/24"}}).status, 200);
  EXPECT_EQ(post(leaf_, "/v1/vrfs/blue/prefixes", {{"prefix", "10.99.0.0/24"}}).status, 404);
}

}  // namespace
}  // namespace evpnd::daemon

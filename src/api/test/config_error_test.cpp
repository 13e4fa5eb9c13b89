// Every class of configuration error: the exact line, the dotted path and the reason.
#include <gtest/gtest.h>

#include "api/config.hpp"
#include "api/test/config_error_expect.hpp"

namespace evpnd::api {
namespace {

using test::Expected;
using test::expect_error;

const std::string kHead = "router-id: 10.0.0.1\nasn: 65000\n";  // lines 1-2

TEST(ConfigError, UnknownTopLevelKey_DidYouMean) {
  expect_error(kHead + "neighbours: []\n", {3, "neighbours", "unknown key (did you mean \"neighbors\"?)"});
}

TEST(ConfigError, UnknownKeyFarFromAny_NoSuggestion) {
  auto cfg = parse_config_text(kHead + "zebra: 1\n", "t.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().to_string(), "t.yaml:3: zebra: unknown key");
}

TEST(ConfigError, UnknownNestedKey_LineOfTheKey) {
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65000\n    timers:\n      hold: 9\n"
                       "      keeplive: 3\n",
               {8, "neighbors[0].timers.keeplive", "did you mean \"keepalive\"?"});
}

TEST(ConfigError, DuplicateKey_Rejected) {
  expect_error(kHead + "asn: 65001\n", {3, "asn", "duplicate key"});
}

TEST(ConfigError, MissingRequiredKey_LineOfTheMap) {
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    description: x\n",
               {4, "neighbors[0].remote-as", "required key is missing"});
  expect_error("asn: 65000\n", {1, "router-id", "required key is missing"});
}

TEST(ConfigError, EmptyFile_RouterIdMissing) {
  auto cfg = parse_config_text("", "t.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().path, "router-id");
}

TEST(ConfigError, WrongTypes_Named) {
  expect_error(kHead + "neighbors: { address: 10.0.0.2 }\n", {3, "neighbors", "expected a list, got a map"});
  expect_error(kHead + "listen: 179\n", {3, "listen", "expected a map, got \"179\""});
  expect_error(kHead + "graceful-restart: { enabled: maybe }\n",
               {3, "graceful-restart.enabled", "expected true or false, got \"maybe\""});
  expect_error(kHead + "vtep:\n  source-ip: [10.0.0.1]\n", {4, "vtep.source-ip", "expected an IPv4 address, got a list"});
  expect_error("router-id: 10.0.0.1\nasn: lots\n", {2, "asn", "expected an integer in 1..4294967295, got \"lots\""});
  expect_error("- a\n- b\n", {1, "(top level)", "expected a map, got a list"});
}

TEST(ConfigError, Ranges_Enforced) {
  expect_error("router-id: 10.0.0.1\nasn: 0\n", {2, "asn", "expected 1..4294967295, got 0"});
  expect_error("router-id: 10.0.0.1\nasn: 4294967296\n", {2, "asn", "expected 1..4294967295"});
  expect_error(kHead + "listen: { port: 65536 }\n", {3, "listen.port", "expected 0..65535"});
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 0 }\n",
               {4, "neighbors[0].remote-as", "expected 1..4294967295, got 0"});
  expect_error(kHead + "vtep: { source-ip: 10.0.0.1 }\nl2vnis:\n  - vni: 16777216\n",
               {5, "l2vnis[0].vni", "expected 1..16777215, got 16777216"});
  expect_error(kHead + "vtep: { source-ip: 10.0.0.1 }\nvrfs:\n  - { name: t, l3vni: 0 }\n",
               {5, "vrfs[0].l3vni", "expected 1..16777215, got 0"});
  expect_error(kHead + "graceful-restart: { restart-time: 4096 }\n", {3, "graceful-restart.restart-time", "0..4095"});
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1, ttl-security: { hops: 255 } }\n",
               {4, "neighbors[0].ttl-security.hops", "1..254"});
}

TEST(ConfigError, HoldAndKeepalive_Rfc4271Rules) {
  const std::string n = kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65000\n";  // lines 3-5
  expect_error(n + "    timers: { hold: 2 }\n", {6, "neighbors[0].timers.hold", "0 or at least 3 seconds"});
  expect_error(n + "    timers:\n      hold: 9\n      keepalive: 9\n",
               {8, "neighbors[0].timers.keepalive", "keepalive (9) must be less than the hold time (9)"});
  expect_error(n + "    timers: { hold: 0, keepalive: 3 }\n", {6, "neighbors[0].timers.keepalive", "must be 0"});
  EXPECT_TRUE(parse_config_text(n + "    timers: { hold: 3, keepalive: 1 }\n", "t.yaml"));
}

// RFC 4271 §4.4/§10: keepalive 0 with a non-zero hold time would send no KEEPALIVE at all.
TEST(ConfigError, KeepaliveZeroWithNonZeroHold_Refused) {
  const std::string n = kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65000\n";  // lines 3-5
  expect_error(n + "    timers:\n      keepalive: 0\n",
               {7, "neighbors[0].timers.keepalive", "keepalive 0 would send no KEEPALIVE while the hold time is 90 s"});
  expect_error(n + "    timers: { hold: 9, keepalive: 0 }\n", {6, "neighbors[0].timers.keepalive", "hold time is 9 s"});
  expect_error(n + "    timers: { hold: 9, keepalive: 10 }\n", {6, "neighbors[0].timers.keepalive", "must be less than"});
  EXPECT_TRUE(parse_config_text(n + "    timers: { hold: 0, keepalive: 0 }\n", "t.yaml"));
  EXPECT_TRUE(parse_config_text(n + "    timers: { hold: 9 }\n", "t.yaml"));
}

TEST(ConfigError, MaxPrefixesRestart_RangeTypeAndDependency) {
  const std::string n = kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    max-prefixes: 10\n";
  expect_error(n + "    max-prefixes-restart: 86401\n",
               {7, "neighbors[0].max-prefixes-restart", "expected 0..86400, got 86401"});
  expect_error(n + "    max-prefixes-restart: -1\n", {7, "neighbors[0].max-prefixes-restart", "0..86400"});
  expect_error(n + "    max-prefixes-restart: soon\n",
               {7, "neighbors[0].max-prefixes-restart", "expected an integer in 0..86400, got \"soon\""});
  expect_error(n + "    max-prefixes-restart: [30]\n", {7, "neighbors[0].max-prefixes-restart", "got a list"});
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    max-prefixes-restart: 30\n",
               {6, "neighbors[0].max-prefixes-restart", "needs max-prefixes"});
  expect_error(n + "    max-prefix-restart: 30\n",
               {7, "neighbors[0].max-prefix-restart", "did you mean \"max-prefixes-restart\"?"});
  EXPECT_TRUE(parse_config_text(n + "    max-prefixes-restart: 86400\n", "t.yaml"));
}

TEST(ConfigError, DuplicateNeighbor_PointsAtSecond) {
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1 }\n  - { address: 10.0.0.3, remote-as: 1 }\n"
                       "  - address: 10.0.0.2\n    remote-as: 2\n",
               {6, "neighbors[2].address", "duplicate neighbor 10.0.0.2 (also neighbors[0])"});
}

TEST(ConfigError, Ipv6Neighbor_Accepted) {
  auto c = parse_config_text(kHead + "neighbors:\n  - { address: \"2001:db8::1\", remote-as: 1, update-source: \"2001:db8::2\" }\n",
                             "t.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->neighbors.size(), 1u);
  EXPECT_TRUE(c->neighbors[0].address.is_v6());
  EXPECT_EQ(c->neighbors[0].address.to_string(), "2001:db8::1");
  EXPECT_EQ(c->neighbors[0].update_source->to_string(), "2001:db8::2");
  auto l = parse_config_text(kHead + "listen: { address: \"::\", port: 179 }\n", "t.yaml");
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(l->listen_address.to_string(), "::");
}

TEST(ConfigError, BadIpv6Neighbor_FileLineReason) {
  const std::string n = kHead + "neighbors:\n  - { address: 10.0.0.9, remote-as: 1 }\n";  // line 4
  expect_error(n + "  - { address: \"fe80::1\", remote-as: 1 }\n", {5, "neighbors[1].address", "link-local neighbor fe80::1"});
  expect_error(n + "  - { address: \"::ffff:10.0.0.9\", remote-as: 1 }\n", {5, "neighbors[1].address", "IPv4-mapped"});
  expect_error(n + "  - { address: \"ff02::5\", remote-as: 1 }\n", {5, "neighbors[1].address", "multicast"});
  expect_error(n + "  - { address: \"::\", remote-as: 1 }\n", {5, "neighbors[1].address", ":: is not a neighbor address"});
  expect_error(n + "  - { address: \"2001:db8::zz\", remote-as: 1 }\n", {5, "neighbors[1].address", "invalid IP address"});
  expect_error(n + "  - { address: \"2001:db8::1\", remote-as: 1, update-source: 10.0.0.1 }\n",
               {5, "neighbors[1].update-source", "address family differs"});
  expect_error(n + "  - { address: \"2001:db8::1\", remote-as: 1 }\n  - { address: \"2001:db8:0::1\", remote-as: 2 }\n",
               {6, "neighbors[2].address", "duplicate neighbor 2001:db8::1 (also neighbors[1])"});
}

TEST(ConfigError, DuplicateVniAndVrf_Rejected) {
  const std::string v = kHead + "vtep: { source-ip: 10.0.0.1 }\n";  // line 3
  expect_error(v + "l2vnis:\n  - { vni: 100 }\n  - { vni: 200 }\n  - vni: 100\n",
               {7, "l2vnis[2].vni", "duplicate VNI 100 (also l2vnis[0])"});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5000 }\n  - name: a\n    l3vni: 5001\n",
               {6, "vrfs[1].name", "duplicate VRF name \"a\""});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5000 }\n  - name: b\n    l3vni: 5000\n",
               {7, "vrfs[1].l3vni", "duplicate L3VNI 5000"});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5000 }\nl2vnis:\n  - { vni: 5000 }\n",
               {7, "l2vnis[0].vni", "is the L3VNI of vrfs[0]"});
  expect_error(v + "l2vnis:\n  - { vni: 100, bridge: brx }\n  - { vni: 200, bridge: brx }\n",
               {6, "l2vnis[1].bridge", "already used"});
}

TEST(ConfigError, L2vniUnknownVrf_DidYouMean) {
  expect_error(kHead + "vtep: { source-ip: 10.0.0.1 }\nvrfs:\n  - { name: tenant1, l3vni: 5000 }\nl2vnis:\n"
                       "  - vni: 100\n    vrf: tenant2\n",
               {8, "l2vnis[0].vrf", "unknown VRF \"tenant2\" (did you mean \"tenant1\"?)"});
}

TEST(ConfigError, BadValueStrings_Rejected) {
  const std::string v = kHead + "vtep: { source-ip: 10.0.0.1 }\n";  // line 3
  expect_error(kHead + "cluster-id: 10.0.0.300\n", {3, "cluster-id", "invalid IPv4 address \"10.0.0.300\""});
  expect_error("router-id: \"::1\"\nasn: 1\n", {1, "router-id", "invalid IPv4 address"});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5000, router-mac: \"02:00:00:00:00\" }\n",
               {5, "vrfs[0].router-mac", "invalid MAC address"});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5000, router-mac: \"01:00:5e:00:00:01\" }\n",
               {5, "vrfs[0].router-mac", "not a unicast address"});
  expect_error(v + "l2vnis:\n  - { vni: 1, rd: \"65000\" }\n", {5, "l2vnis[0].rd", "invalid route distinguisher"});
  expect_error(v + "l2vnis:\n  - vni: 1\n    route-targets:\n      import: [\"65000:1\", \"x:1\"]\n",
               {7, "l2vnis[0].route-targets.import[1]", "invalid route target \"x:1\""});
  expect_error(v + "vrfs:\n  - { name: a, l3vni: 5, announce: [10.0.0.1/24] }\n",
               {5, "vrfs[0].announce[0]", "host bits set (did you mean 10.0.0.0/24?)"});
  expect_error(v + "l2vnis:\n  - { vni: 1, gateway: 192.168.1.0/24 }\n", {5, "l2vnis[0].gateway", "subnet address"});
  expect_error(v + "l2vnis:\n  - { vni: 1, bridge: a-very-long-bridge-name }\n",
               {5, "l2vnis[0].bridge", "longer than 15 characters"});
  expect_error(kHead + "log-level: inf\n", {3, "log-level", "unknown value \"inf\" (did you mean \"info\"?)"});
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1, families: [l2vpn-evpm] }\n",
               {4, "neighbors[0].families[0]", "did you mean \"l2vpn-evpn\"?"});
  expect_error(kHead + "api: { socket: relative.sock }\n", {3, "api.socket", "absolute path"});
}

TEST(ConfigError, VnisWithoutVtep_Rejected) {
  expect_error(kHead + "l2vnis:\n  - { vni: 100 }\n", {4, "l2vnis", "set vtep.source-ip"});
  expect_error(kHead + "vtep: { dataplane: linux }\n", {3, "vtep.source-ip", "required when the data plane"});
}

TEST(ConfigError, DeeplyNested_ErrorNotCrash) {
  // yaml-cpp's recursive descent guards its depth; a hostile file must give an error, not a crash.
  auto cfg = parse_config_text(kHead + "neighbors: " + std::string(100000, '[') + "\n", "t.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().reason.find("YAML syntax error"), std::string::npos) << cfg.error().to_string();
}

TEST(ConfigError, YamlSyntax_LineReported) {
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2\n", {5, "", "YAML syntax error"});
}

}  // namespace
}  // namespace evpnd::api

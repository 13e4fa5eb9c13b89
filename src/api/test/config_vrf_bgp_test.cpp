// Issue 10 configuration: prefix lists, ebgp-multihop, VRF neighbours, listen ranges, the VRF's
// BGP switches and the global `advertise:` list (docs/CONFIG.md "BGP inside a VRF").
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/config.hpp"
#include "api/test/config_error_expect.hpp"

namespace evpnd::api {
namespace {

using test::Expected;
using test::expect_error;

Config parse(const std::string& text) {
  auto c = parse_config_text(text, "t.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? *c : Config{};
}

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// Lines 1-3; a VRF list starts at line 4.
const std::string kHead = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1 }\n";

// docs/CONFIG.md's Kubernetes example, verbatim in spirit: a tenant VRF whose Calico nodes
// connect from 10.1.0.0/24 and announce pod blocks and Service /32s.
const std::string kKubernetes = kHead + R"(vrfs:
  - name: tenant1
    l3vni: 5000
    asn: 65010
    listen-ranges:
      - range: 10.1.0.0/24
        remote-as: 64512
        max-peers: 200
        prefix-list:
          import:
            - { prefix: 10.244.0.0/16, le: 26 }
            - { prefix: 203.0.113.0/24, ge: 32 }
          export:
            - { prefix: 0.0.0.0/0, le: 32 }
    neighbors:
      - address: 192.0.2.1
        remote-as: 64600
        families: [ipv4-unicast, ipv6-unicast]
        ebgp-multihop: 2
        password: s3cret
        prefix-list:
          import: [{ prefix: 198.51.100.0/24, le: 32 }, { prefix: 0.0.0.0/0, le: 32, action: deny }]
          export: []
)";

TEST(ConfigVrfBgp, KubernetesExample_Parsed) {
  Config c = parse(kKubernetes);
  ASSERT_EQ(c.vrfs.size(), 1u);
  const VrfConfig& v = c.vrfs[0];
  EXPECT_EQ(v.asn, Asn(65010));
  EXPECT_TRUE(v.advertise_unicast);  // defaults
  EXPECT_FALSE(v.gateway_ip);
  EXPECT_TRUE(v.export_evpn);
  ASSERT_EQ(v.listen_ranges.size(), 1u);
  const ListenRangeConfig& lr = v.listen_ranges[0];
  EXPECT_EQ(lr.range, pfx("10.1.0.0/24"));
  EXPECT_EQ(lr.max_peers, 200u);
  EXPECT_EQ(lr.peer.remote_as, 64512u);
  EXPECT_TRUE(lr.peer.passive);  // dynamic peers only accept
  EXPECT_EQ(lr.peer.families, std::vector<AfiSafi>{kIpv4Unicast});
  ASSERT_TRUE(lr.peer.import_prefixes);
  ASSERT_EQ(lr.peer.import_prefixes->entries.size(), 2u);
  EXPECT_EQ(lr.peer.import_prefixes->entries[0], (PrefixListEntry{pfx("10.244.0.0/16"), std::nullopt, 26, true}));
  EXPECT_EQ(lr.peer.import_prefixes->entries[1], (PrefixListEntry{pfx("203.0.113.0/24"), 32, std::nullopt, true}));
  ASSERT_TRUE(lr.peer.export_prefixes);
  EXPECT_EQ(to_string(lr.peer.export_prefixes->entries.at(0)), "0.0.0.0/0 le 32");
  ASSERT_EQ(v.neighbors.size(), 1u);
  const NeighborConfig& n = v.neighbors[0];
  EXPECT_EQ(n.address, ip("192.0.2.1"));
  EXPECT_EQ(n.families, (std::vector<AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
  EXPECT_EQ(n.ebgp_multihop, uint8_t(2));
  EXPECT_EQ(n.md5_password, "s3cret");
  ASSERT_TRUE(n.import_prefixes);
  EXPECT_FALSE(n.import_prefixes->entries.at(1).permit);
  // `export: []` is a policy that denies everything, not "no policy".
  ASSERT_TRUE(n.export_prefixes);
  EXPECT_TRUE(n.export_prefixes->entries.empty());
}

// The YAML block under "### Kubernetes example" in docs/CONFIG.md parses as documented.
TEST(ConfigVrfBgp, DocsKubernetesExample_Parses) {
  std::ifstream in(EVPND_SOURCE_DIR "/docs/CONFIG.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  auto at = doc.find("### Kubernetes example");
  ASSERT_NE(at, std::string::npos);
  auto begin = doc.find("```yaml\n", at);
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  auto end = doc.find("```", begin);
  ASSERT_NE(end, std::string::npos);
  Config c = parse(kHead + doc.substr(begin, end - begin));
  ASSERT_EQ(c.vrfs.size(), 1u);
  const auto& v = c.vrfs[0];
  ASSERT_EQ(v.listen_ranges.size(), 1u);
  const auto& import = v.listen_ranges[0].peer.import_prefixes;
  ASSERT_TRUE(import);
  EXPECT_TRUE(permits(*import, pfx("10.244.3.64/26")));
  EXPECT_TRUE(permits(*import, pfx("203.0.113.10/32")));
  EXPECT_FALSE(permits(*import, pfx("10.244.3.64/27")));
  ASSERT_EQ(v.neighbors.size(), 1u);
  EXPECT_EQ(v.neighbors[0].families, std::vector<AfiSafi>{kIpv6Unicast});
}

TEST(ConfigVrfBgp, NoPrefixList_NoPolicy) {
  Config c = parse(kHead + "vrfs:\n  - { name: t, l3vni: 5000, neighbors: [{ address: 192.0.2.1, remote-as: 64600 }] }\n");
  const NeighborConfig& n = c.vrfs.at(0).neighbors.at(0);
  EXPECT_FALSE(n.import_prefixes);  // RFC 8212 applies in the speaker
  EXPECT_FALSE(n.export_prefixes);
  EXPECT_FALSE(n.ebgp_multihop);
  EXPECT_EQ(n.families, std::vector<AfiSafi>{kIpv4Unicast});  // the VRF's default family
  EXPECT_FALSE(c.vrfs[0].asn);
}

TEST(ConfigVrfBgp, GlobalNeighbor_PrefixListAndMultihop) {
  Config c = parse(kHead + R"(neighbors:
  - address: 10.0.0.2
    remote-as: 65001
    families: [l2vpn-evpn, ipv4-unicast]
    ebgp-multihop: 255
    prefix-list: { export: [{ prefix: 10.255.0.0/16, ge: 32 }] }
)");
  const NeighborConfig& n = c.neighbors.at(0);
  EXPECT_EQ(n.ebgp_multihop, uint8_t(255));
  EXPECT_FALSE(n.import_prefixes);
  ASSERT_TRUE(n.export_prefixes);
  EXPECT_EQ(to_string(n.export_prefixes->entries.at(0)), "10.255.0.0/16 ge 32");
}

TEST(ConfigVrfBgp, PrefixHostBits_CorrectedAsFrr) {
  Config c = parse(kHead + R"(neighbors:
  - address: 10.0.0.2
    remote-as: 65001
    prefix-list: { import: [{ prefix: 10.244.1.7/16, le: 26 }, { prefix: "2001:db8::1/32" }] }
)");
  const auto& e = c.neighbors.at(0).import_prefixes->entries;
  EXPECT_EQ(e.at(0).prefix, pfx("10.244.0.0/16"));
  EXPECT_EQ(e.at(1).prefix, pfx("2001:db8::/32"));
}

TEST(ConfigVrfBgp, PrefixListBounds_FrrRules) {
  const std::string n = kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    prefix-list:\n      import:\n";
  // Line 9 is the first entry.
  expect_error(n + "        - { prefix: 10.0.0.0/8, le: 33 }\n",
               {9, "neighbors[0].prefix-list.import[0].le", "expected 0..32, got 33"});
  expect_error(n + "        - { prefix: \"2001:db8::/32\", ge: 129 }\n",
               {9, "neighbors[0].prefix-list.import[0].ge", "expected 0..128, got 129"});
  expect_error(n + "        - { prefix: 10.0.0.0/16, ge: 8 }\n",
               {9, "neighbors[0].prefix-list.import[0].ge", "shorter than the prefix length 16"});
  expect_error(n + "        - { prefix: 10.0.0.0/16, le: 15 }\n",
               {9, "neighbors[0].prefix-list.import[0].le", "shorter than the prefix length 16"});
  expect_error(n + "        - { prefix: 10.0.0.0/8, ge: 24, le: 20 }\n",
               {9, "neighbors[0].prefix-list.import[0].le", "le 20 is less than ge 24"});
  expect_error(n + "        - { prefix: 0.0.0.0/0, ge: 0 }\n",
               {9, "neighbors[0].prefix-list.import[0].ge", "ge 0 would be ignored"});
  expect_error(n + "        - { prefix: 10.0.0.0/8, action: allow }\n",
               {9, "neighbors[0].prefix-list.import[0].action", "permit"});
  expect_error(n + "        - { prefix: 10.0.0.0 }\n",
               {9, "neighbors[0].prefix-list.import[0].prefix", "want ADDRESS/LENGTH"});
  expect_error(n + "        - { le: 24 }\n", {9, "neighbors[0].prefix-list.import[0].prefix", "required key is missing"});
  expect_error(n + "        - { prefix: 10.0.0.0/8, exact: true }\n",
               {9, "neighbors[0].prefix-list.import[0].exact", "unknown key"});
  // ge = the prefix length is allowed (FRR: "mask length <= ge <= le").
  parse(n + "        - { prefix: 10.0.0.0/8, ge: 8, le: 8 }\n");
}

TEST(ConfigVrfBgp, PrefixListAsSequence_AskedForDirection) {
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    prefix-list: [{ prefix: 10.0.0.0/8 }]\n",
               {7, "neighbors[0].prefix-list", "expected {import: [...], export: [...]}"});
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    prefix-list: { in: [] }\n",
               {7, "neighbors[0].prefix-list.in", "unknown key"});
}

TEST(ConfigVrfBgp, ErrorPath_NamesVrfNeighborEntryAndKey) {
  expect_error(kHead + R"(vrfs:
  - name: t
    l3vni: 5000
    neighbors:
      - { address: 192.0.2.1, remote-as: 64600 }
      - address: 192.0.2.2
        remote-as: 64600
        prefix-list:
          import:
            - { prefix: 10.244.0.0/16, le: 26 }
            - { prefix: 203.0.113.0/24, ge: 32 }
            - { prefix: 0.0.0.0/0, le: 40, action: deny }
)",
               {15, "vrfs[0].neighbors[1].prefix-list.import[2].le", "expected 0..32, got 40"});
}

TEST(ConfigVrfBgp, EbgpMultihop_Validated) {
  const std::string n = kHead + "neighbors:\n  - address: 10.0.0.2\n";
  expect_error(n + "    remote-as: 65001\n    ebgp-multihop: 0\n", {7, "neighbors[0].ebgp-multihop", "expected 1..255, got 0"});
  expect_error(n + "    remote-as: 65001\n    ebgp-multihop: 256\n", {7, "neighbors[0].ebgp-multihop", "expected 1..255"});
  expect_error(n + "    remote-as: 65000\n    ebgp-multihop: 2\n", {7, "neighbors[0].ebgp-multihop", "this one is iBGP"});
  expect_error(n + "    remote-as: 65001\n    ttl-security: { hops: 1 }\n    ebgp-multihop: 2\n",
               {8, "neighbors[0].ebgp-multihop", "cannot be used together"});
  // The VRF's own AS decides eBGP vs iBGP there.
  expect_error(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    asn: 65010\n    neighbors:\n"
                       "      - { address: 192.0.2.1, remote-as: 65010, ebgp-multihop: 3 }\n",
               {9, "vrfs[0].neighbors[0].ebgp-multihop", "local asn 65010"});
  parse(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    asn: 65010\n    neighbors:\n"
                "      - { address: 192.0.2.1, remote-as: 65000, ebgp-multihop: 3 }\n");
}

TEST(ConfigVrfBgp, EvpnFamilyInVrf_Refused) {
  expect_error(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    neighbors:\n"
                       "      - { address: 192.0.2.1, remote-as: 64600, families: [ipv4-unicast, l2vpn-evpn] }\n",
               {8, "vrfs[0].neighbors[0].families[1]", "l2vpn-evpn is not available inside a VRF"});
  expect_error(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    listen-ranges:\n"
                       "      - { range: 10.1.0.0/24, remote-as: 64512, families: [l2vpn-evpn] }\n",
               {8, "vrfs[0].listen-ranges[0].families[0]", "l2vpn-evpn is not available inside a VRF"});
}

TEST(ConfigVrfBgp, DuplicateNeighborInVrf_RefusedButOtherVrfAndGlobalFine) {
  expect_error(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    neighbors:\n"
                       "      - { address: 192.0.2.1, remote-as: 64600 }\n"
                       "      - { address: 192.0.2.1, remote-as: 64601 }\n",
               {9, "vrfs[0].neighbors[1].address", "duplicate neighbor 192.0.2.1 (also vrfs[0].neighbors[0])"});
  // Each VRF is its own BGP instance: the same CE address may exist in two tenants and globally.
  Config c = parse(kHead + "neighbors: [{ address: 192.0.2.1, remote-as: 65000 }]\nvrfs:\n"
                           "  - { name: a, l3vni: 5000, neighbors: [{ address: 192.0.2.1, remote-as: 64600 }] }\n"
                           "  - { name: b, l3vni: 5001, neighbors: [{ address: 192.0.2.1, remote-as: 64600 }] }\n");
  EXPECT_EQ(c.vrfs.at(1).neighbors.at(0).address, ip("192.0.2.1"));
}

TEST(ConfigVrfBgp, ListenRanges_OverlapAndDuplicateRefused) {
  const std::string v = kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    listen-ranges:\n";
  expect_error(v + "      - { range: 10.1.0.0/24, remote-as: 64512 }\n      - { range: 10.1.0.128/25, remote-as: 64513 }\n",
               {9, "vrfs[0].listen-ranges[1].range", "overlaps 10.1.0.0/24 (vrfs[0].listen-ranges[0])"});
  // The supernet listed after the subnet: reported at the subnet, the range inside the other.
  expect_error(v + "      - { range: 10.1.0.128/25, remote-as: 64512 }\n      - { range: 10.0.0.0/8, remote-as: 64513 }\n",
               {8, "vrfs[0].listen-ranges[0].range", "overlaps 10.0.0.0/8 (vrfs[0].listen-ranges[1])"});
  expect_error(v + "      - { range: 10.1.0.0/24, remote-as: 64512 }\n      - { range: 10.1.0.0/24, remote-as: 64513 }\n",
               {9, "vrfs[0].listen-ranges[1].range", "duplicate listen range 10.1.0.0/24"});
  // Disjoint ranges and IPv4 beside IPv6 are fine; so is the same range in another VRF.
  Config c = parse(v + "      - { range: 10.1.0.0/24, remote-as: 64512 }\n      - { range: 10.1.1.0/24, remote-as: 64512 }\n"
                       "      - { range: \"2001:db8::/64\", remote-as: 64512, families: [ipv6-unicast] }\n"
                       "  - { name: u, l3vni: 5001, listen-ranges: [{ range: 10.1.0.0/24, remote-as: 64512 }] }\n");
  EXPECT_EQ(c.vrfs.at(0).listen_ranges.size(), 3u);
  EXPECT_EQ(c.vrfs.at(0).listen_ranges[0].max_peers, 100u);  // default
}

TEST(ConfigVrfBgp, ListenRange_KeysValidated) {
  const std::string v = kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    listen-ranges:\n";
  expect_error(v + "      - { range: 10.1.0.0/24, remote-as: 64512, address: 10.1.0.1 }\n",
               {8, "vrfs[0].listen-ranges[0].address", "unknown key"});
  expect_error(v + "      - { range: 10.1.0.0/24, remote-as: 64512, passive: true }\n",
               {8, "vrfs[0].listen-ranges[0].passive", "unknown key"});
  expect_error(v + "      - { range: 10.1.0.0/24, remote-as: 64512, max-peers: 0 }\n",
               {8, "vrfs[0].listen-ranges[0].max-peers", "expected 1..65535, got 0"});
  expect_error(v + "      - { remote-as: 64512 }\n", {8, "vrfs[0].listen-ranges[0].range", "required key is missing"});
  expect_error(v + "      - { range: 10.1.0.0/24 }\n", {8, "vrfs[0].listen-ranges[0].remote-as", "required key is missing"});
  expect_error(v + "      - { range: 10.1.0.1/24, remote-as: 64512 }\n",
               {8, "vrfs[0].listen-ranges[0].range", "host bits set"});
  expect_error(v + "      - { range: \"fe80::/64\", remote-as: 64512 }\n",
               {8, "vrfs[0].listen-ranges[0].range", "link-local"});
  Config c = parse(v + "      - range: 10.1.0.0/24\n        remote-as: 64512\n        timers: { hold: 30 }\n"
                       "        password: pw\n        max-prefixes: 500\n");
  const auto& p = c.vrfs.at(0).listen_ranges.at(0).peer;
  EXPECT_EQ(p.hold_time, 30);
  EXPECT_EQ(p.md5_password, "pw");
  EXPECT_EQ(p.max_prefixes, 500u);
  EXPECT_TRUE(p.address.empty());
}

TEST(ConfigVrfBgp, SendHoldTime_InheritedByVrfNeighborsAndRanges) {
  Config c = parse("router-id: 10.0.0.1\nasn: 65000\nsend-hold-time: 600\nvtep: { source-ip: 10.0.0.1 }\nvrfs:\n"
                   "  - name: t\n    l3vni: 5000\n    neighbors: [{ address: 192.0.2.1, remote-as: 64600 }]\n"
                   "    listen-ranges: [{ range: 10.1.0.0/24, remote-as: 64512 }]\n");
  EXPECT_EQ(c.vrfs.at(0).neighbors.at(0).send_hold_time, 600u);
  EXPECT_EQ(c.vrfs.at(0).listen_ranges.at(0).peer.send_hold_time, 600u);
}

TEST(ConfigVrfBgp, RedistributionSwitches) {
  Config c = parse(kHead + "vrfs:\n  - { name: t, l3vni: 5000, advertise-unicast: true, gateway-ip: true, export-evpn: false }\n");
  EXPECT_TRUE(c.vrfs.at(0).gateway_ip);
  EXPECT_FALSE(c.vrfs.at(0).export_evpn);
  Config off = parse(kHead + "vrfs:\n  - { name: t, l3vni: 5000, advertise-unicast: false }\n");
  EXPECT_FALSE(off.vrfs.at(0).advertise_unicast);
  expect_error(kHead + "vrfs:\n  - name: t\n    l3vni: 5000\n    advertise-unicast: false\n    gateway-ip: true\n",
               {8, "vrfs[0].gateway-ip", "needs advertise-unicast: true"});
  expect_error(kHead + "vrfs:\n  - { name: t, l3vni: 5000, asn: 0 }\n", {5, "vrfs[0].asn", "expected 1..4294967295"});
}

TEST(ConfigVrfBgp, GlobalAdvertise) {
  Config c = parse(kHead + "advertise: [10.255.0.1/32, \"2001:db8::1/128\"]\n");
  EXPECT_EQ(c.advertise, (std::vector<IpPrefix>{pfx("10.255.0.1/32"), pfx("2001:db8::1/128")}));
  expect_error(kHead + "advertise:\n  - 10.255.0.1/32\n  - 10.255.0.1/32\n",
               {6, "advertise[1]", "duplicate prefix 10.255.0.1/32 (also advertise[0])"});
  expect_error(kHead + "advertise: [10.255.0.1/24]\n", {4, "advertise[0]", "host bits set"});
  expect_error(kHead + "advertise: 10.255.0.1/32\n", {4, "advertise", "expected a list"});
}

}  // namespace
}  // namespace evpnd::api

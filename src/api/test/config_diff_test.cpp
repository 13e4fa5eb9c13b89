#include <gtest/gtest.h>

#include "api/config.hpp"

namespace evpnd::api {
namespace {

Config parse(const std::string& text) {
  auto c = parse_config_text(text, "d.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? *c : Config{};
}

const std::string kBase = R"(router-id: 10.0.0.1
asn: 65000
vtep: { source-ip: 10.0.0.1 }
neighbors:
  - { address: 10.0.0.2, remote-as: 65000 }
  - { address: 10.0.0.3, remote-as: 65000 }
vrfs:
  - { name: red, l3vni: 5000 }
  - { name: blue, l3vni: 5001 }
l2vnis:
  - { vni: 100, vrf: red }
  - { vni: 200 }
)";

TEST(ConfigDiff, Identical_Empty) {
  auto d = diff_config(parse(kBase), parse(kBase));
  EXPECT_TRUE(d.empty());
}

TEST(ConfigDiff, Reordered_Empty) {
  std::string reordered = R"(asn: 65000
router-id: 10.0.0.1
vtep: { source-ip: 10.0.0.1 }
neighbors:
  - { address: 10.0.0.3, remote-as: 65000 }
  - { address: 10.0.0.2, remote-as: 65000 }
vrfs:
  - { name: blue, l3vni: 5001 }
  - { name: red, l3vni: 5000 }
l2vnis:
  - { vni: 200 }
  - { vni: 100, vrf: red }
)";
  EXPECT_TRUE(diff_config(parse(kBase), parse(reordered)).empty());
}

TEST(ConfigDiff, ListChanges_AddedRemovedChanged) {
  std::string after = R"(router-id: 10.0.0.1
asn: 65000
vtep: { source-ip: 10.0.0.1 }
neighbors:
  - { address: 10.0.0.2, remote-as: 65000, description: changed }
  - { address: 10.0.0.4, remote-as: 65000 }
vrfs:
  - { name: red, l3vni: 5000, announce: [10.9.0.0/16] }
  - { name: green, l3vni: 5002 }
l2vnis:
  - { vni: 100, vrf: red }
  - { vni: 200, arp-suppression: false }
  - { vni: 300 }
)";
  auto d = diff_config(parse(kBase), parse(after));
  EXPECT_FALSE(d.empty());
  EXPECT_FALSE(d.global_changed);
  EXPECT_EQ(d.neighbors_added, std::vector<IpAddress>{*IpAddress::parse("10.0.0.4")});
  EXPECT_EQ(d.neighbors_removed, std::vector<IpAddress>{*IpAddress::parse("10.0.0.3")});
  EXPECT_EQ(d.neighbors_changed, std::vector<IpAddress>{*IpAddress::parse("10.0.0.2")});
  EXPECT_EQ(d.vrfs_added, std::vector<std::string>{"green"});
  EXPECT_EQ(d.vrfs_removed, std::vector<std::string>{"blue"});
  EXPECT_EQ(d.vrfs_changed, std::vector<std::string>{"red"});
  EXPECT_EQ(d.l2vnis_added, std::vector<Vni>{300});
  EXPECT_TRUE(d.l2vnis_removed.empty());
  EXPECT_EQ(d.l2vnis_changed, std::vector<Vni>{200});
}

TEST(ConfigDiff, GlobalSettings_Flagged) {
  auto base = parse(kBase);
  auto with = [&](const std::string& extra) { return diff_config(base, parse(kBase + extra)); };
  EXPECT_TRUE(with("cluster-id: 10.0.0.9\n").global_changed);
  EXPECT_TRUE(with("cluster-id: 10.0.0.1\n").empty());  // explicit default = same thing
  // A new listen address re-binds the listener only: the sessions are not restarted for it.
  auto listen = with("listen: { port: 1790 }\n");
  EXPECT_TRUE(listen.listen_changed);
  EXPECT_FALSE(listen.global_changed);
  EXPECT_FALSE(listen.empty());
  auto gr = with("graceful-restart: { restart-time: 60 }\n");
  EXPECT_TRUE(gr.graceful_restart_changed);
  EXPECT_FALSE(gr.global_changed);
  EXPECT_TRUE(with("log-level: debug\n").log_level_changed);
  EXPECT_TRUE(with("api: { socket: /tmp/x.sock }\n").api_changed);
  EXPECT_TRUE(with("route-target-auto: rfc8365\n").vtep_changed);
  EXPECT_TRUE(with("duplicate-address-detection: { max-moves: 3 }\n").dad_changed);
  auto asn = parse(kBase);
  asn.asn = 65001;
  EXPECT_TRUE(diff_config(base, asn).global_changed);
}

}  // namespace
}  // namespace evpnd::api

namespace evpnd::api {
namespace {

const std::string kBgpBase = R"(router-id: 10.0.0.1
asn: 65000
vtep: { source-ip: 10.0.0.1 }
advertise: [10.255.0.1/32]
vrfs:
  - name: red
    l3vni: 5000
    neighbors:
      - { address: 192.0.2.1, remote-as: 64600 }
      - { address: 192.0.2.2, remote-as: 64600 }
    listen-ranges: [{ range: 10.1.0.0/24, remote-as: 64512 }]
  - { name: blue, l3vni: 5001 }
)";

// Replaces the first occurrence of `from` in kBgpBase.
std::string bgp_edit(const std::string& from, const std::string& to) {
  std::string s = kBgpBase;
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(ConfigDiff, VrfBgpOnlyChange_NotAVrfChange) {
  const Config base = parse(kBgpBase);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"{ address: 192.0.2.2, remote-as: 64600 }", "{ address: 192.0.2.3, remote-as: 64600 }"},
           {"remote-as: 64512 }", "remote-as: 64512, max-peers: 5 }"},
           {"l3vni: 5000\n", "l3vni: 5000\n    asn: 65010\n"},
           {"l3vni: 5000\n", "l3vni: 5000\n    advertise-unicast: false\n"},
           {"l3vni: 5000\n", "l3vni: 5000\n    gateway-ip: true\n"},
           {"l3vni: 5000\n", "l3vni: 5000\n    export-evpn: false\n"}}) {
    auto d = diff_config(base, parse(bgp_edit(from, to)));
    EXPECT_TRUE(d.vrfs_changed.empty()) << to;  // the VRF's EVPN state is left alone
    EXPECT_EQ(d.vrf_bgp_changed, std::vector<std::string>{"red"}) << to;
    EXPECT_FALSE(d.empty());
  }
}

TEST(ConfigDiff, VrfEvpnChange_NotABgpChange) {
  auto d = diff_config(parse(kBgpBase), parse(bgp_edit("l3vni: 5000\n", "l3vni: 5000\n    advertise-connected: false\n")));
  EXPECT_EQ(d.vrfs_changed, std::vector<std::string>{"red"});
  EXPECT_TRUE(d.vrf_bgp_changed.empty());
}

TEST(ConfigDiff, VrfBothChanged_InBothLists) {
  auto d = diff_config(parse(kBgpBase), parse(bgp_edit("l3vni: 5000\n", "l3vni: 5000\n    asn: 65010\n    announce: [10.9.0.0/16]\n")));
  EXPECT_EQ(d.vrfs_changed, std::vector<std::string>{"red"});
  EXPECT_EQ(d.vrf_bgp_changed, std::vector<std::string>{"red"});
}

TEST(ConfigDiff, VrfNeighborsReordered_NoChange) {
  std::string reordered = bgp_edit("      - { address: 192.0.2.1, remote-as: 64600 }\n      - { address: 192.0.2.2, remote-as: 64600 }\n",
                                   "      - { address: 192.0.2.2, remote-as: 64600 }\n      - { address: 192.0.2.1, remote-as: 64600 }\n");
  EXPECT_TRUE(diff_config(parse(kBgpBase), parse(reordered)).empty());
}

TEST(ConfigDiff, VrfAddedWithBgp_OnlyAdded) {
  auto d = diff_config(parse(kBgpBase), parse(kBgpBase + "  - { name: green, l3vni: 5002, neighbors: [{ address: 192.0.2.9, remote-as: 1 }] }\n"));
  EXPECT_EQ(d.vrfs_added, std::vector<std::string>{"green"});
  EXPECT_TRUE(d.vrf_bgp_changed.empty());
  EXPECT_TRUE(d.vrfs_changed.empty());
}

TEST(ConfigDiff, Advertise_ComparedAsASet) {
  const Config base = parse(kBgpBase);
  auto changed = diff_config(base, parse(bgp_edit("[10.255.0.1/32]", "[10.255.0.1/32, 10.255.0.2/32]")));
  EXPECT_TRUE(changed.advertise_changed);
  EXPECT_FALSE(changed.empty());
  EXPECT_TRUE(diff_config(base, parse(bgp_edit("advertise: [10.255.0.1/32]\n", ""))).advertise_changed);
  auto a = parse(bgp_edit("[10.255.0.1/32]", "[10.255.0.1/32, 10.255.0.2/32]"));
  auto b = parse(bgp_edit("[10.255.0.1/32]", "[10.255.0.2/32, 10.255.0.1/32]"));
  EXPECT_TRUE(diff_config(a, b).empty());
}

TEST(ConfigDiff, DiffNeighbors_ByAddress) {
  const Config a = parse(kBgpBase);
  const Config b = parse(bgp_edit("{ address: 192.0.2.2, remote-as: 64600 }", "{ address: 192.0.2.3, remote-as: 64600 }"));
  auto d = diff_neighbors(a.vrfs.at(0).neighbors, b.vrfs.at(0).neighbors);
  EXPECT_EQ(d.added, std::vector<IpAddress>{*IpAddress::parse("192.0.2.3")});
  EXPECT_EQ(d.removed, std::vector<IpAddress>{*IpAddress::parse("192.0.2.2")});
  EXPECT_TRUE(d.changed.empty());
  const Config c = parse(bgp_edit("{ address: 192.0.2.1, remote-as: 64600 }", "{ address: 192.0.2.1, remote-as: 64601 }"));
  EXPECT_EQ(diff_neighbors(a.vrfs.at(0).neighbors, c.vrfs.at(0).neighbors).changed,
            std::vector<IpAddress>{*IpAddress::parse("192.0.2.1")});
}

}  // namespace
}  // namespace evpnd::api

// Valid configurations: the documented examples parse, every key lands in the right field, and
// defaults match docs/CONFIG.md.
#include <gtest/gtest.h>

#include "api/config.hpp"

namespace evpnd::api {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

TEST(ConfigParse, LeafExample_EveryFieldSet) {
  auto cfg = parse_config_file(EVPND_SOURCE_DIR "/docs/examples/evpnd-leaf.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->router_id, ip("10.255.0.1"));
  EXPECT_EQ(cfg->asn, 65000u);
  EXPECT_EQ(cfg->cluster_id, ip("10.255.0.1"));  // defaults to router-id
  EXPECT_EQ(cfg->listen_address, ip("0.0.0.0"));
  EXPECT_EQ(cfg->listen_port, 179);
  EXPECT_EQ(cfg->api_socket, "/run/evpnd/evpnd.sock");
  EXPECT_TRUE(cfg->graceful_restart.enabled);
  EXPECT_EQ(cfg->graceful_restart.restart_time, 120);
  EXPECT_EQ(cfg->graceful_restart.stale_time, 360);
  ASSERT_EQ(cfg->neighbors.size(), 2u);
  const auto& n = cfg->neighbors[0];
  EXPECT_EQ(n.address, ip("10.255.0.254"));
  EXPECT_EQ(n.remote_as, 65000u);
  EXPECT_EQ(n.families, std::vector<AfiSafi>{kL2vpnEvpn});
  EXPECT_EQ(n.description, "rr1");
  EXPECT_EQ(n.update_source, ip("10.255.0.1"));
  EXPECT_EQ(n.hold_time, 9);
  EXPECT_EQ(n.keepalive, 3);
  EXPECT_EQ(n.connect_retry, 2);
  EXPECT_EQ(n.md5_password, "secret");
  EXPECT_EQ(n.ttl_security_hops, 1);
  EXPECT_EQ(n.max_prefixes, 2000000u);
  EXPECT_TRUE(n.graceful_restart);
  const auto& n2 = cfg->neighbors[1];
  EXPECT_EQ(n2.hold_time, 90);
  EXPECT_FALSE(n2.keepalive);
  EXPECT_FALSE(n2.md5_password);
  EXPECT_EQ(cfg->dataplane, DataplaneKind::kLinux);
  EXPECT_EQ(cfg->vtep_source, ip("10.255.0.1"));
  EXPECT_EQ(cfg->vxlan_port, 4789);
  EXPECT_EQ(cfg->rt_auto, RtAutoMode::kFrr);
  EXPECT_EQ(cfg->vrf_backend, VrfBackend::kNetns);
  EXPECT_EQ(cfg->dad.max_moves, 5u);
  EXPECT_EQ(cfg->dad.window_seconds, 180u);
  ASSERT_EQ(cfg->l2vnis.size(), 2u);
  const auto& l = cfg->l2vnis[0];
  EXPECT_EQ(l.vni, 100u);
  EXPECT_EQ(l.bridge, "br100");
  EXPECT_EQ(l.vxlan_device, "vxlan100");
  EXPECT_EQ(l.vrf, "tenant1");
  EXPECT_EQ(l.gateway, IpPrefix::parse("192.168.100.0/24"));
  EXPECT_EQ(l.gateway_address, ip("192.168.100.1"));
  EXPECT_EQ(l.rd, Rd::parse("10.255.0.1:2"));
  EXPECT_EQ(l.import_rts, std::vector<RouteTarget>{*RouteTarget::parse("65000:100")});
  EXPECT_EQ(l.export_rts, std::vector<RouteTarget>{*RouteTarget::parse("65000:100")});
  const auto& l2 = cfg->l2vnis[1];
  EXPECT_EQ(l2.bridge, "br200");  // defaults derived from the VNI
  EXPECT_EQ(l2.vxlan_device, "vxlan200");
  EXPECT_EQ(l2.gateway_v6_address, ip("2001:db8:200::1"));
  EXPECT_EQ(l2.gateway_v6, IpPrefix::parse("2001:db8:200::/64"));
  EXPECT_FALSE(l2.rd);
  EXPECT_TRUE(l2.import_rts.empty());
  ASSERT_EQ(cfg->vrfs.size(), 1u);
  const auto& v = cfg->vrfs[0];
  EXPECT_EQ(v.name, "tenant1");
  EXPECT_EQ(v.l3vni, 5000u);
  EXPECT_EQ(v.router_mac, Mac::parse("02:00:0a:ff:00:01"));
  EXPECT_EQ(v.anycast_gateway_mac, Mac::parse("00:00:5e:00:01:01"));
  EXPECT_EQ(v.announce, std::vector<IpPrefix>{*IpPrefix::parse("10.99.0.0/24")});
  EXPECT_EQ(v.netns, "lab-leaf1-tenant1");
  EXPECT_EQ(v.import_rts, std::vector<RouteTarget>{*RouteTarget::parse("65000:5000")});  // from "both"
  EXPECT_EQ(v.export_rts, std::vector<RouteTarget>{*RouteTarget::parse("65000:5000")});
}

TEST(ConfigParse, RouteReflectorExample_NoDataplane) {
  auto cfg = parse_config_file(EVPND_SOURCE_DIR "/docs/examples/evpnd-rr.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->dataplane, DataplaneKind::kNone);
  EXPECT_FALSE(cfg->vtep_source);
  EXPECT_EQ(cfg->listen_port, 1790);
  ASSERT_EQ(cfg->neighbors.size(), 2u);
  EXPECT_TRUE(cfg->neighbors[0].route_reflector_client);
  EXPECT_TRUE(cfg->neighbors[0].passive);
}

TEST(ConfigParse, MaxPrefixesRestart_SecondsOrDefaultZero) {
  auto cfg = parse_config_text("router-id: 1.1.1.1\nasn: 65000\nneighbors:\n"
                               "  - { address: 10.0.0.2, remote-as: 65001, max-prefixes: 100, max-prefixes-restart: 300 }\n"
                               "  - { address: 10.0.0.3, remote-as: 65001, max-prefixes: 100 }\n"
                               "  - { address: 10.0.0.4, remote-as: 65001, max-prefixes-restart: 0 }\n",
                               "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->neighbors[0].max_prefixes_restart, 300u);
  EXPECT_EQ(cfg->neighbors[1].max_prefixes_restart, 0u);  // default: stay down
  EXPECT_EQ(cfg->neighbors[2].max_prefixes_restart, 0u);  // 0 needs no max-prefixes
  EXPECT_NE(cfg->neighbors[0], cfg->neighbors[1]);  // a change is a neighbour change on reload
}

TEST(ConfigParse, MinimalFile_DocumentedDefaults) {
  auto cfg = parse_config_text("router-id: 1.1.1.1\nasn: 4200000000\n", "min.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->asn, 4200000000u);
  EXPECT_EQ(cfg->source_file, "min.yaml");
  EXPECT_EQ(cfg->listen_port, 179);
  EXPECT_EQ(cfg->log_level, "info");
  EXPECT_EQ(cfg->dataplane, DataplaneKind::kNone);
  EXPECT_TRUE(cfg->neighbors.empty());
}

// RFC 7432 §15.1: freeze (until cleared) is the default; warn-only must be asked for.
TEST(ConfigParse, DuplicateDetection_DefaultFreezesUntilClearedWarnOnlyExplicit) {
  auto def = parse_config_text("router-id: 1.1.1.1\nasn: 65000\n", "min.yaml");
  ASSERT_TRUE(def) << def.error().to_string();
  EXPECT_TRUE(def->dad.freeze);
  EXPECT_EQ(def->dad.freeze_seconds, 0u);
  EXPECT_EQ(def->dad.max_moves, 5u);
  EXPECT_EQ(def->dad.window_seconds, 180u);
  auto warn = parse_config_text("router-id: 1.1.1.1\nasn: 65000\nduplicate-address-detection: { freeze: false }\n",
                                "warn.yaml");
  ASSERT_TRUE(warn) << warn.error().to_string();
  EXPECT_FALSE(warn->dad.freeze);
}

// RFC 8365 §5.1.3: a route without a BGP Encapsulation community is MPLS unless configured.
TEST(ConfigParse, VtepDefaultEncapsulation_MplsUnlessVxlanConfigured) {
  const std::string head = "router-id: 1.1.1.1\nasn: 65000\nvtep: { source-ip: 1.1.1.1, dataplane: fake";
  auto def = parse_config_text(head + " }\n", "a.yaml");
  ASSERT_TRUE(def) << def.error().to_string();
  EXPECT_FALSE(def->default_encap_vxlan);
  auto vx = parse_config_text(head + ", default-encapsulation: vxlan }\n", "b.yaml");
  ASSERT_TRUE(vx) << vx.error().to_string();
  EXPECT_TRUE(vx->default_encap_vxlan);
  auto bad = parse_config_text(head + ", default-encapsulation: nvgre }\n", "c.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("default-encapsulation"), std::string::npos) << bad.error().to_string();
  EXPECT_TRUE(diff_config(*def, *vx).vtep_changed);
}

TEST(ConfigParse, IssueSchema_Accepted) {
  // The schema exactly as issue #3 writes it (flow maps, families list, vrf-device backend), but
  // with an iBGP client: issue 12 refuses route-reflector-client on an eBGP neighbor.
  const char* text = R"(router-id: 10.255.0.254
asn: 65000
cluster-id: 10.255.0.250
listen: { address: 127.0.0.1, port: 0 }
neighbors:
  - address: 10.255.0.1
    remote-as: 65000
    port: 1791
    families: [l2vpn-evpn, ipv4-unicast, ipv6-unicast]
    route-reflector-client: true
    passive: false
    graceful-restart: false
    timers: { hold: 0, keepalive: 0 }
vtep: { source-ip: 10.255.0.1, dataplane: fake }
route-target-auto: rfc8365
vrf-backend: vrf-device
l2vnis:
  - { vni: 100, bridge: br100, vxlan-device: vxlan100, arp-suppression: false, vrf: tenant1,
      gateway: 192.168.100.1/24, rd: 10.255.0.1:2, route-targets: { import: [65000:100], export: [65000:100] } }
vrfs:
  - { name: tenant1, l3vni: 5000, table: 1001, advertise-connected: false, rd: "65000:5000",
      route-targets: { import: ["65000:5000"], export: ["4200000000:5000"] } }
)";
  auto cfg = parse_config_text(text, "issue.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->cluster_id, ip("10.255.0.250"));
  EXPECT_EQ(cfg->listen_port, 0);
  EXPECT_EQ(cfg->neighbors[0].port, 1791);
  EXPECT_EQ(cfg->neighbors[0].families, (std::vector<AfiSafi>{kL2vpnEvpn, kIpv4Unicast, kIpv6Unicast}));
  EXPECT_FALSE(cfg->neighbors[0].graceful_restart);
  EXPECT_EQ(cfg->neighbors[0].hold_time, 0);
  EXPECT_EQ(cfg->dataplane, DataplaneKind::kFake);
  EXPECT_EQ(cfg->rt_auto, RtAutoMode::kRfc8365);
  EXPECT_EQ(cfg->vrf_backend, VrfBackend::kVrfDevice);
  EXPECT_FALSE(cfg->l2vnis[0].arp_suppression);
  EXPECT_EQ(cfg->vrfs[0].table, 1001u);
  EXPECT_FALSE(cfg->vrfs[0].advertise_connected);
  EXPECT_EQ(cfg->vrfs[0].export_rts[0].to_string(), "4200000000:5000");
}

TEST(ConfigParse, NlriError_DefaultSessionResetOrTreatAsWithdraw) {
  const std::string head = "router-id: 10.0.0.1\nasn: 65000\nneighbors:\n  - { address: 10.0.0.2, remote-as: 65000";
  auto def = parse_config_text(head + " }\n", "t.yaml");
  ASSERT_TRUE(def) << def.error().to_string();
  EXPECT_FALSE(def->neighbors[0].nlri_error_withdraw);  // RFC 7606 §5.3: session reset
  auto reset = parse_config_text(head + ", nlri-error: session-reset }\n", "t.yaml");
  ASSERT_TRUE(reset) << reset.error().to_string();
  EXPECT_FALSE(reset->neighbors[0].nlri_error_withdraw);
  auto lenient = parse_config_text(head + ", nlri-error: treat-as-withdraw }\n", "t.yaml");
  ASSERT_TRUE(lenient) << lenient.error().to_string();
  EXPECT_TRUE(lenient->neighbors[0].nlri_error_withdraw);
  auto bad = parse_config_text(head + ", nlri-error: ignore }\n", "t.yaml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().line, 4);
  EXPECT_EQ(bad.error().path, "neighbors[0].nlri-error");
}

TEST(ConfigError, ToString_FileLinePathReason) {
  ConfigError e{"evpnd.yaml", 12, 3, "expected 1..4294967295", "neighbors[0].remote-as"};
  EXPECT_EQ(e.to_string(), "evpnd.yaml:12: neighbors[0].remote-as: expected 1..4294967295");
  ConfigError no_line{"evpnd.yaml", 0, 0, "cannot open: No such file or directory", ""};
  EXPECT_EQ(no_line.to_string(), "evpnd.yaml: cannot open: No such file or directory");
}

TEST(ConfigParse, MissingFile_ErrorNotThrow) {
  auto cfg = parse_config_file("/nonexistent/evpnd.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().to_string(), "/nonexistent/evpnd.yaml: cannot open: No such file or directory");
}

}  // namespace
}  // namespace evpnd::api

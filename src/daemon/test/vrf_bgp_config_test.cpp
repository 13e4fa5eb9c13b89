// The daemon's mapping of VRF BGP configuration (issue 10, daemon_vrf.cpp) onto engine events,
// PeerIo security tables and socket places; the refusal of VRF BGP on a route reflector.
#include <gtest/gtest.h>

#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

api::Config parse(const std::string& text) {
  auto c = api::parse_config_text(text, "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return c ? *c : api::Config{};
}

const char* kLeaf = R"(router-id: 10.0.0.1
asn: 65000
vtep: { source-ip: 10.0.0.1, dataplane: linux }
vrfs:
  - name: tenant1
    l3vni: 5000
    asn: 65001
    neighbors:
      - address: 10.1.0.11
        remote-as: 64600
        ebgp-multihop: 2
        password: s3cret
        prefix-list: { import: [{ prefix: 10.244.0.0/16, le: 26 }], export: [{ prefix: 0.0.0.0/0, le: 32 }] }
    listen-ranges:
      - range: 10.2.0.0/24
        remote-as: 64512
        max-peers: 7
        password: rangekey
        ttl-security: { hops: 1 }
  - name: tenant2
    l3vni: 5001
    netns: custom-ns
)";

TEST(VrfBgpConfig, NeighbourToPeerConfig_PolicyAndMultihop) {
  const api::Config c = parse(kLeaf);
  const bgp::PeerConfig p = peer_config(c.vrfs[0].neighbors[0]);
  ASSERT_TRUE(p.import_filter && p.export_filter);
  EXPECT_EQ(p.import_filter->entries.size(), 1u);
  EXPECT_EQ(p.ebgp_multihop, 2);
  EXPECT_EQ(p.families, (std::vector<AfiSafi>{kIpv4Unicast}));  // a VRF neighbour's default
}

TEST(VrfBgpConfig, ConfigureEvent_AsAndPassiveListenRanges) {
  const api::Config c = parse(kLeaf);
  ASSERT_TRUE(vrf_has_bgp(c.vrfs[0]));
  EXPECT_FALSE(vrf_has_bgp(c.vrfs[1]));
  const auto e = vrf_bgp_event(c.vrfs[0]);
  EXPECT_EQ(e.vrf, "tenant1");
  EXPECT_EQ(e.asn, Asn{65001});
  ASSERT_EQ(e.listen_ranges.size(), 1u);
  EXPECT_EQ(e.listen_ranges[0].range, *IpPrefix::parse("10.2.0.0/24"));
  EXPECT_EQ(e.listen_ranges[0].max_peers, 7u);
  EXPECT_EQ(e.listen_ranges[0].peer.remote_as, 64512u);
  EXPECT_TRUE(e.listen_ranges[0].peer.passive);
  EXPECT_FALSE(e.remove);
}

TEST(VrfBgpConfig, SecurityTable_PerNeighbourAndPerRange) {
  const SecurityTable t = vrf_security(parse(kLeaf).vrfs[0]);
  const PeerSecurity* n = t.find(ip("10.1.0.11"));
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->md5_password, "s3cret");
  EXPECT_EQ(n->ttl, 2);  // ebgp-multihop
  const PeerSecurity* r = t.find(ip("10.2.0.99"));  // inside the listen range
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->md5_password, "rangekey");
  EXPECT_EQ(r->ttl_security_hops, 1);
  EXPECT_EQ(t.find(ip("10.3.0.1")), nullptr);
}

TEST(VrfBgpConfig, SocketSpec_NetnsNamedAsTheDataplaneDoes) {
  const api::Config c = parse(kLeaf);
  EXPECT_EQ(vrf_socket_spec(c, c.vrfs[0], "under").netns, "under-tenant1");
  EXPECT_EQ(vrf_socket_spec(c, c.vrfs[0], "").netns, "tenant1");
  EXPECT_EQ(vrf_socket_spec(c, c.vrfs[1], "under").netns, "custom-ns");
  api::Config d = c;
  d.vrf_backend = api::VrfBackend::kVrfDevice;
  const VrfSocketSpec s = vrf_socket_spec(d, d.vrfs[0], "under");
  EXPECT_EQ(s.device, "tenant1");
  EXPECT_TRUE(s.netns.empty());
}

TEST(VrfBgpConfig, RouteReflectorWithVrfBgp_RefusedWithReason) {
  EXPECT_EQ(check_vrf_bgp(parse(kLeaf)), "");
  api::Config rr = parse(kLeaf);
  rr.dataplane = api::DataplaneKind::kNone;
  const std::string err = check_vrf_bgp(rr);
  EXPECT_NE(err.find("vrfs[tenant1]"), std::string::npos) << err;
  EXPECT_NE(err.find("dataplane: none"), std::string::npos) << err;
  rr.vrfs[0].neighbors.clear();
  rr.vrfs[0].listen_ranges.clear();
  EXPECT_EQ(check_vrf_bgp(rr), "");  // VRFs without BGP stay as they were
}

}  // namespace
}  // namespace evpnd::daemon

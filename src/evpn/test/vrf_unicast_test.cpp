// Redistribution between a VRF's BGP instance and EVPN (issue 10; ip_vrf_bgp.cpp): BGP best
// routes -> type-5 (RFC 9136 §3.1, interface-less or gateway-IP overlay index) + a kernel route
// via the CE; the VRF's EVPN prefixes -> Output::unicast, reference-counted, never echoed.
#include <nlohmann/json.hpp>

#include "evpn/json_views.hpp"
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kRmacHex = "060302000aff0001";  // Router's MAC 02:00:0a:ff:00:01

VrfUnicastRoute ce_route(const char* prefix, const char* nh = "192.168.100.11") {
  return VrfUnicastRoute{pfx(prefix), ip(nh), ip(nh)};
}

class VrfUnicastTest : public ::testing::Test {
 protected:
  explicit VrfUnicastTest(api::Config c = lab_config()) : svc(c) { started = svc.start(); }
  Output bgp(const char* prefix, std::optional<const char*> nh = "192.168.100.11") {
    std::optional<VrfUnicastRoute> r;
    if (nh) r = ce_route(prefix, *nh);
    return svc.on_vrf_unicast("tenant1", pfx(prefix), r, t0());
  }
  Output t5(const char* rdv, const char* prefix, const char* vtep, bool add = true) {
    return svc.on_remote_route(type5(rdv, prefix), type5_attrs("65000:5000", "02:00:0a:ff:00:02"), ip(vtep), add,
                               t0());
  }
  static dataplane::VrfRoute via_ce(const char* prefix, const char* nh = "192.168.100.11") {
    return dataplane::VrfRoute{5000, pfx(prefix), {ip(nh)}, 20, true};
  }
  EvpnService svc;
  Output started;
};

api::Config with_vrf_flags(bool gateway_ip, bool advertise, bool export_evpn) {
  api::Config c = lab_config();
  c.vrfs[0].gateway_ip = gateway_ip;
  c.vrfs[0].advertise_unicast = advertise;
  c.vrfs[0].export_evpn = export_evpn;
  return c;
}

class VrfUnicastGatewayIpTest : public VrfUnicastTest {
 protected:
  VrfUnicastGatewayIpTest() : VrfUnicastTest(with_vrf_flags(true, true, true)) {}
};

TEST_F(VrfUnicastTest, BgpRoute_InterfaceLessType5AndKernelRouteViaCe) {
  Output o = bgp("10.244.1.0/26");
  ASSERT_EQ(advertised(o).size(), 1u);
  const RouteUpdate u = advertised(o)[0];
  const auto& r = std::get<wire::IpPrefixRoute>(u.route);
  EXPECT_EQ(r.rd, rd("10.255.0.1:2"));  // the VRF's RD
  EXPECT_TRUE(r.esi.is_zero());
  EXPECT_EQ(r.ethernet_tag, 0u);
  EXPECT_EQ(r.prefix, pfx("10.244.1.0/26"));
  EXPECT_EQ(r.gateway, ip("0.0.0.0"));  // RFC 9136 §4.4.1 interface-less
  EXPECT_EQ(r.label, 5000u);
  EXPECT_EQ(u.next_hop, ip("10.255.0.1"));
  // Encapsulation VXLAN, export RT 65000:5000, Router's MAC: as every type-5 we originate.
  EXPECT_EQ(hex_of(u.attrs), std::string("030c000000000008") + "0002fde800001388" + kRmacHex);
  EXPECT_EQ(u.attrs.origin, wire::Origin::kIgp);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o), std::vector{via_ce("10.244.1.0/26")});
  EXPECT_TRUE(adds<dataplane::RemoteRmac>(o).empty());
  EXPECT_TRUE(o.unicast.empty());  // never echoed to BGP
  EXPECT_EQ(svc.ip_vrf("tenant1")->vrf_view().local_prefixes.size(), 3u);  // two SVI subnets + it
}

TEST_F(VrfUnicastTest, SameBestAgain_Nothing) {
  bgp("10.244.1.0/26");
  EXPECT_TRUE(bgp("10.244.1.0/26").empty());
}

TEST_F(VrfUnicastTest, NextHopChange_KernelRouteReplacedType5Kept) {
  bgp("10.244.1.0/26");
  Output o = bgp("10.244.1.0/26", "192.168.100.12");
  EXPECT_TRUE(o.routes.empty());  // interface-less: the type-5 does not carry the CE
  ASSERT_EQ(o.intents.size(), 1u);
  EXPECT_EQ(o.intents[0], dataplane::Intent::add(via_ce("10.244.1.0/26", "192.168.100.12")));
}

TEST_F(VrfUnicastTest, Withdrawal_Type5WithdrawnKernelRouteDeleted) {
  bgp("10.244.1.0/26");
  Output o = bgp("10.244.1.0/26", std::nullopt);
  ASSERT_EQ(withdrawn(o).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(withdrawn(o)[0].route).prefix, pfx("10.244.1.0/26"));
  EXPECT_EQ(dels<dataplane::VrfRoute>(o), std::vector{via_ce("10.244.1.0/26")});
  EXPECT_TRUE(o.unicast.empty());
  EXPECT_TRUE(bgp("10.244.1.0/26", std::nullopt).empty());  // already gone
}

TEST_F(VrfUnicastTest, Ipv6Route_Type5Gateway0) {
  Output o = svc.on_vrf_unicast("tenant1", pfx("2001:db8:244::/64"),
                                VrfUnicastRoute{pfx("2001:db8:244::/64"), ip("2001:db8:100::11"), ip("2001:db8:100::11")},
                                t0());
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(o)[0].route).gateway, ip("::"));
  EXPECT_EQ(adds<dataplane::VrfRoute>(o).at(0).nexthops, std::vector{ip("2001:db8:100::11")});
}

TEST_F(VrfUnicastTest, ConfiguredThenBgp_AdvertisedOnceWithdrawnWithLastSource) {
  ASSERT_EQ(advertised(*svc.announce("tenant1", pfx("203.0.113.10/32"))).size(), 1u);
  Output b = bgp("203.0.113.10/32");
  EXPECT_TRUE(b.routes.empty());  // already advertised for the configured source
  EXPECT_EQ(adds<dataplane::VrfRoute>(b), std::vector{via_ce("203.0.113.10/32")});
  Output gone = bgp("203.0.113.10/32", std::nullopt);
  EXPECT_TRUE(gone.routes.empty());  // the announcement still stands
  EXPECT_EQ(dels<dataplane::VrfRoute>(gone).size(), 1u);
  EXPECT_EQ(withdrawn(*svc.withdraw("tenant1", pfx("203.0.113.10/32"))).size(), 1u);
}

TEST_F(VrfUnicastTest, BgpThenConnected_AdvertisedOnce) {
  // The CE announces the SVI subnet itself (a node exporting its connected routes).
  Output b = bgp("192.168.100.0/24");
  EXPECT_TRUE(b.routes.empty());
  EXPECT_EQ(adds<dataplane::VrfRoute>(b).size(), 1u);
  Output gone = bgp("192.168.100.0/24", std::nullopt);
  EXPECT_TRUE(gone.routes.empty());
  EXPECT_EQ(dels<dataplane::VrfRoute>(gone).size(), 1u);
}

TEST_F(VrfUnicastTest, RemoteType5ForBgpPrefix_NotInstalled) {
  bgp("10.244.1.0/26");
  Output o = t5("10.255.0.2:2", "10.244.1.0/26", "10.255.0.2");
  EXPECT_TRUE(o.intents.empty());  // no remote VrfRoute, no RMAC: the CE's route wins
  EXPECT_TRUE(o.unicast.empty());
  ASSERT_EQ(svc.vrf_route_views("tenant1").size(), 1u);  // only the route via the CE
  EXPECT_EQ(svc.vrf_route_views("tenant1")[0].source, VrfRouteSource::kBgp);
}

TEST_F(VrfUnicastTest, BgpOverInstalledRemote_RemoteDeletedFirstAndBackAfter) {
  t5("10.255.0.2:2", "10.244.1.0/26", "10.255.0.2");
  Output o = bgp("10.244.1.0/26");
  // The remote route (same kernel key: table and prefix) goes before ours is added.
  ASSERT_EQ(o.intents.size(), 3u);
  EXPECT_EQ(o.intents[0], dataplane::Intent::del(dataplane::VrfRoute{5000, pfx("10.244.1.0/26"), {ip("10.255.0.2")}, 20}));
  EXPECT_EQ(o.intents[1], dataplane::Intent::del(dataplane::RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}));
  EXPECT_EQ(o.intents[2], dataplane::Intent::add(via_ce("10.244.1.0/26")));
  Output back = bgp("10.244.1.0/26", std::nullopt);
  ASSERT_EQ(back.intents.size(), 3u);
  EXPECT_EQ(back.intents[0], dataplane::Intent::del(via_ce("10.244.1.0/26")));
  EXPECT_EQ(back.intents[1], dataplane::Intent::add(dataplane::RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}));
  EXPECT_EQ(back.intents[2], dataplane::Intent::add(dataplane::VrfRoute{5000, pfx("10.244.1.0/26"), {ip("10.255.0.2")}, 20}));
}

TEST_F(VrfUnicastGatewayIpTest, BgpRoute_GatewayIpIsCeNextHop) {
  Output o = bgp("203.0.113.10/32");
  ASSERT_EQ(advertised(o).size(), 1u);
  const auto r = std::get<wire::IpPrefixRoute>(advertised(o)[0].route);
  EXPECT_EQ(r.gateway, ip("192.168.100.11"));  // RFC 9136 §3.2 gateway-IP overlay index
  EXPECT_TRUE(r.esi.is_zero());
  EXPECT_EQ(r.label, 5000u);
  // As FRR's `advertise ipv4 unicast gateway-ip`: the Router's MAC stays on the route.
  EXPECT_EQ(hex_of(advertised(o)[0].attrs), std::string("030c000000000008") + "0002fde800001388" + kRmacHex);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o), std::vector{via_ce("203.0.113.10/32")});
}

TEST_F(VrfUnicastGatewayIpTest, NextHopChange_Type5ReadvertisedWithNewGateway) {
  bgp("203.0.113.10/32");
  Output o = bgp("203.0.113.10/32", "192.168.100.12");
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(o)[0].route).gateway, ip("192.168.100.12"));
  EXPECT_EQ(adds<dataplane::VrfRoute>(o), std::vector{via_ce("203.0.113.10/32", "192.168.100.12")});
}

TEST_F(VrfUnicastGatewayIpTest, ConfiguredAndBgp_GatewayFollowsTheBgpSource) {
  svc.announce("tenant1", pfx("203.0.113.0/24"));
  Output b = bgp("203.0.113.0/24");
  ASSERT_EQ(advertised(b).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(b)[0].route).gateway, ip("192.168.100.11"));
  Output gone = bgp("203.0.113.0/24", std::nullopt);
  ASSERT_EQ(advertised(gone).size(), 1u);  // still announced, interface-less again
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(gone)[0].route).gateway, ip("0.0.0.0"));
  EXPECT_TRUE(withdrawn(gone).empty());
}

TEST_F(VrfUnicastGatewayIpTest, Ipv6PrefixViaIpv4NextHop_Gateway0) {
  // RFC 9136 §3.1: the GW IP has the prefix's family; an RFC 8950 next hop cannot be one.
  Output o = svc.on_vrf_unicast("tenant1", pfx("2001:db8:244::/64"),
                                VrfUnicastRoute{pfx("2001:db8:244::/64"), ip("192.168.100.11"), ip("192.168.100.11")},
                                t0());
  ASSERT_EQ(advertised(o).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(o)[0].route).gateway, ip("::"));
}

class VrfUnicastNoAdvertiseTest : public VrfUnicastTest {
 protected:
  VrfUnicastNoAdvertiseTest() : VrfUnicastTest(with_vrf_flags(false, false, false)) {}
};

TEST_F(VrfUnicastNoAdvertiseTest, BgpRoute_KernelRouteOnlyNoType5NoExports) {
  EXPECT_TRUE(started.unicast.empty());
  Output o = bgp("10.244.1.0/26");
  EXPECT_TRUE(o.routes.empty());
  EXPECT_EQ(adds<dataplane::VrfRoute>(o), std::vector{via_ce("10.244.1.0/26")});
  EXPECT_TRUE(t5("10.255.0.2:2", "10.244.1.0/26", "10.255.0.2").intents.empty());  // still wins
  Output gone = bgp("10.244.1.0/26", std::nullopt);
  EXPECT_TRUE(gone.routes.empty());
  EXPECT_EQ(dels<dataplane::VrfRoute>(gone).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(gone).size(), 1u);  // the remote one now
  EXPECT_TRUE(t5("10.255.0.2:9", "10.99.0.0/16", "10.255.0.2").unicast.empty());
  EXPECT_TRUE(svc.vrf_unicast_exports("tenant1").empty());
}

TEST_F(VrfUnicastTest, UnknownVrfOrUnusableNextHop_NoticeNothingInstalled) {
  Output o = svc.on_vrf_unicast("nope", pfx("10.244.1.0/26"), ce_route("10.244.1.0/26"), t0());
  EXPECT_TRUE(o.routes.empty() && o.intents.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
  Output self = bgp("10.244.1.0/26", "10.255.0.1");  // our own VTEP address
  EXPECT_TRUE(self.routes.empty() && self.intents.empty());
  EXPECT_EQ(count_notices(self, NoticeKind::kRouteIgnored), 1u);
  bgp("10.244.1.0/26");
  Output unusable = bgp("10.244.1.0/26", "0.0.0.0");  // treated as gone
  EXPECT_EQ(withdrawn(unusable).size(), 1u);
  EXPECT_EQ(dels<dataplane::VrfRoute>(unusable).size(), 1u);
}

TEST_F(VrfUnicastTest, Reload_SwitchesApplyToRoutesAlreadyThere) {
  bgp("10.244.1.0/26");
  svc.announce("tenant1", pfx("203.0.113.0/24"));
  bgp("203.0.113.0/24");
  api::VrfConfig v = lab_config().vrfs[0];
  // gateway-ip on: both re-advertised with the CE as GW IP, nothing withdrawn, nothing installed.
  v.gateway_ip = true;
  Output gw = *svc.set_vrf_redistribution(v);
  ASSERT_EQ(advertised(gw).size(), 2u);
  for (const auto& u : advertised(gw)) EXPECT_EQ(std::get<wire::IpPrefixRoute>(u.route).gateway, ip("192.168.100.11"));
  EXPECT_TRUE(withdrawn(gw).empty() && gw.intents.empty() && gw.unicast.empty());
  EXPECT_TRUE(svc.set_vrf_redistribution(v)->empty());  // no change, nothing
  // advertise-unicast off: the BGP-only prefix is withdrawn, the announced one stays with GW 0.
  v.advertise_unicast = false;
  Output off = *svc.set_vrf_redistribution(v);
  ASSERT_EQ(withdrawn(off).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(withdrawn(off)[0].route).prefix, pfx("10.244.1.0/26"));
  ASSERT_EQ(advertised(off).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(off)[0].route).gateway, ip("0.0.0.0"));
  EXPECT_TRUE(off.intents.empty());  // the kernel routes via the CE stay
  // export-evpn off: the connected subnets are withdrawn from the VRF's BGP instance.
  v.export_evpn = false;
  Output noexp = *svc.set_vrf_redistribution(v);
  EXPECT_EQ(noexp.unicast, (std::vector<UnicastUpdate>{{"tenant1", pfx("192.168.100.0/24"), false},
                                                       {"tenant1", pfx("192.168.200.0/24"), false}}));
  // All back on: advertised again, exported again.
  v = lab_config().vrfs[0];
  Output on = *svc.set_vrf_redistribution(v);
  ASSERT_EQ(advertised(on).size(), 1u);
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(advertised(on)[0].route).prefix, pfx("10.244.1.0/26"));
  EXPECT_EQ(on.unicast.size(), 2u);
  v.name = "nope";
  EXPECT_FALSE(svc.set_vrf_redistribution(v));
}

TEST_F(VrfUnicastTest, Views_BgpRouteWithItsPeerBesideRemoteRoutes) {
  t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2");
  svc.on_vrf_unicast("tenant1", pfx("10.244.1.0/26"),
                     VrfUnicastRoute{pfx("10.244.1.0/26"), ip("192.168.100.11"), ip("10.1.0.11")}, t0());
  const auto v = svc.vrf_route_views("tenant1");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].source, VrfRouteSource::kPrefix);
  EXPECT_EQ(v[1], (VrfRouteView{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, VrfRouteSource::kBgp,
                                ip("10.1.0.11")}));
  const auto j = vrf_routes_json(v);
  EXPECT_EQ(j[1]["source"], "bgp");
  EXPECT_EQ(j[1]["peer"], "10.1.0.11");
  EXPECT_FALSE(j[0].contains("peer"));
  EXPECT_EQ(svc.vrf_views().at(0).routes, 2u);
  bgp("10.244.1.0/26", std::nullopt);
  EXPECT_EQ(svc.vrf_route_views("tenant1").size(), 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

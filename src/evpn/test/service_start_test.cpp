// EvpnService start-up: Ensure intents for the lab configuration, route-reflector role, views.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

TEST(ServiceStart, LabConfig_EnsureIntentsInOrder) {
  EvpnService svc(lab_config());
  Output o = svc.start();
  ASSERT_EQ(adds<dataplane::L3Vni>(o).size(), 1u);
  const auto l3 = adds<dataplane::L3Vni>(o)[0];
  EXPECT_EQ(l3.name, "tenant1");
  EXPECT_EQ(l3.l3vni, 5000u);
  EXPECT_EQ(l3.vxlan_device, "vxlan5000");
  EXPECT_EQ(l3.bridge, "br5000");
  EXPECT_EQ(l3.router_mac, mac("02:00:0a:ff:00:01"));
  EXPECT_EQ(l3.local_vtep, ip("10.255.0.1"));
  EXPECT_EQ(l3.dstport, 4789);
  EXPECT_EQ(l3.backend, dataplane::VrfBackend::kNetns);
  EXPECT_EQ(l3.netns, "tenant1");
  const auto l2 = adds<dataplane::L2Vni>(o);
  ASSERT_EQ(l2.size(), 2u);
  EXPECT_EQ(l2[0].vni, 100u);
  EXPECT_EQ(l2[0].vxlan_device, "vxlan100");
  EXPECT_EQ(l2[0].bridge, "br100");
  EXPECT_EQ(l2[0].bridge_mac, mac("02:00:5e:00:01:01"));
  EXPECT_EQ(l2[0].netns, "tenant1");
  EXPECT_TRUE(l2[0].arp_suppression);
  const auto svi = adds<dataplane::SviAddress>(o);
  ASSERT_EQ(svi.size(), 2u);
  EXPECT_EQ(svi[0], (dataplane::SviAddress{100, ip("192.168.100.1"), 24}));
  // L3VNI before the L2VNIs, L2VNIs before their SVI addresses.
  EXPECT_TRUE(o.intents[0].get<dataplane::L3Vni>());
  EXPECT_TRUE(o.intents[1].get<dataplane::L2Vni>());
  EXPECT_TRUE(o.intents.back().get<dataplane::SviAddress>());
  EXPECT_EQ(o.routes.size(), 4u);  // two type-3, two type-5
  EXPECT_TRUE(svc.start().empty());
}

TEST(ServiceStart, UnderlayNetnsAndVrfDevice_Names) {
  auto c = lab_config();
  EvpnService ns(c, ServiceOptions{"lab-leaf1"});
  EXPECT_EQ(adds<dataplane::L3Vni>(ns.start())[0].netns, "lab-leaf1-tenant1");
  c.vrf_backend = api::VrfBackend::kVrfDevice;
  c.vrfs[0].table = 1001;
  EvpnService dev(c);
  const auto l3 = adds<dataplane::L3Vni>(dev.start())[0];
  EXPECT_EQ(l3.backend, dataplane::VrfBackend::kVrfDevice);
  EXPECT_EQ(l3.table, 1001u);
  EXPECT_EQ(l3.member_bridges, (std::vector<std::string>{"br100", "br200"}));
}

TEST(ServiceStart, RouteReflectorRole_NoIntents) {
  auto c = lab_config();
  c.dataplane = api::DataplaneKind::kNone;
  c.l2vnis.clear();
  c.vrfs.clear();
  EvpnService svc(c);
  EXPECT_TRUE(svc.start().empty());
}

TEST(ServiceStart, ConfiguredRdRtAndRfc8365Auto) {
  auto c = lab_config();
  c.rt_auto = api::RtAutoMode::kRfc8365;
  c.l2vnis[1].rd = rd("65000:200");
  c.l2vnis[1].import_rts = {rt("65000:2222")};
  EvpnService svc(c);
  auto v = svc.vni_views();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].rd, rd("10.255.0.1:3"));
  EXPECT_EQ(v[0].export_rts, std::vector<RouteTarget>{rt("65000:268435556")});
  EXPECT_EQ(v[1].rd, rd("65000:200"));
  EXPECT_EQ(v[1].import_rts, std::vector<RouteTarget>{rt("65000:2222")});
  EXPECT_EQ(v[1].export_rts, std::vector<RouteTarget>{rt("65000:268435656")});
  EXPECT_EQ(svc.vrf_views().at(0).export_rts, std::vector<RouteTarget>{rt("65000:268440456")});
}

TEST(ServiceStart, DefaultRouterMac_FromVtep) {
  auto c = lab_config();
  c.vrfs[0].router_mac.reset();
  c.vtep_source = ip("10.255.0.7");
  EvpnService svc(c);
  EXPECT_EQ(svc.vrf_views().at(0).router_mac, mac("02:00:0a:ff:00:07"));
}

TEST(ServiceStart, DataplaneEvents_Dispatched) {
  EvpnService svc(lab_config());
  svc.start();
  Output o = svc.on_dataplane_event(dataplane::LocalMacLearned{100, mac("02:00:00:00:01:10"), "p1", false}, t0());
  EXPECT_EQ(advertised(o).size(), 1u);
  o = svc.on_dataplane_event(
      dataplane::LocalNeighbourLearned{100, ip("192.168.100.10"), mac("02:00:00:00:01:10"),
                                       dataplane::NeighState::kReachable, false},
      t0());
  EXPECT_EQ(advertised(o).size(), 1u);
  o = svc.on_dataplane_event(
      dataplane::LocalNeighbourLearned{100, ip("192.168.100.10"), mac("02:00:00:00:01:10"),
                                       dataplane::NeighState::kFailed, false},
      t0());
  EXPECT_EQ(withdrawn(o).size(), 1u);
  o = svc.on_dataplane_event(dataplane::LocalMacAged{100, mac("02:00:00:00:01:10")}, t0());
  EXPECT_EQ(withdrawn(o).size(), 1u);
  EXPECT_TRUE(svc.on_dataplane_event(dataplane::LocalMacLearned{999, mac("02:00:00:00:01:10"), "p", false}, t0()).empty());
}

TEST(ServiceStart, Views_MacNeighVtepAfterTraffic) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02", .seq = 3};
  svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0());
  auto macs = svc.mac_views(100);
  ASSERT_EQ(macs.size(), 2u);
  EXPECT_EQ(macs[0].origin, EntryOrigin::kLocal);
  EXPECT_EQ(macs[0].port, "rl1-h1");
  EXPECT_EQ(macs[0].ips, std::vector<IpAddress>{ip("192.168.100.10")});
  EXPECT_EQ(macs[1].origin, EntryOrigin::kRemote);
  EXPECT_EQ(macs[1].remote_vtep, ip("10.255.0.2"));
  EXPECT_EQ(macs[1].remote_seq, 3u);
  auto neighs = svc.neigh_views(100);
  ASSERT_EQ(neighs.size(), 2u);
  EXPECT_EQ(neighs[1].origin, EntryOrigin::kRemote);
  auto vni = svc.vni_views().at(0);
  EXPECT_EQ(vni.local_macs, 1u);
  EXPECT_EQ(vni.remote_macs, 1u);
  EXPECT_EQ(vni.vrf, "tenant1");
  EXPECT_EQ(vni.l3vni, 5000u);
  EXPECT_EQ(svc.rmac_views().size(), 1u);
  EXPECT_EQ(svc.vrf_views().at(0).l2vnis, (std::vector<Vni>{100, 200}));
  EXPECT_EQ(svc.vrf_views().at(0).routes, 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

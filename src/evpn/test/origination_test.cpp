// Locally originated routes, byte for byte against what FRR 8.4 sent in the lab
// (tests/vectors/captures/bgp-update-type2-macip.txt, -type2-mac.txt, -type3.txt, -type5.txt).
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

std::string nlri_hex(const wire::EvpnRoute& r) {
  Bytes b;
  ByteWriter w(b);
  wire::encode_evpn_route(w, r);
  return to_hex(b);
}

const RouteUpdate* find_route(const Output& o, uint8_t type, bool with_ip = false) {
  for (const auto& r : o.routes) {
    if (r.op != RouteOp::kAdvertise || wire::route_type(r.route) != type) continue;
    if (type == 2 && std::get<wire::MacIpAdvertisement>(r.route).ip.empty() == with_ip) continue;
    return &r;
  }
  return nullptr;
}

TEST(Origination, Type2MacIp_MatchesFrrCaptureBytes) {
  EvpnService svc(lab_config());
  svc.start();
  // Two moves in: the capture's route carries MAC Mobility seq 2.
  auto remote = RemoteMacIp{.mac = "02:00:00:00:01:10", .seq = 1};
  svc.on_remote_route(type2(remote), type2_attrs(remote), ip("10.255.0.2"), true, t0());
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  Output o = svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  const RouteUpdate* r = find_route(o, 2, true);
  ASSERT_NE(r, nullptr);
  // NLRI from the capture: 02 28 | RD 00010aff00010003 | ESI 0 | tag 0 | 30 MAC | 20 IP | 000064 001388
  EXPECT_EQ(nlri_hex(r->route),
            "022800010aff00010003" "00000000000000000000" "00000000" "30020000000110" "20c0a8640a"
            "000064001388");
  // EXTENDED_COMMUNITIES value from the capture: encap VXLAN, RT 65000:100, RT 65000:5000,
  // Router's MAC 02:00:0a:ff:00:01, MAC Mobility seq 2.
  EXPECT_EQ(hex_of(r->attrs),
            "030c000000000008" "0002fde800000064" "0002fde800001388" "060302000aff0001" "0600000000000002");
  EXPECT_EQ(r->next_hop, ip("10.255.0.1"));
  EXPECT_EQ(r->attrs.origin, wire::Origin::kIgp);
  ASSERT_TRUE(r->attrs.as_path);
  EXPECT_TRUE(r->attrs.as_path->empty());
  EXPECT_FALSE(r->attrs.pmsi_tunnel);
}

TEST(Origination, Type2MacOnly_NoL3RtNoRouterMac) {
  EvpnService svc(lab_config());
  svc.start();
  Output o = svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  const RouteUpdate* r = find_route(o, 2, false);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(nlri_hex(r->route),
            "022100010aff00010003" "00000000000000000000" "00000000" "30020000000110" "00" "000064");
  // seq 0 and not sticky: no MAC Mobility community (FRR sends it only once seq > 0).
  EXPECT_EQ(hex_of(r->attrs), "030c000000000008" "0002fde800000064");
}

TEST(Origination, Type2StaticMac_StickyMobilitySeq0) {
  EvpnService svc(lab_config());
  svc.start();
  Output o = svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", true, t0());
  const RouteUpdate* r = find_route(o, 2, false);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(hex_of(r->attrs), "030c000000000008" "0002fde800000064" "0600010000000000");
}

TEST(Origination, Type3PerVni_PmsiIngressReplication) {
  EvpnService svc(lab_config());
  Output o = svc.start();
  std::vector<const RouteUpdate*> imet;
  for (const auto& r : o.routes) {
    if (wire::route_type(r.route) == 3) imet.push_back(&r);
  }
  ASSERT_EQ(imet.size(), 2u);
  // Capture: 03 11 | RD 10.255.0.1:3 | tag 0 | 20 | 10.255.0.1
  EXPECT_EQ(nlri_hex(imet[0]->route), "031100010aff00010003" "00000000" "20" "0aff0001");
  EXPECT_EQ(hex_of(imet[0]->attrs), "030c000000000008" "0002fde800000064");
  ASSERT_TRUE(imet[0]->attrs.pmsi_tunnel);
  EXPECT_EQ(imet[0]->attrs.pmsi_tunnel->flags, 0);
  EXPECT_EQ(imet[0]->attrs.pmsi_tunnel->tunnel_type, 6);
  EXPECT_EQ(imet[0]->attrs.pmsi_tunnel->label, 100u);
  EXPECT_EQ(imet[0]->attrs.pmsi_tunnel->endpoint(), ip("10.255.0.1"));
  EXPECT_EQ(std::get<wire::InclusiveMulticast>(imet[1]->route).rd, rd("10.255.0.1:4"));
  EXPECT_EQ(imet[1]->attrs.pmsi_tunnel->label, 200u);
}

TEST(Origination, Type5ConnectedSubnets_MatchFrrCapture) {
  EvpnService svc(lab_config());
  Output o = svc.start();
  std::vector<const RouteUpdate*> t5;
  for (const auto& r : o.routes) {
    if (wire::route_type(r.route) == 5) t5.push_back(&r);
  }
  ASSERT_EQ(t5.size(), 2u);
  // Capture: 05 22 | RD 10.255.0.1:2 | ESI 0 | tag 0 | 18 | 192.168.100.0 | gw 0.0.0.0 | 001388
  EXPECT_EQ(nlri_hex(t5[0]->route), "052200010aff00010002" "00000000000000000000" "00000000" "18" "c0a86400"
                                    "00000000" "001388");
  EXPECT_EQ(hex_of(t5[0]->attrs), "030c000000000008" "0002fde800001388" "060302000aff0001");
  EXPECT_EQ(std::get<wire::IpPrefixRoute>(t5[1]->route).prefix, pfx("192.168.200.0/24"));
}

TEST(Origination, LocalMacAged_WithdrawsMacAndMacIp) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  Output o = svc.on_local_mac_removed(100, mac("02:00:00:00:01:10"), t0() + 1s);
  EXPECT_EQ(withdrawn(o).size(), 2u);
  EXPECT_TRUE(advertised(o).empty());
  // Again: nothing more to do.
  EXPECT_TRUE(svc.on_local_mac_removed(100, mac("02:00:00:00:01:10"), t0() + 2s).empty());
}

TEST(Origination, NeighRemoved_WithdrawsOnlyMacIp) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "rl1-h1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  Output o = svc.on_local_neigh_removed(100, ip("192.168.100.10"), t0());
  ASSERT_EQ(withdrawn(o).size(), 1u);
  EXPECT_EQ(std::get<wire::MacIpAdvertisement>(withdrawn(o)[0].route).ip, ip("192.168.100.10"));
}

TEST(Origination, RepeatedLearn_NoOutput) {
  EvpnService svc(lab_config());
  svc.start();
  EXPECT_EQ(advertised(svc.on_local_mac(100, mac("02:00:00:00:01:10"), "p1", false, t0())).size(), 1u);
  EXPECT_TRUE(svc.on_local_mac(100, mac("02:00:00:00:01:10"), "p1", false, t0()).empty());
}

TEST(Origination, RouterMacChange_ReadvertisesMacIpAndType5) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "p1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  auto o = svc.set_router_mac("tenant1", mac("02:00:0a:ff:00:99"));
  ASSERT_TRUE(o);
  size_t t2 = 0, t5 = 0;
  for (const auto& r : advertised(*o)) {
    EXPECT_NE(hex_of(r.attrs).find("060302000aff0099"), std::string::npos);
    t2 += wire::route_type(r.route) == 2;
    t5 += wire::route_type(r.route) == 5;
  }
  EXPECT_EQ(t2, 1u);  // only the MAC+IP route carries the Router's MAC
  EXPECT_EQ(t5, 2u);
  EXPECT_FALSE(svc.set_router_mac("nope", mac("02:00:0a:ff:00:99")));
}

}  // namespace
}  // namespace evpnd::evpn::test

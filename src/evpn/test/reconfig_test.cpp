// Live L2VNI add/remove (configuration reload): the new segment is set up and imports what is
// already known; the removed one takes its routes and entries with it; the others do not move.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

api::L2VniConfig vni300() {
  api::L2VniConfig c;
  c.vni = 300;
  c.vrf = "tenant1";
  c.gateway = pfx("192.168.30.0/24");
  c.gateway_address = ip("192.168.30.1");
  return c;
}

TEST(Reconfig, AddL2Vni_DevicesType3NextRdIndexAndImport) {
  EvpnService svc(lab_config());
  svc.start();
  const auto rd100 = svc.mac_vrf(100)->config().rd;
  auto out = svc.add_l2vni(vni300());
  ASSERT_TRUE(out) << out.error();
  auto l2 = adds<dataplane::L2Vni>(*out);
  ASSERT_EQ(l2.size(), 1u);
  EXPECT_EQ(l2[0].vni, 300u);
  EXPECT_EQ(l2[0].bridge, "br300");
  EXPECT_EQ(l2[0].netns, "tenant1");  // netns backend: the VRF's namespace
  EXPECT_EQ(adds<dataplane::SviAddress>(*out).size(), 1u);
  // Type-3 with the next auto-RD index (1 VRF + 2 VNIs use 2..4) and the connected subnet.
  bool imet = false, connected = false;
  for (const auto& r : advertised(*out)) {
    if (const auto* t3 = std::get_if<wire::InclusiveMulticast>(&r.route)) imet = t3->rd == rd("10.255.0.1:5");
    if (const auto* t5 = std::get_if<wire::IpPrefixRoute>(&r.route)) connected = t5->prefix == pfx("192.168.30.0/24");
  }
  EXPECT_TRUE(imet);
  EXPECT_TRUE(connected);
  EXPECT_EQ(svc.mac_vrf(100)->config().rd, rd100);
  // A remote MAC of the new VNI is imported by its RT (65000:300).
  RemoteMacIp s{.mac = "02:00:00:00:03:01", .l2vni = 300, .rts = {"65000:300"}};
  auto imp = svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0());
  ASSERT_EQ(adds<dataplane::RemoteMac>(imp).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(imp)[0].vni, 300u);
  // Twice: refused, nothing changes.
  EXPECT_FALSE(svc.add_l2vni(vni300()));
  auto bad = vni300();
  bad.vni = 301;
  bad.vrf = "nope";
  EXPECT_FALSE(svc.add_l2vni(bad));
  EXPECT_EQ(svc.vni_views().size(), 3u);
}

TEST(Reconfig, RemoveL2Vni_WithdrawsDeletesAndStopsImporting) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "p1", false, t0());
  RemoteMacIp s{.mac = "02:00:00:00:01:20", .ip = "192.168.100.20"};
  svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0());
  wire::InclusiveMulticast imet{rd("10.255.0.2:3"), 0, ip("10.255.0.2")};
  svc.on_remote_route(imet, imet_attrs("10.255.0.2", 100, "65000:100"), ip("10.255.0.2"), true, t0());
  auto out = svc.remove_l2vni(100);
  ASSERT_TRUE(out) << out.error();
  // Our type-3 and the local MAC's type-2 are withdrawn; the remote MAC, its neighbour, the
  // flood entry and the devices are deleted.
  size_t w3 = 0, w2 = 0;
  for (const auto& r : withdrawn(*out)) {
    w3 += std::holds_alternative<wire::InclusiveMulticast>(r.route);
    w2 += std::holds_alternative<wire::MacIpAdvertisement>(r.route);
  }
  EXPECT_EQ(w3, 1u);
  EXPECT_GE(w2, 1u);
  EXPECT_EQ(dels<dataplane::RemoteMac>(*out).size(), 1u);
  EXPECT_EQ(dels<dataplane::FloodEntry>(*out).size(), 1u);
  EXPECT_EQ(dels<dataplane::L2Vni>(*out).size(), 1u);
  // The connected subnet of VNI 100 is withdrawn from tenant1; VNI 200's stays.
  bool sub100 = false;
  for (const auto& r : withdrawn(*out))
    if (const auto* t5 = std::get_if<wire::IpPrefixRoute>(&r.route)) sub100 |= t5->prefix == pfx("192.168.100.0/24");
  EXPECT_TRUE(sub100);
  EXPECT_EQ(svc.vni_views().size(), 1u);
  EXPECT_FALSE(svc.mac_vrf(100));
  // A route for the removed VNI's RT no longer installs a MAC (the IP-VRF may still take the host route).
  RemoteMacIp s2{.mac = "02:00:00:00:01:21"};
  EXPECT_TRUE(adds<dataplane::RemoteMac>(svc.on_remote_route(type2(s2), type2_attrs(s2), ip("10.255.0.2"), true, t0()))
                  .empty());
  EXPECT_FALSE(svc.remove_l2vni(100));
}

}  // namespace
}  // namespace evpnd::evpn::test

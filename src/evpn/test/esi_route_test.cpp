// RFC 7432 §9.2.2 on a single-homed VTEP (es_routes.hpp): a MAC/IP route with a non-reserved ESI
// is installed (towards the VTEP that advertised it) only while that VTEP's Ethernet A-D per ES
// route for the ESI is present; its withdrawal removes the segment's MACs (§8.2).
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kEsi = "00:11:22:33:44:55:66:77:88:99";

class EsiRouteTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output macip(RemoteMacIp s, const char* esi = kEsi, bool add = true) {
    wire::MacIpAdvertisement r = type2(s);
    r.esi = *Esi::parse(esi);
    return svc.on_remote_route(r, type2_attrs(s), ip(s.vtep), add, t0());
  }
  static wire::EthernetAutoDiscovery ad(const char* rdv, uint32_t tag = 0xFFFFFFFF, const char* esi = kEsi) {
    return wire::EthernetAutoDiscovery{rd(rdv), *Esi::parse(esi), tag, 0};
  }
  Output ad_route(const char* vtep, uint32_t tag = 0xFFFFFFFF, bool add = true, const char* rtv = "65000:100") {
    wire::PathAttributes a;
    a.origin = wire::Origin::kIgp;
    a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
    a.ext_communities.push_back(wire::ExtCommunity::route_target(rt(rtv)));
    a.ext_communities.push_back(wire::ExtCommunity::esi_label(false, 0));
    const std::string rdv = std::string(vtep) + ":1";
    return svc.on_remote_route(ad(rdv.c_str(), tag), add ? a : wire::PathAttributes{}, ip(vtep), add, t0());
  }
  EvpnService svc{lab_config()};
};

TEST_F(EsiRouteTest, NonReservedEsiWithoutAdPerEs_NotInstalledCountedLogged) {
  Output o = macip({});
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.counters().esi_without_ad_per_es, 1u);
  ASSERT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
  EXPECT_NE(o.notices[0].text.find("A-D per ES"), std::string::npos) << o.notices[0].text;
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(EsiRouteTest, AdPerEsArrives_WaitingMacInstalledTowardsAdvertiser) {
  macip({});
  Output o = ad_route("10.255.0.2");
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.255.0.2"));
  // Later MAC/IP routes on the segment are installed at once.
  EXPECT_EQ(adds<dataplane::RemoteMac>(macip({.mac = "02:00:00:00:01:21"})).size(), 1u);
}

TEST_F(EsiRouteTest, MacIpOnSegment_HostRouteAlsoWaitsForAdPerEs) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02"};
  Output before = macip(s);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(before).empty());
  Output o = ad_route("10.255.0.2");
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
}

TEST_F(EsiRouteTest, AdPerEsFromAnotherVtep_DoesNotEnableIt) {
  macip({});
  EXPECT_TRUE(adds<dataplane::RemoteMac>(ad_route("10.255.0.3")).empty());
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(EsiRouteTest, AdPerEviOrForeignRt_DoesNotEnableIt) {
  macip({});
  EXPECT_TRUE(adds<dataplane::RemoteMac>(ad_route("10.255.0.2", 0)).empty());  // A-D per EVI (tag 0)
  EXPECT_TRUE(adds<dataplane::RemoteMac>(ad_route("10.255.0.2", 0xFFFFFFFF, true, "65000:999")).empty());
}

TEST_F(EsiRouteTest, AdPerEsWithdrawn_SegmentMacsRemoved) {  // §8.2 mass withdrawal
  ad_route("10.255.0.2");
  ASSERT_EQ(adds<dataplane::RemoteMac>(macip({})).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(macip({.mac = "02:00:00:00:01:21"})).size(), 1u);
  Output o = ad_route("10.255.0.2", 0xFFFFFFFF, false);
  EXPECT_EQ(dels<dataplane::RemoteMac>(o).size(), 2u);
  EXPECT_TRUE(svc.mac_views(100).empty());
  // It comes back: so do they.
  EXPECT_EQ(adds<dataplane::RemoteMac>(ad_route("10.255.0.2")).size(), 2u);
}

TEST_F(EsiRouteTest, MacWithdrawnWhileWaiting_NothingInstalledLater) {
  macip({});
  macip({}, kEsi, false);
  EXPECT_TRUE(ad_route("10.255.0.2").intents.empty());
}

TEST_F(EsiRouteTest, ReservedMaxEsi_InstalledFromTheRouteAlone) {  // §9.2.2 reserved ESI
  Output o = macip({}, "ff:ff:ff:ff:ff:ff:ff:ff:ff:ff");
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(svc.counters().esi_without_ad_per_es, 0u);
}

}  // namespace
}  // namespace evpnd::evpn::test

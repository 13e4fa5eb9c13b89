// EVPN -> a VRF's BGP instance (issue 10; ip_vrf_bgp.cpp): every prefix the VRF routes through
// EVPN is announced once when its first source appears and withdrawn when its last goes; a
// prefix the VRF has a BGP route for is never offered back to BGP.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

UnicastUpdate up(const char* prefix, bool announce = true) { return {"tenant1", pfx(prefix), announce}; }

class VrfExportTest : public ::testing::Test {
 protected:
  VrfExportTest() { started = svc.start(); }
  Output t5(const char* rdv, const char* prefix, const char* vtep, bool add = true) {
    return svc.on_remote_route(type5(rdv, prefix), type5_attrs("65000:5000", "02:00:0a:ff:00:02"), ip(vtep), add,
                               t0());
  }
  Output bgp(const char* prefix, std::optional<const char*> nh = "192.168.100.11") {
    std::optional<VrfUnicastRoute> r;
    if (nh) r = VrfUnicastRoute{pfx(prefix), ip(*nh), ip(*nh)};
    return svc.on_vrf_unicast("tenant1", pfx(prefix), r, t0());
  }
  EvpnService svc{lab_config()};
  Output started;
};

TEST_F(VrfExportTest, Start_ConnectedSubnetsAnnounced) {
  EXPECT_EQ(started.unicast, (std::vector{up("192.168.100.0/24"), up("192.168.200.0/24")}));
  EXPECT_EQ(svc.vrf_unicast_exports("tenant1"), (std::vector{up("192.168.100.0/24"), up("192.168.200.0/24")}));
  EXPECT_TRUE(svc.vrf_unicast_exports("nope").empty());
}

TEST_F(VrfExportTest, RemoteType5_ReferenceCountedOverPaths) {
  EXPECT_EQ(t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2").unicast, std::vector{up("10.20.0.0/16")});
  EXPECT_TRUE(t5("10.255.0.3:2", "10.20.0.0/16", "10.255.0.3").unicast.empty());  // ECMP: already there
  EXPECT_TRUE(t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2", false).unicast.empty());
  EXPECT_EQ(t5("10.255.0.3:2", "10.20.0.0/16", "10.255.0.3", false).unicast,
            std::vector{up("10.20.0.0/16", false)});
  EXPECT_EQ(svc.vrf_unicast_exports("tenant1").size(), 2u);  // the two SVI subnets left
}

TEST_F(VrfExportTest, RemoteHostRoute_HostPrefixAnnouncedAndWithdrawn) {
  RemoteMacIp s{.mac = "02:00:00:00:05:07", .ip = "10.50.0.7", .l2vni = 500, .rts = {"65000:500", "65000:5000"},
                .rmac = "02:00:0a:ff:00:02"};
  EXPECT_EQ(svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, t0()).unicast,
            std::vector{up("10.50.0.7/32")});
  EXPECT_EQ(svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), false, t0()).unicast,
            std::vector{up("10.50.0.7/32", false)});
}

TEST_F(VrfExportTest, ConfiguredPrefixAndRemoteType5_OneAnnouncementUntilBothGone) {
  EXPECT_EQ(svc.announce("tenant1", pfx("10.99.0.0/16"))->unicast, std::vector{up("10.99.0.0/16")});
  EXPECT_TRUE(t5("10.255.0.2:2", "10.99.0.0/16", "10.255.0.2").unicast.empty());  // not installed: ours
  Output w = *svc.withdraw("tenant1", pfx("10.99.0.0/16"));
  EXPECT_TRUE(w.unicast.empty());  // the remote route is installed now and still exported
  EXPECT_EQ(adds<dataplane::VrfRoute>(w).size(), 1u);
  EXPECT_EQ(t5("10.255.0.2:2", "10.99.0.0/16", "10.255.0.2", false).unicast, std::vector{up("10.99.0.0/16", false)});
}

TEST_F(VrfExportTest, BgpLearntPrefix_NeverEchoed) {
  EXPECT_TRUE(bgp("10.244.1.0/26").unicast.empty());
  EXPECT_TRUE(t5("10.255.0.2:2", "10.244.1.0/26", "10.255.0.2").unicast.empty());  // another leaf has it too
  EXPECT_EQ(svc.vrf_unicast_exports("tenant1").size(), 2u);
  // Once the CE's route is gone, the remote route is installed and offered to the CEs.
  EXPECT_EQ(bgp("10.244.1.0/26", std::nullopt).unicast, std::vector{up("10.244.1.0/26")});
}

TEST_F(VrfExportTest, BgpRouteForExportedPrefix_ExportWithdrawnThenRestored) {
  t5("10.255.0.2:2", "10.20.0.0/16", "10.255.0.2");
  EXPECT_EQ(bgp("10.20.0.0/16").unicast, std::vector{up("10.20.0.0/16", false)});
  EXPECT_EQ(bgp("192.168.100.0/24").unicast, std::vector{up("192.168.100.0/24", false)});  // connected too
  EXPECT_EQ(svc.vrf_unicast_exports("tenant1"), std::vector{up("192.168.200.0/24")});
  EXPECT_EQ(bgp("192.168.100.0/24", std::nullopt).unicast, std::vector{up("192.168.100.0/24")});
  EXPECT_EQ(bgp("10.20.0.0/16", std::nullopt).unicast, std::vector{up("10.20.0.0/16")});
}

TEST(OutputTest, Append_CarriesUnicastUpdates) {
  Output a, b;
  b.unicast.push_back(up("10.0.0.0/8"));
  a.append(std::move(b));
  EXPECT_EQ(a.unicast, std::vector{up("10.0.0.0/8")});
  EXPECT_FALSE(a.empty());
}

}  // namespace
}  // namespace evpnd::evpn::test

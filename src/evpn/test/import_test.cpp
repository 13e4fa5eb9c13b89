// Import of remote routes by Route Target into MAC-VRFs and IP-VRFs -> data-plane intents.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

class ImportTest : public ::testing::Test {
 protected:
  Output remote(const RemoteMacIp& s, bool add = true) {
    return svc.on_remote_route(type2(s), type2_attrs(s), ip(s.vtep), add, t0());
  }
  EvpnService svc{lab_config()};
  void SetUp() override { svc.start(); }
};

TEST_F(ImportTest, Type2MacOnly_RemoteMacIntent) {
  Output o = remote({});
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0],
            (dataplane::RemoteMac{100, mac("02:00:00:00:01:20"), ip("10.255.0.2"), false}));
  EXPECT_TRUE(o.routes.empty());
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
}

TEST_F(ImportTest, Type2NonMatchingRt_NothingProduced) {
  Output o = remote({.rts = {"65000:999"}});
  EXPECT_TRUE(o.intents.empty());
  EXPECT_TRUE(o.routes.empty());
  EXPECT_EQ(svc.counters().remote_routes_unmatched, 1u);
  EXPECT_TRUE(svc.mac_views(100).empty());
}

TEST_F(ImportTest, Type2OtherVniRt_GoesToThatVniOnly) {
  Output o = remote({.mac = "02:00:00:00:02:30", .l2vni = 200, .rts = {"65000:200"}});
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vni, 200u);
}

TEST_F(ImportTest, Type2MacIpSymmetric_MacNeighRmacHostRoute) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02"};
  Output o = remote(s);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  ASSERT_EQ(adds<dataplane::RemoteNeighbour>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteNeighbour>(o)[0],
            (dataplane::RemoteNeighbour{100, ip("192.168.100.20"), mac("02:00:00:00:01:20"), false}));
  ASSERT_EQ(adds<dataplane::RemoteRmac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteRmac>(o)[0],
            (dataplane::RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}));
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0],
            (dataplane::VrfRoute{5000, pfx("192.168.100.20/32"), {ip("10.255.0.2")}, 20}));
  // The RMAC is added before the route that needs it.
  size_t rmac_at = 0, route_at = 0;
  for (size_t i = 0; i < o.intents.size(); ++i) {
    if (o.intents[i].get<dataplane::RemoteRmac>()) rmac_at = i;
    if (o.intents[i].get<dataplane::VrfRoute>()) route_at = i;
  }
  EXPECT_LT(rmac_at, route_at);

  Output w = remote(s, false);
  EXPECT_EQ(dels<dataplane::RemoteMac>(w).size(), 1u);
  EXPECT_EQ(dels<dataplane::RemoteNeighbour>(w).size(), 1u);
  EXPECT_EQ(dels<dataplane::VrfRoute>(w).size(), 1u);
  EXPECT_EQ(dels<dataplane::RemoteRmac>(w).size(), 1u);
  EXPECT_TRUE(adds<dataplane::RemoteMac>(w).empty());
  EXPECT_TRUE(svc.mac_views().empty());
  EXPECT_TRUE(svc.rmac_views().empty());
}

TEST_F(ImportTest, Type2MacIpOnlyL3Rt_HostRouteWithoutMac) {
  // A segment this VTEP does not have: only the VRF's RT matches.
  RemoteMacIp s{.mac = "02:00:00:00:03:30", .ip = "192.168.30.5", .l2vni = 300, .rts = {"65000:300", "65000:5000"},
                .rmac = "02:00:0a:ff:00:02"};
  Output o = remote(s);
  EXPECT_TRUE(adds<dataplane::RemoteMac>(o).empty());
  EXPECT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
}

TEST_F(ImportTest, Type2Ipv6_HostRoute128) {
  RemoteMacIp s{.ip = "2001:db8:100::20", .rts = {"65000:100", "65000:5000"}, .rmac = "02:00:0a:ff:00:02"};
  Output o = remote(s);
  ASSERT_EQ(adds<dataplane::VrfRoute>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(o)[0].prefix, pfx("2001:db8:100::20/128"));
  ASSERT_EQ(adds<dataplane::RemoteNeighbour>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteNeighbour>(o)[0].ip, ip("2001:db8:100::20"));
}

TEST_F(ImportTest, Type2WithoutRouterMac_NoHostRouteButMacInstalled) {
  RemoteMacIp s{.ip = "192.168.100.20", .rts = {"65000:100", "65000:5000"}};
  Output o = remote(s);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
}

TEST_F(ImportTest, Type3_FloodEntryPerVtepAndWithdraw) {
  wire::InclusiveMulticast r{rd("10.255.0.2:3"), 0, ip("10.255.0.2")};
  Output o = svc.on_remote_route(r, imet_attrs("10.255.0.2", 100, "65000:100"), ip("10.255.0.2"), true, t0());
  ASSERT_EQ(adds<dataplane::FloodEntry>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::FloodEntry>(o)[0], (dataplane::FloodEntry{100, ip("10.255.0.2")}));
  EXPECT_EQ(svc.remote_vteps().at(100), std::vector<IpAddress>{ip("10.255.0.2")});
  EXPECT_TRUE(svc.remote_vteps().at(200).empty());
  // Same route again: nothing.
  EXPECT_TRUE(svc.on_remote_route(r, imet_attrs("10.255.0.2", 100, "65000:100"), ip("10.255.0.2"), true, t0()).empty());
  Output w = svc.on_remote_route(r, {}, ip("10.255.0.2"), false, t0());
  EXPECT_EQ(dels<dataplane::FloodEntry>(w).size(), 1u);
}

TEST_F(ImportTest, Type3NonMatchingRt_NoFloodEntry) {
  wire::InclusiveMulticast r{rd("10.255.0.2:9"), 0, ip("10.255.0.2")};
  Output o = svc.on_remote_route(r, imet_attrs("10.255.0.2", 900, "65000:900"), ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(o.intents.empty());
}

TEST_F(ImportTest, Type3PmsiOtherThanIngressReplication_Ignored) {
  wire::InclusiveMulticast r{rd("10.255.0.2:3"), 0, ip("10.255.0.2")};
  auto a = imet_attrs("10.255.0.2", 100, "65000:100");
  a.pmsi_tunnel->tunnel_type = 3;  // PIM-SSM tree
  Output o = svc.on_remote_route(r, a, ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kRouteIgnored), 1u);
}

TEST_F(ImportTest, OwnVtep_Ignored) {
  wire::InclusiveMulticast r{rd("10.255.0.1:3"), 0, ip("10.255.0.1")};
  Output o = svc.on_remote_route(r, imet_attrs("10.255.0.1", 100, "65000:100"), ip("10.255.0.1"), true, t0());
  EXPECT_TRUE(o.intents.empty());
  EXPECT_EQ(svc.counters().own_vtep_ignored, 1u);
}

TEST_F(ImportTest, RtChangedOnReadvertisement_MovesBetweenVnis) {
  RemoteMacIp s{};
  remote(s);
  s.rts = {"65000:200"};
  s.l2vni = 200;  // the VNI travels with the RT (RFC 8365 §5.1.3; a mismatch is not imported)
  Output o = remote(s);
  ASSERT_EQ(dels<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(dels<dataplane::RemoteMac>(o)[0].vni, 100u);
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vni, 200u);
  s.rts = {"65000:999"};
  Output gone = remote(s);
  EXPECT_EQ(dels<dataplane::RemoteMac>(gone).size(), 1u);
  EXPECT_TRUE(svc.mac_views().empty());
}

TEST_F(ImportTest, TwoVtepsSameMac_HigherSeqInstalledThenFallback) {
  remote({.vtep = "10.255.0.2", .rd = "10.255.0.2:3", .seq = 1});
  Output o = remote({.vtep = "10.255.0.3", .rd = "10.255.0.3:3", .seq = 2});
  ASSERT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(o)[0].vtep, ip("10.255.0.3"));
  Output back = remote({.vtep = "10.255.0.3", .rd = "10.255.0.3:3", .seq = 2}, false);
  ASSERT_EQ(adds<dataplane::RemoteMac>(back).size(), 1u);
  EXPECT_EQ(adds<dataplane::RemoteMac>(back)[0].vtep, ip("10.255.0.2"));
}

TEST_F(ImportTest, LocalNeighbour_SuppressesRemoteNeighbourAndHostRoute) {
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "p1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.10"), mac("02:00:00:00:01:10"), t0());
  // A stale remote claim for the same IP by another MAC.
  Output o = remote({.mac = "02:00:00:00:01:99", .ip = "192.168.100.10", .rts = {"65000:100", "65000:5000"},
                     .rmac = "02:00:0a:ff:00:02"});
  EXPECT_EQ(adds<dataplane::RemoteMac>(o).size(), 1u);
  EXPECT_TRUE(adds<dataplane::RemoteNeighbour>(o).empty());
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  // The local neighbour goes: the remote binding becomes usable.
  Output w = svc.on_local_neigh_removed(100, ip("192.168.100.10"), t0());
  EXPECT_EQ(adds<dataplane::RemoteNeighbour>(w).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(w).size(), 1u);
}

TEST_F(ImportTest, UnsupportedTypes_Ignored) {
  wire::EthernetSegment es{rd("10.255.0.2:1"), Esi{}, ip("10.255.0.2")};
  Output o = svc.on_remote_route(es, type2_attrs({}), ip("10.255.0.2"), true, t0());
  EXPECT_TRUE(o.empty());
  EXPECT_EQ(svc.counters().unsupported_ignored, 1u);
}

}  // namespace
}  // namespace evpnd::evpn::test

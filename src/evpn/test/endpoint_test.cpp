// Local endpoints announced through the API (issue 11; EvpnService::add_endpoint/remove_endpoint,
// MacVrf pins): advertised at once, pinned through aging, MAC mobility (RFC 7432 §15), replaced
// IP sets, removal that keeps what the bridge still has learned.
#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

constexpr const char* kPod = "02:00:00:00:0a:05";
constexpr const char* kPort = "veth0a05";

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { svc.start(); }
  Output add(std::vector<const char*> ips, const char* m = kPod, const char* port = kPort) {
    std::vector<IpAddress> v;
    for (const char* s : ips) v.push_back(ip(s));
    auto r = svc.add_endpoint(100, mac(m), v, port, now);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : Output{};
  }
  Output remove(const char* m = kPod) {
    auto r = svc.remove_endpoint(100, mac(m), now);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : Output{};
  }
  Output remote(uint32_t seq, bool add = true, bool sticky = false, const char* ipv = nullptr) {
    RemoteMacIp s{.mac = kPod, .ip = ipv, .seq = seq, .sticky = sticky};
    return svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), add, now);
  }
  // The type-2 routes of `o` with `op`: "mac" or the IP of a MAC+IP route.
  static std::set<std::string> t2(const Output& o, RouteOp op) {
    std::set<std::string> out;
    for (const auto& r : routes_of(o, op)) {
      const auto* m = std::get_if<wire::MacIpAdvertisement>(&r.route);
      if (m) out.insert(m->ip.empty() ? "mac" : m->ip.to_string());
    }
    return out;
  }
  MacView view(const char* m = kPod) {
    auto v = svc.mac_vrf(100)->mac_view(mac(m));
    EXPECT_TRUE(v);
    return v.value_or(MacView{});
  }
  EvpnService svc{lab_config()};
  Time now = t0();
};

using Set = std::set<std::string>;

TEST_F(EndpointTest, Add_AdvertisesMacAndMacIpAtOnceWithVnisAndRouterMac) {
  Output o = add({"192.168.100.5"});
  EXPECT_EQ(t2(o, RouteOp::kAdvertise), (Set{"mac", "192.168.100.5"}));
  for (const auto& r : advertised(o)) {
    const auto& m = std::get<wire::MacIpAdvertisement>(r.route);
    EXPECT_EQ(m.mac, mac(kPod));
    EXPECT_EQ(m.label1, 100u);
    EXPECT_EQ(r.next_hop, ip("10.255.0.1"));
    std::optional<Mac> rmac;
    for (const auto& ec : r.attrs.ext_communities)
      if (auto x = ec.as_router_mac()) rmac = x;
    if (m.ip.empty()) {
      EXPECT_FALSE(rmac);  // MAC-only: no L3 part (RFC 9135 §5.1)
    } else {
      EXPECT_EQ(m.label2, 5000u);  // symmetric IRB: the L3VNI and the Router's MAC
      EXPECT_EQ(rmac, mac("02:00:0a:ff:00:01"));
    }
  }
  const MacView v = view();
  EXPECT_EQ(v.origin, EntryOrigin::kLocal);
  EXPECT_EQ(v.port, kPort);
  EXPECT_TRUE(v.endpoint);
  EXPECT_EQ(v.ips, std::vector<IpAddress>{ip("192.168.100.5")});
  EXPECT_EQ(svc.mac_vrf(100)->endpoint_count(), 1u);
  EXPECT_EQ(svc.vni_views().at(0).endpoints, 1u);
  // A repeated identical add changes nothing.
  EXPECT_TRUE(add({"192.168.100.5"}).routes.empty());
}

TEST_F(EndpointTest, AgingAndNeighbourRemoval_PinnedNotWithdrawn_Counted) {
  add({"192.168.100.5"});
  svc.on_local_mac(100, mac(kPod), kPort, false, now);  // the pod talks: the bridge learns it
  svc.on_local_neigh(100, ip("192.168.100.5"), mac(kPod), now);
  Output aged = svc.on_local_mac_removed(100, mac(kPod), now);
  EXPECT_TRUE(aged.routes.empty());
  Output gone = svc.on_local_neigh_removed(100, ip("192.168.100.5"), now);
  EXPECT_TRUE(gone.routes.empty());
  EXPECT_TRUE(dels<dataplane::VrfRoute>(gone).empty());
  EXPECT_EQ(svc.mac_vrf(100)->counters().endpoint_holds, 2u);
  EXPECT_EQ(view().origin, EntryOrigin::kLocal);
  // The same events for a learned host that is no endpoint withdraw it (the control).
  svc.on_local_mac(100, mac("02:00:00:00:0a:06"), "veth0a06", false, now);
  EXPECT_EQ(t2(svc.on_local_mac_removed(100, mac("02:00:00:00:0a:06"), now), RouteOp::kWithdraw), (Set{"mac"}));
}

TEST_F(EndpointTest, AgingOnAnotherPort_EndpointPortBack) {
  add({});
  svc.on_local_mac(100, mac(kPod), "other", false, now);
  EXPECT_EQ(view().port, "other");  // learned: the bridge's port is the truth
  svc.on_local_mac_removed(100, mac(kPod), now);
  EXPECT_EQ(view().port, kPort);
}

TEST_F(EndpointTest, RemoteKnownFirst_AdvertisedWithSequenceAboveIt) {
  remote(3);
  Output o = add({"192.168.100.5"});
  ASSERT_EQ(advertised(o).size(), 2u);
  for (const auto& r : advertised(o)) EXPECT_EQ(mobility(r.attrs)->sequence, 4u);  // RFC 7432 §15
  EXPECT_EQ(dels<dataplane::RemoteMac>(o).size(), 1u);  // the remote entry goes: the pod is here
  EXPECT_EQ(svc.mac_vrf(100)->counters().moves, 1u);
}

TEST_F(EndpointTest, RemoteWinsLater_DisplacedThenReadvertisedWhenRemoteGone) {
  add({"192.168.100.5"});
  Output away = remote(1);  // the pod moved (e.g. a VM migrated): not sticky, §15 applies
  EXPECT_EQ(t2(away, RouteOp::kWithdraw), (Set{"mac", "192.168.100.5"}));
  EXPECT_EQ(adds<dataplane::RemoteMac>(away).size(), 1u);
  const MacView v = view();
  EXPECT_EQ(v.origin, EntryOrigin::kRemote);
  EXPECT_TRUE(v.endpoint);  // displaced, still an endpoint until DELETE
  Output back = remote(1, false);
  EXPECT_EQ(t2(back, RouteOp::kAdvertise), (Set{"mac", "192.168.100.5"}));
  for (const auto& r : advertised(back)) EXPECT_EQ(mobility(r.attrs)->sequence, 2u);
  EXPECT_EQ(view().origin, EntryOrigin::kLocal);
}

TEST_F(EndpointTest, StickyRemote_NotTakenOver) {
  remote(0, true, true);
  Output o = add({});
  EXPECT_TRUE(o.routes.empty());
  EXPECT_EQ(count_notices(o, NoticeKind::kStickyConflict), 1u);
  EXPECT_TRUE(view().endpoint);
  EXPECT_EQ(view().origin, EntryOrigin::kRemote);
}

TEST_F(EndpointTest, RepeatedAdd_ReplacesIpSet) {
  add({"192.168.100.5", "192.168.100.6"});
  Output o = add({"192.168.100.6", "2001:db8::5"});
  EXPECT_EQ(t2(o, RouteOp::kWithdraw), (Set{"192.168.100.5"}));
  EXPECT_EQ(t2(o, RouteOp::kAdvertise), (Set{"2001:db8::5"}));
  const auto ips = view().ips;
  EXPECT_EQ(std::set<IpAddress>(ips.begin(), ips.end()), (std::set<IpAddress>{ip("192.168.100.6"), ip("2001:db8::5")}));
  EXPECT_EQ(svc.mac_vrf(100)->endpoint_count(), 1u);
}

TEST_F(EndpointTest, Remove_WithdrawsEverythingNotLearned) {
  add({"192.168.100.5"});
  Output o = remove();
  EXPECT_EQ(t2(o, RouteOp::kWithdraw), (Set{"mac", "192.168.100.5"}));
  ASSERT_EQ(withdrawn(o).size(), 2u);
  // The MAC+IP route goes before the MAC-only one.
  EXPECT_FALSE(std::get<wire::MacIpAdvertisement>(withdrawn(o)[0].route).ip.empty());
  EXPECT_FALSE(svc.mac_vrf(100)->mac_view(mac(kPod)));
  EXPECT_EQ(svc.mac_vrf(100)->endpoint_count(), 0u);
  EXPECT_TRUE(remove().routes.empty());  // idempotent
}

TEST_F(EndpointTest, Remove_BridgeStillHasMacLearned_MacStaysAdvertised) {
  add({"192.168.100.5", "192.168.100.6"});
  svc.on_local_mac(100, mac(kPod), kPort, false, now);
  svc.on_local_neigh(100, ip("192.168.100.6"), mac(kPod), now);
  Output o = remove();
  EXPECT_EQ(t2(o, RouteOp::kWithdraw), (Set{"192.168.100.5"}));  // only what nothing else holds
  EXPECT_FALSE(view().endpoint);
  EXPECT_EQ(view().ips, std::vector<IpAddress>{ip("192.168.100.6")});
  // Learned only now: the next aging withdraws it.
  EXPECT_EQ(t2(svc.on_local_mac_removed(100, mac(kPod), now), RouteOp::kWithdraw), (Set{"mac", "192.168.100.6"}));
}

TEST_F(EndpointTest, PinnedIpLearnedOnOtherMac_LatestClaimThenBackToPin) {
  add({"192.168.100.5"});
  const char* other = "02:00:00:00:0a:06";
  svc.on_local_mac(100, mac(other), "veth0a06", false, now);
  svc.on_local_neigh(100, ip("192.168.100.5"), mac(other), now);
  EXPECT_EQ(svc.mac_vrf(100)->mac_view(mac(other))->ips, std::vector<IpAddress>{ip("192.168.100.5")});
  EXPECT_TRUE(view().ips.empty());
  svc.on_local_neigh_removed(100, ip("192.168.100.5"), now);
  EXPECT_EQ(view().ips, std::vector<IpAddress>{ip("192.168.100.5")});
}

TEST_F(EndpointTest, LocalHostInIpVrf_HidesRemoteHostRouteUntilRemoved) {
  add({"192.168.100.5"});
  // Another VTEP claims the IP with another MAC: the local endpoint keeps the host local.
  RemoteMacIp s{.mac = "02:00:00:00:0b:01", .ip = "192.168.100.5", .rts = {"65000:100", "65000:5000"},
                .rmac = "02:00:0a:ff:00:02"};
  Output o = svc.on_remote_route(type2(s), type2_attrs(s), ip("10.255.0.2"), true, now);
  EXPECT_TRUE(adds<dataplane::VrfRoute>(o).empty());
  // The endpoint goes: the remote host route is used now.
  Output r = remove();
  ASSERT_EQ(adds<dataplane::VrfRoute>(r).size(), 1u);
  EXPECT_EQ(adds<dataplane::VrfRoute>(r)[0].prefix, pfx("192.168.100.5/32"));
}

TEST_F(EndpointTest, Errors_UnknownVniGatewayMacIpOfAnotherEndpoint) {
  auto unknown = svc.add_endpoint(777, mac(kPod), {}, kPort, now);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("777"), std::string::npos);
  EXPECT_FALSE(svc.remove_endpoint(777, mac(kPod), now));
  EXPECT_FALSE(svc.add_endpoint(100, mac("02:00:5e:00:01:01"), {}, kPort, now));  // anycast gateway
  add({"192.168.100.5"});
  auto taken = svc.add_endpoint(100, mac("02:00:00:00:0a:06"), {ip("192.168.100.5")}, "veth0a06", now);
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().find(kPod), std::string::npos);
  EXPECT_FALSE(svc.mac_vrf(100)->is_endpoint(mac("02:00:00:00:0a:06")));  // nothing changed
}

}  // namespace
}  // namespace evpnd::evpn::test

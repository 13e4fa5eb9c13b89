// Kernel tests of VRF routes via BGP CEs (VrfRoute local, issue 10): `<prefix> via <ce> proto
// bgp metric 20` in the tenant namespace, resolved by the kernel through the SVI subnet (no
// onlink, no brL3), recognised as ours and as local by dump(), reconcile and drift reports.
// Root only, in evt-dp-<pid>-* namespaces (netns_fixture.hpp); the vrf-device backend (table N)
// cannot be tested here: the test kernel has no CONFIG_NET_VRF.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>

#include <cerrno>
#include <chrono>

#include "dataplane/linux/linux_dataplane.hpp"
#include "netns_fixture.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;
using nlohmann::json;

json routes_of(const TestNetns& n, const std::string& args) {
  std::string out;
  n.ip("-j " + args, &out);
  return out.empty() ? json::array() : json::parse(out);
}

bool has_flag(const json& route, const std::string& flag) {
  for (const auto& f : route.value("flags", json::array()))
    if (f == flag) return true;
  return false;
}

// The FRR lab's leaf1 with its tenant in a namespace: L3VNI 5000, L2VNI 100 with SVI
// 192.168.100.1/24 and 2001:db8:100::1/64 (the CEs' subnet).
struct CeFabric {
  TestNetns u{"u"}, t{"t"};
  std::unique_ptr<LinuxDataplane> dp;
  std::vector<Intent> base;

  bool up() {
    if (!u.ok() || !t.ok() || u.ip("addr add 10.255.0.1/32 dev lo") != 0) return false;
    LinuxDataplaneOptions o;
    o.underlay_netns = u.name();
    auto d = LinuxDataplane::open(o);
    if (!d) return false;
    dp = std::move(*d);
    base = {Intent::add(l3vni(5000, t.name())), Intent::add(l2vni(100, t.name())),
            Intent::add(SviAddress{100, ip("192.168.100.1"), 24}), Intent::add(SviAddress{100, ip("2001:db8:100::1"), 64})};
    return dp->apply(base).ok();
  }
};

std::vector<DataplaneEvent> wait_for(LinuxDataplane& dp, const std::function<bool(const DataplaneEvent&)>& want) {
  std::vector<DataplaneEvent> all;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < until) {
    std::vector<pollfd> pfds;
    for (int fd : dp.event_fds()) pfds.push_back({fd, POLLIN, 0});
    poll(pfds.data(), pfds.size(), 100);
    const size_t before = all.size();
    dp.poll_events(all);
    for (size_t i = before; i < all.size(); ++i)
      if (want(all[i])) return all;
  }
  return all;
}

TEST(LinuxDataplaneKernel_VrfCeRoute, ViaCe_PlainGatewayDumpedAsLocalAndReconciled) {
  REQUIRE_ROOT();
  CeFabric f;
  ASSERT_TRUE(f.up());
  const VrfRoute pods{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, true};
  const VrfRoute pods6{5000, pfx("2001:db8:244::/64"), {ip("2001:db8:100::11")}, 20, true};
  auto r = f.dp->apply(std::vector{Intent::add(pods), Intent::add(pods6)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;

  auto v4 = routes_of(f.t, "route show proto bgp");
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0]["dst"], "10.244.1.0/26");
  EXPECT_EQ(v4[0]["gateway"], "192.168.100.11");
  EXPECT_EQ(v4[0]["dev"], "br100");  // resolved by the kernel through the SVI subnet
  EXPECT_EQ(v4[0]["metric"], 20);
  EXPECT_FALSE(has_flag(v4[0], "onlink"));
  auto v6 = routes_of(f.t, "-6 route show proto bgp");
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0]["gateway"], "2001:db8:100::11");

  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->routes.size(), 2u);
  for (const auto& rt : st->routes) EXPECT_TRUE(rt == pods || rt == pods6) << rt.prefix.to_string();
  // Start-up reconcile with the same desire: nothing to do (ours, and local as wanted).
  std::vector<Intent> desired = f.base;
  desired.push_back(Intent::add(pods));
  desired.push_back(Intent::add(pods6));
  auto rep = f.dp->reconcile(desired);
  EXPECT_EQ(rep.added + rep.removed, 0u) << (rep.errors.empty() ? "" : rep.errors[0].message);

  // The CE's next hop changes: replaced in place.
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("192.168.100.12")}, 20, true})})
                  .ok());
  v4 = routes_of(f.t, "route show proto bgp");
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0]["gateway"], "192.168.100.12");

  // Withdrawn: deleted.
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::del(VrfRoute{5000, pfx("10.244.1.0/26"), {}, 20, true}),
                                      Intent::del(pods6)})
                  .ok());
  EXPECT_TRUE(routes_of(f.t, "route show proto bgp").empty());
  EXPECT_TRUE(routes_of(f.t, "-6 route show proto bgp").empty());
}

TEST(LinuxDataplaneKernel_VrfCeRoute, DeletedBehindOurBack_ReportedAsLocalRoute) {
  REQUIRE_ROOT();
  CeFabric f;
  ASSERT_TRUE(f.up());
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(VrfRoute{5000, pfx("203.0.113.10/32"), {ip("192.168.100.11")}, 20, true})})
                  .ok());
  std::vector<DataplaneEvent> ignore;
  f.dp->poll_events(ignore);
  ASSERT_EQ(f.t.ip("route del 203.0.113.10/32 proto bgp"), 0);
  auto is_drift = [](const DataplaneEvent& e) {
    auto* o = std::get_if<OwnedEntryRemoved>(&e);
    auto* rt = o ? std::get_if<VrfRoute>(&o->object) : nullptr;
    return rt && rt->l3vni == 5000 && rt->prefix == pfx("203.0.113.10/32") && rt->local;
  };
  auto ev = wait_for(*f.dp, is_drift);
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), is_drift));
}

TEST(LinuxDataplaneKernel_VrfCeRoute, RouteViaVtepsReplacedByCeRouteAndBack) {
  REQUIRE_ROOT();
  CeFabric f;
  ASSERT_TRUE(f.up());
  const VrfRoute remote{5000, pfx("10.244.1.0/26"), {ip("10.255.0.2")}, 20, false};
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}),
                                      Intent::add(remote)})
                  .ok());
  // The EVPN order (ip_vrf_bgp.cpp): the route via the VTEP goes, then the one via the CE comes.
  auto r = f.dp->apply(std::vector{Intent::del(remote),
                                   Intent::add(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("192.168.100.11")}, 20, true})});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  auto v4 = routes_of(f.t, "route show proto bgp");
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0]["gateway"], "192.168.100.11");
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->routes.size(), 1u);
  EXPECT_TRUE(st->routes[0].local);
  r = f.dp->apply(std::vector{Intent::del(VrfRoute{5000, pfx("10.244.1.0/26"), {}, 20, true}), Intent::add(remote)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  st = f.dp->dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->routes.size(), 1u);
  EXPECT_EQ(st->routes[0], remote);  // onlink via brL3: not local
}

TEST(LinuxDataplaneKernel_VrfCeRoute, CeOutsideEveryConnectedSubnet_ErrorReported) {
  // The kernel cannot resolve the gateway: a visible error (the daemon's retry queue retries).
  REQUIRE_ROOT();
  CeFabric f;
  ASSERT_TRUE(f.up());
  auto r = f.dp->apply(std::vector{Intent::add(VrfRoute{5000, pfx("10.244.1.0/26"), {ip("172.16.0.1")}, 20, true})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].error, ENETUNREACH) << r.errors[0].message;
  auto mixed = f.dp->apply(
      std::vector{Intent::add(VrfRoute{5000, pfx("2001:db8:244::/64"), {ip("192.168.100.11")}, 20, true})});
  ASSERT_EQ(mixed.errors.size(), 1u);
  EXPECT_EQ(mixed.errors[0].error, EAFNOSUPPORT);
}

}  // namespace
}  // namespace evpnd::dataplane

// MacVrf's paged views (the API streams the MAC and neighbour tables with them): resuming after
// a key lists each entry once, in key order, also when entries come and go between batches.
#include <algorithm>
#include <cstdio>

#include "evpn/test/evpn_test_support.hpp"

namespace evpnd::evpn::test {
namespace {

Mac nth_mac(int i) {
  char text[18];
  std::snprintf(text, sizeof text, "02:00:00:00:02:%02x", i);
  return mac(text);
}

TEST(PagedViews, MacsAfterKey_EachOnceInOrderAcrossChanges) {
  EvpnService svc(lab_config());
  svc.start();
  for (int i = 0; i < 40; ++i) svc.on_local_mac(100, nth_mac(i), "h", false, t0());
  const MacVrf* vrf = svc.mac_vrf(100);
  ASSERT_NE(vrf, nullptr);
  std::vector<Mac> seen;
  std::optional<Mac> after;
  auto page = vrf->mac_views_after(after, 15);
  ASSERT_EQ(page.size(), 15u);
  for (auto& v : page) seen.push_back(v.mac);
  after = page.back().mac;
  // Between batches: one listed MAC and one not yet listed go, a new one arrives.
  svc.on_local_mac_removed(100, nth_mac(3), t0());
  svc.on_local_mac_removed(100, nth_mac(30), t0());
  svc.on_local_mac(100, nth_mac(50), "h", false, t0());
  for (;;) {
    page = vrf->mac_views_after(after, 15);
    if (page.empty()) break;
    for (auto& v : page) seen.push_back(v.mac);
    after = page.back().mac;
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // no repeats
  EXPECT_EQ(std::count(seen.begin(), seen.end(), nth_mac(30)), 0);      // gone before its turn
  EXPECT_EQ(std::count(seen.begin(), seen.end(), nth_mac(50)), 1);      // arrived after the cursor
  EXPECT_EQ(seen.size(), 40u);  // 40 - 1 not yet listed + 1 new; the listed one stays listed
  EXPECT_EQ(vrf->mac_views().size(), 39u);
  ASSERT_TRUE(vrf->mac_view(nth_mac(50)));
  EXPECT_FALSE(vrf->mac_view(nth_mac(30)));
}

TEST(PagedViews, NeighboursAfterKey_LocalThenRemote) {
  EvpnService svc(lab_config());
  svc.start();
  svc.on_local_mac(100, mac("02:00:00:00:01:10"), "h1", false, t0());
  svc.on_local_neigh(100, ip("192.168.100.12"), mac("02:00:00:00:01:10"), t0());
  svc.on_local_neigh(100, ip("192.168.100.11"), mac("02:00:00:00:01:10"), t0());
  RemoteMacIp remote;
  remote.ip = "192.168.100.20";
  svc.on_remote_route(type2(remote), type2_attrs(remote), ip("10.255.0.2"), true, t0());
  const MacVrf* vrf = svc.mac_vrf(100);
  const auto all = vrf->neigh_views();
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[0].ip, ip("192.168.100.11"));
  EXPECT_EQ(all.back().origin, EntryOrigin::kRemote);
  // One at a time, resuming by (remote, ip), gives the same list.
  std::vector<NeighView> walked;
  std::optional<std::pair<bool, IpAddress>> after;
  for (auto b = vrf->neigh_views_after(after, 1); !b.empty(); b = vrf->neigh_views_after(after, 1)) {
    walked.push_back(b[0]);
    after = std::make_pair(b[0].origin == EntryOrigin::kRemote, b[0].ip);
  }
  EXPECT_EQ(walked, all);
}

}  // namespace
}  // namespace evpnd::evpn::test

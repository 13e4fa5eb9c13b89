#include <gtest/gtest.h>

#include <map>
#include <random>

#include "bgp/attr_table.hpp"
#include "bgp/route_table.hpp"
#include "test_util.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

TEST(RouteTable, RandomInsertErase_MatchesReferenceMap) {
  RouteTable t;
  std::map<uint32_t, DestId> ref;
  std::mt19937 rng(7);
  for (int step = 0; step < 200000; ++step) {
    const uint32_t k = rng() % 5000;
    const auto r = type2(k);
    if (rng() % 3) {
      bool created = false;
      const DestId id = t.find_or_create(r, &created);
      EXPECT_EQ(created, !ref.count(k));
      if (!created) {
        EXPECT_EQ(id, ref[k]);
      }
      ref[k] = id;
    } else if (auto it = ref.find(k); it != ref.end()) {
      t.erase(it->second);
      ref.erase(it);
    } else {
      EXPECT_EQ(t.find(r), kNoDest);
    }
  }
  EXPECT_EQ(t.size(), ref.size());
  for (const auto& [k, id] : ref) EXPECT_EQ(t.find(type2(k)), id);
}

TEST(RouteTable, KeyEquality_AgreesWithWireRouteKey) {
  // Same key, different labels/ESI: one Dest (RFC 7432 §7.2). Different IP: two.
  auto a = type2(1, "10.0.0.1:2", 100), b = type2(1, "10.0.0.1:2", 200);
  std::get<wire::MacIpAdvertisement>(b).esi = *Esi::parse("00:11:22:33:44:55:66:77:88:99");
  auto c = type2(1, "10.0.0.1:3");
  auto d = type2(2);
  std::vector<wire::EvpnRoute> all{a, b, c, d};
  wire::IpPrefixRoute p5;
  p5.rd = *Rd::parse("1:1");
  p5.prefix = *IpPrefix::parse("10.0.0.0/24");
  p5.label = 5000;
  all.push_back(p5);
  p5.label = 6000;
  p5.gateway = ip("10.0.0.1");
  all.push_back(p5);
  p5.prefix = *IpPrefix::parse("10.0.0.0/25");
  all.push_back(p5);
  for (const auto& x : all)
    for (const auto& y : all) {
      EXPECT_EQ(key_equal(x, y), wire::route_key(x) == wire::route_key(y)) << wire::to_string(x) << " vs " << wire::to_string(y);
      if (key_equal(x, y)) {
        EXPECT_EQ(key_hash(x), key_hash(y));
      }
    }
}

TEST(AttrTable, EqualAttributes_SharedOnce) {
  AttrTable t;
  auto a = attrs(t, ibgp_attrs(100));
  auto b = attrs(t, ibgp_attrs(100));
  auto c = attrs(t, ibgp_attrs(200));
  auto d = attrs(t, ibgp_attrs(100), "10.0.0.2");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_NE(a.get(), d.get());  // the next hop is part of the interned value
}

}  // namespace
}  // namespace evpnd::bgp

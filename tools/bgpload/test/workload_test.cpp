#include <gtest/gtest.h>

#include "wire/message.hpp"
#include "workload.hpp"

using namespace bgpload;
namespace w = evpnd::wire;

TEST(Workload, EveryRoute_IndexRecovered) {
  Workload wl{.mix = RouteMix::kMix, .routes = 5000, .groups = 37, .asn = 65000,
              .next_hop = *evpnd::IpAddress::parse("127.0.0.2"), .max_message = 4096};
  for (uint32_t i = 0; i < wl.routes; ++i) {
    auto idx = route_index(make_route(wl, i));
    ASSERT_TRUE(idx) << i;
    EXPECT_EQ(*idx, i);
  }
}

TEST(Workload, Announcements_DecodeToEveryRouteOnce) {
  for (auto mix : {RouteMix::kType2, RouteMix::kType3, RouteMix::kType5, RouteMix::kMix}) {
    Workload wl{.mix = mix, .routes = 3000, .groups = 7, .asn = 65000,
                .next_hop = *evpnd::IpAddress::parse("127.0.0.2"), .max_message = 4096};
    auto enc = encode_announcements(wl);
    std::vector<int> seen(wl.routes, 0);
    uint64_t updates = 0;
    for (auto& chunk : enc.chunks) {
      evpnd::ByteView rest(chunk);
      while (!rest.empty()) {
        auto len = w::peek_header(rest, w::DecodeContext{});
        ASSERT_TRUE(len);
        ASSERT_LE(*len, 4096u);
        auto msg = w::decode_message(rest.first(*len), w::DecodeContext{});
        ASSERT_TRUE(msg);
        auto& u = std::get<w::Update>(*msg);
        EXPECT_TRUE(u.errors.empty());
        ASSERT_TRUE(u.mp_reach);
        for (auto& r : u.mp_reach->evpn) seen[*route_index(r)]++;
        rest = rest.subspan(*len);
        ++updates;
      }
    }
    EXPECT_EQ(updates, enc.updates);
    for (uint32_t i = 0; i < wl.routes; ++i) ASSERT_EQ(seen[i], 1) << i;
    // Packing: far fewer UPDATEs than routes.
    EXPECT_LT(enc.updates * 20, wl.routes);
  }
}

TEST(Workload, Withdrawals_CarryOnlyMpUnreach) {
  Workload wl{.mix = RouteMix::kType2, .routes = 500, .groups = 5, .asn = 65000,
              .next_hop = *evpnd::IpAddress::parse("127.0.0.2"), .max_message = 4096};
  auto enc = encode_withdrawals(wl);
  ASSERT_FALSE(enc.chunks.empty());
  auto len = w::peek_header(enc.chunks[0], w::DecodeContext{});
  auto msg = w::decode_message(evpnd::ByteView(enc.chunks[0]).first(*len), w::DecodeContext{});
  ASSERT_TRUE(msg);
  auto& u = std::get<w::Update>(*msg);
  EXPECT_FALSE(u.mp_reach);
  ASSERT_TRUE(u.mp_unreach);
  EXPECT_FALSE(u.mp_unreach->evpn.empty());
}

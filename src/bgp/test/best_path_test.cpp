#include <gtest/gtest.h>

#include "bgp/best_path.hpp"
#include "test_util.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

class BestPath : public ::testing::Test {
 protected:
  Path path(wire::PathAttributes a, PeerId peer = 1) { return Path{type2(1), attrs(table_, std::move(a)), peer, 0}; }
  BestReason compare(const Path& a, const Path& b, int expect) {
    BestReason why{};
    EXPECT_EQ(compare_paths(a, fa_, b, fb_, &why) < 0 ? -1 : compare_paths(a, fa_, b, fb_) > 0 ? 1 : 0, expect);
    // Symmetry: swapping the arguments flips the result.
    EXPECT_EQ(compare_paths(b, fb_, a, fa_) < 0 ? -1 : compare_paths(b, fb_, a, fa_) > 0 ? 1 : 0, -expect);
    return why;
  }
  AttrTable table_;
  PeerFacts fa_{false, false, ip("10.0.0.1"), ip("192.0.2.1")};
  PeerFacts fb_{false, false, ip("10.0.0.2"), ip("192.0.2.2")};
};

TEST_F(BestPath, LocalOrigin_WinsOverHigherLocalPref) {
  fa_.local = true;
  EXPECT_EQ(compare(path(ibgp_attrs(100)), path(ibgp_attrs(200)), -1), BestReason::kLocalOrigin);
}

TEST_F(BestPath, MacMobility_HigherSequenceWins) {
  auto a = ibgp_attrs(), b = ibgp_attrs(200);
  a.ext_communities.push_back(wire::ExtCommunity::mac_mobility(5, false));
  b.ext_communities.push_back(wire::ExtCommunity::mac_mobility(4, false));
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kMacMobility);
}

// RFC 7432 §15 wraparound: 0 follows 0xFFFFFFFF (serial number order, RFC 1982 §3.2).
TEST_F(BestPath, MacMobility_SequenceWrap_ZeroBeatsMax) {
  auto a = ibgp_attrs(), b = ibgp_attrs(200);
  a.ext_communities.push_back(wire::ExtCommunity::mac_mobility(0, false));
  b.ext_communities.push_back(wire::ExtCommunity::mac_mobility(0xFFFFFFFFu, false));
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kMacMobility);
}

TEST_F(BestPath, MacMobility_StickyWins) {
  auto a = ibgp_attrs(), b = ibgp_attrs();
  a.ext_communities.push_back(wire::ExtCommunity::mac_mobility(0, true));
  b.ext_communities.push_back(wire::ExtCommunity::mac_mobility(9, false));
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kMacMobility);
}

TEST_F(BestPath, LocalPref_HigherWins) {
  EXPECT_EQ(compare(path(ibgp_attrs(200)), path(ibgp_attrs(100)), -1), BestReason::kLocalPref);
}

TEST_F(BestPath, AbsentLocalPref_CountsAs100) {
  auto a = ibgp_attrs();
  a.local_pref.reset();
  EXPECT_EQ(compare(path(a), path(ibgp_attrs(101)), 1), BestReason::kLocalPref);
}

TEST_F(BestPath, AsPath_ShorterWins_SetCountsOne) {
  auto a = ibgp_attrs(), b = ibgp_attrs();
  a.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}, {wire::AsPathSegment::Type::kSet, {1, 2, 3}}};
  b.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001, 65002, 65003}}};
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kAsPathLength);
}

TEST_F(BestPath, Origin_IgpBeatsIncomplete) {
  auto a = ibgp_attrs(), b = ibgp_attrs();
  b.origin = wire::Origin::kIncomplete;
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kOrigin);
}

TEST_F(BestPath, Med_LowerWinsForSameNeighbourAs) {
  auto a = ibgp_attrs(), b = ibgp_attrs();
  a.as_path = b.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}};
  a.med = 10;
  b.med = 5;
  EXPECT_EQ(compare(path(a), path(b), 1), BestReason::kMed);
}

TEST_F(BestPath, Med_IgnoredForDifferentNeighbourAs) {
  auto a = ibgp_attrs(), b = ibgp_attrs();
  a.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}};
  b.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65002}}};
  a.med = 10;
  b.med = 5;
  EXPECT_EQ(compare(path(a), path(b), -1), BestReason::kRouterId);  // falls through to router id
}

TEST_F(BestPath, Ebgp_BeatsIbgp) {
  fb_.ebgp = true;
  EXPECT_EQ(compare(path(ibgp_attrs()), path(ibgp_attrs()), 1), BestReason::kEbgpOverIbgp);
}

TEST_F(BestPath, RouterId_LowerWins) {
  EXPECT_EQ(compare(path(ibgp_attrs()), path(ibgp_attrs()), -1), BestReason::kRouterId);
}

TEST_F(BestPath, OriginatorId_ReplacesRouterId) {  // RFC 4456 §9
  auto a = ibgp_attrs();
  a.originator_id = ip("10.9.9.9");
  EXPECT_EQ(compare(path(a), path(ibgp_attrs()), 1), BestReason::kRouterId);
}

TEST_F(BestPath, ClusterList_ShorterWins) {
  fb_.router_id = fa_.router_id;
  auto a = ibgp_attrs(), b = ibgp_attrs();
  a.cluster_list = {ip("1.1.1.1"), ip("2.2.2.2")};
  b.cluster_list = {ip("1.1.1.1")};
  EXPECT_EQ(compare(path(a), path(b), 1), BestReason::kClusterListLength);
}

TEST_F(BestPath, PeerAddress_LowerWins) {
  fb_.router_id = fa_.router_id;
  EXPECT_EQ(compare(path(ibgp_attrs()), path(ibgp_attrs()), -1), BestReason::kPeerAddress);
}

TEST_F(BestPath, Stale_LosesToFresh) {
  Path a = path(ibgp_attrs(200));
  a.flags = path_flag::kStale;
  EXPECT_EQ(compare(a, path(ibgp_attrs(100)), 1), BestReason::kNotStale);
}

TEST_F(BestPath, SelectBest_SkipsTombstones) {
  Dest d;
  d.paths.push_back(path(ibgp_attrs(300), 1));
  d.paths.back().flags = path_flag::kWithdrawn;
  d.paths.push_back(path(ibgp_attrs(100), 2));
  d.paths.push_back(path(ibgp_attrs(200), 3));
  PeerFacts f{};
  f.router_id = ip("10.0.0.1");
  EXPECT_EQ(select_best(d, [&](PeerId) -> const PeerFacts& { return f; }), 2);
}

}  // namespace
}  // namespace evpnd::bgp

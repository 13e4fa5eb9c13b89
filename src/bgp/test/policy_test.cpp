#include <gtest/gtest.h>

#include "bgp/policy.hpp"
#include "test_util.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

SpeakerIdentity me() { return SpeakerIdentity{65000, ip("10.0.0.254"), ip("10.0.0.250")}; }

TEST(Policy, ReflectionRules_Rfc4456Section6) {
  using R = PeerRole;
  EXPECT_TRUE(may_advertise(R::kRrClient, R::kRrClient));
  EXPECT_TRUE(may_advertise(R::kRrClient, R::kIbgp));
  EXPECT_TRUE(may_advertise(R::kIbgp, R::kRrClient));
  EXPECT_FALSE(may_advertise(R::kIbgp, R::kIbgp));
  EXPECT_TRUE(may_advertise(R::kEbgp, R::kIbgp));
  EXPECT_TRUE(may_advertise(R::kLocal, R::kIbgp));
  EXPECT_TRUE(may_advertise(R::kIbgp, R::kEbgp));
}

TEST(Policy, ReflectToClient_SetsOriginatorAndPrependsCluster) {
  PathInfo in{ibgp_attrs(), ip("10.0.0.1"), 0};
  in.attrs.cluster_list = {ip("10.0.0.99")};
  auto out = transform_outbound(in, PeerRole::kRrClient, ip("10.0.0.1"), PeerRole::kRrClient, me());
  EXPECT_EQ(out.attrs.originator_id, ip("10.0.0.1"));
  EXPECT_EQ(out.attrs.cluster_list, (std::vector<IpAddress>{ip("10.0.0.250"), ip("10.0.0.99")}));
  EXPECT_EQ(out.next_hop, ip("10.0.0.1"));  // EVPN next hop unchanged
  EXPECT_EQ(out.attrs.local_pref, 100u);
}

TEST(Policy, ReflectExistingOriginator_Kept) {
  PathInfo in{ibgp_attrs(), ip("10.0.0.1"), 0};
  in.attrs.originator_id = ip("10.0.0.7");
  auto out = transform_outbound(in, PeerRole::kIbgp, ip("10.0.0.1"), PeerRole::kRrClient, me());
  EXPECT_EQ(out.attrs.originator_id, ip("10.0.0.7"));
}

TEST(Policy, LocalToIbgp_NoReflectionAttributes) {
  PathInfo in{wire::PathAttributes{}, ip("10.0.0.254"), 0};
  auto out = transform_outbound(in, PeerRole::kLocal, ip("10.0.0.254"), PeerRole::kIbgp, me());
  EXPECT_FALSE(out.attrs.originator_id);
  EXPECT_TRUE(out.attrs.cluster_list.empty());
  EXPECT_EQ(out.attrs.origin, wire::Origin::kIgp);
  EXPECT_EQ(out.attrs.local_pref, 100u);
}

TEST(Policy, ToEbgp_PrependsAsStripsIbgpAttributesKeepsNextHop) {
  PathInfo in{ibgp_attrs(), ip("10.0.0.1"), 0};
  in.attrs.originator_id = ip("10.0.0.1");
  in.attrs.cluster_list = {ip("10.0.0.250")};
  in.attrs.med = 5;
  in.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}};
  auto out = transform_outbound(in, PeerRole::kEbgp, ip("10.0.0.1"), PeerRole::kEbgp, me());
  EXPECT_EQ(out.attrs.as_path, (wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65000, 65001}}}));
  EXPECT_FALSE(out.attrs.local_pref);
  EXPECT_FALSE(out.attrs.originator_id);
  EXPECT_TRUE(out.attrs.cluster_list.empty());
  EXPECT_FALSE(out.attrs.med);
  EXPECT_EQ(out.next_hop, ip("10.0.0.1"));
}

TEST(Policy, ToEbgp_PathStartingWithSet_NewSequence) {
  PathInfo in{ibgp_attrs(), ip("10.0.0.1"), 0};
  in.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSet, {1, 2}}};
  auto out = transform_outbound(in, PeerRole::kLocal, ip("10.0.0.1"), PeerRole::kEbgp, me());
  ASSERT_EQ(out.attrs.as_path->size(), 2u);
  EXPECT_EQ(out.attrs.as_path->front().asns, std::vector<Asn>{65000});
}

TEST(Policy, Inbound_OriginatorIsUs_Rejected) {
  auto a = ibgp_attrs();
  a.originator_id = ip("10.0.0.254");
  EXPECT_EQ(check_inbound(a, PeerRole::kIbgp, 65000, me()), InboundVerdict::kOriginatorIsUs);
}

TEST(Policy, Inbound_OwnClusterInList_Rejected) {
  auto a = ibgp_attrs();
  a.cluster_list = {ip("1.1.1.1"), ip("10.0.0.250")};
  EXPECT_EQ(check_inbound(a, PeerRole::kRrClient, 65000, me()), InboundVerdict::kClusterLoop);
}

TEST(Policy, Inbound_EbgpOwnAsInPath_Rejected) {
  auto a = ibgp_attrs();
  a.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001, 65000}}};
  EXPECT_EQ(check_inbound(a, PeerRole::kEbgp, 65001, me()), InboundVerdict::kAsLoop);
}

TEST(Policy, Inbound_EbgpFirstAsNotPeer_Rejected) {
  auto a = ibgp_attrs();
  a.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65002}}};
  EXPECT_EQ(check_inbound(a, PeerRole::kEbgp, 65001, me()), InboundVerdict::kFirstAsMismatch);
  a.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {65001}}};
  EXPECT_EQ(check_inbound(a, PeerRole::kEbgp, 65001, me()), InboundVerdict::kAccept);
}

TEST(Policy, NormalizeFromEbgp_DropsLocalPref) {
  auto a = ibgp_attrs(300);
  normalize_inbound(a, PeerRole::kEbgp);
  EXPECT_FALSE(a.local_pref);
  auto b = ibgp_attrs(300);
  normalize_inbound(b, PeerRole::kIbgp);
  EXPECT_EQ(b.local_pref, 300u);
}

}  // namespace
}  // namespace evpnd::bgp

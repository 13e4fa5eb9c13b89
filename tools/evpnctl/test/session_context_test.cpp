// Per-direction decode contexts negotiated from the OPENs seen in a capture.
#include <gtest/gtest.h>

#include "evpnctl/session_context.hpp"

namespace evpnctl {
namespace {

using evpnd::wire::AddPathEntry;
using evpnd::wire::DecodeContext;
using evpnd::wire::Open;

const FlowKey kAtoB{Endpoint{evpnd::IpAddress::v4(0x0a000001), 179}, Endpoint{evpnd::IpAddress::v4(0x0a000002), 5000}};
const FlowKey kBtoA = kAtoB.reversed();

Open open_msg(bool four_octet, bool ext_msg, uint8_t add_path_evpn = 0, uint32_t asn = 65000) {
  Open o;
  o.my_as = uint16_t(asn);
  if (four_octet) o.caps.four_octet_as = asn;
  o.caps.extended_message = ext_msg;
  if (add_path_evpn != 0) o.caps.add_path.push_back(AddPathEntry{evpnd::kL2vpnEvpn, add_path_evpn});
  return o;
}

DecodeContext defaults(bool four_octet) {
  DecodeContext c;
  c.four_octet_as = four_octet;
  return c;
}

TEST(SessionContexts, NoOpenSeen_UsesDefaults) {
  SessionContexts s(defaults(false));
  EXPECT_FALSE(s.for_flow(kAtoB).four_octet_as);
  SessionContexts t(defaults(true));
  EXPECT_TRUE(t.for_flow(kAtoB).four_octet_as);
  EXPECT_FALSE(t.for_flow(kAtoB).extended_message);
}

TEST(SessionContexts, BothOpensWithCapabilities_BothDirectionsNegotiated) {
  SessionContexts s(defaults(false));
  s.on_open(kAtoB, open_msg(true, true));
  EXPECT_FALSE(s.for_flow(kBtoA).four_octet_as);  // only one side known: the default holds
  s.on_open(kBtoA, open_msg(true, true));
  EXPECT_TRUE(s.for_flow(kAtoB).four_octet_as);
  EXPECT_TRUE(s.for_flow(kBtoA).four_octet_as);
  EXPECT_TRUE(s.for_flow(kAtoB).extended_message);
  EXPECT_FALSE(s.for_flow(kAtoB).ebgp);
}

TEST(SessionContexts, OneSideLacksFourOctetAs_TwoOctetBothWays) {
  SessionContexts s(defaults(true));
  s.on_open(kBtoA, open_msg(false, false));
  EXPECT_FALSE(s.for_flow(kAtoB).four_octet_as);  // decided as soon as the lacking OPEN is seen
  s.on_open(kAtoB, open_msg(true, true));
  EXPECT_FALSE(s.for_flow(kAtoB).four_octet_as);
  EXPECT_FALSE(s.for_flow(kBtoA).four_octet_as);
  EXPECT_FALSE(s.for_flow(kAtoB).extended_message);
}

TEST(SessionContexts, AddPathSendOnOneSide_PathIdsInThatDirectionOnly) {
  SessionContexts s(defaults(true));
  s.on_open(kAtoB, open_msg(true, false, /*send*/ 2));
  s.on_open(kBtoA, open_msg(true, false, /*receive*/ 1));
  EXPECT_TRUE(s.for_flow(kAtoB).add_path_rx_evpn);
  EXPECT_FALSE(s.for_flow(kBtoA).add_path_rx_evpn);
  EXPECT_FALSE(s.for_flow(kAtoB).add_path_rx_ipv4);
}

TEST(SessionContexts, DifferentAsNumbers_Ebgp) {
  SessionContexts s(defaults(true));
  s.on_open(kAtoB, open_msg(true, false, 0, 65001));
  s.on_open(kBtoA, open_msg(true, false, 0, 4200000000u));
  EXPECT_TRUE(s.for_flow(kAtoB).ebgp);
}

TEST(SessionContexts, NewOpenOnSameDirection_Replaces) {
  SessionContexts s(defaults(true));
  s.on_open(kAtoB, open_msg(false, false));
  s.on_open(kBtoA, open_msg(true, false));
  EXPECT_FALSE(s.for_flow(kAtoB).four_octet_as);
  s.on_open(kAtoB, open_msg(true, false));
  EXPECT_TRUE(s.for_flow(kAtoB).four_octet_as);
}

}  // namespace
}  // namespace evpnctl

// OPEN byte-exactness: repeated capabilities (RFC 5492 §4), reserved bits (RFC 4724 §3,
// RFC 4760 §8), large layouts (RFC 9072). Every OPEN the decoder accepts must re-encode to the
// same bytes; several of these inputs are fuzz_message findings (fuzz/corpus/fuzz_message/).
#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

Bytes open_body(const Bytes& params) {
  return message(1, cat({hex("04fde800090aff0001"), Bytes{uint8_t(params.size())}, params}));
}

Open decode_open_ok(const Bytes& b) {
  auto m = decode_message(b, DecodeContext{});
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  if (!m || !std::holds_alternative<Open>(*m)) return {};
  return std::get<Open>(*m);
}

// decode -> encode gives the input back, and decoding that gives the same Open.
void expect_exact(const Bytes& b) {
  Open o = decode_open_ok(b);
  const Bytes again = encode_message(o, EncodeContext{});
  EXPECT_EQ(to_hex(again), to_hex(b));
  EXPECT_EQ(decode_open_ok(again), o);
}

// fuzz/corpus/fuzz_message/regress-open-repeated-addpath (context byte dropped): add-path (69)
// seven times across eleven parameters, two of them empty; it used to re-encode as one merged
// add-path capability.
const char* kRepeatedAddPath =
    "ffffffffffffffffffffffffffffffff 0065 01 04 fde8 0009 0aff00fe 48"
    "0206 1804 00004600  0206 4504 0000fde8  0200  0206 4504 0000fde8  0202 0600"
    "0206 4504 fde80200  0206 4504 0000fd00  0206 4504 0000fde8  0200"
    "0206 4504 0000fde8  0206 4504 00000000";

TEST(OpenLayout, FuzzRepeatedAddPath_ReencodesByteExact) {
  const Bytes b = hex(kRepeatedAddPath);
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.caps.add_path.size(), 7u);  // merged: negotiation sees every tuple
  EXPECT_EQ(o.add_path_sizes, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 1}));
  EXPECT_TRUE(o.caps.extended_message);
  expect_exact(b);
}

TEST(OpenLayout, RepeatedAddPathOfDifferentSizes_MergedThenSplitBack) {
  const Bytes b = open_body(hex("020a 4508 00194603 00010102  0206 4504 00020101"));
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.caps.add_path,
            (std::vector<AddPathEntry>{{kL2vpnEvpn, 3}, {kIpv4Unicast, 2}, {kIpv6Unicast, 1}}));
  EXPECT_EQ(o.add_path_sizes, (std::vector<uint8_t>{2, 1}));
  expect_exact(b);
}

TEST(OpenLayout, SingleAddPath_NoSizesRecorded) {
  Open o = decode_open_ok(open_body(hex("020a 4508 00194603 00010102")));
  EXPECT_TRUE(o.add_path_sizes.empty());
}

// RFC 5492 §4 leaves repeated instances to each capability's document. 4-octet AS, route
// refresh and FQDN define none: the first is used. Graceful restart: RFC 4724 §3 "the receiver
// of the advertisement MUST ignore all but the last instance of the Graceful Restart Capability".
TEST(OpenLayout, RepeatedSingleValuedCapabilities_FirstUsedButGracefulRestartLast) {
  // 4-octet AS 65000 then 65001, route refresh twice, graceful restart twice (120 s, then R and
  // 16 s), FQDN twice.
  const Bytes b = open_body(hex("0210 4104 0000fde8 0200 4104 0000fde9 0200"
                                "0208 4002 0078 4002 8010"
                                "0208 4903 026831 4901 00"));
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.caps.four_octet_as, 65000u);
  EXPECT_TRUE(o.caps.route_refresh);
  ASSERT_TRUE(o.caps.graceful_restart);
  EXPECT_EQ(o.caps.graceful_restart->restart_time, 16);
  EXPECT_TRUE(o.caps.graceful_restart->restart_state);
  EXPECT_EQ(o.caps.fqdn_hostname, "h1");
  EXPECT_EQ(o.caps.unknown,
            (std::vector<RawCapability>{{65, hex("0000fde9")}, {2, {}}, {64, hex("0078")}, {73, hex("00")}}));
  expect_exact(b);
}

// Three instances: the families and F bits are the third's; each earlier one is re-encoded
// where it was (byte-exact), whatever the parameter layout.
TEST(OpenLayout, GracefulRestartThreeInstances_LastOneUsed) {
  // 120 s with l2vpn-evpn (F), then in a second parameter: 90 s with no family, then R, N,
  // 60 s with ipv4-unicast and l2vpn-evpn, neither with F.
  const Bytes three = open_body(hex("0208 4006 0078 00194680"
                                    "0210 4002 005a 400a c03c 00010100 00194600"));
  Open o = decode_open_ok(three);
  ASSERT_TRUE(o.caps.graceful_restart);
  const GracefulRestart& gr = *o.caps.graceful_restart;
  EXPECT_TRUE(gr.restart_state);
  EXPECT_TRUE(gr.notification);
  EXPECT_EQ(gr.restart_time, 60);
  ASSERT_EQ(gr.families.size(), 2u);
  EXPECT_EQ(gr.families[0].afi_safi, kIpv4Unicast);
  EXPECT_FALSE(gr.families[0].forwarding_preserved);
  EXPECT_EQ(gr.families[1].afi_safi, kL2vpnEvpn);
  EXPECT_FALSE(gr.families[1].forwarding_preserved);
  EXPECT_EQ(o.caps.unknown, (std::vector<RawCapability>{{64, hex("0078 00194680")}, {64, hex("005a")}}));
  expect_exact(three);
}

TEST(OpenLayout, RepeatedMalformedCapability_StillAnOpenError) {
  auto m = decode_message(open_body(hex("0208 4104 0000fde8 4100")), DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 2);
  EXPECT_EQ(m.error().subcode, subcode::kUnspecific);
}

TEST(OpenLayout, ReservedBits_KeptAndReencoded) {
  // GR: R, N and both reserved flag bits, 120 s; EVPN with every AFI flag bit. MP reserved 0x5a.
  const Bytes b = open_body(hex("0208 4006 f078 001946ff  0206 0104 00015a01"));
  Open o = decode_open_ok(b);
  ASSERT_TRUE(o.caps.graceful_restart);
  const GracefulRestart& gr = *o.caps.graceful_restart;
  EXPECT_TRUE(gr.restart_state && gr.notification);
  EXPECT_EQ(gr.reserved_flags, 0x30);
  EXPECT_EQ(gr.restart_time, 120);
  ASSERT_EQ(gr.families.size(), 1u);
  EXPECT_TRUE(gr.families[0].forwarding_preserved);
  EXPECT_EQ(gr.families[0].reserved_flags, 0x7F);
  EXPECT_EQ(o.caps.multiprotocol, std::vector<AfiSafi>{kIpv4Unicast});
  EXPECT_EQ(o.mp_reserved, std::vector<uint8_t>{0x5a});
  expect_exact(b);
}

TEST(OpenLayout, MpReservedZeroThenNonZero_RecordedFromTheStart) {
  const Bytes b = open_body(hex("0206 0104 00190046  0206 0104 00010701"));
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.mp_reserved, (std::vector<uint8_t>{0, 7}));
  expect_exact(b);
}

TEST(OpenLayout, MoreThan255Capabilities_LayoutStillRecorded) {
  // RFC 9072: one extended parameter with 300 zero-length unknown capabilities.
  Bytes caps;
  for (int i = 0; i < 300; ++i) caps.insert(caps.end(), {uint8_t(200 + i % 3), 0});
  Bytes params = cat({hex("02"), Bytes{uint8_t(caps.size() >> 8), uint8_t(caps.size())}, caps});
  const size_t len = params.size();
  const Bytes b = message(1, cat({hex("04fde800090aff0001 ff ff"), Bytes{uint8_t(len >> 8), uint8_t(len)}, params}));
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.order.size(), 300u);
  EXPECT_EQ(o.param_breaks, std::vector<uint16_t>{0});
  expect_exact(b);
}

TEST(OpenLayout, SeventyAddPathTuples_SplitInto63AndSeven) {
  Open o;
  o.bgp_id = *IpAddress::parse("10.0.0.1");
  for (int i = 0; i < 70; ++i) o.caps.add_path.push_back({AfiSafi{Afi(i + 1), Safi(1)}, 1});
  const Bytes b = encode_message(o, EncodeContext{});
  Open back = decode_open_ok(b);
  EXPECT_EQ(back.caps.add_path, o.caps.add_path);
  EXPECT_EQ(back.add_path_sizes, (std::vector<uint8_t>{63, 7}));
  expect_exact(b);
}

}  // namespace
}  // namespace evpnd::wire::test

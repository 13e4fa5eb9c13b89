// OPEN and capabilities (RFC 4271 §4.2/§6.2, RFC 5492, RFC 4724, RFC 6793, RFC 7911, RFC 9072).
#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

// FRR 8.4's OPEN (bgp-open.txt): 10 capabilities, one optional parameter each.
const char* kFrrOpen =
    "ffffffffffffffffffffffffffffffff006501" "04fde800090aff000148"
    "020601040019004602028000020202000202460002064104 0000fde8020206000206450400194601"
    "020d490b097265662d6c65616631000204 4002c078020947070019468000 0000";

Bytes open_body(const Bytes& params) {
  return message(1, cat({hex("04fde800090aff0001"), Bytes{uint8_t(params.size())}, params}));
}

Open decode_open_ok(const Bytes& b) {
  auto m = decode_message(b, DecodeContext{});
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  if (!m) return {};
  return std::get<Open>(*m);
}

DecodeError decode_open_err(const Bytes& b) {
  auto m = decode_message(b, DecodeContext{});
  EXPECT_FALSE(m.has_value());
  return m ? DecodeError{} : m.error();
}

TEST(Open, FrrOpen_DecodesEveryCapability) {
  Open o = decode_open_ok(hex(kFrrOpen));
  EXPECT_EQ(o.version, 4);
  EXPECT_EQ(o.my_as, 65000);
  EXPECT_EQ(o.hold_time, 9);
  EXPECT_EQ(o.bgp_id.to_string(), "10.255.0.1");
  EXPECT_EQ(o.asn(), 65000u);
  const Capabilities& c = o.caps;
  EXPECT_EQ(c.multiprotocol, std::vector<AfiSafi>{kL2vpnEvpn});
  EXPECT_TRUE(c.route_refresh && c.route_refresh_cisco && c.enhanced_route_refresh && c.extended_message);
  EXPECT_EQ(c.four_octet_as, 65000u);
  ASSERT_EQ(c.add_path.size(), 1u);
  EXPECT_EQ(c.add_path[0], (AddPathEntry{kL2vpnEvpn, 1}));
  EXPECT_EQ(c.fqdn_hostname, "ref-leaf1");
  EXPECT_EQ(c.fqdn_domain, "");
  ASSERT_TRUE(c.graceful_restart);
  EXPECT_TRUE(c.graceful_restart->restart_state);
  EXPECT_TRUE(c.graceful_restart->notification);
  EXPECT_EQ(c.graceful_restart->restart_time, 120);
  EXPECT_TRUE(c.graceful_restart->families.empty());
  ASSERT_EQ(c.unknown.size(), 1u);
  EXPECT_EQ(c.unknown[0], (RawCapability{71, hex("00194680000000")}));
  EXPECT_EQ(o.order, (std::vector<uint8_t>{1, 128, 2, 70, 65, 6, 69, 73, 64, 71}));
  EXPECT_EQ(o.param_breaks, (std::vector<uint16_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(encode_message(o, EncodeContext{}), hex(kFrrOpen));
}

TEST(Open, DefaultLayout_OneParameterPerCapabilityInFieldOrder) {
  Open o;
  o.my_as = 23456;
  o.hold_time = 90;
  o.bgp_id = *IpAddress::parse("10.0.0.1");
  o.caps.multiprotocol = {kL2vpnEvpn, kIpv4Unicast};
  o.caps.route_refresh = true;
  o.caps.four_octet_as = 4200000000u;
  o.caps.graceful_restart = GracefulRestart{false, true, 120, {{kL2vpnEvpn, true}}};
  o.caps.unknown = {RawCapability{200, {7}}};
  Bytes b = encode_message(o, EncodeContext{});
  // version, AS_TRANS, hold 90, id, 43 octets of parameters, then MP evpn, MP ipv4, RR,
  // GR (N bit, 120 s, EVPN with F), 4-octet AS 4200000000, unknown 200.
  EXPECT_EQ(to_hex(ByteView(b).subspan(19)),
            to_hex(hex("04 5ba0 005a 0a000001 2b 0206010400190046 0206010400010001 02020200"
                       "0208400640780019 4680 02064104fa56ea00 0203c80107")));
  Open back = decode_open_ok(b);
  EXPECT_EQ(back.caps, o.caps);
  EXPECT_EQ(back.asn(), 4200000000u);
}

TEST(Open, SeveralCapabilitiesInOneParameter_ReencodeExact) {
  // One parameter with MP + RR + 4-octet AS, then an empty parameter, then one with ERR.
  Bytes b = open_body(hex("020e 0104001900 46 0200 4104 0000fde8  0200  0202 4600"));
  Open o = decode_open_ok(b);
  EXPECT_EQ(o.order, (std::vector<uint8_t>{1, 2, 65, 70}));
  EXPECT_EQ(o.param_breaks, (std::vector<uint16_t>{0, 3, 3}));
  EXPECT_EQ(encode_message(o, EncodeContext{}), b);
}

TEST(Open, ExtendedOptionalParameters_Rfc9072RoundTrip) {
  // Non-Ext OP Len 255, Non-Ext OP Type 255, 2-octet lengths.
  Bytes params = hex("ff ff 0009 02 0006 01040019 0046");
  Bytes b = message(1, cat({hex("04fde800090aff0001"), params}));
  Open o = decode_open_ok(b);
  EXPECT_TRUE(o.extended_params);
  EXPECT_EQ(o.caps.multiprotocol, std::vector<AfiSafi>{kL2vpnEvpn});
  EXPECT_EQ(encode_message(o, EncodeContext{}), b);
}

TEST(Open, ParametersOver255Octets_EncodedWithRfc9072) {
  Open o;
  o.bgp_id = *IpAddress::parse("10.0.0.1");
  for (uint8_t i = 0; i < 30; ++i) o.caps.unknown.push_back(RawCapability{uint8_t(150 + i), Bytes(8, i)});
  Bytes b = encode_message(o, EncodeContext{});
  EXPECT_EQ(b[19 + 9], 255);
  EXPECT_EQ(b[19 + 10], 255);
  Open back = decode_open_ok(b);
  EXPECT_TRUE(back.extended_params);
  EXPECT_EQ(back.caps, o.caps);
}

TEST(Open, GracefulRestartFamiliesAndAddPath_Decoded) {
  Bytes b = open_body(hex("020c 400a 0078 00194680 00010100"  // GR: two families, F on EVPN
                          "020a 4508 00194603 00010102"));    // add-path: both / send
  Open o = decode_open_ok(b);
  ASSERT_TRUE(o.caps.graceful_restart);
  EXPECT_FALSE(o.caps.graceful_restart->restart_state);
  EXPECT_EQ(o.caps.graceful_restart->restart_time, 120);
  ASSERT_EQ(o.caps.graceful_restart->families.size(), 2u);
  EXPECT_EQ(o.caps.graceful_restart->families[0], (GracefulRestart::Family{kL2vpnEvpn, true}));
  EXPECT_EQ(o.caps.graceful_restart->families[1], (GracefulRestart::Family{kIpv4Unicast, false}));
  EXPECT_EQ(o.caps.add_path,
            (std::vector<AddPathEntry>{{kL2vpnEvpn, 3}, {kIpv4Unicast, 2}}));
  EXPECT_EQ(encode_message(o, EncodeContext{}), b);
}

TEST(Open, FqdnWithDomainAndWithout_RoundTrip) {
  Bytes with = open_body(hex("0209 4907 026831 03 6c6162"));
  Open o = decode_open_ok(with);
  EXPECT_EQ(o.caps.fqdn_hostname, "h1");
  EXPECT_EQ(o.caps.fqdn_domain, "lab");
  EXPECT_EQ(encode_message(o, EncodeContext{}), with);
  Bytes without = open_body(hex("0205 4903 026831"));
  o = decode_open_ok(without);
  EXPECT_FALSE(o.caps.fqdn_domain);
  EXPECT_EQ(encode_message(o, EncodeContext{}), without);
}

TEST(Open, UnsupportedVersion_Subcode1WithOurVersion) {
  Bytes b = encode_message(Open{3, 65000, 9, *IpAddress::parse("10.0.0.1")}, EncodeContext{});
  DecodeError e = decode_open_err(b);
  EXPECT_EQ(e.code, 2);
  EXPECT_EQ(e.subcode, subcode::kUnsupportedVersion);
  EXPECT_EQ(e.data, (Bytes{0, 4}));
}

TEST(Open, HoldTime_OneAndTwoRejected_ZeroAndThreeAccepted) {
  for (uint16_t h : {0, 1, 2, 3}) {
    Bytes b = encode_message(Open{4, 65000, h, *IpAddress::parse("10.0.0.1")}, EncodeContext{});
    auto m = decode_message(b, DecodeContext{});
    if (h == 1 || h == 2) {
      ASSERT_FALSE(m);
      EXPECT_EQ(m.error().subcode, subcode::kUnacceptableHoldTime);
    } else {
      EXPECT_TRUE(m) << h;
    }
  }
}

TEST(Open, BgpIdentifierZero_BadBgpIdentifier) {
  DecodeError e = decode_open_err(encode_message(Open{4, 65000, 9, *IpAddress::parse("0.0.0.0")}, EncodeContext{}));
  EXPECT_EQ(e.code, 2);
  EXPECT_EQ(e.subcode, subcode::kBadBgpIdentifier);
}

TEST(Open, NonCapabilityParameter_UnsupportedOptionalParameter) {
  DecodeError e = decode_open_err(open_body(hex("0102 0000")));
  EXPECT_EQ(e.subcode, subcode::kUnsupportedOptionalParameter);
}

TEST(Open, MalformedKnownCapabilities_OpenErrorUnspecific) {
  for (const char* params : {"0203 4001 00", "0203 0201 00", "0206 4504 001946", "0205 4903 056831"}) {
    DecodeError e = decode_open_err(open_body(hex(params)));
    EXPECT_EQ(e.code, 2) << params;
    EXPECT_EQ(e.subcode, subcode::kUnspecific) << params;
    EXPECT_FALSE(e.reason.empty());
  }
}

TEST(Open, LongerThan4096_RejectedEvenWithExtendedMessage) {
  Open o;
  o.bgp_id = *IpAddress::parse("10.0.0.1");
  o.caps.unknown.push_back(RawCapability{200, Bytes(250, 1)});
  for (int i = 0; i < 16; ++i) o.caps.unknown.push_back(RawCapability{200, Bytes(250, 1)});
  Bytes b = encode_message(o, EncodeContext{});
  ASSERT_GT(b.size(), 4096u);
  DecodeContext ctx;
  ctx.extended_message = true;
  EXPECT_FALSE(decode_message(b, ctx));
}

}  // namespace
}  // namespace evpnd::wire::test

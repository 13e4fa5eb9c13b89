// EVPN NLRI codec: every route type at every legal length against hand-written bytes, in both
// directions (a bug made the same way in encoder and decoder must fail here), every illegal
// length with its RFC 7606 action, unknown types, framing errors, keys and text.
#include <gtest/gtest.h>

#include <set>

#include "wire/evpn_route.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

Bytes hex(std::string_view s) {
  auto b = parse_hex(s);
  EXPECT_TRUE(b) << s;
  return b.value_or(Bytes{});
}

Bytes encode(const EvpnRoute& r) {
  Bytes b;
  ByteWriter w(b);
  encode_evpn_route(w, r);
  return b;
}

tl::expected<EvpnRoute, DecodeError> decode(const Bytes& b) {
  ByteReader in(b);
  auto r = decode_evpn_route(in);
  if (r) {
    EXPECT_TRUE(in.empty()) << "decode left bytes behind";
  }
  return r;
}

// Checks both directions: bytes decode to `route`, `route` encodes to bytes, sizes agree.
void expect_wire(const EvpnRoute& route, const Bytes& bytes) {
  auto d = decode(bytes);
  ASSERT_TRUE(d) << d.error().reason;
  EXPECT_EQ(*d, route);
  EXPECT_EQ(to_hex(encode(route)), to_hex(bytes));
  EXPECT_EQ(encoded_size(route), bytes.size());
}

const Rd kRd = *Rd::parse("10.255.0.1:3");                     // 00 01 0a ff 00 01 00 03
const char* kRdHex = "00010aff00010003";
const Esi kEsi = *Esi::parse("00:11:22:33:44:55:66:77:88:99");
const char* kEsiHex = "00112233445566778899";
const char* kZeroEsi = "00000000000000000000";
const Mac kMac = *Mac::parse("02:00:00:00:01:10");
const IpAddress kV4 = *IpAddress::parse("192.168.100.10");    // c0 a8 64 0a
const IpAddress kV6 = *IpAddress::parse("2001:db8::10");

MacIpAdvertisement mac_ip(IpAddress ip, std::optional<uint32_t> label2) {
  MacIpAdvertisement m;
  m.rd = kRd;
  m.mac = kMac;
  m.ip = ip;
  m.label1 = 100;
  m.label2 = label2;
  return m;
}

}  // namespace

TEST(EvpnRoute, Type1_Length25_HandBytes) {
  EthernetAutoDiscovery a{kRd, kEsi, 10, 100};
  expect_wire(a, hex(std::string("01 19") + kRdHex + kEsiHex + "0000000a 000064"));
}

TEST(EvpnRoute, Type2_MacOnlyOneLabel_Length33) {
  expect_wire(mac_ip({}, std::nullopt), hex(std::string("02 21") + kRdHex + kZeroEsi + "00000000 30 020000000110 00 000064"));
}
TEST(EvpnRoute, Type2_MacOnlyTwoLabels_Length36) {
  expect_wire(mac_ip({}, 5000),
              hex(std::string("02 24") + kRdHex + kZeroEsi + "00000000 30 020000000110 00 000064 001388"));
}
TEST(EvpnRoute, Type2_Ipv4OneLabel_Length37) {
  expect_wire(mac_ip(kV4, std::nullopt),
              hex(std::string("02 25") + kRdHex + kZeroEsi + "00000000 30 020000000110 20 c0a8640a 000064"));
}
TEST(EvpnRoute, Type2_Ipv4TwoLabels_Length40) {
  expect_wire(mac_ip(kV4, 5000),
              hex(std::string("02 28") + kRdHex + kZeroEsi + "00000000 30 020000000110 20 c0a8640a 000064 001388"));
}
TEST(EvpnRoute, Type2_Ipv6OneLabel_Length49) {
  expect_wire(mac_ip(kV6, std::nullopt), hex(std::string("02 31") + kRdHex + kZeroEsi +
                                              "00000000 30 020000000110 80 20010db8000000000000000000000010 000064"));
}
TEST(EvpnRoute, Type2_Ipv6TwoLabels_Length52) {
  expect_wire(mac_ip(kV6, 5000), hex(std::string("02 34") + kRdHex + kZeroEsi +
                                      "00000000 30 020000000110 80 20010db8000000000000000000000010 000064 001388"));
}
TEST(EvpnRoute, Type2_EsiAndEthernetTag_InTheirPlaces) {
  MacIpAdvertisement m = mac_ip(kV4, std::nullopt);
  m.esi = kEsi;
  m.ethernet_tag = 0x01020304;
  m.label1 = 0xABCDEF;  // full 24 bits, unshifted (RFC 8365 §5.1.3)
  expect_wire(m, hex(std::string("02 25") + kRdHex + kEsiHex + "01020304 30 020000000110 20 c0a8640a abcdef"));
}

TEST(EvpnRoute, Type3_Ipv4_Length17) {
  InclusiveMulticast im{kRd, 0, *IpAddress::parse("10.255.0.1")};
  expect_wire(im, hex(std::string("03 11") + kRdHex + "00000000 20 0aff0001"));
}
TEST(EvpnRoute, Type3_Ipv6_Length29) {
  InclusiveMulticast im{kRd, 7, *IpAddress::parse("fd00::1")};
  expect_wire(im, hex(std::string("03 1d") + kRdHex + "00000007 80 fd000000000000000000000000000001"));
}

TEST(EvpnRoute, Type4_Ipv4_Length23) {
  EthernetSegment es{kRd, kEsi, *IpAddress::parse("10.255.0.1")};
  expect_wire(es, hex(std::string("04 17") + kRdHex + kEsiHex + "20 0aff0001"));
}
TEST(EvpnRoute, Type4_Ipv6_Length35) {
  EthernetSegment es{kRd, kEsi, *IpAddress::parse("fd00::1")};
  expect_wire(es, hex(std::string("04 23") + kRdHex + kEsiHex + "80 fd000000000000000000000000000001"));
}

TEST(EvpnRoute, Type5_Ipv4_Length34) {
  IpPrefixRoute p{kRd, {}, 0, *IpPrefix::parse("192.168.100.0/24"), *IpAddress::parse("0.0.0.0"), 5000};
  expect_wire(p, hex(std::string("05 22") + kRdHex + kZeroEsi + "00000000 18 c0a86400 00000000 001388"));
}
TEST(EvpnRoute, Type5_Ipv6WithGateway_Length58) {
  IpPrefixRoute p{kRd, kEsi, 3, *IpPrefix::parse("2001:db8:1::/48"), *IpAddress::parse("2001:db8::1"), 5000};
  expect_wire(p, hex(std::string("05 3a") + kRdHex + kEsiHex + "00000003 30 20010db8000100000000000000000000 " +
                     "20010db8000000000000000000000001 001388"));
}
TEST(EvpnRoute, Type5_MaxPrefixLengths_Accepted) {
  IpPrefixRoute p4{kRd, {}, 0, *IpPrefix::parse("10.0.0.1/32"), *IpAddress::parse("0.0.0.0"), 1};
  expect_wire(p4, hex(std::string("05 22") + kRdHex + kZeroEsi + "00000000 20 0a000001 00000000 000001"));
  IpPrefixRoute p6{kRd, {}, 0, *IpPrefix::parse("fd00::1/128"), *IpAddress::parse("::"), 1};
  expect_wire(p6, hex(std::string("05 3a") + kRdHex + kZeroEsi + "00000000 80 fd000000000000000000000000000001 " +
                      "00000000000000000000000000000000 000001"));
}
TEST(EvpnRoute, Type5_HostBitsSet_DecodedNormalized) {
  // Documented choice: the prefix is canonicalised (RIB key), so re-encoding drops host bits.
  auto d = decode(hex(std::string("05 22") + kRdHex + kZeroEsi + "00000000 18 c0a86407 00000000 001388"));
  ASSERT_TRUE(d);
  EXPECT_EQ(std::get<IpPrefixRoute>(*d).prefix.to_string(), "192.168.100.0/24");
  EXPECT_EQ(to_hex(encode(*d)), to_hex(hex(std::string("05 22") + kRdHex + kZeroEsi + "00000000 18 c0a86400 00000000 001388")));
}

TEST(EvpnRoute, UnknownTypes_KeptOpaqueAndReencodedAsIs) {
  for (std::string_view h : {"06 05 0102030405", "0b 00", "00 03 aabbcc", "ff 01 00", "07 02 dead"}) {
    Bytes b = hex(h);
    auto d = decode(b);
    ASSERT_TRUE(d) << h;
    const auto& u = std::get<UnknownEvpnRoute>(*d);
    EXPECT_EQ(u.route_type, b[0]);
    EXPECT_EQ(u.value, Bytes(b.begin() + 2, b.end()));
    EXPECT_EQ(encode(*d), b);
    EXPECT_EQ(route_type(*d), b[0]);
    EXPECT_EQ(route_rd(*d), nullptr);
  }
}

// Every length 0..255 of every known type, with the inner length bytes set to each legal value:
// exactly the RFC lengths decode, all others are treat-as-withdraw and consume the route.
TEST(EvpnRoute, AllLengths_OnlyLegalOnesDecode) {
  struct Case { uint8_t type; size_t ip_at; std::vector<uint8_t> ip_bits; std::set<std::pair<int, int>> legal; };
  const std::vector<Case> cases = {
      {1, 0, {0}, {{0, 25}}},
      {2, 29, {0, 32, 128}, {{0, 33}, {0, 36}, {32, 37}, {32, 40}, {128, 49}, {128, 52}}},
      {3, 12, {32, 128}, {{32, 17}, {128, 29}}},
      {4, 18, {32, 128}, {{32, 23}, {128, 35}}},
      {5, 0, {0}, {{0, 34}, {0, 58}}},
  };
  for (const Case& c : cases) {
    for (uint8_t bits : c.ip_bits) {
      for (int len = 0; len <= 255; ++len) {
        Bytes b{c.type, uint8_t(len)};
        b.resize(2 + len, 0);
        if (c.type == 2 && len > 22) b[2 + 22] = 48;  // MAC Address Length
        if (c.ip_at && size_t(len) > c.ip_at) b[2 + c.ip_at] = bits;
        if (c.type == 5 && len > 22) b[2 + 22] = 24;  // IP Prefix Length
        const bool legal = c.legal.count({bits, len}) > 0;
        ByteReader in(b);
        auto d = decode_evpn_route(in);
        EXPECT_EQ(bool(d), legal) << "type " << int(c.type) << " len " << len << " ip " << int(bits);
        EXPECT_TRUE(in.empty()) << "type " << int(c.type) << " len " << len;
        if (!d) {
          EXPECT_EQ(d.error().action, ErrorAction::kTreatAsWithdraw);
          EXPECT_EQ(d.error().code, 3);
          EXPECT_EQ(d.error().subcode, subcode::kOptionalAttributeError);
        } else {
          EXPECT_EQ(encode(*d), b) << "type " << int(c.type) << " len " << len;
        }
      }
    }
  }
}

TEST(EvpnRoute, Type2_MacLengthNot48_TreatAsWithdraw) {
  auto d = decode(hex(std::string("02 21") + kRdHex + kZeroEsi + "00000000 2f 020000000110 00 000064"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kTreatAsWithdraw);
  EXPECT_NE(d.error().reason.find("MAC Address Length 47"), std::string::npos) << d.error().reason;
}
TEST(EvpnRoute, Type2_IpLength24_TreatAsWithdraw) {
  auto d = decode(hex(std::string("02 24") + kRdHex + kZeroEsi + "00000000 30 020000000110 18 c0a864 000064"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kTreatAsWithdraw);
}
TEST(EvpnRoute, Type2_IpLengthDisagreesWithRouteLength_TreatAsWithdraw) {
  // Length 37 says IPv4 + one label, the IP Length byte says IPv6.
  auto d = decode(hex(std::string("02 25") + kRdHex + kZeroEsi + "00000000 30 020000000110 80 c0a8640a 000064"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kTreatAsWithdraw);
}
TEST(EvpnRoute, Type3_IpLengthDisagrees_TreatAsWithdraw) {
  auto d = decode(hex(std::string("03 11") + kRdHex + "00000000 80 0aff0001"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kTreatAsWithdraw);
}
TEST(EvpnRoute, Type5_PrefixLengthTooLong_TreatAsWithdraw) {
  auto v4 = decode(hex(std::string("05 22") + kRdHex + kZeroEsi + "00000000 21 c0a86400 00000000 001388"));
  ASSERT_FALSE(v4);
  EXPECT_EQ(v4.error().action, ErrorAction::kTreatAsWithdraw);
  auto v6 = decode(hex(std::string("05 3a") + kRdHex + kZeroEsi + "00000000 81" + std::string(64, '0') + "001388"));
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().action, ErrorAction::kTreatAsWithdraw);
}

TEST(EvpnRoute, LengthOverrunsField_SessionReset) {
  Bytes b = hex(std::string("02 28") + kRdHex + kZeroEsi + "00000000 30 020000000110 20 c0a8640a 000064 0013");
  ByteReader in(b);
  auto d = decode_evpn_route(in);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kSessionReset);
  EXPECT_EQ(d.error().code, 3);
  EXPECT_EQ(d.error().subcode, subcode::kOptionalAttributeError);
}
TEST(EvpnRoute, LoneTrailingByte_SessionReset) {
  Bytes b = {0x02};
  ByteReader in(b);
  auto d = decode_evpn_route(in);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().action, ErrorAction::kSessionReset);
}

TEST(EvpnNlri, SeveralRoutes_AllDecodedInOrder) {
  Bytes field = encode(mac_ip(kV4, 5000));
  Bytes t3 = encode(InclusiveMulticast{kRd, 0, kV4});
  Bytes unk = hex("09 02 abcd");
  field.insert(field.end(), t3.begin(), t3.end());
  field.insert(field.end(), unk.begin(), unk.end());
  std::vector<EvpnRoute> routes;
  ASSERT_TRUE(decode_evpn_nlri(ByteReader(field), routes));
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0], EvpnRoute(mac_ip(kV4, 5000)));
  EXPECT_EQ(route_type(routes[1]), 3);
  EXPECT_EQ(route_type(routes[2]), 9);
}
TEST(EvpnNlri, EmptyField_NoRoutesNoError) {
  std::vector<EvpnRoute> routes;
  EXPECT_TRUE(decode_evpn_nlri(ByteReader(), routes));
  EXPECT_TRUE(routes.empty());
}
TEST(EvpnNlri, MalformedRouteInMiddle_TreatAsWithdrawOthersKept) {
  Bytes field = encode(mac_ip(kV4, std::nullopt));
  Bytes bad = hex(std::string("02 22") + kRdHex + kZeroEsi + "00000000 30 020000000110 00 000064 00");  // 34
  Bytes good = encode(mac_ip(kV6, 5000));
  field.insert(field.end(), bad.begin(), bad.end());
  field.insert(field.end(), good.begin(), good.end());
  std::vector<EvpnRoute> routes;
  auto r = decode_evpn_nlri(ByteReader(field), routes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().action, ErrorAction::kTreatAsWithdraw);
  ASSERT_EQ(routes.size(), 2u);  // both well-formed routes, so the caller can withdraw them
  EXPECT_EQ(routes[1], EvpnRoute(mac_ip(kV6, 5000)));
}
TEST(EvpnNlri, LastRouteOverruns_SessionResetNothingAppended) {
  Bytes field = encode(mac_ip(kV4, std::nullopt));
  Bytes bad = hex("03 11 0001");
  field.insert(field.end(), bad.begin(), bad.end());
  std::vector<EvpnRoute> routes(1);  // existing content is left alone
  auto r = decode_evpn_nlri(ByteReader(field), routes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().action, ErrorAction::kSessionReset);
  EXPECT_EQ(routes.size(), 1u);
}

TEST(EvpnRoute, Encode_IllegalValues_NearestLegalForm) {
  InclusiveMulticast im{kRd, 0, {}};  // no originator -> 0.0.0.0
  EXPECT_EQ(to_hex(encode(im)), to_hex(hex(std::string("03 11") + kRdHex + "00000000 20 00000000")));
  IpPrefixRoute p{kRd, {}, 0, *IpPrefix::parse("2001:db8::/32"), *IpAddress::parse("10.0.0.1"), 0x1ABCDEF};
  EXPECT_EQ(to_hex(encode(p)), to_hex(hex(std::string("05 3a") + kRdHex + kZeroEsi + "00000000 20 20010db8" +
                                          std::string(24, '0') + std::string(32, '0') + "abcdef")));
  UnknownEvpnRoute u{6, Bytes(300, 0xAA)};
  EXPECT_EQ(encode(u).size(), 257u);
  EXPECT_EQ(encoded_size(u), 257u);
}

TEST(EvpnRoute, RouteKey_Type2_ExcludesEsiAndLabels) {
  MacIpAdvertisement a = mac_ip(kV4, 5000), b = mac_ip(kV4, std::nullopt);
  b.esi = kEsi;
  b.label1 = 200;
  EXPECT_EQ(route_key(a), route_key(b));
  EXPECT_EQ(to_hex(route_key(a)), std::string("02") + kRdHex + "00000000" + "020000000110" + "20c0a8640a");
  EXPECT_NE(route_key(a), route_key(mac_ip({}, 5000)));
  EXPECT_NE(route_key(a), route_key(mac_ip(kV6, 5000)));
}
TEST(EvpnRoute, RouteKey_EachType_HandBytes) {
  EXPECT_EQ(to_hex(route_key(EthernetAutoDiscovery{kRd, kEsi, 10, 100})),
            std::string("01") + kRdHex + kEsiHex + "0000000a");
  EXPECT_EQ(to_hex(route_key(InclusiveMulticast{kRd, 1, kV4})), std::string("03") + kRdHex + "00000001" + "20c0a8640a");
  EXPECT_EQ(to_hex(route_key(EthernetSegment{kRd, kEsi, kV4})), std::string("04") + kRdHex + kEsiHex + "20c0a8640a");
  IpPrefixRoute p{kRd, kEsi, 0, *IpPrefix::parse("192.168.100.0/24"), kV4, 5000};
  IpPrefixRoute q = p;
  q.esi = {};
  q.gateway = {};
  q.label = 1;
  EXPECT_EQ(route_key(p), route_key(q));
  EXPECT_EQ(to_hex(route_key(p)), std::string("05") + kRdHex + "00000000" + "18" + "20c0a86400");
  EXPECT_EQ(to_hex(route_key(UnknownEvpnRoute{7, {1, 2}})), "070102");
}

TEST(EvpnRoute, FrrPrefix_MatchesFrr84JsonKeys) {
  EXPECT_EQ(frr_prefix(mac_ip(kV4, 5000)), "[2]:[0]:[48]:[02:00:00:00:01:10]:[32]:[192.168.100.10]");
  EXPECT_EQ(frr_prefix(mac_ip({}, std::nullopt)), "[2]:[0]:[48]:[02:00:00:00:01:10]");
  EXPECT_EQ(frr_prefix(mac_ip(kV6, 5000)), "[2]:[0]:[48]:[02:00:00:00:01:10]:[128]:[2001:db8::10]");
  EXPECT_EQ(frr_prefix(InclusiveMulticast{kRd, 0, *IpAddress::parse("10.255.0.1")}), "[3]:[0]:[32]:[10.255.0.1]");
  EXPECT_EQ(frr_prefix(IpPrefixRoute{kRd, {}, 0, *IpPrefix::parse("192.168.100.0/24"), {}, 5000}),
            "[5]:[0]:[24]:[192.168.100.0]");
  EXPECT_EQ(frr_prefix(EthernetSegment{kRd, kEsi, kV4}), "[4]:[00:11:22:33:44:55:66:77:88:99]:[32]:[192.168.100.10]");
  EXPECT_EQ(frr_prefix(EthernetAutoDiscovery{kRd, kEsi, 5, 0}), "[1]:[5]:[00:11:22:33:44:55:66:77:88:99]");
  EXPECT_EQ(frr_prefix(UnknownEvpnRoute{6, {0xab}}), "[6]:[ab]");
}
TEST(EvpnRoute, ToString_RdThenPrefix) {
  EXPECT_EQ(to_string(mac_ip(kV4, 5000)), "10.255.0.1:3 [2]:[0]:[48]:[02:00:00:00:01:10]:[32]:[192.168.100.10]");
  EXPECT_EQ(to_string(UnknownEvpnRoute{6, {}}), "[6]:[]");
}

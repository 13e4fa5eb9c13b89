// UPDATE framing, IPv4/IPv6 prefixes, MP_REACH/MP_UNREACH, add-path, End-of-RIB, the FRR
// attribute order and Extended Length conventions, RFC 7606 treat-as-withdraw keeping NLRI.
#include <chrono>

#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }

Update decode_update_ok(const Bytes& b, const DecodeContext& ctx = {}) {
  auto m = decode_message(b, ctx);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  if (!m) return {};
  return std::get<Update>(*m);
}

TEST(Update, Ipv4WithdrawnAndNlri_DecodeAndReencodeExact) {
  Bytes b = update_msg(hex("18 0a0101  00  20 c0a80001"), base_attrs(), hex("10 0a02 08 0b"));
  Update u = decode_update_ok(b);
  EXPECT_EQ(u.withdrawn, (std::vector<IpPrefix>{pfx("10.1.1.0/24"), pfx("0.0.0.0/0"), pfx("192.168.0.1/32")}));
  EXPECT_EQ(u.nlri, (std::vector<IpPrefix>{pfx("10.2.0.0/16"), pfx("11.0.0.0/8")}));
  EXPECT_EQ(u.attrs.origin, Origin::kIgp);
  EXPECT_EQ(u.attrs.next_hop, ip("10.0.0.1"));
  EXPECT_TRUE(u.errors.empty());
  EXPECT_FALSE(u.is_end_of_rib());
  EXPECT_EQ(encode_message(u, EncodeContext{}), b);
}

TEST(Update, AddPathIpv4_PathIdsKept) {
  Bytes b = update_msg(hex("00000007 18 0a0101"), base_attrs(), hex("00000001 10 0a02 00000002 10 0a02"));
  DecodeContext ctx;
  ctx.add_path_rx_ipv4 = true;
  Update u = decode_update_ok(b, ctx);
  EXPECT_EQ(u.withdrawn_path_ids, std::vector<uint32_t>{7});
  EXPECT_EQ(u.nlri_path_ids, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(u.nlri.size(), 2u);
  EncodeContext ectx;
  ectx.add_path_tx_ipv4 = true;
  EXPECT_EQ(encode_message(u, ectx), b);
  // Without add-path the same bytes do not parse as prefixes.
  EXPECT_FALSE(decode_message(b, DecodeContext{}));
}

TEST(Update, EndOfRib_Ipv4AndEvpn) {
  Update empty = decode_update_ok(update_msg({}, {}, {}));
  EXPECT_TRUE(empty.is_end_of_rib());
  Update evpn = decode_update_ok(update_msg({}, hex("800f03 001946"), {}));
  EXPECT_TRUE(evpn.is_end_of_rib());
  ASSERT_TRUE(evpn.mp_unreach);
  EXPECT_EQ(evpn.mp_unreach->afi_safi, kL2vpnEvpn);
  // Built from scratch, an EVPN End-of-RIB uses the 1-octet length as FRR does.
  Update eor;
  eor.mp_unreach = MpUnreach{kL2vpnEvpn};
  EXPECT_EQ(to_hex(encode_message(eor, EncodeContext{})),
            "ffffffffffffffffffffffffffffffff001d02" "0000" "0006" "800f03001946");
}

// Building FRR's type-3 UPDATE (bgp-evpn.pcap frame 10, message 4) from values, without a
// recorded attribute order or flags, must give FRR's bytes: FRR's order and length conventions.
TEST(Update, EvpnType3FromValues_MatchesFrrBytes) {
  Update u;
  MpReach r;
  r.next_hop = ip("10.255.0.1");
  r.evpn.push_back(InclusiveMulticast{*Rd::parse("10.255.0.1:3"), 0, ip("10.255.0.1")});
  u.mp_reach = r;
  u.attrs.origin = Origin::kIgp;
  u.attrs.as_path = AsPath{};
  u.attrs.local_pref = 100;
  u.attrs.ext_communities = {ExtCommunity::encapsulation(TunnelEncap::kVxlan),
                             ExtCommunity::route_target(RouteTarget::as2(65000, 100))};
  u.attrs.pmsi_tunnel = PmsiTunnel{0, 6, 100, Bytes{10, 255, 0, 1}};
  VectorFile frr = read_vector_file(EVPND_SOURCE_DIR "/tests/vectors/frr/f10-m4-update.hex");
  EXPECT_EQ(to_hex(encode_message(u, EncodeContext{})), to_hex(frr.bytes));
}

TEST(Update, EvpnWithdrawFromValues_UsesExtendedLengthLikeFrr) {
  Update u;
  u.mp_unreach = MpUnreach{kL2vpnEvpn, {InclusiveMulticast{*Rd::parse("10.255.0.1:3"), 0, ip("10.255.0.1")}}};
  Bytes b = encode_message(u, EncodeContext{});
  EXPECT_EQ(to_hex(ByteView(b).subspan(19, 8)), "0000" "001a" "900f0016");
  Update back = decode_update_ok(b);
  EXPECT_EQ(back.mp_unreach->evpn, u.mp_unreach->evpn);
  EXPECT_TRUE(back.errors.empty());  // a withdrawal needs no ORIGIN/AS_PATH
  EXPECT_FALSE(back.is_end_of_rib());
}

TEST(Update, Ipv6UnicastWithLinkLocalNextHop_RoundTrip) {
  Bytes mp = hex("0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00"
                 "40 20010db800000001  80 20010db8000000000000000000000002");
  Bytes b = update_msg({}, cat({attr(0x90, 14, mp), attr(0x40, 1, {0}), attr(0x50, 2, {})}), {});
  Update u = decode_update_ok(b);
  ASSERT_TRUE(u.mp_reach);
  EXPECT_EQ(u.mp_reach->afi_safi, kIpv6Unicast);
  EXPECT_EQ(u.mp_reach->next_hop, ip("2001:db8::1"));
  EXPECT_EQ(u.mp_reach->link_local_next_hop, ip("fe80::1"));
  EXPECT_EQ(u.mp_reach->prefixes, (std::vector<IpPrefix>{pfx("2001:db8:0:1::/64"), pfx("2001:db8::2/128")}));
  EXPECT_TRUE(u.errors.empty());
  EXPECT_EQ(encode_message(u, EncodeContext{}), b);
}

TEST(Update, Ipv4OverMpWithIpv6NextHop_Rfc8950RoundTrip) {
  Bytes mp = hex("0001 01 10 20010db8000000000000000000000001 00 18 0a0001");
  Bytes b = update_msg({}, cat({attr(0x90, 14, mp), attr(0x40, 1, {0}), attr(0x50, 2, {})}), {});
  Update u = decode_update_ok(b);
  ASSERT_TRUE(u.mp_reach);
  EXPECT_EQ(u.mp_reach->next_hop, ip("2001:db8::1"));
  EXPECT_EQ(u.mp_reach->prefixes, std::vector<IpPrefix>{pfx("10.0.1.0/24")});
  EXPECT_EQ(encode_message(u, EncodeContext{}), b);
}

TEST(Update, AddPathEvpn_PathIdsBeforeEachRoute) {
  Bytes rd = hex("00010aff00010003");
  Bytes t3 = cat({hex("0311"), rd, hex("00000000 20 0aff0001")});
  Bytes nlri = cat({hex("00000005"), t3, hex("00000009"), t3});
  Bytes mp = cat({hex("0019 46 04 0aff0001 00"), nlri});
  Bytes b = update_msg({}, cat({attr(0x90, 14, mp), attr(0x40, 1, {0}), attr(0x50, 2, {})}), {});
  DecodeContext ctx;
  ctx.add_path_rx_evpn = true;
  Update u = decode_update_ok(b, ctx);
  ASSERT_TRUE(u.mp_reach);
  EXPECT_EQ(u.mp_reach->evpn.size(), 2u);
  EXPECT_EQ(u.mp_reach->path_ids, (std::vector<uint32_t>{5, 9}));
  EncodeContext ectx;
  ectx.add_path_tx_evpn = true;
  EXPECT_EQ(encode_message(u, ectx), b);
}

TEST(Update, TreatAsWithdraw_KeepsAllParsedNlri) {
  // MED of length 3 (RFC 7606 §7.4) in an UPDATE announcing two prefixes.
  Bytes b = update_msg({}, cat({base_attrs(), attr(0x80, 4, {0, 0, 1})}), hex("10 0a01 10 0a02"));
  Update u = decode_update_ok(b);
  EXPECT_TRUE(u.treat_as_withdraw);
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].action, ErrorAction::kTreatAsWithdraw);
  EXPECT_EQ(u.errors[0].attribute_type, 4);
  EXPECT_EQ(u.errors[0].data, hex("800403000001"));  // the whole attribute (RFC 4271 §6.3)
  EXPECT_EQ(u.nlri.size(), 2u);
  EXPECT_FALSE(u.attrs.med);
}

TEST(Update, MissingWellKnown_DataIsTheTypeCode) {
  Update u = decode_update_ok(update_msg({}, cat({attr(0x40, 1, {0}), attr(0x40, 3, {1, 2, 3, 4})}), hex("08 0a")));
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].subcode, subcode::kMissingWellKnown);
  EXPECT_EQ(u.errors[0].data, Bytes{2});
  EXPECT_TRUE(u.treat_as_withdraw);
}

TEST(Update, AttrOrder_AbsentEntriesSkippedNewAttributesAppended) {
  Update u = decode_update_ok(update_msg({}, base_attrs(), hex("08 0a")));
  u.attrs.next_hop.reset();                 // in attr_order, now absent
  u.attrs.communities = {0xFDE80001};       // new: appended in FRR order
  u.mp_reach = MpReach{kIpv4Unicast, ip("10.0.0.9"), {}, {}, {pfx("10.9.0.0/16")}};  // new
  Update back = decode_update_ok(encode_message(u, EncodeContext{}));
  EXPECT_EQ(back.attr_order, (std::vector<uint8_t>{1, 2, 14, 8}));
  EXPECT_EQ(back.attrs.communities, u.attrs.communities);
}

TEST(Update, LongAttributeWithoutRecordedFlags_WidenedToExtendedLength) {
  Update u = decode_update_ok(update_msg({}, base_attrs(), hex("08 0a")));
  for (uint32_t i = 0; i < 70; ++i) u.attrs.communities.push_back(i + 1);  // 280 octets
  Bytes b = encode_message(u, EncodeContext{});
  Update back = decode_update_ok(b);
  EXPECT_EQ(back.attrs.communities, u.attrs.communities);
  ASSERT_EQ(back.attr_flags.back(), 0xd0);  // Optional, Transitive, Extended Length
  EXPECT_EQ(encode_message(back, EncodeContext{}), b);
}

TEST(Update, ManyEvpnRoutes_PackedAndDecodedBack) {
  Update u;
  MpReach r;
  r.next_hop = ip("10.255.0.1");
  for (uint32_t i = 0; i < 1400; ++i) {
    MacIpAdvertisement m;
    m.rd = Rd::type1(ip("10.255.0.1"), 3);
    uint8_t mac[6] = {2, 0, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i), 1};
    m.mac = Mac(mac);
    m.ip = IpAddress::v4(0xC0A80000u + i);
    m.label1 = 100;
    m.label2 = 5000;
    r.evpn.push_back(m);
  }
  u.mp_reach = std::move(r);
  u.attrs.origin = Origin::kIgp;
  u.attrs.as_path = AsPath{};
  u.attrs.local_pref = 100;
  Bytes out;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    out.clear();
    encode_message(u, EncodeContext{true, true, false}, out);
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out.size(), 19u + 4 + 4 + 9 + 1400 * 42 + 4 + 4 + 7);
  DecodeContext ctx;
  ctx.extended_message = true;
  Update back = decode_update_ok(out, ctx);
  ASSERT_TRUE(back.mp_reach);
  EXPECT_EQ(back.mp_reach->evpn, u.mp_reach->evpn);
  RecordProperty("encode_us_per_update", std::to_string(us / 10));
}

}  // namespace
}  // namespace evpnd::wire::test

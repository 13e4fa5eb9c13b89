// Header, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH (RFC 4271 §4, RFC 7313, RFC 8203, RFC 8538).
#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

TEST(Keepalive, Encode_Is19OctetsWithAllOnesMarker) {
  Bytes b = encode_message(Keepalive{}, EncodeContext{});
  EXPECT_EQ(to_hex(b), "ffffffffffffffffffffffffffffffff001304");
  auto m = decode_message(b, DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(*m));
}

TEST(Header, PeekHeader_ValidUpdate_ReturnsLength) {
  Bytes b = update_msg({}, {}, {});
  auto len = peek_header(b, DecodeContext{});
  ASSERT_TRUE(len);
  EXPECT_EQ(*len, 23);
}

TEST(Header, PeekHeader_ShorterThanHeader_BadMessageLength) {
  Bytes b(18, 0xFF);
  auto len = peek_header(b, DecodeContext{});
  ASSERT_FALSE(len);
  EXPECT_EQ(len.error().code, 1);
  EXPECT_EQ(len.error().subcode, subcode::kBadMessageLength);
}

TEST(Header, BadLength_DataIsTheLengthField) {
  Bytes b = message(4, {0});  // KEEPALIVE of 20 octets
  auto m = decode_message(b, DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().subcode, subcode::kBadMessageLength);
  EXPECT_EQ(m.error().data, (Bytes{0, 20}));
}

TEST(Header, BadType_DataIsTheType) {
  auto m = decode_message(message(9, {}), DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().subcode, subcode::kBadMessageType);
  EXPECT_EQ(m.error().data, Bytes{9});
}

TEST(Header, ExtendedMessage_AllowsLargeUpdateOnlyWhenNegotiated) {
  Bytes b = update_msg({}, {}, Bytes(5000, 0));  // 5000 /0 prefixes
  DecodeContext plain, ext;
  ext.extended_message = true;
  EXPECT_FALSE(peek_header(b, plain));
  auto len = peek_header(b, ext);
  ASSERT_TRUE(len);
  EXPECT_EQ(*len, 5023);
}

TEST(Header, DecodeMessage_BufferLongerThanMessage_BadLength) {
  Bytes b = encode_message(Keepalive{}, EncodeContext{});
  b.push_back(0);
  auto m = decode_message(b, DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().subcode, subcode::kBadMessageLength);
}

TEST(Header, EncodeMessage_AppendsToExistingBuffer) {
  Bytes out;
  encode_message(Keepalive{}, EncodeContext{}, out);
  encode_message(Keepalive{}, EncodeContext{}, out);
  ASSERT_EQ(out.size(), 38u);
  EXPECT_EQ(out[17], 19);
  EXPECT_EQ(out[19 + 17], 19);
}

TEST(MessageType, Names) {
  EXPECT_STREQ(message_type_name(MessageType::kOpen), "OPEN");
  EXPECT_STREQ(message_type_name(MessageType::kUpdate), "UPDATE");
  EXPECT_STREQ(message_type_name(MessageType::kNotification), "NOTIFICATION");
  EXPECT_STREQ(message_type_name(MessageType::kKeepalive), "KEEPALIVE");
  EXPECT_STREQ(message_type_name(MessageType::kRouteRefresh), "ROUTE-REFRESH");
}

TEST(Notification, RoundTrip_KeepsCodeSubcodeData) {
  Notification n{3, subcode::kMalformedAsPath, {1, 2, 3}};
  Bytes b = encode_message(n, EncodeContext{});
  EXPECT_EQ(to_hex(b), "ffffffffffffffffffffffffffffffff001803030b010203");
  auto m = decode_message(b, DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Notification>(*m), n);
}

TEST(Notification, ToString_NamesCodeAndSubcode) {
  EXPECT_EQ((Notification{6, 4, {}}).to_string(), "Cease/Administrative Reset");
  EXPECT_EQ((Notification{3, 11, {}}).to_string(), "UPDATE Message Error/Malformed AS_PATH");
  EXPECT_EQ((Notification{1, 2, {0, 5}}).to_string(), "Message Header Error/Bad Message Length [data 0005]");
  EXPECT_EQ((Notification{42, 1, {}}).to_string(), "Unknown Error/Unknown Subcode");
}

TEST(Notification, ToString_ShutdownCommunication_Rfc8203) {
  std::string text = "maintenance \"window\"";
  Bytes data{uint8_t(text.size())};
  data.insert(data.end(), text.begin(), text.end());
  Notification n{6, subcode::kCeaseAdminShutdown, data};
  EXPECT_EQ(n.shutdown_communication(), text);
  EXPECT_EQ(n.to_string(), "Cease/Administrative Shutdown: \"maintenance \\x22window\\x22\"");
  // A length octet running past the data is not a valid communication.
  Notification bad{6, subcode::kCeaseAdminReset, {10, 'a'}};
  EXPECT_FALSE(bad.shutdown_communication());
  EXPECT_EQ(bad.to_string(), "Cease/Administrative Reset");
}

TEST(Notification, ToString_HardReset_Rfc8538NamesInnerCause) {
  // FRR's NOTIFICATION in frame 1 of bgp-evpn.pcap: Cease/Hard Reset wrapping Cease/Admin Reset.
  auto m = decode_message(hex("ffffffffffffffffffffffffffffffff00170306090604"), DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Notification>(*m).to_string(), "Cease/Hard Reset (Cease/Administrative Reset)");
}

TEST(Notification, Names_AllRfcCodesAndSubcodes) {
  for (uint8_t code = 1; code <= 8; ++code) EXPECT_STRNE(notify_code_name(code), "Unknown Error");
  for (uint8_t s = 1; s <= 3; ++s) EXPECT_STRNE(notify_subcode_name(1, s), "Unknown Subcode");
  for (uint8_t s : {1, 2, 3, 4, 6, 7}) EXPECT_STRNE(notify_subcode_name(2, s), "Unknown Subcode");
  for (uint8_t s = 1; s <= 11; ++s) EXPECT_STRNE(notify_subcode_name(3, s), "Unknown Subcode");
  for (uint8_t s = 1; s <= 10; ++s) EXPECT_STRNE(notify_subcode_name(6, s), "Unknown Subcode");
  EXPECT_STREQ(notify_subcode_name(6, 1), "Maximum Number of Prefixes Reached");
  EXPECT_STREQ(notify_subcode_name(6, 7), "Connection Collision Resolution");
  EXPECT_STREQ(notify_subcode_name(6, 10), "BFD Down");
  EXPECT_STREQ(notify_subcode_name(7, 1), "Invalid Message Length");
  EXPECT_STREQ(notify_subcode_name(5, 3), "Receive Unexpected Message in Established State");
  EXPECT_STREQ(notify_subcode_name(2, 12), "Unknown Subcode");
  EXPECT_STREQ(to_string(ErrorAction::kTreatAsWithdraw), "treat-as-withdraw");
  EXPECT_STREQ(to_string(ErrorAction::kSessionReset), "session-reset");
  EXPECT_STREQ(to_string(ErrorAction::kAttributeDiscard), "attribute-discard");
}

TEST(Notification, TooShort_BadMessageLength) {
  auto m = decode_message(message(3, {6}), DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 1);
  EXPECT_EQ(m.error().subcode, subcode::kBadMessageLength);
}

TEST(RouteRefresh, RoundTrip_AllRfc7313Subtypes) {
  for (uint8_t st : {0, 1, 2}) {
    RouteRefresh rr{kL2vpnEvpn, st};
    Bytes b = encode_message(rr, EncodeContext{});
    ASSERT_EQ(b.size(), 23u);
    EXPECT_EQ(to_hex(ByteView(b).subspan(19)), "0019" + to_hex(ByteView(&st, 1)) + "46");
    auto m = decode_message(b, DecodeContext{});
    ASSERT_TRUE(m);
    EXPECT_EQ(std::get<RouteRefresh>(*m), rr);
  }
}

TEST(RouteRefresh, UnknownSubtype_DecodedForTheFsmToIgnore) {
  auto m = decode_message(message(5, {0, 1, 9, 1}), DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<RouteRefresh>(*m).subtype, 9);
  EXPECT_EQ(std::get<RouteRefresh>(*m).afi_safi, kIpv4Unicast);
}

TEST(RouteRefresh, EorrOfWrongLength_InvalidMessageLengthWithWholeMessage) {
  Bytes b = message(5, {0, 25, 2, 70, 0, 0});
  auto m = decode_message(b, DecodeContext{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 7);
  EXPECT_EQ(m.error().subcode, subcode::kInvalidMessageLength);
  EXPECT_EQ(m.error().data, b);
}

TEST(RouteRefresh, NormalRequestWithOrfs_Accepted) {
  auto m = decode_message(message(5, {0, 25, 0, 70, 1, 0, 0}), DecodeContext{});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<RouteRefresh>(*m).subtype, 0);
}

// fuzz/corpus/fuzz_message/regress-route-refresh-trailing: an unknown subtype (0x87) with one
// octet after the SAFI. ORF entries and trailing octets are not modelled (RFC 5291 is not
// supported), so the re-encoding is the 23-octet message: the one non-UPDATE normalisation.
TEST(RouteRefresh, UnknownSubtypeWithTrailingOctet_ReencodedWithout) {
  const Bytes b = message(5, {0x00, 0x19, 0x87, 0x46, 0x00});
  auto m = decode_message(b, DecodeContext{});
  ASSERT_TRUE(m);
  const RouteRefresh rr = std::get<RouteRefresh>(*m);
  EXPECT_EQ(rr.subtype, 0x87);
  EXPECT_EQ(rr.afi_safi, kL2vpnEvpn);
  const Bytes again = encode_message(rr, EncodeContext{});
  EXPECT_EQ(again, message(5, {0x00, 0x19, 0x87, 0x46}));
  auto back = decode_message(again, DecodeContext{});
  ASSERT_TRUE(back);
  EXPECT_EQ(std::get<RouteRefresh>(*back), rr);
}

}  // namespace
}  // namespace evpnd::wire::test

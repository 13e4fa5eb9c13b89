#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"

using namespace evpnd;

TEST(IpAddress, ParseFormat_V4V6_RoundTrip) {
  EXPECT_EQ(IpAddress::parse("10.255.0.1")->to_string(), "10.255.0.1");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("10.255.0"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_EQ(IpAddress::parse("10.0.0.1")->v4_host_order(), 0x0A000001u);
}

TEST(IpPrefix, Parse_HostBitsCleared) {
  auto p = IpPrefix::parse("192.168.100.7/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "192.168.100.0/24");
  EXPECT_TRUE(p->contains(*IpAddress::parse("192.168.100.200")));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_EQ(IpPrefix::parse("2001:db8:ffff::/33")->to_string(), "2001:db8:8000::/33");
}

TEST(Mac, ParseFormat_RoundTrip) {
  auto m = Mac::parse("02:00:00:00:01:10");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to_string(), "02:00:00:00:01:10");
  EXPECT_FALSE(Mac::parse("02:00:00:00:01"));
  EXPECT_FALSE(Mac::parse("02:00:00:00:01:1g"));
}

TEST(Rd, AllTypes_ParseFormat) {
  EXPECT_EQ(Rd::parse("10.255.0.1:2")->to_string(), "10.255.0.1:2");
  EXPECT_EQ(Rd::parse("10.255.0.1:2")->type(), 1);
  EXPECT_EQ(Rd::parse("65000:100")->type(), 0);
  EXPECT_EQ(Rd::parse("4200000000:7")->type(), 2);
  EXPECT_EQ(Rd::parse("4200000000:7")->to_string(), "4200000000:7");
  EXPECT_FALSE(Rd::parse("4200000000:70000"));
  EXPECT_FALSE(Rd::parse("nonsense"));
}

TEST(RouteTarget, As2As4Ipv4_WireBytes) {
  auto rt = RouteTarget::parse("65000:100");
  ASSERT_TRUE(rt);
  const uint8_t want[8] = {0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100};
  EXPECT_EQ(0, memcmp(rt->data(), want, 8));
  EXPECT_EQ(RouteTarget::parse("65000L:100")->type(), 2);
  EXPECT_EQ(RouteTarget::parse("4200000000:100")->to_string(), "4200000000:100");
  EXPECT_EQ(RouteTarget::parse("10.0.0.1:5")->to_string(), "10.0.0.1:5");
}

TEST(Esi, ParseFormat) {
  auto e = Esi::parse("00:11:22:33:44:55:66:77:88:99");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(), "00:11:22:33:44:55:66:77:88:99");
  EXPECT_FALSE(Esi().type());
  EXPECT_TRUE(Esi().is_zero());
}

TEST(ByteReader, Truncated_ReadFailsWithoutConsuming) {
  const uint8_t b[3] = {1, 2, 3};
  ByteReader r(b, 3);
  EXPECT_FALSE(r.u32());
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_EQ(*r.u24(), 0x010203u);
  EXPECT_FALSE(r.u8());
}

TEST(Hex, ParseAndFormat) {
  EXPECT_EQ(to_hex(*parse_hex("ff 00:0a")), "ff000a");
  EXPECT_FALSE(parse_hex("f"));
  EXPECT_FALSE(parse_hex("zz"));
}

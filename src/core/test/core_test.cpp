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

TEST(Esi, Type0_Literal) {
  const Esi e = Esi::type0({0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99});
  EXPECT_EQ(e.to_string(), "00:11:22:33:44:55:66:77:88:99");
  EXPECT_EQ(e.type(), 0);
  EXPECT_FALSE(e.es_import_auto());  // RFC 7432 §7.6: types 1, 2, 3 only
}

TEST(Esi, Type1_LacpSystemMacAndPortKey) {
  // RFC 7432 §5: 0x01 | CE LACP system MAC (6) | port key (2) | 0x00.
  const Esi e = Esi::type1(*Mac::parse("00:11:22:33:44:55"), 0xABCD);
  EXPECT_EQ(e.to_string(), "01:00:11:22:33:44:55:ab:cd:00");
  EXPECT_EQ(*e.es_import_auto(), *Mac::parse("00:11:22:33:44:55"));
}

TEST(Esi, Type3_FrrSysMacAndEsId) {
  // FRR 8.4: evpn mh es-sys-mac 44:38:39:ff:ff:02 + es-id 2 (multihoming.md §2, seen on the wire).
  const auto e = Esi::type3(*Mac::parse("44:38:39:ff:ff:02"), 2);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(), "03:44:38:39:ff:ff:02:00:00:02");
  // FRR's type-4 carried ES-Import-Rt:44:38:39:ff:ff:02.
  EXPECT_EQ(*e->es_import_auto(), *Mac::parse("44:38:39:ff:ff:02"));
  EXPECT_EQ(Esi::type3(*Mac::parse("44:38:39:ff:ff:02"), 0xFFFFFF)->to_string(), "03:44:38:39:ff:ff:02:ff:ff:ff");
  EXPECT_FALSE(Esi::type3(*Mac::parse("44:38:39:ff:ff:02"), 0x1000000));  // 3 octets only
}

TEST(Esi, EsImportAuto_OnlyTypes1To3) {
  // Type 2 (root bridge MAC | priority | 0): octets 1-6 as well.
  EXPECT_EQ(*Esi::parse("02:aa:bb:cc:dd:ee:ff:80:00:00")->es_import_auto(), *Mac::parse("aa:bb:cc:dd:ee:ff"));
  EXPECT_FALSE(Esi::parse("04:0a:ff:00:01:00:00:00:01:00")->es_import_auto());  // router-ID
  EXPECT_FALSE(Esi::parse("05:00:00:fd:e8:00:00:00:01:00")->es_import_auto());  // AS-based
  EXPECT_FALSE(Esi().es_import_auto());
  EXPECT_FALSE(Esi::parse("ff:ff:ff:ff:ff:ff:ff:ff:ff:ff")->es_import_auto());
}

TEST(Esi, IsMax) {
  EXPECT_TRUE(Esi::parse("ff:ff:ff:ff:ff:ff:ff:ff:ff:ff")->is_max());
  EXPECT_FALSE(Esi::parse("ff:ff:ff:ff:ff:ff:ff:ff:ff:fe")->is_max());
  EXPECT_FALSE(Esi().is_max());
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

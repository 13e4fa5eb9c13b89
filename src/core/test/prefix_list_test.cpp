// Prefix lists: FRR `ip prefix-list` matching (lib/plist.c prefix_list_entry_match), one case per
// rule of prefix_list.hpp's header comment.
#include <gtest/gtest.h>

#include "core/prefix_list.hpp"

using namespace evpnd;

namespace {

IpPrefix pfx(const char* s) {
  auto p = IpPrefix::parse(s);
  EXPECT_TRUE(p) << s;
  return p.value_or(IpPrefix{});
}

PrefixListEntry entry(const char* prefix, std::optional<uint8_t> ge, std::optional<uint8_t> le,
                      bool permit = true) {
  return PrefixListEntry{pfx(prefix), ge, le, permit};
}

}  // namespace

TEST(PrefixList, NoGeNoLe_ExactLengthOnly) {
  auto e = entry("10.244.0.0/16", std::nullopt, std::nullopt);
  EXPECT_TRUE(matches(e, pfx("10.244.0.0/16")));
  EXPECT_FALSE(matches(e, pfx("10.244.1.0/24")));  // longer: not without le
  EXPECT_FALSE(matches(e, pfx("10.0.0.0/8")));     // shorter: never
  EXPECT_FALSE(matches(e, pfx("10.245.0.0/16")));  // same length, other bits
}

TEST(PrefixList, Le_FromPrefixLengthToLe) {
  auto e = entry("10.244.0.0/16", std::nullopt, 26);
  EXPECT_TRUE(matches(e, pfx("10.244.0.0/16")));
  EXPECT_TRUE(matches(e, pfx("10.244.1.0/24")));
  EXPECT_TRUE(matches(e, pfx("10.244.1.64/26")));
  EXPECT_FALSE(matches(e, pfx("10.244.1.64/27")));
  EXPECT_FALSE(matches(e, pfx("10.244.1.1/32")));
  EXPECT_FALSE(matches(e, pfx("10.0.0.0/8")));         // shorter than the entry's prefix
  EXPECT_FALSE(matches(e, pfx("10.245.1.0/24")));      // outside
  EXPECT_FALSE(matches(e, pfx("192.168.0.0/24")));
}

TEST(PrefixList, Ge_FromGeToFamilyMaximum) {
  auto e = entry("203.0.113.0/24", 32, std::nullopt);
  EXPECT_TRUE(matches(e, pfx("203.0.113.10/32")));
  EXPECT_FALSE(matches(e, pfx("203.0.113.0/24")));
  EXPECT_FALSE(matches(e, pfx("203.0.113.8/31")));
  EXPECT_FALSE(matches(e, pfx("203.0.114.10/32")));
  auto e28 = entry("203.0.113.0/24", 28, std::nullopt);
  EXPECT_TRUE(matches(e28, pfx("203.0.113.16/28")));
  EXPECT_TRUE(matches(e28, pfx("203.0.113.17/32")));  // ge alone: up to /32
  EXPECT_FALSE(matches(e28, pfx("203.0.113.0/27")));
}

TEST(PrefixList, GeAndLe_Range) {
  auto e = entry("10.0.0.0/8", 20, 24);
  EXPECT_FALSE(matches(e, pfx("10.0.0.0/8")));
  EXPECT_FALSE(matches(e, pfx("10.16.0.0/19")));
  EXPECT_TRUE(matches(e, pfx("10.16.0.0/20")));
  EXPECT_TRUE(matches(e, pfx("10.16.1.0/24")));
  EXPECT_FALSE(matches(e, pfx("10.16.1.0/25")));
}

TEST(PrefixList, GeEqualsPrefixLength_IncludesThePrefixItself) {
  auto e = entry("10.0.0.0/8", 8, std::nullopt);
  EXPECT_TRUE(matches(e, pfx("10.0.0.0/8")));
  EXPECT_TRUE(matches(e, pfx("10.1.2.3/32")));
}

TEST(PrefixList, GeZeroOnDefault_BehavesAsUnsetLikeFrr) {
  // FRR keeps ge/le 0 as "not given": `0.0.0.0/0 ge 0` is the default route only.
  auto e = entry("0.0.0.0/0", 0, std::nullopt);
  EXPECT_TRUE(matches(e, pfx("0.0.0.0/0")));
  EXPECT_FALSE(matches(e, pfx("10.0.0.0/8")));
}

TEST(PrefixList, AnyV4_MatchesEveryV4NoV6) {
  auto e = entry("0.0.0.0/0", std::nullopt, 32);
  EXPECT_TRUE(matches(e, pfx("0.0.0.0/0")));
  EXPECT_TRUE(matches(e, pfx("10.1.2.3/32")));
  EXPECT_TRUE(matches(e, pfx("192.0.2.0/24")));
  EXPECT_FALSE(matches(e, pfx("::/0")));
  EXPECT_FALSE(matches(e, pfx("2001:db8::/32")));
}

TEST(PrefixList, FamiliesNeverCross) {
  // ::/0 le 128 must not match IPv4 routes, even the all-zero default (same bytes, other family).
  auto e6 = entry("::/0", std::nullopt, 128);
  EXPECT_TRUE(matches(e6, pfx("2001:db8::/32")));
  EXPECT_TRUE(matches(e6, pfx("::/0")));
  EXPECT_FALSE(matches(e6, pfx("0.0.0.0/0")));
  EXPECT_FALSE(matches(e6, pfx("10.0.0.0/8")));
  auto e4 = entry("0.0.0.0/0", std::nullopt, std::nullopt);
  EXPECT_FALSE(matches(e4, pfx("::/0")));
}

TEST(PrefixList, Ipv6_LeAndGe) {
  auto e = entry("2001:db8::/32", 48, 64);
  EXPECT_FALSE(matches(e, pfx("2001:db8::/32")));
  EXPECT_TRUE(matches(e, pfx("2001:db8:1::/48")));
  EXPECT_TRUE(matches(e, pfx("2001:db8:1:2::/64")));
  EXPECT_FALSE(matches(e, pfx("2001:db8:1:2::1/128")));
  EXPECT_FALSE(matches(e, pfx("2001:db9:1::/48")));
  auto host = entry("2001:db8::/64", 128, std::nullopt);
  EXPECT_TRUE(matches(host, pfx("2001:db8::10/128")));
  EXPECT_FALSE(matches(host, pfx("2001:db8:0:1::10/128")));
}

TEST(PrefixList, UnsetEntryPrefix_MatchesNothing) {
  PrefixListEntry e;  // family none
  e.le = 32;
  EXPECT_FALSE(matches(e, pfx("0.0.0.0/0")));
  EXPECT_FALSE(matches(e, IpPrefix{}));
}

TEST(PrefixList, FirstMatchDecides) {
  PrefixList l;
  l.entries.push_back(entry("10.244.1.0/24", std::nullopt, 32, /*permit=*/false));
  l.entries.push_back(entry("10.244.0.0/16", std::nullopt, 26));
  EXPECT_FALSE(permits(l, pfx("10.244.1.0/26")));  // the deny comes first
  EXPECT_TRUE(permits(l, pfx("10.244.2.0/26")));
  // Reversed order: the permit wins for what both match.
  std::swap(l.entries[0], l.entries[1]);
  EXPECT_TRUE(permits(l, pfx("10.244.1.0/26")));
  EXPECT_FALSE(permits(l, pfx("10.244.1.1/32")));  // only the deny (le 32) matches
}

TEST(PrefixList, NoMatch_ImplicitDeny) {
  PrefixList l;
  l.entries.push_back(entry("10.244.0.0/16", std::nullopt, 26));
  EXPECT_FALSE(permits(l, pfx("192.168.0.0/24")));
  EXPECT_FALSE(permits(PrefixList{}, pfx("10.244.0.0/16")));  // empty list: deny all
}

TEST(PrefixList, KubernetesExample_PodBlocksAndServiceHostRoutes) {
  // docs/CONFIG.md's example: pod blocks le 26, Service /32s, everything else denied.
  PrefixList l;
  l.entries.push_back(entry("10.244.0.0/16", std::nullopt, 26));
  l.entries.push_back(entry("203.0.113.0/24", 32, std::nullopt));
  l.entries.push_back(entry("0.0.0.0/0", std::nullopt, 32, false));
  EXPECT_TRUE(permits(l, pfx("10.244.1.0/26")));
  EXPECT_TRUE(permits(l, pfx("203.0.113.10/32")));
  EXPECT_FALSE(permits(l, pfx("203.0.113.0/24")));
  EXPECT_FALSE(permits(l, pfx("0.0.0.0/0")));
  EXPECT_FALSE(permits(l, pfx("10.244.1.5/32")));
  EXPECT_FALSE(permits(l, pfx("2001:db8::/32")));  // no IPv6 entry: implicit deny
}

TEST(PrefixList, ToString_FrrOrder) {
  EXPECT_EQ(to_string(entry("10.244.0.0/16", std::nullopt, 26)), "10.244.0.0/16 le 26");
  EXPECT_EQ(to_string(entry("203.0.113.0/24", 32, std::nullopt)), "203.0.113.0/24 ge 32");
  EXPECT_EQ(to_string(entry("10.0.0.0/8", 20, 24)), "10.0.0.0/8 ge 20 le 24");
  EXPECT_EQ(to_string(entry("0.0.0.0/0", std::nullopt, 32, false)), "deny 0.0.0.0/0 le 32");
  EXPECT_EQ(to_string(entry("2001:db8::/32", std::nullopt, std::nullopt)), "2001:db8::/32");
}

// Route identity (route_key.hpp): the three forms agree — key_equal(a, b) exactly when the
// route_key bytes are equal, equal keys hash equally — over routes that differ in key fields
// and routes that differ only in path attributes (labels, ESI, gateway).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "wire/route_key.hpp"

namespace evpnd::wire {
namespace {

Rd rd(const char* s) { return *Rd::parse(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Esi esi(const char* s) { return *Esi::parse(s); }

MacIpAdvertisement mac_ip(const char* r, uint8_t last, const char* addr, uint32_t label) {
  MacIpAdvertisement m;
  m.rd = rd(r);
  const uint8_t mac[6] = {0x02, 0, 0, 0, 1, last};
  m.mac = Mac(mac);
  if (addr) m.ip = ip(addr);
  m.label1 = label;
  return m;
}

std::vector<EvpnRoute> sample() {
  std::vector<EvpnRoute> v;
  v.push_back(mac_ip("10.0.0.1:2", 1, "192.168.0.1", 100));
  v.push_back(mac_ip("10.0.0.1:2", 1, "192.168.0.1", 200));  // label only: same key
  auto with_esi = mac_ip("10.0.0.1:2", 1, "192.168.0.1", 100);
  with_esi.esi = esi("00:11:22:33:44:55:66:77:88:99");  // ESI of a type 2: attribute
  v.push_back(with_esi);
  v.push_back(mac_ip("10.0.0.1:3", 1, "192.168.0.1", 100));   // RD
  v.push_back(mac_ip("10.0.0.1:2", 2, "192.168.0.1", 100));   // MAC
  v.push_back(mac_ip("10.0.0.1:2", 1, nullptr, 100));         // no IP
  v.push_back(mac_ip("10.0.0.1:2", 1, "2001:db8::1", 100));   // IPv6
  auto tagged = mac_ip("10.0.0.1:2", 1, "192.168.0.1", 100);
  tagged.ethernet_tag = 7;
  v.push_back(tagged);
  v.push_back(InclusiveMulticast{rd("10.0.0.1:2"), 0, ip("10.0.0.1")});
  v.push_back(InclusiveMulticast{rd("10.0.0.1:2"), 0, ip("10.0.0.2")});
  v.push_back(EthernetAutoDiscovery{rd("10.0.0.1:2"), esi("00:11:22:33:44:55:66:77:88:99"), 0, 100});
  v.push_back(EthernetAutoDiscovery{rd("10.0.0.1:2"), esi("00:11:22:33:44:55:66:77:88:99"), 0, 200});
  v.push_back(EthernetAutoDiscovery{rd("10.0.0.1:2"), esi("00:11:22:33:44:55:66:77:88:98"), 0, 100});
  v.push_back(EthernetSegment{rd("10.0.0.1:2"), esi("00:11:22:33:44:55:66:77:88:99"), ip("10.0.0.1")});
  IpPrefixRoute p5;
  p5.rd = rd("1:1");
  p5.prefix = *IpPrefix::parse("10.0.0.0/24");
  p5.label = 5000;
  v.push_back(p5);
  p5.label = 6000;
  p5.gateway = ip("10.0.0.1");  // gateway IP overlay index: attribute (RFC 9136 §3.1)
  v.push_back(p5);
  p5.prefix = *IpPrefix::parse("10.0.0.0/25");
  v.push_back(p5);
  p5.prefix = *IpPrefix::parse("::/0");
  v.push_back(p5);
  p5.prefix = *IpPrefix::parse("0.0.0.0/0");
  v.push_back(p5);
  v.push_back(UnknownEvpnRoute{7, {1, 2}});
  v.push_back(UnknownEvpnRoute{7, {1, 3}});
  v.push_back(UnknownEvpnRoute{8, {1, 2}});
  return v;
}

TEST(RouteKey, KeyEqual_AgreesWithRouteKeyBytes_EqualKeysHashEqually) {
  const auto all = sample();
  size_t equal_pairs = 0;
  for (const auto& x : all)
    for (const auto& y : all) {
      const bool same = route_key(x) == route_key(y);
      EXPECT_EQ(key_equal(x, y), same) << to_string(x) << " vs " << to_string(y);
      if (same) {
        EXPECT_EQ(key_hash(x), key_hash(y)) << to_string(x);
        ++equal_pairs;
      }
    }
  // Beyond the diagonal, the attribute-only variants are the same route: the three type-2s
  // (label, ESI) give 6 ordered pairs, the type-1 pair (label) 2, the type-5 pair (label and
  // gateway) 2.
  EXPECT_EQ(equal_pairs, all.size() + 10);
}

TEST(RouteKey, DistinctKeys_HashesSpread) {
  // Not a correctness requirement, but a table's speed depends on it: the sample's distinct
  // keys get distinct hashes.
  std::map<std::string, size_t> by_key;  // hex: GCC 12 -O3 warns falsely on vector<uint8_t> <=>
  for (const auto& r : sample()) by_key.emplace(to_hex(route_key(r)), key_hash(r));
  std::set<size_t> hashes;
  for (const auto& [k, h] : by_key) hashes.insert(h);
  EXPECT_EQ(hashes.size(), by_key.size());
}

TEST(RouteKey, Unicast_PrefixIsTheKey_FamiliesApart) {
  auto p = [](const char* s) { return *IpPrefix::parse(s); };
  EXPECT_TRUE(key_equal(p("10.1.2.3/24"), p("10.1.2.0/24")));  // host bits are not key
  EXPECT_EQ(key_hash(p("10.1.2.3/24")), key_hash(p("10.1.2.0/24")));
  EXPECT_FALSE(key_equal(p("10.1.2.0/24"), p("10.1.2.0/25")));
  EXPECT_FALSE(key_equal(p("0.0.0.0/0"), p("::/0")));
  EXPECT_NE(key_hash(p("0.0.0.0/0")), key_hash(p("::/0")));
  EXPECT_NE(key_hash(p("10.1.2.0/24")), key_hash(p("10.1.2.0/25")));
}

}  // namespace
}  // namespace evpnd::wire

// RFC 4271 §5 through the reflector: the Partial bit of a recognised optional transitive
// attribute, once set by a previous AS, "MUST NOT be set back to 0" when the path is passed on;
// an unrecognised optional transitive attribute is passed on with Partial set to 1.
#include "raw_rr.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

using Partial = RawRr;

constexpr const char* kA = "127.0.0.2";
constexpr const char* kC = "127.0.0.4";

Bytes attr(uint8_t flags, uint8_t type, const Bytes& value) {
  Bytes a{flags, type};
  if (flags & wire::attr_flag::kExtendedLength) a.push_back(uint8_t(value.size() >> 8));
  a.push_back(uint8_t(value.size()));
  a.insert(a.end(), value.begin(), value.end());
  return a;
}

Bytes update_bytes(const Bytes& attrs) {
  Bytes m(16, 0xFF);
  const size_t len = wire::kHeaderSize + 4 + attrs.size();
  m.push_back(uint8_t(len >> 8));
  m.push_back(uint8_t(len));
  m.push_back(2);
  m.insert(m.end(), {0, 0, uint8_t(attrs.size() >> 8), uint8_t(attrs.size())});
  m.insert(m.end(), attrs.begin(), attrs.end());
  return m;
}

// The flags octet (without Extended Length) `u` carried attribute `type` with; 0 when absent.
uint8_t flags_of(const wire::Update& u, uint8_t type) {
  for (size_t i = 0; i < u.attr_order.size() && i < u.attr_flags.size(); ++i)
    if (u.attr_order[i] == type) return u.attr_flags[i] & uint8_t(~wire::attr_flag::kExtendedLength);
  return 0;
}

TEST_F(Partial, ReflectedRoute_PartialBitsKeptAndSetOnUnrecognised) {
  add(kA);
  add(kC);
  establish(kA);
  establish(kC);
  Bytes route;
  ByteWriter w(route);
  wire::encode_evpn_route(w, type2(5));
  Bytes mp{0, 25, 70, 4, 10, 0, 0, 1, 0};
  mp.insert(mp.end(), route.begin(), route.end());
  Bytes attrs;
  for (const Bytes& a : {attr(0x90, 14, mp), attr(0x40, 1, {0}), attr(0x40, 2, {}), attr(0x40, 5, {0, 0, 0, 100}),
                         attr(0xe0, 8, {0xfd, 0xe8, 0, 1}),                       // COMMUNITIES, Partial
                         attr(0xc0, 16, {0, 2, 0xfd, 0xe8, 0, 0, 0, 100}),        // EXT_COMMUNITIES, no Partial
                         attr(0xe0, 32, {0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2}),  // LARGE_COMMUNITIES, Partial
                         attr(0xc0, 99, {1, 2, 3})})                             // unrecognised, no Partial
    attrs.insert(attrs.end(), a.begin(), a.end());
  send_raw(kA, update_bytes(attrs));
  ASSERT_EQ(state(kA).prefixes_received, 1u);
  const wire::Update* got = nullptr;
  for (const auto* u : updates(kC))
    if (u->mp_reach && !u->mp_reach->evpn.empty()) got = u;
  ASSERT_NE(got, nullptr) << "route not reflected to C";
  EXPECT_EQ(got->mp_reach->evpn, std::vector<wire::EvpnRoute>{type2(5)});
  EXPECT_EQ(flags_of(*got, 8), 0xe0) << "Partial of COMMUNITIES set back to 0";
  EXPECT_EQ(flags_of(*got, 32), 0xe0) << "Partial of LARGE_COMMUNITIES set back to 0";
  EXPECT_EQ(flags_of(*got, 16), 0xc0) << "Partial set on a recognised attribute that did not have it";
  EXPECT_EQ(flags_of(*got, 99), 0xe0) << "unrecognised optional transitive attribute without Partial";
  EXPECT_EQ(got->attrs.unknown, (std::vector<wire::RawAttribute>{{0xe0, 99, {1, 2, 3}}}));
}

}  // namespace
}  // namespace evpnd::bgp

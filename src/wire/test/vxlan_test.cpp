// VXLAN header (RFC 7348 §5): hand-written bytes, invalid headers, and the two frames FRR's
// fabric sent (tests/vectors/captures/vxlan-icmp-*.txt) compared with tshark's decode.
#include <gtest/gtest.h>

#include "capture_file.hpp"
#include "core/mac.hpp"
#include "wire/vxlan.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

Bytes encode(const VxlanHeader& h) {
  Bytes b;
  ByteWriter w(b);
  encode_vxlan(h, w);
  return b;
}

// Ethernet (14) + IPv4 (IHL) + UDP (8): offset of the VXLAN header in a captured frame, after
// checking that the frame is IPv4/UDP to port 4789. 0 when it is not.
size_t vxlan_offset(const Bytes& f) {
  if (f.size() < 14 + 20 + 8 + 8 || f[12] != 0x08 || f[13] != 0x00) return 0;
  const size_t ihl = size_t(f[14] & 0x0F) * 4;
  if (f[14 + 9] != 17) return 0;
  const size_t udp = 14 + ihl;
  if (size_t(f[udp + 2] << 8 | f[udp + 3]) != kVxlanUdpPort) return 0;
  return udp + 8;
}

void check_capture(const std::string& name, Vni want) {
  const std::string path = evpnd::test::capture_path(name);
  Bytes frame = evpnd::test::capture_bytes(path);
  ASSERT_FALSE(frame.empty()) << path;
  const size_t at = vxlan_offset(frame);
  ASSERT_NE(at, 0u);
  auto h = decode_vxlan(ByteView(frame).subspan(at));
  ASSERT_TRUE(h);
  // tshark: "VXLAN Network Identifier (VNI): 100", "Flags: 0x0800, ..." (flags + 1st reserved).
  EXPECT_EQ(std::to_string(h->vni), evpnd::test::tshark_value(path, "VXLAN Network Identifier (VNI)"));
  EXPECT_EQ(h->vni, want);
  EXPECT_EQ(evpnd::test::tshark_value(path, "Flags", "Virtual eXtensible").substr(0, 6), "0x0800");
  EXPECT_EQ(h->flags, 0x08);
  EXPECT_EQ(encode(*h), Bytes(frame.begin() + long(at), frame.begin() + long(at) + 8));
  // The inner frame follows: its Ethernet source is what tshark shows for the inner header.
  const std::string inner_src = Mac(frame.data() + at + 8 + 6).to_string();
  EXPECT_NE(evpnd::test::tshark_value(path, "Source", "Virtual eXtensible").find(inner_src), std::string::npos);
}

}  // namespace

TEST(Vxlan, Encode_HandBytes) {
  EXPECT_EQ(to_hex(encode({0x08, 100})), "0800000000006400");
  EXPECT_EQ(to_hex(encode({0x08, 5000})), "0800000000138800");
  EXPECT_EQ(to_hex(encode({0x08, kMaxVni})), "08000000ffffff00");
}
TEST(Vxlan, Encode_ForcesIFlagAndMasksVni) {
  EXPECT_EQ(to_hex(encode({0x00, 0x1000064})), "0800000000006400");
}
TEST(Vxlan, Decode_HandBytes) {
  auto h = decode_vxlan(*parse_hex("08 00 00 00 00 13 88 00"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->vni, 5000u);
  EXPECT_EQ(h->flags, 0x08);
}
TEST(Vxlan, Decode_IFlagClear_Invalid) {
  EXPECT_FALSE(decode_vxlan(*parse_hex("00 00 00 00 00 00 64 00")));
  EXPECT_FALSE(decode_vxlan(*parse_hex("f7 00 00 00 00 00 64 00")));
}
TEST(Vxlan, Decode_ShortBuffer_Invalid) {
  EXPECT_FALSE(decode_vxlan(*parse_hex("08 00 00 00 00 00 64")));
  EXPECT_FALSE(decode_vxlan(ByteView()));
}
TEST(Vxlan, Decode_ReservedBitsIgnored) {
  // GBP (draft-smith-vxlan-group-policy) sets G (0x80) and a policy id in reserved bytes 2-3.
  auto h = decode_vxlan(*parse_hex("88 00 12 34 00 00 64 ff"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->vni, 100u);
  EXPECT_EQ(h->flags, 0x88);
  EXPECT_EQ(to_hex(encode(*h)), "8800000000006400");
}

TEST(VxlanCapture, Vni100Bridged_MatchesTshark) { check_capture("vxlan-icmp-vni100-bridged.txt", 100); }
TEST(VxlanCapture, Vni5000Routed_MatchesTshark) { check_capture("vxlan-icmp-vni5000-routed.txt", 5000); }

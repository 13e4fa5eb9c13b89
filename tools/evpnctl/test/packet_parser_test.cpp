// Decapsulation of synthetic frames for every supported link type, and reading of the FRR
// capture and of pcap files written here through libpcap.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "evpnctl/packet_parser.hpp"
#include "evpnctl/pcap_reader.hpp"
#include "evpnctl/tcp_reassembly.hpp"

namespace evpnctl {
namespace {

using evpnd::Bytes;
using evpnd::IpAddress;

const Bytes kPayload = {0xff, 0xff, 0x01, 0x02, 0x03};

// resize + memcpy rather than insert(): GCC 12 at -O3 reports false -Warray-bounds on insert.
void append(Bytes& out, const Bytes& more) {
  const size_t at = out.size();
  out.resize(at + more.size());
  std::memcpy(out.data() + at, more.data(), more.size());
}

// TCP header (20 bytes, or 24 with one MSS option) + payload.
Bytes tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, bool option = false) {
  Bytes t = {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8), uint8_t(dport),
             uint8_t(seq >> 24), uint8_t(seq >> 16), uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0, 0,
             uint8_t((option ? 6 : 5) << 4), flags, 0xff, 0xff, 0, 0, 0, 0};
  if (option) append(t, Bytes{2, 4, 0x05, 0xb4});
  append(t, kPayload);
  return t;
}

Bytes ipv4(const Bytes& l4, uint8_t proto = 6, uint16_t frag = 0x4000) {
  const size_t total = 20 + l4.size();
  Bytes p = {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, 1, uint8_t(frag >> 8), uint8_t(frag), 64, proto, 0, 0,
             10, 0, 0, 1, 10, 0, 0, 2};
  append(p, l4);
  return p;
}

// IPv6 with a hop-by-hop and a destination options header in front of TCP.
Bytes ipv6_with_ext(const Bytes& l4) {
  Bytes ext = {60, 0, 1, 4, 0, 0, 0, 0,   // hop-by-hop -> dest opts, 8 bytes (PadN)
               6, 1, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // dest opts -> TCP, 16 bytes
  const size_t plen = ext.size() + l4.size();
  Bytes p = {0x60, 0, 0, 0, uint8_t(plen >> 8), uint8_t(plen), 0 /* hop-by-hop */, 64};
  Bytes src(16, 0), dst(16, 0);
  src[0] = 0x20; src[1] = 0x01; src[15] = 1;
  dst[0] = 0x20; dst[1] = 0x01; dst[15] = 2;
  append(p, src);
  append(p, dst);
  append(p, ext);
  append(p, l4);
  return p;
}

Bytes ethernet(uint16_t type, const Bytes& pkt, bool vlan = false) {
  Bytes f(12, 0x02);
  if (vlan) append(f, Bytes{0x81, 0x00, 0x00, 0x64});
  f.push_back(uint8_t(type >> 8));
  f.push_back(uint8_t(type));
  append(f, pkt);
  return f;
}

void expect_segment(const tl::expected<TcpSegment, SkipReason>& s, const std::string& src, const std::string& dst,
                    uint32_t seq) {
  ASSERT_TRUE(s.has_value()) << to_string(s.error());
  EXPECT_EQ(s->src.to_string(), src);
  EXPECT_EQ(s->dst.to_string(), dst);
  EXPECT_EQ(s->seq, seq);
  EXPECT_EQ(Bytes(s->payload.begin(), s->payload.end()), kPayload);
  EXPECT_FALSE(s->truncated());
}

TEST(PacketParser, EthernetVlanIpv4WithPadding_PayloadWithoutPadding) {
  Bytes f = ethernet(0x0800, ipv4(tcp(179, 40000, 42, 0x18, true)), true);
  f.resize(f.size() + 6, 0);  // Ethernet minimum-size padding
  expect_segment(parse_tcp_segment(kLinkEthernet, f), "10.0.0.1:179", "10.0.0.2:40000", 42);
}

TEST(PacketParser, LinuxSllAndSll2_Decoded) {
  const Bytes pkt = ipv4(tcp(1000, 2000, 7, 0x18));
  Bytes sll(14, 0);
  append(sll, Bytes{0x08, 0x00});
  append(sll, pkt);
  expect_segment(parse_tcp_segment(kLinkLinuxSll, sll), "10.0.0.1:1000", "10.0.0.2:2000", 7);
  Bytes sll2 = {0x08, 0x00};
  sll2.resize(20, 0);
  append(sll2, pkt);
  expect_segment(parse_tcp_segment(kLinkLinuxSll2, sll2), "10.0.0.1:1000", "10.0.0.2:2000", 7);
}

TEST(PacketParser, RawIpv6WithExtensionHeaders_ReachesTcp) {
  const Bytes pkt = ipv6_with_ext(tcp(179, 51000, 99, 0x18));
  expect_segment(parse_tcp_segment(kLinkRaw, pkt), "[2001::1]:179", "[2001::2]:51000", 99);
  expect_segment(parse_tcp_segment(kLinkIpv6, pkt), "[2001::1]:179", "[2001::2]:51000", 99);
}

TEST(PacketParser, NullLoopbackBothByteOrders_Decoded) {
  const Bytes pkt = ipv4(tcp(5, 6, 1, 0x18));
  Bytes le = {2, 0, 0, 0};
  append(le, pkt);
  expect_segment(parse_tcp_segment(kLinkNull, le), "10.0.0.1:5", "10.0.0.2:6", 1);
  Bytes be = {0, 0, 0, 2};
  append(be, pkt);
  expect_segment(parse_tcp_segment(kLinkLoop, be), "10.0.0.1:5", "10.0.0.2:6", 1);
  const Bytes v6 = ipv6_with_ext(tcp(5, 6, 1, 0x18));
  Bytes linux6 = {10, 0, 0, 0};
  append(linux6, v6);
  expect_segment(parse_tcp_segment(kLinkNull, linux6), "[2001::1]:5", "[2001::2]:6", 1);
}

TEST(PacketParser, NonTcpFragmentsAndGarbage_Skipped) {
  EXPECT_EQ(parse_tcp_segment(kLinkRaw, ipv4(Bytes(8, 0), 17)).error(), SkipReason::kNotTcp);
  EXPECT_EQ(parse_tcp_segment(kLinkRaw, ipv4(tcp(1, 2, 3, 0), 6, 0x2000)).error(), SkipReason::kFragment);
  EXPECT_EQ(parse_tcp_segment(kLinkRaw, ipv4(tcp(1, 2, 3, 0), 6, 0x0010)).error(), SkipReason::kFragment);
  EXPECT_EQ(parse_tcp_segment(kLinkEthernet, ethernet(0x0806, Bytes(28, 0))).error(), SkipReason::kNotIp);
  EXPECT_EQ(parse_tcp_segment(kLinkRaw, Bytes{0x45, 0, 0}).error(), SkipReason::kMalformed);
  Bytes bad_offset = ipv4(tcp(1, 2, 3, 0));
  bad_offset[20 + 12] = 0xf0;  // data offset 60 > segment
  EXPECT_EQ(parse_tcp_segment(kLinkRaw, bad_offset).error(), SkipReason::kMalformed);
  EXPECT_EQ(parse_tcp_segment(147, Bytes(40, 0)).error(), SkipReason::kUnsupportedLink);
  EXPECT_FALSE(link_type_supported(147));
}

TEST(PacketParser, SnapLengthCutsPayload_ReportedTruncated) {
  Bytes pkt = ipv4(tcp(1, 2, 3, 0x18));
  pkt.resize(pkt.size() - 2);
  auto s = parse_tcp_segment(kLinkRaw, pkt);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->truncated());
  EXPECT_EQ(s->payload.size(), kPayload.size() - 2);
  EXPECT_EQ(s->payload_length, kPayload.size());
}

TEST(PcapReader, MissingAndNonCaptureFiles_ReportErrors) {
  EXPECT_FALSE(PcapReader::open("/nonexistent/x.pcap").has_value());
  EXPECT_FALSE(PcapReader::open(std::string(EVPND_SOURCE_DIR) + "/CMakeLists.txt").has_value());
}

TEST(PcapReader, FrrCapture_ThirtyOneBgpMessagesWithFrames) {
  auto reader = PcapReader::open(std::string(EVPND_CAPTURES_DIR) + "/bgp-evpn.pcap");
  ASSERT_TRUE(reader.has_value()) << reader.error();
  ASSERT_EQ(reader->link_type(), kLinkEthernet);
  TcpFlowTable flows;
  std::vector<FlowMessage> out;
  uint64_t frames = 0;
  Timestamp first;
  while (auto f = reader->next()) {
    if (++frames == 1) first = f->time;
    auto seg = parse_tcp_segment(reader->link_type(), f->data);
    ASSERT_TRUE(seg.has_value());
    flows.add(*seg, SegmentMeta{f->number, f->time}, out);
  }
  std::vector<std::string> warnings;
  flows.finish(out, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE(reader->error().empty());
  EXPECT_EQ(frames, 14u);
  ASSERT_EQ(out.size(), 31u);  // 9 single-message frames, 7 + 8 + 5 UPDATEs, 2 KEEPALIVEs
  for (const auto& m : out) EXPECT_EQ(m.message.skipped_before, 0u);
  EXPECT_EQ(out[0].flow.src.to_string(), "10.255.0.254:36401");
  EXPECT_EQ(out[0].message.bytes[18], 3);  // NOTIFICATION
  EXPECT_EQ(out[9].message.meta.frame, 10u);
  EXPECT_EQ(out[9].message.bytes.size(), 121u);
  EXPECT_EQ(out[30].message.meta.frame, 14u);
  // pcapng keeps nanoseconds (Wireshark: Nov 25, 2026 09:05:14.746887059 UTC for frame 1).
  EXPECT_EQ(first.to_string().substr(0, 20), "2026-11-25T09:05:14.");
  EXPECT_EQ(first.to_string().size(), 30u);
}

TEST(PcapReader, WrittenSll2Capture_ReadBackWithTimestamps) {
  const std::string path = ::testing::TempDir() + "evpnctl_sll2.pcap";
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(kLinkLinuxSll2, 65535, PCAP_TSTAMP_PRECISION_NANO);
  ASSERT_NE(dead, nullptr);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  ASSERT_NE(d, nullptr);
  Bytes frame = {0x86, 0xdd};
  frame.resize(20, 0);
  const Bytes pkt = ipv6_with_ext(tcp(179, 33000, 5, 0x18));
  append(frame, pkt);
  pcap_pkthdr h{};
  h.ts.tv_sec = 86400;
  h.ts.tv_usec = 123456789;  // nanoseconds in a nano-precision file
  h.caplen = h.len = uint32_t(frame.size());
  pcap_dump(reinterpret_cast<u_char*>(d), &h, frame.data());
  pcap_dump_close(d);
  pcap_close(dead);

  auto reader = PcapReader::open(path);
  ASSERT_TRUE(reader.has_value()) << reader.error();
  EXPECT_EQ(reader->link_type(), kLinkLinuxSll2);
  auto f = reader->next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->number, 1u);
  EXPECT_EQ(f->time.to_string(), "1970-01-02T00:00:00.123456789Z");
  expect_segment(parse_tcp_segment(reader->link_type(), f->data), "[2001::1]:179", "[2001::2]:33000", 5);
  EXPECT_FALSE(reader->next().has_value());
  EXPECT_TRUE(reader->error().empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace evpnctl

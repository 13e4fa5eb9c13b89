// Reassembly and framing with synthetic segments: split messages, several messages per segment,
// out-of-order delivery, retransmissions, holes, mid-stream starts and sequence wrap-around.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "evpnctl/bgp_framer.hpp"
#include "evpnctl/tcp_reassembly.hpp"

namespace evpnctl {
namespace {

using evpnd::Bytes;
using evpnd::ByteView;

// A BGP message of `len` bytes whose body bytes all equal `fill` (the framer ignores content).
Bytes bgp(uint16_t len, uint8_t type = 2, uint8_t fill = 0xab) {
  Bytes m(16, 0xff);
  m.push_back(uint8_t(len >> 8));
  m.push_back(uint8_t(len));
  m.push_back(type);
  m.resize(len, fill);
  return m;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

ByteView slice(const Bytes& b, size_t from, size_t n) { return ByteView(b).subspan(from, n); }

SegmentMeta meta(uint64_t frame) { return SegmentMeta{frame, Timestamp{1000, uint32_t(frame)}}; }

const Endpoint kA{evpnd::IpAddress::v4(0x0a000001), 40000};
const Endpoint kB{evpnd::IpAddress::v4(0x0a000002), 179};

TcpSegment segment(const Endpoint& src, const Endpoint& dst, uint32_t seq, ByteView payload, uint8_t flags = 0) {
  TcpSegment s;
  s.payload_length = uint32_t(payload.size());
  s.src = src;
  s.dst = dst;
  s.seq = seq;
  s.flags = flags;
  s.payload = payload;
  return s;
}

// Feeds segments of one direction through a flow table and collects the messages.
struct Harness {
  TcpFlowTable table;
  std::vector<FlowMessage> out;
  void add(uint32_t seq, ByteView payload, uint64_t frame, uint8_t flags = 0) {
    table.add(segment(kA, kB, seq, payload, flags), meta(frame), out);
  }
  std::vector<std::string> finish() {
    std::vector<std::string> warnings;
    table.finish(out, warnings);
    return warnings;
  }
};

TEST(BgpFramer, SeveralMessagesInOneChunk_EmitsEachWithTheChunkFrame) {
  const Bytes data = cat({bgp(19, 4), bgp(60), bgp(23, 3)});
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(data, meta(7), out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].bytes, bgp(19, 4));
  EXPECT_EQ(out[1].bytes, bgp(60));
  EXPECT_EQ(out[2].bytes, bgp(23, 3));
  for (const auto& m : out) EXPECT_EQ(m.meta.frame, 7u);
  EXPECT_EQ(f.buffered(), 0u);
  EXPECT_EQ(f.skipped_total(), 0u);
}

TEST(BgpFramer, MessageSplitOverThreeChunks_EmittedByTheLastChunk) {
  const Bytes m = bgp(100);
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(slice(m, 0, 10), meta(1), out);  // inside the marker
  f.on_data(slice(m, 10, 50), meta(2), out);
  EXPECT_TRUE(out.empty());
  f.on_data(slice(m, 60, 40), meta(3), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, m);
  EXPECT_EQ(out[0].meta.frame, 3u);
}

TEST(BgpFramer, GarbageBeforeFirstMarker_SkipsAndReportsIt) {
  const Bytes data = cat({Bytes{1, 2, 3, 0xff, 0xff, 4}, bgp(19, 4)});
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(data, meta(1), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].skipped_before, 6u);
  EXPECT_EQ(out[0].bytes, bgp(19, 4));
}

TEST(BgpFramer, RunOfMoreThanSixteenOnes_ResyncsOnTheRealHeader) {
  // The tail of a previous message ending in 0xff bytes, then a real KEEPALIVE.
  const Bytes data = cat({Bytes(5, 0xff), bgp(19, 4)});
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(data, meta(1), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].skipped_before, 5u);
  EXPECT_EQ(out[0].bytes, bgp(19, 4));
}

TEST(BgpFramer, BadMarkerWhileSynced_ResyncsOnNextMessage) {
  Bytes broken = bgp(30);
  broken[3] = 0x00;
  const Bytes data = cat({bgp(19, 4), broken, bgp(25)});
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(data, meta(1), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].bytes, bgp(25));
  EXPECT_EQ(out[1].skipped_before, 30u);
}

TEST(BgpFramer, GapInsideMessage_DropsPartialAndResyncs) {
  const Bytes m = bgp(80);
  BgpFramer f;
  std::vector<FramedMessage> out;
  f.on_data(slice(m, 0, 40), meta(1), out);
  f.on_gap(20);
  f.on_data(cat({Bytes(m.begin() + 60, m.end()), bgp(19, 4)}), meta(3), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, bgp(19, 4));
  EXPECT_EQ(out[0].skipped_before, 40u + 20u + 20u);
}

TEST(TcpFlowTable, MessageSplitOverSegments_Reassembled) {
  const Bytes data = cat({bgp(19, 4), bgp(200), bgp(19, 4)});
  Harness h;
  h.add(1000, slice(data, 0, 50), 1);
  h.add(1050, slice(data, 50, 100), 2);
  h.add(1150, slice(data, 150, 88), 3);
  ASSERT_EQ(h.out.size(), 3u);
  EXPECT_EQ(h.out[0].message.meta.frame, 1u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(200));
  EXPECT_EQ(h.out[1].message.meta.frame, 3u);
  EXPECT_EQ(h.out[2].message.meta.frame, 3u);
  EXPECT_EQ(h.out[1].flow, (FlowKey{kA, kB}));
}

TEST(TcpFlowTable, OutOfOrderSegments_DeliveredInSequenceOrder) {
  const Bytes data = cat({bgp(40, 2, 1), bgp(40, 2, 2), bgp(40, 2, 3)});
  Harness h;
  h.add(500, slice(data, 0, 40), 1);
  h.add(580, slice(data, 80, 40), 2);  // third message arrives first
  EXPECT_EQ(h.out.size(), 1u);
  h.add(540, slice(data, 40, 40), 3);
  ASSERT_EQ(h.out.size(), 3u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(40, 2, 2));
  EXPECT_EQ(h.out[2].message.bytes, bgp(40, 2, 3));
  // The buffered segment completed its message when it was drained, i.e. with its own frame.
  EXPECT_EQ(h.out[1].message.meta.frame, 3u);
  EXPECT_EQ(h.out[2].message.meta.frame, 2u);
}

TEST(TcpFlowTable, RetransmittedSegments_DeliveredOnce) {
  const Bytes data = cat({bgp(30, 2, 1), bgp(30, 2, 2)});
  Harness h;
  h.add(10, slice(data, 0, 30), 1);
  h.add(10, slice(data, 0, 30), 2);   // exact retransmission
  h.add(10, slice(data, 0, 45), 3);   // retransmission with 15 new bytes
  h.add(40, slice(data, 30, 30), 4);  // overlaps the 15 bytes already delivered
  h.add(40, slice(data, 30, 30), 5);
  ASSERT_EQ(h.out.size(), 2u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(30, 2, 2));
  EXPECT_EQ(h.out[1].message.meta.frame, 4u);
  EXPECT_EQ(h.out[1].message.skipped_before, 0u);
}

TEST(TcpFlowTable, DuplicateOutOfOrderSegments_BufferedOnce) {
  const Bytes data = cat({bgp(30, 2, 1), bgp(30, 2, 2), bgp(30, 2, 3)});
  Harness h;
  h.add(0, slice(data, 0, 30), 1);
  h.add(60, slice(data, 60, 30), 2);
  h.add(60, slice(data, 60, 30), 3);
  h.add(50, slice(data, 50, 40), 4);  // overlaps the buffered segment
  h.add(30, slice(data, 30, 30), 5);
  ASSERT_EQ(h.out.size(), 3u);
  EXPECT_EQ(h.out[2].message.bytes, bgp(30, 2, 3));
  EXPECT_TRUE(h.finish().empty());
}

TEST(TcpFlowTable, SequenceNumbersWrap_StreamContinues) {
  const Bytes data = cat({bgp(40, 2, 1), bgp(40, 2, 2)});
  Harness h;
  const uint32_t start = 0xffffffffu - 20;
  h.add(start, slice(data, 0, 30), 1);
  h.add(start + 50, slice(data, 50, 30), 2);  // wraps past zero, out of order
  h.add(start + 30, slice(data, 30, 20), 3);
  ASSERT_EQ(h.out.size(), 2u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(40, 2, 2));
}

TEST(TcpFlowTable, SynSegment_DataStartsAfterIsn) {
  const Bytes m = bgp(19, 4);
  Harness h;
  h.add(7777, ByteView{}, 1, tcp_flag::kSyn);
  h.add(7778 + 19, m, 3);  // second KEEPALIVE arrives before the first
  EXPECT_TRUE(h.out.empty());
  h.add(7778, m, 2);
  ASSERT_EQ(h.out.size(), 2u);
  EXPECT_EQ(h.out[0].message.skipped_before, 0u);
}

TEST(TcpFlowTable, NewSynOnSameAddresses_RestartsTheStream) {
  const Bytes m = bgp(60);
  Harness h;
  h.add(100, ByteView{}, 1, tcp_flag::kSyn);
  h.add(101, slice(m, 0, 30), 2);  // connection dies mid-message
  h.add(9000, ByteView{}, 3, tcp_flag::kSyn);
  h.add(9001, m, 4);
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_EQ(h.out[0].message.meta.frame, 4u);
  EXPECT_EQ(h.out[0].message.skipped_before, 30u);
}

TEST(TcpFlowTable, CaptureStartsMidMessage_ResyncsOnMarker) {
  const Bytes data = cat({bgp(100), bgp(19, 4), bgp(50)});
  Harness h;
  h.add(123456, slice(data, 70, 60), 1);  // the last 30 bytes of a message, then 30 more
  h.add(123516, slice(data, 130, 39), 2);
  ASSERT_EQ(h.out.size(), 2u);
  EXPECT_EQ(h.out[0].message.bytes, bgp(19, 4));
  EXPECT_EQ(h.out[0].message.skipped_before, 30u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(50));
}

TEST(TcpFlowTable, HoleNeverFilled_SkippedAtFinish) {
  const Bytes data = cat({bgp(30, 2, 1), bgp(30, 2, 2), bgp(30, 2, 3)});
  Harness h;
  h.add(0, slice(data, 0, 30), 1);
  h.add(60, slice(data, 60, 30), 3);  // the segment with the second message was lost
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_TRUE(h.finish().empty());
  ASSERT_EQ(h.out.size(), 2u);
  EXPECT_EQ(h.out[1].message.bytes, bgp(30, 2, 3));
  EXPECT_EQ(h.out[1].message.skipped_before, 30u);
}

TEST(TcpStream, MorePendingThanLimit_SkipsTheHole) {
  struct Collect : StreamSink {
    Bytes data;
    std::vector<uint64_t> gaps;
    void on_data(ByteView b, const SegmentMeta&) override { data.insert(data.end(), b.begin(), b.end()); }
    void on_gap(uint64_t lost, const SegmentMeta&) override { gaps.push_back(lost); }
  } sink;
  TcpStream s(/*max_pending=*/25);
  const Bytes b(10, 1);
  s.add(0, 0, b, meta(1), sink);
  s.add(20, 0, b, meta(2), sink);  // hole at 10..20
  s.add(30, 0, b, meta(3), sink);
  EXPECT_TRUE(sink.gaps.empty());
  s.add(40, 0, b, meta(4), sink);  // 30 bytes pending > 25
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0], 10u);
  EXPECT_EQ(sink.data.size(), 40u);
  EXPECT_EQ(s.pending_bytes(), 0u);
}

TEST(TcpStream, TruncatedSegment_BecomesAGap) {
  struct Collect : StreamSink {
    size_t bytes = 0;
    uint64_t lost = 0;
    void on_data(ByteView b, const SegmentMeta&) override { bytes += b.size(); }
    void on_gap(uint64_t n, const SegmentMeta&) override { lost += n; }
  } sink;
  TcpStream s;
  const Bytes b(10, 1);
  s.add(0, 0, b, meta(1), sink);
  s.add(30, 0, b, meta(4), sink);      // arrives before the truncated one
  s.add_lost(10, 0, 20, meta(2), sink);  // 20 bytes on the wire, not in the capture
  EXPECT_EQ(sink.bytes, 20u);
  EXPECT_EQ(sink.lost, 20u);
  s.add(40, 0, b, meta(5), sink);
  EXPECT_EQ(sink.bytes, 30u);
}

TEST(TcpFlowTable, TwoDirections_ReassembledIndependently) {
  const Bytes ab = cat({bgp(40, 2, 1), bgp(19, 4)});
  const Bytes ba = bgp(50, 2, 9);
  TcpFlowTable t;
  std::vector<FlowMessage> out;
  t.add(segment(kA, kB, 1, slice(ab, 0, 20)), meta(1), out);
  t.add(segment(kB, kA, 5000, slice(ba, 0, 30)), meta(2), out);
  t.add(segment(kA, kB, 21, slice(ab, 20, 39)), meta(3), out);
  t.add(segment(kB, kA, 5030, slice(ba, 30, 20)), meta(4), out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].flow, (FlowKey{kA, kB}));
  EXPECT_EQ(out[1].flow, (FlowKey{kA, kB}));
  EXPECT_EQ(out[2].flow, (FlowKey{kB, kA}));
  EXPECT_EQ(out[2].message.bytes, ba);
}

TEST(TcpFlowTable, IncompleteMessageAtEnd_Warns) {
  const Bytes m = bgp(60);
  Harness h;
  h.add(1, slice(m, 0, 40), 1);
  const auto warnings = h.finish();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("40 bytes"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace evpnctl

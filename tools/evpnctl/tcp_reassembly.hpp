// TCP stream reassembly for offline BGP decoding.
//
//   TcpStream     one direction of one connection: orders segments by sequence number, drops
//                 retransmitted/duplicate bytes (RFC 9293 §3.4), buffers out-of-order segments
//                 and hands contiguous bytes to a StreamSink.
//   TcpFlowTable  every direction of every connection in a capture, each with a TcpStream and a
//                 BgpFramer; turns TCP segments into whole BGP messages with their flow.
//
// NOTE start of stream: a SYN fixes the ISN; a capture that starts mid-stream starts at the first
// segment seen (earlier bytes that arrive later are dropped as old) and the framer resyncs on the
// BGP marker. A hole that is never filled (a lost or truncated segment) is skipped when more than
// `max_pending` bytes wait behind it, and at finish(); the framer resyncs after it.
// NOTE limits: sequence numbers are compared modulo 2^32 (a window of +-2 GiB); memory per
// direction is bounded by max_pending plus one BGP message.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "evpnctl/bgp_framer.hpp"
#include "evpnctl/packet_parser.hpp"

namespace evpnctl {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_data(evpnd::ByteView bytes, const SegmentMeta& meta) = 0;
  // `lost` bytes are missing before the next on_data (0: unknown amount, e.g. a new connection).
  virtual void on_gap(uint64_t lost, const SegmentMeta& meta) = 0;
};

class TcpStream {
 public:
  static constexpr size_t kDefaultMaxPending = size_t{4} << 20;
  explicit TcpStream(size_t max_pending = kDefaultMaxPending) : max_pending_(max_pending) {}

  // One segment of this direction.
  void add(uint32_t seq, uint8_t flags, evpnd::ByteView payload, const SegmentMeta& meta, StreamSink& sink);
  // A segment of `length` payload bytes that the capture does not hold (cut by the snap
  // length): its sequence range becomes a gap.
  void add_lost(uint32_t seq, uint8_t flags, size_t length, const SegmentMeta& meta, StreamSink& sink);
  // End of input: deliver everything still buffered, skipping the holes.
  void finish(StreamSink& sink);

  uint64_t duplicate_bytes() const { return duplicate_bytes_; }
  uint64_t out_of_order_segments() const { return out_of_order_; }
  size_t pending_bytes() const { return pending_bytes_; }

 private:
  struct Pending {
    evpnd::Bytes data;
    SegmentMeta meta;
  };
  void deliver(evpnd::ByteView bytes, const SegmentMeta& meta, StreamSink& sink);
  void drain(StreamSink& sink);
  void skip_to_first_pending(StreamSink& sink);
  // Handles SYN and the first segment; returns the sequence number of the first payload byte.
  uint32_t start(uint32_t seq, uint8_t flags, const SegmentMeta& meta, StreamSink& sink);

  size_t max_pending_;
  bool started_ = false;
  uint32_t isn_ = 0;
  bool have_isn_ = false;
  uint32_t next_seq_ = 0;
  uint64_t next_abs_ = 0;  // bytes delivered (or skipped) so far: the position of next_seq_
  std::map<uint64_t, Pending> pending_;  // by absolute position
  size_t pending_bytes_ = 0;
  uint64_t duplicate_bytes_ = 0;
  uint64_t out_of_order_ = 0;
};

struct FlowKey {
  Endpoint src, dst;
  FlowKey reversed() const { return FlowKey{dst, src}; }
  auto operator<=>(const FlowKey&) const = default;
  bool operator==(const FlowKey&) const = default;
};

struct FlowMessage {
  FlowKey flow;
  FramedMessage message;
};

class TcpFlowTable {
 public:
  explicit TcpFlowTable(size_t max_pending = TcpStream::kDefaultMaxPending) : max_pending_(max_pending) {}

  // Appends every BGP message completed by this segment, in stream order.
  void add(const TcpSegment& seg, const SegmentMeta& meta, std::vector<FlowMessage>& out);
  // End of input: flushes buffered data; `warnings` gets one line per direction with bytes that
  // never formed a whole message.
  void finish(std::vector<FlowMessage>& out, std::vector<std::string>& warnings);

 private:
  struct Direction {
    explicit Direction(size_t max_pending) : stream(max_pending) {}
    TcpStream stream;
    BgpFramer framer;
  };
  size_t max_pending_;
  std::map<FlowKey, Direction> flows_;
};

}  // namespace evpnctl

// TCP reassembly per direction; see tcp_reassembly.hpp.
#include "evpnctl/tcp_reassembly.hpp"

#include <algorithm>

namespace evpnctl {

void TcpStream::deliver(evpnd::ByteView bytes, const SegmentMeta& meta, StreamSink& sink) {
  if (bytes.empty()) return;
  sink.on_data(bytes, meta);
  next_seq_ += uint32_t(bytes.size());
  next_abs_ += bytes.size();
}

// Hands over every buffered segment that now touches the delivered edge, trimming overlaps.
void TcpStream::drain(StreamSink& sink) {
  while (!pending_.empty() && pending_.begin()->first <= next_abs_) {
    auto node = pending_.extract(pending_.begin());
    Pending& p = node.mapped();
    pending_bytes_ -= p.data.size();
    const uint64_t begin = node.key();
    const uint64_t end = begin + p.data.size();
    if (end <= next_abs_) {
      duplicate_bytes_ += p.data.size();
      continue;
    }
    const size_t overlap = size_t(next_abs_ - begin);
    duplicate_bytes_ += overlap;
    deliver(evpnd::ByteView(p.data).subspan(overlap), p.meta, sink);
  }
}

void TcpStream::skip_to_first_pending(StreamSink& sink) {
  const auto first = pending_.begin();
  const uint64_t lost = first->first - next_abs_;
  sink.on_gap(lost, first->second.meta);
  next_seq_ += uint32_t(lost);
  next_abs_ = first->first;
  drain(sink);
}

uint32_t TcpStream::start(uint32_t seq, uint8_t flags, const SegmentMeta& meta, StreamSink& sink) {
  if (flags & tcp_flag::kSyn) {
    // RFC 9293 §3.4.1: the SYN consumes one sequence number; data starts at ISN + 1. A SYN with
    // another ISN is a new connection on the same addresses and ports.
    if (!have_isn_ || seq != isn_) {
      if (started_) {
        pending_.clear();
        pending_bytes_ = 0;
        sink.on_gap(0, meta);
      }
      have_isn_ = true;
      isn_ = seq;
      started_ = true;
      next_seq_ = seq + 1;
      next_abs_ = 0;
    }
    return seq + 1;
  }
  return seq;
}

void TcpStream::add(uint32_t seq, uint8_t flags, evpnd::ByteView payload, const SegmentMeta& meta,
                    StreamSink& sink) {
  seq = start(seq, flags, meta, sink);
  if (payload.empty()) return;
  if (!started_) {  // capture started mid-stream: begin at the first segment seen
    started_ = true;
    next_seq_ = seq;
  }
  // Position relative to the delivered edge, modulo 2^32 (RFC 9293 §3.4 sequence arithmetic).
  const int64_t rel = int32_t(seq - next_seq_);
  const int64_t len = int64_t(payload.size());
  if (rel + len <= 0) {  // retransmission of bytes already delivered
    duplicate_bytes_ += payload.size();
    return;
  }
  if (rel <= 0) {
    const size_t overlap = size_t(-rel);
    duplicate_bytes_ += overlap;
    deliver(payload.subspan(overlap), meta, sink);
    drain(sink);
    return;
  }
  ++out_of_order_;
  const uint64_t abs = next_abs_ + uint64_t(rel);
  auto it = pending_.find(abs);
  if (it != pending_.end()) {
    if (it->second.data.size() >= payload.size()) {
      duplicate_bytes_ += payload.size();
      return;
    }
    pending_bytes_ -= it->second.data.size();
    pending_.erase(it);
  }
  pending_bytes_ += payload.size();
  pending_.emplace(abs, Pending{evpnd::Bytes(payload.begin(), payload.end()), meta});
  // A hole that has not been filled while this much waits behind it was lost by the capture.
  while (pending_bytes_ > max_pending_ && !pending_.empty()) skip_to_first_pending(sink);
}

void TcpStream::add_lost(uint32_t seq, uint8_t flags, size_t length, const SegmentMeta& meta,
                         StreamSink& sink) {
  seq = start(seq, flags, meta, sink);
  if (length == 0) return;
  if (!started_) {
    started_ = true;
    next_seq_ = seq;
  }
  const int64_t rel = int32_t(seq - next_seq_);
  const int64_t len = int64_t(length);
  // Only a hole at the delivered edge can be skipped now; one further ahead stays a hole
  // until finish() or max_pending skip it.
  if (rel > 0 || rel + len <= 0) return;
  const uint64_t lost = uint64_t(rel + len);
  sink.on_gap(lost, meta);
  next_seq_ += uint32_t(lost);
  next_abs_ += lost;
  drain(sink);
}

void TcpStream::finish(StreamSink& sink) {
  while (!pending_.empty()) skip_to_first_pending(sink);
}

namespace {

// Adapts one direction's framer to the stream's sink interface.
class FramerSink : public StreamSink {
 public:
  FramerSink(BgpFramer& framer, const FlowKey& flow, std::vector<FlowMessage>& out)
      : framer_(framer), flow_(flow), out_(out) {}
  void on_data(evpnd::ByteView bytes, const SegmentMeta& meta) override {
    scratch_.clear();
    framer_.on_data(bytes, meta, scratch_);
    for (auto& m : scratch_) out_.push_back(FlowMessage{flow_, std::move(m)});
  }
  void on_gap(uint64_t lost, const SegmentMeta&) override { framer_.on_gap(lost); }

 private:
  BgpFramer& framer_;
  const FlowKey& flow_;
  std::vector<FlowMessage>& out_;
  std::vector<FramedMessage> scratch_;
};

}  // namespace

void TcpFlowTable::add(const TcpSegment& seg, const SegmentMeta& meta, std::vector<FlowMessage>& out) {
  const FlowKey key{seg.src, seg.dst};
  auto it = flows_.find(key);
  if (it == flows_.end()) it = flows_.emplace(key, Direction(max_pending_)).first;
  FramerSink sink(it->second.framer, it->first, out);
  if (seg.truncated()) {
    it->second.stream.add_lost(seg.seq, seg.flags, seg.payload_length, meta, sink);
  } else {
    it->second.stream.add(seg.seq, seg.flags, seg.payload, meta, sink);
  }
}

void TcpFlowTable::finish(std::vector<FlowMessage>& out, std::vector<std::string>& warnings) {
  for (auto& [key, dir] : flows_) {
    FramerSink sink(dir.framer, key, out);
    dir.stream.finish(sink);
    const size_t rest = dir.framer.buffered();
    if (rest > 0 && dir.framer.synced()) {
      warnings.push_back(key.src.to_string() + " -> " + key.dst.to_string() + ": " + std::to_string(rest) +
                         " bytes of an incomplete BGP message at the end of the capture");
    }
  }
}

}  // namespace evpnctl

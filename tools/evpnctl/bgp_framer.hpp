// Cuts one direction's contiguous TCP bytes into whole BGP messages (RFC 4271 §4.1 header:
// 16-byte all-ones marker, 2-byte length, 1-byte type).
//
// NOTE sync: BGP runs on any port here, so a stream is recognised by the marker, not by port 179.
// The framer starts unsynchronised and accepts the first plausible header (marker, length
// 19..65279, type 1..5); once synchronised it trusts each header's length (19..65535; the codec
// checks it against the negotiated maximum). A header with a bad marker or a length below 19,
// or a gap in the stream, drops the framer back to searching. Skipped bytes are counted and
// reported with the next message.
// NOTE memory: holds at most one partial message (<= 64 KiB) plus the bytes of the last chunk.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "evpnctl/pcap_reader.hpp"

namespace evpnctl {

// Where a chunk of stream bytes came from.
struct SegmentMeta {
  uint64_t frame = 0;
  Timestamp time;
};

struct FramedMessage {
  evpnd::Bytes bytes;          // the whole message, header included
  SegmentMeta meta;            // of the segment that completed the message
  uint64_t skipped_before = 0; // bytes dropped (lost or unparseable) since the previous message
};

class BgpFramer {
 public:
  void on_data(evpnd::ByteView bytes, const SegmentMeta& meta, std::vector<FramedMessage>& out);
  // Bytes are missing before the next on_data (`lost` of them, 0 if unknown): the partial
  // message is dropped and the framer searches for the next marker.
  void on_gap(uint64_t lost);

  bool synced() const { return synced_; }
  size_t buffered() const { return buf_.size() - start_; }  // an incomplete message
  uint64_t skipped_total() const { return skipped_total_; }

 private:
  void frame(const SegmentMeta& meta, std::vector<FramedMessage>& out);
  bool resync();  // true when buf_[start_] now holds a plausible header
  void skip(size_t n);

  evpnd::Bytes buf_;
  size_t start_ = 0;  // first unconsumed byte of buf_
  bool synced_ = false;
  uint64_t skipped_ = 0;        // since the last message
  uint64_t skipped_total_ = 0;
};

}  // namespace evpnctl

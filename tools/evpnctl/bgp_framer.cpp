// BGP message framing over a reassembled byte stream; see bgp_framer.hpp.
#include "evpnctl/bgp_framer.hpp"

#include <algorithm>

namespace evpnctl {
namespace {

constexpr size_t kMarkerSize = 16;
constexpr size_t kHeaderSize = 19;

bool is_marker(const uint8_t* p) {
  return std::all_of(p, p + kMarkerSize, [](uint8_t b) { return b == 0xff; });
}

uint16_t header_length(const uint8_t* p) { return uint16_t(p[16] << 8 | p[17]); }

// A header we are willing to resync on. The length's high byte may not be 0xff: in a run of
// more than 16 ones the first candidate would otherwise win with a bogus length.
bool plausible_header(const uint8_t* p) {
  const uint16_t len = header_length(p);
  return is_marker(p) && p[16] != 0xff && len >= kHeaderSize && p[18] >= 1 && p[18] <= 5;
}

}  // namespace

void BgpFramer::on_data(evpnd::ByteView bytes, const SegmentMeta& meta, std::vector<FramedMessage>& out) {
  if (start_ > 0 && start_ == buf_.size()) {
    buf_.clear();
    start_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  frame(meta, out);
  // Compact once the consumed prefix dominates, so the buffer stays about one message long.
  if (start_ > 0 && start_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(start_));
    start_ = 0;
  }
}

void BgpFramer::on_gap(uint64_t lost) {
  skip(buffered());
  skipped_ += lost;
  skipped_total_ += lost;
  synced_ = false;
}

void BgpFramer::skip(size_t n) {
  start_ += n;
  skipped_ += n;
  skipped_total_ += n;
}

bool BgpFramer::resync() {
  const uint8_t* data = buf_.data();
  const size_t end = buf_.size();
  for (size_t i = start_; i + kHeaderSize <= end; ++i) {
    if (plausible_header(data + i)) {
      skip(i - start_);
      return true;
    }
  }
  // No header yet: keep the tail that could be the beginning of one.
  const size_t keep = std::min(buffered(), kHeaderSize - 1);
  skip(buffered() - keep);
  return false;
}

void BgpFramer::frame(const SegmentMeta& meta, std::vector<FramedMessage>& out) {
  for (;;) {
    if (!synced_) {
      if (!resync()) return;
      synced_ = true;
    }
    if (buffered() < kHeaderSize) return;
    const uint8_t* h = buf_.data() + start_;
    const uint16_t len = header_length(h);
    if (!is_marker(h) || len < kHeaderSize) {
      // RFC 4271 §6.1: a real speaker would reset here; we look for the next message instead.
      synced_ = false;
      skip(1);
      continue;
    }
    if (buffered() < len) return;
    FramedMessage m;
    m.bytes.assign(h, h + len);
    m.meta = meta;
    m.skipped_before = skipped_;
    skipped_ = 0;
    start_ += len;
    out.push_back(std::move(m));
  }
}

}  // namespace evpnctl

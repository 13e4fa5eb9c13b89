// Offline reading of pcap and pcapng files through libpcap, with nanosecond timestamps.
//
// NOTE ownership: the frame view returned by next() stays valid until the next call.
// NOTE errors: open() reports unreadable or non-capture files; next() reports a truncated or
// corrupt file once and then ends the iteration (frames before the damage are kept).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/bytes.hpp"

struct pcap;

namespace evpnctl {

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;
  std::string to_string() const;  // "2026-11-25T09:05:17.860577505Z" (UTC, RFC 3339)
};

struct Frame {
  uint64_t number = 0;  // 1-based, as Wireshark counts
  Timestamp time;
  evpnd::ByteView data;  // captured bytes
  uint32_t wire_length = 0;
};

class PcapReader {
 public:
  static tl::expected<PcapReader, std::string> open(const std::string& path);

  int link_type() const { return link_type_; }
  // The next frame, or nullopt at the end of the file (or on a read error: see error()).
  std::optional<Frame> next();
  const std::string& error() const { return error_; }

 private:
  struct Closer {
    void operator()(pcap* p) const;
  };
  explicit PcapReader(pcap* p);

  std::unique_ptr<pcap, Closer> handle_;
  int link_type_ = 0;
  bool nano_ = true;
  uint64_t count_ = 0;
  std::string error_;
};

}  // namespace evpnctl

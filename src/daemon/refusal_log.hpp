// RefusalLog: refused BGP connections (strangers on port 179, a neighbour that is shut down or
// already has two connections, a GTSM TTL failure) are counted per reason for /metrics and
// logged at a bounded rate (issue 12 defect 8: 7k connects/s logged one line each is 14 MB of
// log in 20 s).
//
// Policy: per source address, the first kLinesPerSource refusals of each kInterval are logged
// (info) one line each; the rest of that interval is counted. When a refusal arrives after the
// interval ended, one summary line "suppressed N refused connections from M sources ..." is
// logged first (a quiet flood ends with its summary at the next refusal; /metrics is exact
// at all times). At most kMaxSources sources are tracked per interval; further sources share
// one budget of kLinesPerSource lines, so the log is bounded even when sources are many.
// NOTE threading: the io_context thread (PeerIo's accept path and the engine's Accepted result).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/ip.hpp"
#include "engine/engine.hpp"

namespace evpnd::daemon {

class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kLinesPerSource = 3;
  static constexpr std::chrono::seconds kInterval{10};
  static constexpr size_t kMaxSources = 256;

  // `sink` receives each log line (default: spdlog at info).
  explicit RefusalLog(std::function<void(const std::string&)> sink = {});

  // One refused connection. Returns true when it was logged as its own line: `detail` when
  // given, else "refusing connection from ADDR: REASON".
  bool refused(const IpAddress& from, engine::RefuseReason why, Clock::time_point now, const std::string& detail = "");

  uint64_t count(engine::RefuseReason why) const { return counts_[size_t(why)]; }
  uint64_t suppressed_total() const { return suppressed_total_; }

 private:
  void end_interval(Clock::time_point now);

  std::function<void(const std::string&)> sink_;
  std::array<uint64_t, engine::kRefuseReasons> counts_{};
  uint64_t suppressed_total_ = 0;
  Clock::time_point window_start_{};
  bool window_open_ = false;
  struct Source {
    size_t logged = 0;
    uint64_t suppressed = 0;
  };
  std::map<IpAddress, Source> sources_;  // this interval
  Source overflow_;                      // sources beyond kMaxSources, together
  uint64_t suppressed_ = 0;              // this interval
  size_t suppressed_sources_ = 0;        // this interval, sources with something suppressed
};

}  // namespace evpnd::daemon

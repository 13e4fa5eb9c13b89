// LoopMonitor: measures how late the event loop runs a timer (issue 12 defect 2: one API request
// held the only thread for 50 s and a hold-9 peer dropped). Every kPeriod a timer is due; the lag
// is how much later than due it ran — the time some handler kept the loop. Any lag above the
// keepalive interval of the shortest hold time is a keepalive not sent on time.
// Exposed in /metrics: the largest lag since start, the last one, and stalls over kStall.
// NOTE threading: the io_context thread.
#pragma once

#include <chrono>
#include <cstdint>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

namespace evpnd::daemon {

class LoopMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kPeriod{100};
  static constexpr std::chrono::milliseconds kStall{1000};

  explicit LoopMonitor(asio::io_context& io);
  ~LoopMonitor();
  LoopMonitor(const LoopMonitor&) = delete;
  LoopMonitor& operator=(const LoopMonitor&) = delete;

  Clock::duration max_lag() const { return max_lag_; }
  Clock::duration last_lag() const { return last_lag_; }
  uint64_t stalls() const { return stalls_; }  // lags >= kStall

 private:
  void arm();
  asio::steady_timer timer_;
  Clock::time_point due_{};
  Clock::duration max_lag_{}, last_lag_{};
  uint64_t stalls_ = 0;
};

}  // namespace evpnd::daemon

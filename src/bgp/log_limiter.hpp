// A rate limit for log lines a peer can provoke at will (RFC 4760 §8 families it did not
// negotiate, RFC 4271 §9.2 routes too large for it): at most one line per interval, the lines
// held back in between counted and reported with the next one. The counters that go with them
// (neighbour API, /metrics) count every occurrence.
//
// NOTE pure: time comes in as an argument (the speaker's now()).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace evpnd::bgp {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(std::chrono::seconds interval = std::chrono::seconds(10)) : interval_(interval) {}
  // When a line may be logged now: how many were held back since the last one; else nullopt.
  std::optional<uint64_t> allow(Clock::time_point now) {
    if (logged_once_ && now < next_) {
      ++held_back_;
      return std::nullopt;
    }
    logged_once_ = true;
    next_ = now + interval_;
    const uint64_t n = held_back_;
    held_back_ = 0;
    return n;
  }

 private:
  std::chrono::seconds interval_;
  Clock::time_point next_{};
  bool logged_once_ = false;
  uint64_t held_back_ = 0;
};

}  // namespace evpnd::bgp

#include "daemon/loop_monitor.hpp"

#include <spdlog/spdlog.h>

namespace evpnd::daemon {

LoopMonitor::LoopMonitor(asio::io_context& io) : timer_(io) { arm(); }

LoopMonitor::~LoopMonitor() { timer_.cancel(); }

void LoopMonitor::arm() {
  due_ = Clock::now() + kPeriod;
  timer_.expires_at(due_);
  timer_.async_wait([this](std::error_code ec) {
    if (ec) return;  // cancelled: the monitor is going away
    const auto lag = std::max(Clock::now() - due_, Clock::duration::zero());
    last_lag_ = lag;
    if (lag > max_lag_) max_lag_ = lag;
    if (lag >= kStall) {
      ++stalls_;
      spdlog::warn("event loop stalled for {} ms (BGP keepalives were late)",
                   std::chrono::duration_cast<std::chrono::milliseconds>(lag).count());
    }
    arm();
  });
}

}  // namespace evpnd::daemon

#include "daemon/refusal_log.hpp"

#include <spdlog/spdlog.h>

namespace evpnd::daemon {

RefusalLog::RefusalLog(std::function<void(const std::string&)> sink) : sink_(std::move(sink)) {
  if (!sink_) sink_ = [](const std::string& line) { spdlog::info("{}", line); };
}

void RefusalLog::end_interval(Clock::time_point now) {
  if (suppressed_ > 0) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - window_start_).count();
    sink_("suppressed " + std::to_string(suppressed_) + " refused connection log lines from " +
          std::to_string(suppressed_sources_) + " source(s) in the last " + std::to_string(secs) +
          " s (counts: evpnd_bgp_connections_refused_total)");
  }
  sources_.clear();
  overflow_ = {};
  suppressed_ = 0;
  suppressed_sources_ = 0;
  window_start_ = now;
}

bool RefusalLog::refused(const IpAddress& from, engine::RefuseReason why, Clock::time_point now,
                         const std::string& detail) {
  ++counts_[size_t(why)];
  if (!window_open_ || now - window_start_ >= kInterval) {
    end_interval(now);
    window_open_ = true;
  }
  Source* src = nullptr;
  if (auto it = sources_.find(from); it != sources_.end()) src = &it->second;
  else if (sources_.size() < kMaxSources) src = &sources_[from];
  else src = &overflow_;
  if (src->logged < kLinesPerSource) {
    ++src->logged;
    sink_(!detail.empty() ? detail : "refusing connection from " + from.to_string() + ": " + engine::to_string(why));
    return true;
  }
  if (src->suppressed++ == 0) ++suppressed_sources_;
  ++suppressed_;
  ++suppressed_total_;
  return false;
}

}  // namespace evpnd::daemon

#include "evpn/dup_detector.hpp"

namespace evpnd::evpn {

DadConfig DadConfig::from(const api::DuplicateDetectionConfig& c) {
  DadConfig d;
  d.enabled = c.max_moves > 0;
  d.max_moves = c.max_moves;
  d.window = std::chrono::seconds(c.window_seconds);
  d.freeze = c.freeze;
  d.freeze_time = std::chrono::seconds(c.freeze_seconds);
  return d;
}

bool dad_record_move(DadState& s, const DadConfig& cfg, Time now) {
  ++s.total_moves;
  if (!cfg.enabled) return false;
  if (s.moves == 0 || !s.window_start || now - *s.window_start > cfg.window) {
    s.moves = 0;  // a new window opens with this move
    s.window_start = now;
  }
  ++s.moves;
  if (s.duplicate || s.moves < cfg.max_moves) return false;
  s.duplicate = true;
  s.detected_at = now;
  if (cfg.freeze) {
    s.frozen = true;
    if (cfg.freeze_time.count() > 0) s.freeze_until = now + cfg.freeze_time;
  }
  return true;
}

bool dad_freeze_expired(const DadState& s, Time now) {
  return s.frozen && s.freeze_until && *s.freeze_until <= now;
}

void dad_reset(DadState& s) {
  const uint64_t total = s.total_moves;
  s = DadState{};
  s.total_moves = total;
}

}  // namespace evpnd::evpn

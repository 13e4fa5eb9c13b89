// Duplicate address detection (RFC 7432 §15.1) for one MAC, the way FRR's zebra counts it:
// the first move opens a window of `window` seconds; a move after the window has run out starts
// a new window (count back to 1); the move that brings the count to `max_moves` inside one
// window flags the address as a duplicate. So with the defaults (5 moves, 180 s) moves at
// t = 0, 45, 90, 135, 180 trip detection and moves at t = 0, 45, 90, 135, 181 do not.
//
// A duplicate stays flagged until cleared by the operator or, with a timed freeze, until the
// freeze time runs out. Freeze is on and permanent (until cleared) by default, as RFC 7432 §15.1
// requires (stop sending and processing MAC/IP routes for the MAC until the operator acts);
// without freeze detection only warns (FRR's default, an explicit non-conformant choice).
// While frozen the owner stops changing what it advertises and installs for the address.
// NOTE time is injected; nothing here reads a clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "api/config.hpp"
#include "evpn/output.hpp"

namespace evpnd::evpn {

struct DadConfig {
  bool enabled = true;
  uint32_t max_moves = 5;
  std::chrono::seconds window{180};
  bool freeze = true;                   // RFC 7432 §15.1 (see above)
  std::chrono::seconds freeze_time{0};  // 0 = permanent until cleared
  static DadConfig from(const api::DuplicateDetectionConfig& c);
};

struct DadState {
  uint32_t moves = 0;               // moves inside the current window
  std::optional<Time> window_start;
  bool duplicate = false;
  std::optional<Time> detected_at;
  bool frozen = false;
  std::optional<Time> freeze_until;  // frozen without a time: permanent
  uint64_t total_moves = 0;          // since the entry exists, for the views

  bool idle() const { return moves == 0 && !duplicate && !frozen; }
};

// Records one move at `now`; true when this move flags the address (it was not a duplicate).
bool dad_record_move(DadState& s, const DadConfig& cfg, Time now);
// True when the state is frozen with a deadline that is <= now.
bool dad_freeze_expired(const DadState& s, Time now);
// Forget everything but total_moves (operator clear, freeze expiry).
void dad_reset(DadState& s);

}  // namespace evpnd::evpn

// Book-keeping of dynamic peers (listen ranges, issue 10): which range each dynamic peer came
// from, how many peers each range has, how many connections it refused, and the peers whose
// connections are all gone (removed at the end of the current input: a peer object cannot go
// while the code that closed its connection still holds it). Owned by the Speaker; the logic
// is in speaker_dynamic.cpp.
//
// NOTE pure state; the maps hold one entry per range and per dynamic peer.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "bgp/log_limiter.hpp"
#include "bgp/peer.hpp"
#include "core/ip.hpp"

namespace evpnd::bgp {

// One listen range as the views show it.
struct ListenRangeStatus {
  IpPrefix range;
  uint32_t max_peers = 0;
  uint32_t peers = 0;     // dynamic peers of the range now
  uint64_t refused = 0;   // connections refused because the range had max_peers already
};

struct DynamicPeers {
  struct RangeCounters {
    uint32_t peers = 0;
    uint64_t refused = 0;
  };
  std::map<PeerId, IpPrefix> origin;           // dynamic peer -> the range it came from
  std::map<IpPrefix, RangeCounters> counters;  // per range (by prefix)
  std::vector<PeerId> candidates;              // connections all gone: remove unless routes are kept
  LogLimiter refused_log;
};

}  // namespace evpnd::bgp

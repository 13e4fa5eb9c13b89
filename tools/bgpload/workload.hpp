// Synthetic EVPN workloads for the load tool: N distinct routes spread over K RDs/VNIs,
// pre-encoded as packed UPDATEs, and the inverse map from a received route to its index so the
// monitor can count distinct routes with a bitmap instead of a hash set.
//
// Route i (0 <= i < N) of group g = i % K (RD <nexthop>:g+1, VNI 10000+g, RT asn:VNI):
//   type 2: MAC 02:4c:<i as 4 bytes>, IP 10.0.0.0 + i + 1 (MAC+IP, one label)
//   type 3: originator 100.64.0.0 + i (PMSI ingress replication to the feeder)
//   type 5: prefix 20.0.0.0 + i /32, gateway 0.0.0.0, L3VNI
//   mix:    i % 20 == 0 -> type 3, i % 20 in 1..3 -> type 5, else type 2
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "wire/evpn_route.hpp"

namespace bgpload {

enum class RouteMix { kType2, kType3, kType5, kMix };
std::optional<RouteMix> parse_mix(const std::string& s);

struct Workload {
  RouteMix mix = RouteMix::kType2;
  uint32_t routes = 100000;
  uint32_t groups = 1000;  // distinct RDs / VNIs
  uint32_t asn = 65000;
  evpnd::IpAddress next_hop;  // the feeder's VTEP address
  size_t max_message = 4096;  // 65535 with RFC 8654 extended messages
};

evpnd::wire::EvpnRoute make_route(const Workload& w, uint32_t index);
// The index make_route() used, or nullopt for a route that is not part of any workload.
std::optional<uint32_t> route_index(const evpnd::wire::EvpnRoute& r);

struct Encoded {
  std::vector<evpnd::Bytes> chunks;  // each ~1 MiB of whole, concatenated UPDATE messages
  uint64_t updates = 0;
  uint64_t bytes = 0;
};
// Packs every route of the workload into as few UPDATEs as the message size allows.
Encoded encode_announcements(const Workload& w);
Encoded encode_withdrawals(const Workload& w);

}  // namespace bgpload

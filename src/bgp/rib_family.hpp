// The speaker's RIBs, one per key type (NOTE family-generic, issue 10): l2vpn-evpn routes are
// keyed by wire::EvpnRoute, ipv4-unicast and ipv6-unicast prefixes by IpPrefix (one table for
// both; the prefix's family says which AFI). Everything the speaker keeps per table lives in a
// Rib<N>: the route table (Adj-RIB-In paths and the Loc-RIB best per Dest), the Loc-RIB count,
// and the changed-Dest bookkeeping a flush consumes. The RIB code (speaker_rib.cpp,
// speaker_catch_up.cpp, best_path.cpp) is written once as templates over N and instantiated for
// both; what differs per key type is in RibTraits<N> below.
//
// NOTE performance: the EVPN instance is the code that ran before the unicast table existed
// (same data layout, same prefetching); the per-type branches are `if constexpr`.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "bgp/route_table.hpp"
#include "core/ip.hpp"
#include "core/types.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::bgp {

// Which of the speaker's tables (UpdateGroup keeps one Adj-RIB-Out bitmap per table).
enum class TableId : uint8_t { kEvpn = 0, kUnicast = 1 };
inline constexpr size_t kTableCount = 2;

// The encoding a route needs: its family, and so its UPDATE template (UpdateGroup::fitting).
enum class NlriKind : uint8_t { kEvpn, kIpv4, kIpv6 };

template <typename N>
struct RibTraits;

template <>
struct RibTraits<wire::EvpnRoute> {
  static constexpr TableId kTable = TableId::kEvpn;
  static AfiSafi family(const wire::EvpnRoute&) { return kL2vpnEvpn; }
  static NlriKind kind(const wire::EvpnRoute&) { return NlriKind::kEvpn; }
  static std::string text(const wire::EvpnRoute& r) { return wire::to_string(r); }
};

template <>
struct RibTraits<IpPrefix> {
  static constexpr TableId kTable = TableId::kUnicast;
  static AfiSafi family(const IpPrefix& p) { return p.family() == IpFamily::kV6 ? kIpv6Unicast : kIpv4Unicast; }
  static NlriKind kind(const IpPrefix& p) { return p.family() == IpFamily::kV6 ? NlriKind::kIpv6 : NlriKind::kIpv4; }
  static std::string text(const IpPrefix& p) { return p.to_string(); }
};

template <typename N>
struct Rib {
  using Traits = RibTraits<N>;
  BasicRouteTable<N> table;
  size_t loc_rib_count = 0;
  // Dests whose best path changed (or whose advertised path must be re-sent) since the last
  // flush, each once (changed_flag), with the table hash kept so the flush can erase without
  // rehashing.
  std::vector<DestId> changed;
  std::vector<uint32_t> changed_hash;  // parallel to changed
  std::vector<uint8_t> changed_flag;
  std::vector<uint32_t> batch_hashes;  // scratch of Speaker::prefetch_batch
  bool pending(DestId d) const { return d < changed_flag.size() && changed_flag[d]; }
};

}  // namespace evpnd::bgp

// The routes a local Ethernet segment originates (RFC 7432 §7.1, §7.4, §8; RFC 8365 §5.1.3, §8;
// RFC 8584 §2.2; RFC 9785), beside route_builder.hpp's types 2/3/5:
//   type 4  RD (the segment's), ESI, originator = our VTEP; ext-comms: encap VXLAN, ES-Import RT
//           (RFC 7432 §7.6, octets 1-6 of the ESI), DF Election (alg, AC-DF / DP bits, preference)
//   type 1 per ES   RD (one per fragment of <= 128 EVIs, as FRR), ESI, tag MAX-ET, label 0;
//           ext-comms: encap VXLAN, the export RTs of the fragment's EVIs, ESI Label (single-active
//           flag, label 0: RFC 8365 §8.2.1 / FRR)
//   type 1 per EVI  the EVI's RD, ESI, tag 0, label = VNI; ext-comms: encap VXLAN, the EVI's RTs
// Never carries EVI RTs on the type-4 (RFC 7432 §8.1.1: only the ES-Import RT).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/route_target.hpp"
#include "core/types.hpp"
#include "evpn/df_election.hpp"
#include "evpn/es_routes.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

// FRR's `evi_per_es_frag` default: EVIs per A-D per ES route (each fragment has its own RD).
inline constexpr size_t kEvisPerEsFragment = 128;

// What one PE's DF Election extended community says (RFC 8584 §2.2, RFC 9785 §3).
struct DfParams {
  DfAlgorithm algorithm = DfAlgorithm::kModulo;
  bool ac_df = false;
  bool dont_preempt = false;
  uint16_t preference = 0;
  uint8_t raw_algorithm = 0;  // as on the wire (an unknown value forces the fallback)
  bool operator==(const DfParams&) const = default;
};

// RFC 7432 §7.6: the ES-Import RT value, the 6 high-order octets of the ESI value (octets 1-6,
// Esi::es_import_auto for types 1-3); evpnd uses the same octets for every type, as FRR.
Mac es_import_of(const Esi& esi);

// `06 06 | alg | bitmap(2) | 00 | preference(2)`.
wire::ExtCommunity df_election_ec(const DfParams& p);
// The DF Election EC of a type-4 path; a path without one means modulo without capabilities
// (RFC 8584 §2.2); several: the first.
DfParams df_params_of(const wire::PathAttributes& attrs);
// The ES-Import RT values on a path.
std::vector<Mac> es_imports_of(const wire::PathAttributes& attrs);

wire::EthernetSegment make_es_route(const Rd& rd, const Esi& esi, const IpAddress& vtep);
wire::PathAttributes es_route_attrs(const Esi& esi, const DfParams& df);

wire::EthernetAutoDiscovery make_ad_per_es_route(const Rd& rd, const Esi& esi);
wire::PathAttributes ad_per_es_attrs(bool single_active, const std::vector<RouteTarget>& rts);

wire::EthernetAutoDiscovery make_ad_per_evi_route(const Rd& rd, const Esi& esi, Vni vni);
wire::PathAttributes ad_per_evi_attrs(const std::vector<RouteTarget>& export_rts);

}  // namespace evpnd::evpn

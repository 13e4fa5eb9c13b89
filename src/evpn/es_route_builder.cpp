#include "evpn/es_route_builder.hpp"

#include <algorithm>

#include "evpn/es_routes.hpp"
#include "evpn/route_builder.hpp"

namespace evpnd::evpn {

// RFC 7432 §7.6 auto-derives it for types 1-3; the other types use the same octets (FRR).
Mac es_import_of(const Esi& esi) { return esi.es_import_auto().value_or(Mac(esi.data() + 1)); }

wire::ExtCommunity df_election_ec(const DfParams& p) {
  const uint16_t bitmap = (p.ac_df ? wire::ExtCommunity::kDfCapAcDf : 0) |
                          (p.dont_preempt ? wire::ExtCommunity::kDfCapDontPreempt : 0);
  return wire::ExtCommunity::df_election(static_cast<uint8_t>(p.algorithm), bitmap, p.preference);
}

DfParams df_params_of(const wire::PathAttributes& attrs) {
  DfParams p;
  for (const auto& ec : attrs.ext_communities) {
    auto df = ec.as_df_election();
    if (!df) continue;
    p.raw_algorithm = df->alg;
    // An algorithm we do not know still takes part: elect_df() sees the disagreement and falls
    // back to modulo (RFC 8584 §2.2). 0xFF is outside every known value.
    p.algorithm = df->alg <= 3 ? static_cast<DfAlgorithm>(df->alg) : static_cast<DfAlgorithm>(0xFF);
    p.ac_df = df->ac_df();
    p.dont_preempt = df->dont_preempt();
    p.preference = df->preference;
    return p;
  }
  return p;
}

std::vector<Mac> es_imports_of(const wire::PathAttributes& attrs) {
  std::vector<Mac> out;
  for (const auto& ec : attrs.ext_communities) {
    if (auto m = ec.as_es_import()) out.push_back(*m);
  }
  return out;
}

wire::EthernetSegment make_es_route(const Rd& rd, const Esi& esi, const IpAddress& vtep) {
  wire::EthernetSegment r;
  r.rd = rd;
  r.esi = esi;
  r.originator = vtep;
  return r;
}

wire::PathAttributes es_route_attrs(const Esi& esi, const DfParams& df) {
  wire::PathAttributes a = base_attrs();
  a.ext_communities.push_back(wire::ExtCommunity::es_import(es_import_of(esi)));
  a.ext_communities.push_back(df_election_ec(df));
  return a;
}

wire::EthernetAutoDiscovery make_ad_per_es_route(const Rd& rd, const Esi& esi) {
  wire::EthernetAutoDiscovery r;
  r.rd = rd;
  r.esi = esi;
  r.ethernet_tag = kMaxEthernetTag;  // RFC 7432 §8.2.1
  r.label = 0;                       // RFC 7432 §8.2.1: MPLS label 0; FRR sends 0 for VXLAN too
  return r;
}

wire::PathAttributes ad_per_es_attrs(bool single_active, const std::vector<RouteTarget>& rts) {
  wire::PathAttributes a = base_attrs();
  std::vector<RouteTarget> sorted = rts;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const auto& rt : sorted) a.ext_communities.push_back(wire::ExtCommunity::route_target(rt));
  // RFC 7432 §7.5 / §8.2.1: the ESI Label extended community; label 0 (RFC 8365 §8.2.1: no
  // split-horizon label with VXLAN, local bias instead); flag bit 0 = single-active.
  a.ext_communities.push_back(wire::ExtCommunity::esi_label(single_active, 0));
  return a;
}

wire::EthernetAutoDiscovery make_ad_per_evi_route(const Rd& rd, const Esi& esi, Vni vni) {
  wire::EthernetAutoDiscovery r;
  r.rd = rd;
  r.esi = esi;
  r.ethernet_tag = 0;  // VLAN-based service (RFC 8365 §5.1.2)
  r.label = vni;       // RFC 8365 §5.1.3: the VNI in the label field (aliasing, RFC 7432 §8.4.1)
  return r;
}

wire::PathAttributes ad_per_evi_attrs(const std::vector<RouteTarget>& export_rts) {
  wire::PathAttributes a = base_attrs();
  for (const auto& rt : export_rts) a.ext_communities.push_back(wire::ExtCommunity::route_target(rt));
  return a;
}

}  // namespace evpnd::evpn

#include "evpn/auto_rd_rt.hpp"

#include <algorithm>
#include <set>

namespace evpnd::evpn {

Rd auto_rd(const IpAddress& router_id, uint16_t index) { return Rd::type1(router_id, index); }

RouteTarget auto_rt(Asn asn, Vni vni, RtAutoMode mode) {
  // Low 16 bits of a 4-byte ASN, as FRR's form_auto_rt() (bgp->as & 0xFFFF).
  const auto as2 = static_cast<uint16_t>(asn & 0xFFFF);
  const uint32_t value = (vni & kMaxVni) | (mode == RtAutoMode::kRfc8365 ? kRfc8365VxlanType : 0);
  return RouteTarget::as2(as2, value);
}

RdIndexPlan rd_index_plan(const api::Config& cfg) {
  RdIndexPlan plan;
  // An index whose automatic RD is some entry's explicit RD is skipped: a VNI created through the
  // API keeps its RD across restarts as an explicit one (issue 11), and a file's VNIs numbered
  // after it must not get the same RD (RFC 7432 §7.9). A valid file alone never hits this.
  std::set<Rd> explicit_rds;
  for (const auto& v : cfg.vrfs)
    if (v.rd) explicit_rds.insert(*v.rd);
  for (const auto& l2 : cfg.l2vnis)
    if (l2.rd) explicit_rds.insert(*l2.rd);
  uint16_t next = 2;  // 1 is FRR's default BGP instance
  auto take = [&] {
    while (explicit_rds.count(auto_rd(cfg.router_id, next)) && next < 65535) ++next;
    return next++;
  };
  for (const auto& v : cfg.vrfs) plan.vrfs.emplace(v.name, take());
  for (const auto& l2 : cfg.l2vnis) plan.l2vnis.emplace(l2.vni, take());
  return plan;
}

std::vector<RouteTarget> route_targets(const wire::PathAttributes& attrs) {
  std::vector<RouteTarget> out;
  for (const auto& ec : attrs.ext_communities) {
    if (auto rt = ec.as_route_target()) out.push_back(*rt);
  }
  return out;
}

bool rt_match(const std::vector<RouteTarget>& route_rts, const std::vector<RouteTarget>& import) {
  return std::any_of(route_rts.begin(), route_rts.end(), [&](const RouteTarget& rt) {
    return std::find(import.begin(), import.end(), rt) != import.end();
  });
}

}  // namespace evpnd::evpn

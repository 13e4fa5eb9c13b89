#include "evpn/route_checks.hpp"

#include "wire/ext_community.hpp"

namespace evpnd::evpn {
namespace {

std::string encap_name(uint16_t t) {
  // The names of ExtCommunity::to_string ("encap:vxlan"), without the prefix.
  const std::string s = wire::ExtCommunity::encapsulation(static_cast<wire::TunnelEncap>(t)).to_string();
  return s.rfind("encap:", 0) == 0 ? s.substr(6) : s;
}

}  // namespace

std::string encapsulation_problem(const wire::PathAttributes& attrs, DefaultEncap dflt) {
  std::string others;
  bool any = false;
  for (const auto& ec : attrs.ext_communities) {
    const auto t = ec.as_encapsulation();
    if (!t) continue;
    any = true;
    // RFC 8365 §6: several encapsulations may be advertised; one in common is enough.
    if (*t == wire::TunnelEncap::kVxlan) return {};
    others += (others.empty() ? "" : ", ") + encap_name(static_cast<uint16_t>(*t));
  }
  if (any) return "encapsulation " + others + " (this VTEP does VXLAN only, RFC 8365 §6)";
  if (dflt == DefaultEncap::kVxlan) return {};  // the locally configured encapsulation (§5.1.3)
  return "no BGP Encapsulation community: MPLS assumed (RFC 8365 §5.1.3; vtep.default-encapsulation)";
}

std::optional<Vni> route_l2vni(const wire::EvpnRoute& r, const wire::PathAttributes& attrs) {
  if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&r)) return Vni(t2->label1);
  if (std::holds_alternative<wire::InclusiveMulticast>(r) && attrs.pmsi_tunnel) return Vni(attrs.pmsi_tunnel->label);
  return std::nullopt;
}

std::optional<Vni> route_l3vni(const wire::EvpnRoute& r) {
  if (const auto* t2 = std::get_if<wire::MacIpAdvertisement>(&r)) {
    if (t2->label2) return Vni(*t2->label2);
    return std::nullopt;
  }
  if (const auto* t5 = std::get_if<wire::IpPrefixRoute>(&r)) return Vni(t5->label);
  return std::nullopt;
}

bool router_mac_invalid(const Mac& m) { return m.is_multicast() || m.is_zero(); }

Type5Verdict check_type5(const wire::IpPrefixRoute& r, const std::optional<Mac>& rmac) {
  using P = Type5Problem;
  const bool esi = !r.esi.is_zero();
  const bool gw = !r.gateway.empty() && !r.gateway.is_unspecified();
  if (rmac && router_mac_invalid(*rmac))
    return {P::kTreatAsWithdraw, "Router's MAC " + rmac->to_string() + " is not a unicast MAC (RFC 9136 §3.2)"};
  if (esi && gw)
    return {P::kTreatAsWithdraw, "both ESI " + r.esi.to_string() + " and Gateway IP " + r.gateway.to_string() +
                                     " are set (RFC 9136 §3.2)"};
  if (esi)
    return {P::kOverlayIndex, "ESI overlay index " + r.esi.to_string() +
                                  " needs recursive resolution through an A-D per EVI route (RFC 9136 §3.2)"};
  if (gw)
    return {P::kOverlayIndex, "Gateway IP overlay index " + r.gateway.to_string() +
                                  " needs recursive resolution through a MAC/IP route (RFC 9136 §3.2)"};
  if (r.label == 0) {
    if (rmac)
      return {P::kOverlayIndex, "label 0 with Router's MAC " + rmac->to_string() +
                                    ": MAC overlay index, needs recursive resolution through a MAC/IP route "
                                    "(RFC 9136 §3.2)"};
    return {P::kTreatAsWithdraw, "label 0 without an overlay index (RFC 9136 §3.1)"};
  }
  return {};
}

}  // namespace evpnd::evpn

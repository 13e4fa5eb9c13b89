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

}  // namespace evpnd::evpn

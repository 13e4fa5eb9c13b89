#include "evpn/route_builder.hpp"

#include <algorithm>

namespace evpnd::evpn {
namespace {

void add_rts(wire::PathAttributes& a, const std::vector<RouteTarget>& rts) {
  for (const auto& rt : rts) a.ext_communities.push_back(wire::ExtCommunity::route_target(rt));
}

}  // namespace

wire::PathAttributes base_attrs() {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path = wire::AsPath{};
  a.ext_communities.push_back(wire::ExtCommunity::encapsulation(wire::TunnelEncap::kVxlan));
  return a;
}

wire::MacIpAdvertisement make_mac_route(const MacRouteSpec& s) {
  wire::MacIpAdvertisement r;
  r.rd = s.rd;
  r.mac = s.mac;
  r.ip = s.ip;
  r.esi = s.esi;
  r.label1 = s.l2vni;
  if (!s.ip.empty() && s.l3) r.label2 = s.l3->l3vni;
  return r;
}

wire::PathAttributes mac_route_attrs(const MacRouteSpec& s) {
  wire::PathAttributes a = base_attrs();
  add_rts(a, s.export_rts);
  if (!s.ip.empty() && s.l3) {
    add_rts(a, s.l3->export_rts);
    a.ext_communities.push_back(wire::ExtCommunity::router_mac(s.l3->router_mac));
  }
  if (s.seq > 0 || s.sticky) {
    a.ext_communities.push_back(wire::ExtCommunity::mac_mobility(s.seq, s.sticky));
  }
  return a;
}

wire::InclusiveMulticast make_imet_route(const Rd& rd, const IpAddress& vtep) {
  wire::InclusiveMulticast r;
  r.rd = rd;
  r.originator = vtep;
  return r;
}

wire::PathAttributes imet_route_attrs(Vni vni, const IpAddress& vtep,
                                      const std::vector<RouteTarget>& export_rts) {
  wire::PathAttributes a = base_attrs();
  add_rts(a, export_rts);
  wire::PmsiTunnel p;
  p.flags = 0;
  p.tunnel_type = 6;  // ingress replication (RFC 6514 §5)
  p.label = vni;
  p.tunnel_id.assign(vtep.data(), vtep.data() + vtep.size());
  a.pmsi_tunnel = std::move(p);
  return a;
}

wire::IpPrefixRoute make_prefix_route(const Rd& rd, const IpPrefix& prefix, Vni l3vni) {
  wire::IpPrefixRoute r;
  r.rd = rd;
  r.prefix = prefix;
  // RFC 9136 §3.1: gateway IP 0 when the Router's MAC is the overlay index.
  r.gateway = prefix.family() == IpFamily::kV6 ? *IpAddress::parse("::") : *IpAddress::parse("0.0.0.0");
  r.label = l3vni;
  return r;
}

wire::PathAttributes prefix_route_attrs(const std::vector<RouteTarget>& export_rts, const Mac& rmac) {
  wire::PathAttributes a = base_attrs();
  add_rts(a, export_rts);
  a.ext_communities.push_back(wire::ExtCommunity::router_mac(rmac));
  return a;
}

PathInfo path_info(const wire::PathAttributes& attrs) {
  PathInfo info;
  bool seen_mobility = false;
  for (const auto& ec : attrs.ext_communities) {
    if (auto mm = ec.as_mac_mobility()) {
      // RFC 7432 §7.7: several MAC Mobility communities are an error; use the newest seq
      // (serial number order, RFC 7432 §15 wraparound).
      if (!seen_mobility || wire::mobility_seq_compare(mm->sequence, info.seq) > 0) info.seq = mm->sequence;
      seen_mobility = true;
      info.sticky = info.sticky || mm->sticky;
    } else if (auto rm = ec.as_router_mac()) {
      info.router_mac = *rm;
    } else if (ec.is_default_gateway()) {
      info.default_gateway = true;
    }
  }
  return info;
}

}  // namespace evpnd::evpn

// EvpnService construction from api::Config and the start-up output (kept apart from the event
// dispatch in evpn_service.cpp).
#include <algorithm>

#include "evpn/auto_rd_rt.hpp"
#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {
namespace {

// 02:00 + the last four bytes of the VTEP address: locally administered and unique per VTEP
// (the FRR lab uses exactly 02:00:0a:ff:00:01 for VTEP 10.255.0.1).
Mac default_router_mac(const IpAddress& vtep) {
  uint8_t b[6] = {0x02, 0x00, 0, 0, 0, 0};
  if (vtep.size() >= 4) std::copy_n(vtep.data() + vtep.size() - 4, 4, b + 2);
  return Mac(b);
}

std::vector<RouteTarget> or_auto(const std::vector<RouteTarget>& configured, const RouteTarget& autort) {
  return configured.empty() ? std::vector<RouteTarget>{autort} : configured;
}

}  // namespace

EvpnService::EvpnService(const api::Config& cfg, ServiceOptions opts) : cfg_(cfg), opts_(std::move(opts)) {
  local_vtep_ = cfg_.vtep_source.value_or(cfg_.router_id);
  dad_ = DadConfig::from(cfg_.dad);
  build();
}

void EvpnService::build() {
  const RdIndexPlan plan = rd_index_plan(cfg_);
  std::vector<Mac> gateway_macs;
  for (const auto& v : cfg_.vrfs) {
    IpVrfConfig c;
    c.name = v.name;
    c.l3vni = v.l3vni;
    c.rd = v.rd.value_or(auto_rd(cfg_.router_id, plan.vrfs.at(v.name)));
    const RouteTarget rt = auto_rt(cfg_.asn, v.l3vni, cfg_.rt_auto);
    c.import_rts = or_auto(v.import_rts, rt);
    c.export_rts = or_auto(v.export_rts, rt);
    c.router_mac = v.router_mac.value_or(default_router_mac(local_vtep_));
    c.anycast_gateway_mac = v.anycast_gateway_mac;
    c.local_vtep = local_vtep_;
    c.advertise_unicast = v.advertise_unicast;
    c.gateway_ip = v.gateway_ip;
    c.export_evpn = v.export_evpn;
    for (const auto& l2 : cfg_.l2vnis) {
      if (l2.vrf == v.name) c.l2vnis.push_back(l2.vni);
    }
    gateway_macs.push_back(c.router_mac);
    if (c.anycast_gateway_mac) gateway_macs.push_back(*c.anycast_gateway_mac);
    ip_vrfs_.emplace(v.name, IpVrf(std::move(c)));
  }
  gateway_macs_ = gateway_macs;
  for (const auto& l2 : cfg_.l2vnis) add_mac_vrf(l2, plan.l2vnis.at(l2.vni));
  next_rd_index_ = static_cast<uint16_t>(2 + cfg_.vrfs.size() + cfg_.l2vnis.size());
  for (const auto& [vni, index] : plan.l2vnis)  // past skipped indexes (rd_index_plan)
    next_rd_index_ = std::max<uint16_t>(next_rd_index_, static_cast<uint16_t>(index + 1));
  build_segments();  // after the VNIs: their RDs come next (evpn_service_es.cpp)
}

void EvpnService::add_mac_vrf(const api::L2VniConfig& l2, uint16_t rd_index) {
  MacVrfConfig c;
  c.vni = l2.vni;
  c.rd = l2.rd.value_or(auto_rd(cfg_.router_id, rd_index));
  const RouteTarget rt = auto_rt(cfg_.asn, l2.vni, cfg_.rt_auto);
  c.import_rts = or_auto(l2.import_rts, rt);
  c.export_rts = or_auto(l2.export_rts, rt);
  c.local_vtep = local_vtep_;
  c.gateway_macs = gateway_macs_;
  if (auto it = ip_vrfs_.find(l2.vrf); !l2.vrf.empty() && it != ip_vrfs_.end()) {
    c.l3 = it->second.binding();
    c.vrf = l2.vrf;
    l2_to_vrf_[l2.vni] = l2.vrf;
  }
  auto [it, fresh] = mac_vrfs_.emplace(l2.vni, MacVrf(std::move(c), dad_));
  it->second.set_remote_es(&remote_es_);
}

Output EvpnService::start(Time now) {
  Output out;
  if (started_) return out;
  started_ = true;
  started_at_ = now;
  start_intents(out);
  for (const auto& l2 : cfg_.l2vnis) {
    if (l2.vrf.empty() || !ip_vrfs_.count(l2.vrf)) {
      if (!l2.vrf.empty()) {
        out.notice(Severity::kError, NoticeKind::kRouteIgnored, l2.vni, std::nullopt, std::nullopt,
                   "VNI " + std::to_string(l2.vni) + " names unknown VRF " + l2.vrf + ": bridged only");
      }
    }
    mac_vrfs_.at(l2.vni).start(out);
  }
  for (const auto& v : cfg_.vrfs) {
    IpVrf& vrf = ip_vrfs_.at(v.name);
    if (v.advertise_connected) {
      for (const auto& l2 : cfg_.l2vnis) {
        if (l2.vrf != v.name) continue;
        if (l2.gateway) vrf.add_local_prefix(*l2.gateway, PrefixSource::kConnected, out);
        if (l2.gateway_v6) vrf.add_local_prefix(*l2.gateway_v6, PrefixSource::kConnected, out);
      }
    }
    for (const auto& p : v.announce) vrf.add_local_prefix(p, PrefixSource::kConfigured, out);
  }
  for (auto& [name, seg] : segments_) start_segment(seg, now, out);
  return out;
}

// Ensure intents: the L3VNIs first (their namespaces / VRF devices hold the L2VNI SVIs), then
// the L2VNIs, then the SVI (anycast gateway) addresses (FRR-INTEROP.md §1).
void EvpnService::start_intents(Output& out) const {
  if (cfg_.dataplane == api::DataplaneKind::kNone) return;  // route reflector: no data plane
  const bool netns = cfg_.vrf_backend == api::VrfBackend::kNetns;
  for (const auto& v : cfg_.vrfs) {
    const IpVrf& vrf = ip_vrfs_.at(v.name);
    dataplane::L3Vni l3;
    l3.name = v.name;
    l3.l3vni = v.l3vni;
    l3.vxlan_device = "vxlan" + std::to_string(v.l3vni);
    l3.bridge = "br" + std::to_string(v.l3vni);
    l3.router_mac = vrf.config().router_mac;
    l3.local_vtep = local_vtep_;
    l3.dstport = cfg_.vxlan_port;
    l3.backend = netns ? dataplane::VrfBackend::kNetns : dataplane::VrfBackend::kVrfDevice;
    l3.table = v.table;
    if (netns) {
      l3.netns = vrf_netns_name(v.name);
    } else {
      for (const auto& l2 : cfg_.l2vnis) {
        if (l2.vrf == v.name) l3.member_bridges.push_back(l2.bridge.empty() ? "br" + std::to_string(l2.vni) : l2.bridge);
      }
    }
    out.add(std::move(l3));
  }
  for (const auto& l2c : cfg_.l2vnis) out.add(l2vni_intent(l2c));
  for (const auto& l2c : cfg_.l2vnis) svi_intents(l2c, out);
}

dataplane::L2Vni EvpnService::l2vni_intent(const api::L2VniConfig& l2c) const {
  dataplane::L2Vni l2;
  l2.vni = l2c.vni;
  l2.vxlan_device = l2c.vxlan_device.empty() ? "vxlan" + std::to_string(l2c.vni) : l2c.vxlan_device;
  l2.bridge = l2c.bridge.empty() ? "br" + std::to_string(l2c.vni) : l2c.bridge;
  l2.local_vtep = local_vtep_;
  l2.dstport = cfg_.vxlan_port;
  l2.arp_suppression = l2c.arp_suppression;
  if (auto v = ip_vrfs_.find(l2c.vrf); !l2c.vrf.empty() && v != ip_vrfs_.end()) {
    l2.bridge_mac = v->second.config().anycast_gateway_mac;
    if (cfg_.vrf_backend == api::VrfBackend::kNetns) l2.netns = vrf_netns_name(l2c.vrf);
  }
  return l2;
}

void EvpnService::svi_intents(const api::L2VniConfig& l2c, Output& out) const {
  if (l2c.gateway_address && l2c.gateway) {
    out.add(dataplane::SviAddress{l2c.vni, *l2c.gateway_address, l2c.gateway->length()});
  }
  if (l2c.gateway_v6_address && l2c.gateway_v6) {
    out.add(dataplane::SviAddress{l2c.vni, *l2c.gateway_v6_address, l2c.gateway_v6->length()});
  }
}

std::string EvpnService::vrf_netns_name(const std::string& vrf) const {
  for (const auto& v : cfg_.vrfs) {
    if (v.name != vrf) continue;
    return !v.netns.empty() ? v.netns : opts_.underlay_netns.empty() ? v.name : opts_.underlay_netns + "-" + v.name;
  }
  return {};
}

}  // namespace evpnd::evpn

// Live L2VNI changes on a configuration reload: one MAC-VRF set up or torn down while every other
// VNI, VRF and BGP session keeps running.
#include <algorithm>

#include "evpn/auto_rd_rt.hpp"
#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {

tl::expected<Output, std::string> EvpnService::add_l2vni(const api::L2VniConfig& l2) {
  if (mac_vrfs_.count(l2.vni)) return tl::make_unexpected("VNI " + std::to_string(l2.vni) + " exists");
  if (!l2.vrf.empty() && !ip_vrfs_.count(l2.vrf))
    return tl::make_unexpected("VNI " + std::to_string(l2.vni) + " names unknown VRF " + l2.vrf);
  // The next free auto-RD index: the indexes of running VNIs stay (their routes keep their RDs),
  // and an index whose RD a running VRF or VNI holds explicitly is skipped (a VNI created through
  // the API keeps its RD across restarts as an explicit one: RFC 7432 §7.9, one RD per MAC-VRF).
  uint16_t index = next_rd_index_++;
  while (!l2.rd && rd_in_use(auto_rd(cfg_.router_id, index)) && next_rd_index_ < 65535) index = next_rd_index_++;
  add_mac_vrf(l2, index);
  cfg_.l2vnis.push_back(l2);
  Output out;
  if (!l2.vrf.empty()) ip_vrfs_.at(l2.vrf).add_member(l2.vni);
  if (!started_) return out;
  if (cfg_.dataplane != api::DataplaneKind::kNone) {
    out.add(l2vni_intent(l2));
    svi_intents(l2, out);
  }
  mac_vrfs_.at(l2.vni).start(out);
  sync_es_ports(out);
  for (auto& [name, seg] : segments_)
    if (seg.config().attachments.count(l2.vni)) seg.set_evi(es_evi(l2.vni), Time{}, out);
  if (!l2.vrf.empty()) {
    auto v = std::find_if(cfg_.vrfs.begin(), cfg_.vrfs.end(), [&](const auto& c) { return c.name == l2.vrf; });
    if (v != cfg_.vrfs.end() && v->advertise_connected) {
      IpVrf& vrf = ip_vrfs_.at(l2.vrf);
      if (l2.gateway) vrf.add_local_prefix(*l2.gateway, PrefixSource::kConnected, out);
      if (l2.gateway_v6) vrf.add_local_prefix(*l2.gateway_v6, PrefixSource::kConnected, out);
    }
  }
  return out;
}

bool EvpnService::rd_in_use(const Rd& rd) const {
  for (const auto& [v, mv] : mac_vrfs_)
    if (mv.config().rd == rd) return true;
  for (const auto& [n, vrf] : ip_vrfs_)
    if (vrf.config().rd == rd) return true;
  return false;
}

const api::L2VniConfig* EvpnService::l2vni_config(Vni vni) const {
  for (const auto& l : cfg_.l2vnis)
    if (l.vni == vni) return &l;
  return nullptr;
}

std::optional<dataplane::L2Vni> EvpnService::l2vni_setup(Vni vni) const {
  const api::L2VniConfig* l = l2vni_config(vni);
  if (!l) return std::nullopt;
  return l2vni_intent(*l);
}

tl::expected<Output, std::string> EvpnService::remove_l2vni(Vni vni) {
  auto mv = mac_vrfs_.find(vni);
  if (mv == mac_vrfs_.end()) return tl::make_unexpected("no such VNI " + std::to_string(vni));
  auto cfg = std::find_if(cfg_.l2vnis.begin(), cfg_.l2vnis.end(), [&](const auto& c) { return c.vni == vni; });
  Output out;
  for (auto& [name, seg] : segments_) seg.remove_evi(vni, Time{}, out);
  mv->second.stop(out);  // withdraws its routes, deletes its FDB/flood/neighbour entries
  if (IpVrf* vrf = vrf_of(vni)) {
    // Its connected subnets go unless another segment of the VRF still has them.
    for (const auto& p : {cfg->gateway, cfg->gateway_v6}) {
      if (!p) continue;
      const bool shared = std::any_of(cfg_.l2vnis.begin(), cfg_.l2vnis.end(), [&](const auto& o) {
        return o.vni != vni && o.vrf == cfg->vrf && (o.gateway == p || o.gateway_v6 == p);
      });
      if (!shared) vrf->remove_local_prefix(*p, PrefixSource::kConnected, out);
    }
    vrf->remove_member(vni);
  }
  if (started_ && cfg_.dataplane != api::DataplaneKind::kNone) out.del(l2vni_intent(*cfg));
  // Routes imported only here are forgotten; others keep their other VRFs.
  for (auto it = imported_.begin(); it != imported_.end();) {
    std::erase(it->second.mac_vrfs, vni);
    if (it->second.mac_vrfs.empty() && it->second.ip_vrfs.empty()) {
      it = imported_.erase(it);
    } else {
      ++it;
    }
  }
  l2_to_vrf_.erase(vni);
  mac_vrfs_.erase(mv);
  cfg_.l2vnis.erase(cfg);
  return out;
}

}  // namespace evpnd::evpn

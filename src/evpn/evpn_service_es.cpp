// EvpnService: local Ethernet segments (multihoming). The segments live beside the MAC-VRFs (an
// ESI's state spans VNIs, so no MacVrf can own it); this file feeds them their inputs — the
// L2VNIs they attach to, link state of their ports, the type-4 and per-EVI A-D routes of the
// peer PEs — and tells the MAC-VRFs which ports are attachments (their type-2s carry the ESI).
#include <algorithm>

#include "evpn/auto_rd_rt.hpp"
#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {

void EvpnService::build_segments() {
  for (const auto& c : cfg_.ethernet_segments) add_segment(c);
  Output ignored;  // nothing is advertised before start()
  sync_es_ports(ignored);
}

void EvpnService::add_segment(const api::EthernetSegmentConfig& c) {
  // RDs from the same router-id:index space as the VNIs (FRR hands its ES fragments RDs from
  // its one RD id space, bgp_evpn_es_frag_new): the type-4 and fragment 0 use the first.
  EsContext ctx;
  ctx.local_vtep = local_vtep_;
  ctx.df_wait = std::chrono::milliseconds(cfg_.es_timers.df_wait_ms);
  ctx.dataplane = cfg_.dataplane != api::DataplaneKind::kNone;
  const size_t fragments = std::max<size_t>(1, (c.attachments.size() + kEvisPerEsFragment - 1) / kEvisPerEsFragment);
  for (size_t i = 0; i < fragments; ++i) ctx.rds.push_back(auto_rd(cfg_.router_id, next_rd_index_++));
  segments_.emplace(c.name, EthernetSegment(c, std::move(ctx)));
}

EsEvi EvpnService::es_evi(Vni vni) const {
  const MacVrf& mv = mac_vrfs_.at(vni);
  EsEvi e;
  e.vni = vni;
  e.rd = mv.config().rd;
  e.export_rts = mv.config().export_rts;
  e.df_id = vni;
  for (const auto& l2 : cfg_.l2vnis)
    if (l2.vni == vni && l2.df_id) e.df_id = *l2.df_id;
  return e;
}

void EvpnService::sync_es_ports(Output& out) {
  for (auto& [vni, mv] : mac_vrfs_) {
    std::map<std::string, Esi> ports;
    for (const auto& [name, seg] : segments_)
      if (auto it = seg.config().attachments.find(vni); it != seg.config().attachments.end())
        ports.emplace(it->second, seg.esi());
    mv.set_es_ports(std::move(ports), out);
  }
}

void EvpnService::sync_backup(EthernetSegment& seg, Output& out) {
  const NhgKey key{NhgUse::kLocalPeers, seg.esi(), 0, {}};
  const std::vector<IpAddress> peers = seg.config().fast_failover && cfg_.dataplane != api::DataplaneKind::kNone
                                           ? seg.peer_vteps() : std::vector<IpAddress>{};
  const bool have = nhg_.refs(key) > 0;
  auto append = [&](std::vector<dataplane::Intent> v) {
    out.intents.insert(out.intents.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  };
  if (peers.empty()) {
    if (!have) return;
    seg.set_backup_nhid(0, out);  // the attachments stop naming the group before it goes
    append(nhg_.release(key));
    return;
  }
  if (!have) {
    auto a = nhg_.acquire(key, peers);  // the group exists before an attachment names it
    append(std::move(a.intents));
    seg.set_backup_nhid(a.id, out);
    return;
  }
  append(nhg_.update(key, peers));
}

void EvpnService::start_segment(EthernetSegment& seg, Time now, Output& out) {
  for (const auto& [vni, port] : seg.config().attachments)
    if (mac_vrfs_.count(vni)) seg.set_evi(es_evi(vni), now, out);
  seg.start(now, started_at_ + std::chrono::milliseconds(cfg_.es_timers.startup_delay_ms), out);
  sync_backup(seg, out);
}

const EthernetSegment* EvpnService::segment(const std::string& name) const {
  auto it = segments_.find(name);
  return it == segments_.end() ? nullptr : &it->second;
}

void EvpnService::on_link(const dataplane::LinkChanged& l, Time now, Output& out) {
  for (auto& [name, seg] : segments_) {
    const auto vni = seg.vni_of_port(l.name);
    if (!vni) continue;
    // The port lives in its L2VNI's bridge namespace; a namesake elsewhere is another device.
    if (auto c = std::find_if(cfg_.l2vnis.begin(), cfg_.l2vnis.end(), [&](const auto& x) { return x.vni == *vni; });
        c != cfg_.l2vnis.end()) {
      const std::string ns = l2vni_intent(*c).netns;
      if (l.netns != (ns.empty() ? opts_.underlay_netns : ns)) continue;
    }
    seg.set_attachment(*vni, l.up && !l.removed, now, out);
  }
}

bool EvpnService::local_es_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs,
                                 const IpAddress& next_hop, bool add, const Bytes& key, Time now, Output& out) {
  if (segments_.empty()) return false;
  const bool consumed = segment_route(route, attrs, next_hop, add, key, now, out);
  for (auto& [name, seg] : segments_) sync_backup(seg, out);
  return consumed;
}

bool EvpnService::segment_route(const wire::EvpnRoute& route, const wire::PathAttributes& attrs,
                                const IpAddress& next_hop, bool add, const Bytes& key, Time now, Output& out) {
  // A re-advertisement may name another segment (or none): forget the key everywhere first.
  for (auto& [name, seg] : segments_) seg.peer_withdraw(key, now, out);
  if (!add) return false;
  if (const auto* es = std::get_if<wire::EthernetSegment>(&route)) {
    // RFC 7432 §8.1.1: a PE imports a type-4 only when its ES-Import RT names one of its own
    // segments (a route reflector reflects them all; on a leaf the rest is ignored).
    const std::vector<Mac> imports = es_imports_of(attrs);
    for (auto& [name, seg] : segments_) {
      if (seg.esi() != es->esi) continue;
      if (std::find(imports.begin(), imports.end(), seg.es_import()) == imports.end()) continue;
      if (es->originator == local_vtep_) return true;  // our own, reflected back
      seg.peer_es_route(key, es->originator, df_params_of(attrs), now, out);
      return true;
    }
    return false;
  }
  const auto* ad = std::get_if<wire::EthernetAutoDiscovery>(&route);
  if (!ad || ad->ethernet_tag == kMaxEthernetTag || next_hop.empty() || next_hop == local_vtep_) return false;
  // A peer's per-EVI A-D route for one of our segments: that PE has the EVI's attachment (the
  // AC-DF candidate set, RFC 8584 §4). The EVI is the VNI in its label (RFC 8365 §5.1.3) whose
  // MAC-VRF imports its RTs.
  const std::vector<RouteTarget> rts = route_targets(attrs);
  for (auto& [name, seg] : segments_) {
    if (seg.esi() != ad->esi || !seg.config().attachments.count(ad->label)) continue;
    auto mv = mac_vrfs_.find(ad->label);
    if (mv != mac_vrfs_.end() && mv->second.imports(rts)) seg.peer_evi_route(key, next_hop, ad->label, now, out);
  }
  return false;
}

Output EvpnService::reconfigure_segments(const std::vector<api::EthernetSegmentConfig>& segments,
                                         const api::EsTimersConfig& timers, Time now) {
  Output out;
  cfg_.es_timers = timers;
  for (auto& [name, seg] : segments_) seg.set_df_wait(std::chrono::milliseconds(timers.df_wait_ms));
  // Removed, or changed in what identifies it (ESI, attachments): stop and forget.
  for (auto it = segments_.begin(); it != segments_.end();) {
    auto c = std::find_if(segments.begin(), segments.end(), [&](const auto& x) { return x.name == it->first; });
    const auto& old = it->second.config();
    if (c != segments.end() && c->esi == old.esi && c->attachments == old.attachments) {
      ++it;
      continue;
    }
    const NhgKey backup{NhgUse::kLocalPeers, it->second.esi(), 0, {}};
    it->second.stop(out);  // its attachments go before the group they named
    if (nhg_.refs(backup) > 0) {
      auto v = nhg_.release(backup);
      out.intents.insert(out.intents.end(), v.begin(), v.end());
    }
    it = segments_.erase(it);
  }
  for (const auto& c : segments) {
    auto it = segments_.find(c.name);
    if (it != segments_.end()) {
      if (!(it->second.config() == c)) it->second.reconfigure(c, now, out);
      sync_backup(it->second, out);  // fast-failover may have been switched
      continue;
    }
    add_segment(c);
    if (started_) start_segment(segments_.at(c.name), now, out);
  }
  cfg_.ethernet_segments = segments;
  sync_es_ports(out);
  return out;
}

std::vector<EsView> EvpnService::es_views(Time now) const {
  std::vector<EsView> out;
  for (const auto& [name, seg] : segments_) out.push_back(seg.view(now));
  std::sort(out.begin(), out.end(), [](const EsView& a, const EsView& b) { return a.esi < b.esi; });
  return out;
}

std::vector<EsEviView> EvpnService::es_evi_views() const {
  std::vector<EsEviView> out;
  for (const auto& [name, seg] : segments_) {
    auto v = seg.evi_views();
    out.insert(out.end(), v.begin(), v.end());
  }
  std::sort(out.begin(), out.end(), [](const EsEviView& a, const EsEviView& b) {
    return a.vni != b.vni ? a.vni < b.vni : a.esi < b.esi;
  });
  return out;
}

}  // namespace evpnd::evpn

// LinuxDataplane: dump() (kernel state in intent vocabulary), the monitor (local learning
// events) and reconcile().
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_parser.hpp"
#include "dataplane/reconcile.hpp"

namespace evpnd::dataplane {

using namespace nl;

namespace {

NeighState to_state(uint16_t nud) {
  if (nud & NUD_PERMANENT) return NeighState::kPermanent;
  if (nud & NUD_NOARP) return NeighState::kNoarp;
  if (nud & NUD_REACHABLE) return NeighState::kReachable;
  if (nud & NUD_STALE) return NeighState::kStale;
  if (nud & NUD_DELAY) return NeighState::kDelay;
  if (nud & NUD_PROBE) return NeighState::kProbe;
  if (nud & NUD_FAILED) return NeighState::kFailed;
  return NeighState::kIncomplete;
}

bool is_link_local(const IpAddress& a) { return a.is_v6() && a.data()[0] == 0xfe && (a.data()[1] & 0xc0) == 0x80; }

}  // namespace

std::vector<int> LinuxDataplane::event_fds() const {
  std::vector<int> fds;
  for (const auto& [name, n] : ns_) {
    fds.push_back(n.mon->fd());
    if (n.writer) fds.push_back(n.writer->fd());
  }
  return fds;
}

std::optional<Vni> LinuxDataplane::vni_of_bridge(const NetnsName& nsname, int32_t ifindex) const {
  for (const auto& [vni, v] : l2_)
    if (v.bridge_ifindex == ifindex && resolve_netns(v.cfg.netns) == nsname) return vni;
  return std::nullopt;
}

bool LinuxDataplane::is_vxlan_port(const NetnsName& nsname, int32_t ifindex) const {
  for (const auto& [vni, v] : l2_)
    if (v.vxlan_ifindex == ifindex && resolve_netns(v.cfg.netns) == nsname) return true;
  for (const auto& [vni, v] : l3_)
    if (v.vxlan_ifindex == ifindex && vrf_netns(v) == nsname) return true;
  return false;
}

void LinuxDataplane::handle_monitor(const NetnsName& nsname, ByteView msg, std::vector<DataplaneEvent>& out) {
  const uint16_t type = message_type(msg);
  Ns& n = ns_.at(nsname);
  if (type == RTM_NEWLINK || type == RTM_DELLINK) {
    auto l = parse_link(msg);
    if (!l) return;
    LinkChanged ev;
    ev.netns = nsname;
    ev.name = l->name;
    ev.ifindex = static_cast<uint32_t>(l->ifindex);
    ev.up = (l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP);
    ev.removed = type == RTM_DELLINK;
    ev.mac = l->address;
    // A new underlay link gets the ES tagger; a re-created ES port its filter (es_filter.hpp).
    opts_.es_filter->link_changed(nsname, l->ifindex, l->name, ev.removed);
    ev.mtu = l->mtu.value_or(0);
    for (const auto& [vni, v] : l2_)
      if (resolve_netns(v.cfg.netns) == nsname && (v.bridge_ifindex == l->ifindex || v.vxlan_ifindex == l->ifindex))
        ev.vni = vni;
    for (const auto& [vni, v] : l3_)
      if (vrf_netns(v) == nsname && (v.bridge_ifindex == l->ifindex || v.vxlan_ifindex == l->ifindex)) ev.vni = vni;
    // A port of an Ethernet segment may need its block re-asserted (es_ports.cpp), after the read.
    if (type == RTM_NEWLINK && !es_.empty()) es_ports_changed_.emplace_back(nsname, l->ifindex);
    // AF_BRIDGE RTM_NEWLINKs (port state) repeat the link; report only real link changes.
    if (type == RTM_DELLINK) {
      // A device of a registered VNI (our own removals unregister the VNI first): drift.
      std::optional<IntentObject> dev = owned_device(nsname, l->ifindex);
      n.links.erase(l->ifindex);
      out.push_back(std::move(ev));
      if (dev) out.push_back(OwnedEntryRemoved{std::move(*dev)});
      return;
    } else {
      auto it = n.links.find(l->ifindex);
      if (it != n.links.end() && it->second.flags == l->flags && it->second.name == l->name &&
          it->second.address == l->address && it->second.mtu == l->mtu && it->second.master == l->master)
        return;
      n.links[l->ifindex] = *l;
    }
    out.push_back(std::move(ev));
    return;
  }
  if (type == RTM_DELROUTE || type == RTM_DELADDR) return report_owned_removal(nsname, msg, out);
  if (type == RTM_NEWNEXTHOP || type == RTM_DELNEXTHOP) {
    if (nsname == opts_.underlay_netns) handle_nexthop_event(msg, out);
    return;
  }
  if (type != RTM_NEWNEIGH && type != RTM_DELNEIGH) return;
  if (type == RTM_DELNEIGH) report_owned_removal(nsname, msg, out);
  auto m = parse_neigh(msg);
  if (!m) return;
  if (m->family == AF_BRIDGE) {
    if (!m->lladdr) return;
    // Only the bridge's own (master) entries describe learning; `self` entries are the vxlan
    // driver's table (ours) or a port's unicast filter list.
    if (m->flags & NTF_SELF) return;
    if (!m->master || m->vlan) return;
    auto vni = vni_of_bridge(nsname, static_cast<int32_t>(*m->master));
    if (!vni) return;
    auto key = std::tuple(*vni, *m->lladdr);
    // A local MAC we pinned for fast failover (es_ports.cpp) is extern_learn and still local.
    auto pin = pinned_.find(key);
    if (type == RTM_NEWNEIGH && pin != pinned_.end() && (m->flags & NTF_EXT_LEARNED)) return;
    const bool ours = (m->flags & NTF_EXT_LEARNED) || is_vxlan_port(nsname, m->ifindex);
    const bool local_iface = m->state & NUD_PERMANENT;  // the bridge's/ports' own addresses
    if (type == RTM_DELNEIGH || ours || local_iface) {
      // Gone, or now behind the vxlan port (a remote MAC we installed took it over).
      if (local_macs_.erase(key)) {
        out.push_back(LocalMacAged{*vni, *m->lladdr});
        es_local_mac(*vni, *m->lladdr, std::nullopt);
      }
      return;
    }
    auto it = n.links.find(m->ifindex);
    std::string port = it != n.links.end() ? it->second.name : std::to_string(m->ifindex);
    auto [pos, inserted] = local_macs_.try_emplace(key, port);
    if (!inserted && pos->second == port) return;  // refresh, no news
    pos->second = port;
    out.push_back(LocalMacLearned{*vni, *m->lladdr, port, bool(m->state & NUD_NOARP)});
    es_local_mac(*vni, *m->lladdr, port);
    return;
  }
  if ((m->family != AF_INET && m->family != AF_INET6) || !m->dst) return;
  auto vni = vni_of_svi(nsname, m->ifindex);
  if (!vni) return;
  // Multicast group entries (ff02::1:ff.. -> 33:33:.., NOARP) are not hosts: never advertised
  // as MAC+IP, kept out of the ARP/ND suppression view (same filter in the dump below).
  // A deleted or failed entry has no NDA_LLADDR (the kernel sends it only in NUD_VALID states):
  // `ip neigh del` is a NEWNEIGH in state FAILED, then a DELNEIGH, both without one.
  if (m->lladdr && m->lladdr->is_multicast()) return;
  auto key = std::tuple(*vni, *m->dst);
  const bool gone = type == RTM_DELNEIGH || (m->state & (NUD_FAILED | NUD_INCOMPLETE)) ||
                    (m->flags & NTF_EXT_LEARNED) || !m->lladdr;
  if (gone) {
    if (local_neighs_.erase(key)) out.push_back(LocalNeighbourRemoved{*vni, *m->dst});
    return;
  }
  local_neighs_[key] = *m->lladdr;
  out.push_back(LocalNeighbourLearned{*vni, *m->dst, *m->lladdr, to_state(m->state), bool(m->flags & NTF_ROUTER)});
}

size_t LinuxDataplane::poll_events(std::vector<DataplaneEvent>& out) {
  const size_t before = out.size();
  // Events read while applying come first: they are older than what is pending now.
  if (!early_events_.empty()) {
    out.insert(out.end(), std::make_move_iterator(early_events_.begin()),
               std::make_move_iterator(early_events_.end()));
    early_events_.clear();
  }
  for (auto& [name, n] : ns_) {
    drain_monitor(name, n, out);
    if (n.writer) n.writer->ack_event();  // its errors wait for take_late_errors()
  }
  run_es_pins();
  if (!early_events_.empty()) {  // MACs released by the pins (es_ports.cpp)
    out.insert(out.end(), std::make_move_iterator(early_events_.begin()), std::make_move_iterator(early_events_.end()));
    early_events_.clear();
  }
  return out.size() - before;
}

void LinuxDataplane::drain_monitor(const NetnsName& nsname, Ns& n, std::vector<DataplaneEvent>& out) {
  if (!n.mon) return;
  bool ok = n.mon->drain([&](ByteView m) { handle_monitor(nsname, m, out); });
  if (!ok) resync_local(nsname, out);
}

void LinuxDataplane::resync_local(const NetnsName& nsname, std::vector<DataplaneEvent>& out) {
  // Netlink overran our monitor socket: the link cache is stale, and the local learning we
  // reported may be. The caches are kept: the consumer's dump() compares them with the kernel
  // and reports exactly what was learned or lost meanwhile (sync_local).
  refresh_links(ns_.at(nsname));
  out.push_back(ResyncNeeded{nsname, "netlink monitor overrun (ENOBUFS)"});
}

tl::expected<DataplaneState, DataplaneError> LinuxDataplane::dump() {
  sync();  // what the writers still hold is not in the kernel yet
  DataplaneState st;
  // Per namespace: links, FDB, neighbours, addresses, routes.
  struct Raw {
    std::vector<NeighMsg> fdb, neigh;
    std::vector<AddrMsg> addrs;
    std::vector<RouteMsg> routes;
  };
  std::map<NetnsName, Raw> raw;
  std::set<NetnsName> names;
  for (const auto& [vni, v] : l2_) names.insert(resolve_netns(v.cfg.netns));
  for (const auto& [vni, v] : l3_) names.insert(vrf_netns(v));
  for (const auto& name : names) {
    auto n = ns(name);
    if (!n) return tl::make_unexpected(n.error());
    if (auto r = refresh_links(**n); !r) return tl::make_unexpected(r.error());
    Raw& w = raw[name];
    auto run = [&](uint16_t type, uint8_t family, auto&& fn) {
      Bytes req;
      encode_dump(req, type, (*n)->req->next_seq(), family);
      return (*n)->req->dump(req, fn);
    };
    tl::expected<void, DataplaneError> r;
    if (!(r = run(RTM_GETNEIGH, AF_BRIDGE, [&](ByteView m) { if (auto x = parse_neigh(m)) w.fdb.push_back(*x); }))) return tl::make_unexpected(r.error());
    for (uint8_t fam : {uint8_t(AF_INET), uint8_t(AF_INET6)}) {
      if (!(r = run(RTM_GETNEIGH, fam, [&](ByteView m) { if (auto x = parse_neigh(m)) w.neigh.push_back(*x); }))) return tl::make_unexpected(r.error());
      if (!(r = run(RTM_GETADDR, fam, [&](ByteView m) { if (auto x = parse_addr(m)) w.addrs.push_back(*x); }))) return tl::make_unexpected(r.error());
      if (!(r = run(RTM_GETROUTE, fam, [&](ByteView m) { if (auto x = parse_route(m)) w.routes.push_back(*x); }))) return tl::make_unexpected(r.error());
    }
  }
  auto link_by_name = [&](const NetnsName& name, const std::string& dev) -> const LinkMsg* {
    for (const auto& [idx, l] : ns_.at(name).links)
      if (l.name == dev) return &l;
    return nullptr;
  };

  for (auto& [vni, v] : l2_) {
    const NetnsName name = resolve_netns(v.cfg.netns);
    const LinkMsg* br = link_by_name(name, v.cfg.bridge);
    const LinkMsg* vx = link_by_name(name, v.cfg.vxlan_device);
    if (br) v.bridge_ifindex = br->ifindex;
    if (vx) v.vxlan_ifindex = vx->ifindex;
    // Reported only when wired as we set it up; anything else is re-ensured by reconcile.
    if (br && vx && br->bridge && vx->vxlan && vx->brport && !vx->brport->learning && !vx->vxlan->learning &&
        vx->master && static_cast<int32_t>(*vx->master) == br->ifindex && (br->flags & IFF_UP) && (vx->flags & IFF_UP)) {
      L2Vni r = v.cfg;
      r.vni = vx->vxlan->id;
      r.local_vtep = vx->vxlan->local;
      r.dstport = vx->vxlan->port;
      r.ttl = vx->vxlan->ttl;
      r.arp_suppression = vx->brport->neigh_suppress;
      r.bridge_mac = br->address;
      r.mtu = vx->mtu.value_or(0);
      r.ageing_time_cs = br->bridge->ageing_time_cs;
      st.l2vnis.push_back(r);
    }
    const Raw& w = raw[name];
    std::map<Mac, const NeighMsg*> master;
    for (const auto& e : w.fdb)
      if (e.ifindex == v.vxlan_ifindex && !(e.flags & NTF_SELF) && (e.flags & NTF_EXT_LEARNED) && e.lladdr) master[*e.lladdr] = &e;
    for (const auto& e : w.fdb) {
      if (!e.lladdr) continue;
      if (e.ifindex == v.vxlan_ifindex && (e.flags & NTF_SELF) && (e.dst || e.nhid)) {
        if (e.lladdr->is_zero()) {
          if (e.dst) st.flood_entries.push_back(FloodEntry{vni, *e.dst});
        } else if (e.flags & NTF_EXT_LEARNED) {
          auto m = master.find(*e.lladdr);
          // A `self` entry without its bridge entry is incomplete (pitfall 7): report it with no
          // VTEP (and no nhid) so that reconcile re-adds it when wanted and deletes it when not.
          // The nhid form has no VTEP in the kernel (RemoteMac: `vtep` is for views then).
          const bool whole = m != master.end();
          RemoteMac rm{vni, *e.lladdr, whole && e.dst ? *e.dst : IpAddress{},
                       whole && (m->second->flags & NTF_STICKY), whole ? e.nhid.value_or(0) : 0};
          st.remote_macs.push_back(rm);
          mac_form_[std::tuple(vni, *e.lladdr)] = e.nhid.value_or(0);
        }
      } else if (e.master && static_cast<int32_t>(*e.master) == v.bridge_ifindex && !(e.flags & NTF_SELF) &&
                 e.ifindex != v.vxlan_ifindex && !(e.flags & NTF_EXT_LEARNED) && !(e.state & NUD_PERMANENT) && !e.vlan) {
        const auto& links = ns_.at(name).links;
        auto it = links.find(e.ifindex);
        st.local_macs.push_back(LocalMacLearned{vni, *e.lladdr, it != links.end() ? it->second.name : "",
                                                bool(e.state & NUD_NOARP)});
      }
    }
    dump_es_entries(vni, v, w.fdb, st);
    for (const auto& e : w.neigh) {
      if (e.ifindex != v.bridge_ifindex || !e.dst || !e.lladdr) continue;
      if (e.flags & NTF_EXT_LEARNED)
        st.remote_neighbours.push_back(RemoteNeighbour{vni, *e.dst, *e.lladdr, bool(e.flags & NTF_ROUTER)});
      else if (!(e.state & (NUD_FAILED | NUD_INCOMPLETE)) && !e.lladdr->is_multicast())
        st.local_neighbours.push_back(LocalNeighbourLearned{vni, *e.dst, *e.lladdr, to_state(e.state), bool(e.flags & NTF_ROUTER)});
    }
    for (const auto& a : w.addrs)
      if (a.ifindex == v.bridge_ifindex && !is_link_local(a.address))
        st.svi_addresses.push_back(SviAddress{vni, a.address, a.prefix_len});
  }

  for (auto& [vni, v] : l3_) {
    const NetnsName name = vrf_netns(v);
    const LinkMsg* br = link_by_name(name, v.cfg.bridge);
    const LinkMsg* vx = link_by_name(name, v.cfg.vxlan_device);
    if (br) v.bridge_ifindex = br->ifindex;
    if (vx) v.vxlan_ifindex = vx->ifindex;
    bool vrf_ok = true;
    if (v.cfg.backend == VrfBackend::kVrfDevice) {
      const LinkMsg* vrf = link_by_name(name, v.cfg.name);
      if (vrf) v.vrf_ifindex = vrf->ifindex;
      vrf_ok = vrf && vrf->kind == "vrf" && vrf->vrf_table == v.cfg.table && br && br->master &&
               static_cast<int32_t>(*br->master) == vrf->ifindex;
      for (const auto& member : v.cfg.member_bridges) {
        const LinkMsg* m = link_by_name(name, member);
        vrf_ok = vrf_ok && m && m->master && vrf && static_cast<int32_t>(*m->master) == vrf->ifindex;
      }
    }
    if (vrf_ok && br && vx && vx->vxlan && vx->brport && !vx->brport->learning && !vx->vxlan->learning && vx->master &&
        static_cast<int32_t>(*vx->master) == br->ifindex && br->address && (br->flags & IFF_UP) && (vx->flags & IFF_UP)) {
      L3Vni r = v.cfg;
      r.l3vni = vx->vxlan->id;
      r.local_vtep = vx->vxlan->local;
      r.dstport = vx->vxlan->port;
      r.ttl = vx->vxlan->ttl;
      r.router_mac = *br->address;
      r.mtu = vx->mtu.value_or(0);
      st.l3vnis.push_back(r);
    }
    const Raw& w = raw[name];
    // RMAC: neighbour <vtep> lladdr <rmac> extern_learn on brL3 + FDB <rmac> dst <vtep> self
    // extern_learn (+ master) on the L3 vxlan. Leftover halves are reported as plain entries so
    // reconcile removes them.
    std::map<Mac, IpAddress> self_dst;
    std::set<Mac> has_master;
    for (const auto& e : w.fdb) {
      if (e.ifindex != v.vxlan_ifindex || !e.lladdr || !(e.flags & NTF_EXT_LEARNED)) continue;
      if ((e.flags & NTF_SELF) && e.dst) self_dst[*e.lladdr] = *e.dst;
      if (!(e.flags & NTF_SELF)) has_master.insert(*e.lladdr);
    }
    std::set<Mac> used;
    for (const auto& e : w.neigh) {
      if (e.ifindex != v.bridge_ifindex || !e.dst || !e.lladdr || !(e.flags & NTF_EXT_LEARNED)) continue;
      auto it = self_dst.find(*e.lladdr);
      if (it != self_dst.end() && it->second == *e.dst && has_master.count(*e.lladdr)) {
        st.remote_rmacs.push_back(RemoteRmac{vni, *e.lladdr, *e.dst});
        used.insert(*e.lladdr);
      } else {
        st.remote_neighbours.push_back(RemoteNeighbour{vni, *e.dst, *e.lladdr, bool(e.flags & NTF_ROUTER)});
      }
    }
    for (const auto& [mac, dst] : self_dst)
      if (!used.count(mac)) st.remote_macs.push_back(RemoteMac{vni, mac, IpAddress{}, false});
    const uint32_t table = route_table(v);
    for (const auto& r : w.routes) {
      if (r.protocol != RTPROT_BGP || r.table != table || r.type != RTN_UNICAST) continue;
      VrfRoute vr{vni, r.dst, {}, r.priority.value_or(0), is_local_route(r)};
      for (const auto& nh : r.nexthops) {
        IpAddress gw = nh.gateway;
        // Undo the v4-mapped gateway of IPv6 routes over IPv4 VTEPs.
        if (!vr.local && gw.is_v6() && std::all_of(gw.data(), gw.data() + 10, [](uint8_t b) { return b == 0; }) &&
            gw.data()[10] == 0xff && gw.data()[11] == 0xff)
          gw = IpAddress::v4(gw.data() + 12);
        vr.nexthops.push_back(gw);
      }
      std::sort(vr.nexthops.begin(), vr.nexthops.end());
      st.routes.push_back(vr);
    }
  }
  dump_es_attachments(st);
  if (auto r = dump_nexthops(st); !r) return tl::make_unexpected(r.error());
  sync_local(st);
  run_es_pins();
  return st;
}

void LinuxDataplane::sync_local(const DataplaneState& st) {
  // The caches must hold exactly what the consumer was told, or a host present before we
  // started (never announced by the monitor) is never reported gone when it ages out.
  std::map<std::tuple<Vni, Mac>, const LocalMacLearned*> macs;
  for (const auto& m : st.local_macs) macs.emplace(std::tuple(m.vni, m.mac), &m);
  // A host we learned on a port and a peer PE synced there too (same entry, now extern_learn):
  // still local (es_ports.cpp).
  std::set<std::tuple<Vni, Mac, std::string>> synced;
  for (const auto& m : st.synced_macs) synced.emplace(m.vni, m.mac, m.port);
  for (auto it = local_macs_.begin(); it != local_macs_.end();) {
    if (macs.count(it->first) || synced.count(std::tuple(std::get<0>(it->first), std::get<1>(it->first), it->second))) {
      ++it;
      continue;
    }
    // Gone while we were not listening (a VNI no longer registered has no consumer left).
    if (l2(std::get<0>(it->first))) {
      early_events_.push_back(LocalMacAged{std::get<0>(it->first), std::get<1>(it->first)});
      es_local_mac(std::get<0>(it->first), std::get<1>(it->first), std::nullopt);
    }
    it = local_macs_.erase(it);
  }
  for (const auto& [k, m] : macs) {
    auto [pos, inserted] = local_macs_.try_emplace(k, m->port);
    if (!inserted && pos->second == m->port) continue;
    pos->second = m->port;
    early_events_.push_back(*m);
    es_local_mac(m->vni, m->mac, m->port);
  }
  std::map<std::tuple<Vni, IpAddress>, const LocalNeighbourLearned*> neighs;
  for (const auto& n : st.local_neighbours) neighs.emplace(std::tuple(n.vni, n.ip), &n);
  for (auto it = local_neighs_.begin(); it != local_neighs_.end();) {
    if (neighs.count(it->first)) {
      ++it;
      continue;
    }
    if (l2(std::get<0>(it->first)))
      early_events_.push_back(LocalNeighbourRemoved{std::get<0>(it->first), std::get<1>(it->first)});
    it = local_neighs_.erase(it);
  }
  for (const auto& [k, n] : neighs) {
    auto [pos, inserted] = local_neighs_.try_emplace(k, n->mac);
    if (!inserted && pos->second == n->mac) continue;
    pos->second = n->mac;
    early_events_.push_back(*n);
  }
}

ReconcileReport LinuxDataplane::reconcile(std::span<const Intent> desired) {
  ReconcileReport rep;
  // Register the VNIs (without touching the kernel) so dump() knows where to look.
  for (const auto& i : desired) {
    if (i.action != Action::kAdd) continue;
    if (const auto* v = i.get<L2Vni>()) l2_.try_emplace(v->vni, Vni2{*v, 0, 0}).first->second.cfg = *v;
    if (const auto* v3 = i.get<L3Vni>()) l3_.try_emplace(v3->l3vni, Vni3{*v3, 0, 0}).first->second.cfg = *v3;
  }
  auto st = dump();
  if (!st) {
    rep.errors.push_back({0, st.error().error, "reconcile: dump failed: " + st.error().message});
    return rep;
  }
  auto plan = plan_reconcile(desired, *st);
  force_sync_ = true;  // the report counts per plan index: no late errors here
  ApplyResult res = apply(plan.intents);
  force_sync_ = false;
  return reconcile_report(plan, std::move(res));
}

}  // namespace evpnd::dataplane

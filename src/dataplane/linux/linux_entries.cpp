// LinuxDataplane: entry intents -> queued rtnetlink requests (the FRR/zebra shapes of
// FRR-INTEROP.md §1). Sent by flush() in LinuxDataplane::apply().
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/linux/nl_encoder.hpp"

namespace evpnd::dataplane {

using namespace nl;

namespace {

constexpr uint16_t kReplace = NLM_F_CREATE | NLM_F_REPLACE;

uint8_t family_of(const IpAddress& a) { return a.is_v6() ? AF_INET6 : AF_INET; }

// `<mac> dev vxlanN dst <vtep> self extern_learn` and `<mac> dev vxlanN master brN extern_learn`
// in one request: rtnl_fdb_add() runs the master's ndo_fdb_add for NTF_MASTER and the device's
// own for NTF_SELF. The vxlan driver only accepts NUD_REACHABLE/PERMANENT; extern_learn entries
// never age in either table.
NeighMsg fdb_add(int32_t vxlan, const Mac& mac, const IpAddress& vtep, bool sticky) {
  uint8_t flags = NTF_SELF | NTF_MASTER | NTF_EXT_LEARNED;
  if (sticky) flags |= NTF_STICKY;
  return NeighMsg{AF_BRIDGE, vxlan, NUD_REACHABLE, flags, mac, vtep};
}

}  // namespace

int LinuxDataplane::queue_entry(const Intent& i, size_t index) {
  const bool add = i.action == Action::kAdd;
  const bool del = !add;
  auto ns_or = [&](const NetnsName& name) -> Ns* {
    auto n = ns(resolve_netns(name));
    return n ? *n : nullptr;
  };

  if (const auto* m = i.get<RemoteMac>()) return queue_remote_mac(*m, add, index);
  if (i.get<SyncedMac>()) return queue_synced_mac(i, index);

  if (const auto* f = i.get<FloodEntry>()) {
    const Vni2* v = l2(f->vni);
    if (!v) return add ? ENODEV : 0;
    if (f->vtep.empty()) return EINVAL;
    Ns* n = ns_or(v->cfg.netns);
    if (!n) return EIO;
    // `bridge fdb append 00:00:00:00:00:00 dev vxlanN dst <vtep> self permanent`: NLM_F_APPEND adds
    // one more remote to the all-zeros entry (vxlan_fdb_append() is a no-op for a known remote).
    queue(*n, index, del, [&](Bytes& b, uint32_t seq) {
      NeighMsg msg{AF_BRIDGE, v->vxlan_ifindex, uint16_t(add ? (NUD_NOARP | NUD_PERMANENT) : 0), NTF_SELF, Mac{},
                   f->vtep};
      encode_neigh(b, add ? RTM_NEWNEIGH : RTM_DELNEIGH,
                   {uint16_t(add ? (NLM_F_CREATE | NLM_F_APPEND) : 0), seq}, msg);
    });
    return 0;
  }

  if (const auto* r = i.get<RemoteNeighbour>()) {
    const Vni2* v2 = l2(r->vni);
    const Vni3* v3 = v2 ? nullptr : l3(r->vni);
    if (!v2 && !v3) return add ? ENODEV : 0;
    if (r->ip.empty()) return EINVAL;
    Ns* n = ns_or(v2 ? v2->cfg.netns : v3->cfg.netns);
    if (!n) return EIO;
    const int32_t svi = v2 ? v2->bridge_ifindex : v3->bridge_ifindex;
    // NLM_F_REPLACE over a locally resolved entry makes it ours: the local binding is gone.
    if (add && v2 && local_neighs_.erase(std::tuple(r->vni, r->ip)))
      early_events_.push_back(LocalNeighbourRemoved{r->vni, r->ip});
    queue(*n, index, del, [&](Bytes& b, uint32_t seq) {
      uint8_t flags = NTF_EXT_LEARNED | (r->is_router ? NTF_ROUTER : 0);
      NeighMsg msg{family_of(r->ip), svi, uint16_t(add ? NUD_NOARP : 0), uint8_t(add ? flags : 0),
                   add ? std::optional<Mac>(r->mac) : std::nullopt, r->ip};
      encode_neigh(b, add ? RTM_NEWNEIGH : RTM_DELNEIGH, {uint16_t(add ? kReplace : 0), seq}, msg);
    });
    return 0;
  }

  if (const auto* rm = i.get<RemoteRmac>()) {
    const Vni3* v = l3(rm->l3vni);
    if (!v) return add ? ENODEV : 0;
    if (rm->vtep.empty()) return EINVAL;
    Ns* n = ns_or(vrf_netns(*v));
    if (!n) return EIO;
    if (add) {
      queue(*n, index, false, [&](Bytes& b, uint32_t seq) {
        encode_neigh(b, RTM_NEWNEIGH, {kReplace, seq}, fdb_add(v->vxlan_ifindex, rm->rmac, rm->vtep, false));
      });
      queue(*n, index, false, [&](Bytes& b, uint32_t seq) {
        encode_neigh(b, RTM_NEWNEIGH, {kReplace, seq},
                     NeighMsg{family_of(rm->vtep), v->bridge_ifindex, NUD_NOARP, NTF_EXT_LEARNED, rm->rmac, rm->vtep});
      });
    } else {
      queue(*n, index, true, [&](Bytes& b, uint32_t seq) {
        encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{family_of(rm->vtep), v->bridge_ifindex, 0, 0, std::nullopt, rm->vtep});
      });
      // The RMAC FDB entry may be shared by several VTEPs only in odd set-ups; remove it with its
      // neighbour as zebra does.
      queue(*n, index, true, [&](Bytes& b, uint32_t seq) {
        encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{AF_BRIDGE, v->vxlan_ifindex, 0, NTF_SELF, rm->rmac, std::nullopt});
      });
      queue(*n, index, true, [&](Bytes& b, uint32_t seq) {
        encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{AF_BRIDGE, v->vxlan_ifindex, 0, NTF_MASTER, rm->rmac, std::nullopt});
      });
    }
    return 0;
  }

  if (const auto* rt = i.get<VrfRoute>()) {
    const Vni3* v = l3(rt->l3vni);
    if (!v) return add ? ENODEV : 0;
    if (add && rt->nexthops.empty()) return EINVAL;
    Ns* n = ns_or(vrf_netns(*v));
    if (!n) return EIO;
    RouteMsg msg;
    msg.family = rt->prefix.address().is_v6() ? AF_INET6 : AF_INET;
    msg.dst = rt->prefix;
    msg.table = route_table(*v);
    msg.priority = rt->metric;
    if (add && rt->local) {
      // Via routers on the VRF's own links (BGP CEs): a plain gateway, no onlink, no device; the
      // kernel resolves it through the VRF's connected subnets (ENETUNREACH until they are up:
      // the retry queue tries again). A gateway of the other family would need RTA_VIA.
      for (const auto& nh : rt->nexthops) {
        if (nh.is_v6() != (msg.family == AF_INET6)) return EAFNOSUPPORT;
        msg.nexthops.push_back(NextHop{nh, 0, 0});
      }
    } else if (add) {
      for (const auto& nh : rt->nexthops) {
        // An IPv6 prefix over an IPv4 VTEP uses the v4-mapped address as gateway, as zebra does.
        IpAddress gw = nh;
        if (msg.family == AF_INET6 && nh.is_v4()) {
          uint8_t b[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
          std::copy(nh.data(), nh.data() + 4, b + 12);
          gw = IpAddress::v6(b);
        } else if (msg.family == AF_INET && nh.is_v6()) {
          return EAFNOSUPPORT;  // would need RTA_VIA; EVPN VTEPs here are IPv4
        }
        msg.nexthops.push_back(NextHop{gw, v->bridge_ifindex, RTNH_F_ONLINK});
      }
    }
    queue(*n, index, del, [&](Bytes& b, uint32_t seq) {
      encode_route(b, add ? RTM_NEWROUTE : RTM_DELROUTE, {uint16_t(add ? kReplace : 0), seq}, msg);
    });
    return 0;
  }

  if (const auto* s = i.get<SviAddress>()) {
    const Vni2* v = l2(s->vni);
    if (!v) return add ? ENODEV : 0;
    Ns* n = ns_or(v->cfg.netns);
    if (!n) return EIO;
    queue(*n, index, del, [&](Bytes& b, uint32_t seq) {
      encode_addr(b, add ? RTM_NEWADDR : RTM_DELADDR, {uint16_t(add ? kReplace : 0), seq},
                  AddrMsg{v->bridge_ifindex, s->address, s->prefix_len});
    });
    return 0;
  }
  return EINVAL;
}

int LinuxDataplane::queue_remote_mac(const RemoteMac& m, bool add, size_t index) {
  const Vni2* v2 = l2(m.vni);
  const Vni3* v3 = v2 ? nullptr : l3(m.vni);
  if (!v2 && !v3) return add ? ENODEV : 0;
  auto nsp = ns(resolve_netns(v2 ? v2->cfg.netns : v3->cfg.netns));
  if (!nsp) return EIO;
  Ns& n = **nsp;
  const int32_t vx = v2 ? v2->vxlan_ifindex : v3->vxlan_ifindex;
  const auto key = std::tuple(m.vni, m.mac);
  if (!add) {
    // Two requests: rtnl_fdb_del() stops at the first failure, and the master entry may already
    // be gone (taken over by local learning) while the vxlan `self` entry stays (pitfall 7).
    // A master delete only removes an entry that points at the vxlan port
    // (fdb_delete_by_addr_and_port()), so a local entry is never hit.
    mac_form_.erase(key);
    queue(n, index, true, [&](Bytes& b, uint32_t seq) {
      encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{AF_BRIDGE, vx, 0, NTF_SELF, m.mac, std::nullopt});
    });
    queue(n, index, true, [&](Bytes& b, uint32_t seq) {
      encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{AF_BRIDGE, vx, 0, NTF_MASTER, m.mac, std::nullopt});
    });
    return 0;
  }
  if ((m.nhid == 0 && m.vtep.empty()) || m.mac.is_multicast() || m.mac.is_zero()) return EINVAL;
  // The bridge entry we write replaces a locally learned one (br_fdb_external_learn_add):
  // report the local MAC gone now, as its (filtered) echo would have.
  if (v2 && local_macs_.erase(key)) early_events_.push_back(LocalMacAged{m.vni, m.mac});
  // A local MAC pinned for fast failover has a `self nhid` entry on the vxlan device, which
  // this one replaces: the entry is in nhid form now (the switch below).
  if (v2 && pinned_.erase(key)) mac_form_[key] = kFdbNexthopIdBase;
  // The vxlan driver cannot switch an entry between `dst` and `nhid` by replace: dst -> nhid is
  // refused (EOPNOTSUPP "Cannot replace an existing non nexthop fdb with a nexthop") and
  // nhid -> dst is accepted but changes nothing (vxlan_fdb_replace() finds no remote). So a
  // switch deletes the `self` entry first, in the same batch; its echo is ours, not drift.
  auto form = mac_form_.find(key);
  if (form != mac_form_.end() && (form->second != 0) != (m.nhid != 0)) {
    switch_dels_.insert(key);
    queue(n, index, true, [&](Bytes& b, uint32_t seq) {
      encode_neigh(b, RTM_DELNEIGH, {0, seq}, NeighMsg{AF_BRIDGE, vx, 0, NTF_SELF, m.mac, std::nullopt});
    });
  }
  mac_form_[key] = m.nhid;
  NeighMsg msg = fdb_add(vx, m.mac, m.vtep, m.sticky);
  if (m.nhid != 0) {
    msg.dst.reset();
    msg.nhid = m.nhid;  // `<mac> dev vxlanN nhid <group> self extern_learn` (+ master)
  }
  queue(n, index, false, [&](Bytes& b, uint32_t seq) { encode_neigh(b, RTM_NEWNEIGH, {kReplace, seq}, msg); });
  return 0;
}

void LinuxDataplane::note_failed(const Intent& i, int error) {
  // An nhid-form add refused because a `dst`-form entry we did not know of is in the way (a
  // foreign one, or one left from before a restart we did not dump): the retry deletes it first.
  const auto* m = i.get<RemoteMac>();
  if (m && i.action == Action::kAdd && m->nhid != 0 && error == EOPNOTSUPP) mac_form_[std::tuple(m->vni, m->mac)] = 0;
}

}  // namespace evpnd::dataplane

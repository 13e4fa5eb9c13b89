// LinuxDataplane: recognising our own objects in kernel messages, for drift repair.
//
//   * the monitor: a deletion of something carrying our ownership marks (intent.hpp NOTE
//     ownership: extern_learn FDB/neighbours, the all-zero-MAC `self` flood entries, `proto bgp`
//     routes, SVI addresses, the devices of registered VNIs) becomes OwnedEntryRemoved. Our own
//     deletions come back the same way; the daemon tells them apart by its desired state.
//   * late errors: a request the writer thread saw fail is decoded back into its intent, so the
//     failure reaches the daemon's retry queue like a synchronous one.
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::dataplane {

using namespace nl;

std::optional<IntentObject> LinuxDataplane::owned_neigh(const NetnsName& nsname, const NeighMsg& m) const {
  if (m.family == AF_BRIDGE) {
    if (!m.lladdr) return std::nullopt;
    for (const auto& [vni, v] : l2_) {
      if (v.vxlan_ifindex != m.ifindex || resolve_netns(v.cfg.netns) != nsname) continue;
      if (m.lladdr->is_zero()) {
        if (m.dst) return FloodEntry{vni, *m.dst};
        return std::nullopt;
      }
      return RemoteMac{vni, *m.lladdr, m.dst.value_or(IpAddress{}), bool(m.flags & NTF_STICKY), m.nhid.value_or(0)};
    }
    // An extern_learn entry on a local port of one of our bridges: a MAC synced from a peer PE
    // of the port's Ethernet segment (es_ports.cpp), unless it is a local MAC we pinned there.
    if (m.master && !(m.flags & NTF_SELF) && (m.flags & NTF_EXT_LEARNED)) {
      auto vni = vni_of_bridge(nsname, static_cast<int32_t>(*m.master));
      if (vni) {
        if (pinned_.count(std::tuple(*vni, *m.lladdr))) return std::nullopt;
        const auto& links = ns_.at(nsname).links;
        auto it = links.find(m.ifindex);
        return SyncedMac{*vni, *m.lladdr, it != links.end() ? it->second.name : std::to_string(m.ifindex)};
      }
    }
    for (const auto& [vni, v] : l3_)
      if (v.vxlan_ifindex == m.ifindex && vrf_netns(v) == nsname)
        return RemoteRmac{vni, *m.lladdr, m.dst.value_or(IpAddress{})};
    return std::nullopt;
  }
  if ((m.family != AF_INET && m.family != AF_INET6) || !m.dst) return std::nullopt;
  for (const auto& [vni, v] : l2_)
    if (v.bridge_ifindex == m.ifindex && resolve_netns(v.cfg.netns) == nsname)
      return RemoteNeighbour{vni, *m.dst, m.lladdr.value_or(Mac{}), bool(m.flags & NTF_ROUTER)};
  for (const auto& [vni, v] : l3_)
    if (v.bridge_ifindex == m.ifindex && vrf_netns(v) == nsname)
      return RemoteRmac{vni, m.lladdr.value_or(Mac{}), *m.dst};
  return std::nullopt;
}

std::optional<IntentObject> LinuxDataplane::owned_route(const NetnsName& nsname, const RouteMsg& r) const {
  if (r.protocol != RTPROT_BGP || r.type != RTN_UNICAST) return std::nullopt;
  for (const auto& [vni, v] : l3_)
    if (vrf_netns(v) == nsname && route_table(v) == r.table)
      return VrfRoute{vni, r.dst, {}, r.priority.value_or(0), is_local_route(r)};
  return std::nullopt;
}

std::optional<IntentObject> LinuxDataplane::owned_addr(const NetnsName& nsname, const AddrMsg& a) const {
  for (const auto& [vni, v] : l2_)
    if (v.bridge_ifindex == a.ifindex && resolve_netns(v.cfg.netns) == nsname)
      return SviAddress{vni, a.address, a.prefix_len};
  return std::nullopt;
}

void LinuxDataplane::report_owned_removal(const NetnsName& nsname, ByteView msg, std::vector<DataplaneEvent>& out) {
  const uint16_t type = message_type(msg);
  std::optional<IntentObject> o;
  if (type == RTM_DELNEIGH) {
    auto m = parse_neigh(msg);
    if (!m) return;
    // Ours: extern_learn FDB entries, and the all-zero-MAC flood entries on a vxlan device. An
    // IP neighbour loses NTF_EXT_LEARNED before it is deleted (`ip neigh del` is an admin update
    // to FAILED, which clears the flag), so every neighbour deleted on our bridges is reported;
    // a local one is simply not among what the consumer wants.
    const bool flood = m->family == AF_BRIDGE && (m->flags & NTF_SELF) && m->lladdr && m->lladdr->is_zero();
    if (m->family == AF_BRIDGE && !(m->flags & NTF_EXT_LEARNED) && !flood) return;
    o = owned_neigh(nsname, *m);
    // Our own delete of a `self` entry that switches form (linux_entries.cpp): not drift.
    if (const auto* rm = o ? std::get_if<RemoteMac>(&*o) : nullptr; rm && (m->flags & NTF_SELF) &&
                                                                   switch_dels_.erase(std::tuple(rm->vni, rm->mac)))
      return;
  } else if (type == RTM_DELROUTE) {
    if (auto r = parse_route(msg)) o = owned_route(nsname, *r);
  } else if (type == RTM_DELADDR) {
    if (auto a = parse_addr(msg)) o = owned_addr(nsname, *a);
  }
  if (o) out.push_back(OwnedEntryRemoved{std::move(*o)});
}

std::optional<IntentObject> LinuxDataplane::owned_device(const NetnsName& nsname, int32_t ifindex) const {
  for (const auto& [vni, v] : l2_)
    if (resolve_netns(v.cfg.netns) == nsname && (v.bridge_ifindex == ifindex || v.vxlan_ifindex == ifindex))
      return v.cfg;
  for (const auto& [vni, v] : l3_)
    if (vrf_netns(v) == nsname && (v.bridge_ifindex == ifindex || v.vxlan_ifindex == ifindex || v.vrf_ifindex == ifindex))
      return v.cfg;
  return std::nullopt;
}

std::optional<Intent> LinuxDataplane::intent_of_request(const NetnsName& nsname, ByteView msg) const {
  const uint16_t type = message_type(msg);
  std::optional<IntentObject> o;
  if (type == RTM_NEWNEIGH || type == RTM_DELNEIGH) {
    if (auto m = parse_neigh(msg)) o = owned_neigh(nsname, *m);
  } else if (type == RTM_NEWROUTE || type == RTM_DELROUTE) {
    if (auto r = parse_route(msg)) o = owned_route(nsname, *r);
  } else if (type == RTM_NEWADDR || type == RTM_DELADDR) {
    if (auto a = parse_addr(msg)) o = owned_addr(nsname, *a);
  }
  if (!o) return std::nullopt;
  const bool add = type == RTM_NEWNEIGH || type == RTM_NEWROUTE || type == RTM_NEWADDR;
  return add ? Intent::add(std::move(*o)) : Intent::del(std::move(*o));
}

}  // namespace evpnd::dataplane

// LinuxDataplane: the netlink half of local Ethernet segments (multihoming.md §3, §6).
//
//   EsAttachment.blocked       `bridge link set dev <port> state 0` (single-active non-DF, RFC 7432
//                              §14.1.1: no traffic at all); unblocked -> forwarding (3). `state 4`
//                              (blocking) is not used: with STP off the kernel makes it forwarding.
//   EsAttachment.backup_nhid   fast failover: `backup_port <vxlanN>` on the port, `hairpin on` on
//                              the vxlan port (overlay traffic that arrives for a segment MAC
//                              while the port is down goes back out to the peer PE), and for each
//                              local MAC learned on the port `<mac> dev vxlanN nhid <backup> self`
//                              with the local entry pinned as `<mac> dev <port> master
//                              extern_learn`, which the kernel keeps across carrier loss (a learned
//                              entry is flushed with the carrier, and backup_port needs the entry).
//   EsAttachment.non_df,       the tc/eBPF half, through the EsPortFilter hook (es_port_filter.hpp).
//     peer_vteps
//   SyncedMac                  `<mac> dev <port> master extern_learn` (MAC sync with the segment's
//                              peer PEs): never aged, kept across carrier loss, and never reported
//                              as local learning (extern_learn marks it ours).
//
// NOTE pinned MACs do not age while fast failover is on (extern_learn entries are never aged);
// they are released (deleted, reported aged, re-learned on the next frame) when the attachment
// loses its backup or goes. A pinned MAC is told from a synced one in the kernel by its
// failover entry (a `self nhid` entry on the vxlan device that is not extern_learn), so a
// restarted evpnd reads both back correctly.
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <set>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/linux/nl_encoder.hpp"

namespace evpnd::dataplane {

using namespace nl;

namespace {

constexpr uint16_t kReplace = NLM_F_CREATE | NLM_F_REPLACE;

}  // namespace

std::optional<int32_t> LinuxDataplane::port_ifindex(Ns& n, const std::string& port) {
  for (const auto& [idx, l] : n.links)
    if (l.name == port) return idx;
  if (auto l = find_link(n, port)) return l->ifindex;
  return std::nullopt;
}

int LinuxDataplane::send_now(Ns& n, Bytes& batch, const std::vector<size_t>& offsets, std::string& why) {
  if (offsets.empty()) return 0;
  auto r = n.req->transact(batch, offsets);
  if (!r) return why = r.error().message, r.error().error;
  for (const auto& f : *r) {
    // Deletes of what is already gone are fine; the first real failure is the answer.
    if (f.error == ENOENT || f.error == ESRCH || f.error == ENODEV) continue;
    why = std::strerror(f.error) + (f.message.empty() ? std::string() : " (" + f.message + ")");
    return f.error;
  }
  return 0;
}

int LinuxDataplane::pin_macs(const EsAttachment& a, const std::vector<Mac>& macs, bool pin, std::string& why) {
  const Vni2* v = l2(a.vni);
  if (!v || macs.empty()) return 0;
  auto nsp = ns(resolve_netns(v->cfg.netns));
  if (!nsp) return why = nsp.error().message, nsp.error().error;
  Ns& n = **nsp;
  auto port = port_ifindex(n, a.port);
  Bytes b;
  std::vector<size_t> offs;
  auto put = [&](uint16_t type, uint16_t flags, const NeighMsg& m) {
    offs.push_back(b.size());
    encode_neigh(b, type, {flags, n.req->next_seq()}, m);
  };
  for (const Mac& mac : macs) {
    const auto key = std::tuple(a.vni, mac);
    if (pin) {
      if (!port) return why = "port " + a.port + " not found", ENODEV;
      pinned_[key] = a.port;
      put(RTM_NEWNEIGH, kReplace, NeighMsg{AF_BRIDGE, *port, NUD_REACHABLE, NTF_MASTER | NTF_EXT_LEARNED, mac, {}});
      NeighMsg fo{AF_BRIDGE, v->vxlan_ifindex, NUD_PERMANENT, NTF_SELF, mac, {}};
      fo.nhid = a.backup_nhid;
      put(RTM_NEWNEIGH, kReplace, fo);
    } else {
      pinned_.erase(key);
      put(RTM_DELNEIGH, 0, NeighMsg{AF_BRIDGE, v->vxlan_ifindex, 0, NTF_SELF, mac, {}});
      if (port) put(RTM_DELNEIGH, 0, NeighMsg{AF_BRIDGE, *port, 0, NTF_MASTER, mac, {}});
      // Released: the bridge re-learns it from the host's next frame (then reported anew).
      if (local_macs_.erase(key)) early_events_.push_back(LocalMacAged{a.vni, mac});
    }
  }
  return send_now(n, b, offs, why);
}

int LinuxDataplane::apply_es_attachment(const Intent& i, std::string& why) {
  const auto& a = *i.get<EsAttachment>();
  const bool add = i.action == Action::kAdd;
  const Vni2* v = l2(a.vni);
  const auto key = std::tuple(a.vni, a.port);
  if (!v) {
    if (!add) es_.erase(key);
    // The filter half keeps its own record of where the port was.
    return add ? ENODEV : opts_.es_filter->apply(a, Action::kDelete, EsPortContext{}, why);
  }
  if (a.port.empty()) return why = "attachment without a port", EINVAL;
  if (add && a.backup_nhid != 0 && !nh_groups_.count(a.backup_nhid))
    return why = "backup nexthop group " + std::to_string(a.backup_nhid) + " does not exist", ENOENT;
  const NetnsName tns = resolve_netns(v->cfg.netns);
  auto nsp = ns(tns);
  if (!nsp) return why = nsp.error().message, nsp.error().error;
  Ns& n = **nsp;
  auto port = find_link(n, a.port);
  if (!port) {
    if (!add) es_.erase(key);
    return add ? (why = "port " + a.port + " not found", ENODEV)
               : opts_.es_filter->apply(a, Action::kDelete, EsPortContext{}, why);
  }
  if (add && !(port->master && static_cast<int32_t>(*port->master) == v->bridge_ifindex))
    return why = a.port + " is not a port of " + v->cfg.bridge, EINVAL;
  const EsPortContext ctx{tns, opts_.underlay_netns, port->ifindex, v->vxlan_ifindex, v->cfg.dstport};
  if (!add)
    if (int err = opts_.es_filter->apply(a, Action::kDelete, ctx, why)) return err;

  // Local MACs of the port that are (or must be) pinned, and what changes for them.
  const EsAttachment none{a.vni, a.port};
  const auto old_it = es_.find(key);
  const EsAttachment& before = old_it != es_.end() ? old_it->second : none;
  const EsAttachment& after = add ? a : none;
  std::vector<Mac> on_port;
  for (const auto& [k, p] : local_macs_)
    if (std::get<0>(k) == a.vni && p == a.port) on_port.push_back(std::get<1>(k));
  if (before.backup_nhid != 0 && after.backup_nhid == 0)
    if (int err = pin_macs(before, on_port, false, why)) return err;

  BridgePortEs want;
  want.state = after.blocked ? BR_STATE_DISABLED : BR_STATE_FORWARDING;
  want.backup_port = after.backup_nhid != 0 ? static_cast<uint32_t>(v->vxlan_ifindex) : 0;
  const BridgePortEs have = port->brport_es.value_or(BridgePortEs{});
  // Unchanged: not sent. Without carrier the kernel holds the port disabled itself and enables
  // it when the carrier comes back (br_port_carrier_check()); forwarding cannot be set then.
  if (have.state == want.state || (!after.blocked && !(port->flags & IFF_LOWER_UP))) want.state.reset();
  if (have.backup_port == want.backup_port) want.backup_port.reset();
  if (want.state || want.backup_port) {
    Bytes req;
    encode_brport_es(req, {0, n.req->next_seq()}, port->ifindex, want);
    if (int err = n.req->request(req, &why)) return err;
  }
  // Hairpin on the vxlan port while any attachment of the VNI has fast failover.
  bool hairpin = after.backup_nhid != 0;
  for (const auto& [k, e] : es_)
    if (std::get<0>(k) == a.vni && std::get<1>(k) != a.port && e.backup_nhid != 0) hairpin = true;
  auto vx = find_link(n, v->cfg.vxlan_device);
  if (vx && vx->brport_es && vx->brport_es->hairpin != hairpin) {
    BridgePortEs hp;
    hp.hairpin = hairpin;
    Bytes req;
    encode_brport_es(req, {0, n.req->next_seq()}, vx->ifindex, hp);
    if (int err = n.req->request(req, &why)) return err;
  }
  if (after.backup_nhid != 0)
    if (int err = pin_macs(after, on_port, true, why)) return err;
  if (add) {
    // The attachment's state when EVPN first names the port (the monitor reports only later
    // changes): EvpnService learns from it whether the segment can come up (RFC 8584 §2.1).
    if (old_it == es_.end()) {
      LinkChanged lc;
      lc.netns = tns;
      lc.name = a.port;
      lc.ifindex = static_cast<uint32_t>(port->ifindex);
      lc.up = (port->flags & IFF_UP) && (port->flags & IFF_LOWER_UP);
      lc.mac = port->address;
      lc.mtu = port->mtu.value_or(0);
      early_events_.push_back(std::move(lc));
    }
    es_[key] = a;
    return opts_.es_filter->apply(a, Action::kAdd, ctx, why);
  }
  es_.erase(key);
  return 0;
}

void LinuxDataplane::run_es_pins() {
  for (const auto& [nsname, ifindex] : std::exchange(es_ports_changed_, {})) es_port_changed(nsname, ifindex);
  auto todo = std::exchange(es_learn_, {});
  for (const auto& [vni, mac, port] : todo) {
    const auto key = std::tuple(vni, mac);
    auto pin = pinned_.find(key);
    std::string why;
    if (pin != pinned_.end() && (!port || *port != pin->second)) {
      // Aged (deleted) or moved to another port: its failover entry goes; a moved entry is no
      // longer extern_learn (the bridge took it over), so only the vxlan entry is deleted.
      auto a = es_.find(std::tuple(vni, pin->second));
      pinned_.erase(pin);
      const Vni2* v = l2(vni);
      if (v && a != es_.end()) {
        auto nsp = ns(resolve_netns(v->cfg.netns));
        if (nsp) {
          Bytes b;
          encode_neigh(b, RTM_DELNEIGH, {0, (*nsp)->req->next_seq()},
                       NeighMsg{AF_BRIDGE, v->vxlan_ifindex, 0, NTF_SELF, mac, {}});
          (void)send_now(**nsp, b, {0}, why);
        }
      }
    }
    if (!port) continue;
    auto a = es_.find(std::tuple(vni, *port));
    if (a == es_.end() || a->second.backup_nhid == 0 || pinned_.count(key)) continue;
    (void)pin_macs(a->second, {mac}, true, why);  // the next apply of the attachment retries
  }
}

void LinuxDataplane::es_port_changed(const NetnsName& nsname, int32_t ifindex) {
  for (const auto& [k, a] : es_) {
    const Vni2* v = l2(a.vni);
    if (!a.blocked || !v || resolve_netns(v->cfg.netns) != nsname) continue;
    Ns& n = ns_.at(nsname);
    auto l = find_link(n, a.port);
    if (!l || l->ifindex != ifindex || !l->brport_es || l->brport_es->state == BR_STATE_DISABLED) continue;
    // The kernel re-enabled a port we block (carrier came back): block it again.
    BridgePortEs b;
    b.state = BR_STATE_DISABLED;
    Bytes req;
    encode_brport_es(req, {0, n.req->next_seq()}, ifindex, b);
    (void)n.req->request(req);
  }
}

int LinuxDataplane::queue_synced_mac(const Intent& i, size_t index) {
  const auto& m = *i.get<SyncedMac>();
  const bool add = i.action == Action::kAdd;
  const Vni2* v = l2(m.vni);
  if (!v) return add ? ENODEV : 0;
  if (m.port.empty() || m.mac.is_multicast() || m.mac.is_zero()) return EINVAL;
  auto nsp = ns(resolve_netns(v->cfg.netns));
  if (!nsp) return EIO;
  auto port = port_ifindex(**nsp, m.port);
  if (!port) return add ? ENODEV : 0;
  // A master delete removes the entry only where it points at this port: a MAC that moved on
  // is left alone (fdb_delete_by_addr_and_port()).
  queue(**nsp, index, !add, [&](Bytes& b, uint32_t seq) {
    encode_neigh(b, add ? RTM_NEWNEIGH : RTM_DELNEIGH, {uint16_t(add ? kReplace : 0), seq},
                 NeighMsg{AF_BRIDGE, *port, uint16_t(add ? NUD_REACHABLE : 0),
                          uint8_t(add ? (NTF_MASTER | NTF_EXT_LEARNED) : NTF_MASTER), m.mac, {}});
  });
  return 0;
}

void LinuxDataplane::dump_es_entries(Vni vni, const Vni2& v, const std::vector<NeighMsg>& fdb, DataplaneState& st) {
  // Failover entries: `self nhid` on the vxlan device without extern_learn (see the NOTE).
  std::set<Mac> failover;
  for (const auto& e : fdb)
    if (e.ifindex == v.vxlan_ifindex && (e.flags & NTF_SELF) && !(e.flags & NTF_EXT_LEARNED) && e.nhid && e.lladdr)
      failover.insert(*e.lladdr);
  const auto& links = ns_.at(resolve_netns(v.cfg.netns)).links;
  for (const auto& e : fdb) {
    if (!e.lladdr || !e.master || static_cast<int32_t>(*e.master) != v.bridge_ifindex || (e.flags & NTF_SELF) ||
        !(e.flags & NTF_EXT_LEARNED) || e.ifindex == v.vxlan_ifindex || e.vlan)
      continue;
    auto it = links.find(e.ifindex);
    const std::string port = it != links.end() ? it->second.name : std::to_string(e.ifindex);
    if (failover.count(*e.lladdr)) {
      pinned_[std::tuple(vni, *e.lladdr)] = port;  // a local MAC pinned for fast failover
      st.local_macs.push_back(LocalMacLearned{vni, *e.lladdr, port, false});
    } else {
      st.synced_macs.push_back(SyncedMac{vni, *e.lladdr, port});
    }
  }
}

void LinuxDataplane::dump_es_attachments(DataplaneState& st) {
  // As programmed, corrected by what the kernel shows for the netlink half, so that reconcile
  // re-applies an attachment whose port was unblocked or lost its backup port behind our back.
  for (const auto& [k, a] : es_) {
    const Vni2* v = l2(a.vni);
    if (!v) continue;
    EsAttachment r = a;
    const LinkMsg* port = nullptr;
    for (const auto& [idx, l] : ns_.at(resolve_netns(v->cfg.netns)).links)
      if (l.name == a.port) port = &l;
    if (!port || !port->brport_es) continue;
    if (r.blocked && port->brport_es->state != BR_STATE_DISABLED) r.blocked = false;
    if (r.backup_nhid != 0 && port->brport_es->backup_port != static_cast<uint32_t>(v->vxlan_ifindex)) r.backup_nhid = 0;
    st.es_attachments.push_back(r);
  }
  // Filters adopted from a previous evpnd (on-stop: keep) that this one has not (yet) applied.
  for (auto& a : opts_.es_filter->programmed())
    if (l2(a.vni) && !es_.count(std::tuple(a.vni, a.port))) st.es_attachments.push_back(std::move(a));
}

}  // namespace evpnd::dataplane

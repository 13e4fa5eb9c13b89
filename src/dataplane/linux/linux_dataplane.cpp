// LinuxDataplane: namespaces, VNI devices and apply(). Dump, monitor and reconcile are in
// linux_dataplane_state.cpp.
#include "dataplane/linux/linux_dataplane.hpp"

#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "dataplane/linux/es_filter.hpp"
#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::dataplane {

using namespace nl;

tl::expected<std::unique_ptr<LinuxDataplane>, DataplaneError> LinuxDataplane::open(LinuxDataplaneOptions opts) {
  std::unique_ptr<LinuxDataplane> dp(new LinuxDataplane(std::move(opts)));
  if (!dp->opts_.es_filter) dp->opts_.es_filter = std::make_shared<EsFilter>(dp->opts_.underlay_netns);
  auto u = dp->ns(dp->opts_.underlay_netns);
  if (!u) return tl::make_unexpected(u.error());
  return dp;
}

tl::expected<LinuxDataplane::Ns*, DataplaneError> LinuxDataplane::ns(const NetnsName& name) {
  auto it = ns_.find(name);
  if (it != ns_.end()) return &it->second;
  auto req = NlSocket::open(name);
  if (!req) return tl::make_unexpected(req.error());
  // Routes and addresses too: their deletion behind our back is drift to repair (linux_owned.cpp).
  auto mon = NlSocket::open(name,
                            RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_IFADDR |
                                RTMGRP_IPV6_IFADDR,
                            opts_.monitor_rcvbuf);
  if (!mon) return tl::make_unexpected(mon.error());
  // Without the filter (old kernel) the echoes are read and handled as no-ops: an optimisation only.
  (void)(*mon)->drop_own_entry_notifications();
  // fdb nexthops live in the underlay: their deletion behind our back is drift (linux_nexthops.cpp).
  // A kernel without nexthop objects has no such group: nothing to watch then.
  if (name == opts_.underlay_netns) (void)(*mon)->join_group(RTNLGRP_NEXTHOP);
  std::unique_ptr<NlWriter> writer;
  if (opts_.async_writes) {
    auto w = NlSocket::open(name);
    if (!w) return tl::make_unexpected(w.error());
    writer = std::make_unique<NlWriter>(std::move(*w));
  }
  Ns& n = ns_[name];
  n.req = std::move(*req);
  n.mon = std::move(*mon);
  n.writer = std::move(writer);
  if (auto r = refresh_links(n); !r) {
    ns_.erase(name);
    return tl::make_unexpected(r.error());
  }
  return &n;
}

tl::expected<void, DataplaneError> LinuxDataplane::refresh_links(Ns& n) {
  Bytes req;
  encode_dump(req, RTM_GETLINK, n.req->next_seq(), AF_UNSPEC);
  std::map<int32_t, LinkMsg> links;
  auto r = n.req->dump(req, [&](ByteView m) {
    if (auto l = parse_link(m)) links[l->ifindex] = std::move(*l);
  });
  if (!r) return r;
  n.links = std::move(links);
  return {};
}

std::optional<LinkMsg> LinuxDataplane::find_link(Ns& n, const std::string& name) {
  Bytes req;
  encode_getlink(req, n.req->next_seq(), name);
  auto ans = n.req->query(req);
  if (!ans) return std::nullopt;
  auto l = parse_link(*ans);
  if (l) n.links[l->ifindex] = *l;
  return l;
}

int LinuxDataplane::delete_link(Ns& n, const std::string& name) {
  auto l = find_link(n, name);
  if (!l) return 0;
  Bytes req;
  LinkMsg m;
  m.ifindex = l->ifindex;
  encode_link(req, RTM_DELLINK, {0, n.req->next_seq()}, m);
  int err = n.req->request(req);
  if (err == 0 || err == ENODEV) n.links.erase(l->ifindex);
  return err == ENODEV ? 0 : err;
}

int LinuxDataplane::set_master_up(Ns& n, int32_t ifindex, std::optional<uint32_t> master, std::string& why) {
  Bytes req;
  LinkMsg m;
  m.ifindex = ifindex;
  m.master = master;
  m.up = true;
  encode_link(req, RTM_NEWLINK, {0, n.req->next_seq()}, m);
  return n.req->request(req, &why);
}

int LinuxDataplane::ensure_bridge(Ns& n, const std::string& name, const std::optional<Mac>& mac,
                                  uint32_t ageing, int32_t& ifindex, std::string& why) {
  LinkMsg m;
  m.kind = "bridge";
  m.bridge = BridgeInfo{0, false, ageing};
  m.address = mac;
  auto cur = find_link(n, name);
  if (cur && cur->kind != "bridge") {
    why = name + " exists and is a " + cur->kind + ", not a bridge";
    return EEXIST;
  }
  Bytes req;
  if (cur) {
    // Existing bridge: changelink only what differs, so a correct bridge sees no request at all.
    const bool same = cur->bridge && *cur->bridge == *m.bridge && (!mac || cur->address == mac);
    ifindex = cur->ifindex;
    if (same) return 0;
    m.ifindex = cur->ifindex;
    encode_link(req, RTM_NEWLINK, {0, n.req->next_seq()}, m);
  } else {
    m.name = name;
    encode_link(req, RTM_NEWLINK, {NLM_F_CREATE | NLM_F_EXCL, n.req->next_seq()}, m);
  }
  if (int err = n.req->request(req, &why)) return err;
  auto now = find_link(n, name);
  if (!now) return ENODEV;
  ifindex = now->ifindex;
  return 0;
}

int LinuxDataplane::ensure_vxlan(Ns& target, const NetnsName& target_ns, const std::string& name,
                                 const VxlanInfo& info, uint32_t mtu, int32_t bridge_ifindex,
                                 bool neigh_suppress, int32_t& ifindex, std::string& why) {
  auto cur = find_link(target, name);
  if (cur && !(cur->kind == "vxlan" && cur->vxlan && *cur->vxlan == info)) {
    // Wrong kind or VNI/local/port/ttl/learning differ: the kernel cannot change all of these in
    // place (vxlan_changelink() refuses a new VNI), so recreate.
    if (int err = delete_link(target, name)) return why = "delete stale " + name, err;
    cur.reset();
  }
  if (!cur) {
    auto under = ns(opts_.underlay_netns);
    if (!under) return why = under.error().message, under.error().error;
    Ns& u = **under;
    if (&u != &target) delete_link(u, name);  // a leftover from an interrupted move
    LinkMsg m;
    m.name = name;
    m.kind = "vxlan";
    m.vxlan = info;
    if (mtu) m.mtu = mtu;
    Bytes req;
    encode_link(req, RTM_NEWLINK, {NLM_F_CREATE | NLM_F_EXCL, u.req->next_seq()}, m);
    if (int err = u.req->request(req, &why)) return err;
    if (&u != &target) {
      // Created in the underlay so its UDP socket lives there, then moved (FRR-INTEROP.md §1).
      auto created = find_link(u, name);
      if (!created) return why = name + " vanished after create", ENODEV;
      auto fd = NetnsFd::open(target_ns);
      if (!fd) return why = fd.error().message, fd.error().error;
      LinkMsg mv;
      mv.ifindex = created->ifindex;
      mv.netns_fd = fd->fd();
      Bytes mreq;
      encode_link(mreq, RTM_NEWLINK, {0, u.req->next_seq()}, mv);
      if (int err = u.req->request(mreq, &why)) return err;
      u.links.erase(created->ifindex);
    }
    cur = find_link(target, name);
    if (!cur) return why = name + " not found after create", ENODEV;
    // `addrgenmode none` (no IPv6 link-local on the vxlan port): the kernel refuses
    // IFLA_AF_SPEC/AF_INET6 in the create request (EAFNOSUPPORT, no inet6_dev yet), so set it after.
    LinkMsg agm;
    agm.ifindex = cur->ifindex;
    agm.addrgenmode_none = true;
    Bytes areq;
    encode_link(areq, RTM_NEWLINK, {0, target.req->next_seq()}, agm);
    if (int err = target.req->request(areq, &why)) return err;
  } else if (mtu && cur->mtu != mtu) {
    LinkMsg m;
    m.ifindex = cur->ifindex;
    m.mtu = mtu;
    Bytes req;
    encode_link(req, RTM_NEWLINK, {0, target.req->next_seq()}, m);
    if (int err = target.req->request(req, &why)) return err;
  }
  ifindex = cur->ifindex;
  if (!(cur->master && static_cast<int32_t>(*cur->master) == bridge_ifindex && (cur->flags & IFF_UP))) {
    if (int err = set_master_up(target, ifindex, static_cast<uint32_t>(bridge_ifindex), why)) return err;
  }
  const BridgePortInfo want{false, neigh_suppress};
  auto after = find_link(target, name);
  if (!(after && after->brport && *after->brport == want)) {
    Bytes req;
    encode_brport(req, {0, target.req->next_seq()}, ifindex, want);
    if (int err = target.req->request(req, &why)) return err;
  }
  return 0;
}

int LinuxDataplane::ensure_l2(const L2Vni& v, std::string& why) {
  if (v.vni == 0 || v.vni > kMaxVni || v.bridge.empty() || v.vxlan_device.empty() || v.local_vtep.empty())
    return why = "invalid L2VNI", EINVAL;
  const NetnsName tns = resolve_netns(v.netns);
  auto t = ns(tns);
  if (!t) return why = t.error().message, t.error().error;
  Vni2 r{v, 0, 0};
  if (int err = ensure_bridge(**t, v.bridge, v.bridge_mac, v.ageing_time_cs, r.bridge_ifindex, why)) return err;
  if (int err = ensure_vxlan(**t, tns, v.vxlan_device, VxlanInfo{v.vni, v.local_vtep, v.dstport, v.ttl, false},
                             v.mtu, r.bridge_ifindex, v.arp_suppression, r.vxlan_ifindex, why))
    return err;
  auto br = find_link(**t, v.bridge);
  if (br && !(br->flags & IFF_UP))
    if (int err = set_master_up(**t, r.bridge_ifindex, std::nullopt, why)) return err;
  l2_[v.vni] = r;
  return 0;
}

int LinuxDataplane::remove_l2(const L2Vni& v, std::string& why) {
  auto t = ns(resolve_netns(v.netns));
  if (!t) return why = t.error().message, t.error().error;
  l2_.erase(v.vni);
  if (int err = delete_link(**t, v.vxlan_device)) return why = "delete " + v.vxlan_device, err;
  if (int err = delete_link(**t, v.bridge)) return why = "delete " + v.bridge, err;
  return 0;
}

int LinuxDataplane::ensure_l3(const L3Vni& v, std::string& why) {
  if (v.l3vni == 0 || v.l3vni > kMaxVni || v.bridge.empty() || v.vxlan_device.empty() || v.name.empty())
    return why = "invalid L3VNI", EINVAL;
  const bool vrfdev = v.backend == VrfBackend::kVrfDevice;
  if (vrfdev && v.table == 0) return why = "vrf-device backend needs a table id", EINVAL;
  const NetnsName tns = vrfdev ? opts_.underlay_netns : resolve_netns(v.netns);
  auto t = ns(tns);
  if (!t) return why = t.error().message, t.error().error;
  Ns& n = **t;
  Vni3 r{v, 0, 0};
  std::optional<uint32_t> vrf_ifindex;
  if (vrfdev) {
    // `ip link add <name> type vrf table <table>`: needs CONFIG_NET_VRF (absent on the test kernel).
    auto cur = find_link(n, v.name);
    if (cur && !(cur->kind == "vrf" && cur->vrf_table == v.table)) {
      if (int err = delete_link(n, v.name)) return why = "delete stale vrf " + v.name, err;
      cur.reset();
    }
    if (!cur) {
      LinkMsg m;
      m.name = v.name;
      m.kind = "vrf";
      m.vrf_table = v.table;
      Bytes req;
      encode_link(req, RTM_NEWLINK, {NLM_F_CREATE | NLM_F_EXCL, n.req->next_seq()}, m);
      if (int err = n.req->request(req, &why)) return err;
      cur = find_link(n, v.name);
      if (!cur) return why = "vrf " + v.name + " not found after create", ENODEV;
    }
    if (!(cur->flags & IFF_UP))
      if (int err = set_master_up(n, cur->ifindex, std::nullopt, why)) return err;
    vrf_ifindex = static_cast<uint32_t>(cur->ifindex);
  }
  if (int err = ensure_bridge(n, v.bridge, v.router_mac, 30000, r.bridge_ifindex, why)) return err;
  if (int err = ensure_vxlan(n, tns, v.vxlan_device, VxlanInfo{v.l3vni, v.local_vtep, v.dstport, v.ttl, false},
                             v.mtu, r.bridge_ifindex, false, r.vxlan_ifindex, why))
    return err;
  if (int err = set_master_up(n, r.bridge_ifindex, vrf_ifindex, why)) return err;
  if (vrfdev) {
    for (const auto& member : v.member_bridges) {
      auto m = find_link(n, member);
      if (!m) return why = "member " + member + " not found", ENODEV;
      if (int err = set_master_up(n, m->ifindex, vrf_ifindex, why)) return err;
    }
  }
  r.vrf_ifindex = vrf_ifindex ? static_cast<int32_t>(*vrf_ifindex) : 0;
  l3_[v.l3vni] = r;
  return 0;
}

int LinuxDataplane::remove_l3(const L3Vni& v, std::string& why) {
  const bool vrfdev = v.backend == VrfBackend::kVrfDevice;
  auto t = ns(vrfdev ? opts_.underlay_netns : resolve_netns(v.netns));
  if (!t) return why = t.error().message, t.error().error;
  l3_.erase(v.l3vni);
  if (int err = delete_link(**t, v.vxlan_device)) return why = "delete " + v.vxlan_device, err;
  if (int err = delete_link(**t, v.bridge)) return why = "delete " + v.bridge, err;
  if (vrfdev)
    if (int err = delete_link(**t, v.name)) return why = "delete vrf " + v.name, err;
  return 0;
}

void LinuxDataplane::queue(Ns& n, size_t owner, bool is_delete, const std::function<void(Bytes&, uint32_t)>& enc) {
  n.offsets.push_back(n.pending.size());
  n.owners.push_back(owner);
  n.delete_ok.push_back(is_delete);
  enc(n.pending, n.req->next_seq());
}

ApplyResult LinuxDataplane::apply(std::span<const Intent> batch) {
  ApplyResult res;
  std::vector<bool> failed(batch.size(), false);
  for (size_t idx = 0; idx < batch.size(); ++idx) {
    const Intent& i = batch[idx];
    const bool add = i.action == Action::kAdd;
    int err = 0;
    std::string why;
    switch (i.kind()) {
      case IntentKind::kL2Vni:
      case IntentKind::kL3Vni:
      case IntentKind::kFdbNexthop:
      case IntentKind::kFdbNexthopGroup:
      case IntentKind::kEsAttachment: {
        flush(res, batch);  // entries queued before must reach the kernel before devices change
        sync();
        if (const auto* v = i.get<L2Vni>()) err = add ? ensure_l2(*v, why) : remove_l2(*v, why);
        if (const auto* v3 = i.get<L3Vni>()) err = add ? ensure_l3(*v3, why) : remove_l3(*v3, why);
        if (i.get<FdbNexthop>() || i.get<FdbNexthopGroup>()) err = apply_nexthop(i, why);
        if (i.get<EsAttachment>()) err = apply_es_attachment(i, why);
        break;
      }
      default:
        err = queue_entry(i, idx);
        if (err) why = "not applicable";
    }
    if (err) {
      res.errors.push_back({idx, err, to_string(i) + ": " + (why.empty() ? std::strerror(err) : why)});
    }
  }
  flush(res, batch);
  run_es_pins();  // fast-failover pins of local MACs learned meanwhile (es_ports.cpp)
  // One intent can fail in several of its requests: count each failed intent once.
  std::sort(res.errors.begin(), res.errors.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  res.errors.erase(std::unique(res.errors.begin(), res.errors.end(),
                               [](const auto& a, const auto& b) { return a.index == b.index; }),
                   res.errors.end());
  res.applied = batch.size() - res.errors.size();
  for (auto& e : res.errors)
    if (e.index < batch.size()) e.intent = batch[e.index];  // the result goes back to the owner
  return res;
}

void LinuxDataplane::sync() {
  for (auto& [name, n] : ns_) {
    if (!n.writer) continue;
    n.writer->wait_idle();
    collect_writer_errors(name, n);
  }
}

void LinuxDataplane::collect_writer_errors(const NetnsName& nsname, Ns& n) {
  for (auto& w : n.writer->take_errors()) {
    // Decoded while the registry still names the devices the request was written for.
    w.error.intent = intent_of_request(nsname, w.request);
    if (w.error.intent) note_failed(*w.error.intent, w.error.error);
    late_errors_.push_back(std::move(w.error));
  }
}

std::vector<IntentError> LinuxDataplane::take_late_errors() {
  for (auto& [name, n] : ns_)
    if (n.writer) collect_writer_errors(name, n);
  return std::exchange(late_errors_, {});
}

void LinuxDataplane::flush(ApplyResult& res, std::span<const Intent> batch) {
  for (auto& [name, n] : ns_) {
    if (n.offsets.empty()) continue;
    if (n.writer && !force_sync_) {
      // Hand the batch to the writer thread (errors are described from the request bytes).
      WriteJob job;
      job.batch = std::move(n.pending);
      job.offsets = std::move(n.offsets);
      job.delete_ok = std::move(n.delete_ok);
      n.writer->submit(std::move(job));
      n.pending.clear();
      n.offsets.clear();
      n.owners.clear();
      n.delete_ok.clear();
      continue;
    }
    // seq -> position in this namespace's queue (seqs are consecutive per socket).
    const uint32_t first_seq = reinterpret_cast<const nlmsghdr*>(n.pending.data())->nlmsg_seq;
    // Every entry we write comes back on the monitor socket: read it chunk by chunk, or 100k
    // entries overrun even a 32 MiB receive buffer and each ENOBUFS costs a full resync.
    const NetnsName nsname = name;
    Ns& ns_ref = n;
    auto r = n.req->transact(n.pending, n.offsets, [&] { drain_monitor(nsname, ns_ref, early_events_); });
    if (!r) {
      for (size_t k = 0; k < n.owners.size(); ++k)
        res.errors.push_back({n.owners[k], r.error().error, to_string(batch[n.owners[k]]) + ": " + r.error().message});
    } else {
      for (const auto& f : *r) {
        size_t k = f.seq - first_seq;
        if (k >= n.owners.size()) continue;
        if (n.delete_ok[k] && (f.error == ENOENT || f.error == ESRCH || f.error == ENODEV || f.error == EADDRNOTAVAIL))
          continue;
        note_failed(batch[n.owners[k]], f.error);
        res.errors.push_back({n.owners[k], f.error,
                              to_string(batch[n.owners[k]]) + ": " + std::strerror(f.error) +
                                  (f.message.empty() ? "" : " (" + f.message + ")")});
      }
    }
    n.pending.clear();
    n.offsets.clear();
    n.owners.clear();
    n.delete_ok.clear();
  }
}

}  // namespace evpnd::dataplane

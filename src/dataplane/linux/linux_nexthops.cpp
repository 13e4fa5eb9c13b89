// LinuxDataplane: `fdb` nexthops and nexthop groups (aliasing and mass withdraw, RFC 7432 §8.2,
// §8.4, §14.1; multihoming.md §5).
//
//   ip nexthop replace id <id> via <vtep> fdb proto bgp
//   ip nexthop replace id <group> group <a>/<b>/... fdb proto bgp
//
// NOTE namespace: the underlay, where the vxlan devices are created. The vxlan driver resolves
// NDA_NH_ID in the namespace it was created in (vxlan->net), not the tenant namespace the device
// was moved to; nexthops made there are "not found" (multihoming.md §5; FRR does the same).
// NOTE ownership: ids in [kFdbNexthopIdBase, kFdbNexthopIdEnd) are ours; `proto bgp` is set too
// so `ip nexthop` tells an operator who made them, but the id range alone decides.
// NOTE synchronous: each request is sent and acknowledged before apply() goes on, after the
// entries queued before it were flushed. Entry queues are per namespace, so without that a
// MAC queued for the tenant namespace after its group could reach the kernel first.
// NOTE drift: the kernel deletes a member from every group it is in (a group re-notified as
// RTM_NEWNEXTHOP; one left empty is deleted) and, when a group goes, flushes the vxlan FDB
// entries using it without a notification (vxlan_fdb_nh_flush()). A deletion of ours is
// therefore reported with everything it took along: the groups it shrank, the MACs it flushed.
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::dataplane {

using namespace nl;

namespace {

bool owned_id(uint32_t id) { return id >= kFdbNexthopIdBase && id < kFdbNexthopIdEnd; }

}  // namespace

int LinuxDataplane::apply_nexthop(const Intent& i, std::string& why) {
  const bool add = i.action == Action::kAdd;
  NexthopMsg m;
  m.protocol = RTPROT_BGP;
  m.fdb = true;
  if (const auto* nh = i.get<FdbNexthop>()) {
    if (!owned_id(nh->id)) return why = "nexthop id outside evpnd's range", EINVAL;
    if (add && nh->vtep.empty()) return why = "fdb nexthop without a VTEP", EINVAL;
    m.id = nh->id;
    m.family = nh->vtep.is_v6() ? AF_INET6 : AF_INET;
    if (add) m.gateway = nh->vtep;
  } else if (const auto* g = i.get<FdbNexthopGroup>()) {
    if (!owned_id(g->id)) return why = "nexthop group id outside evpnd's range", EINVAL;
    // The kernel refuses an empty group; the owner deletes the group instead (intent.hpp).
    if (add && g->members.empty()) return why = "empty nexthop group", EINVAL;
    m.id = g->id;
    m.family = AF_UNSPEC;
    m.group = g->members;
    std::sort(m.group.begin(), m.group.end());
    m.group.erase(std::unique(m.group.begin(), m.group.end()), m.group.end());
  } else {
    return EINVAL;
  }
  auto u = ns(opts_.underlay_netns);
  if (!u) return why = u.error().message, u.error().error;
  Ns& n = **u;
  Bytes req;
  // NLM_F_REPLACE: one message re-points a group, and with it every MAC using it (mass withdraw).
  encode_nexthop(req, add ? RTM_NEWNEXTHOP : RTM_DELNEXTHOP,
                 {uint16_t(add ? (NLM_F_CREATE | NLM_F_REPLACE) : 0), n.req->next_seq()}, m);
  int err = n.req->request(req, &why);
  if (!add && (err == ENOENT || err == ESRCH)) err = 0;
  if (err) return err;
  if (i.get<FdbNexthopGroup>()) {
    if (add) {
      nh_groups_[m.id] = m.group;
    } else {
      nh_groups_.erase(m.id);
    }
  }
  return 0;
}

tl::expected<void, DataplaneError> LinuxDataplane::dump_nexthops(DataplaneState& st) {
  auto u = ns(opts_.underlay_netns);
  if (!u) return tl::make_unexpected(u.error());
  Bytes req;
  encode_dump(req, RTM_GETNEXTHOP, (*u)->req->next_seq(), AF_UNSPEC);
  std::map<uint32_t, std::vector<uint32_t>> groups;
  auto r = (*u)->req->dump(req, [&](ByteView msg) {
    auto m = parse_nexthop(msg);
    if (!m || !owned_id(m->id) || !m->fdb) return;
    if (!m->group.empty()) {
      std::sort(m->group.begin(), m->group.end());
      st.fdb_nexthop_groups.push_back(FdbNexthopGroup{m->id, m->group});
      groups[m->id] = m->group;
    } else if (m->gateway) {
      st.fdb_nexthops.push_back(FdbNexthop{m->id, *m->gateway});
    }
  });
  // A kernel without CONFIG_IP_NEXTHOP (or an old one) answers EOPNOTSUPP/EINVAL: no nexthops.
  if (!r && r.error().error != EOPNOTSUPP && r.error().error != EINVAL) return r;
  nh_groups_ = std::move(groups);
  return {};
}

void LinuxDataplane::handle_nexthop_event(ByteView msg, std::vector<DataplaneEvent>& out) {
  // Only deletions matter: a group the kernel shrank behind our back shows up with the
  // deletion of its member (reported below), and our own writes come back as RTM_NEWNEXTHOP.
  if (message_type(msg) != RTM_DELNEXTHOP) return;
  auto m = parse_nexthop(msg);
  if (!m || !owned_id(m->id)) return;
  if (!m->group.empty() || nh_groups_.count(m->id)) {
    std::vector<uint32_t> members = m->group;
    std::sort(members.begin(), members.end());
    nh_groups_.erase(m->id);
    out.push_back(OwnedEntryRemoved{FdbNexthopGroup{m->id, members}});
    // The vxlan driver flushed the MACs that used it, silently (see the NOTE at the top).
    for (auto it = mac_form_.begin(); it != mac_form_.end();) {
      if (it->second != m->id) {
        ++it;
        continue;
      }
      out.push_back(OwnedEntryRemoved{RemoteMac{std::get<0>(it->first), std::get<1>(it->first), IpAddress{}, false, m->id}});
      it = mac_form_.erase(it);
    }
    return;
  }
  out.push_back(OwnedEntryRemoved{FdbNexthop{m->id, m->gateway.value_or(IpAddress{})}});
  // Every group it was in lost it (a group left empty is deleted and reported on its own).
  for (auto& [gid, members] : nh_groups_) {
    auto pos = std::find(members.begin(), members.end(), m->id);
    if (pos == members.end()) continue;
    out.push_back(OwnedEntryRemoved{FdbNexthopGroup{gid, members}});
    members.erase(pos);
  }
}

}  // namespace evpnd::dataplane

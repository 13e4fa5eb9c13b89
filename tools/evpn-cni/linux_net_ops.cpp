// LinuxNetOps: the veth pair (ensure/delete) and the link lookups. configure_container lives in
// linux_container.cpp, announce in linux_announce.cpp.
#include "evpn-cni/linux_net_ops.hpp"

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <thread>

#include <fmt/format.h>

#include "dataplane/linux/nl_encoder.hpp"
#include "evpn-cni/linux_netlink.hpp"

namespace evpnd::cni {
namespace {

using namespace linux_nl;

constexpr uint8_t kBrStateDisabled = 0;  // BR_STATE_DISABLED (<linux/if_bridge.h>)

// Are `host` (in the bridge's namespace) and `cont` (in the container's) the two ends of one
// veth? Each end's IFLA_LINK is the other's ifindex, and the host end's peer lives in the
// namespace the bridge's namespace knows the container's by (ifindexes repeat across namespaces).
NetResult<bool> is_pair(Netns& bridge_ns, const Netns& cont_ns, const nl::LinkMsg& host, const nl::LinkMsg& cont) {
  if (host.kind != "veth" || cont.kind != "veth") return false;
  if (host.link != cont.ifindex || cont.link != host.ifindex || !host.link_netnsid) return false;
  auto id = nsid_of(bridge_ns, cont_ns);
  if (!id) return tl::make_unexpected(id.error());
  return *id && **id == *host.link_netnsid;
}

NetResult<void> delete_link(Netns& ns, int ifindex, const std::string& name) {
  nl::LinkMsg m;
  m.ifindex = ifindex;
  Bytes req;
  nl::encode_link(req, RTM_DELLINK, {0, ns.sock->next_seq()}, m);
  return request(ns, req, "delete " + name);
}

// One RTM_NEWLINK: host end in the bridge's namespace (enslaved, up, MTU), peer created directly
// in the container namespace as CNI_IFNAME (MAC, MTU). Both exist or neither.
// NOTE the peer is not brought up here: IFF_UP in VETH_INFO_PEER's ifinfomsg makes the kernel
// (6.18, also `ip link add ... type veth peer ... netns X up`) fail the whole request with
// ENOTCONN, so complete_pair() brings it up with a request inside the container namespace.
NetResult<void> create_pair(Netns& bridge_ns, const Netns& cont_ns, const VethSpec& spec, int bridge_ifindex,
                            uint32_t mtu) {
  nl::LinkMsg m;
  m.name = spec.host_name;
  m.mtu = mtu;
  m.master = static_cast<uint32_t>(bridge_ifindex);
  m.up = true;
  m.kind = "veth";
  m.veth_peer = nl::VethPeer{spec.container_ifname, spec.mac, mtu, cont_ns.fd.fd(), std::nullopt};
  Bytes req;
  nl::encode_link(req, RTM_NEWLINK, {NLM_F_CREATE | NLM_F_EXCL, bridge_ns.sock->next_seq()}, m);
  return request(bridge_ns, req, fmt::format("veth {} (peer {})", spec.host_name, spec.container_ifname));
}

// A pair found in place: sets what differs from the spec (a retried ADD after a crash, or a pair
// someone changed). Only the differing attributes are sent.
NetResult<void> complete_pair(Netns& bridge_ns, Netns& cont_ns, const VethSpec& spec, const nl::LinkMsg& host,
                              const nl::LinkMsg& cont, int bridge_ifindex, uint32_t mtu) {
  nl::LinkMsg c;
  c.ifindex = cont.ifindex;
  bool change = false;
  if (spec.mac && cont.address != spec.mac) c.address = spec.mac, change = true;
  if (cont.mtu != mtu) c.mtu = mtu, change = true;
  if (!(cont.flags & IFF_UP)) c.up = true, change = true;
  if (change)
    if (auto r = set_link(cont_ns, c, "set " + spec.container_ifname); !r) return r;
  nl::LinkMsg h;
  h.ifindex = host.ifindex;
  change = false;
  if (host.mtu != mtu) h.mtu = mtu, change = true;
  if (host.master.value_or(0) != static_cast<uint32_t>(bridge_ifindex))
    h.master = static_cast<uint32_t>(bridge_ifindex), change = true;
  if (!(host.flags & IFF_UP)) h.up = true, change = true;
  if (change)
    if (auto r = set_link(bridge_ns, h, "set " + spec.host_name); !r) return r;
  return {};
}

// Waits (bounded) until the bridge has enabled the host end: a port is enabled only once the
// kernel has processed the veth's carrier-up event (linkwatch, asynchronous), and frames reaching
// a disabled port are dropped. Without STP an enabled port forwards at once; with STP it stays
// listening/learning for 2 x forward_delay, which no ADD should wait for, so any state but
// disabled ends the wait. A bridge that is down never enables its ports: no wait.
NetResult<std::optional<nl::LinkMsg>> wait_enabled(Netns& ns, const std::string& name, bool bridge_up) {
  const auto until = std::chrono::steady_clock::now() + LinuxNetOps::kPortEnableWait;
  for (;;) {
    auto l = get_link(ns, name);
    if (!l || !*l || !bridge_up) return l;
    const auto& es = (*l)->brport_es;
    if (es && es->state != kBrStateDisabled) return l;
    if (std::chrono::steady_clock::now() >= until) return l;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

std::unique_ptr<NetOps> make_linux_net_ops() { return std::make_unique<LinuxNetOps>(); }

NetResult<AttachedVeth> LinuxNetOps::ensure_veth(const VethSpec& spec) {
  if (spec.host_name.empty() || spec.host_name.size() > 15 || spec.container_ifname.empty() ||
      spec.container_ifname.size() > 15)
    return tl::make_unexpected(failed(fmt::format("bad interface names '{}' / '{}' (1-15 characters)",
                                                  spec.host_name, spec.container_ifname)));
  auto bridge_ns = open_named(spec.bridge_netns);
  if (!bridge_ns) return tl::make_unexpected(bridge_ns.error());
  auto cont_ns = open_path(spec.container_netns);
  if (!cont_ns) return tl::make_unexpected(cont_ns.error());
  auto bridge = get_link(*bridge_ns, spec.bridge);
  if (!bridge) return tl::make_unexpected(bridge.error());
  if (!*bridge) return tl::make_unexpected(not_found(fmt::format("bridge {} not found in {}", spec.bridge, bridge_ns->label)));
  if ((*bridge)->kind != "bridge")
    return tl::make_unexpected(failed(fmt::format("{} in {} is a '{}', not a bridge", spec.bridge, bridge_ns->label, (*bridge)->kind)));
  const int bridge_ifindex = (*bridge)->ifindex;
  const uint32_t mtu = spec.mtu ? spec.mtu : (*bridge)->mtu.value_or(1500);

  auto host = get_link(*bridge_ns, spec.host_name);
  if (!host) return tl::make_unexpected(host.error());
  auto cont = get_link(*cont_ns, spec.container_ifname);
  if (!cont) return tl::make_unexpected(cont.error());
  bool paired = false;
  if (*host && *cont) {
    auto p = is_pair(*bridge_ns, *cont_ns, **host, **cont);
    if (!p) return tl::make_unexpected(p.error());
    paired = *p;
  }
  if (!paired) {
    if (*cont)
      return tl::make_unexpected(failed(fmt::format("{} already exists in {} and is not the peer of {}",
                                                    spec.container_ifname, cont_ns->label, spec.host_name)));
    if (*host) {
      // A host end without our container end: a leftover (its peer is elsewhere). Replace it,
      // but never delete a link that is not a veth (someone else's device with that name).
      if ((*host)->kind != "veth")
        return tl::make_unexpected(failed(fmt::format("{} exists in {} and is a '{}', not a veth", spec.host_name,
                                                      bridge_ns->label, (*host)->kind)));
      if (auto r = delete_link(*bridge_ns, (*host)->ifindex, spec.host_name); !r) return tl::make_unexpected(r.error());
    }
    if (auto r = create_pair(*bridge_ns, *cont_ns, spec, bridge_ifindex, mtu); !r) return tl::make_unexpected(r.error());
    host = get_link(*bridge_ns, spec.host_name);
    if (!host) return tl::make_unexpected(host.error());
    cont = get_link(*cont_ns, spec.container_ifname);
    if (!cont) return tl::make_unexpected(cont.error());
    if (!*host || !*cont)
      return tl::make_unexpected(failed(fmt::format("veth {} / {} vanished right after it was created", spec.host_name,
                                                    spec.container_ifname)));
  }
  if (auto r = complete_pair(*bridge_ns, *cont_ns, spec, **host, **cont, bridge_ifindex, mtu); !r)
    return tl::make_unexpected(r.error());

  auto h = wait_enabled(*bridge_ns, spec.host_name, ((*bridge)->flags & IFF_UP) != 0);
  if (!h) return tl::make_unexpected(h.error());
  auto c = get_link(*cont_ns, spec.container_ifname);
  if (!c) return tl::make_unexpected(c.error());
  if (!*h || !*c)
    return tl::make_unexpected(failed(fmt::format("veth {} / {} vanished right after it was set up", spec.host_name,
                                                  spec.container_ifname)));
  auto host_info = link_info(*bridge_ns, **h);
  if (!host_info) return tl::make_unexpected(host_info.error());
  auto cont_info = link_info(*cont_ns, **c);
  if (!cont_info) return tl::make_unexpected(cont_info.error());
  return AttachedVeth{std::move(*host_info), std::move(*cont_info), spec.container_netns};
}

NetResult<void> LinuxNetOps::delete_veth(const std::string& bridge_netns, const std::string& host_name) {
  auto ns = open_named(bridge_netns);
  if (!ns) {
    if (ns.error().kind == NetError::Kind::kNotFound) return {};  // CNI spec §"DEL": already gone
    return tl::make_unexpected(ns.error());
  }
  auto host = get_link(*ns, host_name);
  if (!host) return tl::make_unexpected(host.error());
  if (!*host) return {};
  if ((*host)->kind != "veth")
    return tl::make_unexpected(
        failed(fmt::format("{} in {} is a '{}', not our veth: not deleted", host_name, ns->label, (*host)->kind)));
  auto r = delete_link(*ns, (*host)->ifindex, host_name);
  // Gone in between (the container namespace was destroyed, taking the pair with it): success.
  if (!r && get_link(*ns, host_name).value_or(std::optional<nl::LinkMsg>{}).has_value()) return r;
  return {};
}

NetResult<std::optional<LinkInfo>> LinuxNetOps::host_link(const std::string& bridge_netns, const std::string& name) {
  auto ns = open_named(bridge_netns);
  if (!ns) return tl::make_unexpected(ns.error());
  auto l = get_link(*ns, name);
  if (!l) return tl::make_unexpected(l.error());
  if (!*l) return std::optional<LinkInfo>{};
  auto info = link_info(*ns, **l);
  if (!info) return tl::make_unexpected(info.error());
  return std::optional<LinkInfo>(std::move(*info));
}

NetResult<std::optional<LinkInfo>> LinuxNetOps::container_link(const std::string& container_netns,
                                                               const std::string& ifname) {
  auto ns = open_path(container_netns);
  if (!ns) return tl::make_unexpected(ns.error());
  auto l = get_link(*ns, ifname);
  if (!l) return tl::make_unexpected(l.error());
  if (!*l) return std::optional<LinkInfo>{};
  auto info = link_info(*ns, **l);
  if (!info) return tl::make_unexpected(info.error());
  return std::optional<LinkInfo>(std::move(*info));
}

}  // namespace evpnd::cni

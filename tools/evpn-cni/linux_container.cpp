// LinuxNetOps::configure_container: exactly the given addresses and routes on the container
// interface, `lo` up. Repeatable: what is already right is left alone (no delete-and-re-add of
// an address in use), what is missing is added, what else is there is removed.
//
// NOTE IPv6 addresses are added with IFA_F_NODAD: duplicate address detection (RFC 4862 §5.4)
// would keep them tentative, unusable as a source and not answering solicitations, for about
// a second after ADD returns; the addresses come from IPAM, which already guarantees uniqueness
// (as the reference bridge plugin assumes too). An address found tentative or DAD-failed (added
// by someone else) counts as missing and is replaced.
// NOTE routes without a gateway go in first (scope link for IPv4, like `ip route add ... dev`):
// a gateway route needs its gateway reachable, which such a route may be what provides.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

#include <fmt/format.h>

#include "dataplane/linux/nl_encoder.hpp"
#include "evpn-cni/linux_net_ops.hpp"
#include "evpn-cni/linux_netlink.hpp"

namespace evpnd::cni {
namespace {

using namespace linux_nl;

std::string text(const IfAddress& a) { return fmt::format("{}/{}", a.address.to_string(), a.prefix_len); }
std::string text(const RouteSpec& r) {
  return r.gateway ? fmt::format("{} via {}", r.dst.to_string(), r.gateway->to_string()) : r.dst.to_string();
}

NetResult<void> validate(const std::vector<IfAddress>& addresses, const std::vector<RouteSpec>& routes) {
  for (const auto& a : addresses)
    if (a.address.empty() || a.prefix_len > (a.address.is_v4() ? 32 : 128))
      return tl::make_unexpected(failed("bad address " + text(a)));
  for (const auto& r : routes)
    if (r.dst.address().empty() || (r.gateway && r.gateway->family() != r.dst.family()))
      return tl::make_unexpected(failed("bad route " + text(r) + " (gateway of another address family)"));
  return {};
}

NetResult<void> set_lo_up(Netns& ns) {
  auto lo = get_link(ns, "lo");
  if (!lo) return tl::make_unexpected(lo.error());
  if (!*lo) return tl::make_unexpected(failed("no lo in " + ns.label));
  if ((*lo)->flags & IFF_UP) return {};
  nl::LinkMsg m;
  m.ifindex = (*lo)->ifindex;
  m.up = true;
  return set_link(ns, m, "set lo up");
}

NetResult<void> sync_addresses(Netns& ns, int ifindex, const std::vector<IfAddress>& want) {
  auto cur = global_addresses(ns, ifindex);
  if (!cur) return tl::make_unexpected(cur.error());
  std::vector<IfAddress> have;
  for (const auto& a : *cur) {
    IfAddress x{a.address, a.prefix_len};
    const bool usable = !(a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
    if (usable && std::find(want.begin(), want.end(), x) != want.end()) {
      have.push_back(x);
      continue;
    }
    Bytes req;
    nl::encode_addr(req, RTM_DELADDR, {0, ns.sock->next_seq()}, nl::AddrMsg{ifindex, a.address, a.prefix_len});
    if (auto r = request(ns, req, "delete address " + text(x)); !r) return r;
  }
  for (const auto& w : want) {
    if (std::find(have.begin(), have.end(), w) != have.end()) continue;
    nl::AddrMsg m{ifindex, w.address, w.prefix_len};
    if (w.address.is_v6()) m.flags = IFA_F_NODAD;
    Bytes req;
    nl::encode_addr(req, RTM_NEWADDR, {NLM_F_CREATE | NLM_F_REPLACE, ns.sock->next_seq()}, m);
    if (auto r = request(ns, req, "add address " + text(w)); !r) return r;
    have.push_back(w);  // a duplicate in `want` is added once
  }
  return {};
}

NetResult<void> add_route(Netns& ns, int ifindex, const RouteSpec& spec) {
  nl::RouteMsg m;
  m.family = spec.dst.address().is_v6() ? AF_INET6 : AF_INET;
  m.dst = spec.dst;
  m.table = RT_TABLE_MAIN;
  m.protocol = RTPROT_BOOT;  // what `ip route add` writes
  m.scope = (spec.gateway || m.family == AF_INET6) ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  m.type = RTN_UNICAST;
  m.nexthops = {nl::NextHop{spec.gateway.value_or(IpAddress{}), ifindex, 0}};
  Bytes req;
  nl::encode_route(req, RTM_NEWROUTE, {NLM_F_CREATE | NLM_F_EXCL, ns.sock->next_seq()}, m);
  return request(ns, req, "add route " + text(spec));
}

NetResult<void> sync_routes(Netns& ns, int ifindex, const std::vector<RouteSpec>& want) {
  auto cur = link_routes(ns, ifindex);
  if (!cur) return tl::make_unexpected(cur.error());
  std::vector<RouteSpec> have;
  for (const auto& rt : *cur) {
    RouteSpec x{rt.dst, std::nullopt};
    if (!rt.nexthops[0].gateway.empty()) x.gateway = rt.nexthops[0].gateway;
    if (std::find(want.begin(), want.end(), x) != want.end() &&
        std::find(have.begin(), have.end(), x) == have.end()) {
      have.push_back(x);
      continue;
    }
    Bytes req;
    nl::encode_route(req, RTM_DELROUTE, {0, ns.sock->next_seq()}, rt);
    if (auto r = request(ns, req, "delete route " + text(x)); !r) return r;
  }
  for (bool with_gateway : {false, true})
    for (const auto& w : want) {
      if (w.gateway.has_value() != with_gateway || std::find(have.begin(), have.end(), w) != have.end()) continue;
      if (auto r = add_route(ns, ifindex, w); !r) return r;
      have.push_back(w);
    }
  return {};
}

}  // namespace

NetResult<void> LinuxNetOps::configure_container(const std::string& container_netns, const std::string& ifname,
                                                 const std::vector<IfAddress>& addresses,
                                                 const std::vector<RouteSpec>& routes) {
  if (auto v = validate(addresses, routes); !v) return v;
  auto ns = open_path(container_netns);
  if (!ns) return tl::make_unexpected(ns.error());
  if (auto r = set_lo_up(*ns); !r) return r;
  auto link = get_link(*ns, ifname);
  if (!link) return tl::make_unexpected(link.error());
  if (!*link) return tl::make_unexpected(not_found(fmt::format("{} not found in {}", ifname, ns->label)));
  if (auto r = sync_addresses(*ns, (*link)->ifindex, addresses); !r) return r;
  return sync_routes(*ns, (*link)->ifindex, routes);
}

}  // namespace evpnd::cni

#include "evpn-cni/linux_netlink.hpp"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::cni::linux_nl {
namespace {

NetResult<Netns> open_fd(tl::expected<nl::NetnsFd, dataplane::DataplaneError> fd, std::string label) {
  if (!fd) {
    if (fd.error().error == ENOENT) return tl::make_unexpected(not_found(label + " does not exist"));
    return tl::make_unexpected(failed(label + ": " + fd.error().message));
  }
  auto sock = nl::NlSocket::open_in(*fd, label);
  if (!sock) {
    // setns() refuses a file that is not a namespace (a stale mount point): not there.
    if (sock.error().error == EINVAL) return tl::make_unexpected(not_found(label + " is not a network namespace"));
    return tl::make_unexpected(failed(label + ": " + sock.error().message));
  }
  // The kernel filters our dumps by link and table: a namespace holding a large routing table
  // (a VRF's, with the netns backend) is not copied whole for one veth. Best effort: the
  // results are filtered here again.
  (*sock)->strict_dumps();
  return Netns{std::move(*fd), std::move(*sock), std::move(label)};
}

std::string errno_text(int err, const std::string& extack) {
  std::string text = std::strerror(err);
  if (!extack.empty()) text += " (" + extack + ")";
  return text;
}

NetResult<std::optional<nl::LinkMsg>> query_link(Netns& ns, Bytes& req, const std::string& what) {
  auto ans = ns.sock->query(req);
  if (!ans) {
    if (ans.error() == ENODEV) return std::optional<nl::LinkMsg>{};
    return tl::make_unexpected(failed(fmt::format("{} in {}: {}", what, ns.label, std::strerror(ans.error()))));
  }
  auto link = nl::parse_link(*ans);
  if (!link) return tl::make_unexpected(failed(fmt::format("{} in {}: unreadable answer", what, ns.label)));
  return std::optional<nl::LinkMsg>(std::move(*link));
}

NetResult<void> dump(Netns& ns, Bytes& req, const std::function<void(ByteView)>& cb) {
  auto r = ns.sock->dump(req, cb);
  if (!r) return tl::make_unexpected(failed(fmt::format("dump in {}: {}", ns.label, r.error().message)));
  return {};
}

}  // namespace

NetError failed(std::string message) { return NetError{NetError::Kind::kFailed, std::move(message)}; }
NetError not_found(std::string message) { return NetError{NetError::Kind::kNotFound, std::move(message)}; }

NetResult<Netns> open_named(const std::string& name) {
  std::string label = name.empty() ? std::string("the plugin's netns") : "netns /run/netns/" + name;
  return open_fd(nl::NetnsFd::open(name), std::move(label));
}

NetResult<Netns> open_path(const std::string& path) {
  if (path.empty()) return tl::make_unexpected(failed("no network namespace path given"));
  return open_fd(nl::NetnsFd::open_path(path), "netns " + path);
}

NetResult<void> request(Netns& ns, Bytes& msg, const std::string& what) {
  std::string extack;
  int err = ns.sock->request(msg, &extack);
  if (err == 0) return {};
  return tl::make_unexpected(failed(fmt::format("{} in {}: RTNETLINK: {}", what, ns.label, errno_text(err, extack))));
}

NetResult<std::optional<nl::LinkMsg>> get_link(Netns& ns, const std::string& name) {
  Bytes req;
  nl::encode_getlink(req, ns.sock->next_seq(), name);
  return query_link(ns, req, "link " + name);
}

NetResult<std::optional<nl::LinkMsg>> get_link(Netns& ns, int ifindex) {
  Bytes req;
  nl::LinkMsg m;
  m.ifindex = ifindex;
  nl::encode_link(req, RTM_GETLINK, {0, ns.sock->next_seq()}, m);
  return query_link(ns, req, fmt::format("link #{}", ifindex));
}

NetResult<std::optional<int32_t>> nsid_of(Netns& ns, const Netns& other) {
  Bytes req;
  nl::encode_getnsid(req, ns.sock->next_seq(), other.fd.fd());
  auto ans = ns.sock->query(req);
  if (!ans)
    return tl::make_unexpected(failed(fmt::format("id of {} in {}: {}", other.label, ns.label, std::strerror(ans.error()))));
  auto id = nl::parse_nsid(*ans);
  if (!id || *id < 0) return std::optional<int32_t>{};
  return std::optional<int32_t>(*id);
}

NetResult<std::vector<nl::AddrMsg>> global_addresses(Netns& ns, int ifindex) {
  std::vector<nl::AddrMsg> out;
  for (uint8_t family : {AF_INET, AF_INET6}) {
    Bytes req;
    nl::encode_addr_dump(req, ns.sock->next_seq(), family, ifindex);
    auto r = dump(ns, req, [&](ByteView m) {
      if (nl::message_type(m) != RTM_NEWADDR) return;
      auto a = nl::parse_addr(m);
      if (a && a->ifindex == ifindex && a->scope == RT_SCOPE_UNIVERSE) out.push_back(*a);
    });
    if (!r) return tl::make_unexpected(r.error());
  }
  return out;
}

NetResult<std::vector<nl::RouteMsg>> link_routes(Netns& ns, int ifindex) {
  std::vector<nl::RouteMsg> out;
  for (uint8_t family : {AF_INET, AF_INET6}) {
    Bytes req;
    nl::encode_route_dump(req, ns.sock->next_seq(), family, RT_TABLE_MAIN, RTN_UNICAST, ifindex);
    auto r = dump(ns, req, [&](ByteView m) {
      if (nl::message_type(m) != RTM_NEWROUTE) return;
      auto rt = nl::parse_route(m);
      if (!rt || rt->table != RT_TABLE_MAIN || rt->type != RTN_UNICAST || rt->protocol == RTPROT_KERNEL) return;
      if (rt->nexthops.size() != 1 || rt->nexthops[0].ifindex != ifindex) return;
      out.push_back(std::move(*rt));
    });
    if (!r) return tl::make_unexpected(r.error());
  }
  return out;
}

NetResult<LinkInfo> link_info(Netns& ns, const nl::LinkMsg& link) {
  LinkInfo info;
  info.name = link.name;
  info.ifindex = link.ifindex;
  info.mac = link.address.value_or(Mac{});
  info.mtu = link.mtu.value_or(0);
  info.up = (link.flags & IFF_UP) != 0;
  info.kind = link.kind;
  if (link.master && *link.master != 0) {
    auto master = get_link(ns, static_cast<int>(*link.master));
    if (!master) return tl::make_unexpected(master.error());
    if (*master) info.master = (*master)->name;
  }
  auto addrs = global_addresses(ns, link.ifindex);
  if (!addrs) return tl::make_unexpected(addrs.error());
  for (const auto& a : *addrs) info.addresses.push_back(IfAddress{a.address, a.prefix_len});
  auto routes = link_routes(ns, link.ifindex);
  if (!routes) return tl::make_unexpected(routes.error());
  for (const auto& rt : *routes) {
    RouteSpec spec{rt.dst, std::nullopt};
    if (!rt.nexthops[0].gateway.empty()) spec.gateway = rt.nexthops[0].gateway;
    info.routes.push_back(spec);
  }
  return info;
}

NetResult<void> set_link(Netns& ns, nl::LinkMsg change, const std::string& what) {
  change.name.clear();  // by ifindex: a name here would rename the link
  change.kind.clear();
  Bytes req;
  nl::encode_link(req, RTM_NEWLINK, {0, ns.sock->next_seq()}, change);
  return request(ns, req, what);
}

}  // namespace evpnd::cni::linux_nl

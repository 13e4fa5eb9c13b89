// FakeNetOps: NetOps in memory for the plugin's unit tests — namespaces and bridges the test
// declares, veths the plugin creates, every call logged, and failures on demand.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "evpn-cni/net_ops.hpp"

namespace evpnd::cni::testing {

class FakeNetOps : public NetOps {
 public:
  struct Veth {
    VethSpec spec;
    LinkInfo host, container;
  };
  std::set<std::string> netns;                 // container namespaces that exist (paths)
  std::set<std::string> bridges;               // "<bridge netns>|<bridge>" that exist
  std::map<std::string, Veth> veths;           // by host name
  std::vector<std::string> calls;              // "ensure_veth evpn..", "announce ..", ...
  std::map<std::string, NetError> fail;        // method name -> the error it returns
  int next_mac = 1;
  std::function<void()> after_ensure_veth;     // runs after a successful ensure_veth (tests: evpnd dies)

  void add_bridge(const std::string& bridge, const std::string& ns = "") { bridges.insert(ns + "|" + bridge); }

  NetResult<AttachedVeth> ensure_veth(const VethSpec& spec) override {
    calls.push_back("ensure_veth " + spec.host_name);
    if (auto e = failing("ensure_veth")) return tl::unexpected(*e);
    if (!netns.count(spec.container_netns))
      return tl::unexpected(NetError{NetError::Kind::kNotFound, "netns " + spec.container_netns + " does not exist"});
    if (!bridges.count(spec.bridge_netns + "|" + spec.bridge))
      return tl::unexpected(NetError{NetError::Kind::kNotFound, "bridge " + spec.bridge + " does not exist"});
    auto it = veths.find(spec.host_name);
    if (it == veths.end()) {
      Veth v;
      v.host = link(spec.host_name, "02:aa:00:00:00:" + hex2(next_mac), spec.mtu);
      v.host.master = spec.bridge;
      v.container = link(spec.container_ifname, "02:bb:00:00:00:" + hex2(next_mac), spec.mtu);
      ++next_mac;
      it = veths.emplace(spec.host_name, v).first;
    }
    Veth& v = it->second;
    v.spec = spec;
    if (spec.mac) v.container.mac = *spec.mac;
    AttachedVeth out{v.host, v.container, spec.container_netns};
    if (after_ensure_veth) after_ensure_veth();
    return out;
  }

  NetResult<void> configure_container(const std::string& ns, const std::string& ifname,
                                      const std::vector<IfAddress>& addresses,
                                      const std::vector<RouteSpec>& routes) override {
    calls.push_back("configure_container " + ifname);
    if (auto e = failing("configure_container")) return tl::unexpected(*e);
    Veth* v = find_container(ns, ifname);
    if (!v) return tl::unexpected(NetError{NetError::Kind::kNotFound, "no " + ifname + " in " + ns});
    v->container.addresses = addresses;
    v->container.routes = routes;
    return {};
  }

  NetResult<void> announce(const std::string& ns, const std::string& ifname,
                           const std::vector<IfAddress>& addresses) override {
    calls.push_back("announce " + ifname + " " + std::to_string(addresses.size()));
    if (auto e = failing("announce")) return tl::unexpected(*e);
    if (!find_container(ns, ifname)) return tl::unexpected(NetError{NetError::Kind::kNotFound, "no " + ifname});
    return {};
  }

  NetResult<void> delete_veth(const std::string& bridge_netns, const std::string& host_name) override {
    calls.push_back("delete_veth " + host_name);
    if (auto e = failing("delete_veth")) return tl::unexpected(*e);
    (void)bridge_netns;
    veths.erase(host_name);
    return {};
  }

  NetResult<std::optional<LinkInfo>> host_link(const std::string& bridge_netns, const std::string& name) override {
    (void)bridge_netns;
    if (auto e = failing("host_link")) return tl::unexpected(*e);
    auto it = veths.find(name);
    if (it == veths.end()) return std::optional<LinkInfo>();
    return std::optional<LinkInfo>(it->second.host);
  }

  NetResult<std::optional<LinkInfo>> container_link(const std::string& ns, const std::string& ifname) override {
    if (auto e = failing("container_link")) return tl::unexpected(*e);
    if (!netns.count(ns)) return tl::unexpected(NetError{NetError::Kind::kNotFound, "netns " + ns + " does not exist"});
    Veth* v = find_container(ns, ifname);
    if (!v) return std::optional<LinkInfo>();
    return std::optional<LinkInfo>(v->container);
  }

  Veth* find_container(const std::string& ns, const std::string& ifname) {
    for (auto& [name, v] : veths)
      if (v.spec.container_netns == ns && v.spec.container_ifname == ifname) return &v;
    return nullptr;
  }
  size_t count(const std::string& prefix) const {
    size_t n = 0;
    for (const auto& c : calls) n += c.rfind(prefix, 0) == 0;
    return n;
  }

 private:
  static std::string hex2(int n) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", n & 0xff);
    return b;
  }
  static LinkInfo link(const std::string& name, const std::string& mac, uint32_t mtu) {
    LinkInfo l;
    l.name = name;
    l.mac = *Mac::parse(mac);
    l.mtu = mtu ? mtu : 1450;
    l.up = true;
    l.kind = "veth";
    return l;
  }
  std::optional<NetError> failing(const std::string& method) const {
    auto it = fail.find(method);
    if (it == fail.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace evpnd::cni::testing

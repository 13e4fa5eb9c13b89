// CNI ADD (SPEC.md §"ADD: Add container to network"). Order and why: see cni_plugin.hpp.
#include <cstdio>

#include "evpn-cni/cni_plugin.hpp"
#include "evpn-cni/ipam.hpp"

namespace evpnd::cni {

using nlohmann::json;

namespace {

struct VniState {
  std::string bridge, netns;
  uint32_t mtu = 0;
  std::vector<IfAddress> gateways;  // "10.1.0.1/24" (the VNI's SVI / anycast gateway)
};

CniResult<VniState> parse_vni_state(const json& j, uint32_t vni) {
  VniState s;
  if (!j.is_object() || !j.contains("bridge") || !j["bridge"].is_string() || j["bridge"].get<std::string>().empty())
    return cni_fail(code::kEvpndRejected, "evpnd's reply for VNI " + std::to_string(vni) + " names no bridge",
                    j.dump());
  s.bridge = j["bridge"].get<std::string>();
  if (j.contains("netns") && j["netns"].is_string()) s.netns = j["netns"].get<std::string>();
  if (j.contains("mtu") && j["mtu"].is_number_unsigned()) s.mtu = j["mtu"].get<uint32_t>();
  if (j.contains("gateways") && j["gateways"].is_array())
    for (const auto& g : j["gateways"])
      if (g.is_string())
        if (auto a = parse_cidr(g.get<std::string>())) s.gateways.push_back(*a);
  return s;
}

std::optional<IpAddress> gateway_of(const std::vector<IfAddress>& gws, IpFamily f) {
  for (const auto& g : gws)
    if (g.address.family() == f) return g.address;
  return std::nullopt;
}

}  // namespace

CniResult<json> CniPlugin::add(const NetConfig& c) {
  EvpndLink evpnd(c.socket);
  AttachmentRecord rec;
  auto existing = store_->load(c.name, inv_.container_id, inv_.ifname);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing && (*existing)->vni != c.vni) {
    // The same attachment key on another VNI (the network's config changed under a retried
    // ADD): the old segment's endpoint and attachment go first, or they would leak.
    const AttachmentRecord& old = **existing;
    const json ipam = old.config.is_object() && old.config.contains("ipam") ? old.config : json();
    if (auto r = teardown(old, ipam, env_for(old)); !r) return tl::unexpected(r.error());
  } else if (*existing) {
    rec = **existing;  // a retried ADD: keep the MAC and what was done
  }
  rec.network = c.name, rec.container_id = inv_.container_id, rec.ifname = inv_.ifname, rec.vni = c.vni;
  rec.host_veth = host_veth_name(inv_.container_id, inv_.ifname);
  rec.container_netns = inv_.netns;
  rec.socket = c.socket, rec.cni_path = inv_.cni_path, rec.cni_args = inv_.cni_args;
  rec.config = config_without_prev(c.raw);
  if (!inv_.pod_name.empty()) rec.pod = inv_.pod_namespace + "/" + inv_.pod_name;

  // 1. The segment, held by this attachment (idempotent; 409 = it exists with other settings).
  json body = {{"attachment", rec.attachment_id()}};
  if (!c.vrf.empty()) body["vrf"] = c.vrf;
  if (!c.gateway.empty()) body["gateway"] = c.gateway;
  if (!c.gateway_v6.empty()) body["gateway-v6"] = c.gateway_v6;
  if (!c.bridge.empty()) body["bridge"] = c.bridge;
  if (!c.route_targets.is_null()) body["route-targets"] = c.route_targets;
  const std::string vni_text = std::to_string(c.vni);
  auto reply = evpnd.call("PUT", "/v1/evpn/vnis/" + vni_text, body, "create VNI " + vni_text, code::kInvalidConfig);
  if (!reply) return tl::unexpected(reply.error());
  auto vni = parse_vni_state(*reply, c.vni);
  if (!vni) return tl::unexpected(vni.error());
  if (auto f = fault("vni"); !f) return tl::unexpected(f.error());
  rec.bridge = vni->bridge, rec.bridge_netns = vni->netns;
  rec.state = AttachmentState::kAdding;  // until every step below has run again
  if (auto r = store_->save(rec); !r) return tl::unexpected(r.error());
  if (auto f = fault("record"); !f) return tl::unexpected(f.error());

  // From here a failure undoes what exists (as DEL would); an injected fault does not.
  auto rollback = [&](CniError e) -> tl::unexpected<CniError> {
    if (is_fault(e)) return tl::unexpected(std::move(e));
    if (auto r = teardown(rec, c.ipam.is_null() ? json() : config_without_prev(c.raw), env_); !r)
      std::fprintf(stderr, "evpn-cni: rollback of %s: %s %s\n", rec.attachment_id().c_str(), r.error().msg.c_str(),
                   r.error().details.c_str());
    return tl::unexpected(std::move(e));
  };

  // 2. The veth: host end into the VNI's bridge, container end CNI_IFNAME.
  VethSpec spec;
  spec.host_name = rec.host_veth, spec.bridge = vni->bridge, spec.bridge_netns = vni->netns;
  spec.container_netns = inv_.netns, spec.container_ifname = inv_.ifname;
  spec.mac = c.mac;
  if (!spec.mac && !rec.mac.empty()) spec.mac = Mac::parse(rec.mac);  // keep a retried ADD's MAC
  spec.mtu = c.mtu ? c.mtu : vni->mtu;
  auto veth = net_.ensure_veth(spec);
  if (!veth) return rollback(from_net_error(veth.error(), "veth " + rec.host_veth + " into " + vni->bridge));
  const std::string mac = veth->container.mac.to_string();
  if (rec.endpoint_posted && !rec.mac.empty() && rec.mac != mac) {
    // The retried ADD got another MAC (the runtime asked for one): drop the old announcement.
    auto r = evpnd.remove("/v1/evpn/endpoints?vni=" + vni_text + "&mac=" + client::url_encode(rec.mac),
                          "retract endpoint " + rec.mac);
    if (!r) return rollback(r.error());
    rec.endpoint_posted = false;
  }
  rec.mac = mac;
  if (auto r = store_->save(rec); !r) return rollback(r.error());
  if (auto f = fault("veth"); !f) return tl::unexpected(f.error());

  // 3. Addresses: the IPAM plugin, or the runtime's static ones.
  Result ipam;
  if (!c.ipam.is_null() && rec.ipam_added && !rec.ipam_result.is_null()) {
    // A retried ADD: IPAM already answered (host-local refuses a second ADD for the same
    // container: "duplicate allocation"); the pod keeps its address.
    auto r = parse_result(rec.ipam_result);
    if (!r) return rollback(r.error());
    ipam = std::move(*r);
  } else if (!c.ipam.is_null()) {
    if (rec.ipam_added) {
      // A crash inside the previous IPAM ADD: release whatever it allocated, then allocate.
      if (auto r = IpamDelegate(c.raw, env_).del(); !r)
        std::fprintf(stderr, "evpn-cni: %s: %s\n", rec.attachment_id().c_str(), r.error().msg.c_str());
    }
    rec.ipam_added = true;  // recorded first: a crash inside IPAM ADD still gets its IPAM DEL
    if (auto r = store_->save(rec); !r) return rollback(r.error());
    auto r = IpamDelegate(c.raw, env_).add();
    if (!r) return rollback(r.error());
    ipam = std::move(*r);
    rec.ipam_result = encode_result(ipam, "1.0.0");
  } else {
    ipam = static_result(c.static_ips, vni->gateways);
    for (auto& ip : ipam.ips) ip.gateway = gateway_of(vni->gateways, ip.address.address.family());
  }
  rec.ips.clear();
  for (const auto& ip : ipam.ips) rec.ips.push_back(cidr_string(ip.address));
  if (auto r = store_->save(rec); !r) return rollback(r.error());
  if (auto f = fault("ipam"); !f) return tl::unexpected(f.error());

  // 4. Addresses and routes in the container. A route without "gw" uses the gateway of its
  // family (spec §"Result": "if omitted, a default gateway is assumed"); with a VNI gateway
  // and no default route from IPAM, the default route goes through the VNI's gateway.
  std::vector<IfAddress> addrs;
  for (const auto& ip : ipam.ips) addrs.push_back(ip.address);
  std::vector<ResultRoute> routes = ipam.routes;
  for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
    bool has_addr = false, has_default = false;
    for (const auto& a : addrs) has_addr = has_addr || a.address.family() == f;
    for (const auto& r : routes) has_default = has_default || (r.dst.family() == f && r.dst.length() == 0);
    auto gw = gateway_of(vni->gateways, f);
    if (has_addr && !has_default && gw) {
      uint8_t zero[16] = {};
      IpAddress any = f == IpFamily::kV4 ? IpAddress::v4(zero) : IpAddress::v6(zero);
      routes.push_back(ResultRoute{IpPrefix(any, 0), gw, {}, {}, {}, {}, {}});
    }
  }
  std::vector<RouteSpec> kernel_routes;
  for (const auto& r : routes) {
    std::optional<IpAddress> gw = r.gw;
    if (!gw)
      for (const auto& ip : ipam.ips)
        if (ip.gateway && ip.gateway->family() == r.dst.family()) gw = ip.gateway;
    if (!gw) gw = gateway_of(vni->gateways, r.dst.family());
    kernel_routes.push_back(RouteSpec{r.dst, gw});
  }
  if (auto r = net_.configure_container(inv_.netns, inv_.ifname, addrs, kernel_routes); !r)
    return rollback(from_net_error(r.error(), "addresses and routes on " + inv_.ifname));
  if (auto f = fault("configure"); !f) return tl::unexpected(f.error());

  // 5. The endpoint: evpnd advertises the MAC and MAC+IP type-2 routes (RFC 7432 §9.1) now.
  json ips = json::array();
  for (const auto& a : addrs) ips.push_back(a.address.to_string());
  json ep = {{"vni", c.vni}, {"mac", mac}, {"ips", ips}, {"interface", rec.host_veth},
             {"attachment", rec.attachment_id()}};
  if (auto r = evpnd.call("POST", "/v1/evpn/endpoints", ep, "announce endpoint " + mac); !r) return rollback(r.error());
  rec.endpoint_posted = true;
  if (auto r = store_->save(rec); !r) return rollback(r.error());
  if (auto f = fault("endpoint"); !f) return tl::unexpected(f.error());

  // 6. GARP / unsolicited NA so the bridge and neighbours learn the pod (after the POST).
  if (!addrs.empty())
    if (auto r = net_.announce(inv_.netns, inv_.ifname, addrs); !r)
      return rollback(from_net_error(r.error(), "gratuitous ARP/NA on " + inv_.ifname));
  if (auto f = fault("announce"); !f) return tl::unexpected(f.error());

  rec.state = AttachmentState::kReady;
  if (auto r = store_->save(rec); !r) return rollback(r.error());
  if (auto f = fault("ready"); !f) return tl::unexpected(f.error());

  // 7. The Result in the config's version: [0] host veth, [1] container interface.
  Result out;
  auto mtu_of = [](uint32_t m) { return m ? std::optional<uint32_t>(m) : std::nullopt; };
  out.interfaces.push_back(ResultInterface{rec.host_veth, veth->host.mac.to_string(), mtu_of(veth->host.mtu), "", "", ""});
  out.interfaces.push_back(ResultInterface{inv_.ifname, mac, mtu_of(veth->container.mtu), inv_.netns, "", ""});
  for (auto ip : ipam.ips) {
    ip.interface = 1;
    out.ips.push_back(ip);
  }
  out.routes = routes;
  out.dns = ipam.dns.empty() ? c.dns : ipam.dns;
  return encode_result(out, c.cni_version);
}

}  // namespace evpnd::cni

// CNI CHECK (SPEC.md §"CHECK: Check container's networking is as expected", from 0.4.0): the
// attachment must still be what ADD reported in prevResult — every mismatch is an error whose
// msg says what differs (code 103), a missing container is 3, an unreachable evpnd 50.
#include "evpn-cni/cni_plugin.hpp"
#include "evpn-cni/ipam.hpp"

namespace evpnd::cni {

using nlohmann::json;

namespace {

tl::unexpected<CniError> mismatch(std::string msg, std::string details = {}) {
  return cni_fail(code::kCheckFailed, std::move(msg), std::move(details));
}

}  // namespace

CniResult<void> CniPlugin::check(const NetConfig& c) {
  if (!c.prev_result) return cni_fail(code::kInvalidConfig, "invalid configuration: CHECK needs \"prevResult\"");
  const Result& prev = *c.prev_result;
  auto loaded = store_->load(c.name, inv_.container_id, inv_.ifname);
  if (!loaded) return tl::unexpected(loaded.error());
  if (!*loaded || (*loaded)->state != AttachmentState::kReady)
    return cni_fail(code::kUnknownContainer,
                    "no attachment " + c.name + "/" + inv_.container_id + "/" + inv_.ifname + " was added",
                    *loaded ? "its record is " + std::string(state_name((*loaded)->state)) : "no record");
  const AttachmentRecord& rec = **loaded;

  // The container interface prevResult reported (the one with a sandbox and our ifname).
  const ResultInterface* want = nullptr;
  int want_index = -1;
  for (size_t i = 0; i < prev.interfaces.size(); ++i)
    if (prev.interfaces[i].name == inv_.ifname && !prev.interfaces[i].sandbox.empty()) {
      want = &prev.interfaces[i];
      want_index = static_cast<int>(i);
    }
  if (!want) return cni_fail(code::kInvalidConfig, "invalid configuration: prevResult has no interface " + inv_.ifname);

  if (!c.ipam.is_null())
    if (auto r = IpamDelegate(c.raw, env_).check(); !r) return r;

  // Host side: the veth exists, is up and is a port of the VNI's bridge.
  auto host = net_.host_link(rec.bridge_netns, rec.host_veth);
  if (!host) return tl::unexpected(from_net_error(host.error(), "host veth " + rec.host_veth));
  if (!*host) return mismatch("host veth " + rec.host_veth + " is missing");
  if ((*host)->master != rec.bridge)
    return mismatch("host veth " + rec.host_veth + " is not a port of bridge " + rec.bridge,
                    "its master is " + ((*host)->master.empty() ? std::string("none") : (*host)->master));
  if (!(*host)->up) return mismatch("host veth " + rec.host_veth + " is down");

  // Container side: the interface with prevResult's MAC, addresses and routes.
  auto link = net_.container_link(inv_.netns, inv_.ifname);
  if (!link) {
    if (link.error().kind == NetError::Kind::kNotFound)
      return cni_fail(code::kUnknownContainer, "container namespace " + inv_.netns + " is gone", link.error().message);
    return tl::unexpected(from_net_error(link.error(), "interface " + inv_.ifname));
  }
  if (!*link) return mismatch("interface " + inv_.ifname + " is missing in " + inv_.netns);
  const LinkInfo& l = **link;
  if (!want->mac.empty()) {
    auto mac = Mac::parse(want->mac);
    if (!mac || *mac != l.mac)
      return mismatch("interface " + inv_.ifname + " has MAC " + l.mac.to_string() + ", prevResult says " + want->mac);
  }
  for (const auto& ip : prev.ips) {
    if (ip.interface && *ip.interface != want_index) continue;
    bool found = false;
    for (const auto& a : l.addresses) found = found || a == ip.address;
    if (!found) return mismatch("interface " + inv_.ifname + " lacks address " + cidr_string(ip.address));
  }
  for (const auto& r : prev.routes) {
    bool found = false;
    for (const auto& k : l.routes) found = found || (k.dst == r.dst && (!r.gw || k.gateway == r.gw));
    if (!found)
      return mismatch("container route " + r.dst.to_string() + (r.gw ? " via " + r.gw->to_string() : "") + " is missing");
  }

  // evpnd: the VNI runs and lists our endpoint.
  EvpndLink evpnd(c.socket);
  const std::string vni_text = std::to_string(c.vni);
  auto vni = evpnd.request("GET", "/v1/evpn/vnis/" + vni_text, std::nullopt, "read VNI " + vni_text);
  if (!vni) return tl::unexpected(vni.error());
  if (vni->status == 404) return mismatch("VNI " + vni_text + " is not running in evpnd");
  if (!vni->ok()) return cni_fail(code::kEvpndRejected, "evpnd refused to read VNI " + vni_text + ": " + vni->error_text());
  auto eps = evpnd.call("GET", "/v1/evpn/endpoints?vni=" + vni_text + "&attachment=" + client::url_encode(rec.attachment_id()),
                        std::nullopt, "list endpoints");
  if (!eps) return tl::unexpected(eps.error());
  bool listed = false;
  if (eps->contains("endpoints") && (*eps)["endpoints"].is_array())
    for (const auto& e : (*eps)["endpoints"])
      if (e.is_object() && e.contains("mac") && e["mac"].is_string() && Mac::parse(e["mac"].get<std::string>()) == l.mac)
        listed = true;
  if (!listed) return mismatch("evpnd does not list endpoint " + l.mac.to_string() + " on VNI " + vni_text);
  return {};
}

}  // namespace evpnd::cni

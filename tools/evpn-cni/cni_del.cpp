// CNI DEL (SPEC.md §"DEL: Remove container from network") and GC (spec 1.1 §"GC").
// DEL must succeed when the netns is gone, without prevResult, with nothing recorded, and when
// repeated; it undoes in reverse order of ADD and tolerates "already gone" at every step.
#include <cstdio>

#include "evpn-cni/cni_plugin.hpp"
#include "evpn-cni/ipam.hpp"

namespace evpnd::cni {

using nlohmann::json;

CniResult<void> CniPlugin::teardown(AttachmentRecord rec, const json& ipam_config, const Environment& ipam_env) {
  EvpndLink evpnd(rec.socket.empty() ? std::string(client::kDefaultSocket) : rec.socket);
  const std::string vni_text = std::to_string(rec.vni);
  bool evpnd_down = false;
  auto evpnd_step = [&](const CniResult<void>& r) -> CniResult<void> {
    if (r) return {};
    if (EvpndLink::unreachable(r.error())) {
      evpnd_down = true;
      std::fprintf(stderr, "evpn-cni: %s: %s; retried at the next invocation\n", rec.attachment_id().c_str(),
                   r.error().msg.c_str());
      return {};
    }
    return tl::unexpected(r.error());
  };

  // 1. Withdraw the type-2 routes first: the fabric stops sending to the pod before it goes.
  if (!rec.mac.empty()) {
    auto r = evpnd.remove("/v1/evpn/endpoints?vni=" + vni_text + "&mac=" + client::url_encode(rec.mac),
                          "retract endpoint " + rec.mac);
    if (auto s = evpnd_step(r); !s) return s;
  }
  if (auto f = fault("del-endpoint"); !f) return f;

  // 2. The veth (its peer in the container goes with it). A vanished bridge namespace took it.
  if (auto r = net_.delete_veth(rec.bridge_netns, rec.host_veth); !r && r.error().kind != NetError::Kind::kNotFound)
    return tl::unexpected(from_net_error(r.error(), "delete veth " + rec.host_veth));
  if (auto f = fault("del-veth"); !f) return f;

  // 3. IPAM DEL, best effort (spec §"DEL": plugins should release what they can): a failure is
  // logged, not returned, so a broken IPAM cannot pin the attachment forever.
  if (rec.ipam_added && !ipam_config.is_null()) {
    if (auto r = IpamDelegate(ipam_config, ipam_env).del(); !r)
      std::fprintf(stderr, "evpn-cni: %s: %s %s\n", rec.attachment_id().c_str(), r.error().msg.c_str(),
                   r.error().details.c_str());
  }
  rec.ipam_added = false;
  rec.ipam_result = json();
  if (auto f = fault("del-ipam"); !f) return f;

  // 4. Release the segment (evpnd removes an API-created VNI with its last attachment).
  {
    auto r = evpnd.remove("/v1/evpn/vnis/" + vni_text + "?attachment=" + client::url_encode(rec.attachment_id()),
                          "release VNI " + vni_text);
    if (auto s = evpnd_step(r); !s) return s;
  }
  if (auto f = fault("del-vni"); !f) return f;

  if (evpnd_down) {
    rec.state = AttachmentState::kRetractPending;
    return store_->save(rec);
  }
  return store_->remove(rec.network, rec.container_id, rec.ifname);
}

CniResult<void> CniPlugin::del(const NetConfig& c) {
  auto loaded = store_->load(c.name, inv_.container_id, inv_.ifname);
  if (!loaded) return tl::unexpected(loaded.error());
  AttachmentRecord rec;
  if (*loaded) {
    rec = **loaded;
  } else {
    // Nothing recorded (an ADD that failed before its record, or a repeated DEL): undo what may
    // still exist under the names an ADD would have used. The bridge namespace comes from
    // evpnd when it knows the VNI; the MAC from prevResult when the runtime sends one.
    rec.network = c.name, rec.container_id = inv_.container_id, rec.ifname = inv_.ifname, rec.vni = c.vni;
    rec.host_veth = host_veth_name(inv_.container_id, inv_.ifname);
    rec.container_netns = inv_.netns;
    rec.socket = c.socket, rec.cni_path = inv_.cni_path, rec.cni_args = inv_.cni_args;
    rec.config = config_without_prev(c.raw);
    rec.ipam_added = !c.ipam.is_null();
    EvpndLink evpnd(c.socket);
    if (auto r = evpnd.request("GET", "/v1/evpn/vnis/" + std::to_string(c.vni), std::nullopt, "read VNI");
        r && r->ok() && r->body.is_object() && r->body.contains("netns") && r->body["netns"].is_string())
      rec.bridge_netns = r->body["netns"].get<std::string>();
    if (c.prev_result)
      for (const auto& i : c.prev_result->interfaces)
        if (i.name == inv_.ifname && !i.sandbox.empty() && !i.mac.empty()) rec.mac = i.mac;
  }
  if (rec.state == AttachmentState::kRetractPending) {
    // The local part was done; retry_pending() just failed to reach evpnd again.
    return {};
  }
  return teardown(rec, c.ipam.is_null() ? json() : config_without_prev(c.raw), env_);
}

CniResult<void> CniPlugin::gc(const NetConfig& c) {
  if (!c.valid_attachments)
    return cni_fail(code::kInvalidConfig, "invalid configuration: GC needs \"cni.dev/valid-attachments\"");
  std::optional<CniError> first;
  for (const auto& rec : store_->list(c.name)) {
    bool valid = false;
    for (const auto& [cid, ifname] : *c.valid_attachments) valid = valid || (cid == rec.container_id && ifname == rec.ifname);
    if (valid || rec.state == AttachmentState::kRetractPending) continue;
    std::fprintf(stderr, "evpn-cni: GC removes %s\n", rec.attachment_id().c_str());
    const json ipam = rec.config.is_object() && rec.config.contains("ipam") ? rec.config : json();
    if (auto r = teardown(rec, ipam, env_for(rec)); !r) {
      if (is_fault(r.error())) return r;
      if (!first) first = r.error();  // go on with the others; report the first failure
    }
  }
  // Then the IPAM plugin's own GC (spec 1.1 §"GC": a plugin delegates it), best effort: an IPAM
  // plugin older than spec 1.1 (host-local 1.1.1) does not know the verb.
  if (!c.ipam.is_null())
    if (auto r = IpamDelegate(c.raw, env_).gc(); !r)
      std::fprintf(stderr, "evpn-cni: GC: %s %s\n", r.error().msg.c_str(), r.error().details.c_str());
  if (first) return tl::unexpected(*first);
  return {};
}

}  // namespace evpnd::cni

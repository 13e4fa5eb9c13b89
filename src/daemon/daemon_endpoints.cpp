// Daemon: local endpoints announced through the API (issue 11; docs/API.md "Run-time segments and
// endpoints", docs/ARCHITECTURE.md "Local endpoints from the API"). runtime_.endpoints is the
// record (saved to <state-dir>/runtime.json on every change); EVPN holds the pins
// (ev::LocalEndpoint -> EvpnService::add_endpoint). The two agree except while a VNI is missing
// (GET shows such an endpoint as "vni-missing").
//
// Restart: a pod must not drop off the fabric because evpnd restarted. The endpoints of the
// state file are announced again right after StartEvpn, before any BGP session is up, so the
// first UPDATEs after the restart carry them (with graceful restart the reflector kept the old
// routes meanwhile, RFC 4724 §4.2, and the new ones replace them before End-of-RIB).
// Backstop: a runtime that never calls DELETE (crashed, or the pod vanished while evpnd was down)
// must not leave a stale route: an endpoint whose bridge port the data plane reports removed is
// retracted, and one whose port is missing at start-up is not announced (the port is checked in
// evpnd's own namespace, where the Linux data plane puts bridges without a netns VRF).
#include <net/if.h>

#include <spdlog/spdlog.h>

#include <map>

#include "daemon/daemon.hpp"
#include "daemon/endpoint_api.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

std::string describe(const RuntimeEndpoint& e) {
  return e.mac.to_string() + " in VNI " + std::to_string(e.vni) + " on " + e.interface + " (" + e.attachment + ")";
}

}  // namespace

api::ApiResponse Daemon::add_endpoint(RuntimeEndpoint e) {
  const evpn::EvpnService* svc = engine_->evpn();
  const std::string vni = std::to_string(e.vni);
  if (!svc) return error(409, "no EVPN service (route reflector: no vtep section in the configuration)");
  if (!svc->mac_vrf(e.vni)) return error(404, "VNI " + vni + " does not run here: PUT /v1/evpn/vnis/" + vni + " first");
  const auto key = std::pair(e.vni, e.mac);
  auto old = runtime_.endpoints.find(key);
  if (old != runtime_.endpoints.end() && old->second.attachment != e.attachment)
    return error(409, "MAC " + e.mac.to_string() + " is an endpoint of attachment '" + old->second.attachment +
                          "' in VNI " + vni + " (DELETE it first)");
  for (const auto& [k, other] : runtime_.endpoints) {
    if (other.vni != e.vni || other.mac == e.mac) continue;
    for (const auto& ip : e.ips)
      if (std::find(other.ips.begin(), other.ips.end(), ip) != other.ips.end())
        return error(409, "IP " + ip.to_string() + " is an endpoint IP of MAC " + other.mac.to_string() +
                              " (attachment '" + other.attachment + "') in VNI " + vni);
  }
  // Advertised in this dispatch: the UPDATEs are queued before the reply goes out.
  auto fx = dispatch(engine::ev::LocalEndpoint{e.vni, e.mac, e.ips, e.interface, true});
  if (!fx.error.empty()) return error(409, fx.error);  // e.g. a gateway MAC of the VNI
  const bool created = old == runtime_.endpoints.end();
  runtime_.endpoints[key] = e;
  json body = endpoint_json(e);
  if (!save_runtime()) body["warning"] = "advertised, but the state file could not be written (see the log)";
  spdlog::info("endpoint {} {} with {} IPs", describe(e), created ? "announced" : "replaced", e.ips.size());
  return api::ApiResponse{created ? 201 : 200, std::move(body)};
}

api::ApiResponse Daemon::remove_endpoint(Vni vni, const Mac& mac, const std::optional<std::string>& attachment) {
  auto it = runtime_.endpoints.find({vni, mac});
  // Idempotent (CNI DEL may come twice, or for a pod never announced): absent is no error. Another
  // attachment's endpoint is not touched: a stale DEL must not retract a newer pod's MAC.
  if (it == runtime_.endpoints.end() || (attachment && it->second.attachment != *attachment))
    return api::ApiResponse{200, json{{"removed", false}}};
  spdlog::info("endpoint {} retracted", describe(it->second));
  drop_endpoint(it, "");
  json body = {{"removed", true}};
  if (!save_runtime()) body["warning"] = "withdrawn, but the state file could not be written (see the log)";
  return api::ApiResponse{200, std::move(body)};
}

bool Daemon::drop_endpoint(std::map<std::pair<Vni, Mac>, RuntimeEndpoint>::iterator it, const std::string& why) {
  const RuntimeEndpoint e = it->second;
  runtime_.endpoints.erase(it);
  if (!why.empty()) spdlog::warn("endpoint {} retracted: {}", describe(e), why);
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc || !svc->mac_vrf(e.vni)) return false;  // nothing announced
  auto fx = dispatch(engine::ev::LocalEndpoint{e.vni, e.mac, {}, e.interface, false});
  if (!fx.error.empty()) spdlog::warn("endpoint {}: {}", describe(e), fx.error);
  return fx.error.empty();
}

void Daemon::announce_endpoints(const std::optional<std::set<Vni>>& vnis) {
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc) return;
  size_t announced = 0;
  bool dropped = false;
  for (auto it = runtime_.endpoints.begin(); it != runtime_.endpoints.end();) {
    const RuntimeEndpoint& e = it->second;
    if (vnis && !vnis->count(e.vni)) {
      ++it;
      continue;
    }
    std::string why;
    if (!svc->mac_vrf(e.vni)) {
      why = "VNI " + std::to_string(e.vni) + " does not run any more";
    } else if (cfg_.dataplane == api::DataplaneKind::kLinux && svc->l2vni_netns(e.vni) == std::string() &&
               ::if_nametoindex(e.interface.c_str()) == 0) {
      why = "its port " + e.interface + " is gone (the pod went while evpnd was down)";
    } else {
      why = dispatch(engine::ev::LocalEndpoint{e.vni, e.mac, e.ips, e.interface, true}).error;
    }
    if (why.empty()) {
      ++announced, ++it;
      continue;
    }
    spdlog::warn("run-time state: endpoint {} not announced: {}; dropped", describe(e), why);
    it = runtime_.endpoints.erase(it);
    dropped = true;
  }
  if (announced) spdlog::info("run-time state: {} endpoints announced", announced);
  if (dropped) save_runtime();
}

void Daemon::retract_endpoints_of_removed_ports(const std::vector<dataplane::DataplaneEvent>& evs) {
  if (runtime_.endpoints.empty() || !engine_->evpn()) return;
  // The last word per link in this batch: a port deleted and created again with the same name (a
  // runtime's retried ADD, announced again already) is not gone.
  std::map<std::pair<std::string, std::string>, bool> removed;
  for (const auto& ev : evs)
    if (const auto* l = std::get_if<dataplane::LinkChanged>(&ev)) removed[{l->netns, l->name}] = l->removed;
  bool any = false;
  for (auto it = runtime_.endpoints.begin(); it != runtime_.endpoints.end();) {
    auto cur = it++;
    const auto ns = engine_->evpn()->l2vni_netns(cur->second.vni);
    auto r = ns ? removed.find({*ns, cur->second.interface}) : removed.end();
    if (r == removed.end() || !r->second) continue;
    drop_endpoint(cur, "its port " + cur->second.interface + " was removed (no DELETE came)");
    any = true;
  }
  if (any) save_runtime();
}

}  // namespace evpnd::daemon

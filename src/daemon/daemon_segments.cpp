// Daemon: run-time segments (issue 11). L2VNIs ensured through PUT /v1/evpn/vnis/N, held by
// attachments, kept in <state-dir>/runtime.json and set up again at start-up (docs/API.md "Run-
// time segments and endpoints", docs/CONFIG.md "state-dir" and "Reload").
//
// NOTE origin: a VNI the configuration file defines is the file's ("config"); every other VNI in
// runtime_.vnis is the API's ("api"). runtime_.vnis[N].spec is always the settings the VNI runs
// with as an `l2vnis:` entry, its RD explicit, so the file can drop a VNI that attachments still
// hold and it runs on unchanged, and a restart sets it up with the same RD.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "daemon/daemon.hpp"
#include "evpn/auto_rd_rt.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

constexpr size_t kMaxAttachment = 512;  // a CNI "<network>/<container id>/<ifname>" is far shorter

bool in_file(const api::Config& c, Vni vni) {
  return std::any_of(c.l2vnis.begin(), c.l2vnis.end(), [&](const auto& l) { return l.vni == vni; });
}

// Does `c` give this daemon an EVPN service (make_engine)? Run-time VNIs need one.
bool has_evpn(const api::Config& c) {
  return c.dataplane != api::DataplaneKind::kNone || !c.l2vnis.empty() || !c.vrfs.empty();
}

json rts(const std::vector<RouteTarget>& v) {
  json a = json::array();
  for (const auto& rt : v) a.push_back(rt.to_string());
  return a;
}

std::string with_len(const IpAddress& a, const IpPrefix& p) { return a.to_string() + "/" + std::to_string(p.length()); }

// `l` as an `l2vnis:` entry (without `vni`), RD explicit: what runtime.json keeps.
json spec_json(const api::L2VniConfig& l, const Rd& rd) {
  json s = {{"bridge", l.bridge}, {"vxlan-device", l.vxlan_device}, {"arp-suppression", l.arp_suppression},
            {"rd", rd.to_string()}};
  if (!l.vrf.empty()) s["vrf"] = l.vrf;
  if (l.gateway && l.gateway_address) s["gateway"] = with_len(*l.gateway_address, *l.gateway);
  if (l.gateway_v6 && l.gateway_v6_address) s["gateway-v6"] = with_len(*l.gateway_v6_address, *l.gateway_v6);
  json t = json::object();
  if (!l.import_rts.empty()) t["import"] = rts(l.import_rts);
  if (!l.export_rts.empty()) t["export"] = rts(l.export_rts);
  if (!t.empty()) s["route-targets"] = t;
  if (l.df_id) s["df-id"] = *l.df_id;
  return s;
}

std::string reason(const api::ConfigError& e) { return e.path.empty() ? e.reason : e.path + ": " + e.reason; }

}  // namespace

bool Daemon::save_runtime() {
  const std::string path = runtime_state_path(cfg_.state_dir);
  auto ok = save_runtime_state(path, runtime_);
  if (ok) return true;
  ++runtime_save_failures_;
  spdlog::error("run-time state: cannot save {}: {} (kept in memory; the next change writes it all)", path, ok.error());
  return false;
}

api::Config Daemon::effective_config(const api::Config& file) const {
  api::Config c = file;
  const evpn::EvpnService* svc = engine_ ? engine_->evpn() : nullptr;
  for (const auto& [vni, v] : runtime_.vnis) {
    if (in_file(file, vni) || !svc) continue;
    const api::L2VniConfig* l = svc->l2vni_config(vni);
    if (!l) continue;
    c.l2vnis.push_back(*l);
    c.l2vnis.back().rd = svc->mac_vrf(vni)->config().rd;  // the RD it runs with, not a new one
  }
  return c;
}

api::Config Daemon::restore_runtime(const api::Config& file) {
  const std::string path = runtime_state_path(file.state_dir);
  auto st = load_runtime_state(path);
  if (!st) {
    const std::string bad = path + ".bad";
    const bool moved = std::rename(path.c_str(), bad.c_str()) == 0;
    spdlog::error("run-time state: {}; starting without it{}", st.error(),
                  moved ? " (the file is kept as " + bad + ")" : std::string(" (cannot move it aside)"));
    return file;
  }
  runtime_ = std::move(*st);
  if (runtime_.empty()) return file;
  if (!has_evpn(file)) {
    spdlog::error("run-time state: {} VNIs in {} not set up: this configuration has no EVPN service", runtime_.vnis.size(), path);
    return file;
  }
  // The file's own VNIs are the file's (their attachments stay); the others are set up from their
  // specs, checked against the file as at a PUT. One that no longer fits (its VRF is gone, its
  // device or RD is the file's now) is dropped with its endpoints, loudly; an RD taken by the
  // file is given up first (the VNI keeps running with a new one).
  bool changed = false;
  std::vector<Vni> order;
  std::vector<api::RuntimeL2VniSpec> specs;
  for (const auto& [vni, v] : runtime_.vnis)
    if (!in_file(file, vni)) order.push_back(vni), specs.push_back({vni, v.spec.dump()});
  api::Config eff = file;
  for (size_t tries = 0; !specs.empty() && tries <= 2 * order.size() + 1; ++tries) {
    auto checked = api::check_runtime_l2vnis(file, specs);
    if (checked) {
      for (auto& l : *checked) eff.l2vnis.push_back(std::move(l));
      break;
    }
    const auto& e = checked.error();
    size_t i = 0;
    while (i < order.size() && e.file != "VNI " + std::to_string(order[i])) ++i;
    if (i == order.size()) i = order.size() - 1;  // not tied to one VNI: give up the last
    auto& v = runtime_.vnis[order[i]];
    changed = true;
    if (e.path == "rd" && v.spec.contains("rd")) {
      spdlog::warn("run-time state: VNI {}: {}; it gets a new route distinguisher", order[i], reason(e));
      v.spec.erase("rd");
      specs[i].text = v.spec.dump();
      continue;
    }
    spdlog::error("run-time state: VNI {} is not set up again and is forgotten: {}", order[i], reason(e));
    std::erase_if(runtime_.endpoints, [&](const auto& kv) { return kv.first.first == order[i]; });
    runtime_.vnis.erase(order[i]);
    order.erase(order.begin() + long(i));
    specs.erase(specs.begin() + long(i));
  }
  // A VNI whose RD was given up gets a free automatic one, fixed here so that it is not the
  // automatic RD of another VNI or VRF (EvpnService::build numbers file and API VNIs in order).
  std::set<Rd> used;
  const auto plan = evpn::rd_index_plan(eff);
  for (const auto& v : eff.vrfs) used.insert(v.rd.value_or(evpn::auto_rd(eff.router_id, plan.vrfs.at(v.name))));
  for (const auto& l : eff.l2vnis) used.insert(l.rd.value_or(evpn::auto_rd(eff.router_id, plan.l2vnis.at(l.vni))));
  uint16_t next = 2;
  for (auto& l : eff.l2vnis) {
    if (l.rd || in_file(file, l.vni)) continue;
    while (used.count(evpn::auto_rd(eff.router_id, next)) && next < 65535) ++next;
    l.rd = evpn::auto_rd(eff.router_id, next);
    used.insert(*l.rd);
    runtime_.vnis[l.vni].spec["rd"] = l.rd->to_string();
  }
  spdlog::info("run-time state: {} API VNIs and {} endpoints restored from {}", order.size(), runtime_.endpoints.size(), path);
  restored_changed_ = changed;
  return eff;
}

void Daemon::refresh_specs() {
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc) return;
  for (auto& [vni, v] : runtime_.vnis) {
    const api::L2VniConfig* l = svc->l2vni_config(vni);
    const evpn::MacVrf* mv = svc->mac_vrf(vni);
    if (l && mv) v.spec = spec_json(*l, mv->config().rd);
  }
}

api::ApiResponse Daemon::ensure_vni(Vni vni, const json& body) {
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc) return error(409, "no EVPN service: this node is a route reflector");
  if (!body.is_null() && !body.is_object()) return error(400, "body must be an object (the keys of an l2vnis entry)");
  json spec = body.is_null() ? json::object() : body;
  std::string attachment = "api";
  if (spec.contains("attachment")) {
    const json& a = spec["attachment"];
    if (!a.is_string() || a.get<std::string>().empty() || a.get<std::string>().size() > kMaxAttachment)
      return error(400, "attachment: expected a non-empty string of at most " + std::to_string(kMaxAttachment) + " characters");
    attachment = a.get<std::string>();
    spec.erase("attachment");
  }
  if (const api::L2VniConfig* running = svc->l2vni_config(vni)) {
    // It runs: the body must not ask for anything else (a key left out does not differ).
    api::Config alone = cfg_;
    alone.l2vnis.clear();
    auto parsed = api::check_runtime_l2vnis(alone, {{vni, spec.dump()}});
    if (!parsed) return error(400, reason(parsed.error()));
    const api::L2VniConfig& want = parsed->front();
    const auto& mc = svc->mac_vrf(vni)->config();
    const RouteTarget autort = evpn::auto_rt(cfg_.asn, vni, cfg_.rt_auto);
    auto eff = [&](const std::vector<RouteTarget>& v) { return v.empty() ? std::vector<RouteTarget>{autort} : v; };
    const std::pair<const char*, bool> keys[] = {
        {"bridge", want.bridge != running->bridge},
        {"vxlan-device", want.vxlan_device != running->vxlan_device},
        {"arp-suppression", want.arp_suppression != running->arp_suppression},
        {"vrf", want.vrf != running->vrf},
        {"gateway", want.gateway != running->gateway || want.gateway_address != running->gateway_address},
        {"gateway-v6", want.gateway_v6 != running->gateway_v6 || want.gateway_v6_address != running->gateway_v6_address},
        {"rd", want.rd && !(*want.rd == mc.rd)},
        {"route-targets", eff(want.import_rts) != mc.import_rts || eff(want.export_rts) != mc.export_rts},
        {"df-id", want.df_id.value_or(vni) != running->df_id.value_or(vni)},
    };
    for (const auto& [key, differs] : keys)
      if (differs && spec.contains(key))
        return error(409, std::string(key) + ": VNI " + std::to_string(vni) + " exists with another " + key +
                              " (" + (spec_json(*running, mc.rd).contains(key) ? spec_json(*running, mc.rd)[key].dump() : "unset") + ")");
    auto& rv = runtime_.vnis[vni];
    rv.vni = vni;
    if (rv.attachments.insert(attachment).second) {
      rv.spec = spec_json(*running, mc.rd);
      save_runtime();
    }
    return vni_state(vni);
  }
  // Created: checked with the file's rules against the file's VNIs and the other API VNIs.
  std::vector<api::RuntimeL2VniSpec> specs;
  for (const auto& [other, v] : runtime_.vnis)
    if (other != vni && !in_file(cfg_, other) && svc->l2vni_config(other)) specs.push_back({other, v.spec.dump()});
  specs.push_back({vni, spec.dump()});
  auto checked = api::check_runtime_l2vnis(cfg_, specs);
  if (!checked) return error(400, reason(checked.error()));
  // An explicit RD must not be one a running VNI got automatically (RFC 7432 §7.9).
  if (const auto& rd = checked->back().rd)
    for (Vni other : svc->l2vnis())
      if (svc->mac_vrf(other)->config().rd == *rd)
        return error(400, "rd: route distinguisher " + rd->to_string() + " is already used by VNI " + std::to_string(other));
  auto fx = dispatch(engine::ev::ReconfigureVnis{{}, {checked->back()}});
  if (!fx.error.empty() || !svc->mac_vrf(vni)) return error(409, "VNI " + std::to_string(vni) + ": " + fx.error);
  runtime_.vnis[vni] = RuntimeVni{vni, spec_json(*svc->l2vni_config(vni), svc->mac_vrf(vni)->config().rd), {attachment}};
  save_runtime();
  spdlog::info("VNI {} created through the API for {}", vni, attachment);
  auto r = vni_state(vni);
  r.status = 201;
  return r;
}

api::ApiResponse Daemon::release_vni(Vni vni, const std::string& attachment) {
  json reply = {{"vni", vni}, {"released", false}, {"removed", false}, {"attachments", json::array()}};
  auto it = runtime_.vnis.find(vni);
  if (it == runtime_.vnis.end()) return api::ApiResponse{200, reply};
  if (it->second.attachments.erase(attachment)) {
    reply["released"] = true;
    if (it->second.attachments.empty()) {
      // The last holder is gone: an API VNI goes with its endpoints (remove_l2vni withdraws all it
      // advertised); a file VNI stays, the file owns it.
      const bool file = in_file(cfg_, vni);
      const evpn::EvpnService* svc = engine_->evpn();
      if (!file && svc && svc->mac_vrf(vni)) {
        auto fx = dispatch(engine::ev::ReconfigureVnis{{vni}, {}});
        if (!fx.error.empty()) spdlog::warn("VNI {}: removal: {}", vni, fx.error);
        spdlog::info("VNI {} removed: its last attachment {} released it", vni, attachment);
      }
      // Forgotten unless it still runs (a removal that failed: a later PUT holds it again). One
      // that did not run at all (restored on a node without EVPN) is forgotten too.
      if (file || !(svc && svc->mac_vrf(vni))) {
        if (!file) {
          std::erase_if(runtime_.endpoints, [&](const auto& kv) { return kv.first.first == vni; });
          reply["removed"] = true;
        }
        runtime_.vnis.erase(it);
      }
    }
    save_runtime();
  }
  if (auto left = runtime_.vnis.find(vni); left != runtime_.vnis.end())
    for (const auto& a : left->second.attachments) reply["attachments"].push_back(a);
  return api::ApiResponse{200, reply};
}

std::string Daemon::check_reload_vnis(const api::Config& next) const {
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc) return "";
  std::vector<api::RuntimeL2VniSpec> specs;
  for (const auto& [vni, v] : runtime_.vnis) {
    if (in_file(next, vni)) continue;  // the file's (again, or now: a takeover)
    const api::L2VniConfig* l = svc->l2vni_config(vni);
    const evpn::MacVrf* mv = svc->mac_vrf(vni);
    if (!l || !mv || (in_file(cfg_, vni) && v.attachments.empty())) continue;  // goes with the file
    specs.push_back({vni, spec_json(*l, mv->config().rd).dump()});
  }
  if (specs.empty()) return "";
  auto checked = api::check_runtime_l2vnis(next, specs);
  if (checked) return "";
  return "API " + checked.error().file + " (created through the API) does not fit the new configuration: " +
         reason(checked.error());
}

json Daemon::reload_runtime_vnis(const api::Config& next, api::ConfigDiff& diff) {
  const evpn::EvpnService* svc = engine_->evpn();
  json kept = json::array(), taken = json::array();
  // A VNI the file drops while attachments hold it runs on as an API VNI (its pods stay on the
  // fabric); it goes when its last attachment releases it.
  std::erase_if(diff.l2vnis_removed, [&](Vni v) {
    auto it = runtime_.vnis.find(v);
    if (it == runtime_.vnis.end() || it->second.attachments.empty()) return false;
    kept.push_back(v);
    spdlog::warn("configuration reload: VNI {} is no longer in the file but {} attachments hold it: it runs on as an API VNI",
                 v, it->second.attachments.size());
    return true;
  });
  // A VNI the file adds that runs as an API VNI is the file's now, attachments and all; it is
  // re-created only when the file's settings differ (`rd` left out of the file is no difference).
  std::vector<Vni> added;
  for (Vni v : diff.l2vnis_added) {
    const api::L2VniConfig* running = svc ? svc->l2vni_config(v) : nullptr;
    if (!running) {
      added.push_back(v);
      continue;
    }
    taken.push_back(v);
    auto file = std::find_if(next.l2vnis.begin(), next.l2vnis.end(), [&](const auto& l) { return l.vni == v; });
    api::L2VniConfig want = file != next.l2vnis.end() ? *file : *running;
    if (!want.rd) want.rd = svc->mac_vrf(v)->config().rd;
    if (!(want == *running)) diff.l2vnis_changed.push_back(v);
    spdlog::info("configuration reload: VNI {} (created through the API) is the file's now{}", v,
                 want == *running ? "" : ", re-created with the file's settings");
  }
  diff.l2vnis_added = std::move(added);
  return json{{"kept", kept}, {"taken_over", taken}};
}

api::ApiResponse Daemon::vni_state(Vni vni) const {
  const evpn::EvpnService* svc = engine_->evpn();
  if (!svc) return error(404, "no EVPN service (route reflector): no VNI " + std::to_string(vni));
  const api::L2VniConfig* l = svc->l2vni_config(vni);
  const evpn::MacVrf* mv = svc->mac_vrf(vni);
  auto setup = svc->l2vni_setup(vni);
  if (!l || !mv || !setup) return error(404, "no such VNI " + std::to_string(vni));
  json gateways = json::array();
  if (l->gateway && l->gateway_address) gateways.push_back(with_len(*l->gateway_address, *l->gateway));
  if (l->gateway_v6 && l->gateway_v6_address) gateways.push_back(with_len(*l->gateway_v6_address, *l->gateway_v6));
  json attachments = json::array();
  if (auto it = runtime_.vnis.find(vni); it != runtime_.vnis.end())
    for (const auto& a : it->second.attachments) attachments.push_back(a);
  size_t endpoints = 0;
  for (auto it = runtime_.endpoints.lower_bound({vni, Mac{}}); it != runtime_.endpoints.end() && it->first.first == vni; ++it)
    ++endpoints;
  const auto& mc = mv->config();
  return api::ApiResponse{
      200, json{{"vni", vni},
                {"origin", in_file(cfg_, vni) ? "config" : "api"},
                {"bridge", setup->bridge},
                {"vxlan_device", setup->vxlan_device},
                {"netns", setup->netns},
                {"vrf", l->vrf},
                {"gateways", gateways},
                // The SVI's MAC is fixed only when the VRF has an anycast gateway MAC; else the
                // kernel picks the bridge's (null here).
                {"gateway_mac", !gateways.empty() && setup->bridge_mac ? json(setup->bridge_mac->to_string()) : json(nullptr)},
                {"mtu", setup->mtu},
                {"arp_suppression", l->arp_suppression},
                {"rd", mc.rd.to_string()},
                {"import_rts", rts(mc.import_rts)},
                {"export_rts", rts(mc.export_rts)},
                {"attachments", attachments},
                {"endpoints", endpoints}}};
}

}  // namespace evpnd::daemon

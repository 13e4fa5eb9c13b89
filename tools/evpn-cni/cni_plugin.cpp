#include "evpn-cni/cni_plugin.hpp"

#include <cstdio>
#include <filesystem>

#include "evpn-cni/cni_version.hpp"

namespace evpnd::cni {

using nlohmann::json;

std::string host_veth_name(std::string_view container_id, std::string_view ifname) {
  uint32_t h = 2166136261u;  // FNV-1a 32-bit offset basis
  auto mix = [&](std::string_view s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 16777619u;  // FNV prime
    }
  };
  mix(container_id);
  mix("/");
  mix(ifname);
  char buf[16];
  std::snprintf(buf, sizeof buf, "evpn%08x", h);
  return buf;
}

CniError from_net_error(const NetError& e, std::string_view what) {
  if (e.kind == NetError::Kind::kNotFound)
    return CniError{code::kNotFound, std::string(what) + ": not found", e.message};
  return CniError{code::kIo, std::string(what) + " failed", e.message};
}

CniPlugin::CniPlugin(NetOps& net, Environment env) : net_(net), env_(std::move(env)) {}

CniResult<void> CniPlugin::fault(std::string_view step) const {
  auto it = env_.find("EVPN_CNI_FAULT");
  if (it != env_.end() && it->second == step)
    return cni_fail(kFaultCode, "fault injected after step " + std::string(step));
  return {};
}

json CniPlugin::config_without_prev(const json& raw) {
  json c = raw;
  if (c.is_object()) c.erase("prevResult");
  return c;
}

Environment CniPlugin::env_for(const AttachmentRecord& rec) const {
  Environment e = env_;
  e["CNI_CONTAINERID"] = rec.container_id;
  e["CNI_IFNAME"] = rec.ifname;
  e["CNI_NETNS"] = rec.container_netns;
  e["CNI_ARGS"] = rec.cni_args;
  if (e["CNI_PATH"].empty()) e["CNI_PATH"] = rec.cni_path;
  return e;
}

json CniPlugin::version_reply(std::string_view stdin_text) const {
  // SPEC.md §"VERSION": {"cniVersion", "supportedVersions"}; the input names the version the
  // runtime speaks (answered in it when we know it).
  std::string v = sniff_version(stdin_text);
  if (!is_supported_version(v)) v = std::string(kLatestVersion);
  json versions = json::array();
  for (auto sv : kSupportedVersions) versions.push_back(std::string(sv));
  return json{{"cniVersion", v}, {"supportedVersions", versions}};
}

void CniPlugin::retry_pending() {
  for (const auto& rec : store_->list_pending()) {
    EvpndLink evpnd(rec.socket.empty() ? std::string(client::kDefaultSocket) : rec.socket);
    bool done = true;
    if (!rec.mac.empty()) {
      auto r = evpnd.remove("/v1/evpn/endpoints?vni=" + std::to_string(rec.vni) + "&mac=" + client::url_encode(rec.mac),
                            "retract endpoint " + rec.mac);
      done = done && r.has_value();
    }
    if (done) {
      auto r = evpnd.remove("/v1/evpn/vnis/" + std::to_string(rec.vni) + "?attachment=" +
                                client::url_encode(rec.attachment_id()),
                            "release VNI " + std::to_string(rec.vni));
      if (!r) {
        done = false;
        std::fprintf(stderr, "evpn-cni: pending retraction of %s: %s\n", rec.attachment_id().c_str(),
                     r.error().msg.c_str());
      }
    }
    if (done) {
      if (auto r = store_->remove(rec.network, rec.container_id, rec.ifname); !r)
        std::fprintf(stderr, "evpn-cni: %s\n", r.error().msg.c_str());
      else
        std::fprintf(stderr, "evpn-cni: pending retraction of %s done\n", rec.attachment_id().c_str());
    }
  }
}

CniResult<void> CniPlugin::status(const NetConfig& c) {
  // Spec 1.1 §"STATUS": 50 "the plugin is not available" while it cannot serve ADDs.
  EvpndLink evpnd(c.socket);
  auto r = evpnd.request("GET", "/v1/bgp/summary", std::nullopt, "status");
  if (!r) return cni_fail(code::kPluginNotAvailable, "evpnd is not reachable", r.error().details);
  if (!r->ok())
    return cni_fail(code::kPluginNotAvailable, "evpnd is not ready: " + r->error_text(),
                    "GET /v1/bgp/summary -> " + std::to_string(r->status) + " on " + c.socket);
  return {};
}

PluginOutput CniPlugin::run(std::string_view stdin_text) {
  std::string version = sniff_version(stdin_text);
  if (!is_supported_version(version)) version = std::string(kLatestVersion);
  auto fail = [&](const CniError& e) {
    if (is_fault(e)) return PluginOutput{kFaultExitCode, ""};
    return PluginOutput{1, e.to_json(version).dump() + "\n"};
  };

  auto inv = parse_invocation(env_);
  if (!inv) return fail(inv.error());
  inv_ = *inv;
  if (inv_.command == Command::kVersion) {
    // VERSION runs on every network load (podman): it also retries pending retractions, but only
    // where a data directory exists already, and never fails for them.
    std::string dir = env_.count("EVPN_CNI_DATA_DIR") ? env_["EVPN_CNI_DATA_DIR"] : kDefaultDataDir;
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
      store_.emplace(dir);
      if (auto lock = store_->lock()) retry_pending();
    }
    return PluginOutput{0, version_reply(stdin_text).dump() + "\n"};
  }
  auto cfg = parse_net_config(stdin_text, inv_, env_);
  if (!cfg) return fail(cfg.error());
  const NetConfig& c = *cfg;
  version = c.cni_version;

  // Spec §"Section 2": CHECK exists from 0.4.0, GC and STATUS from 1.1.0.
  if (inv_.command == Command::kCheck && compare_versions(c.cni_version, "0.4.0") < 0)
    return fail(CniError{code::kIncompatibleVersion, "CHECK needs cniVersion 0.4.0 or later",
                         "the configuration says " + c.cni_version});
  if ((inv_.command == Command::kGc || inv_.command == Command::kStatus) &&
      compare_versions(c.cni_version, "1.1.0") < 0)
    return fail(CniError{code::kIncompatibleVersion,
                         std::string(command_name(inv_.command)) + " needs cniVersion 1.1.0 or later",
                         "the configuration says " + c.cni_version});
  if (inv_.command == Command::kStatus) {
    auto r = status(c);
    return r ? PluginOutput{0, ""} : fail(r.error());
  }

  store_.emplace(c.data_dir);
  auto lock = store_->lock();
  if (!lock) return fail(lock.error());
  retry_pending();

  switch (inv_.command) {
    case Command::kAdd: {
      auto r = add(c);
      return r ? PluginOutput{0, r->dump() + "\n"} : fail(r.error());
    }
    case Command::kDel: {
      auto r = del(c);
      return r ? PluginOutput{0, ""} : fail(r.error());
    }
    case Command::kCheck: {
      auto r = check(c);
      return r ? PluginOutput{0, ""} : fail(r.error());
    }
    case Command::kGc: {
      auto r = gc(c);
      return r ? PluginOutput{0, ""} : fail(r.error());
    }
    default:
      return fail(CniError{code::kInvalidEnv, "unexpected command"});
  }
}

}  // namespace evpnd::cni

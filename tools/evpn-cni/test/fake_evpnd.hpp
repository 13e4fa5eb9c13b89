// FakeEvpnd: an in-memory emulation of evpnd's run-time segment and endpoint API (docs/API.md
// "Run-time segments and endpoints") behind the real ApiServer (FakeApiServer). The socket path
// is stable across stop()/start() (a symlink in a test directory), so a test can take evpnd
// down and bring it back as a restart would.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/test/fake_api_server.hpp"

namespace evpnd::cni::testing {

class FakeEvpnd {
 public:
  struct Vni {
    nlohmann::json settings;  // the PUT body less the attachment
    std::set<std::string> attachments;
    bool from_api = true;
  };
  struct Endpoint {
    nlohmann::json body;
  };

  FakeEvpnd() {
    char tmpl[] = "/tmp/evt-cni-evpnd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    link_ = dir_ + "/evpnd.sock";
    start();
  }
  ~FakeEvpnd() {
    stop();
    std::filesystem::remove_all(dir_);
  }

  const std::string& socket() const { return link_; }
  void start() {
    server_ = std::make_unique<client::testing::FakeApiServer>([this](const api::ApiRequest& r) { return handle(r); });
    std::filesystem::remove(link_);
    std::filesystem::create_symlink(server_->socket_path(), link_);
  }
  void stop() {
    std::filesystem::remove(link_);
    server_.reset();
  }

  // State, read and set by tests (guarded: the handler runs on the server's thread).
  std::map<uint32_t, Vni> vnis() { std::lock_guard g(mu_); return vnis_; }
  std::map<std::string, nlohmann::json> endpoints() { std::lock_guard g(mu_); return endpoints_; }
  std::vector<std::string> log() { std::lock_guard g(mu_); return log_; }
  void clear_log() { std::lock_guard g(mu_); log_.clear(); }
  // Answers "METHOD /path" with this status and {"error": reason} instead of emulating.
  void force(const std::string& method_path, int status, const std::string& reason) {
    std::lock_guard g(mu_);
    forced_[method_path] = {status, reason};
  }
  void add_config_vni(uint32_t vni) {
    std::lock_guard g(mu_);
    vnis_[vni] = Vni{nlohmann::json::object(), {}, false};
  }
  void drop_endpoint(uint32_t vni, const std::string& mac) {
    std::lock_guard g(mu_);
    endpoints_.erase(std::to_string(vni) + "|" + mac);
  }

 private:
  static api::ApiResponse err(int status, const std::string& reason) { return {status, {{"error", reason}}}; }

  nlohmann::json vni_state(uint32_t n, const Vni& v) const {
    const auto& s = v.settings;
    std::string vrf = s.value("vrf", "");
    nlohmann::json gws = nlohmann::json::array();
    if (s.contains("gateway")) gws.push_back(s["gateway"]);
    if (s.contains("gateway-v6")) gws.push_back(s["gateway-v6"]);
    size_t eps = 0;
    for (const auto& [k, e] : endpoints_) eps += e["vni"] == n;
    return {{"vni", n}, {"origin", v.from_api ? "api" : "config"}, {"bridge", s.value("bridge", "br" + std::to_string(n))},
            {"vxlan_device", "vx" + std::to_string(n)}, {"netns", vrf.empty() ? "" : "evt-" + vrf}, {"vrf", vrf},
            {"gateways", gws}, {"gateway_mac", gws.empty() ? nlohmann::json() : nlohmann::json("02:00:00:00:00:01")},
            {"mtu", 1450}, {"attachments", v.attachments}, {"endpoints", eps}};
  }

  api::ApiResponse handle(const api::ApiRequest& r) {
    std::lock_guard g(mu_);
    log_.push_back(r.method + " " + r.path);
    if (auto it = forced_.find(r.method + " " + r.path); it != forced_.end()) return err(it->second.first, it->second.second);
    const std::string vnis_prefix = "/v1/evpn/vnis/";
    if (r.path == "/v1/bgp/summary" && r.method == "GET") return {200, {{"peers", nlohmann::json::array()}}};
    if (r.path.rfind(vnis_prefix, 0) == 0) {
      uint32_t n = static_cast<uint32_t>(std::stoul(r.path.substr(vnis_prefix.size())));
      auto it = vnis_.find(n);
      if (r.method == "GET") return it == vnis_.end() ? err(404, "unknown VNI") : api::ApiResponse{200, vni_state(n, it->second)};
      if (r.method == "PUT") {
        nlohmann::json settings = r.body;
        std::string att = settings.value("attachment", "api");
        settings.erase("attachment");
        if (it != vnis_.end()) {
          for (const auto& [k, v] : settings.items())
            if (it->second.from_api && it->second.settings.contains(k) && it->second.settings[k] != v)
              return err(409, "VNI " + std::to_string(n) + " exists with another " + k);
          it->second.attachments.insert(att);
          return {200, vni_state(n, it->second)};
        }
        it = vnis_.emplace(n, Vni{settings, {att}, true}).first;
        return {201, vni_state(n, it->second)};
      }
      if (r.method == "DELETE") {
        std::string att = r.query.count("attachment") ? r.query.at("attachment") : "api";
        bool released = it != vnis_.end() && it->second.attachments.erase(att) > 0;
        bool removed = released && it->second.from_api && it->second.attachments.empty();
        if (removed) {
          vnis_.erase(it);
          for (auto e = endpoints_.begin(); e != endpoints_.end();)
            e = e->second["vni"] == n ? endpoints_.erase(e) : std::next(e);
        }
        return {200, {{"vni", n}, {"released", released}, {"removed", removed}}};
      }
    }
    if (r.path == "/v1/evpn/endpoints") {
      if (r.method == "POST") {
        uint32_t n = r.body.value("vni", 0u);
        if (!vnis_.count(n)) return err(404, "VNI " + std::to_string(n) + " does not run");
        std::string key = std::to_string(n) + "|" + r.body.value("mac", "");
        auto it = endpoints_.find(key);
        if (it != endpoints_.end() && it->second.value("attachment", "") != r.body.value("attachment", ""))
          return err(409, "MAC is an endpoint of another attachment");
        bool replaced = it != endpoints_.end();
        endpoints_[key] = r.body;
        return {replaced ? 200 : 201, r.body};
      }
      if (r.method == "DELETE") {
        std::string key = r.query.count("vni") ? r.query.at("vni") : "";
        key += "|" + (r.query.count("mac") ? r.query.at("mac") : "");
        return {200, {{"removed", endpoints_.erase(key) > 0}}};
      }
      if (r.method == "GET") {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& [k, e] : endpoints_) {
          if (r.query.count("vni") && std::to_string(e["vni"].get<uint32_t>()) != r.query.at("vni")) continue;
          if (r.query.count("attachment") && e.value("attachment", "") != r.query.at("attachment")) continue;
          list.push_back(e);
        }
        return {200, {{"endpoints", list}}};
      }
    }
    return err(404, "no such path");
  }

  std::mutex mu_;
  std::map<uint32_t, Vni> vnis_;
  std::map<std::string, nlohmann::json> endpoints_;
  std::vector<std::string> log_;
  std::map<std::string, std::pair<int, std::string>> forced_;
  std::string dir_, link_;
  std::unique_ptr<client::testing::FakeApiServer> server_;
};

}  // namespace evpnd::cni::testing

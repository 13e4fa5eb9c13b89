// PluginHarness: one CniPlugin invocation at a time against FakeNetOps + FakeEvpnd, with a
// private dataDir, as a runtime would run the binary (environment + stdin -> stdout + exit code).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "evpn-cni/cni_plugin.hpp"
#include "fake_evpnd.hpp"
#include "fake_net_ops.hpp"

namespace evpnd::cni::testing {

inline constexpr const char* kHostLocal = "/usr/lib/cni/host-local";

struct Run {
  int exit_code = 0;
  std::string out;
  nlohmann::json json() const { return out.empty() ? nlohmann::json() : nlohmann::json::parse(out); }
};

class PluginHarness {
 public:
  PluginHarness() {
    char tmpl[] = "/tmp/evt-cni-data-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    net.netns.insert(kNetns);
    net.add_bridge("br5001");
  }
  ~PluginHarness() { std::filesystem::remove_all(dir_); }

  static constexpr const char* kNetns = "/run/netns/evt-pod1";

  std::string data_dir() const { return dir_ + "/records"; }
  std::string dir() const { return dir_; }

  nlohmann::json config(const std::string& version = "1.0.0") const {
    return {{"cniVersion", version}, {"name", "podnet"}, {"type", "evpn"}, {"vni", 5001},
            {"gateway", "10.1.0.1/24"}, {"socket", evpnd.socket()}, {"dataDir", data_dir()}};
  }
  Environment env(const std::string& command, const std::string& cid = "c1", const std::string& ifname = "eth0",
                  const std::string& netns = kNetns) const {
    Environment e = {{"CNI_COMMAND", command}, {"CNI_CONTAINERID", cid}, {"CNI_IFNAME", ifname},
                     {"CNI_NETNS", netns}, {"CNI_PATH", dir_ + ":/usr/lib/cni"},
                     {"CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod1"}};
    for (const auto& [k, v] : extra_env) e[k] = v;
    return e;
  }
  Run run(const Environment& e, const std::string& stdin_text) {
    CniPlugin plugin(net, e);
    auto out = plugin.run(stdin_text);
    return Run{out.exit_code, out.out};
  }
  Run run(const std::string& command, const nlohmann::json& cfg, const std::string& cid = "c1",
          const std::string& ifname = "eth0") {
    return run(env(command, cid, ifname), cfg.dump());
  }
  // A config with a host-local IPAM whose lease files live in this test's directory.
  nlohmann::json with_host_local(nlohmann::json cfg) const {
    cfg["ipam"] = {{"type", "host-local"}, {"dataDir", dir_ + "/leases"},
                   {"ranges", {{{{"subnet", "10.1.0.0/24"}, {"rangeStart", "10.1.0.10"}, {"gateway", "10.1.0.1"}}}}},
                   {"routes", {{{"dst", "0.0.0.0/0"}}}}};
    return cfg;
  }
  size_t lease_count() const {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/leases", ec))
      n += e.path().filename().string().rfind("10.", 0) == 0;
    return n;
  }
  size_t record_count() const {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(data_dir(), ec))
      n += e.path().extension() == ".json";
    return n;
  }
  // Writes an executable script named `name` into the CNI_PATH directory.
  void write_plugin(const std::string& name, const std::string& script) const;

  FakeNetOps net;
  FakeEvpnd evpnd;
  Environment extra_env;

 private:
  std::string dir_;
};

inline void PluginHarness::write_plugin(const std::string& name, const std::string& script) const {
  std::string path = dir_ + "/" + name;
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(script.c_str(), f);
  std::fclose(f);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

#define SKIP_WITHOUT_HOST_LOCAL()                                                               \
  if (!std::filesystem::exists(::evpnd::cni::testing::kHostLocal))                              \
  GTEST_SKIP() << "needs " << ::evpnd::cni::testing::kHostLocal << " (containernetworking-plugins)"

}  // namespace evpnd::cni::testing

// IPAM delegation (SPEC.md §"Section 4: Plugin Delegation"): the plugin named by ipam.type is
// found in $CNI_PATH and executed with the same stdin (the whole network configuration) and the
// same environment, CNI_COMMAND being ADD, DEL or CHECK. ADD's stdout is a Result (of the
// config's version; any version is understood); a non-zero exit carries a CNI error object,
// which is returned as is (its code and msg reach the runtime; the spec's "the plugin must
// return the error of a delegated plugin").
//
// Without an "ipam" key, addresses come from runtimeConfig.ips / CNI_ARGS IP= (static_result),
// else the interface gets none (a pure L2 attachment).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "evpn-cni/cni_config.hpp"
#include "evpn-cni/cni_error.hpp"
#include "evpn-cni/cni_result.hpp"

namespace evpnd::cni {

struct ExecOutput {
  int exit_code = 0;   // the child's exit status; 128+N when killed by signal N
  std::string out;     // its stdout
};

// Runs `path` with `env` as its whole environment and `stdin_text` on stdin; stderr is
// inherited (the runtime logs it). Errors: the program could not be started (code 102).
CniResult<ExecOutput> exec_plugin(const std::string& path, const Environment& env, std::string_view stdin_text);

// The first executable `type` in the colon-separated `cni_path`; code 102 naming the path.
CniResult<std::string> find_plugin(const std::string& type, const std::string& cni_path);

// One delegated IPAM call: `env` is the invocation's environment (CNI_COMMAND is replaced).
class IpamDelegate {
 public:
  IpamDelegate(nlohmann::json net_config, Environment env);

  CniResult<Result> add() const;
  CniResult<void> del() const;
  CniResult<void> check() const;
  // Spec 1.1 §"GC": the IPAM plugin gets the GC too (with cni.dev/valid-attachments in stdin).
  CniResult<void> gc() const;

  const std::string& type() const { return type_; }

 private:
  CniResult<ExecOutput> run(std::string_view command) const;

  nlohmann::json config_;
  Environment env_;
  std::string type_;
};

// The addresses given by the runtime (no IPAM plugin): a length left out comes from the VNI's
// gateway of that family ("10.1.0.1/24"), else /32 or /128.
Result static_result(const std::vector<StaticIp>& ips, const std::vector<IfAddress>& gateways);

}  // namespace evpnd::cni

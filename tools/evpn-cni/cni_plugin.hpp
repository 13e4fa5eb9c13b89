// CniPlugin: the CNI verbs of the `evpn` plugin (SPEC.md 1.0/1.1 §"Section 2": ADD, DEL, CHECK,
// VERSION; 1.1: GC, STATUS) over three collaborators: NetOps (the kernel), EvpndLink (evpnd's
// API) and the AttachmentStore (records in dataDir). docs/CNI.md is the reference.
//
// ADD:   PUT /v1/evpn/vnis/N (the segment, held by this attachment) -> record (adding) -> veth
//        into the VNI's bridge -> IPAM ADD (or static IPs) -> addresses and routes -> POST
//        /v1/evpn/endpoints (the type-2 MAC/IP routes) -> GARP/NA (after the POST: the route is
//        on the wire before the pod's first packet) -> record (ready) -> Result. A failure after
//        the record rolls back what exists (as DEL); a retried ADD converges (every step is
//        idempotent and the record keeps the MAC).
// DEL:   DELETE endpoint -> delete veth -> IPAM DEL (best effort) -> DELETE VNI attachment ->
//        drop the record. Idempotent. evpnd unreachable: the local part is done, the record
//        stays as retract-pending and every later invocation (any verb) retries it.
// CHECK: veth, bridge membership, container MAC/addresses/routes vs prevResult, the VNI and
//        the endpoint in evpnd.
// GC:    every record of this network not in cni.dev/valid-attachments is removed as by DEL.
// STATUS: GET /v1/bgp/summary answers -> ready; else 50.
//
// NOTE fault injection (tests only): EVPN_CNI_FAULT=<step> makes the invocation stop right
// after that step, without rollback, as if the process had been killed there; the exit code is
// kFaultExitCode and nothing is printed. Steps: vni, record, veth, ipam, configure, endpoint,
// announce, ready (ADD); del-endpoint, del-veth, del-ipam, del-vni (DEL/GC).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "evpn-cni/attachments.hpp"
#include "evpn-cni/cni_config.hpp"
#include "evpn-cni/cni_error.hpp"
#include "evpn-cni/evpnd_link.hpp"
#include "evpn-cni/net_ops.hpp"

namespace evpnd::cni {

inline constexpr int kFaultExitCode = 99;

struct PluginOutput {
  int exit_code = 0;
  std::string out;  // stdout: a Result, VERSION's answer or an error object (+ "\n"); "" for DEL etc.
};

// "evpn" + 8 hex digits of FNV-1a over "<container id>/<ifname>": stable across builds and
// runs (a retried ADD and a DEL without a record find the same veth), 12 chars <= IFNAMSIZ-1.
std::string host_veth_name(std::string_view container_id, std::string_view ifname);

// A kernel failure as a CNI error: kNotFound -> 101, kFailed -> 5 (I/O), msg naming the step.
CniError from_net_error(const NetError& e, std::string_view what);

class CniPlugin {
 public:
  // `env`: the process environment (CNI_*, EVPND_SOCKET, EVPN_CNI_DATA_DIR, EVPN_CNI_FAULT...);
  // it is also what delegated IPAM plugins get.
  CniPlugin(NetOps& net, Environment env);

  PluginOutput run(std::string_view stdin_text);

 private:
  // A sentinel error: a fault was injected; run() turns it into kFaultExitCode.
  static constexpr uint32_t kFaultCode = 0xFFFFFFFFu;
  CniResult<void> fault(std::string_view step) const;
  static bool is_fault(const CniError& e) { return e.code == kFaultCode; }

  nlohmann::json version_reply(std::string_view stdin_text) const;
  CniResult<nlohmann::json> add(const NetConfig& c);
  CniResult<void> del(const NetConfig& c);
  CniResult<void> check(const NetConfig& c);
  CniResult<void> gc(const NetConfig& c);
  CniResult<void> status(const NetConfig& c);

  // DEL of one record; `ipam_config`/`ipam_env` drive the IPAM DEL (null config: none).
  CniResult<void> teardown(AttachmentRecord rec, const nlohmann::json& ipam_config, const Environment& ipam_env);
  // Retries the evpnd part of every retract-pending record (errors: stderr only).
  void retry_pending();
  // The IPAM environment to repeat a record's IPAM call from another invocation (GC).
  Environment env_for(const AttachmentRecord& rec) const;
  static nlohmann::json config_without_prev(const nlohmann::json& raw);

  NetOps& net_;
  Environment env_;
  Invocation inv_;
  std::optional<AttachmentStore> store_;
};

}  // namespace evpnd::cni

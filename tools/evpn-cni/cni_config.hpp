// What a CNI invocation hands the plugin (SPEC.md §"Section 2: Execution Protocol"): the
// CNI_* environment variables and the network configuration on stdin (§"Section 1"), validated
// into plain structs. Errors carry the spec's codes: 4 for the environment, 6 for stdin that is
// not JSON, 7 for a bad configuration (the message names the key), 1 for an unsupported
// cniVersion.
//
// NOTE precedence (docs/CNI.md): MAC: runtimeConfig.mac > CNI_ARGS MAC= > config "mac";
// static IPs: runtimeConfig.ips > CNI_ARGS IP= (podman passes --ip that way); socket: config
// "socket" > $EVPND_SOCKET (libcni hands the runtime's environment to plugins) > the default;
// dataDir: config "dataDir" > $EVPN_CNI_DATA_DIR > /var/lib/cni/evpn.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip.hpp"
#include "core/mac.hpp"
#include "evpn-cni/cni_error.hpp"
#include "evpn-cni/cni_result.hpp"

namespace evpnd::cni {

using Environment = std::map<std::string, std::string>;

inline constexpr const char* kDefaultDataDir = "/var/lib/cni/evpn";

enum class Command : uint8_t { kAdd, kDel, kCheck, kVersion, kGc, kStatus };
std::string_view command_name(Command c);

// A static address from runtimeConfig.ips or CNI_ARGS IP=: the length may be left out (podman's
// --ip), and is then taken from the VNI's gateway of the same family, else /32 or /128.
struct StaticIp {
  IpAddress address;
  std::optional<uint8_t> prefix_len;
};

struct Invocation {
  Command command = Command::kVersion;
  std::string container_id, netns, ifname, cni_path, cni_args;
  // From CNI_ARGS ("IgnoreUnknown=1;IP=10.1.0.5;MAC=..;K8S_POD_NAME=..").
  std::vector<StaticIp> arg_ips;
  std::optional<Mac> arg_mac;
  std::string pod_namespace, pod_name;
};

// Reads CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH and checks
// what the command needs (ADD/CHECK: all but ARGS; DEL: container id and ifname; VERSION,
// GC, STATUS: nothing more).
CniResult<Invocation> parse_invocation(const Environment& env);

struct NetConfig {
  std::string cni_version, name, type;
  uint32_t vni = 0;
  std::string vrf, gateway, gateway_v6, bridge;  // "" = not given (evpnd's defaults)
  nlohmann::json route_targets;                  // null = not given; else passed to evpnd as is
  uint32_t mtu = 0;                              // 0 = the VNI's (evpnd's reply)
  std::optional<Mac> mac;                        // effective, after the precedence above
  std::vector<StaticIp> static_ips;              // effective, after the precedence above
  std::string socket, data_dir;                  // effective
  nlohmann::json ipam;                           // null = no IPAM plugin
  ResultDns dns;                                 // the config's "dns" (used when IPAM gives none)
  std::optional<Result> prev_result;
  // GC (spec 1.1 §"GC"): cni.dev/valid-attachments; nullopt when the key is absent.
  std::optional<std::vector<std::pair<std::string, std::string>>> valid_attachments;
  nlohmann::json raw;                            // stdin as parsed (handed to IPAM unchanged)
};

// Parses stdin for `inv.command`. VERSION needs only cniVersion; ADD/DEL/CHECK need vni.
CniResult<NetConfig> parse_net_config(std::string_view stdin_text, const Invocation& inv, const Environment& env);

// The cniVersion of stdin if it is JSON with one, for error replies before full parsing.
std::string sniff_version(std::string_view stdin_text);

// The spec's identifier rules (§"Parameters"): container ids and network names start with an
// alphanumeric and continue with alphanumerics, '_', '.', '-'; interface names are 1-15 bytes,
// not "." or "..", without '/', ':' or whitespace.
bool valid_identifier(std::string_view s);
bool valid_ifname(std::string_view s);

}  // namespace evpnd::cni

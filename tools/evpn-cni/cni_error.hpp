// CniError: the plugin's failure as the CNI spec's error object (SPEC.md §"Error", 1.0/1.1):
// {"cniVersion", "code", "msg", "details"} on stdout and a non-zero exit. Codes 1-99 are the
// spec's well-known codes (the ones named below); 100+ are this plugin's own (docs/CNI.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace evpnd::cni {

namespace code {
// CNI spec §"Error": well-known error codes.
inline constexpr uint32_t kIncompatibleVersion = 1;  // cniVersion not supported / verb not in it
inline constexpr uint32_t kUnsupportedField = 2;     // msg names the key and value
inline constexpr uint32_t kUnknownContainer = 3;     // container (attachment) does not exist
inline constexpr uint32_t kInvalidEnv = 4;           // CNI_COMMAND, CNI_CONTAINERID, ... missing/bad
inline constexpr uint32_t kIo = 5;                   // I/O failure (kernel, state files)
inline constexpr uint32_t kDecode = 6;               // stdin is not JSON
inline constexpr uint32_t kInvalidConfig = 7;        // network configuration invalid
inline constexpr uint32_t kTryAgainLater = 11;       // transient: retry the same call
inline constexpr uint32_t kPluginNotAvailable = 50;  // STATUS/ADD: evpnd unreachable
inline constexpr uint32_t kLimitedConnectivity = 51;
// Ours (100+).
inline constexpr uint32_t kEvpndRejected = 100;      // evpnd answered a request with an error
inline constexpr uint32_t kNotFound = 101;           // a namespace, bridge or link is missing
inline constexpr uint32_t kIpamFailed = 102;         // IPAM plugin missing or failed without CNI JSON
inline constexpr uint32_t kCheckFailed = 103;        // CHECK: the attachment differs from prevResult
}  // namespace code

struct CniError {
  uint32_t code = code::kIo;
  std::string msg;      // short: "evpnd unreachable"
  std::string details;  // longer, e.g. the socket path and errno text

  // The spec's error object in `cni_version` (the config's version; the shape is the same in
  // every version from 0.3.0 on).
  nlohmann::json to_json(std::string_view cni_version) const;
  // Parses a delegated plugin's error output (IPAM); nullopt when it is not an error object.
  static std::optional<CniError> from_json(const nlohmann::json& j);
};

template <typename T>
using CniResult = tl::expected<T, CniError>;

inline tl::unexpected<CniError> cni_fail(uint32_t c, std::string msg, std::string details = {}) {
  return tl::unexpected(CniError{c, std::move(msg), std::move(details)});
}

}  // namespace evpnd::cni

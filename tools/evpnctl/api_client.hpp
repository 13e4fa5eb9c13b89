// ApiClient: evpnctl's only way to reach evpnd — HTTP/1.1 over the daemon's unix socket
// (plain POSIX sockets, one request per connection, `Connection: close`).
//
// NOTE errors: transport failures (no socket, refused, timeout, unparsable reply) come back as
// ApiFailure with exit code 2 and an operator-facing message; an HTTP error status is NOT a
// failure here — the caller decides (see call_api() for the CLI convention).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace evpnctl {

inline constexpr const char* kDefaultSocket = "/run/evpnd/evpnd.sock";

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // parsed JSON; a string holding the raw text when the reply is not JSON
  std::string content_type;
};

struct ApiFailure {
  int exit_code = 2;
  std::string message;  // "cannot connect to /run/evpnd/evpnd.sock: ... — is evpnd running?"
};

class ApiClient {
 public:
  explicit ApiClient(std::string socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // `target` is path + query ("/v1/evpn/macs?vni=100"); `body` (if any) is sent as JSON.
  tl::expected<ApiReply, ApiFailure> request(std::string_view method, std::string_view target,
                                             const std::optional<nlohmann::json>& body = std::nullopt) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

// --socket handling: EVPND_SOCKET, else /run/evpnd/evpnd.sock; `--socket PATH` is accepted both
// globally (`evpnctl --socket P show ...`) and on every command (`evpnctl show ... --socket P`).
std::string& socket_path_option();
void add_socket_option(CLI::App& cmd);  // idempotent per App

// The CLI convention for one call: on success returns the body. Otherwise prints to stderr —
// "evpnctl: <status> <error>" for an HTTP error (exit code 1), the transport message (exit 2) —
// sets the exit code and returns nullopt.
std::optional<nlohmann::json> call_api(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body = std::nullopt);

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

}  // namespace evpnctl

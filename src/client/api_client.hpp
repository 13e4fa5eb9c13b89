// ApiClient: the one client of evpnd's JSON API in the project — HTTP/1.1 over the daemon's
// unix socket (plain POSIX sockets, one request per connection, `Connection: close`). Shared by
// evpnctl (tools/evpnctl) and the CNI plugin (tools/evpn-cni); docs/API.md has the shapes.
//
// NOTE errors: transport failures (no socket, refused, timeout, unparsable reply) come back as
// ApiFailure with an operator-facing message; an HTTP error status is NOT a failure here — the
// caller decides (evpnctl: exit code 1; the CNI plugin: a CNI error).
// NOTE blocking: request() blocks up to `timeout` for the whole exchange.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace evpnd::client {

inline constexpr const char* kDefaultSocket = "/run/evpnd/evpnd.sock";

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // parsed JSON; a string holding the raw text when the reply is not JSON
  std::string content_type;
  bool ok() const { return status >= 200 && status <= 299; }
  // The reply's {"error": "..."} text (or the raw body) for messages; "" on success.
  std::string error_text() const;
};

// kConnect: nobody answers on the socket (evpnd not running: the CNI plugin's error 50);
// kExchange: connected, but the request or its reply failed (timeout, truncated, malformed).
enum class FailureKind : uint8_t { kConnect, kExchange };

struct ApiFailure {
  int exit_code = 2;    // evpnctl's exit code for a transport failure
  std::string message;  // "cannot connect to /run/evpnd/evpnd.sock: ... — is evpnd running?"
  FailureKind kind = FailureKind::kExchange;
};

class ApiClient {
 public:
  explicit ApiClient(std::string socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                     std::string user_agent = "evpnctl");

  // `target` is path + query ("/v1/evpn/macs?vni=100"); `body` (if any) is sent as JSON.
  tl::expected<ApiReply, ApiFailure> request(std::string_view method, std::string_view target,
                                             const std::optional<nlohmann::json>& body = std::nullopt) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  std::string user_agent_;
};

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

}  // namespace evpnd::client

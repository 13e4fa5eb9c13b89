// evpnctl's side of the API client: the shared evpnd::client::ApiClient (src/client) plus the
// CLI conventions — the --socket option and call_api()'s error reporting and exit codes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/api_client.hpp"

namespace evpnctl {

using evpnd::client::ApiClient;
using evpnd::client::ApiFailure;
using evpnd::client::ApiReply;
using evpnd::client::kDefaultSocket;
using evpnd::client::url_encode;

// --socket handling: EVPND_SOCKET, else /run/evpnd/evpnd.sock; `--socket PATH` is accepted both
// globally (`evpnctl --socket P show ...`) and on every command (`evpnctl show ... --socket P`).
std::string& socket_path_option();
void add_socket_option(CLI::App& cmd);  // idempotent per App

// The CLI convention for one call: on success returns the body. Otherwise prints to stderr —
// "evpnctl: <status> <error>" for an HTTP error (exit code 1), the transport message (exit 2) —
// sets the exit code and returns nullopt.
std::optional<nlohmann::json> call_api(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body = std::nullopt);

}  // namespace evpnctl

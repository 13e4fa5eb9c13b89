#include "evpnctl/api_client.hpp"

#include <cstdlib>
#include <iostream>

#include "evpnctl/commands.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

std::string& socket_path_option() {
  static std::string path = [] {
    const char* env = std::getenv("EVPND_SOCKET");
    return std::string(env && *env ? env : kDefaultSocket);
  }();
  return path;
}

void add_socket_option(CLI::App& cmd) {
  if (cmd.get_option_no_throw("--socket")) return;
  cmd.add_option("--socket", socket_path_option(), "evpnd API socket (default: $EVPND_SOCKET or " +
                                                       std::string(kDefaultSocket) + ")");
}

std::optional<nlohmann::json> call_api(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body) {
  auto reply = ApiClient(socket_path_option()).request(method, target, body);
  if (!reply) {
    std::cerr << "evpnctl: " << reply.error().message << "\n";
    set_exit_code(reply.error().exit_code);
    return std::nullopt;
  }
  if (reply->status < 200 || reply->status > 299) {
    const std::string error = reply->error_text();
    std::cerr << "evpnctl: " << reply->status << " " << printable(error) << "\n";
    set_exit_code(1);
    return std::nullopt;
  }
  return std::move(reply->body);
}

}  // namespace evpnctl

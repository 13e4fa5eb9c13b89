#include "evpn-cni/evpnd_link.hpp"

#include <chrono>

namespace evpnd::cni {

// 10 s: a runtime's CNI call has its own deadline (kubelet: 4 min, podman none); evpnd answers
// these calls from its event loop in milliseconds, so 10 s means it is stuck.
EvpndLink::EvpndLink(std::string socket) : client_(std::move(socket), std::chrono::seconds(10), "evpn-cni") {}

CniResult<client::ApiReply> EvpndLink::request(std::string_view method, const std::string& target,
                                               const std::optional<nlohmann::json>& body,
                                               std::string_view what) const {
  auto reply = client_.request(method, target, body);
  if (!reply) {
    if (reply.error().kind == client::FailureKind::kConnect)
      return cni_fail(code::kPluginNotAvailable, "evpnd is not reachable (" + std::string(what) + ")",
                      "socket " + client_.socket_path() + ": " + reply.error().message);
    return cni_fail(code::kTryAgainLater, "evpnd did not answer (" + std::string(what) + ")",
                    "socket " + client_.socket_path() + ": " + reply.error().message);
  }
  return std::move(*reply);
}

CniResult<nlohmann::json> EvpndLink::call(std::string_view method, const std::string& target,
                                          const std::optional<nlohmann::json>& body, std::string_view what,
                                          uint32_t http_error_code) const {
  auto reply = request(method, target, body, what);
  if (!reply) return tl::unexpected(reply.error());
  if (!reply->ok())
    return cni_fail(http_error_code, "evpnd refused to " + std::string(what) + ": " + reply->error_text(),
                    std::string(method) + " " + target + " -> " + std::to_string(reply->status));
  return std::move(reply->body);
}

CniResult<void> EvpndLink::remove(const std::string& target, std::string_view what) const {
  auto reply = request("DELETE", target, std::nullopt, what);
  if (!reply) return tl::unexpected(reply.error());
  if (reply->ok() || reply->status == 404) return {};
  return cni_fail(code::kEvpndRejected, "evpnd refused to " + std::string(what) + ": " + reply->error_text(),
                  "DELETE " + target + " -> " + std::to_string(reply->status));
}

}  // namespace evpnd::cni

// EvpndLink: the plugin's calls to evpnd's API (docs/API.md "Run-time segments and endpoints")
// with evpnd's answers mapped to CNI errors:
//   nobody on the socket (ApiFailure kConnect)  -> 50 "plugin not available", socket in details
//   connected but the exchange failed (timeout)  -> 11 "try again later"
//   HTTP 4xx/5xx                                 -> the caller's code (7 for a segment evpnd
//                                                   refuses: the config is wrong; else 100),
//                                                   msg naming the call, evpnd's reason in it
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "client/api_client.hpp"
#include "evpn-cni/cni_error.hpp"

namespace evpnd::cni {

class EvpndLink {
 public:
  explicit EvpndLink(std::string socket);

  // `what` names the call in messages ("ensure VNI 5001"); `http_error_code` is used for a
  // non-2xx reply. 404 is returned as an error too (callers that accept it use request()).
  CniResult<nlohmann::json> call(std::string_view method, const std::string& target,
                                 const std::optional<nlohmann::json>& body, std::string_view what,
                                 uint32_t http_error_code = code::kEvpndRejected) const;
  // A DELETE for DEL/GC: 2xx, and 404 (nothing of that name there: an evpnd that lost the VNI,
  // or one without that API) are success — DEL must succeed when the thing is already gone.
  CniResult<void> remove(const std::string& target, std::string_view what) const;
  // The raw reply (any status); transport failures mapped as above.
  CniResult<client::ApiReply> request(std::string_view method, const std::string& target,
                                      const std::optional<nlohmann::json>& body, std::string_view what) const;

  const std::string& socket() const { return client_.socket_path(); }

  // True for the errors that mean "evpnd did not answer" (50, 11): DEL then defers the
  // retraction instead of failing.
  static bool unreachable(const CniError& e) {
    return e.code == code::kPluginNotAvailable || e.code == code::kTryAgainLater;
  }

 private:
  client::ApiClient client_;
};

}  // namespace evpnd::cni

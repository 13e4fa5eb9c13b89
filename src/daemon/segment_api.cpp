#include "daemon/segment_api.hpp"

#include <string>

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }

constexpr std::string_view kPrefix = "/v1/evpn/vnis/";

// "N" of /v1/evpn/vnis/N: 1..16777215 (RFC 7348 §5: a 24-bit VNI; 0 is not a segment here).
std::optional<Vni> vni_of(std::string_view s) {
  if (s.empty() || s.size() > 8 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const unsigned long v = std::stoul(std::string(s));
  if (v < 1 || v > kMaxVni) return std::nullopt;
  return Vni(v);
}

}  // namespace

std::optional<api::ApiResponse> handle_segment_api(Daemon& d, const api::ApiRequest& req) {
  if (req.path.size() <= kPrefix.size() || req.path.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  const std::string_view rest = std::string_view(req.path).substr(kPrefix.size());
  const auto vni = vni_of(rest);
  if (!vni) return error(400, "bad VNI '" + std::string(rest) + "': expected 1-16777215");
  if (req.method == "PUT") return d.ensure_vni(*vni, req.body);
  if (req.method == "GET") return d.vni_state(*vni);
  if (req.method == "DELETE") {
    // Without ?attachment= the default holder "api" (the one a PUT without one takes).
    auto it = req.query.find("attachment");
    const std::string attachment = it == req.query.end() ? "api" : it->second;
    if (attachment.empty()) return error(400, "attachment: must not be empty");
    return d.release_vni(*vni, attachment);
  }
  return error(405, "method " + req.method + " not allowed on " + req.path + " (PUT, GET, DELETE)");
}

}  // namespace evpnd::daemon

#include "evpn-cni/cni_error.hpp"

namespace evpnd::cni {

nlohmann::json CniError::to_json(std::string_view cni_version) const {
  nlohmann::json j = {{"cniVersion", std::string(cni_version)}, {"code", code}, {"msg", msg}};
  if (!details.empty()) j["details"] = details;
  return j;
}

std::optional<CniError> CniError::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("code") || !j["code"].is_number_unsigned()) return std::nullopt;
  CniError e;
  e.code = j["code"].get<uint32_t>();
  if (j.contains("msg") && j["msg"].is_string()) e.msg = j["msg"].get<std::string>();
  if (j.contains("details") && j["details"].is_string()) e.details = j["details"].get<std::string>();
  return e;
}

}  // namespace evpnd::cni

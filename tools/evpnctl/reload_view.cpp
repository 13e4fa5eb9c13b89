// `evpnctl reload` without --json: the applied diff of POST /v1/config/reload (docs/CONFIG.md,
// Reload) as one line per thing that changed. With --json the reply body is printed as is.
#include <sstream>

#include "evpnctl/show_views.hpp"

namespace evpnctl {

using nlohmann::json;

std::string render_reload(const json& body) {
  const json& a = body.is_object() && body.contains("applied") && body["applied"].is_object() ? body["applied"] : body;
  std::ostringstream lines;
  if (a.value("global_changed", false)) lines << "  router-id/asn/cluster-id changed: every session restarted\n";
  if (a.value("listen_changed", false)) lines << "  listen changed: the listener was re-bound, sessions kept\n";
  for (const char* key : {"neighbors_added", "neighbors_removed", "neighbors_changed", "l2vnis_added", "l2vnis_removed",
                          "l2vnis_changed"}) {
    if (list_field(a, key).empty()) continue;
    std::string label = key;
    label[label.find('_')] = ' ';
    lines << "  " << label << ": " << join_field(a, key, ", ") << "\n";
  }
  if (a.contains("l2vnis_errors")) lines << "  l2vni errors: " << field(a, "l2vnis_errors") << "\n";
  if (a.contains("log_level")) lines << "  log level: " << field(a, "log_level") << "\n";
  if (!list_field(a, "restart_required").empty())
    lines << "  restart required for: " << join_field(a, "restart_required", ", ")
          << " (the running values stay until evpnd restarts)\n";
  const std::string detail = lines.str();
  return detail.empty() ? "Configuration reloaded: nothing changed.\n" : "Configuration reloaded:\n" + detail;
}

}  // namespace evpnctl

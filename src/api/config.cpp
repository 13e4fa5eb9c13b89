// YAML -> Config. Schema and semantics: docs/CONFIG.md. Sections are parsed in dependency order
// (vrfs before l2vnis, so an l2vni's `vrf:` can be checked at its own line).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "api/config.hpp"
#include "api/config_reader.hpp"
#include "api/config_sections.hpp"

namespace evpnd::api {
namespace detail {
namespace {

constexpr uint64_t kMaxAsn = 4294967295ull;
constexpr uint64_t kMaxSendHold = 65535;

void parse_listen(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  MapReader m(r, node, "listen", {"address", "port"});
  if (m.has("address")) {
    cfg.listen_address = r.ip(m.get("address"), m.path("address"));
    // The wildcard is fine here (listen on every address); a group address never is.
    if (auto why = non_unicast_reason(cfg.listen_address); !why.empty() && !cfg.listen_address.is_unspecified())
      r.fail(m.get("address"), m.path("address"), "cannot listen on " + cfg.listen_address.to_string() + ": it " + why);
  }
  if (m.has("port")) cfg.listen_port = uint16_t(r.uint(m.get("port"), m.path("port"), 0, 65535));
}

void parse_api(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  MapReader m(r, node, "api", {"socket"});
  if (!m.has("socket")) return;
  std::string s = r.string(m.get("socket"), m.path("socket"));
  if (s.front() != '/') r.fail(m.get("socket"), m.path("socket"), "must be an absolute path");
  // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
  if (s.size() > 107) r.fail(m.get("socket"), m.path("socket"), "path is longer than 107 characters");
  cfg.api_socket = s;
}

// Where run-time state (segments and endpoints created through the API) survives a restart
// (<state-dir>/runtime.json). Absolute: a relative path would follow the daemon's working
// directory, and the file would silently not be found again after a restart elsewhere.
void parse_state_dir(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  std::string s = r.string(node, "state-dir");
  if (s.front() != '/') r.fail(node, "state-dir", "must be an absolute path");
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  cfg.state_dir = s;
}

void parse_graceful_restart(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  MapReader m(r, node, "graceful-restart", {"enabled", "restart-time", "stale-time", "select-defer-time"});
  auto& gr = cfg.graceful_restart;
  if (m.has("enabled")) gr.enabled = r.boolean(m.get("enabled"), m.path("enabled"));
  // RFC 4724 §3: Restart Time is a 12-bit field.
  if (m.has("restart-time")) gr.restart_time = uint16_t(r.uint(m.get("restart-time"), m.path("restart-time"), 0, 4095));
  if (m.has("stale-time")) gr.stale_time = uint16_t(r.uint(m.get("stale-time"), m.path("stale-time"), 1, 65535));
  // RFC 4724 §4.1: the upper bound of the restarting speaker's selection deferral (FRR's range).
  if (m.has("select-defer-time"))
    gr.select_defer_time = uint16_t(r.uint(m.get("select-defer-time"), m.path("select-defer-time"), 0, 3600));
}

}  // namespace

void parse_neighbors(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  cfg.neighbors = parse_neighbor_list(r, seq, "neighbors", NeighborScope{cfg.asn, cfg.send_hold_time, false});
}

tl::expected<Config, ConfigError> parse(const std::string& text, const std::string& name) {
  ConfigReader r(name);
  try {
    YAML::Node root = YAML::Load(text);
    MapReader m(r, root, "",
                {"router-id", "asn", "cluster-id", "listen", "api", "state-dir", "log-level", "graceful-restart", "send-hold-time", "neighbors", "advertise",
                 "vtep", "route-target-auto", "vrf-backend", "duplicate-address-detection", "l2vnis", "vrfs",
                 "ethernet-segments", "es-timers"});
    Config cfg;
    cfg.source_file = name;
    cfg.router_id = r.ipv4(m.require("router-id"), "router-id");
    if (cfg.router_id.is_unspecified()) r.fail(m.get("router-id"), "router-id", "must not be 0.0.0.0");
    cfg.asn = Asn(r.uint(m.require("asn"), "asn", 1, kMaxAsn));
    cfg.cluster_id = m.has("cluster-id") ? r.ipv4(m.get("cluster-id"), "cluster-id") : cfg.router_id;
    if (m.has("listen")) parse_listen(r, m.get("listen"), cfg);
    if (m.has("api")) parse_api(r, m.get("api"), cfg);
    if (m.has("state-dir")) parse_state_dir(r, m.get("state-dir"), cfg);
    if (m.has("log-level"))
      cfg.log_level = r.choice(m.get("log-level"), "log-level", {"trace", "debug", "info", "warn", "error", "critical", "off"});
    if (m.has("graceful-restart")) parse_graceful_restart(r, m.get("graceful-restart"), cfg);
    if (m.has("send-hold-time"))
      cfg.send_hold_time = uint32_t(r.uint(m.get("send-hold-time"), "send-hold-time", 0, kMaxSendHold));
    if (m.has("route-target-auto"))
      cfg.rt_auto = r.choice(m.get("route-target-auto"), "route-target-auto", {"frr", "rfc8365"}) == "frr"
                        ? RtAutoMode::kFrr : RtAutoMode::kRfc8365;
    if (m.has("vrf-backend"))
      cfg.vrf_backend = r.choice(m.get("vrf-backend"), "vrf-backend", {"netns", "vrf-device"}) == "netns"
                            ? VrfBackend::kNetns : VrfBackend::kVrfDevice;
    if (m.has("vtep")) parse_vtep(r, m.get("vtep"), cfg);
    if (m.has("duplicate-address-detection")) parse_dad(r, m.get("duplicate-address-detection"), cfg);
    if (m.has("advertise")) parse_advertise(r, m.get("advertise"), cfg);
    if (m.has("vrfs")) parse_vrfs(r, m.get("vrfs"), cfg);
    if (m.has("l2vnis")) parse_l2vnis(r, m.get("l2vnis"), cfg);
    if (m.has("ethernet-segments")) parse_ethernet_segments(r, m.get("ethernet-segments"), cfg);
    if (m.has("es-timers")) parse_es_timers(r, m.get("es-timers"), cfg);
    if (m.has("neighbors")) parse_neighbors(r, m.get("neighbors"), cfg);
    for (const char* key : {"l2vnis", "vrfs"}) {
      if (m.has(key) && m.get(key).size() > 0 && !cfg.vtep_source)
        r.fail(m.get(key), key, "VNIs need a VTEP: set vtep.source-ip");
    }
    return cfg;
  } catch (const ConfigFailure& f) {
    return tl::unexpected(f.error);
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp's mark is 0-based; its message repeats the position, keep the reason.
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    return tl::unexpected(ConfigError{name, line, column, "YAML syntax error: " + e.msg, ""});
  } catch (const std::exception& e) {
    // Nothing else is expected (bad_alloc at worst), but parse_config_* promise not to throw.
    return tl::unexpected(ConfigError{name, 0, 0, std::string("cannot parse: ") + e.what(), ""});
  }
}

}  // namespace detail

std::string ConfigError::to_string() const {
  // Appends only: g++ 12 -O3 reports a false -Wrestrict for `"literal" + std::string` (PR 105329).
  std::string s = file;
  if (line > 0) s.append(":").append(std::to_string(line));
  s.append(": ");
  if (!path.empty()) s.append(path).append(": ");
  return s.append(reason);
}

namespace {
ConfigError too_large(const std::string& name) {
  return ConfigError{name, 0, 0,
                     "larger than " + std::to_string(kMaxConfigBytes) + " bytes, the limit for a configuration file", ""};
}
}  // namespace

tl::expected<Config, ConfigError> parse_config_text(const std::string& text, const std::string& name) {
  if (text.size() > kMaxConfigBytes) return tl::unexpected(too_large(name));
  return detail::parse(text, name);
}

tl::expected<Config, ConfigError> parse_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(ConfigError{path, 0, 0, "cannot open: " + std::string(std::strerror(errno)), ""});
  // Read in chunks and stop past the limit: a huge file (or /dev/zero) is never loaded whole.
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, size_t(in.gcount()));
    if (text.size() > kMaxConfigBytes) return tl::unexpected(too_large(path));
  }
  if (in.bad()) return tl::unexpected(ConfigError{path, 0, 0, "read error", ""});
  return detail::parse(text, path);
}

}  // namespace evpnd::api

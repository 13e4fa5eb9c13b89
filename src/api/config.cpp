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
constexpr uint64_t kMaxPrefixRestart = 86400;  // one day; FRR's bound is 65535 minutes
constexpr uint64_t kMaxSendHold = 65535;

// RFC 9687 §4: a non-zero SendHoldTime MUST be greater than the HoldTime (the configured one,
// which bounds the negotiated one). With hold time 0 the timer never runs.
void check_send_hold(const ConfigReader& r, const YAML::Node& at, const std::string& path, uint32_t send_hold,
                     const NeighborConfig& n) {
  if (send_hold != 0 && n.hold_time != 0 && send_hold <= n.hold_time)
    r.fail(at, path,
           "send hold time (" + std::to_string(send_hold) + ") must be greater than the hold time (" +
               std::to_string(n.hold_time) + ") of neighbor " + n.address.to_string() + " (RFC 9687 §4), or 0 to disable");
}

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

AfiSafi parse_family(const ConfigReader& r, const YAML::Node& n, const std::string& path) {
  std::string f = r.choice(n, path, {"l2vpn-evpn", "ipv4-unicast", "ipv6-unicast"});
  if (f == "ipv4-unicast") return kIpv4Unicast;
  if (f == "ipv6-unicast") return kIpv6Unicast;
  return kL2vpnEvpn;
}

void parse_timers(const ConfigReader& r, const YAML::Node& node, const std::string& path, NeighborConfig& n) {
  MapReader m(r, node, path, {"hold", "keepalive", "connect-retry", "send-hold-time"});
  if (m.has("hold")) {
    // RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
    uint64_t hold = r.uint(m.get("hold"), m.path("hold"), 0, 65535);
    if (hold == 1 || hold == 2) r.fail(m.get("hold"), m.path("hold"), "hold time must be 0 or at least 3 seconds (RFC 4271 §4.2)");
    n.hold_time = uint16_t(hold);
  }
  if (m.has("keepalive")) {
    uint64_t ka = r.uint(m.get("keepalive"), m.path("keepalive"), 0, 65535);
    if (n.hold_time == 0 && ka != 0)
      r.fail(m.get("keepalive"), m.path("keepalive"), "keepalive must be 0 when the hold time is 0");
    // RFC 4271 §4.4: with a non-zero hold time KEEPALIVEs are what keeps the peer's hold timer
    // from expiring; 0 would send none, and the session would drop every hold time. §10 suggests
    // one third of the hold time, which is what leaving `keepalive` out gives.
    if (n.hold_time != 0 && ka == 0)
      r.fail(m.get("keepalive"), m.path("keepalive"),
             "keepalive 0 would send no KEEPALIVE while the hold time is " + std::to_string(n.hold_time) +
                 " s, so the peer would drop the session (RFC 4271 §4.4); leave keepalive out for hold/3 "
                 "(RFC 4271 §10), or set hold: 0 to turn both off");
    if (n.hold_time != 0 && ka >= n.hold_time)
      r.fail(m.get("keepalive"), m.path("keepalive"),
             "keepalive (" + std::to_string(ka) + ") must be less than the hold time (" + std::to_string(n.hold_time) + ")");
    n.keepalive = uint16_t(ka);
  }
  if (m.has("connect-retry"))
    n.connect_retry = uint16_t(r.uint(m.get("connect-retry"), m.path("connect-retry"), 1, 65535));
  if (m.has("send-hold-time")) {
    n.send_hold_time = uint32_t(r.uint(m.get("send-hold-time"), m.path("send-hold-time"), 0, kMaxSendHold));
    check_send_hold(r, m.get("send-hold-time"), m.path("send-hold-time"), *n.send_hold_time, n);
  }
}

// IPv6 transport (issue #3). Sessions are matched by address: a link-local peer would need an
// interface scope, and an IPv4-mapped one (::ffff:a.b.c.d) is an IPv4 peer (accepted IPv4
// connections on a dual-stack listener are normalised to IPv4), so both are refused here.
void check_v6_neighbor(const ConfigReader& r, const YAML::Node& n, const std::string& path, const IpAddress& a) {
  const uint8_t* b = a.data();
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    r.fail(n, path, "link-local neighbor " + a.to_string() + " is not supported (use a global or ULA address)");
  if (b[0] == 0xff) r.fail(n, path, a.to_string() + " is a multicast address");
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0)
    r.fail(n, path, "IPv4-mapped address " + a.to_string() + ": write the IPv4 address instead");
}

NeighborConfig parse_neighbor(const ConfigReader& r, const YAML::Node& node, const std::string& path, Asn local_as) {
  MapReader m(r, node, path,
              {"address", "remote-as", "port", "families", "route-reflector-client", "passive", "description",
               "update-source", "timers", "password", "ttl-security", "max-prefixes", "max-prefixes-restart",
               "graceful-restart", "nlri-error"});
  NeighborConfig n;
  n.address = r.ip(m.require("address"), m.path("address"));
  if (n.address.is_unspecified())
    r.fail(m.get("address"), m.path("address"), n.address.to_string() + " is not a neighbor address");
  if (n.address.is_v6()) check_v6_neighbor(r, m.get("address"), m.path("address"), n.address);
  if (auto why = non_unicast_reason(n.address); !why.empty())
    r.fail(m.get("address"), m.path("address"), n.address.to_string() + " " + why + ", not a neighbor address");
  n.remote_as = Asn(r.uint(m.require("remote-as"), m.path("remote-as"), 1, kMaxAsn));
  if (m.has("port")) n.port = uint16_t(r.uint(m.get("port"), m.path("port"), 1, 65535));
  if (m.has("families")) {
    auto seq = m.get("families");
    r.expect_sequence(seq, m.path("families"));
    if (seq.size() == 0) r.fail(seq, m.path("families"), "at least one address family is needed");
    n.families.clear();
    for (size_t i = 0; i < seq.size(); ++i) {
      AfiSafi f = parse_family(r, seq[i], index_path(m.path("families"), i));
      for (auto& have : n.families)
        if (have == f) r.fail(seq[i], index_path(m.path("families"), i), "duplicate family " + to_string(f));
      n.families.push_back(f);
    }
  }
  if (m.has("route-reflector-client")) {
    n.route_reflector_client = r.boolean(m.get("route-reflector-client"), m.path("route-reflector-client"));
    // RFC 4456 §2: reflection is among iBGP peers; routes to and from eBGP peers are not reflected.
    if (n.route_reflector_client && n.remote_as != local_as)
      r.fail(m.get("route-reflector-client"), m.path("route-reflector-client"),
             "an eBGP neighbor (remote-as " + std::to_string(n.remote_as) + ", local asn " + std::to_string(local_as) +
                 ") cannot be a route-reflector client (RFC 4456 §2: clients are iBGP peers)");
  }
  if (m.has("passive")) n.passive = r.boolean(m.get("passive"), m.path("passive"));
  if (m.has("description")) n.description = r.text(m.get("description"), m.path("description"));
  if (m.has("update-source")) {
    n.update_source = r.unicast_ip(m.get("update-source"), m.path("update-source"));
    if (n.update_source->family() != n.address.family())
      r.fail(m.get("update-source"), m.path("update-source"), "address family differs from the neighbor's");
  }
  if (m.has("timers")) parse_timers(r, m.get("timers"), m.path("timers"), n);
  if (m.has("password")) {
    // RFC 2385 keys go to the kernel through TCP_MD5SIG, which holds at most 80 bytes.
    std::string pw = r.string(m.get("password"), m.path("password"));
    if (pw.size() > 80) r.fail(m.get("password"), m.path("password"), "TCP MD5 password longer than 80 characters");
    n.md5_password = pw;
  }
  if (m.has("ttl-security")) {
    MapReader ttl(r, m.get("ttl-security"), m.path("ttl-security"), {"hops"});
    // RFC 5082 §3: accept TTL >= 255 - (hops - 1), so 1..254 hops are meaningful.
    n.ttl_security_hops = uint8_t(r.uint(ttl.require("hops"), ttl.path("hops"), 1, 254));
  }
  if (m.has("max-prefixes"))
    n.max_prefixes = uint32_t(r.uint(m.get("max-prefixes"), m.path("max-prefixes"), 1, 4294967295ull));
  if (m.has("max-prefixes-restart")) {
    // Seconds, as FRR's `maximum-prefix N restart M` (there in minutes, 1..65535); 0 = stay down.
    n.max_prefixes_restart =
        uint32_t(r.uint(m.get("max-prefixes-restart"), m.path("max-prefixes-restart"), 0, kMaxPrefixRestart));
    if (n.max_prefixes_restart && !n.max_prefixes)
      r.fail(m.get("max-prefixes-restart"), m.path("max-prefixes-restart"), "needs max-prefixes");
  }
  if (m.has("graceful-restart")) n.graceful_restart = r.boolean(m.get("graceful-restart"), m.path("graceful-restart"));
  if (m.has("nlri-error")) {
    // RFC 7606 §5.3 / RFC 4760 §7 (session-reset) or the lenient treat-as-withdraw (docs/CONFIG.md).
    n.nlri_error_withdraw =
        r.choice(m.get("nlri-error"), m.path("nlri-error"), {"session-reset", "treat-as-withdraw"}) == "treat-as-withdraw";
  }
  return n;
}

}  // namespace

void parse_neighbors(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  r.expect_sequence(seq, "neighbors");
  std::map<IpAddress, size_t> seen;  // n log n: 64k neighbours took 17.7 s with a pairwise check
  const size_t count = seq.size();
  cfg.neighbors.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string path = index_path("neighbors", i);
    const YAML::Node item = seq[i];  // const: operator[] must never insert into the tree
    NeighborConfig n = parse_neighbor(r, item, path, cfg.asn);
    if (auto [it, fresh] = seen.emplace(n.address, i); !fresh)
      r.fail(item["address"], path + ".address",
             "duplicate neighbor " + n.address.to_string() + " (also neighbors[" + std::to_string(it->second) + "])");
    if (!n.send_hold_time && cfg.send_hold_time) {
      check_send_hold(r, item, path + " (inherits the global send-hold-time)", *cfg.send_hold_time, n);
      n.send_hold_time = cfg.send_hold_time;
    }
    cfg.neighbors.push_back(std::move(n));
  }
}

tl::expected<Config, ConfigError> parse(const std::string& text, const std::string& name) {
  ConfigReader r(name);
  try {
    YAML::Node root = YAML::Load(text);
    MapReader m(r, root, "",
                {"router-id", "asn", "cluster-id", "listen", "api", "log-level", "graceful-restart", "send-hold-time", "neighbors",
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

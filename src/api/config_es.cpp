// Multihoming configuration: `ethernet-segments:` and `es-timers:` (docs/CONFIG.md). Parsed after
// `vrfs` and `l2vnis`, whose VNIs and device names the attachments are checked against; every
// error names the offending node's line.
#include <map>
#include <set>
#include <string>

#include "api/config_sections.hpp"

namespace evpnd::api::detail {
namespace {

// RFC 7432 §5: the ESI types defined there are 0x00-0x05.
constexpr uint8_t kMaxEsiType = 5;

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

// Segment names appear in views, metrics labels and evpnctl arguments: a plain word.
std::string segment_name(const ConfigReader& r, const YAML::Node& n, const std::string& path) {
  std::string t = r.string(n, path);
  if (t.size() > 64) r.fail(n, path, "segment name \"" + t + "\" is longer than 64 characters");
  for (char c : t)
    if (!valid_name_char(c)) r.fail(n, path, "invalid segment name \"" + t + "\" (letters, digits, '-', '_', '.')");
  return t;
}

// RFC 7432 §5 Type 3 (MAC-based): system MAC (6 octets) + local discriminator (3 octets).
// Type 1 (IEEE 802.1AX LACP): CE system MAC (6) + CE port key (2) + 0x00.
Esi esi_from_fields(const ConfigReader& r, const YAML::Node& node, const std::string& path) {
  MapReader m(r, node, path, {"type", "system-mac", "local-id", "port-key"});
  const uint64_t type = r.uint(m.require("type"), m.path("type"), 1, 3);
  if (type == 2)
    r.fail(m.get("type"), m.path("type"), "ESI type 2 (root bridge) is not supported: use 1, 3 or a literal ESI");
  const Mac mac = r.unicast_mac(m.require("system-mac"), m.path("system-mac"));
  if (type == 3) {
    if (m.has("port-key")) r.fail(m.get("port-key"), m.path("port-key"), "port-key belongs to ESI type 1 (use local-id)");
    const uint64_t id = r.uint(m.require("local-id"), m.path("local-id"), 1, 0xFFFFFF);
    return *Esi::type3(mac, uint32_t(id));  // in range: never nullopt
  }
  if (m.has("local-id")) r.fail(m.get("local-id"), m.path("local-id"), "local-id belongs to ESI type 3 (use port-key)");
  return Esi::type1(mac, uint16_t(r.uint(m.require("port-key"), m.path("port-key"), 0, 0xFFFF)));
}

Esi parse_esi(const ConfigReader& r, const YAML::Node& n, const std::string& path) {
  Esi esi;
  if (n.IsMap()) {
    esi = esi_from_fields(r, n, path);
  } else {
    const std::string t = r.string(n, path);
    auto e = Esi::parse(t);
    if (!e) r.fail(n, path, "invalid ESI \"" + t + "\" (want 10 octets, xx:xx:xx:xx:xx:xx:xx:xx:xx:xx)");
    esi = *e;
  }
  if (esi.is_zero()) r.fail(n, path, "ESI 0 is reserved for single-homed sites (RFC 7432 §5)");
  if (esi.is_max()) r.fail(n, path, "the all-FF ESI (MAX-ESI) is reserved (RFC 7432 §5)");
  if (esi.type() > kMaxEsiType)
    r.fail(n, path, "ESI type " + std::to_string(esi.type()) + " is not defined (RFC 7432 §5: 0-5)");
  return esi;
}

void parse_df(const ConfigReader& r, const YAML::Node& node, const std::string& path, EthernetSegmentConfig& es) {
  MapReader m(r, node, path, {"algorithm", "preference", "dont-preempt", "ac-df"});
  if (m.has("algorithm")) {
    const std::string a = r.choice(m.get("algorithm"), m.path("algorithm"),
                                   {"modulo", "hrw", "preference", "preference-highest", "preference-lowest"});
    es.df_algorithm = a == "modulo"              ? DfAlgorithmConfig::kModulo
                      : a == "hrw"               ? DfAlgorithmConfig::kHrw
                      : a == "preference-lowest" ? DfAlgorithmConfig::kPreferenceLowest
                                                 : DfAlgorithmConfig::kPreferenceHighest;
  }
  const bool pref_alg = es.df_algorithm == DfAlgorithmConfig::kPreferenceHighest ||
                        es.df_algorithm == DfAlgorithmConfig::kPreferenceLowest;
  if (m.has("preference")) {
    if (!pref_alg)
      r.fail(m.get("preference"), m.path("preference"), "a DF preference needs algorithm preference or preference-lowest");
    es.df_preference = uint16_t(r.uint(m.get("preference"), m.path("preference"), 0, 65535));
  }
  if (m.has("dont-preempt")) {
    es.dont_preempt = r.boolean(m.get("dont-preempt"), m.path("dont-preempt"));
    // RFC 9785 §3: the Don't Preempt capability is defined for the preference algorithms.
    if (es.dont_preempt && !pref_alg)
      r.fail(m.get("dont-preempt"), m.path("dont-preempt"), "dont-preempt applies to the preference algorithms only (RFC 9785)");
  }
  if (m.has("ac-df")) es.ac_df = r.boolean(m.get("ac-df"), m.path("ac-df"));
}

// Devices evpnd creates or owns: an attachment may not be one of them.
std::map<std::string, std::string> owned_devices(const Config& cfg) {
  std::map<std::string, std::string> d;
  for (size_t i = 0; i < cfg.l2vnis.size(); ++i) {
    const auto& l = cfg.l2vnis[i];
    d.emplace(l.bridge, index_path("l2vnis", i) + " (bridge)");
    d.emplace(l.vxlan_device, index_path("l2vnis", i) + " (vxlan-device)");
  }
  for (size_t i = 0; i < cfg.vrfs.size(); ++i) {
    const auto& v = cfg.vrfs[i];
    d.emplace("br" + std::to_string(v.l3vni), index_path("vrfs", i) + " (L3VNI bridge)");
    d.emplace("vxlan" + std::to_string(v.l3vni), index_path("vrfs", i) + " (L3VNI vxlan device)");
    if (cfg.vrf_backend == VrfBackend::kVrfDevice) d.emplace(v.name, index_path("vrfs", i) + " (VRF device)");
  }
  return d;
}

struct PortOwners {
  std::map<std::string, std::string> devices;  // evpnd's own devices
  std::map<std::string, std::string> ports;    // attachment ports already used
};

void parse_attachments(const ConfigReader& r, const YAML::Node& node, const std::string& path, const Config& cfg,
                       PortOwners& owners, EthernetSegmentConfig& es) {
  if (!node.IsMap()) r.fail(node, path, "expected a map of L2VNI: bridge port, e.g. { 100: es1-100 }");
  std::set<Vni> vnis;
  for (const auto& l : cfg.l2vnis) vnis.insert(l.vni);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    const std::string kpath = path + "." + (key.IsScalar() ? key.Scalar() : "?");
    const Vni vni = Vni(r.uint(key, kpath, 1, kMaxVni));
    if (!vnis.count(vni)) r.fail(key, kpath, "VNI " + std::to_string(vni) + " is not an L2VNI of this configuration (l2vnis)");
    if (es.attachments.count(vni)) r.fail(key, kpath, "VNI " + std::to_string(vni) + " is attached twice");
    const std::string port = r.ifname(value, kpath);
    if (auto d = owners.devices.find(port); d != owners.devices.end())
      r.fail(value, kpath, "\"" + port + "\" is " + d->second + ", not a port facing the segment");
    if (auto [p, fresh] = owners.ports.emplace(port, kpath); !fresh)
      r.fail(value, kpath, "port \"" + port + "\" is already attached as " + p->second);
    es.attachments.emplace(vni, port);
  }
  if (es.attachments.empty()) r.fail(node, path, "a segment needs at least one attachment");
}

EthernetSegmentConfig parse_segment(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                                    const Config& cfg, PortOwners& owners) {
  MapReader m(r, node, path, {"name", "esi", "redundancy", "attachments", "df", "fast-failover"});
  EthernetSegmentConfig es;
  es.name = segment_name(r, m.require("name"), m.path("name"));
  es.esi = parse_esi(r, m.require("esi"), m.path("esi"));
  if (m.has("redundancy"))
    es.single_active =
        r.choice(m.get("redundancy"), m.path("redundancy"), {"all-active", "single-active"}) == "single-active";
  parse_attachments(r, m.require("attachments"), m.path("attachments"), cfg, owners, es);
  if (m.has("df")) parse_df(r, m.get("df"), m.path("df"), es);
  if (m.has("fast-failover")) es.fast_failover = r.boolean(m.get("fast-failover"), m.path("fast-failover"));
  return es;
}

}  // namespace

void parse_ethernet_segments(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  r.expect_sequence(seq, "ethernet-segments");
  if (seq.size() > 0 && cfg.dataplane == DataplaneKind::kNone)
    r.fail(seq, "ethernet-segments", "Ethernet segments need a VTEP with a data plane (vtep.dataplane is none)");
  PortOwners owners{owned_devices(cfg), {}};
  std::map<std::string, size_t> names;
  std::map<Esi, size_t> esis;
  // Explicit RDs of the VRFs and L2VNIs: a segment's automatic RDs (router-id:N, N continuing
  // after the VRFs' and L2VNIs' indexes, evpn_service_es.cpp) must not be one of them.
  std::map<Rd, std::string> explicit_rds;
  for (size_t j = 0; j < cfg.vrfs.size(); ++j)
    if (cfg.vrfs[j].rd) explicit_rds.emplace(*cfg.vrfs[j].rd, index_path("vrfs", j) + ".rd");
  for (size_t j = 0; j < cfg.l2vnis.size(); ++j)
    if (cfg.l2vnis[j].rd) explicit_rds.emplace(*cfg.l2vnis[j].rd, index_path("l2vnis", j) + ".rd");
  size_t next_index = 2 + cfg.vrfs.size() + cfg.l2vnis.size();  // 1 is FRR's default instance
  for (size_t i = 0; i < seq.size(); ++i) {
    const YAML::Node item = seq[i];
    const std::string path = index_path("ethernet-segments", i);
    EthernetSegmentConfig es = parse_segment(r, item, path, cfg, owners);
    auto also = [&](size_t j) { return " (also ethernet-segments[" + std::to_string(j) + "])"; };
    if (auto [it, fresh] = names.emplace(es.name, i); !fresh)
      r.fail(item["name"], path + ".name", "duplicate segment name \"" + es.name + "\"" + also(it->second));
    if (auto [it, fresh] = esis.emplace(es.esi, i); !fresh)
      r.fail(item["esi"], path + ".esi", "duplicate ESI " + es.esi.to_string() + also(it->second));
    // One RD for the type-4 and each A-D per ES fragment of 128 EVIs.
    const size_t fragments = (es.attachments.size() + 127) / 128;
    for (size_t f = 0; f < fragments; ++f, ++next_index) {
      if (next_index > 65535)
        r.fail(node_or(item, "name"), path, "too many VRFs, L2VNIs and segments for automatic RDs (router-id:index, index at most 65535)");
      const Rd rd = Rd::type1(cfg.router_id, uint16_t(next_index));
      if (auto it = explicit_rds.find(rd); it != explicit_rds.end())
        r.fail(node_or(item, "name"), path, "the segment's automatic route distinguisher " + rd.to_string() +
                                                " (router-id:index) is already used by " + it->second);
    }
    cfg.ethernet_segments.push_back(std::move(es));
  }
}

void parse_es_timers(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  MapReader m(r, node, "es-timers", {"df-wait-ms", "startup-delay-ms"});
  // RFC 8584 §2.1: the DF Wait timer, 3 s by default; at most 10 minutes here.
  if (m.has("df-wait-ms")) cfg.es_timers.df_wait_ms = uint32_t(r.uint(m.get("df-wait-ms"), m.path("df-wait-ms"), 0, 600000));
  if (m.has("startup-delay-ms"))
    cfg.es_timers.startup_delay_ms = uint32_t(r.uint(m.get("startup-delay-ms"), m.path("startup-delay-ms"), 0, 3600000));
}

}  // namespace evpnd::api::detail

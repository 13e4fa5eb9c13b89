// The VTEP half of the configuration: vtep, duplicate-address-detection, vrfs and l2vnis.
// Uniqueness and cross-references are checked here, at the offending node's line.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/config_sections.hpp"

namespace evpnd::api::detail {
namespace {

// Device names already taken, with who took them ("vrfs[0] (L3VNI bridge)").
class UsedNames {
 public:
  // "" when `name` was free (it is now `what`'s), else its owner.
  std::string claim(const std::string& name, const std::string& what) {
    auto [it, fresh] = owners_.emplace(name, what);
    return fresh ? "" : it->second;
  }

 private:
  std::map<std::string, std::string> owners_;
};

// The devices a VRF creates (evpn_service_setup.cpp: the L3VNI's bridge and VXLAN device, and
// with the vrf-device backend the VRF device named after the VRF).
std::vector<std::pair<std::string, std::string>> vrf_devices(const Config& cfg, const VrfConfig& v, const std::string& path) {
  std::vector<std::pair<std::string, std::string>> d = {{"br" + std::to_string(v.l3vni), path + " (L3VNI bridge)"},
                                                        {"vxlan" + std::to_string(v.l3vni), path + " (L3VNI vxlan device)"}};
  if (cfg.vrf_backend == VrfBackend::kVrfDevice) d.emplace_back(v.name, path + " (VRF device)");
  return d;
}

// Route distinguishers in use. RFC 7432 §7.9: an RD is unique per MAC-VRF/IP-VRF on a PE; two
// VNIs with one RD make their routes one and the same NLRI. Automatic RDs are router-id:index,
// the index counted over the VRFs then the L2VNIs in file order (evpn/auto_rd_rt.cpp,
// rd_index_plan), so an explicit RD can collide with an automatic one too.
class RdOwners {
 public:
  // `index` counts VRFs first, then L2VNIs. Returns the error text, or "" when the RD is free.
  std::string claim(const Config& cfg, const std::optional<Rd>& explicit_rd, size_t index, const std::string& path) {
    constexpr size_t kFirstIndex = 2;  // 1 is FRR's default instance
    if (!explicit_rd && kFirstIndex + index > 65535)
      return "too many VRFs and L2VNIs for automatic RDs (router-id:index, index at most 65535): set rd";
    const Rd rd = explicit_rd ? *explicit_rd : Rd::type1(cfg.router_id, uint16_t(kFirstIndex + index));
    const std::string what = path + (explicit_rd ? "" : " (automatic RD)");
    auto [it, fresh] = owners_.emplace(rd, what);
    if (fresh) return "";
    if (!explicit_rd)
      return "the automatic route distinguisher " + rd.to_string() + " (router-id:index) is already used by " +
             it->second + ": set rd";
    return "route distinguisher " + rd.to_string() + " is already used by " + it->second;
  }

 private:
  std::map<Rd, std::string> owners_;
};

Vni parse_vni(const ConfigReader& r, const YAML::Node& n, const std::string& path) {
  return Vni(r.uint(n, path, 1, kMaxVni));  // RFC 7348 §5: 24-bit VNI; 0 is reserved here
}

VrfConfig parse_vrf(const ConfigReader& r, const YAML::Node& node, const std::string& path, const Config& cfg) {
  MapReader m(r, node, path,
              {"name", "l3vni", "rd", "route-targets", "router-mac", "anycast-gateway-mac", "announce",
               "advertise-connected", "netns", "table", "asn", "neighbors", "listen-ranges", "advertise-unicast",
               "gateway-ip", "export-evpn"});
  VrfConfig v;
  v.name = r.ifname(m.require("name"), m.path("name"));
  v.l3vni = parse_vni(r, m.require("l3vni"), m.path("l3vni"));
  if (m.has("rd")) v.rd = r.rd(m.get("rd"), m.path("rd"));
  if (m.has("route-targets")) parse_route_targets(r, m.get("route-targets"), m.path("route-targets"), v.import_rts, v.export_rts);
  if (m.has("router-mac")) v.router_mac = r.unicast_mac(m.get("router-mac"), m.path("router-mac"));
  if (m.has("anycast-gateway-mac")) v.anycast_gateway_mac = r.unicast_mac(m.get("anycast-gateway-mac"), m.path("anycast-gateway-mac"));
  if (m.has("announce")) {
    auto seq = m.get("announce");
    r.expect_sequence(seq, m.path("announce"));
    for (size_t i = 0; i < seq.size(); ++i) {
      IpPrefix p = r.prefix(seq[i], index_path(m.path("announce"), i));
      for (auto& have : v.announce)
        if (have == p) r.fail(seq[i], index_path(m.path("announce"), i), "duplicate prefix " + p.to_string());
      v.announce.push_back(p);
    }
  }
  if (m.has("advertise-connected")) v.advertise_connected = r.boolean(m.get("advertise-connected"), m.path("advertise-connected"));
  if (m.has("netns")) v.netns = r.netns_name(m.get("netns"), m.path("netns"));
  if (m.has("table")) {
    // 253..255 are the kernel's default/main/local tables.
    uint64_t t = r.uint(m.get("table"), m.path("table"), 1, 4294967295ull);
    if (t >= 253 && t <= 255) r.fail(m.get("table"), m.path("table"), "tables 253-255 are reserved by the kernel");
    v.table = uint32_t(t);
  }
  parse_vrf_bgp(r, m, cfg, v);
  return v;
}

L2VniConfig parse_l2vni(const ConfigReader& r, const YAML::Node& node, const std::string& path) {
  MapReader m(r, node, path,
              {"vni", "bridge", "vxlan-device", "arp-suppression", "vrf", "gateway", "gateway-v6", "rd", "route-targets", "df-id"});
  L2VniConfig l;
  l.vni = parse_vni(r, m.require("vni"), m.path("vni"));
  l.bridge = m.has("bridge") ? r.ifname(m.get("bridge"), m.path("bridge")) : "br" + std::to_string(l.vni);
  l.vxlan_device = m.has("vxlan-device") ? r.ifname(m.get("vxlan-device"), m.path("vxlan-device"))
                                         : "vxlan" + std::to_string(l.vni);
  if (m.has("arp-suppression")) l.arp_suppression = r.boolean(m.get("arp-suppression"), m.path("arp-suppression"));
  if (m.has("vrf")) l.vrf = r.string(m.get("vrf"), m.path("vrf"));
  if (m.has("gateway")) {
    auto [addr, subnet] = r.interface_address(m.get("gateway"), m.path("gateway"));
    if (!addr.is_v4()) r.fail(m.get("gateway"), m.path("gateway"), "expected an IPv4 address (use gateway-v6 for IPv6)");
    l.gateway_address = addr;
    l.gateway = subnet;
  }
  if (m.has("gateway-v6")) {
    auto [addr, subnet] = r.interface_address(m.get("gateway-v6"), m.path("gateway-v6"));
    if (!addr.is_v6()) r.fail(m.get("gateway-v6"), m.path("gateway-v6"), "expected an IPv6 address");
    l.gateway_v6_address = addr;
    l.gateway_v6 = subnet;
  }
  if (m.has("rd")) l.rd = r.rd(m.get("rd"), m.path("rd"));
  if (m.has("route-targets")) parse_route_targets(r, m.get("route-targets"), m.path("route-targets"), l.import_rts, l.export_rts);
  // "V" of the DF election (RFC 7432 §8.5, RFC 8584 §3) for this EVI; the VNI when unset.
  if (m.has("df-id")) l.df_id = uint32_t(r.uint(m.get("df-id"), m.path("df-id"), 0, 4294967295ull));
  if (l.bridge == l.vxlan_device) r.fail(node, path, "bridge and vxlan-device must be different interfaces");
  return l;
}

}  // namespace

void parse_route_targets(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                         std::vector<RouteTarget>& import_rts, std::vector<RouteTarget>& export_rts) {
  MapReader m(r, node, path, {"import", "export", "both"});
  auto read_list = [&](std::string_view key, std::vector<RouteTarget>& out) {
    if (!m.has(key)) return;
    auto seq = m.get(key);
    r.expect_sequence(seq, m.path(key));
    for (size_t i = 0; i < seq.size(); ++i) {
      RouteTarget rt = r.route_target(seq[i], index_path(m.path(key), i));
      bool dup = false;
      for (auto& have : out) dup = dup || have == rt;
      if (!dup) out.push_back(rt);  // "both" may repeat an import/export entry: not an error
    }
  };
  read_list("import", import_rts);
  read_list("export", export_rts);
  read_list("both", import_rts);
  read_list("both", export_rts);
}

void parse_vtep(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  MapReader m(r, node, "vtep", {"source-ip", "dataplane", "vxlan-port", "on-stop", "default-encapsulation"});
  if (m.has("source-ip")) {
    cfg.vtep_source = r.ipv4(m.get("source-ip"), m.path("source-ip"));
    if (cfg.vtep_source->is_unspecified()) r.fail(m.get("source-ip"), m.path("source-ip"), "must not be 0.0.0.0");
    // The outer source of every VXLAN packet and the next hop of every route (RFC 8365 §5.1.3).
    if (auto why = non_unicast_reason(*cfg.vtep_source); !why.empty())
      r.fail(m.get("source-ip"), m.path("source-ip"), cfg.vtep_source->to_string() + " " + why + ", not a VTEP address");
  }
  // A vtep section means a leaf: the Linux data plane unless told otherwise.
  cfg.dataplane = DataplaneKind::kLinux;
  if (m.has("dataplane")) {
    std::string d = r.choice(m.get("dataplane"), m.path("dataplane"), {"none", "linux", "fake"});
    cfg.dataplane = d == "none" ? DataplaneKind::kNone : d == "fake" ? DataplaneKind::kFake : DataplaneKind::kLinux;
  }
  if (m.has("vxlan-port")) cfg.vxlan_port = uint16_t(r.uint(m.get("vxlan-port"), m.path("vxlan-port"), 1, 65535));
  if (m.has("on-stop"))
    cfg.remove_entries_on_stop = r.choice(m.get("on-stop"), m.path("on-stop"), {"keep", "remove"}) == "remove";
  if (m.has("default-encapsulation"))
    cfg.default_encap_vxlan =
        r.choice(m.get("default-encapsulation"), m.path("default-encapsulation"), {"mpls", "vxlan"}) == "vxlan";
  if (cfg.dataplane != DataplaneKind::kNone && !cfg.vtep_source)
    r.fail(node, m.path("source-ip"), "required when the data plane is not \"none\"");
}

void parse_dad(const ConfigReader& r, const YAML::Node& node, Config& cfg) {
  const std::string base = "duplicate-address-detection";
  MapReader m(r, node, base, {"max-moves", "window", "freeze", "freeze-time"});
  auto& d = cfg.dad;
  // Ranges follow FRR's `dup-addr-detection max-moves (2-1000) time (2-1800)` and freeze (30-3600).
  if (m.has("max-moves")) d.max_moves = uint32_t(r.uint(m.get("max-moves"), m.path("max-moves"), 2, 1000));
  if (m.has("window")) d.window_seconds = uint32_t(r.uint(m.get("window"), m.path("window"), 2, 1800));
  if (m.has("freeze")) d.freeze = r.boolean(m.get("freeze"), m.path("freeze"));
  if (m.has("freeze-time")) {
    uint64_t t = r.uint(m.get("freeze-time"), m.path("freeze-time"), 0, 3600);
    if (t != 0 && t < 30) r.fail(m.get("freeze-time"), m.path("freeze-time"), "expected 0 (permanent) or 30..3600");
    d.freeze_seconds = uint32_t(t);
  }
}

void parse_vrfs(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  r.expect_sequence(seq, "vrfs");
  // Maps, not pairwise loops: checking stays n log n in the number of VRFs.
  std::map<std::string, size_t> names, netns;
  std::map<Vni, size_t> l3vnis;
  std::map<uint32_t, size_t> tables;
  UsedNames devices;
  RdOwners rds;
  const size_t count = seq.size();
  for (size_t i = 0; i < count; ++i) {
    const YAML::Node item = seq[i];
    std::string path = index_path("vrfs", i);
    VrfConfig v = parse_vrf(r, item, path, cfg);
    auto also = [&](size_t j) { return " (also vrfs[" + std::to_string(j) + "])"; };
    if (auto [it, fresh] = names.emplace(v.name, i); !fresh)
      r.fail(item["name"], path + ".name", "duplicate VRF name \"" + v.name + "\"" + also(it->second));
    if (auto [it, fresh] = l3vnis.emplace(v.l3vni, i); !fresh)
      r.fail(item["l3vni"], path + ".l3vni", "duplicate L3VNI " + std::to_string(v.l3vni) + also(it->second));
    // One kernel table (vrf-device) or namespace (netns) per VRF: two VRFs sharing one would
    // mix their routes.
    if (v.table != 0)
      if (auto [it, fresh] = tables.emplace(v.table, i); !fresh)
        r.fail(item["table"], path + ".table", "table " + std::to_string(v.table) + " is already used" + also(it->second));
    if (!v.netns.empty())
      if (auto [it, fresh] = netns.emplace(v.netns, i); !fresh)
        r.fail(item["netns"], path + ".netns", "network namespace \"" + v.netns + "\" is already used" + also(it->second));
    for (const auto& [dev, what] : vrf_devices(cfg, v, path))
      if (auto owner = devices.claim(dev, what); !owner.empty())
        r.fail(node_or(item, "name"), path + ".name", what + " \"" + dev + "\" is already used by " + owner);
    if (auto owner = rds.claim(cfg, v.rd, i, path); !owner.empty())
      r.fail(node_or(item, "rd"), path + ".rd", owner);
    cfg.vrfs.push_back(std::move(v));
  }
}

namespace {

// The cross-entry rules of `l2vnis:` (unique VNI, not an L3VNI, unique devices and RDs, known
// VRF), shared by the file's list and a run-time entry (PUT /v1/evpn/vnis/N).
class L2VniChecks {
 public:
  explicit L2VniChecks(const Config& cfg) : cfg_(cfg) {
    // The VRFs (parsed first) hold devices and RDs too.
    for (size_t j = 0; j < cfg.vrfs.size(); ++j) {
      const auto& v = cfg.vrfs[j];
      const std::string vpath = index_path("vrfs", j);
      l3vnis_.emplace(v.l3vni, j);
      vrf_names_.emplace(v.name, j);
      for (const auto& [dev, what] : vrf_devices(cfg, v, vpath)) devices_.claim(dev, what);
      rds_.claim(cfg, v.rd, j, vpath);
    }
  }
  // Entry `l` at `path`, the `index`-th L2VNI (automatic RD router-id:(2 + VRFs + index)).
  // `auto_rd`: check the automatic RD too (false for a run-time VNI: the EVPN service gives it
  // the next free one).
  // `path` prefixes the keys in errors ("" for a run-time entry: the body's keys), `label` names
  // the entry as the owner of a device or RD ("l2vnis[2]", "API VNI 100").
  void check(const ConfigReader& r, const YAML::Node& item, const std::string& path, const std::string& label,
             const L2VniConfig& l, size_t index, bool auto_rd = true) {
    if (auto [it, fresh] = vnis_.emplace(l.vni, label); !fresh)
      r.fail(item["vni"], key_path(path, "vni"), "duplicate VNI " + std::to_string(l.vni) + " (also " + it->second + ")");
    if (auto it = l3vnis_.find(l.vni); it != l3vnis_.end())
      r.fail(item["vni"], key_path(path, "vni"), "VNI " + std::to_string(l.vni) + " is the L3VNI of vrfs[" + std::to_string(it->second) + "]");
    // A device name used twice would make two segments share one bridge or VXLAN device.
    for (const auto& [key, dev] : {std::pair<const char*, const std::string&>{"bridge", l.bridge}, {"vxlan-device", l.vxlan_device}}) {
      const std::string what = label + (std::string_view(key) == "bridge" ? " (bridge)" : " (vxlan-device)");
      if (auto owner = devices_.claim(dev, what); !owner.empty())
        r.fail(node_or(item, key), key_path(path, key), "device \"" + dev + "\" is already used by " + owner);
    }
    if (l.rd || auto_rd)
      if (auto owner = rds_.claim(cfg_, l.rd, cfg_.vrfs.size() + index, label); !owner.empty())
        r.fail(node_or(item, "rd"), key_path(path, "rd"), owner);
    if (!l.vrf.empty() && !vrf_names_.count(l.vrf)) {
      std::vector<std::string_view> names;
      for (auto& v : cfg_.vrfs) names.push_back(v.name);
      std::string hint = closest_match(l.vrf, names);
      r.fail(item["vrf"], key_path(path, "vrf"),
             "unknown VRF \"" + l.vrf + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
  }

 private:
  static std::string key_path(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }
  const Config& cfg_;
  std::map<Vni, std::string> vnis_;
  std::map<Vni, size_t> l3vnis_;
  std::map<std::string_view, size_t> vrf_names_;
  UsedNames devices_;
  RdOwners rds_;
};

}  // namespace

void parse_l2vnis(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  r.expect_sequence(seq, "l2vnis");
  L2VniChecks checks(cfg);
  const size_t count = seq.size();
  for (size_t i = 0; i < count; ++i) {
    const YAML::Node item = seq[i];
    std::string path = index_path("l2vnis", i);
    L2VniConfig l = parse_l2vni(r, item, path);
    checks.check(r, item, path, path, l, i);
    cfg.l2vnis.push_back(std::move(l));
  }
}

}  // namespace evpnd::api::detail

namespace evpnd::api {

tl::expected<std::vector<L2VniConfig>, ConfigError> check_runtime_l2vnis(const Config& file,
                                                                         const std::vector<RuntimeL2VniSpec>& specs) {
  using namespace detail;
  std::vector<L2VniConfig> out;
  std::string name;
  try {
    L2VniChecks checks(file);
    // The file's entries were checked when it was read: here they only claim VNIs, devices, RDs.
    const ConfigReader file_reader(file.source_file);
    const YAML::Node none;
    for (size_t i = 0; i < file.l2vnis.size(); ++i) {
      const std::string path = index_path("l2vnis", i);
      // Automatic RDs are not claimed: the running service and rd_index_plan skip explicit ones.
      checks.check(file_reader, none, path, path, file.l2vnis[i], i, false);
    }
    for (const auto& spec : specs) {
      name = "VNI " + std::to_string(spec.vni);
      const ConfigReader r(name);
      YAML::Node node = YAML::Load(spec.text);
      if (node.IsMap()) {
        if (node["vni"] && r.uint(node["vni"], "vni", 1, kMaxVni) != spec.vni)
          r.fail(node["vni"], "vni", "differs from the VNI of the request (" + std::to_string(spec.vni) + ")");
        node["vni"] = spec.vni;
      }
      L2VniConfig l = parse_l2vni(r, node, "");
      // An explicit RD is checked; without one the EVPN service picks a free automatic one.
      checks.check(r, node, "", "API " + name, l, file.l2vnis.size() + out.size(), false);
      out.push_back(std::move(l));
    }
    return out;
  } catch (const ConfigFailure& f) {
    return tl::unexpected(f.error);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(ConfigError{name, 0, 0, "not valid JSON/YAML: " + e.msg, ""});
  } catch (const std::exception& e) {
    return tl::unexpected(ConfigError{name, 0, 0, std::string("cannot parse: ") + e.what(), ""});
  }
}

}  // namespace evpnd::api

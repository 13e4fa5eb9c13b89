#include "evpn-cni/cni_config.hpp"

#include <cctype>
#include <charconv>

#include "client/api_client.hpp"
#include "evpn-cni/cni_version.hpp"

namespace evpnd::cni {

using nlohmann::json;

std::string_view command_name(Command c) {
  switch (c) {
    case Command::kAdd: return "ADD";
    case Command::kDel: return "DEL";
    case Command::kCheck: return "CHECK";
    case Command::kVersion: return "VERSION";
    case Command::kGc: return "GC";
    case Command::kStatus: return "STATUS";
  }
  return "?";
}

bool valid_identifier(std::string_view s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool valid_ifname(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  for (char c : s)
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) || c == '\0') return false;
  return true;
}

namespace {

std::string get(const Environment& env, const char* key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

std::optional<StaticIp> parse_static_ip(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    auto cidr = parse_cidr(text);
    if (!cidr) return std::nullopt;
    return StaticIp{cidr->address, cidr->prefix_len};
  }
  auto ip = IpAddress::parse(text);
  if (!ip) return std::nullopt;
  return StaticIp{*ip, std::nullopt};
}

// CNI_ARGS (spec §"Parameters"): "FOO=BAR;ABC=123". Unknown keys are an error unless
// IgnoreUnknown is set (the convention of libcni's skel; podman and Multus always set it).
CniResult<void> parse_cni_args(Invocation& inv) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string_view rest = inv.cni_args;
  bool ignore_unknown = false;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return cni_fail(code::kInvalidEnv, "CNI_ARGS: \"" + std::string(item) + "\" is not KEY=VALUE");
    std::string key(item.substr(0, eq)), value(item.substr(eq + 1));
    if (key == "IgnoreUnknown") ignore_unknown = value == "1" || value == "true" || value == "True";
    pairs.emplace_back(std::move(key), std::move(value));
  }
  for (const auto& [key, value] : pairs) {
    if (key == "IgnoreUnknown" || key == "K8S_POD_INFRA_CONTAINER_ID" || key == "K8S_POD_UID") continue;
    if (key == "K8S_POD_NAMESPACE") {
      inv.pod_namespace = value;
    } else if (key == "K8S_POD_NAME") {
      inv.pod_name = value;
    } else if (key == "IP") {
      // podman: IP=10.1.0.5 (one per family, comma separated in newer runtimes).
      std::string_view list = value;
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view one = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        auto ip = parse_static_ip(one);
        if (!ip) return cni_fail(code::kInvalidEnv, "CNI_ARGS: IP=" + value + " is not an IP address");
        inv.arg_ips.push_back(*ip);
      }
    } else if (key == "MAC") {
      auto mac = Mac::parse(value);
      if (!mac || mac->is_multicast() || mac->is_zero())
        return cni_fail(code::kInvalidEnv, "CNI_ARGS: MAC=" + value + " is not a unicast MAC address");
      inv.arg_mac = *mac;
    } else if (!ignore_unknown) {
      return cni_fail(code::kInvalidEnv, "CNI_ARGS: unknown key " + key + "=" + value,
                      "set IgnoreUnknown=1 to have unknown keys ignored");
    }
  }
  return {};
}

}  // namespace

CniResult<Invocation> parse_invocation(const Environment& env) {
  Invocation inv;
  std::string cmd = get(env, "CNI_COMMAND");
  if (cmd == "ADD") inv.command = Command::kAdd;
  else if (cmd == "DEL") inv.command = Command::kDel;
  else if (cmd == "CHECK") inv.command = Command::kCheck;
  else if (cmd == "VERSION") inv.command = Command::kVersion;
  else if (cmd == "GC") inv.command = Command::kGc;
  else if (cmd == "STATUS") inv.command = Command::kStatus;
  else if (cmd.empty()) return cni_fail(code::kInvalidEnv, "CNI_COMMAND is not set");
  else return cni_fail(code::kInvalidEnv, "CNI_COMMAND: unknown command \"" + cmd + "\"");
  inv.container_id = get(env, "CNI_CONTAINERID");
  inv.netns = get(env, "CNI_NETNS");
  inv.ifname = get(env, "CNI_IFNAME");
  inv.cni_path = get(env, "CNI_PATH");
  inv.cni_args = get(env, "CNI_ARGS");
  const bool per_attachment = inv.command == Command::kAdd || inv.command == Command::kDel ||
                              inv.command == Command::kCheck;
  if (per_attachment) {
    if (inv.container_id.empty()) return cni_fail(code::kInvalidEnv, "CNI_CONTAINERID is not set");
    if (!valid_identifier(inv.container_id))
      return cni_fail(code::kInvalidEnv, "CNI_CONTAINERID \"" + inv.container_id + "\" is not a valid container id");
    if (inv.ifname.empty()) return cni_fail(code::kInvalidEnv, "CNI_IFNAME is not set");
    if (!valid_ifname(inv.ifname))
      return cni_fail(code::kInvalidEnv, "CNI_IFNAME \"" + inv.ifname + "\" is not a valid interface name");
    // DEL may come without a namespace (spec §"DEL": the container may be gone already).
    if (inv.command != Command::kDel && inv.netns.empty())
      return cni_fail(code::kInvalidEnv, "CNI_NETNS is not set");
  }
  if (auto r = parse_cni_args(inv); !r) return tl::unexpected(r.error());
  return inv;
}

std::string sniff_version(std::string_view stdin_text) {
  json j = json::parse(stdin_text, nullptr, false);
  if (j.is_object() && j.contains("cniVersion") && j["cniVersion"].is_string())
    return j["cniVersion"].get<std::string>();
  return {};
}

namespace {

tl::unexpected<CniError> bad_key(const std::string& key, const std::string& why) {
  return cni_fail(code::kInvalidConfig, "invalid configuration: \"" + key + "\" " + why);
}

CniResult<std::string> opt_string(const json& o, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return std::string();
  if (!o[key].is_string()) return bad_key(key, "must be a string");
  return o[key].get<std::string>();
}

}  // namespace

CniResult<NetConfig> parse_net_config(std::string_view stdin_text, const Invocation& inv, const Environment& env) {
  NetConfig c;
  c.raw = json::parse(stdin_text, nullptr, false);
  if (c.raw.is_discarded())
    return cni_fail(code::kDecode, "cannot decode the network configuration: stdin is not JSON");
  if (!c.raw.is_object()) return cni_fail(code::kDecode, "the network configuration is not a JSON object");
  const json& j = c.raw;
  auto version = opt_string(j, "cniVersion");
  if (!version) return tl::unexpected(version.error());
  c.cni_version = *version;
  if (c.cni_version.empty()) return bad_key("cniVersion", "is required");
  if (!is_supported_version(c.cni_version))
    return cni_fail(code::kIncompatibleVersion, "unsupported cniVersion \"" + c.cni_version + "\"",
                    "supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
  if (inv.command == Command::kVersion) return c;

  auto name = opt_string(j, "name"), type = opt_string(j, "type");
  if (!name) return tl::unexpected(name.error());
  if (!type) return tl::unexpected(type.error());
  c.name = *name, c.type = *type;
  if (c.name.empty()) return bad_key("name", "is required");
  if (!valid_identifier(c.name)) return bad_key("name", "\"" + c.name + "\" must be alphanumerics, '_', '.', '-'");

  const bool needs_vni = inv.command == Command::kAdd || inv.command == Command::kDel ||
                         inv.command == Command::kCheck;
  if (j.contains("vni") && !j["vni"].is_null()) {
    // VXLAN's VNI is 24 bits (RFC 7348 §5); 0 is not a segment.
    if (!j["vni"].is_number_unsigned() || j["vni"].get<uint64_t>() == 0 || j["vni"].get<uint64_t>() > 0xFFFFFF)
      return bad_key("vni", "must be an integer 1-16777215");
    c.vni = j["vni"].get<uint32_t>();
  } else if (needs_vni) {
    return bad_key("vni", "is required");
  }

  for (auto [key, out] : {std::pair{"vrf", &c.vrf}, std::pair{"gateway", &c.gateway},
                          std::pair{"gateway-v6", &c.gateway_v6}, std::pair{"bridge", &c.bridge},
                          std::pair{"socket", &c.socket}, std::pair{"dataDir", &c.data_dir}}) {
    auto v = opt_string(j, key);
    if (!v) return tl::unexpected(v.error());
    *out = *v;
  }
  if (!c.gateway.empty() && !parse_cidr(c.gateway) && !IpAddress::parse(c.gateway))
    return bad_key("gateway", "\"" + c.gateway + "\" is not an address or ADDRESS/LEN");
  if (!c.gateway_v6.empty() && !parse_cidr(c.gateway_v6) && !IpAddress::parse(c.gateway_v6))
    return bad_key("gateway-v6", "\"" + c.gateway_v6 + "\" is not an address or ADDRESS/LEN");
  if (j.contains("route-targets") && !j["route-targets"].is_null()) {
    if (!j["route-targets"].is_object()) return bad_key("route-targets", "must be an object {import, export, both}");
    c.route_targets = j["route-targets"];
  }
  if (j.contains("mtu") && !j["mtu"].is_null()) {
    // 68: the IPv4 minimum (RFC 791); 65535: the largest a veth takes.
    if (!j["mtu"].is_number_unsigned() || j["mtu"].get<uint64_t>() < 68 || j["mtu"].get<uint64_t>() > 65535)
      return bad_key("mtu", "must be an integer 68-65535");
    c.mtu = j["mtu"].get<uint32_t>();
  }
  if (auto mac = opt_string(j, "mac"); !mac) {
    return tl::unexpected(mac.error());
  } else if (!mac->empty()) {
    auto m = Mac::parse(*mac);
    if (!m || m->is_multicast() || m->is_zero()) return bad_key("mac", "\"" + *mac + "\" is not a unicast MAC address");
    c.mac = *m;
  }
  if (j.contains("ipam") && !j["ipam"].is_null()) {
    if (!j["ipam"].is_object()) return bad_key("ipam", "must be an object");
    if (j["ipam"].empty()) {
      // "ipam": {} is what some generators write for "no IPAM".
    } else if (!j["ipam"].contains("type") || !j["ipam"]["type"].is_string() || j["ipam"]["type"].get<std::string>().empty()) {
      return bad_key("ipam", "needs a \"type\" (the IPAM plugin, e.g. host-local)");
    } else if (j["ipam"]["type"].get<std::string>().find('/') != std::string::npos) {
      return bad_key("ipam.type", "must be a plugin name, not a path");
    } else {
      c.ipam = j["ipam"];
    }
  }
  if (j.contains("dns")) {
    auto dns = parse_dns(j["dns"]);
    if (!dns) return bad_key("dns", dns.error().details);
    c.dns = *dns;
  }

  // Per-container values (spec §"Deriving runtimeConfig"; conventions/capabilities "mac", "ips").
  c.mac = inv.arg_mac ? inv.arg_mac : c.mac;
  c.static_ips = inv.arg_ips;
  if (j.contains("runtimeConfig") && j["runtimeConfig"].is_object()) {
    const json& rc = j["runtimeConfig"];
    if (rc.contains("mac") && !rc["mac"].is_null()) {
      auto m = rc["mac"].is_string() ? Mac::parse(rc["mac"].get<std::string>()) : std::nullopt;
      if (!m || m->is_multicast() || m->is_zero()) return bad_key("runtimeConfig.mac", "is not a unicast MAC address");
      c.mac = *m;
    }
    if (rc.contains("ips") && !rc["ips"].is_null()) {
      if (!rc["ips"].is_array()) return bad_key("runtimeConfig.ips", "must be an array of addresses");
      std::vector<StaticIp> ips;
      for (const auto& s : rc["ips"]) {
        auto ip = s.is_string() ? parse_static_ip(s.get<std::string>()) : std::nullopt;
        if (!ip) return bad_key("runtimeConfig.ips", "holds " + s.dump() + ", not an address");
        ips.push_back(*ip);
      }
      if (!ips.empty()) c.static_ips = std::move(ips);
    }
  }

  if (j.contains("prevResult") && !j["prevResult"].is_null()) {
    auto prev = parse_result(j["prevResult"]);
    if (!prev) return bad_key("prevResult", prev.error().details);
    c.prev_result = std::move(*prev);
  }
  if (j.contains("cni.dev/valid-attachments")) {
    const json& va = j["cni.dev/valid-attachments"];
    if (!va.is_array()) return bad_key("cni.dev/valid-attachments", "must be an array");
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& a : va) {
      if (!a.is_object() || !a.contains("containerID") || !a["containerID"].is_string() || !a.contains("ifname") ||
          !a["ifname"].is_string())
        return bad_key("cni.dev/valid-attachments", "entries must be {\"containerID\", \"ifname\"}");
      list.emplace_back(a["containerID"].get<std::string>(), a["ifname"].get<std::string>());
    }
    c.valid_attachments = std::move(list);
  }

  if (c.socket.empty()) c.socket = get(env, "EVPND_SOCKET");
  if (c.socket.empty()) c.socket = client::kDefaultSocket;
  if (c.data_dir.empty()) c.data_dir = get(env, "EVPN_CNI_DATA_DIR");
  if (c.data_dir.empty()) c.data_dir = kDefaultDataDir;
  return c;
}

}  // namespace evpnd::cni

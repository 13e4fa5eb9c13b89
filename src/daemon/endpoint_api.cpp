#include "daemon/endpoint_api.hpp"

#include <algorithm>
#include <set>

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse error(int status, std::string msg) { return api::ApiResponse{status, json{{"error", std::move(msg)}}}; }
tl::unexpected<std::string> bad(std::string why) { return tl::unexpected(std::move(why)); }

const std::string kPath = "/v1/evpn/endpoints";

// 1..16777215 from a JSON number or a query string.
std::optional<Vni> vni_of(const json& j) {
  if (!j.is_number_integer()) return std::nullopt;  // signed or unsigned; not 1.5, not "100"
  const int64_t v = j.get<int64_t>();
  if (v < 1 || v > int64_t(kMaxVni)) return std::nullopt;
  return Vni(v);
}
std::optional<Vni> vni_of(const std::string& s) {
  if (s.empty() || s.size() > 8 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const unsigned long v = std::stoul(s);
  if (v < 1 || v > kMaxVni) return std::nullopt;
  return Vni(v);
}

// Why `a` cannot be a host's address, or "".
std::string not_host(const IpAddress& a) {
  const uint8_t* b = a.data();
  if (a.is_unspecified()) return "is the unspecified address";
  if ((a.is_v4() && (b[0] & 0xf0) == 0xe0) || (a.is_v6() && b[0] == 0xff)) return "is a multicast address";
  if (a.is_v4() && a.v4_host_order() == 0xffffffffu) return "is the broadcast address";
  // Link-local addresses are per link: no MAC+IP route carries them (the kernel's are not
  // advertised either, dataplane/linux).
  if (a.is_v6() && b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "is a link-local address (not advertised)";
  return "";
}

// A name the kernel would take for a link (net/core/dev.c dev_valid_name).
std::string bad_ifname(const std::string& n) {
  if (n.empty()) return "is empty";
  if (n.size() > kMaxIfName) return "is longer than " + std::to_string(kMaxIfName) + " characters";
  if (n == "." || n == "..") return "is not a link name";
  for (unsigned char c : n)
    if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) return "has a character a link name cannot have";
  return "";
}

json ips_json(const std::vector<IpAddress>& ips) {
  json a = json::array();
  for (const auto& ip : ips) a.push_back(ip.to_string());
  return a;
}

api::ApiResponse post(Daemon& d, const api::ApiRequest& req) {
  auto e = parse_endpoint(req.body);
  if (!e) return error(400, e.error());
  return d.add_endpoint(std::move(*e));
}

api::ApiResponse del(Daemon& d, const api::ApiRequest& req) {
  auto v = req.query.find("vni");
  auto m = req.query.find("mac");
  if (v == req.query.end() || m == req.query.end()) return error(400, "DELETE " + kPath + " needs ?vni=N&mac=M");
  auto vni = vni_of(v->second);
  if (!vni) return error(400, "bad vni '" + v->second + "': expected 1-16777215");
  auto mac = Mac::parse(m->second);
  if (!mac) return error(400, "bad mac '" + m->second + "'");
  std::optional<std::string> attachment;
  if (auto a = req.query.find("attachment"); a != req.query.end()) attachment = a->second;
  return d.remove_endpoint(*vni, *mac, attachment);
}

api::ApiResponse list(const Daemon& d, const api::ApiRequest& req) {
  std::optional<Vni> vni;
  if (auto v = req.query.find("vni"); v != req.query.end()) {
    vni = vni_of(v->second);
    if (!vni) return error(400, "bad vni '" + v->second + "': expected 1-16777215");
  }
  std::optional<std::string> attachment;
  if (auto a = req.query.find("attachment"); a != req.query.end()) attachment = a->second;
  const evpn::EvpnService* svc = d.engine().evpn();
  json a = json::array();
  for (const auto& [key, e] : d.runtime().endpoints) {
    if ((vni && e.vni != *vni) || (attachment && e.attachment != *attachment)) continue;
    json j = endpoint_json(e);
    // What EVPN does with it now: "advertised", "displaced" (a newer remote path won, RFC 7432
    // §15), "vni-missing" (its VNI does not run here).
    const evpn::MacVrf* mv = svc ? svc->mac_vrf(e.vni) : nullptr;
    const auto view = mv ? mv->mac_view(e.mac) : std::nullopt;
    j["state"] = !mv ? "vni-missing" : view && view->origin == evpn::EntryOrigin::kLocal ? "advertised" : "displaced";
    a.push_back(std::move(j));
  }
  return {200, json{{"endpoints", std::move(a)}}};
}

}  // namespace

json endpoint_json(const RuntimeEndpoint& e) {
  return {{"vni", e.vni}, {"mac", e.mac.to_string()}, {"ips", ips_json(e.ips)}, {"interface", e.interface},
          {"attachment", e.attachment}};
}

tl::expected<RuntimeEndpoint, std::string> parse_endpoint(const json& body) {
  if (!body.is_object()) return bad("body must be an object {vni, mac, ips?, interface, attachment?}");
  static const std::set<std::string> kKeys = {"vni", "mac", "ips", "interface", "attachment"};
  for (const auto& [k, v] : body.items())
    if (!kKeys.count(k)) return bad("unknown key '" + k + "' (expected vni, mac, ips, interface, attachment)");
  RuntimeEndpoint e;
  if (!body.contains("vni")) return bad("vni: missing");
  auto vni = vni_of(body["vni"]);
  if (!vni) return bad("vni: " + body["vni"].dump() + " is not 1-16777215");
  e.vni = *vni;
  if (!body.contains("mac") || !body["mac"].is_string()) return bad("mac: missing or not a string");
  auto mac = Mac::parse(body["mac"].get<std::string>());
  if (!mac) return bad("mac: '" + body["mac"].get<std::string>() + "' is not a MAC address");
  // RFC 7432 §7.2: a MAC/IP route carries a unicast station address.
  if (mac->is_zero()) return bad("mac: " + mac->to_string() + " is not a host MAC");
  if (mac->is_multicast()) return bad("mac: " + mac->to_string() + " is a multicast or broadcast MAC");
  e.mac = *mac;
  if (body.contains("ips")) {
    if (!body["ips"].is_array()) return bad("ips: not an array of addresses");
    for (const auto& ip : body["ips"]) {
      auto a = ip.is_string() ? IpAddress::parse(ip.get<std::string>()) : std::nullopt;
      if (!a) return bad("ips: " + ip.dump() + " is not an IP address");
      if (auto why = not_host(*a); !why.empty()) return bad("ips: " + a->to_string() + " " + why);
      if (std::find(e.ips.begin(), e.ips.end(), *a) == e.ips.end()) e.ips.push_back(*a);
    }
  }
  if (!body.contains("interface") || !body["interface"].is_string()) return bad("interface: missing or not a string");
  e.interface = body["interface"].get<std::string>();
  if (auto why = bad_ifname(e.interface); !why.empty()) return bad("interface: '" + e.interface + "' " + why);
  e.attachment = "api";
  if (body.contains("attachment")) {
    if (!body["attachment"].is_string() || body["attachment"].get<std::string>().empty())
      return bad("attachment: not a non-empty string");
    e.attachment = body["attachment"].get<std::string>();
  }
  return e;
}

std::optional<api::ApiResponse> handle_endpoint_api(Daemon& d, const api::ApiRequest& req) {
  if (req.path != kPath && req.path != kPath + "/") return std::nullopt;
  if (req.method == "POST") return post(d, req);
  if (req.method == "DELETE") return del(d, req);
  if (req.method == "GET") return list(d, req);
  return error(405, "method " + req.method + " not allowed on " + kPath + " (POST, DELETE, GET)");
}

}  // namespace evpnd::daemon

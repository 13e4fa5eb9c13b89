#include "evpn-cni/cni_result.hpp"

#include <charconv>

#include "evpn-cni/cni_version.hpp"

namespace evpnd::cni {

using nlohmann::json;

std::optional<IfAddress> parse_cidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || p != len_text.data() + len_text.size() || len_text.empty()) return std::nullopt;
  if (len > (addr->is_v4() ? 32u : 128u)) return std::nullopt;
  return IfAddress{*addr, static_cast<uint8_t>(len)};
}

std::string cidr_string(const IfAddress& a) { return a.address.to_string() + "/" + std::to_string(a.prefix_len); }

json encode_dns(const ResultDns& d) {
  json j = json::object();
  if (!d.nameservers.empty()) j["nameservers"] = d.nameservers;
  if (!d.domain.empty()) j["domain"] = d.domain;
  if (!d.search.empty()) j["search"] = d.search;
  if (!d.options.empty()) j["options"] = d.options;
  return j;
}

json encode_result(const Result& r, std::string_view version) {
  // 0.3.x and 0.4.0 share one shape (libcni types/040); 1.0.0 dropped ips[].version; 1.1.0
  // added the optional interface and route attributes.
  const bool with_ip_version = compare_versions(version, "1.0.0") < 0;
  const bool v11 = compare_versions(version, "1.1.0") >= 0;
  json j = {{"cniVersion", std::string(version)}};
  if (!r.interfaces.empty()) {
    json arr = json::array();
    for (const auto& i : r.interfaces) {
      json o = {{"name", i.name}};
      if (!i.mac.empty()) o["mac"] = i.mac;
      if (!i.sandbox.empty()) o["sandbox"] = i.sandbox;
      if (v11) {
        if (i.mtu) o["mtu"] = *i.mtu;
        if (!i.socket_path.empty()) o["socketPath"] = i.socket_path;
        if (!i.pci_id.empty()) o["pciID"] = i.pci_id;
      }
      arr.push_back(std::move(o));
    }
    j["interfaces"] = std::move(arr);
  }
  if (!r.ips.empty()) {
    json arr = json::array();
    for (const auto& ip : r.ips) {
      json o = {{"address", cidr_string(ip.address)}};
      if (with_ip_version) o["version"] = ip.address.address.is_v4() ? "4" : "6";
      if (ip.gateway) o["gateway"] = ip.gateway->to_string();
      if (ip.interface) o["interface"] = *ip.interface;
      arr.push_back(std::move(o));
    }
    j["ips"] = std::move(arr);
  }
  if (!r.routes.empty()) {
    json arr = json::array();
    for (const auto& rt : r.routes) {
      json o = {{"dst", rt.dst.to_string()}};
      if (rt.gw) o["gw"] = rt.gw->to_string();
      if (v11) {
        if (rt.mtu) o["mtu"] = *rt.mtu;
        if (rt.advmss) o["advmss"] = *rt.advmss;
        if (rt.priority) o["priority"] = *rt.priority;
        if (rt.table) o["table"] = *rt.table;
        if (rt.scope) o["scope"] = *rt.scope;
      }
      arr.push_back(std::move(o));
    }
    j["routes"] = std::move(arr);
  }
  j["dns"] = encode_dns(r.dns);
  return j;
}

namespace {

tl::unexpected<CniError> bad(const std::string& what) {
  return cni_fail(code::kDecode, "cannot decode result", what);
}

CniResult<std::string> opt_string(const json& o, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return std::string();
  if (!o[key].is_string()) return bad(std::string("\"") + key + "\" is not a string");
  return o[key].get<std::string>();
}

CniResult<std::optional<uint32_t>> opt_uint(const json& o, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return std::optional<uint32_t>();
  if (!o[key].is_number_unsigned()) return bad(std::string("\"") + key + "\" is not a non-negative integer");
  return std::optional<uint32_t>(o[key].get<uint32_t>());
}

CniResult<std::optional<IpAddress>> opt_ip(const json& o, const char* key) {
  auto s = opt_string(o, key);
  if (!s) return tl::unexpected(s.error());
  if (s->empty()) return std::optional<IpAddress>();
  auto ip = IpAddress::parse(*s);
  if (!ip) return bad(std::string("\"") + key + "\": bad IP address \"" + *s + "\"");
  return std::optional<IpAddress>(*ip);
}

CniResult<ResultRoute> parse_route(const json& o) {
  if (!o.is_object()) return bad("a route is not an object");
  auto dst = opt_string(o, "dst");
  if (!dst) return tl::unexpected(dst.error());
  auto pfx = IpPrefix::parse(*dst);
  if (!pfx) return bad("route \"dst\": bad prefix \"" + *dst + "\"");
  ResultRoute r;
  r.dst = *pfx;
  auto gw = opt_ip(o, "gw");
  if (!gw) return tl::unexpected(gw.error());
  r.gw = *gw;
  for (auto [key, field] : {std::pair{"mtu", &r.mtu}, std::pair{"advmss", &r.advmss},
                            std::pair{"priority", &r.priority}, std::pair{"table", &r.table},
                            std::pair{"scope", &r.scope}}) {
    auto v = opt_uint(o, key);
    if (!v) return tl::unexpected(v.error());
    *field = *v;
  }
  return r;
}

CniResult<std::vector<ResultRoute>> parse_routes(const json& o) {
  std::vector<ResultRoute> out;
  if (!o.contains("routes") || o["routes"].is_null()) return out;
  if (!o["routes"].is_array()) return bad("\"routes\" is not an array");
  for (const auto& r : o["routes"]) {
    auto route = parse_route(r);
    if (!route) return tl::unexpected(route.error());
    out.push_back(*route);
  }
  return out;
}

CniResult<ResultIp> parse_ip(const json& o, const char* addr_key) {
  if (!o.is_object()) return bad("an ips[] entry is not an object");
  auto addr = opt_string(o, addr_key);
  if (!addr) return tl::unexpected(addr.error());
  auto cidr = parse_cidr(*addr);
  if (!cidr) return bad(std::string("\"") + addr_key + "\": bad address \"" + *addr + "\" (want ADDRESS/LEN)");
  ResultIp ip;
  ip.address = *cidr;
  auto gw = opt_ip(o, "gateway");
  if (!gw) return tl::unexpected(gw.error());
  ip.gateway = *gw;
  if (o.contains("interface") && !o["interface"].is_null()) {
    if (!o["interface"].is_number_integer()) return bad("ips[].interface is not an integer");
    ip.interface = o["interface"].get<int>();
  }
  return ip;
}

}  // namespace

CniResult<ResultDns> parse_dns(const json& j) {
  ResultDns d;
  if (j.is_null()) return d;
  if (!j.is_object()) return bad("\"dns\" is not an object");
  auto list = [&](const char* key, std::vector<std::string>& out) -> CniResult<void> {
    if (!j.contains(key) || j[key].is_null()) return {};
    if (!j[key].is_array()) return bad(std::string("dns.") + key + " is not an array");
    for (const auto& s : j[key]) {
      if (!s.is_string()) return bad(std::string("dns.") + key + " holds a non-string");
      out.push_back(s.get<std::string>());
    }
    return {};
  };
  for (auto [key, out] : {std::pair{"nameservers", &d.nameservers}, std::pair{"search", &d.search},
                          std::pair{"options", &d.options}}) {
    if (auto r = list(key, *out); !r) return tl::unexpected(r.error());
  }
  auto domain = opt_string(j, "domain");
  if (!domain) return tl::unexpected(domain.error());
  d.domain = *domain;
  return d;
}

CniResult<Result> parse_result(const json& j) {
  if (!j.is_object()) return bad("the result is not a JSON object");
  Result r;
  if (j.contains("dns")) {
    auto dns = parse_dns(j["dns"]);
    if (!dns) return tl::unexpected(dns.error());
    r.dns = *dns;
  }
  // 0.1.0 / 0.2.0: {"ip4": {"ip": "a/len", "gateway", "routes"}, "ip6": {...}}.
  if (j.contains("ip4") || j.contains("ip6")) {
    for (const char* key : {"ip4", "ip6"}) {
      if (!j.contains(key) || j[key].is_null()) continue;
      auto ip = parse_ip(j[key], "ip");
      if (!ip) return tl::unexpected(ip.error());
      r.ips.push_back(*ip);
      auto routes = parse_routes(j[key]);
      if (!routes) return tl::unexpected(routes.error());
      r.routes.insert(r.routes.end(), routes->begin(), routes->end());
    }
    return r;
  }
  if (j.contains("interfaces") && !j["interfaces"].is_null()) {
    if (!j["interfaces"].is_array()) return bad("\"interfaces\" is not an array");
    for (const auto& o : j["interfaces"]) {
      if (!o.is_object()) return bad("an interfaces[] entry is not an object");
      ResultInterface i;
      auto name = opt_string(o, "name"), mac = opt_string(o, "mac"), sandbox = opt_string(o, "sandbox"),
           sock = opt_string(o, "socketPath"), pci = opt_string(o, "pciID");
      for (auto* f : {&name, &mac, &sandbox, &sock, &pci})
        if (!*f) return tl::unexpected(f->error());
      auto mtu = opt_uint(o, "mtu");
      if (!mtu) return tl::unexpected(mtu.error());
      i.name = *name, i.mac = *mac, i.sandbox = *sandbox, i.socket_path = *sock, i.pci_id = *pci, i.mtu = *mtu;
      r.interfaces.push_back(std::move(i));
    }
  }
  if (j.contains("ips") && !j["ips"].is_null()) {
    if (!j["ips"].is_array()) return bad("\"ips\" is not an array");
    for (const auto& o : j["ips"]) {
      auto ip = parse_ip(o, "address");
      if (!ip) return tl::unexpected(ip.error());
      if (ip->interface && (*ip->interface < 0 || *ip->interface >= static_cast<int>(r.interfaces.size())))
        return bad("ips[].interface " + std::to_string(*ip->interface) + " names no interface");
      r.ips.push_back(*ip);
    }
  }
  auto routes = parse_routes(j);
  if (!routes) return tl::unexpected(routes.error());
  r.routes = std::move(*routes);
  return r;
}

}  // namespace evpnd::cni

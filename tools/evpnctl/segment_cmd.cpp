// `evpnctl vni ensure|release` and `evpnctl endpoint add|del`: the run-time segments and
// endpoints of docs/API.md (issue 11), the calls the CNI plugin makes, for operators and scripts.
// Each is one API call; the reply (VNI-STATE, the release result, ENDPOINT) is printed as pretty
// JSON like the other action commands. Input is checked here first, so a typo is a clear
// "evpnctl: invalid ..." (exit 1) instead of a round trip; the daemon validates again with the
// configuration file's rules and its 4xx reasons are printed as they come (exit 1).
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/route_target.hpp"
#include "evpnctl/api_client.hpp"
#include "evpnctl/commands.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

constexpr long kMaxVni = 16777215;  // 24 bits (RFC 7348 §5)

void print_reply(const json& body) {
  if (!body.is_null()) std::cout << body.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

bool invalid(const std::string& message) {
  std::cerr << "evpnctl: " << message << "\n";
  set_exit_code(1);
  return false;
}

std::optional<json> invalid_body(const std::string& message) {
  invalid(message);
  return std::nullopt;
}

// Options are read as text so every bad value gets the same "evpnctl: invalid ..." (exit 1),
// not CLI11's own message and exit code.
bool check_vni(const std::string& text, long& vni) {
  size_t used = 0;
  try {
    vni = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || vni < 1 || vni > kMaxVni)
    return invalid("invalid VNI \"" + text + "\" (1.." + std::to_string(kMaxVni) + ")");
  return true;
}

struct EnsureOptions {
  std::string vni, vrf, bridge, attachment;
  std::vector<std::string> gateways, rt_import, rt_export;
};

// The PUT body: the keys of an `l2vnis:` entry (docs/CONFIG.md), only those given, so a key left
// out never conflicts with an existing VNI (docs/API.md: "a key left out does not differ").
std::optional<json> ensure_body(const EnsureOptions& o) {
  json body = json::object();
  if (!o.attachment.empty()) body["attachment"] = o.attachment;
  if (!o.vrf.empty()) body["vrf"] = o.vrf;
  if (!o.bridge.empty()) body["bridge"] = o.bridge;
  for (const auto& g : o.gateways) {
    // A gateway is the SVI's address with its subnet length: "10.1.0.1/24" (not a network).
    auto p = evpnd::IpPrefix::parse(g);
    if (!p || g.find('/') == std::string::npos) return invalid_body("invalid gateway \"" + g + "\" (ADDRESS/LENGTH)");
    const char* key = p->family() == evpnd::IpFamily::kV6 ? "gateway-v6" : "gateway";
    if (body.contains(key)) return invalid_body("more than one " + std::string(key) + " given");
    body[key] = g;
  }
  json rts = json::object();
  for (auto [list, key] : {std::pair{&o.rt_import, "import"}, std::pair{&o.rt_export, "export"}}) {
    for (const auto& rt : *list) {
      auto parsed = evpnd::RouteTarget::parse(rt);
      if (!parsed) return invalid_body("invalid route target \"" + rt + "\" (ASN:N or A.B.C.D:N)");
      rts[key].push_back(parsed->to_string());
    }
  }
  if (!rts.empty()) body["route-targets"] = rts;
  return body;
}

void add_vni(CLI::App& app) {
  CLI::App* vni = app.add_subcommand("vni", "create or release L2VNIs at run time (as the CNI plugin does)");
  vni->require_subcommand(1);
  add_socket_option(*vni);

  auto e = std::make_shared<EnsureOptions>();
  CLI::App* ensure = vni->add_subcommand("ensure", "create VNI N, or hold the existing one (same settings) for "
                                                   "an attachment; prints its state");
  ensure->add_option("vni", e->vni, "VNI (1..16777215)")->required();
  ensure->add_option("--vrf", e->vrf, "tenant VRF (IP-VRF of the configuration) for symmetric IRB");
  ensure->add_option("--gateway", e->gateways, "the SVI's anycast gateway, e.g. 10.1.0.1/24 (IPv4 and/or IPv6)");
  ensure->add_option("--bridge", e->bridge, "bridge device (default br<N>)");
  ensure->add_option("--rt-import", e->rt_import, "import route target (repeatable; default auto ASN:N)");
  ensure->add_option("--rt-export", e->rt_export, "export route target (repeatable; default auto ASN:N)");
  ensure->add_option("--attachment", e->attachment, "who holds the VNI (default \"api\")");
  add_socket_option(*ensure);
  ensure->callback([e] {
    long n = 0;
    if (!check_vni(e->vni, n)) return;
    auto body = ensure_body(*e);
    if (!body) return;
    if (auto reply = call_api("PUT", "/v1/evpn/vnis/" + std::to_string(n), *body)) print_reply(*reply);
  });

  auto r = std::make_shared<EnsureOptions>();
  CLI::App* release = vni->add_subcommand("release", "drop an attachment's hold on VNI N; an API-created VNI "
                                                     "goes with its last attachment");
  release->add_option("vni", r->vni, "VNI (1..16777215)")->required();
  release->add_option("--attachment", r->attachment, "the attachment to release (default \"api\")");
  add_socket_option(*release);
  release->callback([r] {
    long n = 0;
    if (!check_vni(r->vni, n)) return;
    std::string target = "/v1/evpn/vnis/" + std::to_string(n);
    if (!r->attachment.empty()) target += "?attachment=" + url_encode(r->attachment);
    if (auto reply = call_api("DELETE", target)) print_reply(*reply);
  });
}

struct EndpointOptions {
  std::string vni, mac, interface, attachment;
  std::vector<std::string> ips;
};

bool check_mac(const std::string& text, std::string& out) {
  auto m = evpnd::Mac::parse(text);
  // An endpoint is one station: a group or all-zero MAC is never a host's (RFC 7432 §9.1).
  if (!m || m->is_zero() || m->is_multicast()) return invalid("invalid MAC \"" + text + "\" (a unicast MAC)");
  out = m->to_string();
  return true;
}

void add_endpoint(CLI::App& app) {
  CLI::App* ep = app.add_subcommand("endpoint", "announce or remove local endpoints (MAC/IP type-2 routes held "
                                                "until deleted)");
  ep->require_subcommand(1);
  add_socket_option(*ep);

  auto a = std::make_shared<EndpointOptions>();
  CLI::App* add = ep->add_subcommand("add", "announce an endpoint on VNI N behind a bridge port; prints it");
  add->add_option("--vni", a->vni, "VNI (must be running: `vni ensure` it first)")->required();
  add->add_option("--mac", a->mac, "the endpoint's MAC")->required();
  add->add_option("--ip", a->ips, "its IPv4/IPv6 address (repeatable)");
  add->add_option("--interface", a->interface, "the bridge port it is behind (e.g. a pod's host veth)")->required();
  add->add_option("--attachment", a->attachment, "who owns the endpoint (default \"api\")");
  add_socket_option(*add);
  add->callback([a] {
    long n = 0;
    std::string mac;
    if (!check_vni(a->vni, n) || !check_mac(a->mac, mac)) return;
    json ips = json::array();
    for (const auto& ip : a->ips) {
      auto p = evpnd::IpAddress::parse(ip);
      if (!p) return (void)invalid("invalid IP address \"" + ip + "\"");
      ips.push_back(p->to_string());
    }
    json body = {{"vni", n}, {"mac", mac}, {"ips", ips}, {"interface", a->interface}};
    if (!a->attachment.empty()) body["attachment"] = a->attachment;
    if (auto reply = call_api("POST", "/v1/evpn/endpoints", body)) print_reply(*reply);
  });

  auto d = std::make_shared<EndpointOptions>();
  CLI::App* del = ep->add_subcommand("del", "withdraw an endpoint (idempotent: prints removed true/false)");
  del->alias("delete");
  del->add_option("--vni", d->vni, "VNI")->required();
  del->add_option("--mac", d->mac, "the endpoint's MAC")->required();
  add_socket_option(*del);
  del->callback([d] {
    long n = 0;
    std::string mac;
    if (!check_vni(d->vni, n) || !check_mac(d->mac, mac)) return;
    if (auto reply = call_api("DELETE", "/v1/evpn/endpoints?vni=" + std::to_string(n) + "&mac=" + url_encode(mac)))
      print_reply(*reply);
  });
}

}  // namespace

void add_segment_commands(CLI::App& app) {
  add_socket_option(app);
  add_vni(app);
  add_endpoint(app);
}

}  // namespace evpnctl

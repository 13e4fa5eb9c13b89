// `evpnctl announce|withdraw|clear|reload|route`: the commands that change evpnd's state, each
// one API call. A successful reply's body is printed (pretty JSON) when it says something — the
// routes accepted — so scripts can pipe it to jq; an empty reply prints nothing. `reload` prints
// a summary of what was applied, or with --json the reply itself.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "core/ip.hpp"
#include "evpnctl/api_client.hpp"
#include "evpnctl/commands.hpp"
#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

void print_reply(const json& body) {
  bool empty = body.is_null() || (body.is_object() && body.empty());
  if (!empty) std::cout << body.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

void usage_error(const std::string& message) {
  std::cerr << "evpnctl: " << message << "\n";
  set_exit_code(1);
}

struct PrefixOptions {
  std::string prefix, vrf;
};

void add_prefix_command(CLI::App& app, const std::string& name, const std::string& method, const std::string& help) {
  auto o = std::make_shared<PrefixOptions>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("prefix", o->prefix, "IPv4/IPv6 prefix, e.g. 10.99.0.0/24")->required();
  cmd->add_option("--vrf", o->vrf, "IP-VRF (tenant) name")->required();
  add_socket_option(*cmd);
  cmd->callback([o, method] {
    auto p = evpnd::IpPrefix::parse(o->prefix);
    if (!p || o->prefix.find('/') == std::string::npos) return usage_error("invalid prefix \"" + o->prefix + "\"");
    if (auto body = call_api(method, "/v1/vrfs/" + url_encode(o->vrf) + "/prefixes", json{{"prefix", p->to_string()}}))
      print_reply(*body);
  });
}

void add_clear(CLI::App& app) {
  CLI::App* clear = app.add_subcommand("clear", "reset state in evpnd");
  clear->require_subcommand(1);
  add_socket_option(*clear);
  CLI::App* evpn = clear->add_subcommand("evpn", "EVPN state");
  evpn->require_subcommand(1);
  add_socket_option(*evpn);
  auto vni = std::make_shared<long>(0);
  CLI::App* dup = evpn->add_subcommand("dup-addr", "unfreeze addresses flagged as duplicates (all, or one VNI)");
  dup->add_option("--vni", *vni, "only this VNI")->check(CLI::Range(1L, 16777215L));
  add_socket_option(*dup);
  dup->callback([vni] {
    json body = json::object();
    if (*vni > 0) body["vni"] = *vni;
    if (auto reply = call_api("POST", "/v1/evpn/dup-addr/clear", body)) print_reply(*reply);
  });
  CLI::App* bgp = clear->add_subcommand("bgp", "BGP sessions");
  bgp->require_subcommand(1);
  add_socket_option(*bgp);
  auto addr = std::make_shared<std::string>();
  CLI::App* nb = bgp->add_subcommand("neighbor", "reset one session (Cease/Administrative Reset); re-enables a "
                                                 "peer stopped by max-prefixes");
  nb->add_option("address", *addr, "neighbor address")->required();
  add_socket_option(*nb);
  nb->callback([addr] {
    if (!evpnd::IpAddress::parse(*addr)) return usage_error("invalid neighbor address \"" + *addr + "\"");
    if (auto reply = call_api("POST", "/v1/bgp/neighbors/" + *addr + "/reset", json::object())) print_reply(*reply);
  });
}

void add_reload(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("reload", "re-read the configuration file (like SIGHUP) and apply the changes");
  auto as_json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *as_json, "print the API reply (JSON: what was applied) instead of a summary");
  add_socket_option(*cmd);
  cmd->callback([as_json] {
    auto reply = call_api("POST", "/v1/config/reload", json::object());
    if (!reply) return;
    if (*as_json) print_reply(*reply);
    else std::cout << render_reload(*reply);
  });
}

// Reads FILE or stdin ("-"): {"routes":[...]}, a bare array of routes, or a single route object.
std::optional<json> read_routes(const std::string& source) {
  std::string text;
  if (source == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(source);
    if (!in) {
      usage_error("cannot read " + source);
      return std::nullopt;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    usage_error((source == "-" ? std::string("stdin") : source) + " is not valid JSON");
    return std::nullopt;
  }
  if (j.is_object() && j.contains("routes")) {
    if (!j["routes"].is_array()) {
      usage_error("\"routes\" must be a list");
      return std::nullopt;
    }
    return json{{"routes", j["routes"]}};
  }
  if (j.is_array()) return json{{"routes", j}};
  if (j.is_object()) return json{{"routes", json::array({j})}};
  usage_error("expected {\"routes\": [...]}, a list of routes or one route object");
  return std::nullopt;
}

void add_route(CLI::App& app) {
  CLI::App* route = app.add_subcommand("route", "inject or remove EVPN routes (testing, migrations)");
  route->require_subcommand(1);
  add_socket_option(*route);
  for (auto [name, method] : {std::pair<const char*, const char*>{"add", "POST"}, {"del", "DELETE"}}) {
    auto file = std::make_shared<std::string>();
    CLI::App* cmd = route->add_subcommand(name, std::string(name) + " EVPN routes given as JSON (the shape of "
                                                                     "`show bgp evpn routes --json`)");
    if (std::string(name) == "del") cmd->alias("delete");
    cmd->add_option("--json", *file, "file with the routes, or - for stdin")->required();
    add_socket_option(*cmd);
    cmd->callback([file, m = std::string(method)] {
      auto body = read_routes(*file);
      if (!body) return;
      if (auto reply = call_api(m, "/v1/evpn/routes", *body)) print_reply(*reply);
    });
  }
}

}  // namespace

void add_action_commands(CLI::App& app) {
  add_socket_option(app);
  add_prefix_command(app, "announce", "POST", "originate a type-5 route for PREFIX in VRF");
  add_prefix_command(app, "withdraw", "DELETE", "withdraw a prefix announced with `announce`");
  add_clear(app);
  add_reload(app);
  add_route(app);
}

}  // namespace evpnctl

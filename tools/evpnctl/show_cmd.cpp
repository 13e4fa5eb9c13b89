// `evpnctl show ...`: each command is one GET on evpnd's API, printed as a table (show_views.cpp)
// or, with --json, as the API's reply body pretty-printed.
#include <functional>
#include <iostream>
#include <memory>

#include "evpnctl/api_client.hpp"
#include "evpnctl/commands.hpp"
#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

struct ViewOptions {
  bool json = false;
  std::string address;  // show bgp neighbor [ADDR]
  std::string vrf;      // show vrf routes NAME
  std::string rd;
  int route_type = 0;
  long vni = 0;
  long limit = 0;      // paging: at most this many entries (0: all, streamed)
  std::string cursor;  // paging: next_cursor of the previous page
  bool detail = false;  // show evpn es --detail
  std::string es;       // show evpn es [ESI|NAME]
  std::string prefix;   // show bgp [vrf NAME] ipv4|ipv6 [PREFIX]
  std::string attachment;  // show evpn endpoints --attachment ID
};

using TargetFn = std::function<std::string(const ViewOptions&)>;
using RenderFn = std::function<std::string(const json&)>;

std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& params) {
  char sep = '?';
  for (auto& [k, v] : params) {
    if (v.empty()) continue;
    path += sep + k + "=" + url_encode(v);
    sep = '&';
  }
  return path;
}

std::string vni_text(const ViewOptions& o) { return o.vni > 0 ? std::to_string(o.vni) : ""; }
std::string limit_text(const ViewOptions& o) { return o.limit > 0 ? std::to_string(o.limit) : ""; }

// --limit/--cursor on the views the daemon pages (docs/API.md, Paging).
void add_paging(CLI::App* cmd, ViewOptions& o) {
  cmd->add_option("--limit", o.limit, "at most N entries (one page; prints the cursor of the next)")
      ->check(CLI::Range(1L, 1000000L));
  cmd->add_option("--cursor", o.cursor, "start where the previous page ended (its next_cursor)");
}

// One leaf command: GET target(opts), then print JSON or the rendered view.
CLI::App* add_view(CLI::App& parent, const std::string& name, const std::string& help, TargetFn target,
                   RenderFn render, std::shared_ptr<ViewOptions> opts) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_flag("--json", opts->json, "print the API reply (JSON) instead of a table");
  add_socket_option(*cmd);
  cmd->callback([opts, target = std::move(target), render] {
    auto body = call_api("GET", target(*opts));
    if (!body) return;
    std::cout << (opts->json ? body->dump(2, ' ', false, json::error_handler_t::replace) + "\n" : render(*body));
    // A page that stopped at --limit says where the next one starts.
    if (!opts->json && body->is_object() && body->contains("next_cursor") && (*body)["next_cursor"].is_string())
      std::cout << "More: --cursor " << (*body)["next_cursor"].get<std::string>() << "\n";
  });
  return cmd;
}

CLI::Option* add_vni_filter(CLI::App* cmd, ViewOptions& o) {
  return cmd->add_option("--vni", o.vni, "only this VNI")->check(CLI::Range(1L, 16777215L));
}

// `show bgp [vrf NAME] ipv4|ipv6 [PREFIX]`: a unicast table, or one prefix's paths in detail.
// `vrf` empty: the global instance (/v1/bgp/ipv4/routes), else /v1/bgp/vrfs/NAME/routes.
void add_unicast(CLI::App& parent, const std::string& help_where, std::shared_ptr<ViewOptions> o) {
  for (const char* family : {"ipv4", "ipv6"}) {
    const std::string f = family;
    auto target = [f](const ViewOptions& v) {
      const std::string base = v.vrf.empty() ? "/v1/bgp/" + f + "/routes" : "/v1/bgp/vrfs/" + url_encode(v.vrf) + "/routes";
      return with_query(base, {{"family", v.vrf.empty() ? "" : f}, {"prefix", v.prefix},
                               {"limit", limit_text(v)}, {"cursor", v.cursor}});
    };
    auto render = [o](const json& b) { return o->prefix.empty() ? render_unicast_routes(b) : render_unicast_prefix(b); };
    CLI::App* cmd = add_view(parent, f, "the " + f + "-unicast table" + help_where + ", best marked *>", target, render, o);
    cmd->add_option("prefix", o->prefix, "one prefix (A.B.C.D/N), or the longest one containing an address");
    add_paging(cmd, *o);
  }
}

// `show bgp vrfs`, `show bgp vrf NAME summary|ipv4|ipv6`: the BGP instances of VRFs (issue 10).
void add_bgp_vrf(CLI::App& bgp) {
  auto o = std::make_shared<ViewOptions>();
  add_view(bgp, "vrfs", "the VRFs with a BGP instance: AS, router id, peers, routes",
           [](const ViewOptions&) { return std::string("/v1/bgp/vrfs"); }, render_bgp_vrfs, o);
  CLI::App* vrf = bgp.add_subcommand("vrf", "a VRF's BGP instance (CE sessions, ipv4/ipv6 unicast)");
  vrf->add_option("name", o->vrf, "VRF name")->required();
  vrf->require_subcommand(1);
  add_socket_option(*vrf);
  add_view(*vrf, "summary", "one line per neighbor of the VRF (FRR `show bgp vrf NAME summary`)",
           [](const ViewOptions& v) { return "/v1/bgp/vrfs/" + url_encode(v.vrf) + "/neighbors"; },
           render_bgp_vrf_summary, o);
  CLI::App* nbr = add_view(
      *vrf, "neighbor", "session details, capabilities and counters of the VRF's neighbors",
      [](const ViewOptions& v) {
        return "/v1/bgp/vrfs/" + url_encode(v.vrf) + "/neighbors" + (v.address.empty() ? "" : "/" + url_encode(v.address));
      },
      [o](const json& b) { return o->address.empty() ? render_bgp_vrf_summary(b) : render_bgp_neighbors(b); }, o);
  nbr->alias("neighbors");
  nbr->add_option("address", o->address, "neighbor address (default: all, as summary)");
  add_unicast(*vrf, " of the VRF", o);
}

void add_bgp(CLI::App& show) {
  CLI::App* bgp = show.add_subcommand("bgp", "BGP sessions and the EVPN RIB");
  bgp->require_subcommand(1);
  add_socket_option(*bgp);
  auto o = std::make_shared<ViewOptions>();
  add_view(*bgp, "summary", "one line per neighbor (FRR `show bgp summary`)",
           [](const ViewOptions&) { return std::string("/v1/bgp/summary"); }, render_bgp_summary, o);
  CLI::App* nbr = add_view(
      *bgp, "neighbor", "session details, capabilities and counters of all or one neighbor",
      [](const ViewOptions& v) { return "/v1/bgp/neighbors" + (v.address.empty() ? "" : "/" + url_encode(v.address)); },
      render_bgp_neighbors, o);
  nbr->alias("neighbors");
  nbr->add_option("address", o->address, "neighbor address (default: all)");
  CLI::App* evpn = bgp->add_subcommand("evpn", "the L2VPN EVPN RIB");
  evpn->require_subcommand(1);
  add_socket_option(*evpn);
  CLI::App* routes = add_view(
      *evpn, "routes", "EVPN routes (Adj-RIB-In and local), best marked *>",
      [](const ViewOptions& v) {
        return with_query("/v1/bgp/evpn/routes", {{"type", v.route_type ? std::to_string(v.route_type) : ""},
                                                  {"rd", v.rd}, {"vni", vni_text(v)},
                                                  {"limit", limit_text(v)}, {"cursor", v.cursor}});
      },
      render_evpn_routes, o);
  routes->add_option("--type", o->route_type, "route type (1-5)")->check(CLI::Range(1, 255));
  routes->add_option("--rd", o->rd, "route distinguisher, e.g. 10.0.0.1:2");
  add_vni_filter(routes, *o);
  add_paging(routes, *o);
  add_unicast(*bgp, "", o);
  add_bgp_vrf(*bgp);
}

void add_es(CLI::App& evpn);

void add_evpn(CLI::App& show) {
  CLI::App* evpn = show.add_subcommand("evpn", "EVPN state: VNIs, MACs, neighbors, endpoints, VTEPs, VRFs");
  evpn->require_subcommand(1);
  add_socket_option(*evpn);
  auto o = std::make_shared<ViewOptions>();
  auto fixed = [](const char* path) { return [path](const ViewOptions&) { return std::string(path); }; };
  auto per_vni = [](const char* path) {
    return [path](const ViewOptions& v) {
      return with_query(path, {{"vni", vni_text(v)}, {"limit", limit_text(v)}, {"cursor", v.cursor}});
    };
  };
  // `show evpn vni` lists every VNI; `show evpn vni N` is one VNI's state (GET /v1/evpn/vnis/N:
  // origin, attachments and endpoints of a run-time segment, issue 11).
  CLI::App* vni = add_view(
      *evpn, "vni", "L2 and L3 VNIs with their devices, RD/RTs and counts; with N, one VNI in detail",
      [](const ViewOptions& v) { return v.vni > 0 ? "/v1/evpn/vnis/" + std::to_string(v.vni) : std::string("/v1/evpn/vnis"); },
      [o](const json& b) { return o->vni > 0 ? render_evpn_vni_state(b) : render_evpn_vnis(b); }, o);
  vni->add_option("vni", o->vni, "one VNI (1..16777215)")->check(CLI::Range(1L, 16777215L));
  CLI::App* eps = add_view(
      *evpn, "endpoints", "endpoints announced through the API (CNI plugin, `evpnctl endpoint add`)",
      [](const ViewOptions& v) {
        return with_query("/v1/evpn/endpoints", {{"vni", vni_text(v)}, {"attachment", v.attachment}});
      },
      render_evpn_endpoints, o);
  add_vni_filter(eps, *o);
  eps->add_option("--attachment", o->attachment, "only this attachment's endpoints");
  CLI::App* mac = add_view(*evpn, "mac", "local and remote MACs", per_vni("/v1/evpn/macs"), render_evpn_macs, o);
  add_vni_filter(mac, *o);
  add_paging(mac, *o);
  CLI::App* arp = add_view(*evpn, "arp-cache", "IP-to-MAC bindings (ARP/ND suppression cache)",
                           per_vni("/v1/evpn/arp-cache"), render_evpn_arp_cache, o);
  add_vni_filter(arp, *o);
  add_paging(arp, *o);
  add_view(*evpn, "vtep", "remote VTEPs and the VNIs reached through them", fixed("/v1/evpn/vteps"),
           render_evpn_vteps, o);
  add_view(*evpn, "vrf", "IP-VRFs (L3VNIs) with router MAC and RD/RTs", fixed("/v1/evpn/vrfs"), render_evpn_vrfs, o);
  add_view(*evpn, "rmac", "router MACs of remote VTEPs per VRF", fixed("/v1/evpn/rmacs"), render_evpn_rmacs, o);
  add_view(*evpn, "dup-addr", "MACs/IPs flagged by duplicate address detection", fixed("/v1/evpn/dup-addr"),
           render_evpn_dup_addr, o);
  add_es(*evpn);
}

// show evpn es [--detail] [ESI|NAME] and show evpn es-evi [--vni N] (FRR's names).
void add_es(CLI::App& evpn) {
  auto o = std::make_shared<ViewOptions>();
  CLI::App* es = evpn.add_subcommand("es", "Ethernet segments: ESI, mode, attachments, peer PEs, DF per VNI, timers");
  es->add_flag("--json", o->json, "print the API reply (JSON) instead of a table");
  es->add_flag("--detail", o->detail, "one block per segment (implied by ESI|NAME)");
  es->add_option("segment", o->es, "one segment, by ESI or name");
  add_socket_option(*es);
  es->callback([o] {
    auto body = call_api("GET", "/v1/evpn/es" + (o->es.empty() ? "" : "/" + url_encode(o->es)));
    if (!body) return;
    if (o->json) std::cout << body->dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    else std::cout << (o->detail || !o->es.empty() ? render_evpn_es_detail(*body) : render_evpn_es(*body));
  });
  auto e = std::make_shared<ViewOptions>();
  CLI::App* evi = add_view(evpn, "es-evi", "one line per Ethernet segment and VNI, with the DF",
                           [](const ViewOptions& v) { return with_query("/v1/evpn/es-evi", {{"vni", vni_text(v)}}); },
                           render_evpn_es_evi, e);
  add_vni_filter(evi, *e);
}

void add_vrf(CLI::App& show) {
  CLI::App* vrf = show.add_subcommand("vrf", "IP-VRF routing tables");
  vrf->require_subcommand(1);
  add_socket_option(*vrf);
  auto o = std::make_shared<ViewOptions>();
  CLI::App* routes = add_view(
      *vrf, "routes", "the routes evpnd installs in one VRF",
      [](const ViewOptions& v) { return "/v1/vrfs/" + url_encode(v.vrf) + "/routes"; }, render_vrf_routes, o);
  routes->add_option("name", o->vrf, "VRF name")->required();
}

}  // namespace

void add_show_commands(CLI::App& app) {
  add_socket_option(app);  // global: evpnctl --socket PATH show ...
  CLI::App* show = app.add_subcommand("show", "show evpnd state (via its API)");
  show->require_subcommand(1);
  add_socket_option(*show);
  add_bgp(*show);
  add_evpn(*show);
  add_vrf(*show);
}

}  // namespace evpnctl

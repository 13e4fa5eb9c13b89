// Text views of evpnd's API replies for `evpnctl show ...` (the JSON shapes are listed in
// docs/API.md). Pure functions from the reply body to the text printed, so they are unit-tested
// with fixed bodies. Missing or null fields print as "-" rather than failing: an older or newer
// daemon may send fewer or more fields than this evpnctl knows.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace evpnctl {

// bgp_views.cpp
std::string render_bgp_summary(const nlohmann::json& body);    // GET /v1/bgp/summary
std::string render_bgp_neighbors(const nlohmann::json& body);  // GET /v1/bgp/neighbors[/ADDR]
std::string render_evpn_routes(const nlohmann::json& body);    // GET /v1/bgp/evpn/routes

// unicast_views.cpp (issue 10: BGP instances in VRFs, ipv4/ipv6-unicast tables)
std::string render_bgp_vrfs(const nlohmann::json& body);         // GET /v1/bgp/vrfs
std::string render_bgp_vrf_summary(const nlohmann::json& body);  // GET /v1/bgp/vrfs/NAME/neighbors
std::string render_unicast_routes(const nlohmann::json& body);   // GET /v1/bgp/[vrfs/NAME/]ipv4|ipv6/routes
std::string render_unicast_prefix(const nlohmann::json& body);   // the same with prefix=P (FRR's detail)

// evpn_views.cpp
std::string render_evpn_vnis(const nlohmann::json& body);        // GET /v1/evpn/vnis
std::string render_evpn_macs(const nlohmann::json& body);        // GET /v1/evpn/macs
std::string render_evpn_arp_cache(const nlohmann::json& body);   // GET /v1/evpn/arp-cache
std::string render_evpn_vteps(const nlohmann::json& body);       // GET /v1/evpn/vteps
std::string render_evpn_vrfs(const nlohmann::json& body);        // GET /v1/evpn/vrfs
std::string render_evpn_rmacs(const nlohmann::json& body);       // GET /v1/evpn/rmacs
std::string render_vrf_routes(const nlohmann::json& body);       // GET /v1/vrfs/NAME/routes
std::string render_evpn_dup_addr(const nlohmann::json& body);    // GET /v1/evpn/dup-addr

// segment_views.cpp (issue 11: run-time segments and endpoints)
std::string render_evpn_vni_state(const nlohmann::json& body);   // GET /v1/evpn/vnis/N (VNI-STATE)
std::string render_evpn_endpoints(const nlohmann::json& body);   // GET /v1/evpn/endpoints

// es_views.cpp
std::string render_evpn_es(const nlohmann::json& body);          // GET /v1/evpn/es
std::string render_evpn_es_detail(const nlohmann::json& body);   // GET /v1/evpn/es[/ESI|NAME]
std::string render_evpn_es_evi(const nlohmann::json& body);      // GET /v1/evpn/es-evi

// reload_view.cpp
std::string render_reload(const nlohmann::json& body);           // POST /v1/config/reload

// Field helpers shared by the views. Strings come back printable() (table.hpp): no control
// characters reach the terminal.
std::string field(const nlohmann::json& obj, const char* key);     // scalar as text, "-" if absent
std::string join_field(const nlohmann::json& obj, const char* key, const char* sep = ",");  // array
const nlohmann::json& list_field(const nlohmann::json& obj, const char* key);  // array or empty
// Seconds as FRR prints Up/Down: "00:04:05", "3d02h11m", "12w1d03h"; "never" for absent/0.
std::string format_uptime(const nlohmann::json& seconds);
// AS_PATH from the API's JSON in FRR notation: "65001 {65003,65004} (65010)".
std::string format_as_path(const nlohmann::json& path);

}  // namespace evpnctl

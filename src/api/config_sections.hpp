// Section parsers shared by config.cpp (globals, neighbors) and config_evpn.cpp (VTEP, VNIs,
// VRFs). Internal to the api library.
#pragma once

#include "api/config.hpp"
#include "api/config_reader.hpp"

namespace evpnd::api::detail {

void parse_neighbors(const ConfigReader& r, const YAML::Node& seq, Config& cfg);

// Neighbours (config_neighbor.cpp). The scope says where they are: the local AS they peer from
// (eBGP/iBGP checks), the global send-hold-time they inherit, and whether they are a VRF's
// (families default to [ipv4-unicast] and l2vpn-evpn is refused).
struct NeighborScope {
  Asn local_as = 0;
  std::optional<uint32_t> send_hold_time;
  bool in_vrf = false;
};
NeighborConfig parse_neighbor(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                              const NeighborScope& scope);
// A list of neighbours; duplicate addresses are refused.
std::vector<NeighborConfig> parse_neighbor_list(const ConfigReader& r, const YAML::Node& seq, const std::string& path,
                                                const NeighborScope& scope);
ListenRangeConfig parse_listen_range(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                                     const NeighborScope& scope);
void check_send_hold(const ConfigReader& r, const YAML::Node& at, const std::string& path, uint32_t send_hold,
                     const NeighborConfig& n);
// A VRF's BGP keys (config_vrf_bgp.cpp): neighbors, listen-ranges, asn, advertise-unicast,
// gateway-ip, export-evpn. `m` is the VRF's map; `cfg` has the global asn and send-hold-time.
void parse_vrf_bgp(const ConfigReader& r, const MapReader& m, const Config& cfg, VrfConfig& v);
// The global `advertise:` list.
void parse_advertise(const ConfigReader& r, const YAML::Node& seq, Config& cfg);
void parse_vtep(const ConfigReader& r, const YAML::Node& node, Config& cfg);
void parse_dad(const ConfigReader& r, const YAML::Node& node, Config& cfg);
void parse_l2vnis(const ConfigReader& r, const YAML::Node& seq, Config& cfg);
void parse_vrfs(const ConfigReader& r, const YAML::Node& seq, Config& cfg);
// After l2vnis and vrfs (attachments are checked against their VNIs and devices): config_es.cpp.
void parse_ethernet_segments(const ConfigReader& r, const YAML::Node& seq, Config& cfg);
void parse_es_timers(const ConfigReader& r, const YAML::Node& node, Config& cfg);
// Route targets: { import: [..], export: [..], both: [..] }.
void parse_route_targets(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                         std::vector<RouteTarget>& import_rts, std::vector<RouteTarget>& export_rts);


}  // namespace evpnd::api::detail

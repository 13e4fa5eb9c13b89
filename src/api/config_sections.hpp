// Section parsers shared by config.cpp (globals, neighbors) and config_evpn.cpp (VTEP, VNIs,
// VRFs). Internal to the api library.
#pragma once

#include "api/config.hpp"
#include "api/config_reader.hpp"

namespace evpnd::api::detail {

void parse_neighbors(const ConfigReader& r, const YAML::Node& seq, Config& cfg);
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

// BGP inside a VRF (issue 10; FRR's `router bgp ASN vrf NAME`): `vrfs[].neighbors`,
// `vrfs[].listen-ranges`, `vrfs[].asn`, the redistribution switches, and the global
// `advertise:` list. Schema: docs/CONFIG.md "BGP inside a VRF".
#include <map>

#include "api/config.hpp"
#include "api/config_reader.hpp"
#include "api/config_sections.hpp"

namespace evpnd::api::detail {
namespace {

constexpr uint64_t kMaxAsn = 4294967295ull;

// Listen ranges of one VRF must not overlap: an accepted connection must get exactly one
// range's settings (FRR takes the first range that matches, so there the result depends on
// the order of the lines). Two prefixes overlap exactly when one contains the other, so each
// range looks up its strict supernets (at most 128 lookups) among all the ranges: n log n, not
// pairwise, for any number of ranges.
void check_overlap(const ConfigReader& r, const YAML::Node& seq, const std::string& path,
                   const std::vector<ListenRangeConfig>& ranges) {
  std::map<IpPrefix, size_t> first;
  for (size_t i = 0; i < ranges.size(); ++i)
    if (auto [it, fresh] = first.emplace(ranges[i].range, i); !fresh)
      r.fail(node_or(seq[i], "range"), index_path(path, i) + ".range",
             "duplicate listen range " + ranges[i].range.to_string() + " (also " + index_path(path, it->second) + ")");
  for (size_t i = 0; i < ranges.size(); ++i) {
    const IpPrefix& p = ranges[i].range;
    for (int len = 0; len < p.length(); ++len) {
      auto it = first.find(IpPrefix(p.address(), uint8_t(len)));
      if (it == first.end()) continue;
      r.fail(node_or(seq[i], "range"), index_path(path, i) + ".range",
             "listen range " + p.to_string() + " overlaps " + it->first.to_string() + " (" +
                 index_path(path, it->second) + "): a connecting peer must match one range only");
    }
  }
}

std::vector<ListenRangeConfig> parse_listen_ranges(const ConfigReader& r, const YAML::Node& seq, const std::string& path,
                                                   const NeighborScope& scope) {
  r.expect_sequence(seq, path);
  std::vector<ListenRangeConfig> out;
  for (size_t i = 0; i < seq.size(); ++i) out.push_back(parse_listen_range(r, seq[i], index_path(path, i), scope));
  check_overlap(r, seq, path, out);
  return out;
}

}  // namespace

void parse_vrf_bgp(const ConfigReader& r, const MapReader& m, const Config& cfg, VrfConfig& v) {
  // The AS first: the neighbours' eBGP/iBGP checks depend on it.
  if (m.has("asn")) v.asn = Asn(r.uint(m.get("asn"), m.path("asn"), 1, kMaxAsn));
  const NeighborScope scope{v.asn.value_or(cfg.asn), cfg.send_hold_time, true};
  if (m.has("neighbors")) v.neighbors = parse_neighbor_list(r, m.get("neighbors"), m.path("neighbors"), scope);
  if (m.has("listen-ranges"))
    v.listen_ranges = parse_listen_ranges(r, m.get("listen-ranges"), m.path("listen-ranges"), scope);
  // FRR: `advertise ipv4 unicast [gateway-ip]` under `address-family l2vpn evpn` of the VRF.
  if (m.has("advertise-unicast"))
    v.advertise_unicast = r.boolean(m.get("advertise-unicast"), m.path("advertise-unicast"));
  if (m.has("gateway-ip")) {
    v.gateway_ip = r.boolean(m.get("gateway-ip"), m.path("gateway-ip"));
    if (v.gateway_ip && !v.advertise_unicast)
      r.fail(m.get("gateway-ip"), m.path("gateway-ip"),
             "gateway-ip chooses how BGP unicast routes become type-5 routes (RFC 9136 §3.2); "
             "it needs advertise-unicast: true");
  }
  if (m.has("export-evpn")) v.export_evpn = r.boolean(m.get("export-evpn"), m.path("export-evpn"));
}

void parse_advertise(const ConfigReader& r, const YAML::Node& seq, Config& cfg) {
  r.expect_sequence(seq, "advertise");
  std::map<IpPrefix, size_t> seen;
  for (size_t i = 0; i < seq.size(); ++i) {
    const std::string path = index_path("advertise", i);
    IpPrefix p = r.prefix(seq[i], path);
    if (auto [it, fresh] = seen.emplace(p, i); !fresh)
      r.fail(seq[i], path, "duplicate prefix " + p.to_string() + " (also " + index_path("advertise", it->second) + ")");
    cfg.advertise.push_back(p);
  }
}

}  // namespace evpnd::api::detail

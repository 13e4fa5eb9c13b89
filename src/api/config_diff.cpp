// diff_config(): what a SIGHUP reload has to touch. Lists are matched by their key (neighbor
// address, VNI, VRF name) so reordering the file changes nothing.
#include <algorithm>
#include <map>

#include "api/config.hpp"

namespace evpnd::api {
namespace {

template <typename Key, typename Item, typename KeyFn>
void diff_list(const std::vector<Item>& before, const std::vector<Item>& after, KeyFn key,
               std::vector<Key>& added, std::vector<Key>& removed, std::vector<Key>& changed) {
  std::map<Key, const Item*> old_items, new_items;
  for (auto& i : before) old_items.emplace(key(i), &i);
  for (auto& i : after) new_items.emplace(key(i), &i);
  for (auto& [k, item] : new_items) {
    auto it = old_items.find(k);
    if (it == old_items.end()) {
      added.push_back(k);
    } else if (!(*it->second == *item)) {
      changed.push_back(k);
    }
  }
  for (auto& [k, item] : old_items)
    if (!new_items.count(k)) removed.push_back(k);
}

// The VRF without its BGP part: what the EVPN service and the data plane are built from.
VrfConfig evpn_part(VrfConfig v) {
  const VrfConfig defaults;
  v.neighbors.clear();
  v.listen_ranges.clear();
  v.asn.reset();
  v.advertise_unicast = defaults.advertise_unicast;
  v.gateway_ip = defaults.gateway_ip;
  v.export_evpn = defaults.export_evpn;
  return v;
}

std::vector<IpPrefix> sorted(std::vector<IpPrefix> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Listen ranges never overlap (the parser refuses it), so the range is their key.
std::vector<ListenRangeConfig> sorted(std::vector<ListenRangeConfig> v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.range < b.range; });
  return v;
}

}  // namespace

bool vrf_bgp_differs(const VrfConfig& a, const VrfConfig& b) {
  // Neighbours and ranges compared as sets (by address / range): reordering changes nothing.
  return !diff_neighbors(a.neighbors, b.neighbors).empty() || sorted(a.listen_ranges) != sorted(b.listen_ranges) || a.asn != b.asn ||
         a.advertise_unicast != b.advertise_unicast || a.gateway_ip != b.gateway_ip || a.export_evpn != b.export_evpn;
}

bool vrf_evpn_differs(const VrfConfig& a, const VrfConfig& b) { return !(evpn_part(a) == evpn_part(b)); }

NeighborDiff diff_neighbors(const std::vector<NeighborConfig>& before, const std::vector<NeighborConfig>& after) {
  NeighborDiff d;
  diff_list<IpAddress>(before, after, [](const NeighborConfig& n) { return n.address; }, d.added, d.removed, d.changed);
  return d;
}

bool ConfigDiff::empty() const {
  return !global_changed && !listen_changed && neighbors_added.empty() && neighbors_removed.empty() && neighbors_changed.empty() &&
         l2vnis_added.empty() && l2vnis_removed.empty() && l2vnis_changed.empty() && vrfs_added.empty() &&
         vrfs_removed.empty() && vrfs_changed.empty() && vrf_bgp_changed.empty() && !advertise_changed && !graceful_restart_changed && !log_level_changed &&
         !api_changed && !vtep_changed && !dad_changed && segments_added.empty() && segments_removed.empty() &&
         segments_changed.empty() && !es_timers_changed;
}

ConfigDiff diff_config(const Config& before, const Config& after) {
  ConfigDiff d;
  auto cluster = [](const Config& c) { return c.cluster_id.value_or(c.router_id); };
  d.global_changed = before.router_id != after.router_id || before.asn != after.asn ||
                     cluster(before) != cluster(after);
  d.listen_changed = before.listen_address != after.listen_address || before.listen_port != after.listen_port;
  d.graceful_restart_changed = !(before.graceful_restart == after.graceful_restart);
  d.log_level_changed = before.log_level != after.log_level;
  d.api_changed = before.api_socket != after.api_socket;
  d.vtep_changed = before.dataplane != after.dataplane || before.vtep_source != after.vtep_source ||
                   before.vxlan_port != after.vxlan_port || before.vrf_backend != after.vrf_backend ||
                   before.rt_auto != after.rt_auto || before.remove_entries_on_stop != after.remove_entries_on_stop ||
                   before.default_encap_vxlan != after.default_encap_vxlan;
  d.dad_changed = !(before.dad == after.dad);
  diff_list<IpAddress>(before.neighbors, after.neighbors, [](const NeighborConfig& n) { return n.address; },
                       d.neighbors_added, d.neighbors_removed, d.neighbors_changed);
  diff_list<Vni>(before.l2vnis, after.l2vnis, [](const L2VniConfig& l) { return l.vni; }, d.l2vnis_added,
                 d.l2vnis_removed, d.l2vnis_changed);
  {
    std::vector<std::string> changed;  // any change; split below into EVPN and BGP ones
    diff_list<std::string>(before.vrfs, after.vrfs, [](const VrfConfig& v) { return v.name; }, d.vrfs_added,
                           d.vrfs_removed, changed);
    std::map<std::string, const VrfConfig*> old_vrfs, new_vrfs;
    for (auto& v : before.vrfs) old_vrfs.emplace(v.name, &v);
    for (auto& v : after.vrfs) new_vrfs.emplace(v.name, &v);
    for (const auto& name : changed) {
      const VrfConfig& a = *old_vrfs.at(name);
      const VrfConfig& b = *new_vrfs.at(name);
      if (vrf_evpn_differs(a, b)) d.vrfs_changed.push_back(name);
      if (vrf_bgp_differs(a, b)) d.vrf_bgp_changed.push_back(name);
    }
  }
  d.advertise_changed = sorted(before.advertise) != sorted(after.advertise);
  diff_list<std::string>(before.ethernet_segments, after.ethernet_segments,
                         [](const EthernetSegmentConfig& e) { return e.name; }, d.segments_added, d.segments_removed,
                         d.segments_changed);
  d.es_timers_changed = !(before.es_timers == after.es_timers);
  return d;
}

}  // namespace evpnd::api

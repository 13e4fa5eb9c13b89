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

}  // namespace

bool ConfigDiff::empty() const {
  return !global_changed && !listen_changed && neighbors_added.empty() && neighbors_removed.empty() && neighbors_changed.empty() &&
         l2vnis_added.empty() && l2vnis_removed.empty() && l2vnis_changed.empty() && vrfs_added.empty() &&
         vrfs_removed.empty() && vrfs_changed.empty() && !graceful_restart_changed && !log_level_changed &&
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
  diff_list<std::string>(before.vrfs, after.vrfs, [](const VrfConfig& v) { return v.name; }, d.vrfs_added,
                         d.vrfs_removed, d.vrfs_changed);
  diff_list<std::string>(before.ethernet_segments, after.ethernet_segments,
                         [](const EthernetSegmentConfig& e) { return e.name; }, d.segments_added, d.segments_removed,
                         d.segments_changed);
  d.es_timers_changed = !(before.es_timers == after.es_timers);
  return d;
}

}  // namespace evpnd::api

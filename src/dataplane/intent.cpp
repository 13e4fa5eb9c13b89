#include "dataplane/intent.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace evpnd::dataplane {
namespace {

template <class... Ts>
struct Overload : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overload(Ts...) -> Overload<Ts...>;

const char* state_name(NeighState s) {
  switch (s) {
    case NeighState::kIncomplete: return "incomplete";
    case NeighState::kReachable: return "reachable";
    case NeighState::kStale: return "stale";
    case NeighState::kDelay: return "delay";
    case NeighState::kProbe: return "probe";
    case NeighState::kFailed: return "failed";
    case NeighState::kNoarp: return "noarp";
    case NeighState::kPermanent: return "permanent";
  }
  return "?";
}

std::string join(const std::vector<IpAddress>& v) {
  std::string s;
  for (const auto& a : v) {
    if (!s.empty()) s.push_back(',');
    s.append(a.to_string());
  }
  return s;
}

}  // namespace

std::string to_string(IntentKind k) {
  switch (k) {
    case IntentKind::kL2Vni: return "l2vni";
    case IntentKind::kL3Vni: return "l3vni";
    case IntentKind::kSviAddress: return "svi-address";
    case IntentKind::kRemoteMac: return "remote-mac";
    case IntentKind::kFloodEntry: return "flood-entry";
    case IntentKind::kRemoteNeighbour: return "remote-neighbour";
    case IntentKind::kRemoteRmac: return "remote-rmac";
    case IntentKind::kVrfRoute: return "vrf-route";
    case IntentKind::kFdbNexthop: return "fdb-nexthop";
    case IntentKind::kFdbNexthopGroup: return "fdb-nexthop-group";
    case IntentKind::kEsAttachment: return "es-attachment";
    case IntentKind::kSyncedMac: return "synced-mac";
  }
  return "?";
}

std::string to_string(const Intent& i) {
  std::string body = std::visit(
      Overload{
          [](const L2Vni& o) {
            return fmt::format("vni {} {}/{} local {} netns '{}'", o.vni, o.vxlan_device, o.bridge,
                               o.local_vtep.to_string(), o.netns);
          },
          [](const L3Vni& o) {
            return fmt::format("vrf {} l3vni {} {}/{} rmac {}", o.name, o.l3vni, o.vxlan_device,
                               o.bridge, o.router_mac.to_string());
          },
          [](const SviAddress& o) { return fmt::format("vni {} {}/{}", o.vni, o.address.to_string(), o.prefix_len); },
          [](const RemoteMac& o) {
            return fmt::format("vni {} {} -> {}{}{}", o.vni, o.mac.to_string(), o.vtep.to_string(),
                               o.nhid ? fmt::format(" nhid {}", o.nhid) : "", o.sticky ? " sticky" : "");
          },
          [](const FloodEntry& o) { return fmt::format("vni {} -> {}", o.vni, o.vtep.to_string()); },
          [](const RemoteNeighbour& o) {
            return fmt::format("vni {} {} lladdr {}", o.vni, o.ip.to_string(), o.mac.to_string());
          },
          [](const RemoteRmac& o) {
            return fmt::format("l3vni {} {} rmac {}", o.l3vni, o.vtep.to_string(), o.rmac.to_string());
          },
          [](const VrfRoute& o) {
            return fmt::format("l3vni {} {} via {}", o.l3vni, o.prefix.to_string(), join(o.nexthops));
          },
          [](const FdbNexthop& o) { return fmt::format("id {} via {}", o.id, o.vtep.to_string()); },
          [](const FdbNexthopGroup& o) { return fmt::format("id {} group {}", o.id, fmt::join(o.members, "/")); },
          [](const EsAttachment& o) {
            return fmt::format("vni {} port {} esi {}{}{} peers {}{}", o.vni, o.port, o.esi.to_string(),
                               o.non_df ? " non-df" : " df", o.blocked ? " blocked" : "", join(o.peer_vteps),
                               o.backup_nhid ? fmt::format(" backup-nhid {}", o.backup_nhid) : "");
          },
          [](const SyncedMac& o) { return fmt::format("vni {} {} port {}", o.vni, o.mac.to_string(), o.port); },
      },
      i.object);
  return fmt::format("{} {} {}", i.action == Action::kAdd ? "add" : "del", to_string(i.kind()), body);
}

std::string to_string(const DataplaneEvent& e) {
  return std::visit(
      Overload{
          [](const LocalMacLearned& o) {
            return fmt::format("mac-learned vni {} {} port {}{}", o.vni, o.mac.to_string(), o.port,
                               o.is_static ? " static" : "");
          },
          [](const LocalMacAged& o) { return fmt::format("mac-aged vni {} {}", o.vni, o.mac.to_string()); },
          [](const LocalNeighbourLearned& o) {
            return fmt::format("neigh-learned vni {} {} lladdr {} {}", o.vni, o.ip.to_string(),
                               o.mac.to_string(), state_name(o.state));
          },
          [](const LocalNeighbourRemoved& o) {
            return fmt::format("neigh-removed vni {} {}", o.vni, o.ip.to_string());
          },
          [](const LinkChanged& o) {
            return fmt::format("link {} '{}' {} ifindex {}{}", o.removed ? "removed" : "changed", o.netns,
                               o.name, o.ifindex, o.up ? " up" : " down");
          },
          [](const ResyncNeeded& o) { return fmt::format("resync-needed '{}': {}", o.netns, o.reason); },
          [](const OwnedEntryRemoved& o) { return "owned-removed " + to_string(Intent::del(o.object)).substr(4); },
      },
      e);
}

std::vector<IntentObject> installed_objects(const DataplaneState& s) {
  std::vector<IntentObject> out;
  auto put = [&](const auto& v) { out.insert(out.end(), v.begin(), v.end()); };
  put(s.l3vnis), put(s.l2vnis), put(s.svi_addresses);
  put(s.fdb_nexthops), put(s.fdb_nexthop_groups);
  put(s.remote_rmacs), put(s.remote_macs), put(s.flood_entries), put(s.remote_neighbours), put(s.routes);
  put(s.synced_macs), put(s.es_attachments);
  return out;
}

}  // namespace evpnd::dataplane

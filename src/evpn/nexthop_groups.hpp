// FDB nexthop groups towards remote VTEPs (kernel `ip nexthop ... fdb`; multihoming.md §5): the
// one allocator of nexthop ids in [kFdbNexthopIdBase, kFdbNexthopIdEnd) for everything EVPN
// installs, so one VTEP has one FdbNexthop whoever uses it.
//
// Users:
//   * remote Ethernet segments (remote_es.hpp): one group per <ESI, VNI> of the segment's active
//     PEs (aliasing, RFC 7432 §8.4/§14.1.2) or the primary/backup PE (§14.1.1); every MAC of the
//     segment points at it, so a change of PEs is one group replace (mass withdraw, §8.2);
//   * local Ethernet segments (ethernet_segment.hpp): the segment's peer PEs, the fast-failover
//     backup of an attachment (dataplane::EsAttachment::backup_nhid).
// A group is named by an NhgKey; acquire() takes a reference (creating the group or re-pointing
// it), release() drops one. FdbNexthops are refcounted by the groups that list them.
//
// Intent order (a provider, like the kernel, refuses a group naming a missing nexthop, a MAC
// naming a missing group, and deleting what is still referenced: FakeDataplane answers ENOENT /
// EBUSY): every call returns its intents already ordered as nexthop adds, the group add/replace,
// then deletes of nexthops no group uses any more. The caller puts acquire()/update() intents
// before the MACs that use the group, and release() intents (group delete, then its nexthops)
// after the MACs that used it are deleted or re-pointed.
// Ids: the lowest id above the last one handed out that is free (wrapping), so an id freed in
// one Output is not reused by the next allocation of the same Output (which would reorder a
// delete and an add of the same id).
// NOTE threading: single-threaded (EvpnService's). Pure: no I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/types.hpp"
#include "dataplane/intent.hpp"

namespace evpnd::evpn {

enum class NhgUse : uint8_t {
  kRemoteEs,    // MACs behind a remote segment (remote_es.hpp)
  kLocalPeers,  // a local segment's peer PEs (fast failover backup)
};

struct NhgKey {
  NhgUse use = NhgUse::kRemoteEs;
  Esi esi;
  Vni vni = 0;         // 0 when the group is not per VNI
  IpAddress primary;   // kRemoteEs: the MAC's advertiser when the group is specific to it
                       // (single-active primary, or an advertiser outside the active set)
  auto operator<=>(const NhgKey&) const = default;
  bool operator==(const NhgKey&) const = default;
};

class NexthopGroups {
 public:
  struct Acquired {
    uint32_t id = 0;                          // 0: nothing acquired (no VTEPs given)
    std::vector<dataplane::Intent> intents;   // nexthop adds, group add/replace, nexthop deletes
  };

  // Takes one reference on group `key` and makes its members `vteps` (order and duplicates do
  // not matter; our own VTEP must not be among them). An empty `vteps` acquires nothing (id 0):
  // the kernel refuses an empty group.
  Acquired acquire(const NhgKey& key, const std::vector<IpAddress>& vteps);
  // Re-points an existing group without taking a reference; the intents are empty when the
  // members are unchanged, or when `vteps` is empty (the group keeps its members: the caller
  // removes its users, then releases it), or when the group does not exist.
  std::vector<dataplane::Intent> update(const NhgKey& key, const std::vector<IpAddress>& vteps);
  // Drops one reference; at zero the group is deleted, then every nexthop no group uses.
  std::vector<dataplane::Intent> release(const NhgKey& key);

  std::optional<uint32_t> id(const NhgKey& key) const;
  std::vector<IpAddress> members(const NhgKey& key) const;     // empty when unknown
  std::optional<uint32_t> nexthop_id(const IpAddress& vtep) const;
  uint32_t refs(const NhgKey& key) const;
  size_t groups() const { return groups_.size(); }
  size_t nexthops() const { return nexthops_.size(); }
  // Every group and nexthop as intents (adds), nexthops first: what should be installed.
  std::vector<dataplane::Intent> desired() const;

 private:
  struct Group {
    uint32_t id = 0;
    uint32_t refs = 0;
    std::vector<IpAddress> members;  // sorted, unique
  };
  struct Nexthop {
    uint32_t id = 0;
    uint32_t refs = 0;  // groups listing it
  };

  uint32_t allocate();
  // Sets `g`'s members to `vteps` (sorted, unique, non-empty): nexthop adds, the group
  // add/replace, nexthop deletes appended to `out`.
  void repoint(Group& g, std::vector<IpAddress> vteps, std::vector<dataplane::Intent>& out);
  dataplane::FdbNexthopGroup group_intent(const Group& g) const;

  std::map<NhgKey, Group> groups_;
  std::map<IpAddress, Nexthop> nexthops_;
  std::set<uint32_t> used_;
  uint32_t last_ = dataplane::kFdbNexthopIdBase - 1;
};

}  // namespace evpnd::evpn

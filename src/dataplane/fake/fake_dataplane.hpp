// FakeDataplane: an in-memory Dataplane for unit tests of EVPN/engine code and for the
// route-reflector role (dataplane: none/fake), where intents are accepted but nothing is forwarded.
//
// NOTE semantics mirror the Linux provider where it matters to callers:
//   - objects under a VNI need that L2Vni/L3Vni ensured first, else ENODEV for that intent;
//   - kAdd replaces, kDelete of something absent succeeds; removing a VNI removes what is under it;
//   - a RemoteMac installed over a locally learned MAC takes it over (LocalMacAged is queued),
//     and a local learn over a remote MAC takes the bridge entry back (the kernel's
//     br_fdb_update() "take over extern_learn entry" path);
//   - fdb nexthops/groups: a group's members and a RemoteMac's nhid must exist (ENOENT, as the
//     kernel says); deleting a nexthop still in a group or a group still used by a MAC is EBUSY
//     here, stricter than the kernel (which silently shrinks the group or flushes the MACs,
//     vxlan_fdb_nh_flush): the owner must remove references first, and tests catch it if not;
//   - a VrfRoute via CEs (local) needs no RemoteRmac (neither does one via VTEPs here) and is
//     refused with EAFNOSUPPORT when a next hop is of the other family (Linux would need RTA_VIA);
//     it shares the (l3vni, prefix) key with routes via VTEPs: one kernel route per prefix;
//   - mutations() counts real state changes, so idempotence is testable (apply twice -> +0).
// NOTE threading: single-threaded like every provider.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "dataplane/dataplane.hpp"

namespace evpnd::dataplane {

class FakeDataplane final : public Dataplane {
 public:
  ApplyResult apply(std::span<const Intent> batch) override;
  std::vector<int> event_fds() const override { return {}; }
  size_t poll_events(std::vector<DataplaneEvent>& out) override;
  tl::expected<DataplaneState, DataplaneError> dump() override;
  ReconcileReport reconcile(std::span<const Intent> desired) override;

  // Test hooks: simulate what the kernel would report. Local state is updated and the matching
  // event queued (events for unknown VNIs are dropped, as the Linux provider does).
  void learn_local_mac(Vni vni, const Mac& mac, const std::string& port, bool is_static = false);
  void age_local_mac(Vni vni, const Mac& mac);
  void learn_local_neighbour(Vni vni, const IpAddress& ip, const Mac& mac,
                             NeighState state = NeighState::kReachable);
  void remove_local_neighbour(Vni vni, const IpAddress& ip);
  void inject(DataplaneEvent e) { events_.push_back(std::move(e)); }  // raw, unchecked
  // Another process deletes `o` (an entry, or the devices of an L2Vni/L3Vni with everything
  // under them): removed here and OwnedEntryRemoved queued, as the Linux monitor reports it.
  void remove_behind_back(const IntentObject& o);
  // Makes the next apply() fail the intent at `index` of that batch with `error` (fault tests).
  void fail_next(size_t index, int error) { fail_index_ = index, fail_error_ = error; }

  // Inspection.
  size_t mutations() const { return mutations_; }
  const std::map<Vni, L2Vni>& l2vnis() const { return l2vnis_; }
  const std::map<Vni, L3Vni>& l3vnis() const { return l3vnis_; }
  const RemoteMac* remote_mac(Vni vni, const Mac& mac) const;
  bool has_flood_entry(Vni vni, const IpAddress& vtep) const { return flood_.count({vni, vtep}) > 0; }
  const RemoteNeighbour* remote_neighbour(Vni vni, const IpAddress& ip) const;
  const RemoteRmac* remote_rmac(Vni l3vni, const IpAddress& vtep) const;
  const VrfRoute* route(Vni l3vni, const IpPrefix& prefix) const;
  // The object installed under the same key as `o` (RemoteRmac: an empty VTEP matches by RMAC,
  // as a deleted bridge FDB entry carries no VTEP), or nothing.
  std::optional<IntentObject> find(const IntentObject& o) const;
  bool has_svi_address(Vni vni, const IpAddress& a, uint8_t len) const { return svi_.count({vni, a, len}) > 0; }
  size_t remote_mac_count() const { return macs_.size(); }
  // Multihoming objects (nexthop ids; attachments by VNI and port; synced MACs by VNI and MAC).
  const std::map<uint32_t, FdbNexthop>& fdb_nexthops() const { return nexthops_; }
  const std::map<uint32_t, FdbNexthopGroup>& fdb_nexthop_groups() const { return groups_; }
  const std::map<std::tuple<Vni, std::string>, EsAttachment>& es_attachments() const { return es_attachments_; }
  const std::map<std::tuple<Vni, Mac>, SyncedMac>& synced_macs() const { return synced_macs_; }
  size_t local_mac_count() const { return local_macs_.size(); }

 private:
  int apply_one(const Intent& i);  // 0 or errno
  bool known_l2(Vni v) const { return l2vnis_.count(v) > 0; }
  bool known_l3(Vni v) const { return l3vnis_.count(v) > 0; }
  template <class Map, class Key, class Val>
  void put(Map& m, const Key& k, const Val& v);
  template <class Map, class Key>
  void erase(Map& m, const Key& k);
  void drop_vni(Vni vni);

  std::map<Vni, L2Vni> l2vnis_;
  std::map<Vni, L3Vni> l3vnis_;
  std::map<std::tuple<Vni, IpAddress, uint8_t>, SviAddress> svi_;
  std::map<std::tuple<Vni, Mac>, RemoteMac> macs_;
  std::map<std::tuple<Vni, IpAddress>, FloodEntry> flood_;
  std::map<std::tuple<Vni, IpAddress>, RemoteNeighbour> neighs_;
  std::map<std::tuple<Vni, IpAddress>, RemoteRmac> rmacs_;
  std::map<std::tuple<Vni, IpPrefix>, VrfRoute> routes_;
  std::map<uint32_t, FdbNexthop> nexthops_;          // not per VNI: shared by a segment's VNIs
  std::map<uint32_t, FdbNexthopGroup> groups_;
  std::map<std::tuple<Vni, std::string>, EsAttachment> es_attachments_;
  std::map<std::tuple<Vni, Mac>, SyncedMac> synced_macs_;
  std::map<std::tuple<Vni, Mac>, LocalMacLearned> local_macs_;
  std::map<std::tuple<Vni, IpAddress>, LocalNeighbourLearned> local_neighs_;
  std::deque<DataplaneEvent> events_;
  size_t mutations_ = 0;
  std::optional<size_t> fail_index_;
  int fail_error_ = 0;
};

}  // namespace evpnd::dataplane

// DataplaneIo with the in-memory fake provider: results of intents reach the retry queue and
// the per-VNI status, entries and devices removed behind our back are re-asserted, our own
// deletions are not. Retries run with a zero backoff and are triggered by hand (run_retries),
// so nothing here depends on time.
#include "daemon/dataplane_io.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace evpnd::daemon {
namespace {

using namespace dataplane;
using namespace std::chrono_literals;

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Mac mac(const char* s) { return *Mac::parse(s); }

L2Vni l2vni(Vni vni) {
  L2Vni v;
  v.vni = vni;
  v.vxlan_device = "vxlan" + std::to_string(vni);
  v.bridge = "br" + std::to_string(vni);
  v.local_vtep = ip("10.255.0.1");
  return v;
}

const RemoteMac kMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")};
const FloodEntry kFlood{100, ip("10.255.0.2")};
const RemoteNeighbour kNeigh{100, ip("192.168.100.12"), mac("02:00:00:00:02:10")};
const SviAddress kSvi{100, ip("192.168.100.1"), 24};

struct Rig {
  asio::io_context io;
  FakeDataplane* fake = nullptr;
  std::vector<DataplaneEvent> events;
  std::vector<std::map<Vni, VniDataplaneStatus>> statuses;
  std::unique_ptr<DataplaneIo> dio;

  Rig() {
    auto f = std::make_unique<FakeDataplane>();
    fake = f.get();
    dio = std::make_unique<DataplaneIo>(
        io, std::move(f), [this](std::vector<DataplaneEvent>&& e) { events.insert(events.end(), e.begin(), e.end()); },
        [this](const std::map<Vni, VniDataplaneStatus>& s) { statuses.push_back(s); },
        RetryPolicy{0ms, 0ms, 60s});
  }
  void install(std::vector<Intent> b) {
    dio->submit(std::move(b));
    dio->flush();
  }
  VniDataplaneStatus status(Vni v) const {
    auto it = dio->vni_status().find(v);
    return it == dio->vni_status().end() ? VniDataplaneStatus{} : it->second;
  }
};

TEST(DataplaneIo_Drift, EntryRemovedBehindOurBack_ReassertedAndReported) {
  Rig r;
  r.install({Intent::add(l2vni(100)), Intent::add(kMac), Intent::add(kFlood)});
  r.fake->remove_behind_back(RemoteMac{100, kMac.mac, {}});  // a bridge entry carries no VTEP
  r.fake->remove_behind_back(kFlood);
  r.dio->poll_now();
  EXPECT_TRUE(r.events.empty()) << "drift notices are the daemon's, not the engine's";
  EXPECT_EQ(r.status(100).state, VniHealth::kRetrying);
  EXPECT_EQ(r.status(100).pending, 2u);
  EXPECT_EQ(r.status(100).drifts, 2u);
  EXPECT_EQ(r.dio->retries().counters(IntentKind::kRemoteMac).drifts, 1u);
  EXPECT_EQ(r.dio->retries().pending(IntentKind::kFloodEntry), 1u);
  r.dio->run_retries();
  ASSERT_NE(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_EQ(*r.fake->remote_mac(100, kMac.mac), kMac);  // as wanted, VTEP included
  EXPECT_TRUE(r.fake->has_flood_entry(100, kFlood.vtep));
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
  EXPECT_EQ(r.status(100).pending, 0u);
  EXPECT_EQ(r.dio->retries().counters(IntentKind::kRemoteMac).retries, 1u);
  // The engine heard every change of the VNI's health: retrying, then ok.
  ASSERT_GE(r.statuses.size(), 2u);
  EXPECT_EQ(r.statuses.front().at(100).state, VniHealth::kRetrying);
  EXPECT_EQ(r.statuses.back().at(100).state, VniHealth::kOk);
}

TEST(DataplaneIo_Drift, OwnDeletionEcho_NotReasserted) {
  Rig r;
  r.install({Intent::add(l2vni(100)), Intent::add(kFlood)});
  r.install({Intent::del(kFlood)});
  r.fake->inject(OwnedEntryRemoved{kFlood});  // the kernel's echo of our delete
  r.dio->poll_now();
  r.dio->run_retries();
  EXPECT_FALSE(r.fake->has_flood_entry(100, kFlood.vtep));
  EXPECT_EQ(r.dio->counters().own_removals, 1u);
  EXPECT_FALSE(r.dio->retries().any_pending());
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
}

TEST(DataplaneIo_Retry, FailedAdd_RetriedUntilInstalled) {
  Rig r;
  r.install({Intent::add(l2vni(100))});
  r.fake->fail_next(0, ENODEV);
  r.install({Intent::add(kMac)});
  EXPECT_EQ(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_EQ(r.status(100).state, VniHealth::kRetrying);
  EXPECT_EQ(r.status(100).failures, 1u);
  EXPECT_NE(r.status(100).last_error.find("02:00:00:00:02:10"), std::string::npos) << r.status(100).last_error;
  EXPECT_EQ(r.dio->counters().intent_errors, 1u);
  r.fake->fail_next(0, ENODEV);  // fails again: still retrying
  r.dio->run_retries();
  EXPECT_EQ(r.status(100).state, VniHealth::kRetrying);
  EXPECT_EQ(r.dio->retries().counters(IntentKind::kRemoteMac).failures, 2u);
  r.dio->run_retries();
  EXPECT_NE(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
}

TEST(DataplaneIo_Retry, FailedAddWithdrawnMeanwhile_NotRetried) {
  Rig r;
  r.install({Intent::add(l2vni(100))});
  r.fake->fail_next(0, ENODEV);
  r.install({Intent::add(kMac)});
  r.install({Intent::del(kMac)});  // EVPN withdrew it before the retry
  r.dio->run_retries();
  EXPECT_EQ(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_FALSE(r.dio->retries().any_pending());
}

TEST(DataplaneIo_Drift, DeviceDeleted_RecreatedWithEverythingUnderIt) {
  Rig r;
  r.install({Intent::add(l2vni(100)), Intent::add(kSvi), Intent::add(kMac), Intent::add(kFlood), Intent::add(kNeigh)});
  r.fake->remove_behind_back(l2vni(100));
  r.dio->poll_now();
  EXPECT_EQ(r.status(100).state, VniHealth::kDeviceMissing);
  // Recreating fails once (say a foreign device holds the name): still missing, and the entries
  // are not tried against a device that does not exist.
  r.fake->fail_next(0, EEXIST);
  r.dio->run_retries();
  EXPECT_EQ(r.status(100).state, VniHealth::kDeviceMissing);
  EXPECT_TRUE(r.fake->l2vnis().empty());
  EXPECT_EQ(r.dio->retries().counters(IntentKind::kRemoteMac).retries, 0u);
  r.dio->run_retries();
  EXPECT_EQ(r.fake->l2vnis().count(100), 1u);
  EXPECT_NE(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_TRUE(r.fake->has_flood_entry(100, kFlood.vtep));
  EXPECT_NE(r.fake->remote_neighbour(100, kNeigh.ip), nullptr);
  EXPECT_TRUE(r.fake->has_svi_address(100, kSvi.address, kSvi.prefix_len));
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
  EXPECT_EQ(r.status(100).drifts, 1u);
  EXPECT_EQ(r.status(100).failures, 1u);
}

TEST(DataplaneIo_Drift, DeviceDeleted_EsAttachmentsAndSyncedMacsReasserted) {
  Rig r;
  const uint32_t nh = kFdbNexthopIdBase + 1, grp = kFdbNexthopIdBase + 100;
  const RemoteMac aliased{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, grp};
  const SyncedMac synced{100, mac("02:00:00:00:0b:01"), "es1-100"};
  EsAttachment att{100, "es1-100"};
  att.backup_nhid = grp;
  r.install({Intent::add(l2vni(100)), Intent::add(FdbNexthop{nh, ip("10.255.0.2")}),
             Intent::add(FdbNexthopGroup{grp, {nh}}), Intent::add(aliased), Intent::add(synced), Intent::add(att)});
  r.fake->remove_behind_back(l2vni(100));
  r.dio->poll_now();
  EXPECT_TRUE(r.fake->es_attachments().empty());
  r.dio->run_retries();
  EXPECT_EQ(r.fake->es_attachments().size(), 1u);
  EXPECT_EQ(r.fake->synced_macs().size(), 1u);
  EXPECT_NE(r.fake->remote_mac(100, aliased.mac), nullptr);
  EXPECT_EQ(r.fake->fdb_nexthop_groups().size(), 1u);  // nexthops live beside the devices
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
}

// The multihoming objects the daemon installed, as one batch in dependency order.
std::vector<Intent> multihoming_batch() {
  const uint32_t nh = kFdbNexthopIdBase + 1, grp = kFdbNexthopIdBase + 100;
  EsAttachment att{100, "es1-100"};
  att.non_df = true;
  att.peer_vteps = {ip("10.255.0.2")};
  att.backup_nhid = grp;
  return {Intent::add(l2vni(100)), Intent::add(FdbNexthop{nh, ip("10.255.0.2")}),
          Intent::add(FdbNexthopGroup{grp, {nh}}),
          Intent::add(RemoteMac{100, mac("02:00:00:00:0a:01"), ip("10.255.0.2"), false, grp}),
          Intent::add(SyncedMac{100, mac("02:00:00:00:0b:01"), "es1-100"}), Intent::add(att)};
}

TEST(DataplaneIo_Reconcile, MultihomingObjectsAreDesired_NothingRemoved) {
  // The start-up reconcile once left them out of the desired set and deleted every ES filter,
  // nexthop group and synced MAC installed before it (BUM duplicated at the dual-homed host).
  Rig r;
  r.install(multihoming_batch());
  auto rep = r.dio->reconcile_desired();
  EXPECT_EQ(rep.removed, 0u);
  EXPECT_EQ(rep.added, 0u);
  EXPECT_TRUE(rep.errors.empty());
  EXPECT_EQ(r.fake->es_attachments().size(), 1u);
  EXPECT_EQ(r.fake->synced_macs().size(), 1u);
  EXPECT_EQ(r.fake->fdb_nexthop_groups().size(), 1u);
  EXPECT_EQ(r.fake->fdb_nexthops().size(), 1u);
}

TEST(DataplaneIo_Stop, RemoveEntries_MultihomingObjectsGoInDependencyOrder) {
  // on-stop: remove. The fake refuses (EBUSY) a group still used by a MAC or a nexthop still in
  // a group, so a wrong order leaves something behind.
  Rig r;
  r.install(multihoming_batch());
  r.dio->remove_entries();
  EXPECT_EQ(r.fake->remote_mac_count(), 0u);
  EXPECT_TRUE(r.fake->es_attachments().empty());
  EXPECT_TRUE(r.fake->synced_macs().empty());
  EXPECT_TRUE(r.fake->fdb_nexthop_groups().empty());
  EXPECT_TRUE(r.fake->fdb_nexthops().empty());
}

TEST(DataplaneIo_Reconcile, FailuresOfTheReconcile_Retried) {
  Rig r;
  r.install({Intent::add(l2vni(100)), Intent::add(kMac)});
  r.fake->remove_behind_back(kMac);
  std::vector<DataplaneEvent> ignore;
  r.fake->poll_events(ignore);  // the notice was lost (say, a monitor overrun)
  r.fake->fail_next(0, EBUSY);  // and the reconcile's re-add fails
  auto rep = r.dio->reconcile_desired();
  ASSERT_EQ(rep.errors.size(), 1u);
  EXPECT_EQ(r.status(100).state, VniHealth::kRetrying);
  r.dio->run_retries();
  EXPECT_NE(r.fake->remote_mac(100, kMac.mac), nullptr);
  EXPECT_EQ(r.status(100).state, VniHealth::kOk);
}

TEST(DataplaneIo_Stop, RemoveEntries_DeletesEsAttachmentsToo) {
  Rig r;
  EsAttachment es;
  es.vni = 100;
  es.port = "es1-100";
  es.non_df = true;
  es.peer_vteps = {ip("10.255.0.2")};
  r.install({Intent::add(l2vni(100)), Intent::add(kFlood), Intent::add(es)});
  ASSERT_EQ(r.fake->es_attachments().size(), 1u);
  r.dio->remove_entries();
  EXPECT_TRUE(r.fake->es_attachments().empty());
  EXPECT_EQ(r.fake->l2vnis().size(), 1u);  // devices stay
}

}  // namespace
}  // namespace evpnd::daemon

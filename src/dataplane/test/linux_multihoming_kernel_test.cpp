// Kernel tests of the multihoming part of LinuxDataplane (fdb nexthops and groups, nhid MACs,
// synced MACs, Ethernet-segment ports): root only, in evt-dp-<pid>-* namespaces, skipped
// otherwise. The layout is evpnd's netns backend: vxlan devices created in the underlay
// namespace and moved to the tenant namespace, so nexthops must be made in the underlay.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>

#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/reconcile.hpp"
#include "dataplane/retry_queue.hpp"
#include "netns_fixture.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;
using nlohmann::json;

constexpr uint32_t kNh2 = kFdbNexthopIdBase + 2, kNh3 = kFdbNexthopIdBase + 3;
constexpr uint32_t kGrp = kFdbNexthopIdBase + 100;
const Mac kMacA = mac("02:00:00:00:0a:01");
const Mac kMacB = mac("02:00:00:00:0a:02");

std::unique_ptr<LinuxDataplane> open_dp(const TestNetns& underlay) {
  LinuxDataplaneOptions o;
  o.underlay_netns = underlay.name();
  auto dp = LinuxDataplane::open(o);
  EXPECT_TRUE(dp) << (dp ? "" : dp.error().message);
  return dp ? std::move(*dp) : nullptr;
}

json run_json(const TestNetns& n, const std::string& cmd) {
  std::string out;
  n.exec(cmd, &out);
  return out.empty() ? json::array() : json::parse(out);
}

void poll_once(LinuxDataplane& dp, std::vector<DataplaneEvent>& out) {
  std::vector<pollfd> pfds;
  for (int fd : dp.event_fds()) pfds.push_back({fd, POLLIN, 0});
  poll(pfds.data(), pfds.size(), 100);
  dp.poll_events(out);
}

// Reads events for up to `ms` (all of them; the caller looks for what it wants).
std::vector<DataplaneEvent> events_for(LinuxDataplane& dp, int ms) {
  std::vector<DataplaneEvent> all;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) poll_once(dp, all);
  return all;
}

bool removed(const std::vector<DataplaneEvent>& ev, const IntentObject& want) {
  return std::any_of(ev.begin(), ev.end(), [&](const DataplaneEvent& e) {
    auto* o = std::get_if<OwnedEntryRemoved>(&e);
    return o && key_of(o->object) == key_of(want);
  });
}

// `ip -d nexthop show` as id -> the JSON object.
std::map<uint32_t, json> nexthops(const TestNetns& u) {
  std::map<uint32_t, json> out;
  for (const auto& n : run_json(u, "ip -j -d nexthop show")) out[n["id"].get<uint32_t>()] = n;
  return out;
}

std::vector<uint32_t> members(const json& nh) {
  std::vector<uint32_t> out;
  for (const auto& g : nh.value("group", json::array())) out.push_back(g["id"].get<uint32_t>());
  return out;
}

// The vxlan `self` entry of `m` and whether the bridge (`master`) entry is there too.
struct FdbView {
  json self;
  bool master = false;
};
FdbView fdb_of(const TestNetns& t, const Mac& m) {
  FdbView v;
  for (const auto& e : run_json(t, "bridge -j fdb show dev vxlan100")) {
    if (e.value("mac", "") != m.to_string()) continue;
    if (e.contains("master")) v.master = true;
    else v.self = e;
  }
  return v;
}

bool has_flag(const json& e, const std::string& f) {
  for (const auto& x : e.value("flags", json::array()))
    if (x == f) return true;
  return false;
}

struct Fixture {
  TestNetns u{"u"}, t{"t"};
  std::unique_ptr<LinuxDataplane> dp;
  std::vector<Intent> all;
  Fixture() {
    if (!u.ok() || !t.ok()) return;
    u.ip("addr add 10.255.0.1/32 dev lo");
    dp = open_dp(u);
    all = {Intent::add(l2vni(100, t.name())), Intent::add(FdbNexthop{kNh2, ip("10.255.0.2")}),
           Intent::add(FdbNexthop{kNh3, ip("10.255.0.3")}), Intent::add(FdbNexthopGroup{kGrp, {kNh2, kNh3}}),
           Intent::add(RemoteMac{100, kMacA, ip("10.255.0.2"), false, kGrp}),
           Intent::add(RemoteMac{100, kMacB, ip("10.255.0.3"), false, kGrp})};
  }
};

TEST(LinuxDataplaneKernel_FdbNexthop, GroupAndNhidMacs_InUnderlayAsIpNexthopShows) {
  REQUIRE_ROOT();
  Fixture f;
  ASSERT_TRUE(f.dp);
  auto r = f.dp->apply(f.all);
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  auto nh = nexthops(f.u);
  ASSERT_EQ(nh.size(), 3u);
  EXPECT_EQ(nh[kNh2]["gateway"], "10.255.0.2");
  EXPECT_TRUE(nh[kNh2].contains("fdb"));
  EXPECT_EQ(nh[kNh2]["protocol"], "bgp");
  EXPECT_EQ(nh[kNh3]["gateway"], "10.255.0.3");
  EXPECT_EQ(members(nh[kGrp]), (std::vector{kNh2, kNh3}));
  EXPECT_TRUE(nh[kGrp].contains("fdb"));
  EXPECT_TRUE(nexthops(f.t).empty()) << "nexthops belong in the underlay, where the vxlan device was created";
  for (const Mac& m : {kMacA, kMacB}) {
    auto v = fdb_of(f.t, m);
    EXPECT_EQ(v.self.value("nhid", 0u), kGrp) << v.self.dump();
    EXPECT_FALSE(v.self.contains("dst")) << v.self.dump();
    EXPECT_TRUE(has_flag(v.self, "extern_learn")) << v.self.dump();
    EXPECT_TRUE(v.master);
  }
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->fdb_nexthops, (std::vector{FdbNexthop{kNh2, ip("10.255.0.2")}, FdbNexthop{kNh3, ip("10.255.0.3")}}));
  EXPECT_EQ(st->fdb_nexthop_groups, (std::vector{FdbNexthopGroup{kGrp, {kNh2, kNh3}}}));
  ASSERT_EQ(st->remote_macs.size(), 2u);
  EXPECT_EQ(st->remote_macs[0].nhid, kGrp);

  // Mass withdraw: one replace of the group re-points both MACs (nothing else is written).
  std::vector<DataplaneEvent> ignore;
  f.dp->poll_events(ignore);
  r = f.dp->apply(std::vector{Intent::add(FdbNexthopGroup{kGrp, {kNh3}})});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  EXPECT_EQ(members(nexthops(f.u)[kGrp]), (std::vector{kNh3}));
  for (const Mac& m : {kMacA, kMacB}) EXPECT_EQ(fdb_of(f.t, m).self.value("nhid", 0u), kGrp);

  // A restarted daemon (fresh provider, on-stop: keep) reconciles to no change at all.
  f.all[3] = Intent::add(FdbNexthopGroup{kGrp, {kNh3}});
  std::string before_nh, before_fdb;
  f.u.ip("-d nexthop show", &before_nh);
  f.t.bridge("fdb show dev vxlan100", &before_fdb);
  auto dp2 = open_dp(f.u);
  ASSERT_TRUE(dp2);
  auto rep = dp2->reconcile(f.all);
  EXPECT_TRUE(rep.errors.empty()) << (rep.errors.empty() ? "" : rep.errors[0].message);
  EXPECT_EQ(rep.added, 0u);
  EXPECT_EQ(rep.removed, 0u);
  EXPECT_EQ(rep.unchanged, f.all.size());
  std::string after_nh, after_fdb;
  f.u.ip("-d nexthop show", &after_nh);
  f.t.bridge("fdb show dev vxlan100", &after_fdb);
  EXPECT_EQ(before_nh, after_nh);
  EXPECT_EQ(before_fdb, after_fdb);

  // Deleting in the planner's reverse order leaves nothing of ours behind; a foreign nexthop
  // outside our id range is never touched.
  ASSERT_EQ(f.u.ip("nexthop add id 77 via 10.255.0.7 fdb"), 0);
  rep = dp2->reconcile(std::vector{f.all[0]});
  EXPECT_TRUE(rep.errors.empty()) << (rep.errors.empty() ? "" : rep.errors[0].message);
  EXPECT_EQ(rep.removed, 5u);
  nh = nexthops(f.u);
  EXPECT_EQ(nh.size(), 1u);
  EXPECT_TRUE(nh.count(77));
  EXPECT_TRUE(fdb_of(f.t, kMacA).self.is_null());
}

TEST(LinuxDataplaneKernel_FdbNexthop, MacSwitchesBetweenVtepAndNhidForms) {
  // The kernel refuses dst -> nhid by replace and ignores nhid -> dst: the provider deletes the
  // `self` entry first, and that deletion is not reported as drift.
  REQUIRE_ROOT();
  Fixture f;
  ASSERT_TRUE(f.dp);
  ASSERT_TRUE(f.dp->apply(std::vector{f.all[0], f.all[1], f.all[2], f.all[3]}).ok());
  const RemoteMac vtep_form{100, kMacA, ip("10.255.0.2")};
  const RemoteMac nhid_form{100, kMacA, ip("10.255.0.2"), false, kGrp};
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(vtep_form)}).ok());
  EXPECT_EQ(fdb_of(f.t, kMacA).self.value("dst", ""), "10.255.0.2");
  std::vector<DataplaneEvent> ignore;
  f.dp->poll_events(ignore);

  auto r = f.dp->apply(std::vector{Intent::add(nhid_form)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  auto v = fdb_of(f.t, kMacA);
  EXPECT_EQ(v.self.value("nhid", 0u), kGrp) << v.self.dump();
  EXPECT_FALSE(v.self.contains("dst"));
  EXPECT_TRUE(v.master);
  r = f.dp->apply(std::vector{Intent::add(vtep_form)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  v = fdb_of(f.t, kMacA);
  EXPECT_EQ(v.self.value("dst", ""), "10.255.0.2") << v.self.dump();
  EXPECT_FALSE(v.self.contains("nhid"));
  auto ev = events_for(*f.dp, 300);
  EXPECT_FALSE(removed(ev, vtep_form)) << "a form switch is not drift";

  // A foreign dst-form entry the provider never saw: the first nhid add fails (the kernel's
  // EOPNOTSUPP), its retry goes through.
  ASSERT_EQ(f.t.bridge("fdb replace 02:00:00:00:0a:09 dev vxlan100 dst 10.255.0.9 self extern_learn"), 0);
  const RemoteMac foreign{100, mac("02:00:00:00:0a:09"), ip("10.255.0.2"), false, kGrp};
  r = f.dp->apply(std::vector{Intent::add(foreign)});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].error, EOPNOTSUPP);
  r = f.dp->apply(std::vector{Intent::add(foreign)});
  EXPECT_TRUE(r.ok()) << r.errors[0].message;
  EXPECT_EQ(fdb_of(f.t, foreign.mac).self.value("nhid", 0u), kGrp);
}

TEST(LinuxDataplaneKernel_FdbNexthop, ForeignDeletions_ReportedWithWhatTheKernelTookAlong) {
  REQUIRE_ROOT();
  Fixture f;
  ASSERT_TRUE(f.dp);
  ASSERT_TRUE(f.dp->apply(f.all).ok());
  std::vector<DataplaneEvent> ignore;
  f.dp->poll_events(ignore);
  // A member deleted: the kernel shrinks the group; both are reported.
  ASSERT_EQ(f.u.ip(fmt::format("nexthop del id {}", kNh2)), 0);
  auto ev = events_for(*f.dp, 500);
  EXPECT_TRUE(removed(ev, FdbNexthop{kNh2, ip("10.255.0.2")}));
  EXPECT_TRUE(removed(ev, FdbNexthopGroup{kGrp, {}}));
  EXPECT_EQ(members(nexthops(f.u)[kGrp]), (std::vector{kNh3}));
  // Re-asserting in the retry queue's order repairs it.
  ASSERT_TRUE(f.dp->apply(std::vector{f.all[1], f.all[3]}).ok());
  EXPECT_EQ(members(nexthops(f.u)[kGrp]), (std::vector{kNh2, kNh3}));

  // The group deleted: the vxlan driver flushes its MACs without a word; they are reported.
  f.dp->poll_events(ignore);
  ASSERT_EQ(f.u.ip(fmt::format("nexthop del id {}", kGrp)), 0);
  ev = events_for(*f.dp, 500);
  EXPECT_TRUE(removed(ev, FdbNexthopGroup{kGrp, {}}));
  EXPECT_TRUE(removed(ev, RemoteMac{100, kMacA}));
  EXPECT_TRUE(removed(ev, RemoteMac{100, kMacB}));
  EXPECT_TRUE(fdb_of(f.t, kMacA).self.is_null());
  ASSERT_TRUE(f.dp->apply(std::vector{f.all[3], f.all[4], f.all[5]}).ok());
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  auto rep = plan_reconcile(f.all, *st);
  EXPECT_TRUE(rep.intents.empty()) << to_string(rep.intents[0]);
}

// ---- Ethernet-segment ports: synced MACs, port state, fast failover ---------------------------

// The bridge FDB entry of `m` on `port` (null when there is none).
json port_entry(const TestNetns& t, const std::string& port, const Mac& m) {
  for (const auto& e : run_json(t, "bridge -j fdb show dev " + port))
    if (e.value("mac", "") == m.to_string() && e.contains("master")) return e;
  return json();
}

json slave_data(const TestNetns& t, const std::string& dev) {
  auto l = run_json(t, "ip -j -d link show " + dev);
  return l.empty() ? json() : l[0]["linkinfo"]["info_slave_data"];
}

bool learned(const std::vector<DataplaneEvent>& ev, const Mac& m) {
  return std::any_of(ev.begin(), ev.end(), [&](const DataplaneEvent& e) {
    auto* l = std::get_if<LocalMacLearned>(&e);
    return l && l->mac == m;
  });
}

// An L2VNI in the tenant namespace with a 1 s ageing time and port es1 towards host namespace h.
struct EsFixture : Fixture {
  TestNetns h{"h"};
  L2Vni vni = l2vni(100, t.name());
  EsFixture() {
    vni.ageing_time_cs = 100;
    vni.bridge_mac = mac("02:00:5e:00:01:01");
    all[0] = Intent::add(vni);
    if (!dp || !h.ok()) return;
    sh("ip link add es1 netns " + t.name() + " type veth peer name eth0 netns " + h.name());
    h.ip("link set eth0 address 02:00:00:00:0c:01 up");
    h.ip("addr add 192.168.100.11/24 dev eth0");
  }
  bool ready() {
    return dp && h.ok() && dp->apply(std::vector{all[0], Intent::add(SviAddress{100, ip("192.168.100.1"), 24})}).ok() &&
           t.ip("link set es1 master br100 up") == 0;
  }
};

TEST(LinuxDataplaneKernel_EsPort, SyncedMac_ExternLearnNeverAgedNorReportedKeptAcrossCarrierLoss) {
  REQUIRE_ROOT();
  EsFixture f;
  ASSERT_TRUE(f.ready());
  std::vector<DataplaneEvent> ignore;
  f.dp->poll_events(ignore);
  const SyncedMac s{100, mac("02:00:00:00:0b:01"), "es1"};
  auto r = f.dp->apply(std::vector{Intent::add(s)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  auto e = port_entry(f.t, "es1", s.mac);
  ASSERT_FALSE(e.is_null());
  EXPECT_TRUE(has_flag(e, "extern_learn")) << e.dump();
  EXPECT_EQ(e.value("master", ""), "br100");
  // Three ageing times pass (1 s each) and the carrier goes: the entry stays, and evpnd is never
  // told about it as local learning.
  auto ev = events_for(*f.dp, 1500);
  ASSERT_EQ(f.h.ip("link set eth0 down"), 0);
  auto more = events_for(*f.dp, 1700);
  ev.insert(ev.end(), more.begin(), more.end());
  EXPECT_FALSE(learned(ev, s.mac));
  EXPECT_FALSE(port_entry(f.t, "es1", s.mac).is_null()) << "aged or flushed with the carrier";
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->synced_macs, (std::vector{s}));
  for (const auto& l : st->local_macs) EXPECT_NE(l.mac, s.mac);
  f.dp->poll_events(ev);
  EXPECT_FALSE(learned(ev, s.mac));
  // A restarted daemon: nothing to do.
  auto dp2 = open_dp(f.u);
  ASSERT_TRUE(dp2);
  auto rep = dp2->reconcile(std::vector{f.all[0], Intent::add(SviAddress{100, ip("192.168.100.1"), 24}), Intent::add(s)});
  EXPECT_EQ(rep.added + rep.removed, 0u) << (rep.errors.empty() ? "" : rep.errors[0].message);
  // Deleted behind our back: reported; deleted by us: gone.
  f.dp->poll_events(ignore);
  ASSERT_EQ(f.t.bridge("fdb del 02:00:00:00:0b:01 dev es1 master"), 0);
  ev = events_for(*f.dp, 500);
  EXPECT_TRUE(removed(ev, s));
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(s)}).ok());
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::del(s)}).ok());
  EXPECT_TRUE(port_entry(f.t, "es1", s.mac).is_null());
}

TEST(LinuxDataplaneKernel_EsPort, Blocked_PortDisabledKeptDisabledAcrossCarrierThenForwarding) {
  REQUIRE_ROOT();
  EsFixture f;
  ASSERT_TRUE(f.ready());
  EsAttachment a{100, "es1"};
  a.blocked = true;
  auto r = f.dp->apply(std::vector{Intent::add(a)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  EXPECT_EQ(slave_data(f.t, "es1").value("state", ""), "disabled");
  // The kernel enables a disabled port when its carrier comes back; the provider blocks it again.
  ASSERT_EQ(f.h.ip("link set eth0 down"), 0);
  events_for(*f.dp, 300);
  ASSERT_EQ(f.h.ip("link set eth0 up"), 0);
  events_for(*f.dp, 1000);
  EXPECT_EQ(slave_data(f.t, "es1").value("state", ""), "disabled");
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->es_attachments, (std::vector{a}));
  a.blocked = false;
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(a)}).ok());
  EXPECT_EQ(slave_data(f.t, "es1").value("state", ""), "forwarding");
  // Not a port of the VNI's bridge: refused with a reason.
  ASSERT_EQ(f.t.ip("link add lone type veth peer name lonep"), 0);
  r = f.dp->apply(std::vector{Intent::add(EsAttachment{100, "lone"})});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("not a port of br100"), std::string::npos) << r.errors[0].message;
}

TEST(LinuxDataplaneKernel_EsPort, BackupNhid_BackupPortHairpinAndLocalMacPinnedAcrossCarrierLoss) {
  REQUIRE_ROOT();
  EsFixture f;
  ASSERT_TRUE(f.ready());
  ASSERT_TRUE(f.dp->apply(std::vector{f.all[1], Intent::add(FdbNexthopGroup{kGrp, {kNh2}})}).ok());
  EsAttachment a{100, "es1"};
  a.backup_nhid = kGrp;
  auto r = f.dp->apply(std::vector{Intent::add(a)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  EXPECT_EQ(slave_data(f.t, "es1").value("backup_port", ""), "vxlan100");
  EXPECT_EQ(slave_data(f.t, "vxlan100").value("hairpin", false), true);
  // The host speaks: its MAC is learned, reported, pinned on es1 and given a failover entry.
  const Mac host = mac("02:00:00:00:0c:01");
  f.h.exec("ping -c 1 -W 1 192.168.100.1");
  auto ev = events_for(*f.dp, 500);
  EXPECT_TRUE(learned(ev, host));
  auto pin = port_entry(f.t, "es1", host);
  ASSERT_FALSE(pin.is_null());
  EXPECT_TRUE(has_flag(pin, "extern_learn")) << pin.dump();
  auto fo = fdb_of(f.t, host);
  EXPECT_EQ(fo.self.value("nhid", 0u), kGrp) << fo.self.dump();
  EXPECT_FALSE(has_flag(fo.self, "extern_learn"));
  // Carrier loss keeps the pinned entry (a learned one is flushed): backup_port needs it.
  ASSERT_EQ(f.h.ip("link set eth0 down"), 0);
  ev = events_for(*f.dp, 500);
  EXPECT_FALSE(port_entry(f.t, "es1", host).is_null());
  EXPECT_FALSE(std::any_of(ev.begin(), ev.end(), [](const DataplaneEvent& e) { return std::holds_alternative<LocalMacAged>(e); }));
  auto st = f.dp->dump();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->synced_macs.empty());
  EXPECT_TRUE(std::any_of(st->local_macs.begin(), st->local_macs.end(), [&](const auto& l) { return l.mac == host && l.port == "es1"; }));
  EXPECT_EQ(st->es_attachments, (std::vector{a}));
  // Fast failover off: backup port and hairpin go, the pin is released (reported aged).
  a.backup_nhid = 0;
  ASSERT_TRUE(f.dp->apply(std::vector{Intent::add(a)}).ok());
  EXPECT_FALSE(slave_data(f.t, "es1").contains("backup_port"));
  EXPECT_EQ(slave_data(f.t, "vxlan100").value("hairpin", true), false);
  EXPECT_TRUE(port_entry(f.t, "es1", host).is_null());
  EXPECT_TRUE(fdb_of(f.t, host).self.is_null());
  ev = events_for(*f.dp, 200);
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), [&](const DataplaneEvent& e) {
    auto* x = std::get_if<LocalMacAged>(&e);
    return x && x->mac == host;
  }));
}

// ---- aliasing: the kernel hashes flows over a group's VTEPs --------------------------------

// Counts, in namespace `f`, the VXLAN datagrams that reach 10.255.0.2 and 10.255.0.3 carrying
// `tag`, until `n` arrived or 5 s passed; then "<to .2> <to .3>".
const char* kCountVxlan = R"(import socket, select, sys, time
tag, n = sys.argv[1].encode(), int(sys.argv[2])
socks = {}
for a in ("10.255.0.2", "10.255.0.3"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, 4789)); socks[s] = a
got = {a: 0 for a in socks.values()}
open(sys.argv[3], "w").close()
end = time.time() + 5
while sum(got.values()) < n and time.time() < end:
    for s in select.select(list(socks), [], [], 0.2)[0]:
        if tag in s.recv(2048): got[socks[s]] += 1
print(got["10.255.0.2"], got["10.255.0.3"]))";

// Sends one UDP datagram per destination port 3000..3000+n-1 (n flows) to 192.168.100.99.
const char* kSendFlows = R"(import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in range(3000, 3000 + int(sys.argv[2])): s.sendto(sys.argv[1].encode(), ("192.168.100.99", p)))";

std::pair<int, int> flows_per_vtep(const TestNetns& f, const TestNetns& h, const std::string& tag, int n) {
  const std::string dir = "/tmp/evt-dp-" + std::to_string(getpid());
  sh("mkdir -p " + dir);
  auto write = [&](const std::string& name, const char* text) {
    FILE* fp = fopen((dir + "/" + name).c_str(), "w");
    if (fp) fputs(text, fp), fclose(fp);
  };
  write("count.py", kCountVxlan);
  write("send.py", kSendFlows);
  const std::string ready = dir + "/ready-" + tag;
  std::string out;
  std::thread rx([&] { f.exec(fmt::format("python3 {}/count.py {} {} {}", dir, tag, n, ready), &out); });
  for (int i = 0; i < 50 && access(ready.c_str(), F_OK) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  h.exec(fmt::format("python3 {}/send.py {} {}", dir, tag, n));
  rx.join();
  sh("rm -rf " + dir);
  int a = -1, b = -1;
  if (sscanf(out.c_str(), "%d %d", &a, &b) != 2) return {-1, -1};
  return {a, b};
}

TEST(LinuxDataplaneKernel_Aliasing, MacOnTwoMemberGroup_200FlowsSpreadOverBothVteps_OneReplaceMovesAll) {
  REQUIRE_ROOT();
  TestNetns u("u"), t("t"), f("f"), h("h");
  ASSERT_TRUE(u.ok() && t.ok() && f.ok() && h.ok());
  // Underlay: u (this VTEP, 10.255.0.1) -- f (both remote VTEPs, .2 and .3).
  ASSERT_EQ(sh("ip link add uf netns " + u.name() + " type veth peer name fu netns " + f.name()), 0);
  ASSERT_EQ(u.ip("addr add 10.255.0.1/24 dev uf"), 0);
  ASSERT_EQ(u.ip("link set uf up"), 0);
  ASSERT_EQ(f.ip("addr add 10.255.0.2/24 dev fu"), 0);
  ASSERT_EQ(f.ip("addr add 10.255.0.3/24 dev fu"), 0);
  ASSERT_EQ(f.ip("link set fu up"), 0);
  LinuxDataplaneOptions o;
  o.underlay_netns = u.name();
  auto dp_or = LinuxDataplane::open(o);
  ASSERT_TRUE(dp_or) << dp_or.error().message;
  auto& dp = *dp_or;
  const RemoteMac m{100, kMacA, ip("10.255.0.2"), false, kGrp};
  auto r = dp->apply(std::vector{Intent::add(l2vni(100, t.name())), Intent::add(FdbNexthop{kNh2, ip("10.255.0.2")}),
                                 Intent::add(FdbNexthop{kNh3, ip("10.255.0.3")}),
                                 Intent::add(FdbNexthopGroup{kGrp, {kNh2, kNh3}}), Intent::add(m)});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  // A host on the tenant bridge sends to the remote MAC.
  ASSERT_EQ(sh("ip link add hp0 netns " + t.name() + " type veth peer name eth0 netns " + h.name()), 0);
  ASSERT_EQ(t.ip("link set hp0 master br100 up"), 0);
  ASSERT_EQ(h.ip("addr add 192.168.100.11/24 dev eth0"), 0);
  ASSERT_EQ(h.ip("link set eth0 up"), 0);
  ASSERT_EQ(h.ip("neigh add 192.168.100.99 lladdr 02:00:00:00:0a:01 dev eth0"), 0);

  // RFC 7432 §8.4 aliasing: the flows are hashed over both VTEPs of the segment (the study saw
  // 104/96); each must carry a fair share, and none may be lost or duplicated.
  auto [to2, to3] = flows_per_vtep(f, h, "alias", 200);
  std::printf("aliasing: 200 flows -> 10.255.0.2: %d, 10.255.0.3: %d\n", to2, to3);
  EXPECT_EQ(to2 + to3, 200) << to2 << "/" << to3;
  EXPECT_GE(to2, 40) << to2 << "/" << to3;
  EXPECT_GE(to3, 40) << to2 << "/" << to3;

  // §8.2 mass withdraw: one group replace and every flow goes to the VTEP left.
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(FdbNexthopGroup{kGrp, {kNh2}})}).ok());
  auto [after2, after3] = flows_per_vtep(f, h, "withdrawn", 200);
  EXPECT_EQ(after2, 200);
  EXPECT_EQ(after3, 0);
}

}  // namespace
}  // namespace evpnd::dataplane

// Kernel tests of LinuxDataplane: run as root in namespaces they create (evt-dp-<pid>-*, removed
// by RAII guards), skipped otherwise. They check the kernel state with iproute2's JSON output as
// well as with our own dump().
#include "dataplane/linux/linux_dataplane.hpp"
#include "dataplane/reconcile.hpp"
#include "dataplane/retry_queue.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "netns_fixture.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;
using nlohmann::json;

std::unique_ptr<LinuxDataplane> open_dp(const TestNetns& underlay, bool async_writes = false) {
  LinuxDataplaneOptions o;
  o.underlay_netns = underlay.name();
  o.async_writes = async_writes;
  auto dp = LinuxDataplane::open(o);
  EXPECT_TRUE(dp) << (dp ? "" : dp.error().message);
  return dp ? std::move(*dp) : nullptr;
}

json ip_json(const TestNetns& n, const std::string& args) {
  std::string out;
  n.ip("-j " + args, &out);
  return out.empty() ? json::array() : json::parse(out);
}
json bridge_json(const TestNetns& n, const std::string& args) {
  std::string out;
  n.bridge("-j " + args, &out);
  return out.empty() ? json::array() : json::parse(out);
}

bool has_fdb(const json& fdb, const std::string& mac, const std::string& dst, const std::string& flag) {
  for (const auto& e : fdb) {
    if (e.value("mac", "") != mac) continue;
    if (!dst.empty() && e.value("dst", "") != dst) continue;
    auto flags = e.value("flags", json::array());
    bool f = flag.empty();
    for (const auto& x : flags) f = f || x == flag;
    if (f) return true;
  }
  return false;
}

// Waits up to 100 ms for any of the provider's descriptors, then reads what is pending.
void poll_once(LinuxDataplane& dp, std::vector<DataplaneEvent>& out) {
  std::vector<pollfd> pfds;
  for (int fd : dp.event_fds()) pfds.push_back({fd, POLLIN, 0});
  poll(pfds.data(), pfds.size(), 100);
  dp.poll_events(out);
}

std::vector<DataplaneEvent> wait_events(LinuxDataplane& dp, const std::function<bool(const DataplaneEvent&)>& want,
                                        int ms = 3000) {
  std::vector<DataplaneEvent> all;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    size_t before = all.size();
    poll_once(dp, all);
    for (size_t i = before; i < all.size(); ++i)
      if (want(all[i])) return all;
  }
  return all;
}

TEST(LinuxDataplaneKernel_L2Vni, RemoteMacFloodNeighbour_InstalledAsFrrDoes) {
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u.ip("addr add 10.255.0.1/32 dev lo"), 0);
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  auto v = l2vni(100);
  v.bridge_mac = mac("02:00:5e:00:01:01");
  std::vector<Intent> b{Intent::add(v), Intent::add(SviAddress{100, ip("192.168.100.1"), 24}),
                        Intent::add(FloodEntry{100, ip("10.255.0.2")}), Intent::add(FloodEntry{100, ip("10.255.0.3")}),
                        Intent::add(RemoteMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")}),
                        Intent::add(RemoteNeighbour{100, ip("192.168.100.12"), mac("02:00:00:00:02:10")})};
  auto r = dp->apply(b);
  ASSERT_TRUE(r.ok()) << r.errors[0].message;

  auto link = ip_json(u, "-d link show vxlan100");
  ASSERT_EQ(link.size(), 1u);
  const auto& li = link[0]["linkinfo"];
  EXPECT_EQ(li["info_data"]["id"], 100);
  EXPECT_EQ(li["info_data"]["local"], "10.255.0.1");
  EXPECT_EQ(li["info_data"]["port"], 4789);
  EXPECT_EQ(li["info_data"]["learning"], false);
  EXPECT_EQ(li["info_slave_data"]["learning"], false);
  EXPECT_EQ(li["info_slave_data"]["neigh_suppress"], true);
  EXPECT_EQ(link[0]["master"], "br100");
  auto br = ip_json(u, "-d link show br100");
  EXPECT_EQ(br[0]["address"], "02:00:5e:00:01:01");
  EXPECT_EQ(br[0]["linkinfo"]["info_data"]["stp_state"], 0);
  EXPECT_EQ(br[0]["linkinfo"]["info_data"]["mcast_snooping"], 0);

  auto fdb = bridge_json(u, "fdb show dev vxlan100");
  EXPECT_TRUE(has_fdb(fdb, "00:00:00:00:00:00", "10.255.0.2", "self"));
  EXPECT_TRUE(has_fdb(fdb, "00:00:00:00:00:00", "10.255.0.3", "self"));
  EXPECT_TRUE(has_fdb(fdb, "02:00:00:00:02:10", "10.255.0.2", "extern_learn"));  // self entry
  bool master = false;
  for (const auto& e : fdb)
    if (e.value("mac", "") == "02:00:00:00:02:10" && e.value("master", "") == "br100") master = true;
  EXPECT_TRUE(master);
  auto neigh = ip_json(u, "neigh show dev br100");
  ASSERT_EQ(neigh.size(), 1u);
  EXPECT_EQ(neigh[0]["dst"], "192.168.100.12");
  EXPECT_EQ(neigh[0]["lladdr"], "02:00:00:00:02:10");

  auto st = dp->dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->l2vnis.size(), 1u);
  EXPECT_TRUE(l2vni_matches(v, st->l2vnis[0]));
  EXPECT_EQ(st->remote_macs, (std::vector{RemoteMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")}}));
  EXPECT_EQ(st->flood_entries.size(), 2u);
  EXPECT_EQ(st->remote_neighbours.size(), 1u);
  EXPECT_EQ(st->svi_addresses, (std::vector{SviAddress{100, ip("192.168.100.1"), 24}}));

  // Delete and check it is gone from both tables.
  r = dp->apply(std::vector{Intent::del(RemoteMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")}),
                            Intent::del(FloodEntry{100, ip("10.255.0.3")})});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  fdb = bridge_json(u, "fdb show dev vxlan100");
  EXPECT_FALSE(has_fdb(fdb, "02:00:00:00:02:10", "", ""));
  EXPECT_FALSE(has_fdb(fdb, "00:00:00:00:00:00", "10.255.0.3", ""));
  EXPECT_TRUE(has_fdb(fdb, "00:00:00:00:00:00", "10.255.0.2", "self"));
}

TEST(LinuxDataplaneKernel_Reconcile, ApplyTwiceAndReconcile_ChangesNothingRemovesOnlyStaleOurs) {
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  std::vector<Intent> desired{Intent::add(l2vni(100)), Intent::add(FloodEntry{100, ip("10.255.0.2")}),
                              Intent::add(RemoteMac{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")}),
                              Intent::add(RemoteNeighbour{100, ip("192.168.100.12"), mac("02:00:00:00:02:10")})};
  ASSERT_TRUE(dp->apply(desired).ok());
  ASSERT_TRUE(dp->apply(desired).ok());  // idempotent at the kernel too (replace semantics)
  std::string before;
  u.bridge("fdb show", &before);
  auto rep = dp->reconcile(desired);
  EXPECT_TRUE(rep.errors.empty());
  EXPECT_EQ(rep.added, 0u);
  EXPECT_EQ(rep.removed, 0u);
  EXPECT_EQ(rep.unchanged, desired.size());
  std::string after;
  u.bridge("fdb show", &after);
  EXPECT_EQ(before, after);

  // A stale entry of ours and an operator's static entry: only ours goes. A fresh provider (as
  // after a daemon restart) reconciles from kernel state alone.
  ASSERT_EQ(u.bridge("fdb add 02:00:00:00:09:09 dev vxlan100 dst 10.255.0.9 self extern_learn"), 0);
  ASSERT_EQ(u.bridge("fdb add 02:00:00:00:08:08 dev vxlan100 dst 10.255.0.8 self permanent"), 0);
  auto dp2 = open_dp(u);
  ASSERT_TRUE(dp2);
  rep = dp2->reconcile(desired);
  EXPECT_TRUE(rep.errors.empty()) << (rep.errors.empty() ? "" : rep.errors[0].message);
  EXPECT_EQ(rep.removed, 1u);
  EXPECT_EQ(rep.added, 0u);
  auto fdb = bridge_json(u, "fdb show dev vxlan100");
  EXPECT_FALSE(has_fdb(fdb, "02:00:00:00:09:09", "", ""));
  EXPECT_TRUE(has_fdb(fdb, "02:00:00:00:08:08", "10.255.0.8", "self"));
  EXPECT_TRUE(has_fdb(fdb, "02:00:00:00:02:10", "10.255.0.2", "extern_learn"));
}

TEST(LinuxDataplaneKernel_Learn, HostPortFrames_ReportLocalMacAndNeighbour) {
  REQUIRE_ROOT();
  TestNetns u("u"), h("h");
  ASSERT_TRUE(u.ok() && h.ok());
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  auto v = l2vni(100);
  v.bridge_mac = mac("02:00:5e:00:01:01");
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(v), Intent::add(SviAddress{100, ip("192.168.100.1"), 24})}).ok());
  std::vector<DataplaneEvent> ignore;
  dp->poll_events(ignore);
  ASSERT_EQ(sh("ip link add hp0 netns " + u.name() + " type veth peer name eth0 netns " + h.name()), 0);
  ASSERT_EQ(u.ip("link set hp0 master br100 up"), 0);
  ASSERT_EQ(h.ip("link set eth0 address 02:00:00:00:01:10 up"), 0);
  ASSERT_EQ(h.ip("addr add 192.168.100.11/24 dev eth0"), 0);
  h.exec("ping -c 1 -W 1 192.168.100.1");
  auto ev = wait_events(*dp, [](const DataplaneEvent& e) { return std::holds_alternative<LocalNeighbourLearned>(e); });
  bool mac_seen = false, neigh_seen = false;
  for (const auto& e : ev) {
    if (auto* m = std::get_if<LocalMacLearned>(&e); m && m->mac == mac("02:00:00:00:01:10")) {
      mac_seen = true;
      EXPECT_EQ(m->vni, 100u);
      EXPECT_EQ(m->port, "hp0");
    }
    if (auto* n = std::get_if<LocalNeighbourLearned>(&e); n && n->ip == ip("192.168.100.11")) {
      neigh_seen = true;
      EXPECT_EQ(n->mac, mac("02:00:00:00:01:10"));
    }
  }
  EXPECT_TRUE(mac_seen);
  EXPECT_TRUE(neigh_seen);

  // A remote MAC installed over the local one takes the bridge entry over: reported as aged.
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(RemoteMac{100, mac("02:00:00:00:01:10"), ip("10.255.0.2")})}).ok());
  ev = wait_events(*dp, [](const DataplaneEvent& e) { return std::holds_alternative<LocalMacAged>(e); });
  std::vector<DataplaneEvent> since = ev;  // everything after the take-over
  bool aged = false;
  for (const auto& e : ev)
    if (auto* a = std::get_if<LocalMacAged>(&e); a && a->mac == mac("02:00:00:00:01:10")) aged = true;
  EXPECT_TRUE(aged);
  // Same for the ARP entry: a remote binding written over it ends the local one.
  ASSERT_TRUE(
      dp->apply(std::vector{Intent::add(RemoteNeighbour{100, ip("192.168.100.11"), mac("02:00:00:00:01:10")})}).ok());
  ev = wait_events(*dp, [](const DataplaneEvent& e) { return std::holds_alternative<LocalNeighbourRemoved>(e); });
  since.insert(since.end(), ev.begin(), ev.end());
  bool removed = false;
  for (const auto& e : ev)
    if (auto* r = std::get_if<LocalNeighbourRemoved>(&e); r && r->ip == ip("192.168.100.11")) removed = true;
  EXPECT_TRUE(removed);
  auto neigh = ip_json(u, "neigh show dev br100 192.168.100.11");
  ASSERT_EQ(neigh.size(), 1u);
  EXPECT_EQ(neigh[0]["lladdr"], "02:00:00:00:01:10");
  // Once the remote MAC is withdrawn, the host's next frame is learned locally again (the
  // take-over must not leave a stale "already known" entry behind). The host may also have sent
  // a frame while the remote entry was in place (the bridge then moves the entry back itself):
  // either way a LocalMacLearned follows the take-over.
  ASSERT_TRUE(dp->apply(std::vector{Intent::del(RemoteNeighbour{100, ip("192.168.100.11"), mac("02:00:00:00:01:10")}),
                                    Intent::del(RemoteMac{100, mac("02:00:00:00:01:10"), ip("10.255.0.2")})})
                  .ok());
  h.exec("ping -c 1 -W 1 192.168.100.1");
  auto is_relearn = [](const DataplaneEvent& e) {
    auto* m = std::get_if<LocalMacLearned>(&e);
    return m && m->mac == mac("02:00:00:00:01:10") && m->port == "hp0";
  };
  if (std::none_of(since.begin(), since.end(), is_relearn)) {
    ev = wait_events(*dp, is_relearn);
    since.insert(since.end(), ev.begin(), ev.end());
  }
  EXPECT_TRUE(std::any_of(since.begin(), since.end(), is_relearn));
}

TEST(LinuxDataplaneKernel_AsyncWrites, ManyEntries_InKernelAfterSyncInOrderNoOwnEchoes) {
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u.ip("addr add 10.255.0.1/32 dev lo"), 0);
  auto dp = open_dp(u, /*async_writes=*/true);
  ASSERT_TRUE(dp);
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(l2vni(100)), Intent::add(SviAddress{100, ip("192.168.100.1"), 24})}).ok());
  std::vector<DataplaneEvent> ignore;
  dp->poll_events(ignore);
  // 3000 MAC+IP bindings in three batches, then a batch that deletes the first 1000 again: the
  // writer must keep the order, or deletes would overtake their adds.
  constexpr int kN = 3000;
  auto mac_of = [](int k) { return mac(fmt::format("02:00:00:01:{:02x}:{:02x}", k >> 8, k & 0xff).c_str()); };
  auto ip_of = [](int k) { return ip(fmt::format("192.168.{}.{}", 100 + (k >> 8), k & 0xff).c_str()); };
  for (int part = 0; part < 3; ++part) {
    std::vector<Intent> b;
    for (int k = part * 1000; k < (part + 1) * 1000; ++k) {
      b.push_back(Intent::add(RemoteMac{100, mac_of(k), ip("10.255.0.2")}));
      b.push_back(Intent::add(RemoteNeighbour{100, ip_of(k), mac_of(k)}));
    }
    auto r = dp->apply(b);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.applied, b.size());
  }
  std::vector<Intent> dels;
  for (int k = 0; k < 1000; ++k) dels.push_back(Intent::del(RemoteMac{100, mac_of(k), ip("10.255.0.2")}));
  ASSERT_TRUE(dp->apply(dels).ok());
  auto st = dp->dump();  // waits for the writer
  ASSERT_TRUE(st);
  EXPECT_EQ(st->remote_macs.size(), size_t(kN - 1000));
  EXPECT_EQ(st->remote_neighbours.size(), size_t(kN));
  EXPECT_TRUE(dp->take_late_errors().empty());
  // Our own adds come back as no event at all (filtered in the kernel, nothing to learn); our
  // deletions only as OwnedEntryRemoved (the consumer matches them with what it wants). Link
  // changes of the new bridge (carrier, addrconf) may still trickle in: not entry echoes.
  std::vector<DataplaneEvent> evs;
  dp->poll_events(evs);
  for (const auto& e : evs)
    if (!std::holds_alternative<OwnedEntryRemoved>(e) && !std::holds_alternative<LinkChanged>(e))
      ADD_FAILURE() << "event from our own writes: " << to_string(e);
}

TEST(LinuxDataplaneKernel_Learn, MonitorOverrun_ResyncNeededAndDumpHasEveryHost) {
  // A tiny monitor buffer and 3000 host MACs appearing at once: the kernel drops notifications
  // (ENOBUFS). The provider must say so (ResyncNeeded), forget its local-learning cache for the
  // namespace, and dump() must still list every host for the consumer to re-derive from.
  REQUIRE_ROOT();
  TestNetns u("u"), h("h");
  ASSERT_TRUE(u.ok() && h.ok());
  LinuxDataplaneOptions o;
  o.underlay_netns = u.name();
  o.monitor_rcvbuf = 4096;
  auto dp_or = LinuxDataplane::open(o);
  ASSERT_TRUE(dp_or) << dp_or.error().message;
  auto& dp = *dp_or;
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(l2vni(100))}).ok());
  ASSERT_EQ(sh("ip link add hp0 netns " + u.name() + " type veth peer name eth0 netns " + h.name()), 0);
  ASSERT_EQ(u.ip("link set hp0 master br100 up"), 0);
  std::vector<DataplaneEvent> ignore;
  dp->poll_events(ignore);
  std::string batch;
  for (int k = 0; k < 3000; ++k)
    batch += fmt::format("fdb add 02:00:00:03:{:02x}:{:02x} dev hp0 master static\n", k >> 8, k & 0xff);
  const std::string file = "/tmp/evt-dp-" + std::to_string(getpid()) + "-fdb.batch";
  {
    FILE* f = fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(batch.c_str(), f);
    fclose(f);
  }
  const int rc = u.bridge("-batch " + file);
  std::remove(file.c_str());
  ASSERT_EQ(rc, 0);
  auto ev = wait_events(*dp, [](const DataplaneEvent& e) { return std::holds_alternative<ResyncNeeded>(e); });
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), [](const auto& e) { return std::holds_alternative<ResyncNeeded>(e); }));
  auto st = dp->dump();
  ASSERT_TRUE(st);
  size_t hosts = 0;
  for (const auto& m : st->local_macs) hosts += m.port == "hp0" && m.mac.to_string().rfind("02:00:00:03:", 0) == 0;
  EXPECT_EQ(hosts, 3000u);
  // The dump re-seeded what the overrun lost: a host deleted now is reported gone.
  ASSERT_EQ(u.bridge("fdb del 02:00:00:03:00:07 dev hp0 master"), 0);
  auto aged = [](const DataplaneEvent& e) {
    auto* a = std::get_if<LocalMacAged>(&e);
    return a && a->mac == mac("02:00:00:03:00:07");
  };
  ev = wait_events(*dp, aged);
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), aged));
}

TEST(LinuxDataplaneKernel_AsyncWrites, KernelRefusal_ReportedLateWithTheIntent) {
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u.ip("addr add 10.255.0.1/32 dev lo"), 0);
  auto dp = open_dp(u, /*async_writes=*/true);
  ASSERT_TRUE(dp);
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(l2vni(100))}).ok());
  // An IPv6 VTEP on an IPv4 vxlan device: the kernel answers EAFNOSUPPORT, after apply() returned.
  auto r = dp->apply(std::vector{Intent::add(RemoteMac{100, mac("02:00:00:00:02:10"), ip("2001:db8::2")}),
                                 Intent::add(RemoteMac{100, mac("02:00:00:00:02:11"), ip("10.255.0.2")})});
  EXPECT_TRUE(r.ok());
  std::vector<IntentError> late;
  for (int i = 0; i < 50 && late.empty(); ++i) {
    std::vector<DataplaneEvent> evs;
    poll_once(*dp, evs);
    late = dp->take_late_errors();
  }
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].error, EAFNOSUPPORT);
  // The failure names its intent, so the daemon can retry it and report it for the VNI.
  EXPECT_EQ(late[0].intent, Intent::add(RemoteMac{100, mac("02:00:00:00:02:10"), ip("2001:db8::2")}));
  EXPECT_NE(late[0].message.find("02:00:00:00:02:10"), std::string::npos) << late[0].message;
  auto st = dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->remote_macs, (std::vector{RemoteMac{100, mac("02:00:00:00:02:11"), ip("10.255.0.2")}}));
}

TEST(LinuxDataplaneKernel_Learn, MulticastNeighbourOnSvi_NotReportedAsHost) {
  // ff02::/33:33:.. and 224/01:00:5e:.. entries on the SVI (the kernel creates them NOARP when it
  // sends to a group) are not hosts: they must not reach the ARP/ND suppression view nor become
  // MAC+IP routes. The kernel does not announce NOARP entries, so they show up in dump() (the
  // start-up read of hosts learned before evpnd ran); a unicast neighbour is the control.
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  auto v = l2vni(100);
  v.bridge_mac = mac("02:00:5e:00:01:01");
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(v), Intent::add(SviAddress{100, ip("192.168.100.1"), 24})}).ok());
  ASSERT_EQ(u.ip("neigh add 224.0.0.251 lladdr 01:00:5e:00:00:fb dev br100 nud noarp"), 0);
  ASSERT_EQ(u.ip("-6 neigh add ff02::fb lladdr 33:33:00:00:00:fb dev br100 nud noarp"), 0);
  ASSERT_EQ(u.ip("neigh add 192.168.100.77 lladdr 02:00:00:00:01:77 dev br100 nud reachable"), 0);
  auto st = dp->dump();
  ASSERT_TRUE(st);
  bool control = false;
  for (const auto& n : st->local_neighbours) {
    EXPECT_FALSE(n.mac.is_multicast()) << n.ip.to_string() << " " << n.mac.to_string();
    control = control || n.ip == ip("192.168.100.77");
  }
  EXPECT_TRUE(control);
}

TEST(LinuxDataplaneKernel_NetnsVrf, L3VniMovedToTenant_RmacAndEcmpRoute) {
  REQUIRE_ROOT();
  TestNetns u("u"), t("t");
  ASSERT_TRUE(u.ok() && t.ok());
  ASSERT_EQ(u.ip("addr add 10.255.0.1/32 dev lo"), 0);
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  auto v3 = l3vni(5000, t.name());
  auto v2 = l2vni(100, t.name());
  std::vector<Intent> b{Intent::add(v3), Intent::add(v2),
                        Intent::add(RemoteRmac{5000, mac("02:00:0a:ff:00:02"), ip("10.255.0.2")}),
                        Intent::add(RemoteRmac{5000, mac("02:00:0a:ff:00:03"), ip("10.255.0.3")}),
                        Intent::add(VrfRoute{5000, pfx("192.168.200.0/24"), {ip("10.255.0.2"), ip("10.255.0.3")}}),
                        Intent::add(VrfRoute{5000, pfx("192.168.100.12/32"), {ip("10.255.0.2")}})};
  auto r = dp->apply(b);
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  // The vxlan devices live in the tenant netns, with their UDP socket in the underlay.
  auto vx = ip_json(t, "-d link show vxlan5000");
  ASSERT_EQ(vx.size(), 1u);
  EXPECT_EQ(vx[0]["master"], "br5000");
  EXPECT_TRUE(vx[0].contains("link_netnsid"));
  EXPECT_TRUE(ip_json(u, "link show vxlan5000").empty());
  auto br = ip_json(t, "link show br5000");
  EXPECT_EQ(br[0]["address"], "02:00:0a:ff:00:01");
  auto neigh = ip_json(t, "neigh show dev br5000");
  EXPECT_EQ(neigh.size(), 2u);
  auto routes = ip_json(t, "route show proto bgp");
  ASSERT_EQ(routes.size(), 2u);
  for (const auto& rt : routes) {
    if (rt["dst"] == "192.168.200.0/24") {
      ASSERT_TRUE(rt.contains("nexthops"));
      EXPECT_EQ(rt["nexthops"].size(), 2u);
    } else {
      EXPECT_EQ(rt["dst"], "192.168.100.12");
      EXPECT_EQ(rt["gateway"], "10.255.0.2");
      EXPECT_EQ(rt["metric"], 20);
    }
  }
  auto st = dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->l3vnis.size(), 1u);
  EXPECT_EQ(st->remote_rmacs.size(), 2u);
  EXPECT_EQ(st->routes.size(), 2u);
  auto rep = dp->reconcile(b);
  EXPECT_EQ(rep.added + rep.removed, 0u) << (rep.errors.empty() ? "" : rep.errors[0].message);

  // A route of ours deleted behind our back is reported (IPv4 sends RTM_DELROUTE for an explicit
  // delete), with its key.
  std::vector<DataplaneEvent> ignore;
  dp->poll_events(ignore);
  ASSERT_EQ(t.ip("route del 192.168.100.12/32 proto bgp"), 0);
  auto is_route_drift = [](const DataplaneEvent& e) {
    auto* o = std::get_if<OwnedEntryRemoved>(&e);
    auto* rt = o ? std::get_if<VrfRoute>(&o->object) : nullptr;
    return rt && rt->l3vni == 5000 && rt->prefix == pfx("192.168.100.12/32");
  };
  auto ev = wait_events(*dp, is_route_drift);
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), is_route_drift));
  ASSERT_TRUE(dp->apply(std::vector{Intent::add(VrfRoute{5000, pfx("192.168.100.12/32"), {ip("10.255.0.2")}})}).ok());

  // Withdraw one ECMP leg: replace with one next hop.
  r = dp->apply(std::vector{Intent::add(VrfRoute{5000, pfx("192.168.200.0/24"), {ip("10.255.0.3")}}),
                            Intent::del(VrfRoute{5000, pfx("192.168.100.12/32"), {}})});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  routes = ip_json(t, "route show proto bgp");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]["gateway"], "10.255.0.3");
}

TEST(LinuxDataplaneKernel_Learn, HostsPresentAtStart_DeletionReportedAfterDump) {
  // Hosts learned before the provider existed (an evpnd restart) are never announced by the
  // monitor: the dump must seed the same state the events would have, or their later deletion
  // is never reported and their type-2 routes stay in the fabric for good.
  REQUIRE_ROOT();
  TestNetns u("u"), h("h");
  ASSERT_TRUE(u.ok() && h.ok());
  auto v = l2vni(100);
  v.bridge_mac = mac("02:00:5e:00:01:01");
  const std::vector<Intent> vni{Intent::add(v), Intent::add(SviAddress{100, ip("192.168.100.1"), 24})};
  {
    auto before = open_dp(u);  // the previous run
    ASSERT_TRUE(before && before->apply(vni).ok());
  }
  ASSERT_EQ(sh("ip link add hp0 netns " + u.name() + " type veth peer name eth0 netns " + h.name()), 0);
  ASSERT_EQ(u.ip("link set hp0 master br100 up"), 0);
  ASSERT_EQ(h.ip("link set eth0 address 02:00:00:00:01:10 up"), 0);
  ASSERT_EQ(h.ip("addr add 192.168.100.11/24 dev eth0"), 0);
  ASSERT_EQ(u.bridge("fdb add 02:00:00:00:01:20 dev hp0 master static"), 0);
  h.exec("ping -c 1 -W 1 192.168.100.1");

  auto dp = open_dp(u);  // the restarted daemon's provider
  ASSERT_TRUE(dp && dp->apply(vni).ok());
  auto st = dp->dump();
  ASSERT_TRUE(st);
  // The dump's local part comes back as the events live learning produces.
  auto ev = wait_events(*dp, [](const DataplaneEvent& e) { return std::holds_alternative<LocalNeighbourLearned>(e); });
  auto learned = [&](const Mac& m) {
    return std::any_of(ev.begin(), ev.end(), [&](const DataplaneEvent& e) {
      auto* l = std::get_if<LocalMacLearned>(&e);
      return l && l->vni == 100 && l->mac == m && l->port == "hp0";
    });
  };
  EXPECT_TRUE(learned(mac("02:00:00:00:01:10")));
  EXPECT_TRUE(learned(mac("02:00:00:00:01:20")));
  // A second dump reports nothing new.
  ASSERT_TRUE(dp->dump());
  std::vector<DataplaneEvent> again;
  dp->poll_events(again);
  for (const auto& e : again)
    if (std::holds_alternative<LocalMacLearned>(e)) ADD_FAILURE() << "reported twice: " << to_string(e);

  ASSERT_EQ(u.bridge("fdb del 02:00:00:00:01:20 dev hp0 master"), 0);
  ASSERT_EQ(u.ip("neigh del 192.168.100.11 dev br100"), 0);
  auto aged = [](const DataplaneEvent& e) {
    auto* a = std::get_if<LocalMacAged>(&e);
    return a && a->mac == mac("02:00:00:00:01:20");
  };
  auto removed = [](const DataplaneEvent& e) {
    auto* r = std::get_if<LocalNeighbourRemoved>(&e);
    return r && r->ip == ip("192.168.100.11");
  };
  ev = wait_events(*dp, aged);
  if (std::none_of(ev.begin(), ev.end(), removed)) {
    auto more = wait_events(*dp, removed);
    ev.insert(ev.end(), more.begin(), more.end());
  }
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), aged));
  EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), removed));
}

TEST(LinuxDataplaneKernel_Drift, ForeignDeletions_ReportedAsOwnedRemovedAndRepairable) {
  REQUIRE_ROOT();
  TestNetns u("u");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u.ip("addr add 10.255.0.1/32 dev lo"), 0);
  auto dp = open_dp(u);
  ASSERT_TRUE(dp);
  const RemoteMac m{100, mac("02:00:00:00:02:10"), ip("10.255.0.2")};
  const FloodEntry f{100, ip("10.255.0.3")};
  const RemoteNeighbour n{100, ip("192.168.100.12"), mac("02:00:00:00:02:10")};
  const std::vector<Intent> all{Intent::add(l2vni(100)), Intent::add(SviAddress{100, ip("192.168.100.1"), 24}),
                                Intent::add(FloodEntry{100, ip("10.255.0.2")}), Intent::add(f), Intent::add(m),
                                Intent::add(n)};
  ASSERT_TRUE(dp->apply(all).ok());
  std::vector<DataplaneEvent> ignore;
  dp->poll_events(ignore);
  auto removed = [](const IntentObject& want) {
    return [want](const DataplaneEvent& e) {
      auto* o = std::get_if<OwnedEntryRemoved>(&e);
      return o && key_of(o->object) == key_of(want);
    };
  };
  auto expect_reported = [&](const std::string& what, const IntentObject& want) {
    auto ev = wait_events(*dp, removed(want));
    EXPECT_TRUE(std::any_of(ev.begin(), ev.end(), removed(want))) << what;
  };
  ASSERT_EQ(u.bridge("fdb del 02:00:00:00:02:10 dev vxlan100 self"), 0);
  expect_reported("remote MAC (vxlan entry)", m);
  ASSERT_EQ(u.bridge("fdb del 02:00:00:00:02:10 dev vxlan100 master"), 0);
  expect_reported("remote MAC (bridge entry)", m);
  ASSERT_EQ(u.bridge("fdb del 00:00:00:00:00:00 dev vxlan100 dst 10.255.0.3 self"), 0);
  expect_reported("flood entry", f);
  ASSERT_EQ(u.ip("neigh del 192.168.100.12 dev br100"), 0);
  expect_reported("ARP suppression entry", n);
  ASSERT_EQ(u.ip("addr del 192.168.100.1/24 dev br100"), 0);
  expect_reported("SVI address", SviAddress{100, ip("192.168.100.1"), 24});
  // The flood entry to .2 is untouched: re-applying everything puts back what went.
  ASSERT_TRUE(dp->apply(all).ok());
  auto st = dp->dump();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->remote_macs, (std::vector{m}));
  EXPECT_EQ(st->flood_entries.size(), 2u);
  EXPECT_EQ(st->remote_neighbours.size(), 1u);
  EXPECT_EQ(st->svi_addresses.size(), 1u);

  // The vxlan device deleted: the VNI is reported, and ensuring it again recreates it and lets
  // its entries be installed again (the registry must not keep the dead ifindex).
  dp->poll_events(ignore);
  ASSERT_EQ(u.ip("link del vxlan100"), 0);
  expect_reported("vxlan device", l2vni(100));
  ASSERT_TRUE(dp->apply(all).ok());
  st = dp->dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->l2vnis.size(), 1u);
  EXPECT_EQ(st->remote_macs, (std::vector{m}));
  EXPECT_EQ(st->flood_entries.size(), 2u);

  // Our own deletions are reported too (the kernel does not say who deleted): the consumer
  // tells them apart by what it still wants.
  dp->poll_events(ignore);
  ASSERT_TRUE(dp->apply(std::vector{Intent::del(f)}).ok());
  expect_reported("own flood delete", f);
}

}  // namespace
}  // namespace evpnd::dataplane

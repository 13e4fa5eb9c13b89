// Kernel tests of the ES filters (tc/eBPF, es_filter.hpp) programmed through
// LinuxDataplane::apply(EsAttachment): the results table of ../shared/research/multihoming.md §3,
// asserted with frame counts (per LAG leg from tc counters, a1/r1 from packet sockets) on the
// fabric of es_fabric.hpp. A is the DF, B the non-DF; they share the segment towards h.
// Root only (namespaces, BPF); skipped with the reason when BPF cannot be loaded.
#include <gtest/gtest.h>

#include <poll.h>

#include <chrono>
#include <map>

#include "dataplane/linux/es_filter_bpf.hpp"
#include "es_fabric.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane {
namespace {

using namespace test;

constexpr int kN = 20;

#define REQUIRE_ROOT_AND_BPF()                                                     \
  if (!is_root()) GTEST_SKIP() << "needs root (creates network namespaces, BPF)"; \
  if (auto why = bpf_unavailable()) GTEST_SKIP() << "BPF unavailable: " << *why

std::optional<std::string> bpf_unavailable() {
  bpf::Maps m;
  auto t = bpf::load_base(m);
  if (!t) return t.error().message;
  return std::nullopt;
}

// reason -> packets for one attachment port of one leaf.
std::map<std::string, uint64_t> drops(LinuxDataplane& dp, const std::string& port) {
  std::map<std::string, uint64_t> out;
  for (const auto& c : dp.es_drop_counters())
    if (c.port == port) out[c.reason] = c.packets;
  return out;
}

void program(EsFabric& f, bool a_non_df, bool b_non_df) {
  auto ra = f.dp('a').apply(std::vector{Intent::add(f.attachment('a', a_non_df))});
  ASSERT_TRUE(ra.ok()) << ra.errors[0].message;
  auto rb = f.dp('b').apply(std::vector{Intent::add(f.attachment('b', b_non_df))});
  ASSERT_TRUE(rb.ok()) << rb.errors[0].message;
}

// The §3 results table: without filters the host gets remote BUM twice and its own BUM back;
// with them exactly once, via the DF's leg, and never its own, from either leg.
TEST(EsFilterKernel, BumThroughDualHomedHost_ExactlyOnceNoEcho_CountersEqualDrops) {
  REQUIRE_ROOT_AND_BPF();
  EsFabric f;
  ASSERT_TRUE(f.ok()) << f.why();

  // Filters off (a plain bridge): what the filters must fix, so the counts below can fail.
  auto off_r1 = f.broadcast("r1", kN);
  EXPECT_EQ(off_r1.leg_a + off_r1.leg_b, 2u * kN) << "duplicate without the non-DF filter";
  auto off_h = f.broadcast("h", kN);
  EXPECT_EQ(off_h.leg_b, uint64_t(kN)) << "echo through B without local bias";

  program(f, false, true);

  // Remote r1 -> h: once, all on A's leg; B drops it as non-DF (RFC 7432 §8.5).
  auto r1 = f.broadcast("r1", kN);
  EXPECT_EQ(r1.leg_a, uint64_t(kN));
  EXPECT_EQ(r1.leg_b, 0u);
  EXPECT_EQ(r1.a1, kN);
  // a1 (local on A) -> h: A delivers locally; B drops the copy from A by local bias (RFC 8365 §8.3.1).
  auto a1 = f.broadcast("a1", kN);
  EXPECT_EQ(a1.leg_a, uint64_t(kN));
  EXPECT_EQ(a1.leg_b, 0u);
  EXPECT_EQ(a1.r1, kN);
  // h via leg a -> fabric: nothing back on either leg (B: local bias); a1 and r1 get it.
  auto ha = f.broadcast("h", kN);
  EXPECT_EQ(ha.leg_a, 0u);
  EXPECT_EQ(ha.leg_b, 0u);
  EXPECT_EQ(ha.a1, kN);
  EXPECT_EQ(ha.r1, kN);
  // h via leg b: A is the DF but drops B's copy by local bias.
  f.host_uses('b');
  auto hb = f.broadcast("h", kN);
  EXPECT_EQ(hb.leg_a, 0u);
  EXPECT_EQ(hb.leg_b, 0u);
  EXPECT_EQ(hb.a1, kN);
  EXPECT_EQ(hb.r1, kN);

  // The drop counters equal the drops: B dropped r1's 20 as non-DF and A's 40 (a1, h via a) by
  // local bias; A dropped B's 20 (h via b) by local bias.
  auto da = drops(f.dp('a'), "a-es"), db = drops(f.dp('b'), "b-es");
  EXPECT_EQ(db["non_df"], uint64_t(kN));
  EXPECT_EQ(db["local_bias"], 2u * kN);
  EXPECT_EQ(db["blocked"], 0u);
  EXPECT_EQ(da["non_df"], 0u);
  EXPECT_EQ(da["local_bias"], uint64_t(kN));
  EXPECT_EQ(da["blocked"], 0u);
  std::printf("measured: off r1->h %llu+%llu, h echo %llu; on r1->h %llu/%llu a1->h %llu/%llu h(a)->h %llu/%llu "
              "h(b)->h %llu/%llu; drops A %llu lb, B %llu non_df %llu lb\n",
              (unsigned long long)off_r1.leg_a, (unsigned long long)off_r1.leg_b, (unsigned long long)off_h.leg_b,
              (unsigned long long)r1.leg_a, (unsigned long long)r1.leg_b, (unsigned long long)a1.leg_a,
              (unsigned long long)a1.leg_b, (unsigned long long)ha.leg_a, (unsigned long long)ha.leg_b,
              (unsigned long long)hb.leg_a, (unsigned long long)hb.leg_b, (unsigned long long)da["local_bias"],
              (unsigned long long)db["non_df"], (unsigned long long)db["local_bias"]);
}

// A DF change rewrites the map entry: the same programs stay attached and the new role holds at
// once. Then single-active blocking (RFC 7432 §14.1.1) on the new non-DF.
TEST(EsFilterKernel, DfFlips_TakesEffectWithoutReattach_BlockedDropsBothWays) {
  REQUIRE_ROOT_AND_BPF();
  EsFabric f;
  ASSERT_TRUE(f.ok()) << f.why();
  program(f, false, true);
  EXPECT_EQ(f.broadcast("r1", kN).leg_a, uint64_t(kN));
  const std::string tc_a = "tc -n " + f.tenant('a').name() + " filter show dev a-es egress";
  std::string before, after;
  sh(tc_a, &before);
  ASSERT_NE(before.find("es_port_egress"), std::string::npos) << before;

  program(f, true, false);  // B becomes the DF
  sh(tc_a, &after);
  EXPECT_EQ(before, after) << "the filter was re-attached";
  auto r1 = f.broadcast("r1", kN);
  EXPECT_EQ(r1.leg_a, 0u);
  EXPECT_EQ(r1.leg_b, uint64_t(kN));
  EXPECT_EQ(drops(f.dp('a'), "a-es")["non_df"], uint64_t(kN));

  // Single-active non-DF A: nothing out (r1's BUM and a1's) and nothing in (h via leg a).
  auto blocked = f.attachment('a', true, true);
  ASSERT_TRUE(f.dp('a').apply(std::vector{Intent::add(blocked)}).ok());
  auto a1 = f.broadcast("a1", kN);
  EXPECT_EQ(a1.leg_a, 0u);
  EXPECT_EQ(a1.leg_b, 0u);  // B drops A's copy by local bias
  auto ha = f.broadcast("h", kN);
  EXPECT_EQ(ha.a1, 0);
  EXPECT_EQ(ha.r1, 0);
  // The netlink half disables the bridge port (state 0), so the bridge never hands a1's frames to
  // the port and its egress filter; the ingress filter runs before the bridge and drops h's 20.
  EXPECT_EQ(drops(f.dp('a'), "a-es")["blocked"], uint64_t(kN));

  // Deleting the attachment removes the filters: A floods to h again.
  ASSERT_TRUE(f.dp('a').apply(std::vector{Intent::del(blocked)}).ok());
  std::string gone;
  sh(tc_a, &gone);
  EXPECT_EQ(gone.find("es_port_egress"), std::string::npos) << gone;
  EXPECT_TRUE(drops(f.dp('a'), "a-es").empty());
  EXPECT_EQ(f.broadcast("r1", kN).leg_a, uint64_t(kN));
}

// `on-stop: keep`: the provider goes away without removing anything; the filters keep working
// with the last state, and a new provider adopts them (same programs, counters continue).
TEST(EsFilterKernel, RestartOnStopKeep_FiltersStayAndAreAdopted) {
  REQUIRE_ROOT_AND_BPF();
  EsFabric f;
  ASSERT_TRUE(f.ok()) << f.why();
  program(f, true, false);  // B is the DF: A drops r1's BUM as non-DF
  EXPECT_EQ(f.broadcast("r1", kN).leg_b, uint64_t(kN));
  const uint64_t dropped = drops(f.dp('a'), "a-es")["non_df"];
  EXPECT_EQ(dropped, uint64_t(kN));
  const std::string tc_a = "tc -n " + f.tenant('a').name() + " filter show dev a-es egress";
  std::string before;
  sh(tc_a, &before);

  ASSERT_TRUE(f.restart_a()) << f.why();
  auto gap = f.broadcast("r1", kN);  // nobody has re-applied anything yet
  EXPECT_EQ(gap.leg_a, 0u);
  EXPECT_EQ(gap.leg_b, uint64_t(kN));

  auto r = f.dp('a').apply(std::vector{Intent::add(f.attachment('a', true))});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  std::string after;
  sh(tc_a, &after);
  EXPECT_EQ(before, after) << "adopted, not re-attached";
  EXPECT_EQ(drops(f.dp('a'), "a-es")["non_df"], 2u * kN) << "the counter continues";
  auto again = f.broadcast("r1", kN);
  EXPECT_EQ(again.leg_a, 0u);
  EXPECT_EQ(again.leg_b, uint64_t(kN));

  // Another restart, and the segment is no longer configured: the adopted filter shows in dump()
  // and reconcile removes it (A floods to h again: a duplicate, as without multihoming).
  ASSERT_TRUE(f.restart_a()) << f.why();
  auto st = f.dp('a').dump();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->es_attachments.size(), 1u);
  EXPECT_EQ(st->es_attachments[0], f.attachment('a', true));
  L2Vni v = l2vni(EsFabric::kVni, f.tenant('a').name());
  v.local_vtep = *IpAddress::parse("10.0.0.1");
  v.arp_suppression = false;
  auto rep = f.dp('a').reconcile(std::vector{Intent::add(v), Intent::add(FloodEntry{EsFabric::kVni, *IpAddress::parse("10.0.0.2")}),
                                             Intent::add(FloodEntry{EsFabric::kVni, *IpAddress::parse("10.0.0.3")})});
  EXPECT_TRUE(rep.errors.empty()) << rep.errors[0].message;
  EXPECT_EQ(rep.removed, 1u);
  std::string gone;
  sh(tc_a, &gone);
  EXPECT_EQ(gone.find("es_port_egress"), std::string::npos) << gone;
  EXPECT_EQ(f.broadcast("r1", kN).leg_a, uint64_t(kN));
}

}  // namespace
}  // namespace evpnd::dataplane

namespace evpnd::dataplane {
namespace {

// Fast failover puts `hairpin on` on the VXLAN port (backup_nhid, multihoming.md §3 item 3): the
// bridge then floods overlay BUM back into the overlay. The VXLAN-egress filter drops it, so the
// sender never gets its own broadcast back and h still gets exactly one copy.
TEST(EsFilterKernel, HairpinForFastFailover_OverlayBumNotSentBackIntoOverlay) {
  REQUIRE_ROOT_AND_BPF();
  EsFabric f;
  ASSERT_TRUE(f.ok()) << f.why();
  for (char leaf : {'a', 'b'}) {
    const uint32_t nh = kFdbNexthopIdBase + 1, group = kFdbNexthopIdBase + 10;
    auto a = f.attachment(leaf, leaf == 'b');
    a.backup_nhid = group;  // the peer PE's group
    auto r = f.dp(leaf).apply(std::vector{Intent::add(FdbNexthop{nh, a.peer_vteps[0]}),
                                          Intent::add(FdbNexthopGroup{group, {nh}}), Intent::add(a)});
    ASSERT_TRUE(r.ok()) << r.errors[0].message;
  }
  std::string link;
  f.tenant('a').bridge("-d link show dev vxlan100", &link);
  ASSERT_NE(link.find("hairpin on"), std::string::npos) << link;

  auto r1 = f.broadcast("r1", kN);
  EXPECT_EQ(r1.r1, 0) << "r1 got its own broadcast back through a hairpinning leaf";
  EXPECT_EQ(r1.leg_a, uint64_t(kN));
  EXPECT_EQ(r1.leg_b, 0u);
  uint64_t hairpin_a = 0, hairpin_b = 0;
  for (const auto& c : f.dp('a').es_drop_counters())
    if (c.reason == "hairpin" && c.port == "vxlan100") hairpin_a = c.packets;
  for (const auto& c : f.dp('b').es_drop_counters())
    if (c.reason == "hairpin" && c.port == "vxlan100") hairpin_b = c.packets;
  EXPECT_EQ(hairpin_a, uint64_t(kN));
  EXPECT_EQ(hairpin_b, uint64_t(kN));

  // Without A's VXLAN-egress filter the echo is there: the assertion above can fail.
  ASSERT_EQ(sh("tc -n " + f.tenant('a').name() + " filter del dev vxlan100 egress pref 16"), 0);
  EXPECT_EQ(f.broadcast("r1", kN).r1, kN);
}

// Reads the provider's monitor until `done` holds (at most 3 s).
bool poll_until(LinuxDataplane& dp, const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<DataplaneEvent> ev;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<pollfd> pfds;
    for (int fd : dp.event_fds()) pfds.push_back({fd, POLLIN, 0});
    poll(pfds.data(), pfds.size(), 100);
    dp.poll_events(ev);
    if (done()) return true;
  }
  return false;
}

// Links that appear later: a new underlay link gets the tagger, an ES port deleted and created
// again under its name gets its filter back (the monitor's RTM_NEWLINK, no new intent).
TEST(EsFilterKernel, NewUnderlayLinkAndRecreatedPort_FiltersFollow) {
  REQUIRE_ROOT_AND_BPF();
  EsFabric f;
  ASSERT_TRUE(f.ok()) << f.why();
  program(f, false, true);
  const std::string ua = f.underlay('a').name(), ta = f.tenant('a').name();
  auto has = [](const std::string& cmd, const char* what) {
    std::string out;
    sh(cmd, &out);
    return out.find(what) != std::string::npos;
  };
  ASSERT_EQ(sh("ip -n " + ua + " link add up2 type veth peer name up2p"), 0);
  ASSERT_EQ(sh("ip -n " + ua + " link set up2 up"), 0);
  EXPECT_TRUE(poll_until(f.dp('a'), [&] { return has("tc -n " + ua + " filter show dev up2 ingress", "es_tagger"); }));

  ASSERT_EQ(sh("ip -n " + ta + " link del a-es"), 0);
  ASSERT_EQ(sh("ip -n " + ta + " link add a-es type veth peer name a-es-p"), 0);
  ASSERT_EQ(sh("ip -n " + ta + " link set a-es master br100 up"), 0);
  EXPECT_TRUE(poll_until(f.dp('a'), [&] { return has("tc -n " + ta + " filter show dev a-es egress", "es_port_egress"); }));
  EXPECT_TRUE(has("tc -n " + ta + " filter show dev a-es ingress", "es_port_ingress"));
}

}  // namespace
}  // namespace evpnd::dataplane

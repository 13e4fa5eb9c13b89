// The unicast views (unicast_views.hpp) on a real Speaker with established sessions (RawRr
// drives it byte by byte) and a unicast table built here: the per-VRF summary and neighbour
// lists, the route items, the paged walk and the prefix / family query checks.
#include <gtest/gtest.h>

#include "bgp/test/raw_rr.hpp"
#include "daemon/metrics_view.hpp"
#include "daemon/unicast_views.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;
using namespace bgp::test;

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }

class UnicastViews : public RawRr {
 protected:
  // Adds `peer`'s path for `prefix` (peer kLocalPeer for a local one); best = this path.
  void path(const char* prefix, bgp::PeerId peer, const char* nh, bool best, uint8_t flags = 0) {
    const bgp::DestId id = table_.find_or_create(pfx(prefix));
    bgp::UnicastDest& d = table_.at(id);
    wire::PathAttributes a = ibgp_attrs(150);
    a.as_path = wire::AsPath{wire::AsPathSegment{wire::AsPathSegment::Type::kSequence, {64512}}};
    a.communities = {(65000u << 16) | 7};
    bgp::UnicastPath p{pfx(prefix), attrs(attr_table_, a, nh), peer, flags};
    if (d.paths.size() == 1 && !d.paths.front().live()) d.paths.front() = p;  // the tombstone
    else d.paths.push_back(p);
    if (best) d.best = int16_t(d.paths.size() - 1);
  }
  bgp::PeerId id(const char* addr) { return rr_->find_peer(ip(addr))->id; }
  // Runs a streamed reply to its end as the server does.
  static json drain(api::ApiResponse r) {
    EXPECT_TRUE(bool(r.stream)) << r.body.dump();
    if (!r.stream) return r.body;
    std::string text;
    while (r.stream(text)) {
    }
    return json::parse(text);
  }
  api::ApiResponse query(std::map<std::string, std::string> q, std::optional<IpFamily> fixed = std::nullopt) {
    api::ApiRequest r;
    r.method = "GET";
    r.query = std::move(q);
    return unicast_routes_reply(r, [this] { return UnicastSource{rr_.get(), &table_}; }, fixed);
  }

  bgp::AttrTable attr_table_;
  bgp::UnicastTable table_;
};

TEST_F(UnicastViews, Counts_AcceptedPerPeerAndLocRibPerFamily) {
  add("127.0.0.2", {kIpv4Unicast, kIpv6Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true);
  path("10.244.1.0/26", id("127.0.0.3"), "127.0.0.3", false);
  path("203.0.113.10/32", id("127.0.0.2"), "127.0.0.2", true);
  path("2001:db8::/64", id("127.0.0.2"), "::ffff:127.0.0.2", true);
  path("10.9.0.0/16", id("127.0.0.3"), "127.0.0.3", false, bgp::path_flag::kStale);  // not counted as accepted
  auto acc = accepted_by_peer(table_);
  EXPECT_EQ(acc[id("127.0.0.2")].ipv4, 2u);
  EXPECT_EQ(acc[id("127.0.0.2")].ipv6, 1u);
  EXPECT_EQ(acc[id("127.0.0.3")].ipv4, 1u);
  EXPECT_EQ(acc[id("127.0.0.3")].ipv6, 0u);
  const UnicastCounts loc = loc_rib_by_family(table_);
  EXPECT_EQ(loc.ipv4, 2u);  // 10.9.0.0/16 has no best path
  EXPECT_EQ(loc.ipv6, 1u);
  EXPECT_EQ(loc.to_json(), json::parse(R"({"ipv4-unicast":2,"ipv6-unicast":1})"));
}

// Listen ranges 127.0.0.0/8 and, more specific, 127.0.1.0/24 (one peer at most).
void set_ranges(bgp::Speaker& s) {
  bgp::PeerConfig pc = peer("0.0.0.0", 65000, true, true);
  pc.families = {kIpv4Unicast};
  bgp::Output o;
  s.set_listen_ranges({{pfx("127.0.0.0/8"), pc, 100}, {pfx("127.0.1.0/24"), pc, 1}}, o);
}

TEST_F(UnicastViews, Summary_PeersEstablishedDynamicAndRoutes) {
  add("127.0.0.2", {kIpv4Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  set_ranges(*rr_);
  establish("127.0.0.2", {kIpv4Unicast});
  establish("127.0.1.5", {kIpv4Unicast});  // dynamic, from the /24
  establish("127.0.0.9", {kIpv4Unicast});  // dynamic, from the /8
  bgp::Output o;
  EXPECT_FALSE(rr_->on_accepted(bgp::kInboundConnBase + 99, ip("127.0.1.6"), o));  // the /24 is full
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true);
  const json j = vrf_summary_json("tenant1", *rr_, table_);
  EXPECT_EQ(j["name"], "tenant1");
  EXPECT_EQ(j["asn"], 65000);
  EXPECT_EQ(j["router_id"], "10.0.0.254");
  EXPECT_EQ(j["peers_configured"], 2);
  EXPECT_EQ(j["peers_established"], 3);
  EXPECT_EQ(j["dynamic_peers"], 2);
  EXPECT_EQ(j["listen_ranges"], json::parse(R"([
    {"range":"127.0.0.0/8","remote_as":65000,"max_peers":100,"peers":1,"refused":0},
    {"range":"127.0.1.0/24","remote_as":65000,"max_peers":1,"peers":1,"refused":1}])"));
  EXPECT_EQ(j["unicast_routes"]["ipv4-unicast"], 1);
  EXPECT_EQ(j["unicast_routes"]["ipv6-unicast"], 0);
  // Each dynamic neighbour names the range it came from (the most specific one).
  const json n = vrf_neighbors_json("tenant1", *rr_, table_, now_);
  std::map<std::string, json> by;
  for (const auto& x : n["neighbors"]) by[x["address"].get<std::string>()] = x;
  EXPECT_EQ(by["127.0.1.5"]["dynamic"], true);
  EXPECT_EQ(by["127.0.1.5"]["listen_range"], "127.0.1.0/24");
  EXPECT_EQ(by["127.0.0.9"]["listen_range"], "127.0.0.0/8");
  EXPECT_EQ(by["127.0.0.2"]["dynamic"], false);
  EXPECT_TRUE(by["127.0.0.2"]["listen_range"].is_null());
  // Metrics per range.
  api::MetricsWriter w;
  write_vrf_bgp_metrics(w, "tenant1", *rr_, table_);
  const std::string text = w.render();
  EXPECT_NE(text.find("evpnd_vrf_bgp_dynamic_peers{vrf=\"tenant1\",range=\"127.0.1.0/24\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("evpnd_vrf_bgp_dynamic_refused_total{vrf=\"tenant1\",range=\"127.0.1.0/24\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("evpnd_vrf_bgp_dynamic_peers{vrf=\"tenant1\",range=\"127.0.0.0/8\"} 1\n"), std::string::npos);
}

TEST_F(UnicastViews, Neighbors_StateCountersAndAcceptedPrefixes) {
  add("127.0.0.2", {kIpv4Unicast, kIpv6Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  establish("127.0.0.2", {kIpv4Unicast});
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true);
  path("203.0.113.10/32", id("127.0.0.2"), "127.0.0.2", true);
  const json j = vrf_neighbors_json("tenant1", *rr_, table_, now_ + std::chrono::seconds(75));
  EXPECT_EQ(j["vrf"], "tenant1");
  ASSERT_EQ(j["neighbors"].size(), 2u);
  const json& up = j["neighbors"][0];
  EXPECT_EQ(up["address"], "127.0.0.2");
  EXPECT_EQ(up["remote_as"], 65000);
  EXPECT_EQ(up["state"], "Established");
  EXPECT_EQ(up["uptime_seconds"], 75);
  EXPECT_EQ(up["dynamic"], false);
  EXPECT_TRUE(up["listen_range"].is_null());
  EXPECT_EQ(up["families"], json::parse(R"(["ipv4-unicast","ipv6-unicast"])"));
  EXPECT_EQ(up["negotiated_families"], json::parse(R"(["ipv4-unicast"])"));
  EXPECT_EQ(up["prefixes_accepted"], json::parse(R"({"ipv4-unicast":2,"ipv6-unicast":0})"));
  EXPECT_EQ(up["policy_rejected"], 0);
  EXPECT_EQ(up["unnegotiated_nlri"], 0);
  EXPECT_GT(up["messages_in"].get<int>(), 0);
  const json& down = j["neighbors"][1];
  EXPECT_EQ(down["address"], "127.0.0.3");
  EXPECT_NE(down["state"], "Established");
  EXPECT_EQ(down["uptime_seconds"], 0);
  EXPECT_EQ(down["negotiated_families"], json::array());
  EXPECT_EQ(down["prefixes_accepted"], json::parse(R"({"ipv4-unicast":0,"ipv6-unicast":0})"));
}

TEST_F(UnicastViews, PathJson_PeerNextHopFlagsAndAttributes) {
  add("127.0.0.2", {kIpv4Unicast});
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true, bgp::path_flag::kStale);
  path("10.244.1.0/26", bgp::kLocalPeer, "10.0.0.254", false);
  const bgp::UnicastDest& d = table_.at(table_.find(pfx("10.244.1.0/26")));
  const json a = unicast_path_json(*rr_, d.paths[0], true);
  EXPECT_EQ(a["prefix"], "10.244.1.0/26");
  EXPECT_EQ(a["family"], "ipv4-unicast");
  EXPECT_EQ(a["peer"], "127.0.0.2");
  EXPECT_EQ(a["next_hop"], "127.0.0.2");
  EXPECT_EQ(a["best"], true);
  EXPECT_EQ(a["stale"], true);
  EXPECT_EQ(a["attributes"]["as_path"], json::parse("[64512]"));
  EXPECT_EQ(a["attributes"]["local_pref"], 150);
  EXPECT_EQ(a["attributes"]["origin"], "igp");
  EXPECT_EQ(a["attributes"]["communities"], json::parse(R"(["65000:7"])"));
  const json l = unicast_path_json(*rr_, d.paths[1], false);
  EXPECT_EQ(l["peer"], "local");
  EXPECT_EQ(l["best"], false);
  EXPECT_EQ(l["stale"], false);
}

TEST_F(UnicastViews, Routes_AllPathsFamilyFilterAndPrefixQuery) {
  add("127.0.0.2", {kIpv4Unicast, kIpv6Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true);
  path("10.244.1.0/26", id("127.0.0.3"), "127.0.0.3", false);
  path("10.244.0.0/16", id("127.0.0.3"), "127.0.0.3", true);
  path("2001:db8::/64", id("127.0.0.2"), "::ffff:127.0.0.2", true);
  json all = drain(query({}));
  EXPECT_EQ(all["count"], 4);
  json v6 = drain(query({{"family", "ipv6"}}));
  ASSERT_EQ(v6["count"], 1);
  EXPECT_EQ(v6["routes"][0]["prefix"], "2001:db8::/64");
  json v4 = drain(query({}, IpFamily::kV4));  // /v1/bgp/ipv4/routes
  EXPECT_EQ(v4["count"], 3);
  // An exact prefix: both of its paths, together.
  json exact = drain(query({{"family", "ipv4"}, {"prefix", "10.244.1.0/26"}}));
  ASSERT_EQ(exact["count"], 2);
  EXPECT_EQ(exact["routes"][0]["peer"], "127.0.0.2");
  EXPECT_EQ(exact["routes"][1]["peer"], "127.0.0.3");
  // An address: the longest prefix containing it (FRR's `show bgp ipv4 A.B.C.D`).
  json lpm = drain(query({{"prefix", "10.244.1.5"}}));
  ASSERT_EQ(lpm["count"], 2);
  EXPECT_EQ(lpm["routes"][0]["prefix"], "10.244.1.0/26");
  json wider = drain(query({{"prefix", "10.244.200.1"}}));
  ASSERT_EQ(wider["count"], 1);
  EXPECT_EQ(wider["routes"][0]["prefix"], "10.244.0.0/16");
  json none = drain(query({{"prefix", "192.0.2.0/24"}}));
  EXPECT_EQ(none["count"], 0);
  EXPECT_EQ(drain(query({{"prefix", "192.0.2.1"}}))["count"], 0);
}

TEST_F(UnicastViews, Routes_BadQuery_400WithReason) {
  auto expect_400 = [&](std::map<std::string, std::string> q, const std::string& why,
                        std::optional<IpFamily> fixed = std::nullopt) {
    api::ApiResponse r = query(q, fixed);
    EXPECT_EQ(r.status, 400);
    EXPECT_FALSE(bool(r.stream));
    EXPECT_NE(r.body.value("error", "").find(why), std::string::npos) << r.body.dump();
  };
  expect_400({{"family", "l2vpn"}}, "bad family 'l2vpn': expected ipv4 or ipv6");
  expect_400({{"prefix", "10.0.0.0/33"}}, "bad prefix '10.0.0.0/33'");
  expect_400({{"prefix", "bogus"}}, "bad prefix 'bogus'");
  expect_400({{"family", "ipv4"}, {"prefix", "2001:db8::/32"}}, "prefix '2001:db8::/32' is not ipv4");
  expect_400({{"prefix", "10.0.0.0/8"}}, "is not ipv6", IpFamily::kV6);
  expect_400({{"family", "ipv4"}}, "contradicts", IpFamily::kV6);
  expect_400({{"cursor", "x"}}, "bad cursor 'x'");
  expect_400({{"limit", "0"}}, "bad limit '0'");
}

TEST_F(UnicastViews, Routes_PagesKeepAPrefixsPathsTogetherAndCoverAll) {
  add("127.0.0.2", {kIpv4Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  for (int i = 0; i < 50; ++i) {
    const std::string p = "10.1." + std::to_string(i) + ".0/24";
    path(p.c_str(), id("127.0.0.2"), "127.0.0.2", true);
    if (i % 3 == 0) path(p.c_str(), id("127.0.0.3"), "127.0.0.3", false);
  }
  std::map<std::string, int> seen;
  std::map<std::string, std::string> q = {{"limit", "7"}};
  for (int pages = 0; pages < 100; ++pages) {
    json page = drain(query(q));
    EXPECT_LE(page["count"].get<int>(), 8);  // a page never splits a prefix's two paths
    for (const auto& r : page["routes"]) ++seen[r["prefix"].get<std::string>()];
    if (!page.contains("next_cursor")) break;
    q["cursor"] = page["next_cursor"].get<std::string>();
  }
  ASSERT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen["10.1." + std::to_string(i) + ".0/24"], i % 3 == 0 ? 2 : 1) << i;
}

TEST_F(UnicastViews, Metrics_StatePrefixesRejectedPerVrfPeer) {
  add("127.0.0.2", {kIpv4Unicast, kIpv6Unicast});
  add("127.0.0.3", {kIpv4Unicast});
  establish("127.0.0.2", {kIpv4Unicast, kIpv6Unicast});
  path("10.244.1.0/26", id("127.0.0.2"), "127.0.0.2", true);
  path("2001:db8::/64", id("127.0.0.2"), "::ffff:127.0.0.2", true);
  path("10.244.1.0/26", id("127.0.0.3"), "127.0.0.3", false, bgp::path_flag::kStale);
  api::MetricsWriter w;
  write_vrf_bgp_metrics(w, "tenant1", *rr_, table_);
  const std::string text = w.render();
  auto has = [&](const std::string& line) { EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text; };
  has("evpnd_vrf_bgp_session_state{vrf=\"tenant1\",peer=\"127.0.0.2\"} 6");
  has("evpnd_vrf_bgp_session_state{vrf=\"tenant1\",peer=\"127.0.0.3\"} " +
      std::to_string(int(state("127.0.0.3").display_state()) + 1));
  has("evpnd_vrf_bgp_prefixes{vrf=\"tenant1\",peer=\"127.0.0.2\"} 2");
  has("evpnd_vrf_bgp_prefixes{vrf=\"tenant1\",peer=\"127.0.0.3\"} 0");  // its one path is stale
  has("evpnd_bgp_policy_rejected_total{vrf=\"tenant1\",peer=\"127.0.0.2\"} 0");
  has("# TYPE evpnd_bgp_policy_rejected_total counter");
  has("evpnd_vrf_bgp_routes{vrf=\"tenant1\",family=\"ipv4-unicast\"} 1");
  has("evpnd_vrf_bgp_routes{vrf=\"tenant1\",family=\"ipv6-unicast\"} 1");
}

// End to end through the speaker's public API: a CE's UPDATEs (eBGP, an import prefix list) and a
// local route, read back from Speaker::unicast_table() by every view.
TEST_F(UnicastViews, RealUpdates_AcceptedRejectedListedAndWithdrawn) {
  bgp::PeerConfig ce = peer("127.0.0.9", 64512);
  ce.families = {kIpv4Unicast, kIpv6Unicast};
  ce.import_filter = PrefixList{{{pfx("10.244.0.0/16"), std::nullopt, uint8_t(26), true},
                                 {pfx("2001:db8::/32"), std::nullopt, uint8_t(64), true}}};
  add(ce);
  establish("127.0.0.9", {kIpv4Unicast, kIpv6Unicast}, true, 64512);
  wire::Update u;
  u.attrs.origin = wire::Origin::kIgp;
  u.attrs.as_path = wire::AsPath{{wire::AsPathSegment::Type::kSequence, {64512}}};
  u.attrs.med = 5;
  u.attrs.next_hop = ip("127.0.0.9");
  u.nlri = {pfx("10.244.1.0/26"), pfx("10.244.1.0/27"), pfx("192.0.2.0/24")};  // the last two refused
  send("127.0.0.9", u);
  wire::Update u6;
  u6.attrs.origin = wire::Origin::kIgp;
  u6.attrs.as_path = u.attrs.as_path;
  u6.mp_reach = wire::MpReach{};
  u6.mp_reach->afi_safi = kIpv6Unicast;
  u6.mp_reach->next_hop = ip("2001:db8:ff::9");
  u6.mp_reach->prefixes = {pfx("2001:db8:1::/48")};
  send("127.0.0.9", u6);
  bgp::Output o;
  rr_->originate(pfx("10.99.0.0/24"), bgp::PathInfo{ibgp_attrs(), IpAddress{}, 0});  // e.g. an exported type-5
  rr_->flush(o);
  const bgp::UnicastTable& t = rr_->unicast_table();

  const json n = vrf_neighbors_json("tenant1", *rr_, t, now_)["neighbors"][0];
  EXPECT_EQ(n["state"], "Established");
  EXPECT_EQ(n["role"], "ebgp");
  EXPECT_EQ(n["prefixes_accepted"], json::parse(R"({"ipv4-unicast":1,"ipv6-unicast":1})"));
  EXPECT_EQ(n["policy_rejected"], 2);
  EXPECT_EQ(vrf_summary_json("tenant1", *rr_, t)["unicast_routes"], json::parse(R"({"ipv4-unicast":2,"ipv6-unicast":1})"));

  auto fetch = [&](std::map<std::string, std::string> q) {
    api::ApiRequest r;
    r.query = std::move(q);
    return drain(unicast_routes_reply(r, [&] { return UnicastSource{rr_.get(), &rr_->unicast_table()}; }));
  };
  const json pod = fetch({{"prefix", "10.244.1.7"}});
  ASSERT_EQ(pod["count"], 1);
  EXPECT_EQ(pod["routes"][0]["prefix"], "10.244.1.0/26");
  EXPECT_EQ(pod["routes"][0]["peer"], "127.0.0.9");
  EXPECT_EQ(pod["routes"][0]["next_hop"], "127.0.0.9");
  EXPECT_EQ(pod["routes"][0]["best"], true);
  EXPECT_EQ(pod["routes"][0]["attributes"]["med"], 5);
  EXPECT_EQ(pod["routes"][0]["attributes"]["as_path"], json::parse("[64512]"));
  const json v6 = fetch({{"family", "ipv6"}});
  ASSERT_EQ(v6["count"], 1);
  EXPECT_EQ(v6["routes"][0]["next_hop"], "2001:db8:ff::9");
  const json local = fetch({{"prefix", "10.99.0.0/24"}});
  ASSERT_EQ(local["count"], 1);
  EXPECT_EQ(local["routes"][0]["peer"], "local");
  EXPECT_TRUE(local["routes"][0]["next_hop"].is_null());
  EXPECT_EQ(fetch({{"prefix", "10.244.1.0/27"}})["count"], 0);  // refused: not in the table

  wire::Update w;
  w.withdrawn = {pfx("10.244.1.0/26")};
  send("127.0.0.9", w);
  EXPECT_EQ(fetch({{"family", "ipv4"}})["count"], 1);  // the local one
  EXPECT_EQ(vrf_neighbors_json("tenant1", *rr_, t, now_)["neighbors"][0]["prefixes_accepted"]["ipv4-unicast"], 0);
}

TEST_F(UnicastViews, Walker_SourceGone_Invalidated) {
  const bgp::Speaker* current = rr_.get();
  UnicastWalker w([&] { return UnicastSource{current, &table_}; }, std::nullopt, 0);
  EXPECT_FALSE(w.invalidated());
  current = nullptr;  // the VRF's instance was removed
  EXPECT_TRUE(w.invalidated());
}

}  // namespace
}  // namespace evpnd::daemon

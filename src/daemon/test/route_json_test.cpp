// The API's route parser (POST/DELETE /v1/evpn/routes) for multihoming: the esi-label: and
// df-election: extended communities in exactly the form ExtCommunity::to_string() prints, and
// type-1 / type-4 routes that come back from GET /v1/bgp/evpn/routes as they were posted.
#include <gtest/gtest.h>

#include <map>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/route_json.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

wire::ExtCommunity raw(const char* hex) {
  wire::ExtCommunity c;
  auto b = parse_hex(hex);
  EXPECT_TRUE(b && b->size() == 8) << hex;
  if (b) std::copy(b->begin(), b->end(), c.raw.begin());
  return c;
}

TEST(RouteJsonExtCommunity, ToStringForms_ParseBackByteExact) {
  // Every multihoming community (and FRR 8.4's DF Election bytes) survives to_string -> parse.
  const char* kHex[] = {
      "0601000000000000",  // ESI label 0, all-active (FRR's per-ES A-D)
      "0601010000000000",  // single-active
      "06010100000a0b0c",  // label 658188
      "0601000000ffffff",  // largest label
      "060602000000" "7fff",  // FRR 8.4: alg 2, pref 32767
      "0606000000000000",  // modulo
      "0606014000000000",  // HRW + AC-DF
      "060603c00000abcd",  // lowest-preference, DP + AC-DF, pref 43981
      "0606020001000064",  // an unassigned capability bit survives through bitmap=
      "0606010000000005",  // pref octets set on a non-preference algorithm
      "0602443839ffff02",  // ES-Import
  };
  for (const char* h : kHex) {
    const wire::ExtCommunity c = raw(h);
    auto back = parse_ext_community(c.to_string());
    ASSERT_TRUE(back) << c.to_string() << ": " << back.error();
    EXPECT_EQ(*back, c) << c.to_string();
  }
}

TEST(RouteJsonExtCommunity, EsiLabelAndDfElection_Values) {
  EXPECT_EQ(*parse_ext_community("esi-label:label=0"), wire::ExtCommunity::esi_label(false, 0));
  EXPECT_EQ(*parse_ext_community("esi-label:label=100,single-active"), wire::ExtCommunity::esi_label(true, 100));
  EXPECT_EQ(*parse_ext_community("df-election:alg=2,bitmap=0x0000,pref=32767"), raw("0606020000007fff"));
  EXPECT_EQ(*parse_ext_community("df-election:alg=2,pref=50000"), wire::ExtCommunity::df_election(2, 0, 50000));
  EXPECT_EQ(*parse_ext_community("df-election:alg=1"), wire::ExtCommunity::df_election(1, 0));
  EXPECT_EQ(*parse_ext_community("df-election:alg=2,pref=1,dp"), wire::ExtCommunity::df_election(2, 0x8000, 1));
  EXPECT_EQ(*parse_ext_community("df-election:alg=0,ac-df"), wire::ExtCommunity::df_election(0, 0x4000));
}

TEST(RouteJsonExtCommunity, MalformedForms_Refused) {
  for (const char* bad : {"esi-label:", "esi-label:label=", "esi-label:label=16777216", "esi-label:label=-1",
                          "esi-label:label=1x", "esi-label:single-active", "esi-label:label=1,label=2",
                          "esi-label:label=1,sticky", "esi-label:label=1,single-active=1", "esi-label:label=1,",
                          "df-election:", "df-election:alg=32", "df-election:bitmap=0x0000",
                          "df-election:alg=2,pref=65536", "df-election:alg=2,bitmap=0x10000",
                          "df-election:alg=2,bitmap=12", "df-election:alg=2,bitmap=0x", "df-election:alg=2,dp=1",
                          "df-election:alg=2,pref=1,pref=2", "df-election:alg=+2", "df-election:alg=2,preference=5"}) {
    auto r = parse_ext_community(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error(), std::string("bad extended community '") + bad + "'");
    }
  }
}

api::ApiResponse call(Daemon& d, const std::string& method, const std::string& path, json body = nullptr,
                      std::map<std::string, std::string> query = {}) {
  api::ApiRequest r;
  r.method = method;
  r.path = path;
  r.body = std::move(body);
  r.query = std::move(query);
  return handle_api(d, r);
}

json get_routes(Daemon& d, std::map<std::string, std::string> query = {}) {
  api::ApiResponse r = call(d, "GET", "/v1/bgp/evpn/routes", nullptr, std::move(query));
  EXPECT_TRUE(bool(r.stream)) << r.body.dump();
  std::string text;
  for (bool more = bool(r.stream); more;) {
    std::string piece;
    more = r.stream(piece);
    text += piece;
  }
  return json::parse(text);
}

// The routes of a GET reply keyed by their prefix string (the listing order is the RIB's).
std::map<std::string, json> by_prefix(const json& routes) {
  std::map<std::string, json> m;
  for (const json& r : routes) m[r["prefix_string"].get<std::string>()] = r;
  return m;
}

// The multihoming routes of one PE as engineer D originates them (multihoming.md §1).
json mh_routes() {
  const std::string esi = "03:44:38:39:ff:ff:02:00:00:02";
  return json::array({
      // per-ES A-D: MAX-ET, label 0, ESI label ext-community (all-active), EVI RTs.
      {{"route_type", 1}, {"rd", "10.0.0.1:5"}, {"esi", esi}, {"ethernet_tag", 4294967295u}, {"vni", 0},
       {"next_hop", "10.0.0.1"},
       {"extended_communities", {"rt:65000:100", "rt:65000:200", "encap:vxlan", "esi-label:label=0"}}},
      // per-EVI A-D: tag 0, label = VNI.
      {{"route_type", 1}, {"rd", "10.0.0.1:3"}, {"esi", esi}, {"ethernet_tag", 0}, {"vni", 100},
       {"next_hop", "10.0.0.1"}, {"extended_communities", {"rt:65000:100", "encap:vxlan"}}},
      // ES route: ES-Import + DF Election with preference.
      {{"route_type", 4}, {"rd", "10.0.0.1:5"}, {"esi", esi}, {"originator", "10.0.0.1"}, {"next_hop", "10.0.0.1"},
       {"extended_communities", {"es-import:44:38:39:ff:ff:02", "df-election:alg=2,bitmap=0xc000,pref=50000,dp,ac-df"}}},
  });
}

TEST(RouteJsonTypes14, PostedRoutes_ComeBackAsPosted_AndRepost) {
  asio::io_context io;
  auto c = api::parse_config_text("router-id: 10.0.0.1\nasn: 65000\nlisten: { address: 127.0.0.1, port: 0 }\n", "t.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  Daemon d(io, *c);
  const json posted = mh_routes();
  auto r = call(d, "POST", "/v1/evpn/routes", {{"routes", posted}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const json got = get_routes(d);
  ASSERT_EQ(got["count"], 3) << got.dump();
  // Each posted route is in the RIB with its NLRI fields and communities unchanged.
  for (const json& p : posted) {
    bool found = false;
    for (const json& g : got["routes"]) {
      bool same = true;
      for (const char* k : {"route_type", "rd", "esi", "ethernet_tag", "vni", "originator"})
        if (p.contains(k) && g.value(k, json()) != p[k]) same = false;
      if (!same) continue;
      found = true;
      EXPECT_EQ(g["attributes"]["extended_communities"], p["extended_communities"]) << g.dump();
      EXPECT_EQ(g["next_hop"], p["next_hop"]);
    }
    EXPECT_TRUE(found) << p.dump() << "\nnot in\n" << got.dump();
  }
  // `show bgp evpn routes --type 1|4` (GET ?type=): only that route type.
  const json t1 = get_routes(d, {{"type", "1"}});
  EXPECT_EQ(t1["count"], 2);
  for (const json& g : t1["routes"]) EXPECT_EQ(g["route_type"], 1);
  const json t4 = get_routes(d, {{"type", "4"}});
  ASSERT_EQ(t4["count"], 1);
  EXPECT_EQ(t4["routes"][0]["originator"], "10.0.0.1");
  EXPECT_EQ(call(d, "GET", "/v1/bgp/evpn/routes", nullptr, {{"type", "6"}}).status, 400);
  // What GET shows can be posted again: withdraw everything, re-post the GET form, same RIB.
  json repost = json::array();
  for (const json& g : got["routes"]) {
    json one = json::object();
    for (const char* k : {"route_type", "rd", "esi", "ethernet_tag", "vni", "originator", "next_hop"})
      if (g.contains(k)) one[k] = g[k];
    one["extended_communities"] = g["attributes"]["extended_communities"];
    repost.push_back(one);
  }
  auto del = call(d, "DELETE", "/v1/evpn/routes", {{"routes", posted}});
  ASSERT_EQ(del.status, 200) << del.body.dump();
  EXPECT_EQ(get_routes(d)["count"], 0);
  auto again = call(d, "POST", "/v1/evpn/routes", {{"routes", repost}});
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(by_prefix(get_routes(d)["routes"]), by_prefix(got["routes"]));
}

}  // namespace
}  // namespace evpnd::daemon

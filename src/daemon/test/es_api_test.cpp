// Ethernet segments through a whole in-process daemon (fake data plane): GET /v1/evpn/es,
// /v1/evpn/es/<esi|name>, /v1/evpn/es-evi, the evpnd_es_* metrics, and a reload that changes
// a segment's DF preference (applied live) and removes it.
#include <gtest/gtest.h>

#include <fstream>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/metrics_view.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

api::ApiResponse get(Daemon& d, const std::string& path, std::map<std::string, std::string> query = {}) {
  api::ApiRequest r;
  r.method = "GET";
  r.path = path;
  r.query = std::move(query);
  return handle_api(d, r);
}

const std::string kEs = "ethernet-segments:\n"
                        "  - name: es1\n"
                        "    esi: { type: 3, system-mac: \"44:38:39:ff:ff:01\", local-id: 1 }\n"
                        "    attachments: { 100: es1-100 }\n";

class EsApi : public ::testing::Test {
 protected:
  std::string dir_ = ::testing::TempDir();
  std::string file_ = dir_ + "/es-api.yaml";
  std::string head_ = "router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ +
                      "/es-api.sock }\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\nl2vnis:\n  - { vni: 100 }\n  - { vni: 200 }\n";
  void write(const std::string& text) { std::ofstream(file_) << text; }
  std::unique_ptr<Daemon> start(const std::string& text) {
    write(text);
    auto cfg = api::parse_config_file(file_);
    EXPECT_TRUE(cfg) << cfg.error().to_string();
    auto d = std::make_unique<Daemon>(io_, *cfg);
    d->start();
    return d;
  }
  asio::io_context io_;
};

TEST_F(EsApi, Views_ListDetailEsEviAndMetrics) {
  auto d = start(head_ + kEs);
  auto list = get(*d, "/v1/evpn/es");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["segments"].size(), 1u);
  const json& es = list.body["segments"][0];
  EXPECT_EQ(es["name"], "es1");
  EXPECT_EQ(es["esi"], "03:44:38:39:ff:ff:01:00:00:01");
  EXPECT_EQ(es["esi_type"], 3);
  EXPECT_EQ(es["redundancy"], "all-active");
  EXPECT_EQ(es["state"], "down");  // the fake data plane reports no carrier on es1-100
  EXPECT_EQ(es["es_import"], "44:38:39:ff:ff:01");
  EXPECT_EQ(es["df_wait_ms"], 3000);
  ASSERT_EQ(es["vteps"].size(), 1u);
  EXPECT_EQ(es["vteps"][0]["vtep"], "10.0.0.1");
  EXPECT_EQ(es["vteps"][0]["df_algorithm"], "preference-highest");
  EXPECT_EQ(es["vteps"][0]["df_preference"], 32767);
  ASSERT_EQ(es["evis"].size(), 1u);
  EXPECT_EQ(es["evis"][0]["port"], "es1-100");
  EXPECT_EQ(es["evis"][0]["df_status"], "non-df");
  EXPECT_EQ(es["evis"][0]["attachment_up"], false);

  EXPECT_EQ(get(*d, "/v1/evpn/es/es1").body["name"], "es1");
  EXPECT_EQ(get(*d, "/v1/evpn/es/03:44:38:39:ff:ff:01:00:00:01").body["name"], "es1");
  EXPECT_EQ(get(*d, "/v1/evpn/es/nope").status, 404);
  EXPECT_EQ(get(*d, "/v1/evpn/es-evi").body["es_evis"].size(), 1u);
  EXPECT_EQ(get(*d, "/v1/evpn/es-evi", {{"vni", "200"}}).body["es_evis"].size(), 0u);
  EXPECT_EQ(get(*d, "/v1/evpn/es-evi", {{"vni", "x"}}).status, 400);

  const std::string m = metrics_text(*d);
  EXPECT_NE(m.find("evpnd_es_df_changes_total{es=\"es1\",esi=\"03:44:38:39:ff:ff:01:00:00:01\"} 0"), std::string::npos) << m;
  EXPECT_NE(m.find("evpnd_es_up{es=\"es1\""), std::string::npos);
  EXPECT_NE(m.find("evpnd_es_df{es=\"es1\",esi=\"03:44:38:39:ff:ff:01:00:00:01\",vni=\"100\"} 0"), std::string::npos);
}

TEST_F(EsApi, RouteReflector_EmptyList) {
  write("router-id: 10.0.0.9\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ + "/es-rr.sock }\n");
  auto cfg = api::parse_config_file(file_);
  ASSERT_TRUE(cfg);
  Daemon rr(io_, *cfg);
  rr.start();
  EXPECT_EQ(get(rr, "/v1/evpn/es").body["segments"], json::array());
  EXPECT_EQ(get(rr, "/v1/evpn/es-evi").body["es_evis"], json::array());
  EXPECT_EQ(get(rr, "/v1/evpn/es/es1").status, 404);
}

TEST_F(EsApi, Reload_SegmentChangedAddedRemovedLive) {
  auto d = start(head_ + kEs);
  // The preference changes: applied live, the running view shows it.
  write(head_ + kEs + "    df: { preference: 50000 }\nes-timers: { df-wait-ms: 1000 }\n");
  auto r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["segments_changed"], json::array({"es1"})) << r->dump();
  EXPECT_EQ((*r)["es_timers_changed"], true);
  EXPECT_EQ((*r)["restart_required"], json::array()) << r->dump();
  auto es = get(*d, "/v1/evpn/es/es1").body;
  EXPECT_EQ(es["vteps"][0]["df_preference"], 50000);
  EXPECT_EQ(es["df_wait_ms"], 1000);
  // Removed, and another added on VNI 200.
  write(head_ + "ethernet-segments:\n  - { name: es2, esi: \"00:00:00:00:00:00:00:00:00:02\", attachments: { 200: es2-200 } }\n");
  r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["segments_removed"], json::array({"es1"}));
  EXPECT_EQ((*r)["segments_added"], json::array({"es2"}));
  auto list = get(*d, "/v1/evpn/es").body["segments"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "es2");
}

}  // namespace
}  // namespace evpnd::daemon

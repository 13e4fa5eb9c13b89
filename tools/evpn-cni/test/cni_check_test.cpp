// CHECK against prevResult, STATUS and VERSION.
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

json added(PluginHarness& h, json& cfg) {
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24"}}};
  auto r = h.run("ADD", cfg);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  cfg["prevResult"] = r.json();
  return r.json();
}

TEST(CniCheck, HealthyAttachment_Passes) {
  PluginHarness h;
  json cfg = h.config("1.0.0");
  added(h, cfg);
  auto r = h.run("CHECK", cfg);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

TEST(CniCheck, EachDivergence_Code103WithWhatDiffers) {
  struct Case {
    const char* what;
    std::function<void(PluginHarness&)> spoil;
  };
  std::vector<Case> cases = {
      {"host veth", [](PluginHarness& h) { h.net.veths.begin()->second.host.master = ""; }},
      {"is down", [](PluginHarness& h) { h.net.veths.begin()->second.host.up = false; }},
      {"has MAC", [](PluginHarness& h) { h.net.veths.begin()->second.container.mac = *Mac::parse("02:99:00:00:00:01"); }},
      {"lacks address", [](PluginHarness& h) { h.net.veths.begin()->second.container.addresses.clear(); }},
      {"route 0.0.0.0/0", [](PluginHarness& h) { h.net.veths.begin()->second.container.routes.clear(); }},
      {"does not list endpoint",
       [](PluginHarness& h) {
         h.evpnd.drop_endpoint(5001, h.net.veths.begin()->second.container.mac.to_string());
       }},
      {"is missing", [](PluginHarness& h) { h.net.veths.clear(); }},
  };
  for (const auto& c : cases) {
    PluginHarness h;
    json cfg = h.config("0.4.0");
    added(h, cfg);
    c.spoil(h);
    auto r = h.run("CHECK", cfg);
    ASSERT_EQ(r.exit_code, 1) << c.what;
    EXPECT_EQ(r.json()["code"], 103) << c.what << ": " << r.out;
    EXPECT_NE(r.json()["msg"].get<std::string>().find(c.what), std::string::npos) << r.out;
  }
}

TEST(CniCheck, VniGone_Code103) {
  PluginHarness h;
  json cfg = h.config();
  added(h, cfg);
  h.evpnd.force("GET /v1/evpn/vnis/5001", 404, "unknown VNI");
  auto r = h.run("CHECK", cfg);
  EXPECT_EQ(r.json()["code"], 103);
  EXPECT_NE(r.json()["msg"].get<std::string>().find("VNI 5001 is not running"), std::string::npos);
}

TEST(CniCheck, ContainerGone_Code3_EvpndDown_Code50) {
  PluginHarness h;
  json cfg = h.config();
  added(h, cfg);
  h.evpnd.stop();
  EXPECT_EQ(h.run("CHECK", cfg).json()["code"], 50);
  h.net.netns.clear();
  EXPECT_EQ(h.run("CHECK", cfg).json()["code"], 3);
}

TEST(CniCheck, Preconditions) {
  PluginHarness h;
  json cfg = h.config("0.3.1");
  added(h, cfg);
  EXPECT_EQ(h.run("CHECK", cfg).json()["code"], 1);  // CHECK exists from 0.4.0
  cfg["cniVersion"] = "1.0.0";
  json no_prev = cfg;
  no_prev.erase("prevResult");
  EXPECT_EQ(h.run("CHECK", no_prev).json()["code"], 7);
  EXPECT_EQ(h.run("CHECK", cfg, "other").json()["code"], 3);  // never added
}

TEST(CniStatus, EvpndAnswers_Ok_Down_50) {
  PluginHarness h;
  Environment e = {{"CNI_COMMAND", "STATUS"}};
  auto ok = h.run(e, h.config("1.1.0").dump());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  auto log = h.evpnd.log();
  EXPECT_EQ(log.back(), "GET /v1/bgp/summary");
  h.evpnd.stop();
  auto down = h.run(e, h.config("1.1.0").dump());
  ASSERT_EQ(down.exit_code, 1);
  EXPECT_EQ(down.json()["code"], 50);
  EXPECT_NE(down.json()["details"].get<std::string>().find(h.evpnd.socket()), std::string::npos);
  EXPECT_EQ(h.run(e, h.config("1.0.0").dump()).json()["code"], 1);
}

TEST(CniVersion, AnswersAllFiveVersions) {
  PluginHarness h;
  auto r = h.run({{"CNI_COMMAND", "VERSION"}}, R"({"cniVersion":"0.3.1"})");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.json(), json({{"cniVersion", "0.3.1"},
                            {"supportedVersions", {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}}}));
  auto empty = h.run({{"CNI_COMMAND", "VERSION"}}, "");
  EXPECT_EQ(empty.json()["cniVersion"], "1.1.0");
}

}  // namespace
}  // namespace evpnd::cni::testing

// Results in every supported version (golden files) and parsing of any version's result.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "evpn-cni/cni_result.hpp"
#include "evpn-cni/cni_version.hpp"
#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

json golden(const std::string& version, const std::string& host_veth) {
  std::ifstream in(std::string(EVPND_SOURCE_DIR) + "/tools/evpn-cni/test/golden/add-" + version + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.replace(text.find("@HOSTVETH@"), 10, host_veth);
  return json::parse(text);
}

class CniResultVersions : public ::testing::TestWithParam<std::string> {};

TEST_P(CniResultVersions, AddPrintsTheGoldenResultOfTheConfigsVersion) {
  PluginHarness h;
  json cfg = h.config(GetParam());
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24", "2001:db8::5/64"}}, {"mac", "02:00:00:00:05:01"}};
  cfg["dns"] = {{"nameservers", {"10.1.0.1"}}, {"search", {"pods.example"}}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.json(), golden(GetParam(), host_veth_name("c1", "eth0"))) << r.out;
  // And the result reads back (as the next plugin's prevResult would).
  auto parsed = parse_result(r.json());
  ASSERT_TRUE(parsed) << parsed.error().details;
  EXPECT_EQ(parsed->ips.size(), 2u);
  EXPECT_EQ(parsed->interfaces[1].sandbox, PluginHarness::kNetns);
}

INSTANTIATE_TEST_SUITE_P(All, CniResultVersions, ::testing::Values("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"));

TEST(CniResult, Parse020Shape_Ip4Ip6Objects) {
  json j = json::parse(R"({"cniVersion":"0.2.0","ip4":{"ip":"10.1.0.9/24","gateway":"10.1.0.1",
      "routes":[{"dst":"0.0.0.0/0"}]},"ip6":{"ip":"2001:db8::9/64"},"dns":{"nameservers":["10.1.0.1"]}})");
  auto r = parse_result(j);
  ASSERT_TRUE(r) << r.error().details;
  ASSERT_EQ(r->ips.size(), 2u);
  EXPECT_EQ(cidr_string(r->ips[0].address), "10.1.0.9/24");
  EXPECT_EQ(r->ips[0].gateway->to_string(), "10.1.0.1");
  EXPECT_EQ(cidr_string(r->ips[1].address), "2001:db8::9/64");
  ASSERT_EQ(r->routes.size(), 1u);
  EXPECT_FALSE(r->routes[0].gw);
  EXPECT_EQ(r->dns.nameservers, std::vector<std::string>{"10.1.0.1"});
}

TEST(CniResult, Route11Fields_KeptIn110DroppedBefore) {
  Result r;
  ResultRoute rt{*IpPrefix::parse("10.2.0.0/16"), IpAddress::parse("10.1.0.1"), 1400, 1360, 10, 100, 0};
  r.routes.push_back(rt);
  json v11 = encode_result(r, "1.1.0");
  EXPECT_EQ(v11["routes"][0]["mtu"], 1400);
  EXPECT_EQ(v11["routes"][0]["advmss"], 1360);
  EXPECT_EQ(v11["routes"][0]["table"], 100);
  EXPECT_EQ(v11["routes"][0]["scope"], 0);
  json v10 = encode_result(r, "1.0.0");
  EXPECT_EQ(v10["routes"][0], json({{"dst", "10.2.0.0/16"}, {"gw", "10.1.0.1"}}));
  auto back = parse_result(v11);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->routes[0], rt);
}

TEST(CniResult, BadInputs_Code6NamingTheField) {
  for (const char* text : {R"([1,2])", R"({"ips":[{"address":"10.1.0.5"}]})", R"({"ips":[{"address":"10.1.0.5/33"}]})",
                           R"({"routes":[{"dst":"nope"}]})", R"({"interfaces":[{"name":1}]})",
                           R"({"ips":[{"address":"10.1.0.5/24","interface":3}]})", R"({"dns":{"nameservers":"x"}})"}) {
    auto r = parse_result(json::parse(text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, 6u) << text;
    EXPECT_FALSE(r.error().details.empty()) << text;
  }
}

TEST(CniVersion, CompareAndSupported) {
  EXPECT_LT(compare_versions("0.3.1", "0.4.0"), 0);
  EXPECT_GT(compare_versions("1.1.0", "1.0.0"), 0);
  EXPECT_EQ(compare_versions("1.0.0", "1.0.0"), 0);
  EXPECT_TRUE(is_supported_version("0.3.1"));
  EXPECT_FALSE(is_supported_version("0.2.0"));
  EXPECT_FALSE(is_supported_version("2.0.0"));
}

TEST(CniError, JsonShapeAndDelegateParsing) {
  CniError e{50, "evpnd is not reachable", "socket /x"};
  EXPECT_EQ(e.to_json("0.3.1"), json({{"cniVersion", "0.3.1"}, {"code", 50}, {"msg", "evpnd is not reachable"},
                                      {"details", "socket /x"}}));
  auto back = CniError::from_json(e.to_json("1.0.0"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->code, 50u);
  EXPECT_FALSE(CniError::from_json(json::parse(R"({"cniVersion":"1.0.0"})")));
}

}  // namespace
}  // namespace evpnd::cni::testing

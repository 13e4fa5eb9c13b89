// `state-dir` and run-time L2VNIs (check_runtime_l2vnis, issue 11): a PUT body is one `l2vnis:`
// entry checked with the file's rules; errors name the body's key.
#include <gtest/gtest.h>

#include "api/config.hpp"

namespace evpnd::api {
namespace {

const std::string kBase = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                          "vrfs:\n  - { name: red, l3vni: 5000 }\nl2vnis:\n  - { vni: 100 }\n";

Config base() {
  auto c = parse_config_text(kBase, "t.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
  return *c;
}

TEST(ConfigStateDir, DefaultAbsoluteAndRelativeRefused) {
  EXPECT_EQ(base().state_dir, "/var/lib/evpnd");
  auto c = parse_config_text(kBase + "state-dir: /tmp/x/\n", "t.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->state_dir, "/tmp/x");
  c = parse_config_text(kBase + "state-dir: var/lib\n", "t.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().path, "state-dir");
  EXPECT_NE(c.error().reason.find("absolute"), std::string::npos);
  EXPECT_FALSE(parse_config_text(kBase + "state-dir: [a]\n", "t.yaml"));
}

TEST(RuntimeL2Vni, JsonBody_ParsedWithDefaults) {
  auto r = check_runtime_l2vnis(base(), {{200, R"({"vrf": "red", "gateway": "10.2.0.1/24", "rd": "10.0.0.1:99"})"}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  const auto& l = r->front();
  EXPECT_EQ(l.vni, 200u);
  EXPECT_EQ(l.bridge, "br200");
  EXPECT_EQ(l.vxlan_device, "vxlan200");
  EXPECT_EQ(l.vrf, "red");
  EXPECT_EQ(l.gateway->to_string(), "10.2.0.0/24");
  EXPECT_EQ(l.gateway_address->to_string(), "10.2.0.1");
  EXPECT_EQ(l.rd->to_string(), "10.0.0.1:99");
}

TEST(RuntimeL2Vni, Errors_NameTheKeyAndTheVni) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"gateway": "2001:db8::1/64"})", "gateway"},
      {R"({"vrf": "blu"})", "vrf"},
      {R"({"bridge": "br100"})", "bridge"},
      {R"({"vxlan-device": "vxlan5000"})", "vxlan-device"},
      {R"({"rd": "10.0.0.1:2"})", "rd"},  // the VRF's automatic RD
      {R"({"vni": 300})", "vni"},
      {R"({"route-targets": {"import": ["x"]}})", "route-targets.import[0]"},
  };
  for (const auto& [text, key] : cases) {
    auto r = check_runtime_l2vnis(base(), {{200, text}});
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().path, key) << text << ": " << r.error().to_string();
    EXPECT_EQ(r.error().file, "VNI 200");
  }
  auto r = check_runtime_l2vnis(base(), {{200, R"({"vrf": "reds"})"}});
  EXPECT_NE(r.error().reason.find("did you mean \"red\""), std::string::npos) << r.error().reason;
  // The file's VNI again, and the L3VNI.
  EXPECT_EQ(check_runtime_l2vnis(base(), {{100, "{}"}}).error().path, "vni");
  EXPECT_EQ(check_runtime_l2vnis(base(), {{5000, "{}"}}).error().path, "vni");
  EXPECT_FALSE(check_runtime_l2vnis(base(), {{200, "{not json"}}));
}

TEST(RuntimeL2Vni, SeveralEntries_CheckedAgainstEachOther) {
  auto r = check_runtime_l2vnis(base(), {{200, R"({"bridge": "brA"})"}, {201, R"({"bridge": "brA"})"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "VNI 201");
  EXPECT_NE(r.error().reason.find("API VNI 200 (bridge)"), std::string::npos) << r.error().reason;
  // Without rd, no automatic RD is claimed: the EVPN service picks a free one.
  EXPECT_TRUE(check_runtime_l2vnis(base(), {{200, "{}"}, {201, "{}"}, {202, R"({"rd": "10.0.0.1:50"})"}}));
}

}  // namespace
}  // namespace evpnd::api

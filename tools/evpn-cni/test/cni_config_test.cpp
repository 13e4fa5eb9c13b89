// The invocation (environment) and the network configuration: every error path and precedence.
#include <gtest/gtest.h>

#include "evpn-cni/cni_config.hpp"
#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

uint32_t error_code(const Run& r) { return r.json()["code"].get<uint32_t>(); }

TEST(CniConfig, StdinNotJson_Code6) {
  PluginHarness h;
  auto r = h.run(h.env("ADD"), "{not json");
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(error_code(r), 6u);
  EXPECT_EQ(r.json()["cniVersion"], "1.1.0");  // no version to echo: the latest
}

TEST(CniConfig, MissingVni_Code7NamingTheKey) {
  PluginHarness h;
  json cfg = h.config("0.3.1");
  cfg.erase("vni");
  auto r = h.run("ADD", cfg);
  EXPECT_EQ(error_code(r), 7u);
  EXPECT_EQ(r.json()["cniVersion"], "0.3.1");
  EXPECT_NE(r.json()["msg"].get<std::string>().find("\"vni\""), std::string::npos);
}

TEST(CniConfig, BadValues_Code7) {
  PluginHarness h;
  for (auto [key, value] : std::vector<std::pair<std::string, json>>{
           {"vni", 0}, {"vni", 16777216}, {"vni", "5001"}, {"mtu", 20}, {"mac", "01:00:5e:00:00:01"},
           {"gateway", "nope"}, {"name", "bad/name"}, {"route-targets", "64512:1"}, {"ipam", {{"dataDir", "/x"}}},
           {"ipam", {{"type", "../host-local"}}}, {"runtimeConfig", {{"ips", {"10.1.0.300/24"}}}}}) {
    json cfg = h.config();
    cfg[key] = value;
    auto r = h.run("ADD", cfg);
    ASSERT_EQ(r.exit_code, 1) << key << "=" << value;
    EXPECT_EQ(error_code(r), 7u) << key << "=" << value << ": " << r.out;
  }
  EXPECT_TRUE(h.evpnd.log().empty());  // nothing reached evpnd
}

TEST(CniConfig, UnsupportedVersion_Code1) {
  PluginHarness h;
  auto r = h.run("ADD", h.config("0.2.0"));
  EXPECT_EQ(error_code(r), 1u);
  EXPECT_NE(r.json()["details"].get<std::string>().find("0.3.1"), std::string::npos);
}

TEST(CniConfig, EnvironmentErrors_Code4) {
  PluginHarness h;
  auto cases = std::vector<std::pair<std::string, std::string>>{
      {"CNI_COMMAND", ""}, {"CNI_COMMAND", "FROB"}, {"CNI_CONTAINERID", ""}, {"CNI_CONTAINERID", "-bad"},
      {"CNI_IFNAME", ""}, {"CNI_IFNAME", "a-very-long-ifname"}, {"CNI_NETNS", ""},
      {"CNI_ARGS", "FOO=bar"}, {"CNI_ARGS", "IgnoreUnknown=1;IP=nope"}, {"CNI_ARGS", "novalue"}};
  for (const auto& [key, value] : cases) {
    auto e = h.env("ADD");
    if (value.empty()) e.erase(key); else e[key] = value;
    auto r = h.run(e, h.config().dump());
    ASSERT_EQ(r.exit_code, 1) << key << "=" << value;
    EXPECT_EQ(error_code(r), 4u) << key << "=" << value << ": " << r.out;
  }
}

TEST(CniConfig, Precedence_RuntimeConfigOverCniArgsOverConfig) {
  Invocation inv;
  inv.command = Command::kAdd;
  inv.arg_mac = Mac::parse("02:00:00:00:00:02");
  inv.arg_ips = {StaticIp{*IpAddress::parse("10.1.0.2"), std::nullopt}};
  json cfg = {{"cniVersion", "1.0.0"}, {"name", "n"}, {"type", "evpn"}, {"vni", 1}, {"mac", "02:00:00:00:00:01"}};
  auto c = parse_net_config(cfg.dump(), inv, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mac->to_string(), "02:00:00:00:00:02");
  EXPECT_EQ(c->static_ips.at(0).address.to_string(), "10.1.0.2");
  cfg["runtimeConfig"] = {{"mac", "02:00:00:00:00:03"}, {"ips", {"10.1.0.3/24"}}};
  c = parse_net_config(cfg.dump(), inv, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mac->to_string(), "02:00:00:00:00:03");
  EXPECT_EQ(c->static_ips.at(0).address.to_string(), "10.1.0.3");
  EXPECT_EQ(c->static_ips.at(0).prefix_len, 24);
}

TEST(CniConfig, SocketAndDataDir_ConfigOverEnvOverDefault) {
  Invocation inv;
  inv.command = Command::kAdd;
  json cfg = {{"cniVersion", "1.0.0"}, {"name", "n"}, {"type", "evpn"}, {"vni", 1}};
  auto c = parse_net_config(cfg.dump(), inv, {});
  EXPECT_EQ(c->socket, "/run/evpnd/evpnd.sock");
  EXPECT_EQ(c->data_dir, "/var/lib/cni/evpn");
  Environment env = {{"EVPND_SOCKET", "/env.sock"}, {"EVPN_CNI_DATA_DIR", "/env-data"}};
  c = parse_net_config(cfg.dump(), inv, env);
  EXPECT_EQ(c->socket, "/env.sock");
  EXPECT_EQ(c->data_dir, "/env-data");
  cfg["socket"] = "/cfg.sock";
  cfg["dataDir"] = "/cfg-data";
  c = parse_net_config(cfg.dump(), inv, env);
  EXPECT_EQ(c->socket, "/cfg.sock");
  EXPECT_EQ(c->data_dir, "/cfg-data");
}

TEST(CniConfig, CniArgs_PodNameAndIpList) {
  Environment env = {{"CNI_COMMAND", "ADD"}, {"CNI_CONTAINERID", "c1"}, {"CNI_IFNAME", "net1"}, {"CNI_NETNS", "/n"},
                     {"CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;IP=10.1.0.5,2001:db8::5/64;X=y"}};
  auto inv = parse_invocation(env);
  ASSERT_TRUE(inv) << inv.error().msg;
  EXPECT_EQ(inv->pod_name, "p");
  EXPECT_EQ(inv->pod_namespace, "ns");
  ASSERT_EQ(inv->arg_ips.size(), 2u);
  EXPECT_FALSE(inv->arg_ips[0].prefix_len);
  EXPECT_EQ(inv->arg_ips[1].prefix_len, 64);
}

TEST(CniConfig, MissionConfig_0_3_1_TypeVxlanParses) {
  // The mission's NetworkAttachmentDefinition, verbatim (Multus adds the name).
  Invocation inv;
  inv.command = Command::kAdd;
  auto c = parse_net_config(R"({"cniVersion":"0.3.1","type":"vxlan","vni":5001,"name":"vxlan-5001"})", inv, {});
  ASSERT_TRUE(c) << c.error().msg;
  EXPECT_EQ(c->vni, 5001u);
  EXPECT_EQ(c->type, "vxlan");
}

}  // namespace
}  // namespace evpnd::cni::testing

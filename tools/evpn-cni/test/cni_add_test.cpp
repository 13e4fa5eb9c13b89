// ADD through the whole plugin: evpnd calls, kernel calls, records, results, rollback.
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

TEST(CniAdd, StaticIp_CreatesSegmentVethEndpointAndResult) {
  PluginHarness h;
  json cfg = h.config();
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24"}}, {"mac", "02:00:00:00:05:01"}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json j = r.json();
  const std::string veth = host_veth_name("c1", "eth0");
  EXPECT_EQ(j["interfaces"][0]["name"], veth);
  EXPECT_EQ(j["interfaces"][1]["name"], "eth0");
  EXPECT_EQ(j["interfaces"][1]["mac"], "02:00:00:00:05:01");
  EXPECT_EQ(j["interfaces"][1]["sandbox"], PluginHarness::kNetns);
  EXPECT_EQ(j["ips"][0]["address"], "10.1.0.5/24");
  EXPECT_EQ(j["ips"][0]["interface"], 1);
  EXPECT_EQ(j["routes"][0]["dst"], "0.0.0.0/0");
  EXPECT_EQ(j["routes"][0]["gw"], "10.1.0.1");
  // evpnd: the VNI is held by this attachment and the endpoint announced.
  auto vnis = h.evpnd.vnis();
  ASSERT_EQ(vnis.count(5001), 1u);
  EXPECT_EQ(vnis[5001].attachments, std::set<std::string>{"podnet/c1/eth0"});
  EXPECT_EQ(vnis[5001].settings["gateway"], "10.1.0.1/24");
  auto eps = h.evpnd.endpoints();
  ASSERT_EQ(eps.size(), 1u);
  const json& ep = eps.begin()->second;
  EXPECT_EQ(ep["mac"], "02:00:00:00:05:01");
  EXPECT_EQ(ep["ips"], json::array({"10.1.0.5"}));
  EXPECT_EQ(ep["interface"], veth);
  EXPECT_EQ(ep["attachment"], "podnet/c1/eth0");
  // Kernel: veth in br5001, address and default route in the container, then GARP.
  auto* v = h.net.find_container(PluginHarness::kNetns, "eth0");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->spec.bridge, "br5001");
  EXPECT_EQ(v->spec.mtu, 1450u);  // the VNI's MTU from evpnd
  ASSERT_EQ(v->container.addresses.size(), 1u);
  EXPECT_EQ(cidr_string(v->container.addresses[0]), "10.1.0.5/24");
  ASSERT_EQ(v->container.routes.size(), 1u);
  EXPECT_EQ(v->container.routes[0].gateway->to_string(), "10.1.0.1");
  EXPECT_EQ(h.net.count("announce eth0 1"), 1u);
  EXPECT_EQ(h.record_count(), 1u);
  auto rec = AttachmentStore(h.data_dir()).load("podnet", "c1", "eth0");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->state, AttachmentState::kReady);
  EXPECT_EQ((*rec)->pod, "default/pod1");
  EXPECT_EQ((*rec)->mac, "02:00:00:00:05:01");
  EXPECT_EQ((*rec)->ips, std::vector<std::string>{"10.1.0.5/24"});
  EXPECT_EQ((*rec)->host_veth, veth);
  EXPECT_EQ((*rec)->bridge, "br5001");
}

TEST(CniAdd, AnnounceComesAfterEndpointPost) {
  // The type-2 must be on the wire before the pod's first packet: GARP only after the POST.
  PluginHarness h;
  json cfg = h.config();
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24"}}};
  h.net.fail["announce"] = NetError{NetError::Kind::kFailed, "boom"};
  auto r = h.run("ADD", cfg);
  EXPECT_NE(r.exit_code, 0);
  auto log = h.evpnd.log();
  EXPECT_NE(std::find(log.begin(), log.end(), "POST /v1/evpn/endpoints"), log.end());
  EXPECT_EQ(r.json()["code"], 5);
}

TEST(CniAdd, CniArgsIpWithoutLength_TakesTheGatewaysLength) {
  PluginHarness h;
  auto e = h.env("ADD");
  e["CNI_ARGS"] = "IgnoreUnknown=1;IP=10.1.0.7;MAC=02:00:00:00:07:07";
  auto r = h.run(e, h.config().dump());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.json()["ips"][0]["address"], "10.1.0.7/24");
  EXPECT_EQ(r.json()["interfaces"][1]["mac"], "02:00:00:00:07:07");
}

TEST(CniAdd, NoIpam_NoStaticIps_PureL2Attachment) {
  PluginHarness h;
  json cfg = h.config();
  cfg.erase("gateway");
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(r.json().contains("ips"));
  EXPECT_FALSE(r.json().contains("routes"));
  EXPECT_EQ(h.evpnd.endpoints().begin()->second["ips"], json::array());
  EXPECT_EQ(h.net.count("announce"), 0u);
}

TEST(CniAdd, HostLocalIpam_AddressAndRoutesFromIpam) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  auto r = h.run("ADD", h.with_host_local(h.config()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json j = r.json();
  EXPECT_EQ(j["ips"][0]["address"], "10.1.0.10/24");
  EXPECT_EQ(j["ips"][0]["gateway"], "10.1.0.1");
  EXPECT_EQ(j["ips"][0]["interface"], 1);
  ASSERT_EQ(j["routes"].size(), 1u);  // IPAM's default route, no second one from the VNI
  EXPECT_EQ(h.lease_count(), 1u);
  auto* v = h.net.find_container(PluginHarness::kNetns, "eth0");
  ASSERT_EQ(v->container.routes.size(), 1u);
  EXPECT_EQ(v->container.routes[0].gateway->to_string(), "10.1.0.1");  // "gw" omitted: IPAM's gateway
}

TEST(CniAdd, IpamFailure_RollsEverythingBack) {
  PluginHarness h;
  h.write_plugin("failipam", "#!/bin/sh\ncat >/dev/null\n"
                             "echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"no addresses left\"}'\nexit 1\n");
  json cfg = h.config();
  cfg["ipam"] = {{"type", "failipam"}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 11);  // the delegate's own error
  EXPECT_NE(r.json()["msg"].get<std::string>().find("no addresses left"), std::string::npos);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_TRUE(h.evpnd.vnis().empty());  // last attachment released: the API VNI is gone
  EXPECT_TRUE(h.evpnd.endpoints().empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniAdd, IpamPluginMissing_Code102AndRollback) {
  PluginHarness h;
  json cfg = h.config();
  cfg["ipam"] = {{"type", "no-such-ipam"}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 102);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniAdd, EvpndDown_Code50WithSocketInDetails) {
  PluginHarness h;
  h.evpnd.stop();
  auto r = h.run("ADD", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 50);
  EXPECT_NE(r.json()["details"].get<std::string>().find(h.evpnd.socket()), std::string::npos);
  EXPECT_TRUE(h.net.calls.empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniAdd, EvpndRefusesSegment_Code7WithReason) {
  PluginHarness h;
  h.evpnd.force("PUT /v1/evpn/vnis/5001", 409, "VNI 5001 exists with another vrf");
  auto r = h.run("ADD", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 7);
  EXPECT_NE(r.json()["msg"].get<std::string>().find("exists with another vrf"), std::string::npos);
}

TEST(CniAdd, EvpndRefusesEndpoint_Code100AndRollback) {
  PluginHarness h;
  h.evpnd.force("POST /v1/evpn/endpoints", 409, "MAC is an endpoint of another attachment");
  auto r = h.run("ADD", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 100);
  EXPECT_NE(r.json()["msg"].get<std::string>().find("another attachment"), std::string::npos);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniAdd, BridgeMissing_Code101) {
  PluginHarness h;
  h.net.bridges.clear();
  auto r = h.run("ADD", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 101);
  EXPECT_TRUE(h.evpnd.vnis().empty());
}

TEST(CniAdd, KernelFailure_Code5) {
  PluginHarness h;
  h.net.fail["configure_container"] = NetError{NetError::Kind::kFailed, "RTNETLINK answers: Permission denied"};
  json cfg = h.config();
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24"}}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 5);
  EXPECT_EQ(r.json()["details"], "RTNETLINK answers: Permission denied");
  EXPECT_TRUE(h.net.veths.empty());
}

TEST(CniAdd, VrfAndBridgeAndRouteTargets_PassedToEvpndAndNetnsUsed) {
  PluginHarness h;
  h.net.add_bridge("brx", "evt-tenant1");
  json cfg = h.config();
  cfg["vrf"] = "tenant1";
  cfg["bridge"] = "brx";
  cfg["route-targets"] = {{"both", {"64512:5001"}}};
  cfg["mtu"] = 1400;
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto s = h.evpnd.vnis()[5001].settings;
  EXPECT_EQ(s["vrf"], "tenant1");
  EXPECT_EQ(s["bridge"], "brx");
  EXPECT_EQ(s["route-targets"]["both"][0], "64512:5001");
  auto* v = h.net.find_container(PluginHarness::kNetns, "eth0");
  EXPECT_EQ(v->spec.bridge_netns, "evt-tenant1");
  EXPECT_EQ(v->spec.mtu, 1400u);
}

TEST(CniAdd, TwoPodsShareTheSegment) {
  PluginHarness h;
  h.net.netns.insert("/run/netns/evt-pod2");
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  ASSERT_EQ(h.run(h.env("ADD", "c2", "eth0", "/run/netns/evt-pod2"), h.config().dump()).exit_code, 0);
  EXPECT_EQ(h.evpnd.vnis()[5001].attachments.size(), 2u);
  EXPECT_EQ(h.evpnd.endpoints().size(), 2u);
  EXPECT_NE(host_veth_name("c1", "eth0"), host_veth_name("c2", "eth0"));
}

TEST(CniAdd, RepeatedAddWithAnotherMac_OldEndpointRetracted) {
  PluginHarness h;
  json cfg = h.config();
  cfg["runtimeConfig"] = {{"mac", "02:00:00:00:00:01"}};
  ASSERT_EQ(h.run("ADD", cfg).exit_code, 0);
  cfg["runtimeConfig"] = {{"mac", "02:00:00:00:00:02"}};
  ASSERT_EQ(h.run("ADD", cfg).exit_code, 0);
  auto eps = h.evpnd.endpoints();
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps.begin()->second["mac"], "02:00:00:00:00:02");
  EXPECT_EQ(h.net.veths.size(), 1u);
}

TEST(CniAdd, EvpndFailsEndpoint5xx_Code100AndRollback) {
  PluginHarness h;
  h.evpnd.force("POST /v1/evpn/endpoints", 503, "shutting down");
  auto r = h.run("ADD", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 100);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_EQ(h.record_count(), 0u);
  EXPECT_TRUE(h.evpnd.vnis().empty());
}

TEST(CniAdd, RetriedAddOnAnotherVni_OldSegmentReleasedFirst) {
  PluginHarness h;
  h.net.add_bridge("br5002");
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  json cfg = h.config();
  cfg["vni"] = 5002;
  ASSERT_EQ(h.run("ADD", cfg).exit_code, 0);
  auto vnis = h.evpnd.vnis();
  EXPECT_EQ(vnis.count(5001), 0u);  // released (its last attachment)
  ASSERT_EQ(vnis.count(5002), 1u);
  auto eps = h.evpnd.endpoints();
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps.begin()->second["vni"], 5002);
  EXPECT_EQ(h.net.find_container(PluginHarness::kNetns, "eth0")->spec.bridge, "br5002");
}

TEST(CniAdd, EvpndDiesMidAdd_Code50_RollbackLeavesRetractPendingThenRetried) {
  PluginHarness h;
  h.net.after_ensure_veth = [&] { h.evpnd.stop(); };
  json cfg = h.config();
  cfg["runtimeConfig"] = {{"ips", {"10.1.0.5/24"}}};
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 50);
  EXPECT_TRUE(h.net.veths.empty());  // the local part was rolled back
  EXPECT_EQ(h.record_count(), 1u);   // evpnd's part is owed
  h.net.after_ensure_veth = nullptr;
  h.evpnd.start();
  EXPECT_EQ(h.evpnd.vnis().count(5001), 1u);  // still held by the crashed attachment
  h.extra_env["EVPN_CNI_DATA_DIR"] = h.data_dir();
  EXPECT_EQ(h.run(h.env("VERSION"), R"({"cniVersion":"1.0.0"})").exit_code, 0);
  EXPECT_TRUE(h.evpnd.vnis().empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniHostVeth, NameIsStableAndFitsIfnamsiz) {
  EXPECT_EQ(host_veth_name("c1", "eth0"), host_veth_name("c1", "eth0"));
  EXPECT_NE(host_veth_name("c1", "eth0"), host_veth_name("c1", "net1"));
  EXPECT_EQ(host_veth_name("abc", "eth0").size(), 12u);
  EXPECT_EQ(host_veth_name("abc", "eth0").rfind("evpn", 0), 0u);
}

}  // namespace
}  // namespace evpnd::cni::testing

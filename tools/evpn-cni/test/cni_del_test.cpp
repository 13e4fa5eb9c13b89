// DEL (idempotent, evpnd down -> retract-pending retried later), GC, and crash convergence
// through EVPN_CNI_FAULT.
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

TEST(CniDel, AfterAdd_RemovesEverything) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  json cfg = h.with_host_local(h.config());
  ASSERT_EQ(h.run("ADD", cfg).exit_code, 0);
  ASSERT_EQ(h.lease_count(), 1u);
  auto r = h.run("DEL", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_TRUE(h.evpnd.endpoints().empty());
  EXPECT_TRUE(h.evpnd.vnis().empty());
  EXPECT_EQ(h.lease_count(), 0u);
  EXPECT_EQ(h.record_count(), 0u);
  // Order: the endpoint is withdrawn before the veth goes, the VNI released last.
  auto log = h.evpnd.log();
  EXPECT_EQ(log[log.size() - 2].rfind("DELETE /v1/evpn/endpoints", 0), 0u);
  EXPECT_EQ(log.back(), "DELETE /v1/evpn/vnis/5001");
  // Repeated DEL: still success.
  EXPECT_EQ(h.run("DEL", cfg).exit_code, 0);
}

TEST(CniDel, NothingRecorded_NoNetns_NoPrevResult_Succeeds) {
  PluginHarness h;
  auto e = h.env("DEL");
  e.erase("CNI_NETNS");
  auto r = h.run(e, h.config().dump());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(h.net.count("delete_veth " + host_veth_name("c1", "eth0")), 1u);
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniDel, NothingRecorded_PrevResultMacIsRetracted) {
  PluginHarness h;
  h.evpnd.add_config_vni(5001);
  // An endpoint left by an ADD whose record was lost.
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  auto prev = h.run("ADD", h.config()).json();
  std::filesystem::remove_all(h.data_dir());
  json cfg = h.config();
  cfg["prevResult"] = prev;
  ASSERT_EQ(h.run("DEL", cfg).exit_code, 0);
  EXPECT_TRUE(h.evpnd.endpoints().empty());
  EXPECT_EQ(h.evpnd.vnis().count(5001), 1u);  // a configured VNI stays
  EXPECT_TRUE(h.evpnd.vnis()[5001].attachments.empty());
}

TEST(CniDel, EvpndDown_LocalPartDoneRetractionRetriedByNextInvocation) {
  PluginHarness h;
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  h.evpnd.stop();
  auto r = h.run("DEL", h.config());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(h.net.veths.empty());  // local part done
  EXPECT_EQ(h.record_count(), 1u);   // kept as retract-pending
  // A second DEL while evpnd is still down: success, nothing more to do locally.
  EXPECT_EQ(h.run("DEL", h.config()).exit_code, 0);
  EXPECT_EQ(h.record_count(), 1u);
  h.evpnd.start();  // state survived "the restart" (emulated): endpoint and VNI still there
  EXPECT_EQ(h.evpnd.endpoints().size(), 1u);
  // Any verb retries; VERSION with the data dir from the environment, as podman calls it.
  h.extra_env["EVPN_CNI_DATA_DIR"] = h.data_dir();
  auto v = h.run(h.env("VERSION"), R"({"cniVersion":"1.0.0"})");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(h.evpnd.endpoints().empty());
  EXPECT_TRUE(h.evpnd.vnis().empty());
  EXPECT_EQ(h.record_count(), 0u);
}

TEST(CniDel, EvpndRetractionPendingRetriedByAdd) {
  PluginHarness h;
  h.net.netns.insert("/run/netns/evt-pod2");
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  h.evpnd.stop();
  ASSERT_EQ(h.run("DEL", h.config()).exit_code, 0);
  h.evpnd.start();
  ASSERT_EQ(h.run(h.env("ADD", "c2", "eth0", "/run/netns/evt-pod2"), h.config().dump()).exit_code, 0);
  EXPECT_EQ(h.evpnd.vnis()[5001].attachments, std::set<std::string>{"podnet/c2/eth0"});
  EXPECT_EQ(h.evpnd.endpoints().size(), 1u);
  EXPECT_EQ(h.record_count(), 1u);
}

TEST(CniDel, VethDeleteFails_Code5AndRecordKept) {
  PluginHarness h;
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  h.net.fail["delete_veth"] = NetError{NetError::Kind::kFailed, "EBUSY"};
  auto r = h.run("DEL", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 5);
  EXPECT_EQ(h.record_count(), 1u);
  h.net.fail.clear();
  EXPECT_EQ(h.run("DEL", h.config()).exit_code, 0);
  EXPECT_EQ(h.record_count(), 0u);
  EXPECT_TRUE(h.evpnd.vnis().empty());
}

TEST(CniDel, EvpndRefuses_Code100AndRecordKeptForTheRetry) {
  PluginHarness h;
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  h.evpnd.force("DELETE /v1/evpn/vnis/5001", 500, "state file not writable");
  auto r = h.run("DEL", h.config());
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.json()["code"], 100);
  EXPECT_NE(r.json()["msg"].get<std::string>().find("state file not writable"), std::string::npos);
  EXPECT_EQ(h.record_count(), 1u);
}

TEST(CniDel, Evpnd404_AlreadyGoneIsSuccess) {
  PluginHarness h;
  ASSERT_EQ(h.run("ADD", h.config()).exit_code, 0);
  h.evpnd.force("DELETE /v1/evpn/endpoints", 404, "no such path");
  h.evpnd.force("DELETE /v1/evpn/vnis/5001", 404, "no such VNI");
  EXPECT_EQ(h.run("DEL", h.config()).exit_code, 0);
  EXPECT_EQ(h.record_count(), 0u);
  EXPECT_TRUE(h.net.veths.empty());
}

TEST(CniGc, RemovesAttachmentsNotListed) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  h.net.netns.insert("/run/netns/evt-pod2");
  // ADD in 1.0.0 (host-local 1.1.1 speaks up to 1.0.0), GC in 1.1.0: the IPAM DEL of a
  // collected attachment repeats the recorded ADD configuration.
  json cfg = h.with_host_local(h.config("1.0.0"));
  ASSERT_EQ(h.run("ADD", cfg, "c1").exit_code, 0);
  ASSERT_EQ(h.run(h.env("ADD", "c2", "eth0", "/run/netns/evt-pod2"), cfg.dump()).exit_code, 0);
  ASSERT_EQ(h.lease_count(), 2u);
  json gc = cfg;
  gc["cniVersion"] = "1.1.0";
  gc["cni.dev/valid-attachments"] = {{{"containerID", "c2"}, {"ifname", "eth0"}}};
  Environment e = {{"CNI_COMMAND", "GC"}, {"CNI_PATH", "/usr/lib/cni"}};
  auto r = h.run(e, gc.dump());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(h.record_count(), 1u);
  EXPECT_EQ(h.lease_count(), 1u);  // c1's lease released through IPAM DEL from the record
  EXPECT_EQ(h.net.veths.size(), 1u);
  EXPECT_EQ(h.evpnd.vnis()[5001].attachments, std::set<std::string>{"podnet/c2/eth0"});
  ASSERT_EQ(h.evpnd.endpoints().size(), 1u);
  EXPECT_EQ(h.evpnd.endpoints().begin()->second["attachment"], "podnet/c2/eth0");
}

TEST(CniGc, DelegatedToIpamWithValidAttachments_FailureOnlyLogged) {
  PluginHarness h;
  h.write_plugin("gcipam", "#!/bin/sh\ncat > \"$0.$CNI_COMMAND\"\n"
                           "[ \"$CNI_COMMAND\" = GC ] && { echo '{\"code\":4,\"msg\":\"unknown command\"}'; exit 1; }\n"
                           "echo '{\"cniVersion\":\"1.1.0\"}'\n");
  json gc = h.config("1.1.0");
  gc["ipam"] = {{"type", "gcipam"}};
  gc["cni.dev/valid-attachments"] = {{{"containerID", "c9"}, {"ifname", "eth0"}}};
  Environment e = {{"CNI_COMMAND", "GC"}, {"CNI_PATH", h.dir()}};
  EXPECT_EQ(h.run(e, gc.dump()).exit_code, 0);
  std::ifstream in(h.dir() + "/gcipam.GC");
  json got;
  in >> got;
  EXPECT_EQ(got["cni.dev/valid-attachments"][0]["containerID"], "c9");
}

TEST(CniGc, OtherNetworksUntouchedAndOldVersionRefused) {
  PluginHarness h;
  json other = h.config("1.1.0");
  other["name"] = "othernet";
  ASSERT_EQ(h.run("ADD", other).exit_code, 0);
  json gc = h.config("1.1.0");
  gc["cni.dev/valid-attachments"] = json::array();
  EXPECT_EQ(h.run(h.env("GC"), gc.dump()).exit_code, 0);
  EXPECT_EQ(h.record_count(), 1u);
  gc["cniVersion"] = "1.0.0";
  auto r = h.run(h.env("GC"), gc.dump());
  EXPECT_EQ(r.json()["code"], 1);
  gc["cniVersion"] = "1.1.0";
  gc.erase("cni.dev/valid-attachments");
  EXPECT_EQ(h.run(h.env("GC"), gc.dump()).json()["code"], 7);
}

// Crash mid-ADD at every step, then the runtime's retried ADD: it converges to the state of a
// clean ADD (one veth, one endpoint, one attachment, one lease, a ready record), and DEL then
// leaves nothing.
class CniAddFault : public ::testing::TestWithParam<std::string> {};

TEST_P(CniAddFault, RetriedAddConverges) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  json cfg = h.with_host_local(h.config());
  h.extra_env["EVPN_CNI_FAULT"] = GetParam();
  auto crashed = h.run("ADD", cfg);
  EXPECT_EQ(crashed.exit_code, kFaultExitCode);
  EXPECT_EQ(crashed.out, "");
  h.extra_env.clear();
  auto r = h.run("ADD", cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.json()["ips"][0]["address"], "10.1.0.10/24");  // host-local hands the same lease again
  EXPECT_EQ(h.net.veths.size(), 1u);
  EXPECT_EQ(h.evpnd.endpoints().size(), 1u);
  EXPECT_EQ(h.evpnd.endpoints().begin()->second["mac"], r.json()["interfaces"][1]["mac"]);
  EXPECT_EQ(h.evpnd.vnis()[5001].attachments.size(), 1u);
  EXPECT_EQ(h.lease_count(), 1u);
  EXPECT_EQ(h.record_count(), 1u);
  ASSERT_EQ(h.run("DEL", cfg).exit_code, 0);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_TRUE(h.evpnd.vnis().empty());
  EXPECT_EQ(h.lease_count(), 0u);
  EXPECT_EQ(h.record_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Steps, CniAddFault,
                         ::testing::Values("vni", "record", "veth", "ipam", "configure", "endpoint", "announce", "ready"));

class CniDelFault : public ::testing::TestWithParam<std::string> {};

TEST_P(CniDelFault, RetriedDelConverges) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  json cfg = h.with_host_local(h.config());
  ASSERT_EQ(h.run("ADD", cfg).exit_code, 0);
  h.extra_env["EVPN_CNI_FAULT"] = GetParam();
  EXPECT_EQ(h.run("DEL", cfg).exit_code, kFaultExitCode);
  h.extra_env.clear();
  ASSERT_EQ(h.run("DEL", cfg).exit_code, 0);
  EXPECT_TRUE(h.net.veths.empty());
  EXPECT_TRUE(h.evpnd.endpoints().empty());
  EXPECT_TRUE(h.evpnd.vnis().empty());
  EXPECT_EQ(h.lease_count(), 0u);
  EXPECT_EQ(h.record_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Steps, CniDelFault, ::testing::Values("del-endpoint", "del-veth", "del-ipam", "del-vni"));

}  // namespace
}  // namespace evpnd::cni::testing

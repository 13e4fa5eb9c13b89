// Issue 12, defect 9: configurations that parse but cannot work are refused, each with the
// file:line of the offending value and the reason. Every case here was accepted before.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "api/config.hpp"
#include "api/test/config_error_expect.hpp"

namespace evpnd::api {
namespace {

using test::Expected;
using test::expect_error;

void expect_ok(const std::string& text) {
  auto cfg = parse_config_text(text, "v.yaml");
  EXPECT_TRUE(cfg) << cfg.error().to_string();
}

const std::string kHead = "router-id: 10.0.0.1\nasn: 65000\n";                              // lines 1-2
const std::string kVtep = kHead + "vtep: { source-ip: 10.0.0.1, dataplane: fake }\n";         // line 3

TEST(ConfigValidation, DuplicateRdAcrossVnis_Rejected) {
  expect_error(kVtep + "l2vnis:\n  - { vni: 100, rd: \"65000:7\" }\n  - { vni: 200 }\n  - vni: 300\n    rd: \"65000:7\"\n",
               {8, "l2vnis[2].rd", "route distinguisher 65000:7 is already used by l2vnis[0]"});
}

TEST(ConfigValidation, DuplicateRdVrfAndVni_Rejected) {
  expect_error(kVtep + "vrfs:\n  - { name: a, l3vni: 5000, rd: \"10.0.0.9:1\" }\nl2vnis:\n  - { vni: 100, rd: \"10.0.0.9:1\" }\n",
               {7, "l2vnis[0].rd", "already used by vrfs[0]"});
  expect_error(kVtep + "vrfs:\n  - { name: a, l3vni: 5000, rd: \"10.0.0.9:1\" }\n  - { name: b, l3vni: 5001, rd: \"10.0.0.9:1\" }\n",
               {6, "vrfs[1].rd", "already used by vrfs[0]"});
}

TEST(ConfigValidation, ExplicitRdEqualToAutomaticRd_Rejected) {
  // Automatic RDs: router-id:2.. over the VRFs, then the L2VNIs (l2vnis[1] gets 10.0.0.1:3).
  expect_error(kVtep + "l2vnis:\n  - { vni: 100, rd: \"10.0.0.1:3\" }\n  - { vni: 200 }\n",
               {6, "l2vnis[1].rd", "the automatic route distinguisher 10.0.0.1:3"});
  expect_ok(kVtep + "l2vnis:\n  - { vni: 100, rd: \"10.0.0.1:9\" }\n  - { vni: 200 }\n");
}

TEST(ConfigValidation, RouteReflectorClientOnEbgpNeighbor_Rejected) {
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 65001\n    route-reflector-client: true\n",
               {6, "neighbors[0].route-reflector-client", "an eBGP neighbor (remote-as 65001, local asn 65000)"});
  expect_ok(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 65000, route-reflector-client: true }\n"
                    "  - { address: 10.0.0.3, remote-as: 65001, route-reflector-client: false }\n");
}

TEST(ConfigValidation, BridgeNamedAsAnotherVnisVxlanDevice_Rejected) {
  expect_error(kVtep + "l2vnis:\n  - { vni: 100 }\n  - { vni: 200, bridge: vxlan100 }\n",
               {6, "l2vnis[1].bridge", "device \"vxlan100\" is already used by l2vnis[0] (vxlan-device)"});
  expect_error(kVtep + "l2vnis:\n  - { vni: 100, vxlan-device: br200 }\n  - { vni: 200 }\n",
               {6, "l2vnis[1].bridge", "device \"br200\" is already used by l2vnis[0] (vxlan-device)"});
}

TEST(ConfigValidation, DeviceNameOfAVrf_Rejected) {
  // The L3VNI's devices are br<l3vni> and vxlan<l3vni>.
  expect_error(kVtep + "vrfs:\n  - { name: a, l3vni: 5000 }\nl2vnis:\n  - { vni: 100, bridge: br5000 }\n",
               {7, "l2vnis[0].bridge", "already used by vrfs[0] (L3VNI bridge)"});
  // vrf-device backend: the VRF device carries the VRF's name.
  expect_error(kVtep + "vrf-backend: vrf-device\nvrfs:\n  - { name: a, l3vni: 5000, table: 10 }\n"
                       "  - { name: vxlan5000, l3vni: 5001, table: 11 }\n",
               {7, "vrfs[1].name", "\"vxlan5000\" is already used by vrfs[0] (L3VNI vxlan device)"});
  expect_error(kVtep + "vrf-backend: vrf-device\nvrfs:\n  - { name: blue, l3vni: 5000, table: 10 }\n"
                       "l2vnis:\n  - { vni: 100, vxlan-device: blue }\n",
               {8, "l2vnis[0].vxlan-device", "already used by vrfs[0] (VRF device)"});
}

TEST(ConfigValidation, DuplicateVrfTable_Rejected) {
  expect_error(kVtep + "vrf-backend: vrf-device\nvrfs:\n  - { name: a, l3vni: 5000, table: 10 }\n  - name: b\n"
                       "    l3vni: 5001\n    table: 10\n",
               {9, "vrfs[1].table", "table 10 is already used (also vrfs[0])"});
}

TEST(ConfigValidation, NetnsNotAPlainName_Rejected) {
  const std::string v = kVtep + "vrfs:\n  - { name: a, l3vni: 5000, netns: ";  // line 5
  expect_error(v + "\"../../x\" }\n", {5, "vrfs[0].netns", "invalid network namespace name \"../../x\""});
  expect_error(v + "\"a/b\" }\n", {5, "vrfs[0].netns", "invalid network namespace name"});
  expect_error(v + "\"..\" }\n", {5, "vrfs[0].netns", "invalid network namespace name"});
  expect_error(v + "\"\" }\n", {5, "vrfs[0].netns", "must not be empty"});
  expect_error(v + "\"a b\" }\n", {5, "vrfs[0].netns", "invalid network namespace name"});
  expect_error(v + std::string(256, 'n') + " }\n", {5, "vrfs[0].netns", "longer than 255 characters"});
  expect_ok(v + "tenant-1.a_b }\n");
  expect_error(kVtep + "vrfs:\n  - { name: a, l3vni: 5000, netns: t }\n  - { name: b, l3vni: 5001, netns: t }\n",
               {6, "vrfs[1].netns", "network namespace \"t\" is already used (also vrfs[0])"});
}

TEST(ConfigValidation, MulticastBroadcastNeighbor_Rejected) {
  const std::string n = kHead + "neighbors:\n  - { address: ";  // line 4
  expect_error(n + "224.0.0.5, remote-as: 1 }\n", {4, "neighbors[0].address", "224.0.0.5 is a multicast address"});
  expect_error(n + "239.1.1.1, remote-as: 1 }\n", {4, "neighbors[0].address", "is a multicast address"});
  expect_error(n + "255.255.255.255, remote-as: 1 }\n", {4, "neighbors[0].address", "is the broadcast address"});
  expect_error(n + "10.0.0.2, remote-as: 1, update-source: 224.0.0.1 }\n",
               {4, "neighbors[0].update-source", "224.0.0.1 is a multicast address"});
  expect_error(n + "10.0.0.2, remote-as: 1, update-source: 0.0.0.0 }\n",
               {4, "neighbors[0].update-source", "is the unspecified address"});
}

TEST(ConfigValidation, MulticastBroadcastVtep_Rejected) {
  expect_error(kHead + "vtep: { source-ip: 239.0.0.1 }\n", {3, "vtep.source-ip", "239.0.0.1 is a multicast address"});
  expect_error(kHead + "vtep: { source-ip: 255.255.255.255 }\n", {3, "vtep.source-ip", "is the broadcast address"});
}

TEST(ConfigValidation, BadGatewayAddress_Rejected) {
  const std::string l = kVtep + "l2vnis:\n  - { vni: 100, ";  // line 5
  expect_error(l + "gateway: 224.0.0.1/24 }\n", {5, "l2vnis[0].gateway", "is a multicast address"});
  expect_error(l + "gateway: 192.168.1.255/24 }\n", {5, "l2vnis[0].gateway", "is the broadcast address of 192.168.1.0/24"});
  expect_error(l + "gateway-v6: \"ff02::1/64\" }\n", {5, "l2vnis[0].gateway-v6", "is a multicast address"});
  expect_ok(l + "gateway: 192.168.1.254/24 }\n");
  expect_ok(l + "gateway: 192.168.1.1/31 }\n");
}

TEST(ConfigValidation, MulticastListenAddress_Rejected) {
  expect_error(kHead + "listen: { address: 224.0.0.1 }\n", {3, "listen.address", "cannot listen on 224.0.0.1"});
  expect_ok(kHead + "listen: { address: 0.0.0.0 }\n");
}

TEST(ConfigValidation, ControlCharacterInDescription_Rejected) {
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1, description: \"evil\\e[2J\" }\n",
               {4, "neighbors[0].description", "control character at position 5"});
  expect_error(kHead + "neighbors:\n  - address: 10.0.0.2\n    remote-as: 1\n    description: \"a\\tb\"\n",
               {6, "neighbors[0].description", "control character at position 2"});
  expect_error(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1, description: \"x\\u009b1m\" }\n",
               {4, "neighbors[0].description", "control character"});
  expect_ok(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 1, description: \"leaf 1 (rack 7) caf\xc3\xa9\" }\n");
}

TEST(ConfigValidation, FileOverSizeCap_RefusedNamingFileAndLimit) {
  const std::string text = kHead + "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  auto t = parse_config_text(text, "big.yaml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().to_string(), "big.yaml: larger than " + std::to_string(kMaxConfigBytes) +
                                       " bytes, the limit for a configuration file");
  const std::string file = ::testing::TempDir() + "/big-" + std::to_string(::getpid()) + ".yaml";
  { std::ofstream(file) << text; }
  auto f = parse_config_file(file);
  std::remove(file.c_str());
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().file, file);
  EXPECT_NE(f.error().reason.find("the limit for a configuration file"), std::string::npos);
  // Just under the cap still parses.
  expect_ok(kHead + "# " + std::string(kMaxConfigBytes - kHead.size() - 3, 'x') + "\n");
}

}  // namespace
}  // namespace evpnd::api

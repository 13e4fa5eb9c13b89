// IPAM delegation: exec, environment and stdin as the spec says, errors, static addresses.
#include <gtest/gtest.h>

#include "evpn-cni/ipam.hpp"
#include "plugin_harness.hpp"

namespace evpnd::cni::testing {
namespace {

using nlohmann::json;

TEST(Ipam, DelegateGetsSameStdinAndEnvWithItsCommand) {
  PluginHarness h;
  // Echoes what it got as a 0.3.1 result whose "dns.domain" carries the environment.
  h.write_plugin("echoipam", "#!/bin/sh\nin=$(cat)\n"
                             "echo \"$in\" > \"$0.stdin\"\n"
                             "printf '{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.9/24\","
                             "\"gateway\":\"10.1.0.1\"}],\"dns\":{\"domain\":\"%s-%s-%s\"}}' "
                             "\"$CNI_COMMAND\" \"$CNI_CONTAINERID\" \"$CNI_IFNAME\"\n");
  json cfg = h.config("0.3.1");
  cfg["ipam"] = {{"type", "echoipam"}, {"extra", 1}};
  IpamDelegate ipam(cfg, h.env("ADD"));
  auto r = ipam.add();
  ASSERT_TRUE(r) << r.error().msg << " " << r.error().details;
  EXPECT_EQ(cidr_string(r->ips.at(0).address), "10.1.0.9/24");
  EXPECT_EQ(r->dns.domain, "ADD-c1-eth0");
  std::ifstream in(h.dir() + "/echoipam.stdin");
  json got;
  in >> got;
  EXPECT_EQ(got, cfg);
  EXPECT_TRUE(IpamDelegate(cfg, h.env("ADD")).del());
}

TEST(Ipam, FailureWithoutErrorObject_Code102WithOutput) {
  PluginHarness h;
  h.write_plugin("crashipam", "#!/bin/sh\ncat >/dev/null\necho oops\nexit 3\n");
  json cfg = h.config();
  cfg["ipam"] = {{"type", "crashipam"}};
  auto r = IpamDelegate(cfg, h.env("ADD")).add();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 102u);
  EXPECT_NE(r.error().details.find("exit status 3: oops"), std::string::npos);
}

TEST(Ipam, NonJsonSuccess_Code102) {
  PluginHarness h;
  h.write_plugin("textipam", "#!/bin/sh\ncat >/dev/null\necho hello\n");
  json cfg = h.config();
  cfg["ipam"] = {{"type", "textipam"}};
  auto r = IpamDelegate(cfg, h.env("ADD")).add();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 102u);
}

TEST(Ipam, PluginThatIgnoresStdin_DoesNotHang) {
  PluginHarness h;
  h.write_plugin("deafipam", "#!/bin/sh\necho '{\"cniVersion\":\"1.0.0\"}'\n");
  json cfg = h.config();
  cfg["ipam"] = {{"type", "deafipam"}, {"pad", std::string(300000, 'x')}};  // > a pipe's buffer
  auto r = IpamDelegate(cfg, h.env("ADD")).add();
  ASSERT_TRUE(r) << r.error().msg;
  EXPECT_TRUE(r->ips.empty());
}

TEST(Ipam, FindPlugin_SearchesCniPathInOrder) {
  PluginHarness h;
  h.write_plugin("host-local", "#!/bin/sh\n");
  auto p = find_plugin("host-local", "/nonexistent:" + h.dir() + ":/usr/lib/cni");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, h.dir() + "/host-local");
  auto none = find_plugin("nope", "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, 102u);
}

TEST(Ipam, StaticResult_LengthFromGatewayOrHostRoute) {
  std::vector<StaticIp> ips = {{*IpAddress::parse("10.1.0.5"), std::nullopt},
                               {*IpAddress::parse("2001:db8::5"), std::nullopt},
                               {*IpAddress::parse("10.2.0.5"), 16}};
  auto r = static_result(ips, {*parse_cidr("10.1.0.1/24")});
  EXPECT_EQ(cidr_string(r.ips[0].address), "10.1.0.5/24");
  EXPECT_EQ(cidr_string(r.ips[1].address), "2001:db8::5/128");
  EXPECT_EQ(cidr_string(r.ips[2].address), "10.2.0.5/16");
}

TEST(Ipam, HostLocalCheckThroughThePlugin) {
  SKIP_WITHOUT_HOST_LOCAL();
  PluginHarness h;
  json cfg = h.with_host_local(h.config());
  auto add = h.run("ADD", cfg);
  ASSERT_EQ(add.exit_code, 0) << add.out;
  cfg["prevResult"] = add.json();
  auto ok = h.run("CHECK", cfg);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  // The lease gone: host-local's own CHECK fails, and its error is passed on.
  std::filesystem::remove_all(h.dir() + "/leases");
  auto bad = h.run("CHECK", cfg);
  ASSERT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.json()["msg"].get<std::string>().find("IPAM host-local CHECK"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace evpnd::cni::testing

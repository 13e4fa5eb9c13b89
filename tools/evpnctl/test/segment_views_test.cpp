// The run-time segment views on bodies shaped as docs/API.md describes them, including what an
// older or partial reply leaves out.
#include <gtest/gtest.h>

#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {

using nlohmann::json;

TEST(SegmentViews, VniStateOfConfigVniInTenantNamespace_NoAttachments) {
  json body = json::parse(R"({"vni":100,"origin":"config","bridge":"br100","vxlan_device":"vxlan100",
    "netns":"lab-red","vrf":"red","gateways":[],"gateway_mac":null,"mtu":1500,"rd":"10.0.0.1:2",
    "import_rts":["65000:100"],"export_rts":["65000:100"],"attachments":[],"endpoints":0})");
  const std::string text = render_evpn_vni_state(body);
  EXPECT_NE(text.find(" Origin: config\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Namespace: lab-red\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Gateways: -\n Gateway MAC: -\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Attachments: 0\n Endpoints: 0\n"), std::string::npos) << text;
}

TEST(SegmentViews, VniStatePartialReply_DashesNotFailure) {
  const std::string text = render_evpn_vni_state(json::parse(R"({"vni":7})"));
  EXPECT_NE(text.find("VNI: 7\n Origin: -\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" Namespace: -\n"), std::string::npos) << text;  // absent is not "evpnd's"
}

TEST(SegmentViews, Endpoints_EmptyAndEscaped) {
  EXPECT_EQ(render_evpn_endpoints(json::parse(R"({"endpoints":[]})")), "No endpoints.\n");
  EXPECT_EQ(render_evpn_endpoints(json::object()), "No endpoints.\n");
  // An attachment name comes from an orchestrator: a control character is shown escaped.
  const std::string text = render_evpn_endpoints(json::parse(
      R"({"endpoints":[{"vni":1,"mac":"02:00:00:00:00:01","ips":["10.0.0.1"],"interface":"v","attachment":"a\u001b[2Jb"}]})"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("a\\x1b[2Jb"), std::string::npos) << text;
  EXPECT_NE(text.find("\n1 endpoint\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace evpnctl

// POST/DELETE/GET /v1/evpn/endpoints through a whole in-process daemon (fake data plane, issue
// 11): status codes and validation, routes in the Loc-RIB at once, replace, retract, the state
// file, a restarted daemon announcing them again, and the port-gone backstop.
#include <gtest/gtest.h>

#include <filesystem>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/endpoint_api.hpp"
#include "daemon/runtime_state.hpp"
#include "dataplane/fake/fake_dataplane.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

const std::string kPod = "02:00:00:00:0a:05";

api::ApiResponse call(Daemon& d, const std::string& method, json body = nullptr,
                      std::map<std::string, std::string> query = {}, const std::string& path = "/v1/evpn/endpoints") {
  api::ApiRequest r;
  r.method = method;
  r.path = path;
  r.query = std::move(query);
  r.body = std::move(body);
  return handle_api(d, r);
}

json endpoint(const std::string& mac = kPod, json ips = {"10.1.0.5"}, const std::string& attachment = "net/c1/eth0",
              const std::string& port = "veth0a05") {
  return {{"vni", 100}, {"mac", mac}, {"ips", ips}, {"interface", port}, {"attachment", attachment}};
}

// Our own type-2 routes in the Loc-RIB for `mac`: "mac" and the IPs of MAC+IP routes.
std::set<std::string> local_type2(const Daemon& d, const std::string& mac = kPod) {
  std::set<std::string> out;
  d.engine().speaker().table().for_each([&](bgp::DestId, const bgp::Dest& dst) {
    const auto* m = std::get_if<wire::MacIpAdvertisement>(&dst.nlri());
    if (!m || m->mac.to_string() != mac) return;
    for (const bgp::Path& p : dst.paths)
      if (p.live() && p.peer == bgp::kLocalPeer) out.insert(m->ip.empty() ? "mac" : m->ip.to_string());
  });
  return out;
}

using Set = std::set<std::string>;

class EndpointApi : public ::testing::Test {
 protected:
  std::string dir_ = ::testing::TempDir() + "endpoint-api-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string state_ = dir_ + "/state";
  std::string config_text() const {
    return "router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ + "/ep.sock }\nstate-dir: " +
           state_ + "\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\nvrfs:\n  - { name: red, l3vni: 5000 }\n"
           "l2vnis:\n  - { vni: 100, vrf: red, gateway: 10.1.0.1/24 }\n";
  }
  std::unique_ptr<Daemon> start() {
    auto c = api::parse_config_text(config_text(), "test.yaml");
    EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
    auto d = std::make_unique<Daemon>(io_, *c);
    d->start();
    return d;
  }
  void SetUp() override {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  RuntimeState saved() const {
    auto s = load_runtime_state(runtime_state_path(state_));
    EXPECT_TRUE(s) << s.error();
    return s.value_or(RuntimeState{});
  }
  asio::io_context io_;
};

TEST_F(EndpointApi, Post_Created201AdvertisedAtOnce_Replaced200) {
  auto d = start();
  auto r = call(*d, "POST", endpoint());
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body, (json{{"vni", 100}, {"mac", kPod}, {"ips", {"10.1.0.5"}}, {"interface", "veth0a05"},
                          {"attachment", "net/c1/eth0"}}));
  EXPECT_EQ(local_type2(*d), (Set{"mac", "10.1.0.5"}));
  // The MAC view (GET /v1/evpn/macs, streamed) shows the endpoint flag.
  auto macs = call(*d, "GET", nullptr, {{"vni", "100"}}, "/v1/evpn/macs");
  ASSERT_TRUE(bool(macs.stream)) << macs.body.dump();
  std::string text;
  for (bool more = true; more;) more = macs.stream(text);
  const json table = json::parse(text);
  ASSERT_EQ(table["macs"].size(), 1u) << text;
  EXPECT_EQ(table["macs"][0]["type"], "local");
  EXPECT_EQ(table["macs"][0]["interface"], "veth0a05");
  EXPECT_EQ(table["macs"][0]["flags"], json::array({"endpoint"}));
  // Same attachment again with another IP set: replaced.
  r = call(*d, "POST", endpoint(kPod, {"10.1.0.6", "2001:db8::6"}));
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(local_type2(*d), (Set{"mac", "10.1.0.6", "2001:db8::6"}));
  auto list = call(*d, "GET");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["endpoints"].size(), 1u);
  EXPECT_EQ(list.body["endpoints"][0]["state"], "advertised");
  EXPECT_EQ(list.body["endpoints"][0]["ips"], (json{"10.1.0.6", "2001:db8::6"}));
}

TEST_F(EndpointApi, BadBodies_400NamingTheKey) {
  auto d = start();
  auto refused = [&](json body, const std::string& reason) {
    auto r = call(*d, "POST", body);
    EXPECT_EQ(r.status, 400) << body.dump();
    const std::string err = r.body.value("error", "");
    EXPECT_NE(err.find(reason), std::string::npos) << "error \"" << err << "\" lacks \"" << reason << "\"";
  };
  refused("nope", "body must be an object");
  refused(endpoint("ff:ff:ff:ff:ff:ff"), "mac: ff:ff:ff:ff:ff:ff is a multicast or broadcast MAC");
  refused(endpoint("01:00:5e:00:00:01"), "is a multicast or broadcast MAC");
  refused(endpoint("00:00:00:00:00:00"), "mac: 00:00:00:00:00:00 is not a host MAC");
  refused(endpoint("02:00:00:00:0a"), "mac: '02:00:00:00:0a' is not a MAC address");
  refused(endpoint(kPod, {"10.1.0"}), "ips: \"10.1.0\" is not an IP address");
  refused(endpoint(kPod, {"224.0.0.9"}), "ips: 224.0.0.9 is a multicast address");
  refused(endpoint(kPod, {"fe80::1"}), "ips: fe80::1 is a link-local address");
  refused(endpoint(kPod, "10.1.0.5"), "ips: not an array");
  refused(endpoint(kPod, {"10.1.0.5"}, "a", "veth-longer-than15"), "interface: 'veth-longer-than15' is longer than 15");
  refused(endpoint(kPod, {"10.1.0.5"}, "a", "a/b"), "interface: 'a/b' has a character");
  refused(endpoint(kPod, {"10.1.0.5"}, ""), "attachment: not a non-empty string");
  json no_port = endpoint();
  no_port.erase("interface");
  refused(no_port, "interface: missing");
  json bad_vni = endpoint();
  bad_vni["vni"] = 0;
  refused(bad_vni, "vni: 0 is not 1-16777215");
  json extra = endpoint();
  extra["ip"] = "10.1.0.5";
  refused(extra, "unknown key 'ip'");
  EXPECT_TRUE(d->runtime().endpoints.empty());
  EXPECT_TRUE(local_type2(*d).empty());
}

TEST_F(EndpointApi, VniNotRunning_404SaysPutFirst) {
  auto d = start();
  json body = endpoint();
  body["vni"] = 300;
  auto r = call(*d, "POST", body);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.value("error", "").find("PUT /v1/evpn/vnis/300 first"), std::string::npos) << r.body.dump();
}

TEST_F(EndpointApi, OtherAttachmentsMacOrIp_409) {
  auto d = start();
  ASSERT_EQ(call(*d, "POST", endpoint()).status, 201);
  auto r = call(*d, "POST", endpoint(kPod, {"10.1.0.5"}, "net/c2/eth0"));
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.value("error", "").find("attachment 'net/c1/eth0'"), std::string::npos) << r.body.dump();
  r = call(*d, "POST", endpoint("02:00:00:00:0a:06", {"10.1.0.5"}, "net/c2/eth0", "veth0a06"));
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.value("error", "").find("IP 10.1.0.5 is an endpoint IP of MAC " + kPod), std::string::npos);
  // The anycast gateway MAC is no host (EVPN refuses it; nothing recorded).
  r = call(*d, "POST", endpoint(d->engine().evpn()->vrf_views().at(0).router_mac.to_string(), json::array(), "x", "veth9"));
  EXPECT_EQ(r.status, 409) << r.body.dump();
  EXPECT_EQ(d->runtime().endpoints.size(), 1u);
}

TEST_F(EndpointApi, Delete_WithdrawsIdempotentStaleAttachmentIgnored) {
  auto d = start();
  ASSERT_EQ(call(*d, "POST", endpoint()).status, 201);
  EXPECT_EQ(call(*d, "DELETE", nullptr, {{"vni", "100"}, {"mac", kPod}, {"attachment", "net/old/eth0"}}).body,
            (json{{"removed", false}}));
  EXPECT_EQ(local_type2(*d), (Set{"mac", "10.1.0.5"}));
  auto r = call(*d, "DELETE", nullptr, {{"vni", "100"}, {"mac", kPod}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, (json{{"removed", true}}));
  EXPECT_TRUE(local_type2(*d).empty());
  EXPECT_TRUE(saved().endpoints.empty());
  EXPECT_EQ(call(*d, "DELETE", nullptr, {{"vni", "100"}, {"mac", kPod}}).body, (json{{"removed", false}}));
  EXPECT_EQ(call(*d, "DELETE", nullptr, {{"vni", "100"}}).status, 400);
  EXPECT_EQ(call(*d, "DELETE", nullptr, {{"vni", "x"}, {"mac", kPod}}).status, 400);
}

TEST_F(EndpointApi, DeleteWhileBridgeHasMacLearned_MacStaysAdvertised) {
  auto d = start();
  ASSERT_EQ(call(*d, "POST", endpoint()).status, 201);
  auto& io = const_cast<DataplaneIo&>(*d->dataplane());
  auto& fake = dynamic_cast<dataplane::FakeDataplane&>(io.provider());
  fake.learn_local_mac(100, *Mac::parse(kPod), "veth0a05");
  io.poll_now();
  ASSERT_EQ(call(*d, "DELETE", nullptr, {{"vni", "100"}, {"mac", kPod}}).body["removed"], true);
  EXPECT_EQ(local_type2(*d), (Set{"mac"}));
}

TEST_F(EndpointApi, GetFilters) {
  auto d = start();
  ASSERT_EQ(call(*d, "POST", endpoint()).status, 201);
  ASSERT_EQ(call(*d, "POST", endpoint("02:00:00:00:0a:06", {"10.1.0.6"}, "net/c2/eth0", "veth0a06")).status, 201);
  EXPECT_EQ(call(*d, "GET").body["endpoints"].size(), 2u);
  auto one = call(*d, "GET", nullptr, {{"attachment", "net/c2/eth0"}}).body["endpoints"];
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["mac"], "02:00:00:00:0a:06");
  EXPECT_TRUE(call(*d, "GET", nullptr, {{"vni", "200"}}).body["endpoints"].empty());
  EXPECT_EQ(call(*d, "GET", nullptr, {{"vni", "0"}}).status, 400);
  EXPECT_EQ(call(*d, "PUT").status, 405);
}

TEST_F(EndpointApi, Restart_StateFileListsEndpoint_SecondDaemonAdvertisesIt) {
  {
    auto d = start();
    ASSERT_EQ(call(*d, "POST", endpoint(kPod, {"10.1.0.5", "2001:db8::5"})).status, 201);
    const RuntimeState s = saved();
    ASSERT_EQ(s.endpoints.size(), 1u);
    const RuntimeEndpoint& e = s.endpoints.begin()->second;
    EXPECT_EQ(e.vni, 100u);
    EXPECT_EQ(e.mac, *Mac::parse(kPod));
    EXPECT_EQ(e.ips, (std::vector<IpAddress>{*IpAddress::parse("10.1.0.5"), *IpAddress::parse("2001:db8::5")}));
    EXPECT_EQ(e.interface, "veth0a05");
    EXPECT_EQ(e.attachment, "net/c1/eth0");
  }
  auto again = start();  // the same state dir: evpnd restarted
  EXPECT_EQ(local_type2(*again), (Set{"mac", "10.1.0.5", "2001:db8::5"}));
  auto list = call(*again, "GET");
  ASSERT_EQ(list.body["endpoints"].size(), 1u);
  EXPECT_EQ(list.body["endpoints"][0]["attachment"], "net/c1/eth0");
  // Still retractable by its runtime after the restart.
  EXPECT_EQ(call(*again, "DELETE", nullptr, {{"vni", "100"}, {"mac", kPod}}).body["removed"], true);
  EXPECT_TRUE(local_type2(*again).empty());
}

TEST_F(EndpointApi, PortRemoved_EndpointRetracted_RecreatedInSameBatchKept) {
  auto d = start();
  ASSERT_EQ(call(*d, "POST", endpoint()).status, 201);
  ASSERT_EQ(call(*d, "POST", endpoint("02:00:00:00:0a:06", {"10.1.0.6"}, "net/c2/eth0", "veth0a06")).status, 201);
  auto& io = const_cast<DataplaneIo&>(*d->dataplane());
  auto& fake = dynamic_cast<dataplane::FakeDataplane&>(io.provider());
  // The bridge of VNI 100 is in VRF red's namespace (netns backend): its ports' events come from
  // there. veth0a06 is deleted and created again (a retried ADD), veth0a05 is gone for good.
  const std::string ns = d->engine().evpn()->l2vni_netns(100).value();
  EXPECT_FALSE(ns.empty());
  fake.inject(dataplane::LinkChanged{.netns = ns, .name = "veth0a06", .ifindex = 7, .removed = true});
  fake.inject(dataplane::LinkChanged{.netns = ns, .name = "veth0a06", .ifindex = 8, .up = true});
  fake.inject(dataplane::LinkChanged{.netns = "", .name = "veth0a05", .ifindex = 5, .removed = true});  // other ns
  EXPECT_EQ(local_type2(*d), (Set{"mac", "10.1.0.5"}));
  io.poll_now();
  EXPECT_EQ(local_type2(*d), (Set{"mac", "10.1.0.5"}));
  fake.inject(dataplane::LinkChanged{.netns = ns, .name = "veth0a05", .ifindex = 6, .removed = true});
  fake.inject(dataplane::LinkChanged{.netns = "elsewhere", .name = "veth0a06", .ifindex = 9, .removed = true});
  io.poll_now();
  EXPECT_TRUE(local_type2(*d).empty());
  EXPECT_EQ(local_type2(*d, "02:00:00:00:0a:06"), (Set{"mac", "10.1.0.6"}));
  const RuntimeState s = saved();
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints.begin()->second.interface, "veth0a06");
}

TEST_F(EndpointApi, RouteReflector_409NoEvpnService) {
  auto c = api::parse_config_text("router-id: 10.0.0.254\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ +
                                      "/rr.sock }\nstate-dir: " + state_ + "\n",
                                  "test.yaml");
  ASSERT_TRUE(c);
  Daemon rr(io_, *c);
  rr.start();
  auto r = call(rr, "POST", endpoint());
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.value("error", "").find("no EVPN service"), std::string::npos);
}

}  // namespace
}  // namespace evpnd::daemon

// Run-time segments through whole in-process daemons (fake data plane): PUT/GET/DELETE
// /v1/evpn/vnis/N (docs/API.md "Run-time segments and endpoints"), validation with the
// configuration's rules, attachments, the state file across a restart, and reloads.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/metrics_view.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

class SegmentApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/evpnd-seg-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
    file_ = dir_ + "/evpnd.yaml";
  }
  std::string head(const std::string& extra_global = "") const {
    return "router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir_ + "/api.sock }\nstate-dir: " +
           dir_ + "\n" + extra_global + "vtep: { source-ip: 10.0.0.1, dataplane: fake }\nvrfs:\n  - { name: red, l3vni: 5000 }\n";
  }
  std::string file_vnis(const std::string& entries = "  - { vni: 100 }\n") const { return "l2vnis:\n" + entries; }
  std::unique_ptr<Daemon> start(const std::string& text) {
    std::ofstream(file_) << text;
    auto cfg = api::parse_config_file(file_);
    EXPECT_TRUE(cfg) << cfg.error().to_string();
    auto d = std::make_unique<Daemon>(io_, *cfg);
    d->start();
    return d;
  }
  void rewrite(const std::string& text) { std::ofstream(file_) << text; }
  api::ApiResponse call(Daemon& d, const std::string& method, const std::string& path, json body = nullptr,
                        std::map<std::string, std::string> query = {}) {
    api::ApiRequest r;
    r.method = method;
    r.path = path;
    r.body = std::move(body);
    r.query = std::move(query);
    api::ApiResponse resp = handle_api(d, r);
    if (resp.stream) {  // a streamed view: collect the pieces as the server would send them
      std::string text;
      while (resp.stream(text)) {
      }
      resp.body = json::parse(text);
      resp.stream = nullptr;
    }
    return resp;
  }
  api::ApiResponse put(Daemon& d, Vni vni, json body) { return call(d, "PUT", "/v1/evpn/vnis/" + std::to_string(vni), std::move(body)); }
  api::ApiResponse get(Daemon& d, Vni vni) { return call(d, "GET", "/v1/evpn/vnis/" + std::to_string(vni)); }
  api::ApiResponse release(Daemon& d, Vni vni, const std::string& a) {
    return call(d, "DELETE", "/v1/evpn/vnis/" + std::to_string(vni), nullptr, {{"attachment", a}});
  }
  std::string dir_, file_;
  asio::io_context io_;
};

TEST_F(SegmentApi, Put_CreatedThenHeld_StateShowsSetup) {
  auto d = start(head() + file_vnis());
  auto r = put(*d, 200, {{"attachment", "net/c1/eth0"}, {"vrf", "red"}, {"gateway", "10.2.0.1/24"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["vni"], 200);
  EXPECT_EQ(r.body["origin"], "api");
  EXPECT_EQ(r.body["bridge"], "br200");
  EXPECT_EQ(r.body["vxlan_device"], "vxlan200");
  EXPECT_EQ(r.body["vrf"], "red");
  // vrf-backend netns: the bridge lives in the tenant namespace (the CNI plugin's veth goes there).
  const std::string ns = r.body["netns"];
  EXPECT_TRUE(ns == "red" || ns.ends_with("-red")) << ns;
  EXPECT_EQ(r.body["gateways"], json::array({"10.2.0.1/24"}));
  EXPECT_EQ(r.body["mtu"], 1500);
  EXPECT_EQ(r.body["attachments"], json::array({"net/c1/eth0"}));
  EXPECT_EQ(r.body["endpoints"], 0);
  EXPECT_EQ(r.body["import_rts"], json::array({"65000:200"}));
  const json rd = r.body["rd"];
  // The VNI runs: the EVPN list view shows it with its devices.
  auto list = call(*d, "GET", "/v1/evpn/vnis").body["vnis"];
  EXPECT_TRUE(std::any_of(list.begin(), list.end(), [](const json& v) { return v["vni"] == 200 && v["bridge"] == "br200"; }));
  // A second attachment, and the first again: 200, held by both.
  r = put(*d, 200, {{"attachment", "net/c2/eth0"}, {"gateway", "10.2.0.1/24"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  r = put(*d, 200, {{"attachment", "net/c1/eth0"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["attachments"], json::array({"net/c1/eth0", "net/c2/eth0"}));
  EXPECT_EQ(r.body["rd"], rd);
  EXPECT_EQ(get(*d, 200).body, r.body);
  EXPECT_EQ(get(*d, 999).status, 404);
  // Without an attachment the holder is "api".
  EXPECT_EQ(put(*d, 300, json::object()).body["attachments"], json::array({"api"}));
  EXPECT_EQ(put(*d, 301, nullptr).status, 201);
}

TEST_F(SegmentApi, Put_OtherSettings_409NamesKey) {
  auto d = start(head() + file_vnis());
  ASSERT_EQ(put(*d, 200, {{"gateway", "10.2.0.1/24"}, {"vrf", "red"}}).status, 201);
  auto r = put(*d, 200, {{"gateway", "10.3.0.1/24"}, {"vrf", "red"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body["error"].get<std::string>().find("gateway"), std::string::npos) << r.body.dump();
  r = put(*d, 200, {{"arp-suppression", false}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["error"].get<std::string>().rfind("arp-suppression", 0), 0u) << r.body.dump();
  r = put(*d, 200, {{"route-targets", {{"import", {"65000:1"}}}}});
  EXPECT_EQ(r.status, 409) << r.body.dump();
  // The automatic RT named explicitly is the same setting.
  EXPECT_EQ(put(*d, 200, {{"route-targets", {{"both", {"65000:200"}}}}}).status, 200);
  // A file VNI: held through the API when the settings agree, 409 when they do not.
  r = put(*d, 100, {{"bridge", "brX"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body["error"].get<std::string>().find("bridge"), std::string::npos);
  r = put(*d, 100, {{"attachment", "k8s"}, {"bridge", "br100"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["origin"], "config");
  EXPECT_EQ(r.body["attachments"], json::array({"k8s"}));
}

TEST_F(SegmentApi, Put_BadBody_400NamesKeyAndCreatesNothing) {
  auto d = start(head() + file_vnis());
  const std::pair<json, std::string> cases[] = {
      {{{"gateway", "2001:db8::1/64"}}, "gateway"},
      {{{"gateway", "10.2.0.1"}}, "gateway"},
      {{{"vrf", "blue"}}, "vrf: unknown VRF \"blue\""},
      {{{"bridge", "br100"}}, "bridge: device \"br100\" is already used by l2vnis[0]"},
      {{{"vxlan-device", "vxlan5000"}}, "vxlan-device"},
      {{{"bridge", "same"}, {"vxlan-device", "same"}}, "must be different"},
      {{{"rd", "10.0.0.1:2"}}, "rd"},  // the VRF's automatic RD
      {{{"rd", "10.0.0.1:3"}}, "rd: route distinguisher 10.0.0.1:3 is already used by VNI 100"},
      {{{"colour", "blue"}}, "colour"},
      {{{"vni", 7}}, "vni"},
      {{{"attachment", 5}}, "attachment"},
      {json::array({1}), "object"},
  };
  for (const auto& [body, want] : cases) {
    auto r = put(*d, 200, body);
    EXPECT_EQ(r.status, 400) << body.dump() << " -> " << r.body.dump();
    EXPECT_NE(r.body["error"].get<std::string>().find(want), std::string::npos) << body.dump() << " -> " << r.body.dump();
  }
  EXPECT_EQ(get(*d, 200).status, 404);
  // The L3VNI is not an L2 segment; a bad VNI in the path is 400.
  EXPECT_EQ(put(*d, 5000, json::object()).status, 400);
  EXPECT_EQ(call(*d, "PUT", "/v1/evpn/vnis/0", json::object()).status, 400);
  EXPECT_EQ(call(*d, "PUT", "/v1/evpn/vnis/abc", json::object()).status, 400);
  // Another API VNI's devices count too.
  ASSERT_EQ(put(*d, 201, {{"bridge", "brA"}}).status, 201);
  auto list = call(*d, "GET", "/v1/evpn/vnis").body["vnis"];  // the list view shows the API's devices
  EXPECT_TRUE(std::any_of(list.begin(), list.end(), [](const json& v) { return v["vni"] == 201 && v["bridge"] == "brA"; }));
  auto r = put(*d, 202, {{"bridge", "brA"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["error"].get<std::string>().find("API VNI 201"), std::string::npos) << r.body.dump();
}

TEST_F(SegmentApi, Delete_LastAttachmentRemovesApiVniOnly) {
  auto d = start(head() + file_vnis());
  ASSERT_EQ(put(*d, 200, {{"attachment", "a"}}).status, 201);
  ASSERT_EQ(put(*d, 200, {{"attachment", "b"}}).status, 200);
  auto r = release(*d, 200, "a");
  EXPECT_EQ(r.body, (json{{"vni", 200}, {"released", true}, {"removed", false}, {"attachments", {"b"}}}));
  r = release(*d, 200, "a");  // idempotent
  EXPECT_EQ(r.body["released"], false);
  EXPECT_EQ(get(*d, 200).status, 200);
  r = release(*d, 200, "b");
  EXPECT_EQ(r.body, (json{{"vni", 200}, {"released", true}, {"removed", true}, {"attachments", json::array()}}));
  EXPECT_EQ(get(*d, 200).status, 404);
  EXPECT_FALSE(d->engine().evpn()->mac_vrf(200));
  EXPECT_EQ(release(*d, 200, "b").body["released"], false);
  EXPECT_EQ(release(*d, 777, "x").body["released"], false);
  // A file VNI is never removed by a release.
  ASSERT_EQ(put(*d, 100, {{"attachment", "c"}}).status, 200);
  r = release(*d, 100, "c");
  EXPECT_EQ(r.body["released"], true);
  EXPECT_EQ(r.body["removed"], false);
  EXPECT_EQ(get(*d, 100).status, 200);
  EXPECT_TRUE(d->runtime().vnis.empty());
  // Recreated after removal: a new VNI (201).
  EXPECT_EQ(put(*d, 200, {{"attachment", "a"}}).status, 201);
}

TEST_F(SegmentApi, Restart_RestoresApiVniWithSameRd) {
  json before;
  {
    auto d = start(head() + file_vnis());
    ASSERT_EQ(put(*d, 300, {{"attachment", "x"}}).status, 201);
    ASSERT_EQ(put(*d, 200, {{"attachment", "a"}, {"vrf", "red"}, {"gateway", "10.2.0.1/24"}}).status, 201);
    ASSERT_EQ(put(*d, 100, {{"attachment", "f"}}).status, 200);
    ASSERT_EQ(release(*d, 300, "x").body["removed"], true);  // its RD index is free again
    before = get(*d, 200).body;
    EXPECT_EQ(d->runtime_save_failures(), 0u);
  }
  ASSERT_TRUE(std::filesystem::exists(dir_ + "/runtime.json"));
  auto d = start(head() + file_vnis());
  auto r = get(*d, 200);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body, before);
  EXPECT_EQ(get(*d, 100).body["attachments"], json::array({"f"}));
  EXPECT_EQ(get(*d, 300).status, 404);
  // A new API VNI gets an RD none of the running ones has.
  auto n = put(*d, 400, json::object());
  ASSERT_EQ(n.status, 201);
  EXPECT_NE(n.body["rd"], before["rd"]);
  EXPECT_NE(n.body["rd"], get(*d, 100).body["rd"]);
}

TEST_F(SegmentApi, Restart_BadStateFile_SetAsideAndStartsEmpty) {
  std::ofstream(dir_ + "/runtime.json") << "{\"version\": 1, \"vnis\": [{\"vni\": \"x\"}]}";
  auto d = start(head() + file_vnis());
  EXPECT_TRUE(d->runtime().empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/runtime.json.bad"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/runtime.json"));
  EXPECT_EQ(put(*d, 200, json::object()).status, 201);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/runtime.json"));
}

TEST_F(SegmentApi, Restart_VniThatNoLongerFits_ForgottenLoudly) {
  {
    auto d = start(head() + file_vnis());
    ASSERT_EQ(put(*d, 200, {{"vrf", "red"}}).status, 201);
    ASSERT_EQ(put(*d, 300, {{"bridge", "brX"}}).status, 201);
  }
  // The VRF is gone and the file took brX: neither fits; the rest starts.
  auto d = start("router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\nstate-dir: " + dir_ +
                 "\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\nl2vnis:\n  - { vni: 100, bridge: brX }\n");
  EXPECT_EQ(get(*d, 200).status, 404);
  EXPECT_EQ(get(*d, 300).status, 404);
  EXPECT_TRUE(d->runtime().vnis.empty());
  auto saved = load_runtime_state(dir_ + "/runtime.json");
  ASSERT_TRUE(saved);
  EXPECT_TRUE(saved->vnis.empty());
}

TEST_F(SegmentApi, Reload_KeepsApiVnis_AlsoWithANewEngine) {
  auto d = start(head() + file_vnis());
  ASSERT_EQ(put(*d, 200, {{"attachment", "a"}, {"vrf", "red"}}).status, 201);
  const json rd = get(*d, 200).body["rd"];
  rewrite(head() + file_vnis("  - { vni: 100 }\n  - { vni: 300 }\n"));
  auto r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["l2vnis_added"], json::array({300}));
  EXPECT_EQ(get(*d, 200).status, 200);
  EXPECT_NE(get(*d, 300).body["rd"], rd);
  // A new identity builds a new engine: the API VNI is in it, with its RD.
  rewrite(head("cluster-id: 10.9.9.9\n") + file_vnis("  - { vni: 100 }\n  - { vni: 300 }\n"));
  r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["global_changed"], true);
  auto s = get(*d, 200);
  ASSERT_EQ(s.status, 200) << s.body.dump();
  EXPECT_EQ(s.body["rd"], rd);
  EXPECT_EQ(s.body["attachments"], json::array({"a"}));
  EXPECT_EQ(d->config().l2vnis.size(), 2u);  // config() stays the file's
}

TEST_F(SegmentApi, Reload_FileTakesOverApiVni_AttachmentsStay) {
  auto d = start(head() + file_vnis());
  ASSERT_EQ(put(*d, 200, {{"attachment", "a"}}).status, 201);
  ASSERT_EQ(put(*d, 201, {{"attachment", "b"}}).status, 201);
  // 200 with the same settings (no change), 201 with others (re-created).
  rewrite(head() + file_vnis("  - { vni: 100 }\n  - { vni: 200 }\n  - { vni: 201, arp-suppression: false }\n"));
  auto r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["l2vnis_taken_over"], json::array({200, 201})) << r->dump();
  for (Vni v : {200, 201}) {
    auto s = get(*d, v);
    ASSERT_EQ(s.status, 200);
    EXPECT_EQ(s.body["origin"], "config");
  }
  EXPECT_EQ(get(*d, 201).body["arp_suppression"], false);
  EXPECT_EQ(get(*d, 201).body["attachments"], json::array({"b"}));
  // The file owns them now: the last release leaves them running.
  EXPECT_EQ(release(*d, 200, "a").body["removed"], false);
  EXPECT_EQ(get(*d, 200).status, 200);
}

TEST_F(SegmentApi, Reload_FileDropsHeldVni_RunsOnAsApiVni) {
  auto d = start(head() + file_vnis("  - { vni: 100, vrf: red, gateway: 10.1.0.1/24 }\n  - { vni: 101 }\n"));
  ASSERT_EQ(put(*d, 100, {{"attachment", "a"}}).status, 200);
  rewrite(head() + file_vnis("  - { vni: 102 }\n"));
  auto r = d->reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["l2vnis_kept"], json::array({100})) << r->dump();
  EXPECT_EQ((*r)["l2vnis_removed"], json::array({101}));
  auto s = get(*d, 100);
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["origin"], "api");
  EXPECT_EQ(s.body["gateways"], json::array({"10.1.0.1/24"}));
  EXPECT_EQ(get(*d, 101).status, 404);
  // Still there after a restart, then gone with its last attachment.
  d.reset();
  d = start(head() + file_vnis("  - { vni: 102 }\n"));
  ASSERT_EQ(get(*d, 100).status, 200);
  EXPECT_EQ(release(*d, 100, "a").body["removed"], true);
  EXPECT_EQ(get(*d, 100).status, 404);
}

TEST_F(SegmentApi, Reload_FileClashesWithApiVni_Refused) {
  auto d = start(head() + file_vnis());
  ASSERT_EQ(put(*d, 200, {{"bridge", "brA"}}).status, 201);
  rewrite(head() + file_vnis("  - { vni: 100 }\n  - { vni: 300, bridge: brA }\n"));
  auto r = d->reload();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("VNI 200"), std::string::npos) << r.error();
  EXPECT_EQ(d->reloads().refused, 1u);
  EXPECT_EQ(get(*d, 300).status, 404);
  EXPECT_EQ(get(*d, 200).status, 200);
}

TEST_F(SegmentApi, RouteReflector_Put409) {
  // A state file from when this node was a leaf: kept, not set up; its last release forgets it.
  RuntimeState st;
  st.vnis[300] = RuntimeVni{300, {{"rd", "10.0.0.1:40"}}, {"a"}};
  ASSERT_TRUE(save_runtime_state(dir_ + "/runtime.json", st));
  auto d = start("router-id: 10.0.0.1\nasn: 65000\nlisten: { port: 0 }\nstate-dir: " + dir_ + "\n");
  auto r = put(*d, 200, json::object());
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body["error"].get<std::string>().find("no EVPN service"), std::string::npos);
  EXPECT_EQ(get(*d, 200).status, 404);
  EXPECT_EQ(get(*d, 300).status, 404);
  EXPECT_EQ(d->runtime().vnis.count(300), 1u);
  r = release(*d, 300, "a");
  EXPECT_EQ(r.body, (json{{"vni", 300}, {"released", true}, {"removed", true}, {"attachments", json::array()}}));
  EXPECT_TRUE(d->runtime().vnis.empty());
  EXPECT_TRUE(load_runtime_state(dir_ + "/runtime.json")->vnis.empty());
}

TEST_F(SegmentApi, SaveFailure_CountedAndStateKept) {
  std::ofstream(dir_ + "/blocker") << "x";  // state-dir is a path under a file: cannot be created
  auto d = start(head() + file_vnis());
  rewrite(head() + file_vnis());
  auto text = head() + file_vnis();
  text.replace(text.find("state-dir: " + dir_), 11 + dir_.size(), "state-dir: " + dir_ + "/blocker/state");
  d.reset();
  d = start(text);
  ASSERT_EQ(put(*d, 200, {{"attachment", "a"}}).status, 201);
  EXPECT_EQ(d->runtime_save_failures(), 1u);
  EXPECT_EQ(d->runtime().vnis.count(200), 1u);
  EXPECT_NE(metrics_text(*d, nullptr).find("evpnd_runtime_state_save_failures_total 1"), std::string::npos);
}

}  // namespace
}  // namespace evpnd::daemon

namespace evpnd::daemon {
namespace {

TEST_F(SegmentApi, Reload_RecreatedVni_EndpointsAnnouncedAgain) {
  // An API VNI with an endpoint (as POST /v1/evpn/endpoints keeps it in runtime.json).
  RuntimeState st;
  st.vnis[200] = RuntimeVni{200, {{"rd", "10.0.0.1:40"}}, {"a"}};
  RuntimeEndpoint e{200, *Mac::parse("02:00:00:00:02:05"), {*IpAddress::parse("10.2.0.5")}, "veth5", "a"};
  st.endpoints[{e.vni, e.mac}] = e;
  ASSERT_TRUE(save_runtime_state(dir_ + "/runtime.json", st));
  auto d = start(head() + file_vnis());
  ASSERT_EQ(get(*d, 200).status, 200);
  EXPECT_EQ(get(*d, 200).body["rd"], "10.0.0.1:40");
  EXPECT_EQ(get(*d, 200).body["endpoints"], 1);
  // The file takes 200 over with other settings: re-created, and its endpoint is local again.
  rewrite(head() + file_vnis("  - { vni: 100 }\n  - { vni: 200, arp-suppression: false }\n"));
  auto r = d->reload();
  ASSERT_TRUE(r) << r.error();
  auto macs = call(*d, "GET", "/v1/evpn/macs", nullptr, {{"vni", "200"}}).body;
  EXPECT_NE(macs.dump().find("02:00:00:00:02:05"), std::string::npos) << macs.dump();
  EXPECT_EQ(get(*d, 200).body["endpoints"], 1);
}

}  // namespace
}  // namespace evpnd::daemon

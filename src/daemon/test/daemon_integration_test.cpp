// Three whole daemons in one io_context on 127.0.0.x: two leaves and a route reflector. The
// leaves originate EVPN routes (types 2, 3, 5) through the API handler; the other leaf must
// receive them through the reflector over real TCP.
#include <gtest/gtest.h>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/metrics_view.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace evpnd::daemon {
namespace {
using nlohmann::json;

uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

api::Config config(const std::string& text) {
  auto c = api::parse_config_text(text, "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return *c;
}

json routes_of(const char* rid, uint32_t base) {
  const std::string r = rid;
  return json::array({
      {{"route_type", 2}, {"rd", r + ":2"}, {"mac", "02:aa:00:00:00:0" + std::to_string(base)},
       {"ip", "192.168.100." + std::to_string(base)}, {"vni", 100}, {"l3vni", 5000}, {"next_hop", r},
       {"extended_communities", {"rt:65000:100", "encap:vxlan", "router-mac:02:aa:0a:ff:00:01"}}},
      {{"route_type", 3}, {"rd", r + ":2"}, {"ethernet_tag", 0}, {"originator", r}, {"vni", 100}, {"next_hop", r},
       {"extended_communities", {"rt:65000:100", "encap:vxlan"}}},
      {{"route_type", 5}, {"rd", r + ":3"}, {"prefix", "10.7" + std::to_string(base) + ".0.0/24"}, {"vni", 5000},
       {"next_hop", r}, {"extended_communities", {"rt:65000:5000", "encap:vxlan"}}},
  });
}

api::ApiResponse call(Daemon& d, const std::string& method, const std::string& path, json body = nullptr) {
  api::ApiRequest r;
  r.method = method;
  r.path = path.substr(0, path.find('?'));
  r.body = std::move(body);
  // The server splits the query; do the same for "?a=1&b=2".
  if (auto q = path.find('?'); q != std::string::npos) {
    std::string rest = path.substr(q + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string kv = rest.substr(0, amp);
      const auto eq = kv.find('=');
      r.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
  }
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

TEST(DaemonIntegration, RouteReflector_ReflectsTypes235BetweenLeaves) {
  const uint16_t port = free_port();
  const std::string tmp = ::testing::TempDir();
  const std::string timers = "timers: { hold: 9, keepalive: 3, connect-retry: 1 }";
  asio::io_context io;
  Daemon rr(io, config("router-id: 10.0.0.254\nasn: 65000\nlisten: { address: 127.0.0.1, port: " + std::to_string(port) +
                       " }\napi: { socket: " + tmp + "/rr.sock }\nneighbors:\n"
                       "  - { address: 127.0.0.2, remote-as: 65000, route-reflector-client: true, passive: true, " + timers + " }\n"
                       "  - { address: 127.0.0.3, remote-as: 65000, route-reflector-client: true, passive: true, " + timers + " }\n"));
  auto leaf = [&](const char* rid, const char* addr) {
    return config(std::string("router-id: ") + rid + "\nasn: 65000\nlisten: { address: " + addr +
                  ", port: 0 }\napi: { socket: " + tmp + "/" + rid + ".sock }\nneighbors:\n"
                  "  - { address: 127.0.0.1, remote-as: 65000, port: " + std::to_string(port) +
                  ", update-source: " + addr + ", " + timers + " }\n");
  };
  Daemon l1(io, leaf("10.0.0.1", "127.0.0.2"));
  Daemon l2(io, leaf("10.0.0.2", "127.0.0.3"));
  rr.start();
  l1.start();
  l2.start();

  auto run_until = [&](auto pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) {
      if (io.stopped()) io.restart();  // a stopped daemon stops the shared io_context
      io.run_for(std::chrono::milliseconds(20));
    }
    return pred();
  };
  auto established = [&](Daemon& d, const char* a) {
    auto r = call(d, "GET", std::string("/v1/bgp/neighbors/") + a);
    return r.status == 200 && r.body["neighbors"][0]["state"] == "Established";
  };
  ASSERT_TRUE(run_until([&] { return established(l1, "127.0.0.1") && established(l2, "127.0.0.1"); }, std::chrono::seconds(10)));

  EXPECT_EQ(call(l1, "POST", "/v1/evpn/routes", {{"routes", routes_of("10.0.0.1", 1)}}).status, 200);
  EXPECT_EQ(call(l2, "POST", "/v1/evpn/routes", {{"routes", routes_of("10.0.0.2", 2)}}).status, 200);
  auto count = [&](Daemon& d, const std::string& q) { return call(d, "GET", "/v1/bgp/evpn/routes" + q).body["count"].get<int>(); };
  ASSERT_TRUE(run_until([&] { return count(l1, "") == 6 && count(l2, "") == 6; }, std::chrono::seconds(5)));
  EXPECT_EQ(call(rr, "GET", "/v1/bgp/summary").body["loc_rib_routes"], 6);

  // The reflected routes carry the reflector's attributes. An evpnd reflector does not send a
  // client's own routes back (RFC 4456 §6 split horizon), so the leaf has nothing to reject;
  // rejection of own routes that an FRR reflector sends back is covered by interop_rr_client.
  auto got = call(l2, "GET", "/v1/bgp/evpn/routes?type=2&rd=10.0.0.1:2").body;
  ASSERT_EQ(got["count"], 1);
  EXPECT_EQ(got["routes"][0]["next_hop"], "10.0.0.1");
  EXPECT_EQ(got["routes"][0]["attributes"]["originator_id"], "10.0.0.1");
  EXPECT_EQ(got["routes"][0]["l3vni"], 5000);
  EXPECT_EQ(got["routes"][0]["peer"], "127.0.0.1");
  EXPECT_EQ(count(l2, "?type=3"), 2);
  EXPECT_EQ(count(l2, "?vni=5000"), 4);  // per leaf: the type-2 (L3VNI label) and the type-5
  EXPECT_EQ(call(l2, "GET", "/v1/bgp/evpn/routes?type=x").status, 400);
  EXPECT_EQ(call(l2, "GET", "/v1/bgp/neighbors/10.0.0.9").status, 404);
  EXPECT_EQ(call(l1, "GET", "/v1/bgp/neighbors/127.0.0.1").body["neighbors"][0]["counters"]["loop_rejected"].get<int>(), 0);

  // Withdraw through the API: gone everywhere.
  EXPECT_EQ(call(l1, "DELETE", "/v1/evpn/routes", {{"routes", routes_of("10.0.0.1", 1)}}).body["withdrawn"], 3);
  ASSERT_TRUE(run_until([&] { return count(l2, "") == 3; }, std::chrono::seconds(5)));

  // Clean stop of a node without a data plane: the forwarding state of its routes is not its
  // own, so it stops as a restarting speaker (RFC 4724 §4): no NOTIFICATION, the reflector
  // keeps its routes as stale (interop tests cover the retention).
  l1.stop();
  ASSERT_TRUE(run_until([&] { return !established(rr, "127.0.0.2"); }, std::chrono::seconds(5)));
  EXPECT_EQ(call(rr, "GET", "/v1/bgp/neighbors/127.0.0.2").body["neighbors"][0]["last_error"], "connection closed by peer");
}

TEST(DaemonReload, ChangedFile_NeighboursAppliedRestartSectionsKeptBadFileRefused) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/reload-" + std::to_string(::getpid()) + ".yaml";
  auto write = [&](const std::string& text) {
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  const std::string head = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                           "listen: { address: 127.0.0.1, port: 0 }\napi: { socket: " +
                           dir + "/reload.sock }\n";
  const std::string n1 = "  - { address: 127.0.0.51, remote-as: 65000, passive: true }\n";
  const std::string n2 = "  - { address: 127.0.0.52, remote-as: 65001, passive: true }\n";
  const std::string vni100 = "l2vnis:\n  - { vni: 100 }\n";
  write(head + "log-level: info\nneighbors:\n" + n1 + vni100);
  auto cfg = api::parse_config_file(file);
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  spdlog::set_level(spdlog::level::info);
  asio::io_context io;
  Daemon d(io, *cfg);
  d.start();

  // A neighbour added, the log level changed, a VNI added and duplicate detection changed.
  write(head + "log-level: debug\nduplicate-address-detection: { max-moves: 3, window: 60 }\nneighbors:\n" + n1 + n2 +
        vni100 + "  - { vni: 200 }\n");
  auto r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["neighbors_added"], json::array({"127.0.0.52"}));
  EXPECT_EQ((*r)["neighbors_removed"], json::array());
  EXPECT_EQ((*r)["restart_required"], json::array({"l2vnis", "duplicate-address-detection"})) << r->dump();
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  EXPECT_EQ(d.config().neighbors.size(), 2u);
  ASSERT_EQ(d.config().l2vnis.size(), 1u);  // the running VNIs, not the file's
  EXPECT_EQ(d.config().dad.max_moves, 5u);
  std::vector<IpAddress> peers;
  for (const bgp::Peer* p : d.engine().speaker().peers()) peers.push_back(p->cfg.address);
  EXPECT_NE(std::find(peers.begin(), peers.end(), *IpAddress::parse("127.0.0.52")), peers.end());

  // A bad file: refused with file:line, nothing changes.
  write(head + "neighbors:\n  - { address: 127.0.0.53, remote-as: banana }\n");
  auto bad = d.reload();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find(file + ":"), std::string::npos) << bad.error();
  EXPECT_EQ(d.config().neighbors.size(), 2u);
  EXPECT_EQ(d.engine().speaker().peers().size(), 2u);
  EXPECT_EQ(d.reloads().applied, 1u);
  EXPECT_EQ(d.reloads().refused, 1u);
  const std::string metrics = metrics_text(d);
  EXPECT_NE(metrics.find("evpnd_config_reloads_refused_total 1"), std::string::npos);
  EXPECT_NE(metrics.find("evpnd_evpn_ip_moves_total{vni=\"100\"} 0"), std::string::npos);

  // The neighbour removed again: only it goes. VNI 200 alone (DAD as running) is set up live.
  write(head + "log-level: debug\nneighbors:\n" + n1 + vni100 + "  - { vni: 200 }\n");
  r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["neighbors_removed"], json::array({"127.0.0.52"}));
  EXPECT_EQ((*r)["restart_required"], json::array()) << r->dump();
  EXPECT_EQ((*r)["l2vnis_added"], json::array({200}));
  EXPECT_EQ(d.engine().speaker().peers().size(), 1u);
  ASSERT_EQ(d.config().l2vnis.size(), 2u);
  ASSERT_TRUE(d.engine().evpn()->mac_vrf(200));
  EXPECT_TRUE(d.engine().evpn()->mac_vrf(100));
  // Its type-3 is in the Loc-RIB now; VNI 100 removed: its type-3 goes, 200's stays.
  auto imets = [&] {
    std::vector<std::string> rds;
    d.engine().speaker().table().for_each([&](bgp::DestId, const bgp::Dest& dst) {
      if (wire::route_type(dst.nlri()) == 3 && dst.best_path()) rds.push_back(wire::route_rd(dst.nlri())->to_string());
    });
    std::sort(rds.begin(), rds.end());
    return rds;
  };
  EXPECT_EQ(imets(), (std::vector<std::string>{"10.0.0.1:2", "10.0.0.1:3"}));
  write(head + "log-level: debug\nneighbors:\n" + n1 + "l2vnis:\n  - { vni: 200 }\n");
  r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["l2vnis_removed"], json::array({100}));
  EXPECT_FALSE(d.engine().evpn()->mac_vrf(100));
  ASSERT_EQ(d.config().l2vnis.size(), 1u);
  EXPECT_EQ(imets(), (std::vector<std::string>{"10.0.0.1:3"}));
  // `clear bgp neighbor`: a known peer is reset, an unknown one is 404, garbage 400.
  EXPECT_EQ(call(d, "POST", "/v1/bgp/neighbors/127.0.0.51/reset").status, 200);
  EXPECT_EQ(call(d, "POST", "/v1/bgp/neighbors/127.0.0.99/reset").status, 404);
  EXPECT_EQ(call(d, "POST", "/v1/bgp/neighbors/banana/reset").status, 400);
  spdlog::set_level(spdlog::level::info);
  d.stop();
  io.run_for(std::chrono::milliseconds(200));
  std::remove(file.c_str());
}

// Issue 12, defect 1: a reload whose `listen` cannot be bound (address not local, port in use,
// the same port held on another address) is refused whole: the session stays Established, the
// running listener keeps accepting, the refusal is counted. A good new `listen` re-binds
// without restarting the session.
TEST(DaemonReload, ListenCannotBind_RefusedSessionsAndListenerKept) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/reload-listen-" + std::to_string(::getpid()) + ".yaml";
  auto write = [&](const std::string& text) {
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  const std::string timers = "timers: { hold: 9, keepalive: 3, connect-retry: 1 }";
  auto rr_text = [&](const std::string& listen, const std::string& more_neighbors = "") {
    return "router-id: 10.0.0.254\nasn: 65000\nlisten: { " + listen + " }\napi: { socket: " + dir +
           "/rl.sock }\nneighbors:\n  - { address: 127.0.0.2, remote-as: 65000, route-reflector-client: true, "
           "passive: true, " + timers + " }\n" + more_neighbors;
  };
  const uint16_t port = free_port();
  write(rr_text("address: 127.0.0.1, port: " + std::to_string(port)));
  auto cfg = api::parse_config_file(file);
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  asio::io_context io;
  Daemon rr(io, *cfg);
  Daemon leaf(io, config("router-id: 10.0.0.2\nasn: 65000\nlisten: { port: 0 }\napi: { socket: " + dir +
                         "/rl-leaf.sock }\nneighbors:\n  - { address: 127.0.0.1, remote-as: 65000, port: " +
                         std::to_string(port) + ", update-source: 127.0.0.2, " + timers + " }\n"));
  rr.start();
  leaf.start();
  auto run_until = [&](auto pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) io.run_for(std::chrono::milliseconds(20));
    return pred();
  };
  auto up = [&] {
    auto r = call(rr, "GET", "/v1/bgp/neighbors/127.0.0.2");
    return r.status == 200 && r.body["neighbors"][0]["state"] == "Established";
  };
  auto resets = [&] { return leaf.engine().speaker().find_peer(*IpAddress::parse("127.0.0.1"))->counters.session_resets; };
  ASSERT_TRUE(run_until(up, std::chrono::seconds(10)));
  const auto resets_before = resets();
  const std::string extra = "  - { address: 127.0.0.9, remote-as: 65000, passive: true }\n";

  // 1. Not a local address (TEST-NET-1), with a neighbour added in the same file: nothing applies.
  write(rr_text("address: 192.0.2.1, port: " + std::to_string(port), extra));
  auto r = call(rr, "POST", "/v1/config/reload");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["error"].get<std::string>().find("cannot listen on 192.0.2.1:" + std::to_string(port)),
            std::string::npos) << r.body.dump();
  EXPECT_EQ(rr.reloads().refused, 1u);
  EXPECT_EQ(rr.reloads().applied, 0u);
  EXPECT_EQ(rr.engine().speaker().peers().size(), 1u);  // 127.0.0.9 not added
  EXPECT_EQ(rr.config().listen_address, *IpAddress::parse("127.0.0.1"));
  EXPECT_EQ(rr.listen_port(), port);
  EXPECT_NE(metrics_text(rr).find("evpnd_config_reloads_refused_total 1"), std::string::npos);

  // 2. A port another socket listens on.
  asio::ip::tcp::acceptor busy(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t busy_port = busy.local_endpoint().port();
  write(rr_text("address: 127.0.0.1, port: " + std::to_string(busy_port)));
  auto r2 = rr.reload();
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().find("Address already in use"), std::string::npos) << r2.error();
  EXPECT_EQ(rr.reloads().refused, 2u);

  // 3. Same port on the wildcard address while another socket holds that port on 127.0.0.5:
  //    the running listener is closed for the attempt and bound again.
  asio::ip::tcp::acceptor holder(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.5"), port));
  write(rr_text("address: 0.0.0.0, port: " + std::to_string(port)));
  ASSERT_FALSE(rr.reload());
  EXPECT_EQ(rr.reloads().refused, 3u);
  EXPECT_EQ(rr.listen_port(), port);
  holder.close();

  // The session never went down, and the running listener still accepts: a reset makes the
  // leaf connect again, to the old address and port.
  EXPECT_TRUE(up());
  EXPECT_EQ(resets(), resets_before);
  EXPECT_EQ(call(leaf, "POST", "/v1/bgp/neighbors/127.0.0.1/reset").status, 200);
  ASSERT_TRUE(run_until([&] { return !up(); }, std::chrono::seconds(5)));
  ASSERT_TRUE(run_until(up, std::chrono::seconds(10)));

  // 4. A listen that can be bound is applied without restarting the session.
  const uint16_t port2 = free_port();
  const auto resets_now = resets();
  write(rr_text("address: 127.0.0.1, port: " + std::to_string(port2)));
  auto ok = rr.reload();
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ((*ok)["listen_changed"], true);
  EXPECT_EQ((*ok)["global_changed"], false);
  EXPECT_EQ(rr.listen_port(), port2);
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(up());
  EXPECT_EQ(resets(), resets_now);
  asio::ip::tcp::socket probe(io);
  asio::error_code ec;
  probe.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "the old port still accepts connections";

  leaf.stop();
  rr.stop();
  io.run_for(std::chrono::milliseconds(300));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace evpnd::daemon

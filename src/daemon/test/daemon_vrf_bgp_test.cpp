// Whole daemons with BGP inside VRFs and the global `advertise:` list (issue 10, daemon_vrf.cpp):
// what start and reload send to the engine, seen through the engine's speakers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "api/config.hpp"
#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }

uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// A configuration file that tests rewrite between reloads.
struct ConfigFile {
  explicit ConfigFile(const std::string& tag)
      : path(::testing::TempDir() + "/vrfbgp-" + tag + "-" + std::to_string(::getpid()) + ".yaml") {}
  ~ConfigFile() { std::remove(path.c_str()); }
  api::Config write(const std::string& text) const {
    FILE* f = std::fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    auto c = api::parse_config_file(path);
    EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
    return c ? *c : api::Config{};
  }
  std::string path;
};

template <typename P>
bool run_until(asio::io_context& io, P pred, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred() && std::chrono::steady_clock::now() < end) {
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return pred();
}

const bgp::UnicastPath* best(const Daemon& d, const char* prefix) {
  const auto& t = d.engine().speaker().unicast_table();
  const bgp::DestId id = t.find(pfx(prefix));
  return id == bgp::kNoDest ? nullptr : t.at(id).best_path();
}

TEST(DaemonAdvertise, GlobalAdvertise_OriginatedAndChangedByReload) {
  const uint16_t port = free_port();
  const std::string timers = "timers: { hold: 9, keepalive: 3, connect-retry: 1 }";
  ConfigFile fa("a");
  const std::string head_a = "router-id: 10.255.0.1\nasn: 65000\nlisten: { address: 127.0.0.1, port: " +
                             std::to_string(port) + " }\napi: { socket: " + fa.path + ".sock }\nneighbors:\n"
                             "  - { address: 127.0.0.2, remote-as: 65000, passive: true, families: [ipv4-unicast], " +
                             timers + " }\n";
  asio::io_context io;
  Daemon a(io, fa.write(head_a + "advertise: [10.255.0.1/32]\n"));
  ConfigFile fb("b");
  Daemon b(io, fb.write("router-id: 10.255.0.2\nasn: 65000\nlisten: { address: 127.0.0.2, port: 0 }\napi: { socket: " +
                        fb.path + ".sock }\nneighbors:\n  - { address: 127.0.0.1, remote-as: 65000, port: " +
                        std::to_string(port) + ", update-source: 127.0.0.2, families: [ipv4-unicast], " + timers + " }\n"));
  a.start();
  b.start();
  ASSERT_TRUE(run_until(io, [&] { return best(b, "10.255.0.1/32") != nullptr; }, std::chrono::seconds(10)));
  EXPECT_EQ(best(a, "10.255.0.1/32")->peer, bgp::kLocalPeer);

  auto r = a.reload();  // unchanged file: nothing withdrawn
  ASSERT_TRUE(r) << r.error();
  fa.write(head_a + "advertise: [10.255.0.9/32]\n");
  r = a.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["advertise_changed"], true);
  ASSERT_TRUE(run_until(io, [&] { return best(b, "10.255.0.9/32") && !best(b, "10.255.0.1/32"); },
                        std::chrono::seconds(5)));
  EXPECT_EQ(best(a, "10.255.0.1/32"), nullptr);
}

TEST(DaemonVrfBgp, RouteReflectorWithVrfNeighbours_RefusedAtStart) {
  ConfigFile f("rr");
  asio::io_context io;
  Daemon d(io, f.write("router-id: 10.0.0.1\nasn: 65000\nlisten: { address: 127.0.0.1, port: 0 }\napi: { socket: " +
                       f.path + ".sock }\nvtep: { source-ip: 10.0.0.1, dataplane: none }\nvrfs:\n  - name: t1\n    l3vni: 5000\n    neighbors:\n"
                       "      - { address: 10.1.0.11, remote-as: 64600 }\n"));
  try {
    d.start();
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dataplane: none"), std::string::npos) << e.what();
  }
  EXPECT_EQ(d.engine().speaker("t1"), nullptr);
}

// The VRF's namespace exists before the daemon starts (dataplane fake creates none).
struct TestNetns {
  TestNetns() : name("evt-dvrf-" + std::to_string(::getpid())) {
    ok = std::system(("ip netns add " + name + " && ip -n " + name + " link set lo up").c_str()) == 0;
  }
  ~TestNetns() { (void)std::system(("ip netns del " + name + " 2>/dev/null").c_str()); }
  std::string name;
  bool ok = false;
};

TEST(DaemonVrfBgp, StartAndReload_InstanceNeighboursAndListener) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace for the VRF)";
  TestNetns ns;
  ASSERT_TRUE(ns.ok);
  const uint16_t port = free_port();
  ConfigFile f("vrf");
  const std::string head = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                           "listen: { address: 127.0.0.1, port: " + std::to_string(port) + " }\napi: { socket: " +
                           f.path + ".sock }\nvrfs:\n  - name: t1\n    l3vni: 5000\n    netns: " + ns.name + "\n";
  const std::string n1 = "      - { address: 10.1.0.11, remote-as: 64600, passive: true }\n";
  const std::string n2 = "      - { address: 10.1.0.12, remote-as: 64601, passive: true }\n";
  asio::io_context io;
  Daemon d(io, f.write(head + "    asn: 65001\n    neighbors:\n" + n1));
  d.start();
  const bgp::Speaker* s = d.engine().speaker("t1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->config().asn, 65001u);
  EXPECT_NE(s->find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(d.engine().speaker().find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(d.peer_io().vrf_listen_port("t1"), port);  // the global port, in the VRF's namespace

  // A neighbour added and one removed: only the VRF's sessions change.
  f.write(head + "    asn: 65001\n    neighbors:\n" + n2);
  auto r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["vrf_bgp"]["t1"]["neighbors_added"], nlohmann::json::array({"10.1.0.12"})) << r->dump();
  EXPECT_EQ((*r)["vrf_bgp"]["t1"]["neighbors_removed"], nlohmann::json::array({"10.1.0.11"}));
  EXPECT_EQ((*r)["restart_required"], nlohmann::json::array());
  s = d.engine().speaker("t1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->find_peer(ip("10.1.0.11")), nullptr);
  EXPECT_NE(s->find_peer(ip("10.1.0.12")), nullptr);

  // A new AS restarts the instance with its neighbours.
  f.write(head + "    asn: 65009\n    neighbors:\n" + n2);
  r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["vrf_bgp"]["t1"]["instance"], "restarted");
  ASSERT_NE(d.engine().speaker("t1"), nullptr);
  EXPECT_EQ(d.engine().speaker("t1")->config().asn, 65009u);
  EXPECT_NE(d.engine().speaker("t1")->find_peer(ip("10.1.0.12")), nullptr);

  // No neighbours left: the instance and its listener go; back again: created.
  f.write(head);
  r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["vrf_bgp"]["t1"]["instance"], "removed");
  EXPECT_EQ(d.engine().speaker("t1"), nullptr);
  EXPECT_EQ(d.peer_io().vrf_listen_port("t1"), 0);
  f.write(head + "    neighbors:\n" + n1);
  r = d.reload();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ((*r)["vrf_bgp"]["t1"]["instance"], "created");
  ASSERT_NE(d.engine().speaker("t1"), nullptr);
  EXPECT_EQ(d.engine().speaker("t1")->config().asn, 65000u);  // the global AS again
  EXPECT_EQ(d.peer_io().vrf_listen_port("t1"), port);

  // A route reflector configuration is refused on reload too, and changes nothing.
  f.write("router-id: 10.0.0.1\nasn: 65000\nlisten: { address: 127.0.0.1, port: " + std::to_string(port) +
          " }\napi: { socket: " + f.path + ".sock }\nvtep: { source-ip: 10.0.0.1, dataplane: none }\nvrfs:\n"
          "  - name: t1\n    l3vni: 5000\n    neighbors:\n" + n1);
  r = d.reload();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("dataplane: none"), std::string::npos) << r.error();
  EXPECT_NE(d.engine().speaker("t1"), nullptr);
}

}  // namespace
}  // namespace evpnd::daemon

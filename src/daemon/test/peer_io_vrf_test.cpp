// PeerIo sockets in a VRF (issue 10, netns backend): a VRF's listener and connects live in the
// VRF's namespace, its accepts say which VRF took them, and connections report their local
// address. Needs root (creates namespaces evt-pio-<pid>-*; loopback inside them only).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "daemon/peer_io.hpp"

namespace evpnd::daemon {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// A namespace with lo up, deleted at the end.
struct TestNetns {
  explicit TestNetns(const std::string& tag) : name("evt-pio-" + std::to_string(::getpid()) + "-" + tag) {
    ok = std::system(("ip netns add " + name + " && ip -n " + name + " link set lo up").c_str()) == 0;
  }
  ~TestNetns() { (void)std::system(("ip netns del " + name + " 2>/dev/null").c_str()); }
  std::string name;
  bool ok = false;
};

struct Seen {
  std::vector<std::pair<std::string, std::optional<IpAddress>>> accepted;  // (vrf, local)
  std::vector<std::pair<ConnId, std::optional<IpAddress>>> connected;
  std::vector<std::pair<ConnId, std::string>> failed;
};

PeerIo::Callbacks callbacks(Seen& s) {
  PeerIo::Callbacks cb;
  cb.connected = [&s](ConnId c, std::optional<IpAddress> local) { s.connected.emplace_back(c, local); };
  cb.connect_failed = [&s](ConnId c, std::string why) { s.failed.emplace_back(c, why); };
  cb.accepted = [&s](ConnId, IpAddress, std::string vrf, std::optional<IpAddress> local) {
    s.accepted.emplace_back(vrf, local);
  };
  cb.data = [](ConnId, ByteView) {};
  cb.closed = [](ConnId) {};
  return cb;
}

template <typename F>
void run_until(asio::io_context& io, F done) {
  for (int i = 0; i < 300 && !done(); ++i) {
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
}

bgp::ConnectRequest to(ConnId id, const char* addr, uint16_t port) {
  bgp::ConnectRequest r;
  r.conn = id;
  r.remote = ip(addr);
  r.port = port;
  return r;
}

class PeerIoVrfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    ASSERT_TRUE(blue.ok && red.ok);
  }
  TestNetns blue{"blue"}, red{"red"};
  asio::io_context io;
  Seen seen;
  PeerIo pio{io, callbacks(seen)};
};

TEST_F(PeerIoVrfTest, ListenerAndConnectInVrfNamespace_AcceptReportsVrfAndLocal) {
  // A port nobody uses in our own namespace: the VRF's listener is only in blue's.
  ASSERT_TRUE(pio.add_vrf("blue", VrfSocketSpec{blue.name, ""}, 17979));
  ASSERT_EQ(pio.vrf_listen_port("blue"), 17979);
  pio.connect(to((ConnId{1} << 32) + 1, "127.0.0.1", 17979), "blue");
  run_until(io, [&] { return !seen.accepted.empty() && !seen.connected.empty(); });
  ASSERT_EQ(seen.accepted.size(), 1u);
  EXPECT_EQ(seen.accepted[0].first, "blue");
  EXPECT_EQ(seen.accepted[0].second, ip("127.0.0.1"));
  ASSERT_EQ(seen.connected.size(), 1u);
  EXPECT_EQ(seen.connected[0].second, ip("127.0.0.1"));

  // The same connect from our own namespace finds no listener: the socket above was in blue.
  pio.connect(to(2, "127.0.0.1", 17979));
  run_until(io, [&] { return !seen.failed.empty(); });
  ASSERT_EQ(seen.failed.size(), 1u);
  EXPECT_EQ(seen.failed[0].first, 2u);
}

TEST_F(PeerIoVrfTest, TwoVrfsSamePort_Independent) {
  ASSERT_TRUE(pio.add_vrf("blue", VrfSocketSpec{blue.name, ""}, 17979));
  ASSERT_TRUE(pio.add_vrf("red", VrfSocketSpec{red.name, ""}, 17979));
  pio.connect(to((ConnId{2} << 32) + 1, "127.0.0.1", 17979), "red");
  run_until(io, [&] { return !seen.accepted.empty(); });
  ASSERT_EQ(seen.accepted.size(), 1u);
  EXPECT_EQ(seen.accepted[0].first, "red");
  // Removing blue closes its listener: red's still accepts.
  pio.remove_vrf("blue");
  EXPECT_EQ(pio.vrf_listen_port("blue"), 0);
  pio.connect(to((ConnId{2} << 32) + 2, "127.0.0.1", 17979), "red");
  run_until(io, [&] { return seen.accepted.size() == 2; });
  EXPECT_EQ(seen.accepted.size(), 2u);
}

TEST_F(PeerIoVrfTest, UnknownNamespace_ClearError) {
  auto r = pio.add_vrf("green", VrfSocketSpec{"evt-pio-does-not-exist", ""}, 17979);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("/run/netns/evt-pio-does-not-exist"), std::string::npos) << r.error();
}

TEST_F(PeerIoVrfTest, EbgpMultihop_SetsTtlOnVrfConnect) {
  ASSERT_TRUE(pio.add_vrf("blue", VrfSocketSpec{blue.name, ""}, 17979));
  SecurityTable t;
  t.peers[ip("127.0.0.1")] = PeerSecurity{std::nullopt, std::nullopt, uint8_t{3}};
  pio.set_security("blue", t);
  pio.connect(to((ConnId{1} << 32) + 1, "127.0.0.1", 17979), "blue");
  run_until(io, [&] { return !seen.connected.empty(); });
  ASSERT_EQ(seen.connected.size(), 1u);
  // The accepted end has the same entry (127.0.0.1 is both ends here): both got TTL 3.
  EXPECT_EQ(pio.socket_ttl(seen.connected[0].first), 3);
}

TEST(SetTtl, SetsIpTtlAndHopLimit) {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) GTEST_SKIP() << "no IPv6 sockets";
  ASSERT_EQ(set_ttl(fd, true, 2), "");
  int ttl = 0, hops = 0;
  socklen_t len = sizeof ttl;
  ASSERT_EQ(getsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, &len), 0);
  len = sizeof hops;
  ASSERT_EQ(getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, &len), 0);
  EXPECT_EQ(ttl, 2);
  EXPECT_EQ(hops, 2);
  ::close(fd);
}

}  // namespace
}  // namespace evpnd::daemon

// PeerIo over IPv6 transport (issue #3) on the loopback (::1 and 127.0.0.1, nothing leaves the
// host): dual-stack listener, address matching with IPv4-mapped sources normalised to IPv4,
// TCP MD5 keys (RFC 2385) for both families on an AF_INET6 socket, GTSM socket options for IPv6.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/peer_io.hpp"

namespace evpnd::daemon {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

bool have_ipv6_loopback() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

struct Seen {
  std::vector<IpAddress> accepted;
  std::vector<ConnId> connected;
  std::vector<std::string> failed;
};

PeerIo::Callbacks callbacks(Seen& s) {
  PeerIo::Callbacks cb;
  cb.connected = [&s](ConnId c, std::optional<IpAddress>) { s.connected.push_back(c); };
  cb.connect_failed = [&s](ConnId, std::string why) { s.failed.push_back(why); };
  cb.accepted = [&s](ConnId, IpAddress remote, std::string, std::optional<IpAddress>) { s.accepted.push_back(remote); };
  cb.data = [](ConnId, ByteView) {};
  cb.closed = [](ConnId) {};
  return cb;
}

// Runs the io_context until `done` or about two seconds.
template <typename F>
void run_until(asio::io_context& io, F done) {
  for (int i = 0; i < 200 && !done(); ++i) {
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
}

TEST(PeerIoIpv6, SetTcpMd5_Ipv4PeerOnIpv6Socket_Accepted) {
  // A dual-stack listener is an AF_INET6 socket: the kernel only takes sockaddr_in6 keys there,
  // so an IPv4 peer's key must be given as ::ffff:a.b.c.d (tcp_v6_parse_md5_keys).
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) GTEST_SKIP() << "no IPv6 sockets";
  EXPECT_EQ(set_tcp_md5(fd, ip("10.0.0.1"), "secret"), "");
  EXPECT_EQ(set_tcp_md5(fd, ip("2001:db8::1"), "secret"), "");
  ::close(fd);
  const int fd4 = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd4, 0);
  EXPECT_EQ(set_tcp_md5(fd4, ip("10.0.0.1"), "secret"), "");
  ::close(fd4);
}

TEST(PeerIoIpv6, SetGtsm_Ipv6Socket_SetsHopLimit) {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) GTEST_SKIP() << "no IPv6 sockets";
  ASSERT_EQ(set_gtsm(fd, true, 1), "");
  int hops = 0;
  socklen_t len = sizeof hops;
  ASSERT_EQ(getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, &len), 0);
  EXPECT_EQ(hops, 255);  // RFC 5082 §3: send with the maximum
  ::close(fd);
}

TEST(PeerIoIpv6, DualStackListener_MatchesV6AndNormalisesMappedV4_WithMd5) {
  if (!have_ipv6_loopback()) GTEST_SKIP() << "no ::1";
  asio::io_context io;
  Seen server_seen, client_seen;
  PeerIo server(io, callbacks(server_seen));
  PeerIo client(io, callbacks(client_seen));
  // Keys for both peers on the one AF_INET6 listener: a signed SYN without a matching key on
  // the listener is dropped by the kernel, so an accepted connection proves the key is there.
  // GTSM for ::1 too: the listener's SYN-ACK must leave with hop limit 255 for the client's
  // IPV6_MINHOPCOUNT (RFC 5082 §3), and the SYN's hop limit is checked on accept.
  server.set_security({{ip("::1"), PeerSecurity{"v6key", uint8_t{1}}},
                       {ip("127.0.0.1"), PeerSecurity{"v4key", std::nullopt}}});
  server.listen(ip("::"), 0);
  const uint16_t port = server.listen_port();
  ASSERT_NE(port, 0);

  bgp::ConnectRequest v6;
  v6.conn = 1;
  v6.remote = ip("::1");
  v6.port = port;
  v6.source = ip("::1");  // update-source: bind an IPv6 address
  v6.md5_password = "v6key";
  v6.ttl_security_hops = 1;  // GTSM on the connecting IPv6 socket (IPV6_UNICAST_HOPS / MINHOPCOUNT)
  client.connect(v6);
  run_until(io, [&] { return !server_seen.accepted.empty() || !client_seen.failed.empty(); });
  ASSERT_TRUE(client_seen.failed.empty()) << client_seen.failed.front();
  ASSERT_EQ(server_seen.accepted.size(), 1u);
  EXPECT_EQ(server_seen.accepted[0], ip("::1"));
  EXPECT_TRUE(server_seen.accepted[0].is_v6());

  bgp::ConnectRequest v4;
  v4.conn = 2;
  v4.remote = ip("127.0.0.1");
  v4.port = port;
  v4.md5_password = "v4key";
  client.connect(v4);
  run_until(io, [&] { return server_seen.accepted.size() >= 2 || !client_seen.failed.empty(); });
  ASSERT_TRUE(client_seen.failed.empty()) << client_seen.failed.front();
  ASSERT_EQ(server_seen.accepted.size(), 2u);
  // ::ffff:127.0.0.1 on the dual-stack listener is the IPv4 neighbor 127.0.0.1.
  EXPECT_EQ(server_seen.accepted[1], ip("127.0.0.1"));
  EXPECT_TRUE(server_seen.accepted[1].is_v4());
  EXPECT_EQ(client_seen.connected.size(), 2u);
  client.close_all();
  server.close_all();
}

TEST(PeerIoIpv6, WrongMd5Key_Ipv6ConnectionNotAccepted) {
  if (!have_ipv6_loopback()) GTEST_SKIP() << "no ::1";
  asio::io_context io;
  Seen server_seen, client_seen;
  PeerIo server(io, callbacks(server_seen));
  PeerIo client(io, callbacks(client_seen));
  server.set_security({{ip("::1"), PeerSecurity{"right", std::nullopt}}});
  server.listen(ip("::"), 0);
  bgp::ConnectRequest r;
  r.conn = 1;
  r.remote = ip("::1");
  r.port = server.listen_port();
  r.md5_password = "wrong";
  client.connect(r);
  run_until(io, [&] { return !server_seen.accepted.empty(); });
  EXPECT_TRUE(server_seen.accepted.empty());  // the kernel drops the badly signed SYNs
  client.close_all();
  server.close_all();
}

}  // namespace
}  // namespace evpnd::daemon

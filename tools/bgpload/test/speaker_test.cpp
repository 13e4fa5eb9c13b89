// bgpload's speaker keeps the negotiated hold time (RFC 4271 §4.2: the smaller of the two
// OPENs'), not its own: against a peer offering 9 s it must send KEEPALIVEs every 3 s, not 60.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "speaker.hpp"
#include "wire/message.hpp"

using namespace bgpload;
namespace w = evpnd::wire;

namespace {

// A listening socket on 127.0.0.1 (ephemeral port) that plays the peer's side of the handshake.
class RawPeer {
 public:
  RawPeer() {
    lfd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(lfd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::listen(lfd_, 1);
    socklen_t len = sizeof sa;
    ::getsockname(lfd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }
  ~RawPeer() {
    if (fd_ >= 0) ::close(fd_);
    ::close(lfd_);
  }
  uint16_t port() const { return port_; }
  // Accepts, answers OPEN with `hold` and a KEEPALIVE, waits for the speaker's KEEPALIVE.
  void handshake(uint16_t hold) {
    fd_ = ::accept(lfd_, nullptr, nullptr);
    ASSERT_GE(fd_, 0);
    ASSERT_TRUE(std::holds_alternative<w::Open>(read_message()));
    w::Open o;
    o.my_as = 65000;
    o.hold_time = hold;
    o.bgp_id = *evpnd::IpAddress::parse("10.9.9.9");
    o.caps.multiprotocol = {evpnd::kL2vpnEvpn};
    o.caps.four_octet_as = 65000;
    write(w::encode_message(w::Message{o}, w::EncodeContext{}));
    write(w::encode_message(w::Message{w::Keepalive{}}, w::EncodeContext{}));
    ASSERT_TRUE(std::holds_alternative<w::Keepalive>(read_message()));
  }

 private:
  w::Message read_message() {
    evpnd::Bytes buf(w::kHeaderSize);
    recv_all(buf.data(), buf.size());
    const size_t len = size_t(buf[16]) << 8 | buf[17];
    buf.resize(len);
    recv_all(buf.data() + w::kHeaderSize, len - w::kHeaderSize);
    auto m = w::decode_message(buf, w::DecodeContext{});
    return m ? *m : w::Message{w::Keepalive{}};
  }
  void recv_all(uint8_t* p, size_t n) {
    while (n) {
      const ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) throw std::runtime_error("peer closed");
      p += r, n -= size_t(r);
    }
  }
  void write(const evpnd::Bytes& b) { ASSERT_EQ(::send(fd_, b.data(), b.size(), 0), ssize_t(b.size())); }
  int lfd_ = -1, fd_ = -1;
  uint16_t port_ = 0;
};

TEST(BgploadSpeaker, PeerOffersShorterHold_UsesTheNegotiatedHold) {
  RawPeer peer;
  Speaker s(SpeakerOptions{.local_address = "127.0.0.1", .remote_address = "127.0.0.1", .remote_port = peer.port(),
                           .asn = 65000, .hold_time = 180, .extended_message = false});
  std::thread t([&] { peer.handshake(9); });
  s.connect();
  t.join();
  EXPECT_EQ(s.hold_time(), 9);
  EXPECT_EQ(s.keepalive_period(), std::chrono::seconds(3));
  s.close();
}

TEST(BgploadSpeaker, NegotiatedHold_SmallerOfTheTwo_ZeroMeansNoKeepalives) {
  EXPECT_EQ(Speaker::negotiated_hold_time(180, 9), 9);
  EXPECT_EQ(Speaker::negotiated_hold_time(9, 180), 9);
  EXPECT_EQ(Speaker::negotiated_hold_time(180, 0), 0);
  EXPECT_EQ(Speaker::keepalive_period_for(0), std::chrono::seconds(0));
  EXPECT_EQ(Speaker::keepalive_period_for(3), std::chrono::seconds(1));
  EXPECT_EQ(Speaker::keepalive_period_for(90), std::chrono::seconds(30));
}

}  // namespace

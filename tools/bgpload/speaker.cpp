#include "speaker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace bgpload {

using namespace evpnd;
namespace w = evpnd::wire;

namespace {
sockaddr_in make_addr(const std::string& ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) throw std::runtime_error("bad IPv4 address " + ip);
  return sa;
}
void tune(int fd) {
  int one = 1, buf = 8 << 20;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
}
}  // namespace

Speaker::~Speaker() { close(); }

void Speaker::connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
  tune(fd_);
  if (!opts_.local_address.empty()) {
    auto la = make_addr(opts_.local_address, 0);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&la), sizeof la) < 0)
      throw std::runtime_error("bind " + opts_.local_address + ": " + strerror(errno));
  }
  auto ra = make_addr(opts_.remote_address, opts_.remote_port);
  // The peer may still be starting: retry for a few seconds.
  for (int attempt = 0;; ++attempt) {
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ra), sizeof ra) == 0) break;
    if (attempt >= 100) throw std::runtime_error("connect " + opts_.remote_address + ": " + strerror(errno));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  handshake();
}

void Speaker::accept_one(uint16_t listen_port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto la = make_addr(opts_.local_address, listen_port);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&la), sizeof la) < 0 || ::listen(lfd, 1) < 0) {
    std::string err = strerror(errno);
    ::close(lfd);
    throw std::runtime_error("listen " + opts_.local_address + ":" + std::to_string(listen_port) + ": " + err);
  }
  fd_ = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  ::close(lfd);
  if (fd_ < 0) throw std::runtime_error(std::string("accept: ") + strerror(errno));
  tune(fd_);
  handshake();
}

Bytes Speaker::read_message() {
  for (;;) {
    if (pending_.size() >= w::kHeaderSize) {
      auto len = w::peek_header(pending_, dctx_);
      if (!len) throw std::runtime_error("bad header from peer: " + len.error().reason);
      if (pending_.size() >= *len) {
        Bytes msg(pending_.begin(), pending_.begin() + *len);
        pending_.erase(pending_.begin(), pending_.begin() + *len);
        return msg;
      }
    }
    uint8_t buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) throw std::runtime_error("peer closed the connection during the handshake");
    pending_.insert(pending_.end(), buf, buf + n);
  }
}

void Speaker::handshake() {
  w::Open open;
  open.my_as = opts_.asn > 0xFFFF ? 23456 : uint16_t(opts_.asn);
  open.hold_time = opts_.hold_time;
  open.bgp_id = *IpAddress::parse(opts_.local_address.empty() ? "127.0.0.1" : opts_.local_address);
  open.caps.multiprotocol = {kL2vpnEvpn};
  open.caps.route_refresh = true;
  open.caps.four_octet_as = opts_.asn;
  open.caps.extended_message = opts_.extended_message;
  send(w::encode_message(w::Message{open}, w::EncodeContext{}));
  for (;;) {
    Bytes raw = read_message();
    auto msg = w::decode_message(raw, dctx_);
    if (!msg) throw std::runtime_error("undecodable message in handshake: " + msg.error().reason);
    if (auto* o = std::get_if<w::Open>(&*msg)) {
      peer_open_ = *o;
      hold_ = negotiated_hold_time(opts_.hold_time, o->hold_time);
      ext_msg_ = opts_.extended_message && o->caps.extended_message;
      dctx_.extended_message = ext_msg_;
      dctx_.four_octet_as = o->caps.four_octet_as.has_value();
      send(w::encode_message(w::Message{w::Keepalive{}}, w::EncodeContext{}));
    } else if (std::holds_alternative<w::Keepalive>(*msg)) {
      break;  // Established
    } else if (auto* n = std::get_if<w::Notification>(&*msg)) {
      throw std::runtime_error("peer sent NOTIFICATION " + n->to_string());
    }
  }
  keepalive_ = std::thread([this] { keepalive_loop(); });
}

void Speaker::send(ByteView bytes) {
  std::lock_guard lock(write_mu_);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + strerror(errno));
    }
    off += size_t(n);
  }
}

void Speaker::start_reader(UpdateHandler on_update) {
  reader_ = std::thread([this, h = std::move(on_update)] { reader_loop(h); });
}

void Speaker::reader_loop(UpdateHandler on_update) {
  Bytes buf = std::move(pending_);
  size_t start = 0;
  std::vector<uint8_t> chunk(1 << 20);
  while (!closed_) {
    // Frame and decode every complete message before reading more.
    while (buf.size() - start >= w::kHeaderSize) {
      ByteView rest(buf.data() + start, buf.size() - start);
      auto len = w::peek_header(rest, dctx_);
      if (!len) {
        close_reason_ = "bad header: " + len.error().reason;
        closed_ = true;
        return;
      }
      if (rest.size() < *len) break;
      auto msg = w::decode_message(rest.first(*len), dctx_);
      start += *len;
      if (!msg) continue;  // counted as lost by the caller's totals
      if (auto* u = std::get_if<w::Update>(&*msg)) on_update(*u);
      else if (auto* n = std::get_if<w::Notification>(&*msg)) {
        close_reason_ = "NOTIFICATION " + n->to_string();
        closed_ = true;
        return;
      }
    }
    if (start > 0) {
      buf.erase(buf.begin(), buf.begin() + long(start));
      start = 0;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      close_reason_ = "connection closed by peer";
      closed_ = true;
      return;
    }
    buf.insert(buf.end(), chunk.begin(), chunk.begin() + n);
  }
}

void Speaker::keepalive_loop() {
  const auto ka = w::encode_message(w::Message{w::Keepalive{}}, w::EncodeContext{});
  const auto period = keepalive_period();
  if (period.count() == 0) return;  // hold time 0: no KEEPALIVEs (RFC 4271 §4.4)
  auto next = std::chrono::steady_clock::now() + period;
  while (!closed_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() < next) continue;
    next += period;
    try {
      send(ka);
    } catch (const std::exception&) {
      return;
    }
  }
}

void Speaker::close() {
  closed_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  if (keepalive_.joinable()) keepalive_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace bgpload

#include "daemon/peer_io.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstring>

#include "wire/message.hpp"

namespace evpnd::daemon {
namespace {
constexpr size_t kReadBuffer = 1024 * 1024;
// Socket buffers sized for full-table transfers: a whole batch of reflected UPDATEs is handed
// to the kernel in one write instead of trickling out over many epoll rounds, and a sender is
// not throttled while we process the previous batch (capped by net.core.{r,w}mem_max).
constexpr int kSocketBuffer = 4 << 20;
constexpr size_t kMaxGather = 64;  // chunks per write (asio's iovec limit)

void tune_socket(asio::ip::tcp::socket& s) {
  asio::error_code ec;
  s.set_option(asio::ip::tcp::no_delay(true), ec);
  s.set_option(asio::socket_base::send_buffer_size(kSocketBuffer), ec);
  s.set_option(asio::socket_base::receive_buffer_size(kSocketBuffer), ec);
}

asio::ip::address to_asio(const IpAddress& a) {
  if (a.is_v6()) {
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), a.data(), 16);
    return asio::ip::address_v6(b);
  }
  return asio::ip::address_v4(a.v4_host_order());
}

IpAddress from_asio(const asio::ip::address& a) {
  if (a.is_v6()) {
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
    const auto b = v6.to_bytes();
    return IpAddress::v6(b.data());
  }
  return IpAddress::v4(a.to_v4().to_uint());
}
}  // namespace

struct PeerIo::Conn {
  explicit Conn(asio::io_context& io) : sock(io) {}
  ConnId id = 0;
  asio::ip::tcp::socket sock;
  Bytes rbuf;
  size_t rlen = 0;
  std::deque<Chunk> queue;    // waiting to be written; the front one may be partly written
  size_t head_offset = 0;     // bytes of queue.front() already written
  std::vector<Chunk> inflight;  // the chunks of the pending write (kept alive)
  bool writing = false;
  bool closing = false;  // close once the queue is drained
  bool connected = false;
  bool dead = false;
};

std::string set_tcp_md5(int fd, const IpAddress& peer, const std::string& password, int prefix_len) {
  struct tcp_md5sig sig {};
  if (password.size() > TCP_MD5SIG_MAXKEYLEN) return "MD5 password longer than 80 bytes";
  // An AF_INET6 socket (a dual-stack listener) only takes sockaddr_in6 keys: an IPv4 peer is
  // given as ::ffff:a.b.c.d there, which the kernel stores as an IPv4 key (tcp_v6_parse_md5_keys).
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  const bool v6_socket = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 && local.ss_family == AF_INET6;
  if (peer.is_v4() && !v6_socket) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&sig.tcpm_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, peer.data(), 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sig.tcpm_addr);
    sin6->sin6_family = AF_INET6;
    if (peer.is_v4()) {
      sin6->sin6_addr.s6_addr[10] = 0xff;
      sin6->sin6_addr.s6_addr[11] = 0xff;
      std::memcpy(&sin6->sin6_addr.s6_addr[12], peer.data(), 4);
    } else {
      std::memcpy(&sin6->sin6_addr, peer.data(), 16);
    }
  }
  sig.tcpm_keylen = static_cast<uint16_t>(password.size());
  std::memcpy(sig.tcpm_key, password.data(), password.size());
  const int full = peer.is_v4() ? 32 : 128;
  if (prefix_len >= 0 && prefix_len < full) {
    // A key for every address of a listen range (Linux 4.13+); an IPv4 range on a dual-stack
    // socket is a ::ffff:a.b.c.d/(96 + len) key.
    sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
    sig.tcpm_prefixlen = static_cast<uint8_t>(peer.is_v4() && v6_socket ? 96 + prefix_len : prefix_len);
    if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG_EXT, &sig, sizeof sig) != 0) return std::strerror(errno);
    return "";
  }
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) return std::strerror(errno);
  return "";
}

// TTL (hop limit) of the SYN that opened an accepted connection (TCP_SAVE_SYN), -1 if unknown.
int saved_syn_ttl(int fd) {
  uint8_t hdr[512];
  socklen_t len = sizeof hdr;
  if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, hdr, &len) != 0 || len < 20) return -1;
  const int version = hdr[0] >> 4;
  if (version == 4) return hdr[8];                // IPv4 TTL
  if (version == 6 && len >= 40) return hdr[7];   // IPv6 Hop Limit
  return -1;
}

std::string set_gtsm(int fd, bool v6, uint8_t hops) {
  // RFC 5082 §3: send with TTL 255, accept only TTL >= 256 - hops.
  const int ttl = 255, min_ttl = 256 - std::max<int>(hops, 1);
  if (!v6) {
    if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0) return std::strerror(errno);
    if (setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof min_ttl) != 0) return std::strerror(errno);
  } else {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0) return std::strerror(errno);
#ifdef IPV6_MINHOPCOUNT
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min_ttl, sizeof min_ttl) != 0) return std::strerror(errno);
#endif
  }
  return "";
}

std::string set_ttl(int fd, bool v6, uint8_t ttl) {
  // ebgp-multihop N: what we send may cross N hops (RFC 4271 leaves the TTL to the
  // implementation; FRR's `neighbor X ebgp-multihop N` sets the same socket option).
  const int t = ttl;
  if (setsockopt(fd, IPPROTO_IP, IP_TTL, &t, sizeof t) != 0) return std::strerror(errno);
  if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &t, sizeof t) != 0) return std::strerror(errno);
  return "";
}

std::optional<IpAddress> local_address(const asio::ip::tcp::socket& s) {
  asio::error_code ec;
  const auto ep = s.local_endpoint(ec);
  if (ec) return std::nullopt;
  return from_asio(ep.address());
}

const PeerSecurity* SecurityTable::find(const IpAddress& a) const {
  if (auto it = peers.find(a); it != peers.end()) return &it->second;
  for (const auto& [range, sec] : ranges)
    if (range.contains(a)) return &sec;
  return nullptr;
}

PeerIo::PeerIo(asio::io_context& io, Callbacks cb) : io_(io), cb_(std::move(cb)) {}
PeerIo::~PeerIo() { close_all(); }

void PeerIo::listen(const IpAddress& addr, uint16_t port) {
  auto l = bind_listener(addr, port);
  if (!l) throw std::system_error(l.error(), "listen on " + addr.to_string() + ":" + std::to_string(port));
  listeners_.push_back(std::move(*l));
  apply_md5_to_listeners();
  accept_next(listeners_.size() - 1);
  spdlog::info("listening on {}:{}", addr.to_string(), listen_port());
}

tl::expected<PeerIo::Listener, std::error_code> PeerIo::bind_listener(const IpAddress& addr, uint16_t port) const {
  asio::ip::tcp::endpoint ep(to_asio(addr), port);
  auto acc = std::make_unique<asio::ip::tcp::acceptor>(io_);
  asio::error_code ec;
  if (acc->open(ep.protocol(), ec)) return tl::unexpected(ec);
  if (acc->set_option(asio::socket_base::reuse_address(true), ec)) return tl::unexpected(ec);
  if (addr.is_v6() && acc->set_option(asio::ip::v6_only(false), ec)) return tl::unexpected(ec);
  if (acc->bind(ep, ec)) return tl::unexpected(ec);
  // Keep each SYN's headers: GTSM checks the TTL the connection arrived with (see accept_next).
  const int one = 1;
  if (setsockopt(acc->native_handle(), IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof one) != 0)
    spdlog::warn("TCP_SAVE_SYN on the listener: {}", std::strerror(errno));
  if (acc->listen(asio::socket_base::max_listen_connections, ec)) return tl::unexpected(ec);
  return acc;
}

void PeerIo::use_listener(Listener l) {
  stop_listening();
  const auto ep = l->local_endpoint();
  listeners_.push_back(std::move(l));
  apply_md5_to_listeners();
  accept_next(listeners_.size() - 1);
  spdlog::info("listening on {}:{}", ep.address().to_string(), ep.port());
}

uint16_t PeerIo::listen_port() const {
  return listeners_.empty() ? 0 : listeners_.front()->local_endpoint().port();
}

void PeerIo::stop_listening() {
  for (auto& l : listeners_) {
    asio::error_code ec;
    l->close(ec);
  }
  listeners_.clear();
}

void PeerIo::set_security(std::map<IpAddress, PeerSecurity> sec) {
  security_[""].peers = std::move(sec);
  apply_md5_to_listeners();
}

void PeerIo::set_security(const std::string& vrf, SecurityTable sec) {
  security_[vrf] = std::move(sec);
  if (vrf.empty()) apply_md5_to_listeners();
  else if (auto it = vrf_listeners_.find(vrf); it != vrf_listeners_.end()) apply_security(*it->second, security_[vrf]);
}

static const PeerSecurity* find_security(const std::map<std::string, SecurityTable>& all, const std::string& vrf,
                                  const IpAddress& a) {
  auto it = all.find(vrf);
  return it == all.end() ? nullptr : it->second.find(a);
}

const SecurityTable& PeerIo::security(const std::string& vrf) const {
  static const SecurityTable kNone;
  auto it = security_.find(vrf);
  return it == security_.end() ? kNone : it->second;
}

void PeerIo::apply_md5_to_listeners() {
  for (auto& l : listeners_) apply_security(*l, security(""));
}

void PeerIo::apply_security(asio::ip::tcp::acceptor& l, const SecurityTable& sec) {
  // RFC 5082 §3: the SYN-ACK a GTSM peer gets for its connect comes from the listening socket,
  // so it must leave with TTL 255 too (the peer's minimum TTL drops it otherwise).
  auto gtsm_of = [](const PeerSecurity& s) { return s.ttl_security_hops.has_value(); };
  const bool gtsm = std::any_of(sec.peers.begin(), sec.peers.end(), [&](const auto& s) { return gtsm_of(s.second); }) ||
                    std::any_of(sec.ranges.begin(), sec.ranges.end(), [&](const auto& s) { return gtsm_of(s.second); });
  asio::error_code ec;
  const bool v6 = l.local_endpoint(ec).address().is_v6();
  if (gtsm) {
    const int ttl = 255;
    // A dual-stack (IPv6) listener answers IPv4 SYNs too: set both the hop limit and the TTL.
    if (v6 && setsockopt(l.native_handle(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0)
      spdlog::error("GTSM: hop limit 255 on the listener: {}", std::strerror(errno));
    if (setsockopt(l.native_handle(), IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0)
      spdlog::error("GTSM: TTL 255 on the listener: {}", std::strerror(errno));
  }
  for (const auto& [addr, s] : sec.peers) {
    if (!s.md5_password) continue;
    if (auto err = set_tcp_md5(l.native_handle(), addr, *s.md5_password); !err.empty())
      spdlog::error("TCP MD5 key for {} on listener: {}", addr.to_string(), err);
  }
  for (const auto& [range, s] : sec.ranges) {
    if (!s.md5_password) continue;
    if (auto err = set_tcp_md5(l.native_handle(), range.address(), *s.md5_password, range.length()); !err.empty())
      spdlog::error("TCP MD5 key for listen range {} on listener: {}", range.to_string(), err);
  }
}

void PeerIo::accept_next(size_t idx) {
  if (idx >= listeners_.size()) return;
  asio::ip::tcp::acceptor* acc = listeners_[idx].get();
  acc->async_accept([this, idx, acc](asio::error_code ec, asio::ip::tcp::socket sock) {
    if (ec == asio::error::operation_aborted || idx >= listeners_.size() || listeners_[idx].get() != acc) return;
    if (!ec) on_accept("", std::move(sock));
    else spdlog::warn("accept: {}", ec.message());
    accept_next(idx);
  });
}

void PeerIo::accept_vrf(const std::string& vrf, asio::ip::tcp::acceptor* acc) {
  acc->async_accept([this, vrf, acc](asio::error_code ec, asio::ip::tcp::socket sock) {
    auto it = vrf_listeners_.find(vrf);
    if (ec == asio::error::operation_aborted || it == vrf_listeners_.end() || it->second.get() != acc) return;
    if (!ec) on_accept(vrf, std::move(sock));
    else spdlog::warn("accept in vrf {}: {}", vrf, ec.message());
    accept_vrf(vrf, acc);
  });
}

void PeerIo::on_accept(const std::string& vrf, asio::ip::tcp::socket sock) {
  asio::error_code e2;
  const auto remote = sock.remote_endpoint(e2);
  if (e2) return;
  const IpAddress peer = from_asio(remote.address());
  const bool v6 = remote.address().is_v6() && !remote.address().to_v6().is_v4_mapped();
  auto c = std::make_shared<Conn>(io_);
  c->id = next_inbound_++;
  c->sock = std::move(sock);
  c->connected = true;
  tune_socket(c->sock);
  const std::string where = vrf.empty() ? "" : " in vrf " + vrf;
  const PeerSecurity* sec = find_security(security_, vrf, peer);
  if (sec && sec->ttl_security_hops) {
    // RFC 5082 §3: segments that arrive before IP_MINTTL is set on the accepted socket
    // (the peer's OPEN, right after the handshake) are not checked by the kernel, so
    // the connection is judged by its SYN's TTL.
    if (const int ttl = saved_syn_ttl(c->sock.native_handle()); ttl >= 0 && ttl < 256 - *sec->ttl_security_hops) {
      refusals_.refused(peer, engine::RefuseReason::kTtlSecurity, std::chrono::steady_clock::now(),
                        fmt::format("GTSM: connection from {}{} arrived with TTL {} (needs >= {}), closed",
                                    peer.to_string(), where, ttl, 256 - *sec->ttl_security_hops));
      c->sock.close(e2);
      return;
    }
    if (auto err = set_gtsm(c->sock.native_handle(), v6, *sec->ttl_security_hops); !err.empty())
      spdlog::error("GTSM for {}{}: {}", peer.to_string(), where, err);
  } else if (sec && sec->ttl) {
    if (auto err = set_ttl(c->sock.native_handle(), v6, *sec->ttl); !err.empty())
      spdlog::error("ebgp-multihop TTL for {}{}: {}", peer.to_string(), where, err);
  }
  conns_[c->id] = c;
  spdlog::debug("accepted connection {} from {}{}", c->id, peer.to_string(), where);
  start_read(c);
  cb_.accepted(c->id, peer, vrf, local_address(c->sock));
  flush();
}

tl::expected<void, std::string> PeerIo::add_vrf(const std::string& vrf, const VrfSocketSpec& spec, uint16_t port) {
  if (auto ok = vrf_sockets_.add(vrf, spec); !ok) return ok;
  if (port == 0) {
    if (auto it = vrf_listeners_.find(vrf); it != vrf_listeners_.end()) {
      asio::error_code ec;
      it->second->close(ec);
      vrf_listeners_.erase(it);
    }
    return {};
  }
  if (auto it = vrf_listeners_.find(vrf); it != vrf_listeners_.end() && it->second->local_endpoint().port() == port)
    return {};
  // Dual-stack [::] first; a namespace without IPv6 (disable_ipv6) gets 0.0.0.0.
  std::string why;
  for (const int family : {AF_INET6, AF_INET}) {
    auto fd = vrf_sockets_.socket(vrf, family);
    if (!fd) return tl::unexpected(fd.error());
    const bool v6 = family == AF_INET6;
    auto acc = std::make_unique<asio::ip::tcp::acceptor>(io_);
    asio::error_code ec;
    const asio::ip::tcp::endpoint ep(v6 ? asio::ip::address(asio::ip::address_v6::any()) : asio::ip::address(asio::ip::address_v4::any()), port);
    acc->assign(ep.protocol(), *fd, ec);
    if (ec) {
      ::close(*fd);
      return tl::unexpected("vrf " + vrf + ": listener: " + ec.message());
    }
    acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (v6) acc->set_option(asio::ip::v6_only(false), ec);
    const int one = 1;
    setsockopt(acc->native_handle(), IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof one);  // GTSM (accept)
    if (!acc->bind(ep, ec) && !acc->listen(asio::socket_base::max_listen_connections, ec)) {
      if (auto old = vrf_listeners_.find(vrf); old != vrf_listeners_.end()) old->second->close(ec);
      asio::ip::tcp::acceptor* raw = acc.get();
      vrf_listeners_[vrf] = std::move(acc);
      apply_security(*raw, security(vrf));
      accept_vrf(vrf, raw);
      spdlog::info("vrf {}: listening on {}:{}{}", vrf, v6 ? "[::]" : "0.0.0.0", port,
                   spec.netns.empty() ? " (device " + spec.device + ")" : " (namespace " + spec.netns + ")");
      return {};
    }
    why = ec.message();
  }
  return tl::unexpected("vrf " + vrf + ": cannot listen on port " + std::to_string(port) + ": " + why);
}

void PeerIo::remove_vrf(const std::string& vrf) {
  if (auto it = vrf_listeners_.find(vrf); it != vrf_listeners_.end()) {
    asio::error_code ec;
    it->second->close(ec);
    vrf_listeners_.erase(it);
  }
  security_.erase(vrf);
  vrf_sockets_.remove(vrf);
}

int PeerIo::socket_ttl(ConnId id) const {
  auto it = conns_.find(id);
  if (it == conns_.end()) return -1;
  int ttl = 0;
  socklen_t len = sizeof ttl;
  if (getsockopt(const_cast<asio::ip::tcp::socket&>(it->second->sock).native_handle(), IPPROTO_IP, IP_TTL, &ttl, &len) != 0)
    return -1;
  return ttl;
}

uint16_t PeerIo::vrf_listen_port(const std::string& vrf) const {
  auto it = vrf_listeners_.find(vrf);
  if (it == vrf_listeners_.end()) return 0;
  asio::error_code ec;
  return it->second->local_endpoint(ec).port();
}

void PeerIo::connect(const bgp::ConnectRequest& r, const std::string& vrf) {
  auto c = std::make_shared<Conn>(io_);
  c->id = r.conn;
  conns_[c->id] = c;
  const asio::ip::tcp::endpoint ep(to_asio(r.remote), r.port);
  asio::error_code ec;
  auto fail = [this, c](const std::string& why) {
    c->dead = true;
    conns_.erase(c->id);
    // Reported asynchronously so the engine is never re-entered from its own effects.
    asio::post(io_, [this, id = c->id, why] { cb_.connect_failed(id, why); });
  };
  if (vrf.empty()) {
    c->sock.open(ep.protocol(), ec);
  } else {
    auto fd = vrf_sockets_.socket(vrf, r.remote.is_v6() ? AF_INET6 : AF_INET);
    if (!fd) return fail(fd.error());
    c->sock.assign(ep.protocol(), *fd, ec);
    if (ec) ::close(*fd);
  }
  if (ec) return fail(ec.message());
  if (r.source) {
    c->sock.bind(asio::ip::tcp::endpoint(to_asio(*r.source), 0), ec);
    if (ec) return fail("bind to update-source " + r.source->to_string() + ": " + ec.message());
  }
  if (r.md5_password) {
    if (auto err = set_tcp_md5(c->sock.native_handle(), r.remote, *r.md5_password); !err.empty())
      return fail("TCP MD5: " + err);
  }
  if (r.ttl_security_hops) {
    if (auto err = set_gtsm(c->sock.native_handle(), r.remote.is_v6(), *r.ttl_security_hops); !err.empty())
      return fail("GTSM: " + err);
  } else if (const PeerSecurity* sec = find_security(security_, vrf, r.remote); sec && sec->ttl) {
    if (auto err = set_ttl(c->sock.native_handle(), r.remote.is_v6(), *sec->ttl); !err.empty())
      return fail("ebgp-multihop TTL: " + err);
  }
  c->sock.async_connect(ep, [this, c](asio::error_code e) {
    if (c->dead) return;
    if (e) {
      c->dead = true;
      conns_.erase(c->id);
      cb_.connect_failed(c->id, e.message());
      return;
    }
    c->connected = true;
    tune_socket(c->sock);
    start_read(c);
    cb_.connected(c->id, local_address(c->sock));
    flush();
  });
}

void PeerIo::start_read(const std::shared_ptr<Conn>& c) {
  if (c->rbuf.size() - c->rlen < 4096) c->rbuf.resize(std::max(kReadBuffer, c->rbuf.size() * 2));
  c->sock.async_read_some(asio::buffer(c->rbuf.data() + c->rlen, c->rbuf.size() - c->rlen),
                          [this, c](asio::error_code ec, size_t n) {
                            if (c->dead) return;
                            if (ec) {
                              if (ec != asio::error::operation_aborted) finish(c, true);
                              return;
                            }
                            on_read(c, n);
                          });
}

void PeerIo::on_read(const std::shared_ptr<Conn>& c, size_t n) {
  c->rlen += n;
  // Drain what the kernel already holds (without blocking) so one engine event covers as many
  // UPDATEs as possible: fewer flushes, fuller outbound UPDATEs, fewer writes.
  while (c->rbuf.size() - c->rlen >= 16384) {
    asio::error_code ec;
    c->sock.non_blocking(true, ec);
    const size_t m = c->sock.read_some(asio::buffer(c->rbuf.data() + c->rlen, c->rbuf.size() - c->rlen), ec);
    if (ec || m == 0) break;  // would_block, or an error the next async read reports
    c->rlen += m;
  }
  // Frame: find the end of the last complete message. A bad header is passed on as is so the
  // engine answers it with the right NOTIFICATION (RFC 4271 §6.1).
  wire::DecodeContext any;
  any.extended_message = true;  // framing only; the engine checks the negotiated size
  size_t pos = 0;
  bool bad = false;
  while (c->rlen - pos >= wire::kHeaderSize) {
    auto len = wire::peek_header(ByteView(c->rbuf.data() + pos, c->rlen - pos), any);
    if (!len) {
      bad = true;
      pos = c->rlen;
      break;
    }
    if (pos + *len > c->rlen) {
      if (*len > c->rbuf.size()) c->rbuf.resize(*len * 2);
      break;
    }
    pos += *len;
  }
  if (pos > 0 && !c->closing) {
    cb_.data(c->id, ByteView(c->rbuf.data(), pos));
    flush();
  }
  if (c->dead) return;
  if (bad) return;  // the engine has closed (or will close) the connection
  std::memmove(c->rbuf.data(), c->rbuf.data() + pos, c->rlen - pos);
  c->rlen -= pos;
  if (!c->closing) start_read(c);
}

void PeerIo::send(ConnId id, Chunk data) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->closing || !it->second->connected) return;
  it->second->queue.push_back(std::move(data));
  dirty_.push_back(id);
}

void PeerIo::close(ConnId id, bool abort_now) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  auto c = it->second;
  c->closing = true;
  if (!c->connected) {
    finish(c, false);
    return;
  }
  if (abort_now) {
    abort(c);
    return;
  }
  dirty_.push_back(id);
}

void PeerIo::abort(const std::shared_ptr<Conn>& c) {
  // Best effort (RFC 9687 §3.3: the NOTIFICATION only if it does not delay the close): one
  // non-blocking attempt, and only when the stream is at a message boundary.
  bool all_out = !c->writing && c->head_offset == 0;
  for (auto q = c->queue.begin(); all_out && q != c->queue.end(); ++q) {
    const ssize_t n = ::send(c->sock.native_handle(), (*q)->data(), (*q)->size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    all_out = n == static_cast<ssize_t>((*q)->size());
  }
  finish(c, false, !all_out);
}
void PeerIo::flush() {
  auto ids = std::move(dirty_);
  dirty_.clear();
  for (ConnId id : ids) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    auto c = it->second;
    if (c->writing) continue;
    if (c->queue.empty()) {
      if (c->closing) finish(c, false);
      continue;
    }
    start_write(c);
  }
}

void PeerIo::start_write(const std::shared_ptr<Conn>& c) {
  c->writing = true;
  std::vector<asio::const_buffer> bufs;
  bufs.reserve(std::min(c->queue.size(), kMaxGather));
  c->inflight.clear();
  for (const auto& ch : c->queue) {
    if (bufs.size() == kMaxGather) break;
    const size_t off = bufs.empty() ? c->head_offset : 0;
    bufs.emplace_back(ch->data() + off, ch->size() - off);
    c->inflight.push_back(ch);
  }
  // write_some, not async_write: every bit of progress is reported (a peer that reads slowly
  // still makes progress; one that stops does not, and its queue stops growing).
  c->sock.async_write_some(bufs, [this, c](asio::error_code ec, size_t n) {
    c->writing = false;
    c->inflight.clear();
    if (c->dead) return;
    if (ec) {
      finish(c, !c->closing);
      return;
    }
    for (size_t left = n; left > 0;) {
      const size_t rest = c->queue.front()->size() - c->head_offset;
      if (left < rest) {
        c->head_offset += left;
        break;
      }
      left -= rest;
      c->head_offset = 0;
      c->queue.pop_front();
    }
    if (n > 0 && cb_.sent) cb_.sent(c->id, n);  // may queue more, close, or start this write
    if (c->dead || c->writing) return;
    if (!c->queue.empty()) start_write(c);
    else if (c->closing) finish(c, false);
  });
}

void PeerIo::finish(const std::shared_ptr<Conn>& c, bool notify, bool reset) {
  if (c->dead) return;
  c->dead = true;
  asio::error_code ec;
  // A reset drops what the kernel still holds for a peer that does not read (a plain close
  // would keep it for minutes, probing a zero window).
  if (reset) c->sock.set_option(asio::socket_base::linger(true, 0), ec);
  else c->sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  c->sock.close(ec);
  c->queue.clear();
  conns_.erase(c->id);
  if (notify && !c->closing) {
    cb_.closed(c->id);
    flush();
  }
}

void PeerIo::close_all() {
  auto all = conns_;
  for (auto& [id, c] : all) finish(c, false);
  stop_listening();
  for (auto& [vrf, l] : vrf_listeners_) {
    asio::error_code ec;
    l->close(ec);
  }
  vrf_listeners_.clear();
}

}  // namespace evpnd::daemon

// PeerIo: the TCP side of BGP sessions on one asio::io_context thread.
//
//   * outbound connects (update-source bind, remote port, TCP MD5 RFC 2385, GTSM RFC 5082,
//     ebgp-multihop TTL)
//   * listeners (IPv4/IPv6; MD5 keys installed per peer on the listening socket)
//   * VRFs (issue 10): a VRF's connections and its listener (the global listen port, in the
//     VRF) are sockets created in the VRF (vrf_sockets.hpp); security settings per (VRF, peer)
//   * each connection's local address (getsockname) goes with connected/accepted: the next hop
//     the speaker advertises with next-hop-self
//   * framing: every complete BGP message in the read buffer is handed over in one call
//     (wire::peek_header), the remainder is kept for the next read
//   * write coalescing: sends queued while handling one event go out in gathered writes; every
//     write that makes progress is reported (Callbacks::sent): the speaker bounds each peer's
//     queue with it and runs the RFC 9687 send hold timer on it. A close waits until the queue
//     is drained (the NOTIFICATION goes out first); an abort close does not (see close()).
//
// NOTE threading: everything runs on the io_context thread; callbacks are synchronous.
// NOTE performance: 1 MiB read buffers that grow to the largest message, TCP_NODELAY.
#pragma once

#define ASIO_STANDALONE 1
#include <asio.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/speaker.hpp"
#include "daemon/refusal_log.hpp"
#include "daemon/vrf_sockets.hpp"

namespace evpnd::daemon {

using bgp::Chunk;
using bgp::ConnId;

struct PeerSecurity {  // what connections with one address (or listen range) get
  std::optional<std::string> md5_password;
  std::optional<uint8_t> ttl_security_hops;
  // ebgp-multihop: the TTL (hop limit) of what we send; unset = the system default (64). Not
  // with ttl_security_hops (GTSM sends 255).
  std::optional<uint8_t> ttl;
};
// One VRF's (or the global instance's) security settings: configured peers, and the listen
// ranges whose peers connect to us (the MD5 key is installed for the whole prefix).
struct SecurityTable {
  std::map<IpAddress, PeerSecurity> peers;
  std::vector<std::pair<IpPrefix, PeerSecurity>> ranges;
  // The peer's entry, else the first range containing it.
  const PeerSecurity* find(const IpAddress& a) const;
};

class PeerIo {
 public:
  struct Callbacks {
    std::function<void(ConnId, std::optional<IpAddress> local)> connected;
    std::function<void(ConnId, std::string)> connect_failed;
    // `vrf`: whose listener took it ("" = the global one).
    std::function<void(ConnId, IpAddress remote, std::string vrf, std::optional<IpAddress> local)> accepted;
    std::function<void(ConnId, ByteView)> data;
    std::function<void(ConnId)> closed;
    std::function<void(ConnId, size_t)> sent;  // bytes of the queue the socket took
  };

  PeerIo(asio::io_context& io, Callbacks cb);
  ~PeerIo();

  using Listener = std::unique_ptr<asio::ip::tcp::acceptor>;
  // Starts a listener; throws std::system_error when the address cannot be bound.
  void listen(const IpAddress& addr, uint16_t port);
  // Binds and listens on addr:port without accepting yet; the error when it cannot (address
  // not local, port in use). A reload binds its new `listen` first and switches (use_listener)
  // only when that worked, so a listen that cannot work never costs the running listener.
  tl::expected<Listener, std::error_code> bind_listener(const IpAddress& addr, uint16_t port) const;
  // Closes every current listener; accepts on `l` from now on.
  void use_listener(Listener l);
  void stop_listening();
  uint16_t listen_port() const;  // the bound port (useful with port 0)
  // Replaces the per-address security settings (MD5 keys on the listeners, GTSM on accept).
  void set_security(std::map<IpAddress, PeerSecurity> sec);
  void set_security(const std::string& vrf, SecurityTable sec);

  // VRFs (issue 10). add_vrf makes sockets in the VRF possible (opens its namespace) and, with
  // a port, listens there on [::]:port (dual-stack; 0.0.0.0 when the VRF has no IPv6);
  // remove_vrf closes its listener and forgets it (its connections are closed by the engine).
  tl::expected<void, std::string> add_vrf(const std::string& vrf, const VrfSocketSpec& spec, uint16_t port);
  void remove_vrf(const std::string& vrf);
  // The bound port of a VRF's listener, 0 when none.
  uint16_t vrf_listen_port(const std::string& vrf) const;

  // `vrf`: the instance the connection belongs to ("" = global): created in that VRF.
  void connect(const bgp::ConnectRequest& r, const std::string& vrf = "");
  void send(ConnId c, Chunk data);
  // After queued sends; with `abort`, now: what is queued is tried once without blocking (only
  // at a message boundary with no write in flight) and the connection is reset when that does
  // not write it all, so the kernel does not keep a stuck peer's data either (RFC 9687 §3.3).
  void close(ConnId c, bool abort = false);
  void flush();          // start writes for every connection with queued data
  void close_all();
  size_t connection_count() const { return conns_.size(); }
  // The IPv4 TTL a connection sends with (ebgp-multihop, GTSM), -1 when unknown.
  int socket_ttl(ConnId c) const;
  // Refused incoming connections: counts per reason and the rate-limited log (refusal_log.hpp).
  RefusalLog& refusals() { return refusals_; }
  const RefusalLog& refusals() const { return refusals_; }

 private:
  struct Conn;
  void start_read(const std::shared_ptr<Conn>& c);
  void on_read(const std::shared_ptr<Conn>& c, size_t n);
  void start_write(const std::shared_ptr<Conn>& c);
  void finish(const std::shared_ptr<Conn>& c, bool notify, bool reset = false);
  void abort(const std::shared_ptr<Conn>& c);
  void accept_next(size_t listener);
  // Accepted on a listener of instance `vrf`: security checks, then Callbacks::accepted.
  void on_accept(const std::string& vrf, asio::ip::tcp::socket sock);
  void accept_vrf(const std::string& vrf, asio::ip::tcp::acceptor* acc);
  void apply_md5_to_listeners();
  void apply_security(asio::ip::tcp::acceptor& l, const SecurityTable& sec);
  const SecurityTable& security(const std::string& vrf) const;

  asio::io_context& io_;
  Callbacks cb_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> listeners_;
  std::map<std::string, SecurityTable> security_;  // by VRF ("" = global)
  VrfSockets vrf_sockets_;
  std::map<std::string, Listener> vrf_listeners_;
  std::map<ConnId, std::shared_ptr<Conn>> conns_;
  std::vector<ConnId> dirty_;
  RefusalLog refusals_;
  ConnId next_inbound_ = bgp::kInboundConnBase;
};

// Socket options (RFC 2385 TCP MD5, RFC 5082 GTSM, TTL); return an error text or "".
// `prefix_len` < the address length: the key covers a whole prefix (TCP_MD5SIG_EXT, a listen range).
std::string set_tcp_md5(int fd, const IpAddress& peer, const std::string& password, int prefix_len = -1);
std::string set_gtsm(int fd, bool v6, uint8_t hops);
std::string set_ttl(int fd, bool v6, uint8_t ttl);
// The socket's local address (getsockname), IPv4-mapped ones as IPv4.
std::optional<IpAddress> local_address(const asio::ip::tcp::socket& s);

}  // namespace evpnd::daemon

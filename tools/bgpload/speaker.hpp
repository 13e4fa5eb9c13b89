// A minimal, fast BGP speaker for load generation and measurement (tools only, not the daemon).
//
// NOTE threading: one reader thread per session drains the socket, answers nothing but counts
// and hands each UPDATE to a callback; writes are serialised by a mutex so the keepalive thread
// and the feeder can share the socket.
// NOTE performance: the feeder writes pre-encoded buffers of many UPDATEs with one send() each;
// the monitor reads 1 MiB at a time and frames messages in place.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "wire/message.hpp"

namespace bgpload {

struct SpeakerOptions {
  std::string local_address;  // bind address (its IPv4 is also the BGP identifier)
  std::string remote_address;
  uint16_t remote_port = 179;
  uint32_t asn = 65000;
  uint16_t hold_time = 180;  // offered; the session uses the smaller of ours and the peer's
  bool extended_message = true;  // advertise RFC 8654
};

class Speaker {
 public:
  using UpdateHandler = std::function<void(const evpnd::wire::Update&)>;

  explicit Speaker(SpeakerOptions opts) : opts_(std::move(opts)) {}
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;

  // Active: connect to remote. Passive: accept one connection on local_address:listen_port.
  // Both exchange OPEN/KEEPALIVE and return once Established (or throw with the reason).
  void connect();
  void accept_one(uint16_t listen_port);
  void start_reader(UpdateHandler on_update);  // after Established
  void send(evpnd::ByteView bytes);            // whole messages
  void close();

  const evpnd::wire::Open& peer_open() const { return peer_open_; }
  // RFC 4271 §4.2: the negotiated hold time is the smaller of the two OPENs' (valid once
  // Established); keepalives go every third of it, none when it is 0 (§4.4).
  uint16_t hold_time() const { return hold_; }
  std::chrono::seconds keepalive_period() const { return keepalive_period_for(hold_); }
  static uint16_t negotiated_hold_time(uint16_t ours, uint16_t theirs) { return std::min(ours, theirs); }
  static std::chrono::seconds keepalive_period_for(uint16_t hold) {
    return std::chrono::seconds(hold == 0 ? 0 : std::max(1, hold / 3));
  }
  bool extended_message() const { return ext_msg_; }
  bool closed() const { return closed_.load(); }
  const std::string& close_reason() const { return close_reason_; }

 private:
  void handshake();
  evpnd::Bytes read_message();  // blocking, for the handshake
  void reader_loop(UpdateHandler on_update);
  void keepalive_loop();

  SpeakerOptions opts_;
  int fd_ = -1;
  std::mutex write_mu_;
  evpnd::wire::Open peer_open_;
  bool ext_msg_ = false;
  uint16_t hold_ = 0;
  evpnd::wire::DecodeContext dctx_;
  evpnd::Bytes pending_;  // handshake read-ahead handed to the reader
  std::thread reader_, keepalive_;
  std::atomic<bool> closed_{false};
  std::string close_reason_;
};

}  // namespace bgpload

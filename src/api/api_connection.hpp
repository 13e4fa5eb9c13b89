// One API client connection: reads requests, calls the handler, writes (or streams) the reply.
// Internal to evpnd_api_server (api_server.cpp owns the accept loop and the eviction choice).
//
//   accept ──► kReading ──request complete──► kAnswering ──reply written──► kIdle ──first byte──► kReading
//               │ deadline: request_timeout        │ no write progress for        │ idle_timeout
//               ▼ from accept / first byte         ▼ idle_timeout: close          ▼ close
//             408 + close
//
// Only one timer runs at a time; the state decides what its expiry means. Bytes arriving while
// kReading do not re-arm it: a request trickled a byte at a time still has to be complete
// within the request timeout (slowloris, issue 12 defect 7).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include "api/api_server.hpp"

namespace evpnd::api {

class Connection;

struct ApiServer::Shared {
  ApiHandler handler;
  bool stopped = false;
  ApiServerStats stats;
  std::chrono::milliseconds idle_timeout = ApiServer::kIdleTimeout;
  std::chrono::milliseconds request_timeout = ApiServer::kRequestTimeout;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  void registered(Connection* c, std::weak_ptr<Connection> w) {
    connections[c] = std::move(w);
    stats.connections = connections.size();
  }
  void unregistered(Connection* c) {
    connections.erase(c);
    stats.connections = connections.size();
  }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Protocol = asio::local::stream_protocol;
  using Clock = std::chrono::steady_clock;
  enum class State { kReading, kAnswering, kIdle };

  Connection(Protocol::socket socket, std::shared_ptr<ApiServer::Shared> shared);
  ~Connection();

  void start();  // registers with the server and waits for the first request
  void close();  // idempotent; unregisters at once (the slot is free for the next client)
  State state() const { return state_; }
  Clock::time_point since() const { return since_; }  // when the current state began

 private:
  void enter(State s);
  void arm(std::chrono::milliseconds after);
  void on_timer();
  void read_more();
  void process_buffer();
  ApiResponse dispatch(const HttpRequest& http);
  void send(std::string bytes, bool keep_alive);
  void stream_piece();
  void response_done(bool keep_alive);

  Protocol::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;  // an expiry queued before a re-arm must not act
  std::shared_ptr<ApiServer::Shared> shared_;
  State state_ = State::kReading;
  Clock::time_point since_{};
  bool closed_ = false;
  std::string buffer_;
  std::string out_;
  BodyProducer producer_;
  bool chunked_ = false;
  bool stream_keep_alive_ = false;
  std::array<char, 16 * 1024> chunk_{};
};

}  // namespace evpnd::api

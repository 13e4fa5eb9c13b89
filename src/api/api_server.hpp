// ApiServer: evpnd's northbound JSON API, HTTP/1.1 over a unix stream socket.
//
//   curl --unix-socket /run/evpnd/evpnd.sock http://localhost/v1/bgp/summary
//
// NOTE threading: everything (accept, parse, the handler call, writes) runs on the io_context
// thread that runs `io`. Construct and destroy the server on that thread, or while the
// io_context is not running. The handler is called synchronously, one request at a time per
// connection, in request order (pipelined requests are answered in order).
// NOTE errors: the constructor throws std::system_error when the socket cannot be created
// (start-up only). Afterwards nothing throws: malformed requests get 400 {"error": reason},
// bodies over 1 MiB 413, oversized headers 431, and the connection is closed; a handler that
// throws yields 500. Unknown paths are the handler's business (it returns 404).
// NOTE limits: at most kMaxConnections concurrent clients (extra ones are closed at once);
// a connection idle (no progress reading or writing) for kIdleTimeout is closed.
// NOTE socket file: the parent directory is created, a stale socket file (nobody listening) is
// replaced, a live one is an error, mode is 0660; the destructor unlinks it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

#include "api/http_request_parser.hpp"

namespace evpnd::api {

struct ApiRequest {
  std::string method, path;
  std::map<std::string, std::string> query;
  nlohmann::json body;  // null when the request had no body
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
  // When set, sent verbatim with `content_type` instead of `body` (GET /metrics: Prometheus text,
  // content type kPrometheusContentType from api/metrics.hpp).
  std::optional<std::string> text;
  std::string content_type = "text/plain; charset=utf-8";
};

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

class ApiServer {
 public:
  static constexpr size_t kMaxConnections = 64;
  static constexpr std::chrono::seconds kIdleTimeout{60};

  ApiServer(asio::io_context& io, std::string socket_path, ApiHandler handler);
  ~ApiServer();  // closes every connection and unlinks the socket
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  // Applies to connections accepted afterwards (tests use a short one).
  void set_idle_timeout(std::chrono::milliseconds timeout);
  size_t connection_count() const;
  uint64_t requests_served() const;  // for /metrics

  struct Shared;  // state shared with connections (they may outlive the server briefly)

 private:
  void accept_next();

  std::string socket_path_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  uint64_t socket_inode_ = 0;
};

// Serialises one response (status line, headers, body). Exposed for tests.
std::string render_http_response(const ApiResponse& response, bool keep_alive);

}  // namespace evpnd::api

// ApiServer: evpnd's northbound JSON API, HTTP/1.1 over a unix stream socket.
//
//   curl --unix-socket /run/evpnd/evpnd.sock http://localhost/v1/bgp/summary
//
// NOTE threading: everything (accept, parse, the handler call, writes) runs on the io_context
// thread that runs `io`. Construct and destroy the server on that thread, or while the
// io_context is not running. The handler is called synchronously, one request at a time per
// connection, in request order (pipelined requests are answered in order).
// NOTE streaming: a response with `stream` set is sent in pieces (HTTP/1.1 chunked transfer
// coding; close-delimited for an HTTP/1.0 client). The server calls the producer for the next
// piece only after the previous one was written, and every write completes through the event
// loop, so BGP timers and sockets are served between pieces and at most one piece per
// connection is buffered, however large the view.
// NOTE errors: the constructor throws std::system_error when the socket cannot be created
// (start-up only). Afterwards nothing throws: malformed requests get 400 {"error": reason},
// bodies over 1 MiB 413, oversized headers 431, and the connection is closed; a handler that
// throws yields 500. Unknown paths are the handler's business (it returns 404).
// NOTE limits (slowloris, issue 12 defect 7): a request must arrive whole within
// kRequestTimeout of its first byte (of the accept for a connection's first request) or it is
// answered 408 and closed — trickling bytes does not extend it; a connection idle between
// requests, or whose reader makes no progress on a response, is closed after kIdleTimeout. At
// most kMaxConnections clients; when full, a new connection evicts the connection that is not
// being answered and has waited longest (incomplete requests before idle keep-alives), so an
// operator always gets in; only when every slot is busy answering is the newcomer closed.
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

// Counters of the server itself, for /metrics.
struct ApiServerStats {
  uint64_t requests = 0;           // requests handed to the handler
  uint64_t streamed = 0;           // of which answered with a streamed body
  uint64_t request_timeouts = 0;   // requests not complete within the request timeout (408)
  uint64_t idle_timeouts = 0;      // connections closed for inactivity (idle or stalled reader)
  uint64_t evictions = 0;          // connections closed to make room for a new one
  uint64_t refused_full = 0;       // new connections closed because every slot was answering
  uint64_t connections = 0;        // open now
};

struct ApiRequest {
  std::string method, path;
  std::map<std::string, std::string> query;
  nlohmann::json body;  // null when the request had no body
  const ApiServerStats* server = nullptr;  // the serving ApiServer's counters (null in tests)
};

// Appends the next piece of a streamed body to `out` (a few tens of KiB at most) and returns
// true while more follows, false with the last piece. Called on the io_context thread, once per
// event-loop turn, so it must do a bounded amount of work per call.
using BodyProducer = std::function<bool(std::string& out)>;

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
  // When set, sent verbatim with `content_type` instead of `body` (GET /metrics: Prometheus text,
  // content type kPrometheusContentType from api/metrics.hpp).
  std::optional<std::string> text;
  std::string content_type = "text/plain; charset=utf-8";
  // When set, the body is produced piece by piece (see NOTE streaming) with `content_type`.
  BodyProducer stream;
};

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

class ApiServer {
 public:
  static constexpr size_t kMaxConnections = 64;
  static constexpr std::chrono::seconds kIdleTimeout{60};
  static constexpr std::chrono::seconds kRequestTimeout{10};

  ApiServer(asio::io_context& io, std::string socket_path, ApiHandler handler);
  ~ApiServer();  // closes every connection and unlinks the socket
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  // Apply to timers armed afterwards (tests use short ones).
  void set_idle_timeout(std::chrono::milliseconds timeout);
  void set_request_timeout(std::chrono::milliseconds timeout);
  size_t connection_count() const;
  uint64_t requests_served() const;  // for /metrics
  const ApiServerStats& stats() const;

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
// The status line and headers of a streamed response: chunked for HTTP/1.1, else no length
// and Connection: close (the end of the body is the end of the connection).
std::string render_stream_head(const ApiResponse& response, bool keep_alive, bool chunked);
// One piece of a chunked body (RFC 9112 §7.1): "<hex size>\r\n<data>\r\n"; an empty piece
// renders nothing (a zero-size chunk would end the body). `last` appends the last-chunk.
void append_chunk(std::string& out, std::string_view data, bool last);

}  // namespace evpnd::api

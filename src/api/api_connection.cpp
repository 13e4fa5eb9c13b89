// Connection: the request/response cycle of one API client (state diagram in api_connection.hpp).
//
//   client --bytes--> buffer_ --parse_http_request--> ApiRequest --handler--> ApiResponse
//          <--bytes-- render_http_response / stream pieces <------------------------'
//
// A connection reads only while it has no complete request buffered and no write in flight, so
// what it buffers is bounded by HttpLimits plus one read chunk; a streamed reply holds one piece.
#include "api/api_connection.hpp"

#include <asio/write.hpp>

namespace evpnd::api {

Connection::Connection(Protocol::socket socket, std::shared_ptr<ApiServer::Shared> shared)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)) {}

Connection::~Connection() {
  if (shared_ && !closed_) shared_->unregistered(this);
}

void Connection::start() {
  shared_->registered(this, weak_from_this());
  // The first request's deadline runs from the accept: a client that connects and sends
  // nothing holds a slot for request_timeout at most.
  enter(State::kReading);
  process_buffer();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  shared_->unregistered(this);
  std::error_code ignored;
  socket_.close(ignored);
  ++timer_gen_;
  timer_.cancel();
}

void Connection::enter(State s) {
  state_ = s;
  since_ = Clock::now();
  arm(s == State::kReading ? shared_->request_timeout : shared_->idle_timeout);
}

void Connection::arm(std::chrono::milliseconds after) {
  const uint64_t gen = ++timer_gen_;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this(), gen](std::error_code ec) {
    if (!ec && gen == self->timer_gen_ && !self->closed_) self->on_timer();
  });
}

void Connection::on_timer() {
  if (state_ == State::kReading) {
    // RFC 9110 §15.5.9: 408 tells the client why; it is small enough to fit the socket buffer
    // even when the client does not read, and the connection closes after it.
    ++shared_->stats.request_timeouts;
    buffer_.clear();
    ApiResponse r{408, {{"error", "request not complete within " +
                                      std::to_string(shared_->request_timeout.count()) + " ms"}}};
    enter(State::kAnswering);
    return send(render_http_response(r, false), false);
  }
  ++shared_->stats.idle_timeouts;  // idle keep-alive, or a reader that stopped reading our reply
  close();
}

void Connection::read_more() {
  socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](std::error_code ec, size_t n) {
    if (ec || self->shared_->stopped || self->closed_) return self->close();
    // The first byte after an idle wait starts the next request's deadline.
    if (self->state_ == State::kIdle) self->enter(State::kReading);
    self->buffer_.append(self->chunk_.data(), n);
    self->process_buffer();
  });
}

void Connection::process_buffer() {
  if (shared_->stopped || closed_) return close();
  auto parsed = parse_http_request(buffer_);
  if (!parsed) {
    ApiResponse r{parsed.error().status, {{"error", parsed.error().reason}}};
    enter(State::kAnswering);
    return send(render_http_response(r, false), false);
  }
  if (!*parsed) return read_more();
  HttpParseResult& result = **parsed;
  buffer_.erase(0, result.consumed);
  const bool keep_alive = result.request.keep_alive;
  enter(State::kAnswering);
  ApiResponse response = dispatch(result.request);
  if (!response.stream) return send(render_http_response(response, keep_alive), keep_alive);
  ++shared_->stats.streamed;
  producer_ = std::move(response.stream);
  chunked_ = result.request.http11;
  stream_keep_alive_ = keep_alive && chunked_;  // a close-delimited body ends the connection
  out_ = render_stream_head(response, stream_keep_alive_, chunked_);
  stream_piece();
}

ApiResponse Connection::dispatch(const HttpRequest& http) {
  ApiRequest req{http.method, http.path, http.query, nullptr, &shared_->stats};
  if (!http.body.empty()) {
    req.body = nlohmann::json::parse(http.body, nullptr, /*allow_exceptions=*/false);
    if (req.body.is_discarded()) return ApiResponse{400, {{"error", "request body is not valid JSON"}}};
  }
  ++shared_->stats.requests;
  try {
    return shared_->handler(req);
  } catch (const std::exception& e) {
    // The handler is the engine's code; a bug there must not take the daemon down with it.
    return ApiResponse{500, {{"error", std::string("internal error: ") + e.what()}}};
  } catch (...) {
    return ApiResponse{500, {{"error", "internal error"}}};
  }
}

void Connection::send(std::string bytes, bool keep_alive) {
  out_ = std::move(bytes);
  asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this(), keep_alive](std::error_code ec, size_t) {
    if (ec || self->closed_) return self->close();
    self->response_done(keep_alive);
  });
}

// Produces one piece and writes it; the next piece is produced in the write's completion
// handler, which asio always runs from the event loop (never inline), so timers and BGP
// sockets get their turn between two pieces of even the largest view.
void Connection::stream_piece() {
  std::string piece;
  bool more = false;
  try {
    more = producer_(piece);
  } catch (...) {
    // The status line is gone already: cutting the body short (no last-chunk) is the only
    // way left to tell the client the reply is incomplete.
    return close();
  }
  if (chunked_) append_chunk(out_, piece, !more);
  else out_ += piece;
  if (!more) producer_ = nullptr;
  asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this(), more](std::error_code ec, size_t) {
    if (ec || self->closed_ || self->shared_->stopped) return self->close();
    self->arm(self->shared_->idle_timeout);  // the reader made progress
    self->out_.clear();
    if (more) return self->stream_piece();
    self->response_done(self->stream_keep_alive_);
  });
}

void Connection::response_done(bool keep_alive) {
  if (!keep_alive) {
    std::error_code ignored;
    socket_.shutdown(Protocol::socket::shutdown_send, ignored);
    return close();
  }
  if (out_.capacity() > 256 * 1024) std::string().swap(out_);  // keep-alive clients keep no big buffer
  out_.clear();
  // A pipelined request already (partly) buffered has had its first byte: its deadline runs.
  enter(buffer_.empty() ? State::kIdle : State::kReading);
  process_buffer();
}

}  // namespace evpnd::api

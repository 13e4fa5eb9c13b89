// ApiServer: accept loop, socket-file handling and the per-connection request/response cycle.
//
//   client --bytes--> Connection::buffer_ --parse_http_request--> ApiRequest --handler--> ApiResponse
//          <--bytes-- render_http_response <-------------------------------------------'
//
// A connection reads only while it has no complete request buffered and no write in flight, so
// what it buffers is bounded by HttpLimits plus one read chunk.
#include "api/api_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unordered_map>

#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

namespace evpnd::api {

using Protocol = asio::local::stream_protocol;

class Connection;

struct ApiServer::Shared {
  ApiHandler handler;
  bool stopped = false;
  uint64_t requests = 0;
  std::chrono::milliseconds idle_timeout = ApiServer::kIdleTimeout;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Protocol::socket socket, std::shared_ptr<ApiServer::Shared> shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)) {}

  void start() {
    shared_->connections[this] = weak_from_this();
    touch();
    process_buffer();
  }

  void close() {
    std::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

  ~Connection() {
    if (shared_) shared_->connections.erase(this);
  }

 private:
  // Restarts the idle timer: any progress keeps the connection alive.
  void touch() {
    timer_.expires_after(shared_->idle_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec) self->close();  // cancelled (ec set) means progress was made or we are closing
    });
  }

  void read_more() {
    socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](std::error_code ec, size_t n) {
      if (ec || self->shared_->stopped) return self->close();
      self->buffer_.append(self->chunk_.data(), n);
      self->touch();
      self->process_buffer();
    });
  }

  void process_buffer() {
    if (shared_->stopped) return close();
    auto parsed = parse_http_request(buffer_);
    if (!parsed) {
      ApiResponse r{parsed.error().status, {{"error", parsed.error().reason}}};
      return send(render_http_response(r, false), false);
    }
    if (!*parsed) return read_more();
    HttpParseResult& result = **parsed;
    buffer_.erase(0, result.consumed);
    bool keep_alive = result.request.keep_alive;
    send(render_http_response(dispatch(result.request), keep_alive), keep_alive);
  }

  ApiResponse dispatch(const HttpRequest& http) {
    ApiRequest req{http.method, http.path, http.query, nullptr};
    if (!http.body.empty()) {
      req.body = nlohmann::json::parse(http.body, nullptr, /*allow_exceptions=*/false);
      if (req.body.is_discarded()) return ApiResponse{400, {{"error", "request body is not valid JSON"}}};
    }
    ++shared_->requests;
    try {
      return shared_->handler(req);
    } catch (const std::exception& e) {
      // The handler is the engine's code; a bug there must not take the daemon down with it.
      return ApiResponse{500, {{"error", std::string("internal error: ") + e.what()}}};
    } catch (...) {
      return ApiResponse{500, {{"error", "internal error"}}};
    }
  }

  void send(std::string bytes, bool keep_alive) {
    out_ = std::move(bytes);
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this(), keep_alive](std::error_code ec, size_t) {
      if (ec || !keep_alive) {
        if (!ec) {
          std::error_code ignored;
          self->socket_.shutdown(Protocol::socket::shutdown_send, ignored);
        }
        return self->close();
      }
      self->touch();
      self->process_buffer();  // a pipelined request may already be buffered
    });
  }

  Protocol::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<ApiServer::Shared> shared_;
  std::string buffer_;
  std::string out_;
  std::array<char, 16 * 1024> chunk_{};
};

namespace {

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// A socket file nobody accepts on is left over from a crash: replace it. A live one means
// another evpnd serves it, and stealing it would orphan that daemon's API.
void clear_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + path);
  }
  if (!S_ISSOCK(st.st_mode)) throw std::system_error(EEXIST, std::generic_category(), path + " exists and is not a socket");
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  if (live) throw std::system_error(EADDRINUSE, std::generic_category(), path + ": another process is serving this socket");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("unlink stale socket " + path);
}

Protocol::acceptor open_acceptor(asio::io_context& io, const std::string& path) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path))
    throw std::system_error(ENAMETOOLONG, std::generic_category(), "API socket path \"" + path + "\"");
  auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw std::system_error(ec, "create directory " + parent.string());
  clear_stale_socket(path);
  Protocol::acceptor acceptor(io);
  acceptor.open(Protocol(), ec);
  if (!ec) acceptor.bind(Protocol::endpoint(path), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "API socket " + path);
  // 0660: the daemon's user and group (operators running evpnctl) may connect, nobody else.
  if (::chmod(path.c_str(), 0660) != 0) throw_errno("chmod " + path);
  return acceptor;
}

}  // namespace

std::string render_http_response(const ApiResponse& response, bool keep_alive) {
  std::string body, type;
  if (response.text) {
    body = *response.text;
    type = response.content_type;
  } else if (response.status != 204) {
    // replace: a peer-supplied string with invalid UTF-8 must not make dump() throw.
    const nlohmann::json& j = response.body.is_null() && response.status < 300 ? nlohmann::json::object() : response.body;
    body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    body += '\n';
    type = "application/json";
  }
  std::string out = "HTTP/1.1 ";
  out.append(std::to_string(response.status)).append(" ").append(http_reason_phrase(response.status)).append("\r\n");
  if (!type.empty()) out.append("Content-Type: ").append(type).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append(keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  out.append("\r\n").append(body);
  return out;
}

ApiServer::ApiServer(asio::io_context& io, std::string socket_path, ApiHandler handler)
    : socket_path_(std::move(socket_path)),
      acceptor_(open_acceptor(io, socket_path_)),
      shared_(std::make_shared<Shared>()) {
  shared_->handler = std::move(handler);
  struct stat st {};
  if (::stat(socket_path_.c_str(), &st) == 0) socket_inode_ = st.st_ino;
  accept_next();
}

ApiServer::~ApiServer() {
  shared_->stopped = true;
  std::error_code ignored;
  acceptor_.close(ignored);
  // Copy first: closing may not destroy connections now (their handlers still hold them), but
  // be safe against erasure during iteration.
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [ptr, weak] : shared_->connections)
    if (auto c = weak.lock()) live.push_back(std::move(c));
  for (auto& c : live) c->close();
  // Only unlink our own socket: a successor daemon may already have replaced the file.
  struct stat st {};
  if (::stat(socket_path_.c_str(), &st) == 0 && st.st_ino == socket_inode_) ::unlink(socket_path_.c_str());
}

void ApiServer::set_idle_timeout(std::chrono::milliseconds timeout) { shared_->idle_timeout = timeout; }

size_t ApiServer::connection_count() const { return shared_->connections.size(); }
uint64_t ApiServer::requests_served() const { return shared_->requests; }

void ApiServer::accept_next() {
  acceptor_.async_accept([this, shared = shared_](std::error_code ec, Protocol::socket socket) {
    if (shared->stopped) return;  // `this` may be gone: only touch `shared`
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (shared->connections.size() >= kMaxConnections) {
        std::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Connection>(std::move(socket), shared)->start();
      }
    }
    accept_next();  // transient errors (EMFILE...) must not stop the API for good
  });
}

}  // namespace evpnd::api

// ApiServer: accept loop, eviction when full, socket-file handling and response rendering.
// The per-connection request/response cycle is in api_connection.cpp.
#include "api/api_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "api/api_connection.hpp"

namespace evpnd::api {

using Protocol = asio::local::stream_protocol;

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

std::string render_stream_head(const ApiResponse& response, bool keep_alive, bool chunked) {
  std::string out = "HTTP/1.1 ";
  out.append(std::to_string(response.status)).append(" ").append(http_reason_phrase(response.status)).append("\r\n");
  out.append("Content-Type: ").append(response.content_type).append("\r\n");
  // RFC 9112 §6.3: without Content-Length, a response body is chunked or ends with the
  // connection; HTTP/1.0 clients do not know chunked (RFC 9112 §7.1).
  if (chunked) out.append("Transfer-Encoding: chunked\r\n");
  out.append(keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  out.append("\r\n");
  return out;
}

void append_chunk(std::string& out, std::string_view data, bool last) {
  if (!data.empty()) {
    static const char* kHex = "0123456789abcdef";
    char size[2 * sizeof(size_t)];
    size_t n = 0;
    for (size_t v = data.size(); v; v >>= 4) size[n++] = kHex[v & 15];
    while (n) out += size[--n];
    out.append("\r\n").append(data).append("\r\n");
  }
  if (last) out.append("0\r\n\r\n");  // last-chunk, no trailers
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
void ApiServer::set_request_timeout(std::chrono::milliseconds timeout) { shared_->request_timeout = timeout; }

size_t ApiServer::connection_count() const { return shared_->connections.size(); }
uint64_t ApiServer::requests_served() const { return shared_->stats.requests; }
const ApiServerStats& ApiServer::stats() const { return shared_->stats; }

namespace {

// The connection to close for a newcomer when every slot is taken: one that is not being
// answered, incomplete requests first (a slowloris holds its slot that way), then idle
// keep-alives, the longest waiting first. nullptr when every connection is being answered.
std::shared_ptr<Connection> eviction_victim(const ApiServer::Shared& shared) {
  std::shared_ptr<Connection> best;
  for (const auto& [ptr, weak] : shared.connections) {
    auto c = weak.lock();
    if (!c || c->state() == Connection::State::kAnswering) continue;
    auto rank = [](const Connection& x) { return std::make_pair(x.state() == Connection::State::kReading ? 0 : 1, x.since()); };
    if (!best || rank(*c) < rank(*best)) best = std::move(c);
  }
  return best;
}

}  // namespace

void ApiServer::accept_next() {
  acceptor_.async_accept([this, shared = shared_](std::error_code ec, Protocol::socket socket) {
    if (shared->stopped) return;  // `this` may be gone: only touch `shared`
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (shared->connections.size() >= kMaxConnections) {
        if (auto victim = eviction_victim(*shared)) {
          ++shared->stats.evictions;
          victim->close();
        }
      }
      if (shared->connections.size() >= kMaxConnections) {
        ++shared->stats.refused_full;
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

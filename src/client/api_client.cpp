#include "client/api_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace evpnd::client {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

tl::unexpected<ApiFailure> failure(std::string message, FailureKind kind = FailureKind::kExchange) {
  return tl::unexpected(ApiFailure{2, std::move(message), kind});
}

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Decodes a chunked body (RFC 9112 §7.1; evpnd streams its large views this way). nullopt
// when the body is cut short (no last-chunk): the daemon could not finish the reply.
std::optional<std::string> dechunk(std::string_view in) {
  std::string out;
  for (;;) {
    const size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    size_t size = 0;
    const std::string_view digits = in.substr(0, std::min(eol, in.find(';')));  // chunk extensions
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    in.remove_prefix(eol + 2);
    if (size == 0) return out;  // trailers, if any, are ignored
    if (in.size() < size + 2 || in.substr(size, 2) != "\r\n") return std::nullopt;
    out.append(in.substr(0, size));
    in.remove_prefix(size + 2);
  }
}

// Parses "HTTP/1.1 200 OK\r\nName: v\r\n...\r\n\r\nbody" with Content-Length, chunked or
// close framing.
tl::expected<ApiReply, ApiFailure> parse_reply(const std::string& raw, const std::string& where) {
  size_t end = raw.find("\r\n\r\n");
  if (raw.compare(0, 5, "HTTP/") != 0 || end == std::string::npos || raw.size() < 12)
    return failure("malformed reply from " + where);
  ApiReply reply;
  auto [p, ec] = std::from_chars(raw.data() + 9, raw.data() + 12, reply.status);
  if (ec != std::errc{} || p != raw.data() + 12) return failure("malformed status line from " + where);
  std::optional<size_t> length;
  bool chunked = false;
  for (size_t pos = raw.find("\r\n"); pos < end;) {
    size_t next = raw.find("\r\n", pos + 2);
    std::string line = raw.substr(pos + 2, next - pos - 2);
    pos = next;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "content-type") reply.content_type = value;
    if (name == "content-length") length = std::strtoull(value.c_str(), nullptr, 10);
    if (name == "transfer-encoding") chunked = lower(value).find("chunked") != std::string::npos;
  }
  std::string body = raw.substr(end + 4);
  if (chunked) {
    auto decoded = dechunk(body);
    if (!decoded) return failure("truncated reply from " + where + " (the daemon could not finish it)");
    body = std::move(*decoded);
  } else if (length) {
    if (body.size() < *length) return failure("truncated reply from " + where);
    body.resize(*length);
  }
  reply.body = nlohmann::json::parse(body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = body;  // not JSON (e.g. /metrics): keep the text
  return reply;
}

}  // namespace

std::string ApiReply::error_text() const {
  if (ok()) return "";
  std::string e = body.is_object() && body.contains("error") && body["error"].is_string() ? body["error"].get<std::string>()
                  : body.is_string()                                                     ? body.get<std::string>()
                                                                                         : body.dump();
  while (!e.empty() && e.back() == '\n') e.pop_back();
  return e;
}

ApiClient::ApiClient(std::string socket_path, std::chrono::milliseconds timeout, std::string user_agent)
    : socket_path_(std::move(socket_path)), timeout_(timeout), user_agent_(std::move(user_agent)) {}

tl::expected<ApiReply, ApiFailure> ApiClient::request(std::string_view method, std::string_view target,
                                                      const std::optional<nlohmann::json>& body) const {
  sockaddr_un addr{};
  if (socket_path_.empty() || socket_path_.size() >= sizeof addr.sun_path)
    return failure("invalid socket path \"" + socket_path_ + "\"");
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return failure(std::string("socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return failure("cannot connect to " + socket_path_ + ": " + std::strerror(errno) + " \u2014 is evpnd running?",
                   FailureKind::kConnect);
  }
  timeval tv{};
  tv.tv_sec = timeout_.count() / 1000;
  tv.tv_usec = (timeout_.count() % 1000) * 1000;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  std::string payload = body ? body->dump() : "";
  std::string req;
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  req.append("Host: localhost\r\nUser-Agent: ").append(user_agent_);
  req.append("\r\nAccept: application/json\r\nConnection: close\r\n");
  if (body) {
    req.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(payload.size())).append("\r\n");
  }
  req.append("\r\n").append(payload);
  for (std::string_view rest = req; !rest.empty();) {
    ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failure("sending to " + socket_path_ + ": " + std::strerror(errno));
    rest.remove_prefix(size_t(n));
  }
  std::string raw;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return failure("no reply from " + socket_path_ + " within " + std::to_string(timeout_.count() / 1000) + " s");
      return failure("reading from " + socket_path_ + ": " + std::strerror(errno));
    }
    if (n == 0) break;  // the server closes after answering (we sent Connection: close)
    raw.append(buf, size_t(n));
  }
  return parse_reply(raw, socket_path_);
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace evpnd::client

// Test helpers for ApiServer: a raw POSIX unix-socket client (Content-Length, chunked and
// close-delimited replies) and a fixture running the server in a thread (FakeApiServer).
#pragma once

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "api/api_server.hpp"
#include "client/test/fake_api_server.hpp"

namespace evpnd::api::test {

inline int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};  // a hung server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(size_t(n));
  }
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool complete = false;  // framing satisfied (length reached, last-chunk seen, or EOF if close-delimited)
  size_t chunks = 0;      // chunks of a chunked body
};

// Reads more bytes into `pending`; false on EOF/timeout/error.
inline bool recv_more(int fd, std::string& pending) {
  char buf[16384];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  pending.append(buf, size_t(n));
  return true;
}

// Decodes a chunked body at the start of `pending` (RFC 9112 §7.1). Returns bytes used, or 0
// when more input is needed; -1 on a framing error.
inline long decode_chunked(const std::string& pending, RawResponse& r) {
  size_t pos = 0;
  std::string body;
  size_t chunks = 0;
  for (;;) {
    size_t eol = pending.find("\r\n", pos);
    if (eol == std::string::npos) return 0;
    size_t size = 0;
    try {
      size = std::stoul(pending.substr(pos, eol - pos), nullptr, 16);
    } catch (...) {
      return -1;
    }
    if (size == 0) {
      if (pending.compare(eol + 2, 2, "\r\n") != 0) return pending.size() < eol + 4 ? 0 : -1;
      r.body = std::move(body);
      r.chunks = chunks;
      r.complete = true;
      return long(eol + 4);
    }
    if (pending.size() < eol + 2 + size + 2) return 0;
    if (pending.compare(eol + 2 + size, 2, "\r\n") != 0) return -1;
    body.append(pending, eol + 2, size);
    ++chunks;
    pos = eol + 2 + size + 2;
  }
}

// Reads exactly one response from fd; status 0 on EOF/timeout before the header section.
inline RawResponse read_response(int fd, std::string& pending) {
  RawResponse r;
  size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos)
    if (!recv_more(fd, pending)) return RawResponse{};
  std::string head = pending.substr(0, end);
  r.status = std::stoi(head.substr(9, 3));
  for (size_t pos = head.find("\r\n"); pos != std::string::npos && pos < head.size();) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = char(std::tolower(c));
    r.headers[name] = line.substr(colon + 2);
    pos = next;
  }
  pending.erase(0, end + 4);
  if (r.headers.count("content-length") != 0) {
    size_t len = std::stoul(r.headers["content-length"]);
    while (pending.size() < len)
      if (!recv_more(fd, pending)) return r;
    r.body = pending.substr(0, len);
    pending.erase(0, len);
    r.complete = true;
  } else if (auto te = r.headers.find("transfer-encoding"); te != r.headers.end() && te->second == "chunked") {
    for (size_t scanned = 0;;) {
      // Decode once the last-chunk may be there (decoding every read would be quadratic).
      const size_t at = pending.find("0\r\n\r\n", scanned);
      if (at == std::string::npos) {
        scanned = pending.size() < 5 ? 0 : pending.size() - 5;
        if (!recv_more(fd, pending)) return r;
        continue;
      }
      scanned = at + 1;
      long used = decode_chunked(pending, r);
      if (used < 0) return r;
      if (used > 0) {
        pending.erase(0, size_t(used));
        return r;
      }
      if (!recv_more(fd, pending)) return r;
    }
  } else {
    while (recv_more(fd, pending)) {
    }
    r.body = std::move(pending);
    pending.clear();
    r.complete = true;  // close-delimited: EOF is the end
  }
  return r;
}

// True when the server closed the connection. A close with bytes of ours still unread in its
// receive queue (a client that was still sending, as a trickling one is) reaches us on a Unix
// socket as ECONNRESET rather than EOF; both mean closed. A receive timeout (EAGAIN) does not.
inline bool peer_closed(int fd) {
  char c;
  const ssize_t n = ::recv(fd, &c, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

// Runs an ApiServer with `handler()` in a thread (the shared FakeApiServer); the socket's parent
// directories do not exist, so every test also covers the server creating them.
class ApiServerFixture : public ::testing::Test {
 protected:
  virtual ApiHandler handler() = 0;
  void SetUp() override {
    fake_ = std::make_unique<client::testing::FakeApiServer>(handler(), "run/evpnd/evpnd.sock");
    path_ = fake_->socket_path();
  }
  void TearDown() override { fake_.reset(); }
  void stop_server() { fake_->stop(); }
  // Runs f on the server's thread and waits for it; server() only there.
  template <class F>
  void on_io(F&& f) {
    fake_->on_io(std::forward<F>(f));
  }
  ApiServer& server() { return fake_->server(); }
  ApiServerStats stats() {
    ApiServerStats s;
    on_io([&] { s = server().stats(); });
    return s;
  }
  RawResponse request(std::string_view raw) {
    int fd = connect_unix(path_);
    EXPECT_GE(fd, 0);
    send_all(fd, raw);
    std::string pending;
    RawResponse r = read_response(fd, pending);
    ::close(fd);
    return r;
  }

  std::unique_ptr<client::testing::FakeApiServer> fake_;
  std::string path_;
};

}  // namespace evpnd::api::test

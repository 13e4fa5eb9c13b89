// FakeApiServer: the real api::ApiServer on a private unix socket (/tmp/evt-api-XXXXXX/evpnd.sock),
// served by its own thread, with a handler the test supplies. The one fixture for running an
// ApiServer in a test: API clients (evpnctl, the CNI plugin) against the daemon's real HTTP framing
// without a daemon, and the ApiServer's own tests (src/api/test/api_test_client.hpp).
//
// NOTE threading: `handler` runs on the server's thread; guard state it shares with the test.
// server() and io() may only be touched from that thread: use on_io()/post().
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "api/api_server.hpp"

namespace evpnd::client::testing {

class FakeApiServer {
 public:
  // `socket_name` is relative to the private directory; parents that do not exist are created by
  // the ApiServer itself (as evpnd's /run/evpnd would be).
  explicit FakeApiServer(api::ApiHandler handler, const std::string& socket_name = "evpnd.sock") {
    char tmpl[] = "/tmp/evt-api-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/" + socket_name;
    server_ = std::make_unique<api::ApiServer>(io_, path_, std::move(handler));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeApiServer() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  const std::string& socket_path() const { return path_; }
  const std::string& dir() const { return dir_; }

  // Runs f on the server's thread and waits for it (f may use server()).
  template <class F>
  void on_io(F&& f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
  // Queues f on the server's thread without waiting.
  template <class F>
  void post(F&& f) {
    asio::post(io_, std::forward<F>(f));
  }
  api::ApiServer& server() { return *server_; }

  // Destroys the server (its socket file is unlinked) and ends the thread; idempotent. The
  // directory stays until destruction.
  void stop() {
    if (!thread_.joinable()) return;
    on_io([&] { server_.reset(); });
    io_.stop();
    thread_.join();
  }

 private:
  asio::io_context io_;
  std::string dir_, path_;
  std::unique_ptr<api::ApiServer> server_;
  std::thread thread_;
};

}  // namespace evpnd::client::testing

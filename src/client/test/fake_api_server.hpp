// FakeApiServer: the real api::ApiServer on a private unix socket (/tmp/evt-api-XXXXXX/evpnd.sock),
// served by its own thread, with a handler the test supplies. The one fixture for testing API
// clients (evpnctl, the CNI plugin) against the daemon's real HTTP framing without a daemon.
//
// NOTE threading: `handler` runs on the server's thread; guard state it shares with the test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "api/api_server.hpp"

namespace evpnd::client::testing {

class FakeApiServer {
 public:
  explicit FakeApiServer(api::ApiHandler handler) {
    char tmpl[] = "/tmp/evt-api-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/evpnd.sock";
    server_ = std::make_unique<api::ApiServer>(io_, path_, std::move(handler));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeApiServer() {
    std::promise<void> done;
    asio::post(io_, [&] {
      server_.reset();
      done.set_value();
    });
    done.get_future().wait();
    io_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  const std::string& socket_path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  asio::io_context io_;
  std::string dir_, path_;
  std::unique_ptr<api::ApiServer> server_;
  std::thread thread_;
};

}  // namespace evpnd::client::testing

// evpnd: wiring only. One thread runs the io_context; every queue is a callback on it:
//
//   // peer sockets (PeerIo)       -> Daemon::dispatch -> Engine::handle   (bytes, connects, closes)
//   // Engine Effects              -> PeerIo (sends, connects, closes), Daemon timers
//   // asio timers (Daemon)        -> Engine (TimerFired)
//   // API unix socket (ApiServer) -> handle_api -> Engine views / dispatch (routes, reload)
//   // signals (SIGTERM/SIGINT)    -> Daemon::stop (Cease to every peer)
//   // signals (SIGHUP)            -> Daemon::reload (diff and apply the configuration)
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "api/api_server.hpp"
#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"

int main(int argc, char** argv) {
  using namespace evpnd;
  CLI::App app{"evpnd: VXLAN-EVPN BGP speaker"};
  std::string config_file, check_file, log_level;
  app.add_option("-c,--config", config_file, "configuration file (YAML)");
  app.add_option("--check-config", check_file, "validate a configuration file and exit");
  app.add_option("-l,--log-level", log_level, "trace|debug|info|warn|error (overrides the file)");
  CLI11_PARSE(app, argc, argv);

  if (!check_file.empty()) {
    auto c = api::parse_config_file(check_file);
    if (!c) {
      std::cerr << c.error().to_string() << "\n";
      return 1;
    }
    std::cout << check_file << ": ok (" << c->neighbors.size() << " neighbors)\n";
    return 0;
  }
  if (config_file.empty()) {
    std::cerr << "evpnd: -c FILE is required (or --check-config FILE)\n";
    return 2;
  }
  auto cfg = api::parse_config_file(config_file);
  if (!cfg) {
    std::cerr << "evpnd: " << cfg.error().to_string() << "\n";
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(log_level.empty() ? cfg->log_level : log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  try {
    asio::io_context io(1);
    daemon::Daemon d(io, *cfg);
    if (!log_level.empty()) d.pin_log_level();
    std::unique_ptr<api::ApiServer> api_server;
    if (!cfg->api_socket.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(cfg->api_socket).parent_path(), ec);
      api_server = std::make_unique<api::ApiServer>(
          io, cfg->api_socket, [&d](const api::ApiRequest& r) { return daemon::handle_api(d, r); });
    }
    asio::signal_set stop_signals(io, SIGINT, SIGTERM);
    stop_signals.async_wait([&](asio::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", sig);
      d.stop();
    });
    asio::signal_set hup(io, SIGHUP);
    std::function<void()> wait_hup = [&] {
      hup.async_wait([&](asio::error_code ec, int) {
        if (ec) return;
        spdlog::info("SIGHUP: reloading {}", cfg->source_file);
        (void)d.reload();
        wait_hup();
      });
    };
    wait_hup();
    d.start();
    spdlog::info("evpnd started: router-id {} AS{}, {} neighbors, api {}", cfg->router_id.to_string(), cfg->asn,
                 cfg->neighbors.size(), cfg->api_socket);
    io.run();
    api_server.reset();
    spdlog::info("evpnd stopped");
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
  return 0;
}

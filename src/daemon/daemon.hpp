// Daemon: the imperative shell around the engine. It owns the io_context-side objects (peer
// sockets, timers, signals, API server), turns their callbacks into engine Events and carries
// out the Effects. Configuration reloads (SIGHUP, POST /v1/config/reload) are applied here as
// a diff: only added/removed/changed neighbours and L2VNIs are touched; the log level applies at
// once. Sections that need a restart (VRFs, vtep, duplicate detection, API socket) are not
// applied: the running values stay in config() and the reload answer lists them under
// "restart_required" (a warning is logged), so no view claims a state the daemon is not in.
//
// NOTE threading: one thread runs io_context; every method is called on it.
// NOTE errors: a bad configuration on reload is refused and the running state kept.
#pragma once

#include "daemon/dataplane_io.hpp"
#include "daemon/loop_monitor.hpp"
#include "daemon/peer_io.hpp"
#include "daemon/runtime_state.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "api/api_server.hpp"
#include "api/config.hpp"
#include "engine/engine.hpp"

namespace evpnd::daemon {

struct ListenEndpoint {
  IpAddress address;
  uint16_t port = 0;
  bool operator==(const ListenEndpoint&) const = default;
  std::string to_string() const;  // "10.0.0.1:179", "[::]:179"
};

bgp::SpeakerConfig speaker_config(const api::Config& c);
// Where the BGP listener of `c` goes; nullopt when `listen.port` is 0 (no listener).
std::optional<ListenEndpoint> listen_endpoint(const api::Config& c);
bgp::PeerConfig peer_config(const api::NeighborConfig& n);
// BGP inside VRFs (daemon_vrf.cpp, issue 10).
bool vrf_has_bgp(const api::VrfConfig& v);
engine::ev::ConfigureVrfBgp vrf_bgp_event(const api::VrfConfig& v);
SecurityTable vrf_security(const api::VrfConfig& v);
VrfSocketSpec vrf_socket_spec(const api::Config& c, const api::VrfConfig& v, const std::string& own_netns);
// Why `c`'s VRF BGP cannot work here ("" = it can): a route reflector has no VRFs.
std::string check_vrf_bgp(const api::Config& c);
// The engine for a configuration: with an EvpnService when it has a vtep section, VNIs or VRFs.
std::unique_ptr<engine::Engine> make_engine(const api::Config& c, const std::string& own_netns);
// Name of the network namespace this process runs in (a /run/netns entry), "" when unnamed.
std::string own_netns_name();

class Daemon {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  Daemon(asio::io_context& io, api::Config cfg);
  ~Daemon();

  // Leaf role: opens the data plane, ensures the VNI devices, feeds existing local learning to
  // EVPN and schedules the convergence reconcile. Then starts the listener and every configured
  // neighbour. Throws std::system_error when the listen address cannot be bound or the data
  // plane cannot be opened.
  void start();
  // Sends Cease to every peer, then stops the io_context once the NOTIFICATIONs are written.
  void stop();
  // Re-reads the configuration file; returns the applied diff as JSON or "file:line: reason".
  // Refused (nothing changed, counted in reloads().refused) when the file does not validate
  // or its `listen` cannot be bound: everything that can fail is done before anything changes.
  tl::expected<nlohmann::json, std::string> reload();
  // -l on the command line: a reload then leaves the log level alone.
  void pin_log_level() { log_level_pinned_ = true; }

  engine::Effects dispatch(decltype(engine::Event::body) body);
  const engine::Engine& engine() const { return *engine_; }
  const api::Config& config() const { return cfg_; }
  // The data plane (leaf role), nullptr on a route reflector.
  const DataplaneIo* dataplane() const { return dp_io_.get(); }
  uint64_t notices_logged() const { return notices_; }
  struct ReloadCounters {
    uint64_t applied = 0;
    uint64_t refused = 0;
  };
  const ReloadCounters& reloads() const { return reloads_; }
  TimePoint now() const { return std::chrono::steady_clock::now(); }
  uint16_t listen_port() const { return io_peers_.listen_port(); }
  const PeerIo& peer_io() const { return io_peers_; }
  const LoopMonitor& loop_monitor() const { return loop_monitor_; }

  // Run-time segments (issue 11; daemon_segments.cpp, shapes in docs/API.md "Run-time segments
  // and endpoints"). PUT /v1/evpn/vnis/N: ensure VNI `vni` with `body` (the keys of an `l2vnis:`
  // entry + `attachment`), validated with the configuration's rules on file + API VNIs.
  api::ApiResponse ensure_vni(Vni vni, const nlohmann::json& body);
  // GET /v1/evpn/vnis/N: VNI-STATE, 404 when the VNI does not run.
  api::ApiResponse vni_state(Vni vni) const;
  // DELETE /v1/evpn/vnis/N?attachment=ID: the last attachment of an API VNI removes it.
  api::ApiResponse release_vni(Vni vni, const std::string& attachment);
  // Local endpoints (issue 11; daemon_endpoints.cpp, docs/API.md): POST /v1/evpn/endpoints
  // (201 created, 200 replaced by the same attachment; 404 its VNI does not run; 409 the MAC or
  // one of its IPs is another attachment's endpoint) and DELETE (`attachment`, when given, must
  // be the endpoint's: a stale DEL does not retract a newer pod's MAC).
  api::ApiResponse add_endpoint(RuntimeEndpoint e);
  api::ApiResponse remove_endpoint(Vni vni, const Mac& mac, const std::optional<std::string>& attachment);
  // What was created through the API (persisted in <state-dir>/runtime.json).
  const RuntimeState& runtime() const { return runtime_; }
  // Writes runtime_ to runtime_state_path(cfg_.state_dir) atomically. A failure is logged and
  // counted (runtime_save_failures(), metric evpnd_runtime_state_save_failures_total); the state
  // in memory stays and the next save writes it all. Returns whether the file is written.
  bool save_runtime();
  uint64_t runtime_save_failures() const { return runtime_save_failures_; }

 private:
  void apply(engine::Effects& fx);
  void start_dataplane();
  void on_dataplane_events(std::vector<dataplane::DataplaneEvent>&& evs);
  void resync();
  void arm_evpn_timer();
  void check_convergence();
  void arm_timer(const bgp::TimerRequest& t);
  void install_security();
  // BGP inside VRFs (daemon_vrf.cpp).
  void start_vrf_bgp();
  tl::expected<void, std::string> open_vrf_bgp(const api::VrfConfig& v);
  void close_vrf_bgp(const std::string& vrf);
  nlohmann::json reload_vrf_bgp(const api::ConfigDiff& diff, const api::Config& before);
  void reload_advertise(const api::Config& before);
  void start_listener();
  // Binds `want` before closing the running listener; on failure the running one stays.
  tl::expected<void, std::string> switch_listener(const std::optional<ListenEndpoint>& want);
  // Reload steps: restores the sections that need a restart in `next` (returns their names),
  // then commits a prepared reload (cannot fail).
  nlohmann::json keep_restart_sections(const api::ConfigDiff& diff, api::Config& next) const;
  bool vnis_live(const api::ConfigDiff& diff) const;
  nlohmann::json commit_reload(const api::ConfigDiff& diff, api::Config next, std::unique_ptr<engine::Engine> new_engine);

  asio::io_context& io_;
  LoopMonitor loop_monitor_{io_};
  api::Config cfg_;
  bool log_level_pinned_ = false;
  std::unique_ptr<engine::Engine> engine_;
  PeerIo io_peers_;
  struct Timer {
    std::unique_ptr<asio::steady_timer> timer;
    uint64_t gen = 0;
  };
  std::map<bgp::TimerKey, Timer> timers_;
  bool stopping_ = false;
  // Leaf role.
  std::string own_netns_;
  std::unique_ptr<DataplaneIo> dp_io_;
  std::unique_ptr<asio::steady_timer> evpn_timer_;     // EvpnService::next_deadline (DAD freeze)
  std::optional<ListenEndpoint> listening_on_;  // what the running listener is bound to
  std::optional<TimePoint> evpn_deadline_;
  std::unique_ptr<asio::steady_timer> converge_timer_;  // the start-up reconcile
  TimePoint started_at_{};
  std::optional<TimePoint> all_up_since_;
  bool reconciled_ = false;
  uint64_t batches_seen_ = 0;  // DataplaneIo batches at the last convergence poll
  uint64_t notices_ = 0;
  ReloadCounters reloads_;
  // Run-time segments and endpoints (daemon_segments.cpp, daemon_endpoints.cpp).
  RuntimeState runtime_;
  uint64_t runtime_save_failures_ = 0;
  // Start-up: loads the state file (a bad one is set aside as runtime.json.bad), drops API VNIs
  // that no longer validate (logged) and returns `file` + the API VNIs: the engine is built
  // from it, so API VNIs are set up exactly like file VNIs (daemon_segments.cpp).
  api::Config restore_runtime(const api::Config& file);
  bool restored_changed_ = false;  // restore_runtime dropped or changed something: save
  // `file` + the API VNIs it does not define itself, as they run (with their RDs).
  api::Config effective_config(const api::Config& file) const;
  // runtime_.vnis[].spec = the settings each VNI runs with, RD explicit (daemon_segments.cpp).
  void refresh_specs();
  // Reload: the API VNIs against the new file (takeover, kept VNIs); "" or why the reload is refused.
  std::string check_reload_vnis(const api::Config& next) const;
  // Reload with live VNI changes: a removed file VNI that attachments hold is kept (it runs on as
  // an API VNI), an added one that runs as an API VNI is taken over (unchanged when its settings
  // are the same, else re-created). Adjusts `diff`; returns {kept: [..], taken_over: [..]}.
  nlohmann::json reload_runtime_vnis(const api::Config& next, api::ConfigDiff& diff);
  // Endpoints (daemon_endpoints.cpp): the ones of runtime_ in `vnis` (all when unset) announced
  // again — at start-up right after StartEvpn, after a new engine, after a reload re-created a
  // VNI. One that cannot be (its VNI does not run, its port is gone) is dropped and logged.
  void announce_endpoints(const std::optional<std::set<Vni>>& vnis = std::nullopt);
  // Backstop: endpoints on a bridge port that the data plane reports removed are retracted.
  void retract_endpoints_of_removed_ports(const std::vector<dataplane::DataplaneEvent>& evs);
  bool drop_endpoint(std::map<std::pair<Vni, Mac>, RuntimeEndpoint>::iterator it, const std::string& why);
};

}  // namespace evpnd::daemon

#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

namespace evpnd::daemon {
namespace {
constexpr uint8_t kCeaseAdminShutdown = 2;    // RFC 4486 §4
constexpr uint8_t kCeaseDeconfigured = 3;     // RFC 4486 §4
constexpr uint8_t kCeaseConfigChange = 6;     // "Other Configuration Change"

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

nlohmann::json addrs(const std::vector<IpAddress>& v) {
  auto j = nlohmann::json::array();
  for (const auto& a : v) j.push_back(a.to_string());
  return j;
}
}  // namespace

bgp::SpeakerConfig speaker_config(const api::Config& c) {
  bgp::SpeakerConfig s;
  s.asn = c.asn;
  s.router_id = c.router_id;
  s.cluster_id = c.cluster_id;
  s.graceful_restart = c.graceful_restart.enabled;
  s.restart_time = c.graceful_restart.restart_time;
  s.stale_time = c.graceful_restart.stale_time;
  s.select_defer_time = c.graceful_restart.select_defer_time;
  // RFC 4724 §3 F bit: the forwarding state of the routes we advertise survives our restart.
  // The Linux data plane with on-stop keep leaves its kernel entries in place (and a crash
  // removes nothing). A node without a data plane (route reflector) forwards none of the
  // traffic of the routes it reflects: their next hops are the leaves' VTEPs (RFC 4456 §10),
  // so their forwarding state is the leaves' and a restart of the reflector cannot lose it.
  // The fake data plane (tests) keeps its entries in memory only: nothing survives.
  s.preserve_forwarding = (c.dataplane == api::DataplaneKind::kLinux && !c.remove_entries_on_stop) ||
                          c.dataplane == api::DataplaneKind::kNone;
  return s;
}

bgp::PeerConfig peer_config(const api::NeighborConfig& n) {
  bgp::PeerConfig p;
  p.address = n.address;
  p.remote_as = n.remote_as;
  p.port = n.port;
  p.families = n.families;
  p.route_reflector_client = n.route_reflector_client;
  p.passive = n.passive;
  p.description = n.description;
  p.update_source = n.update_source;
  p.hold_time = n.hold_time;
  p.keepalive = n.keepalive;
  p.connect_retry = n.connect_retry;
  p.md5_password = n.md5_password;
  p.ttl_security_hops = n.ttl_security_hops;
  p.max_prefixes = n.max_prefixes;
  p.max_prefix_restart = n.max_prefixes_restart;
  p.graceful_restart = n.graceful_restart;
  p.nlri_error_withdraw = n.nlri_error_withdraw;
  p.send_hold_time = n.send_hold_time;
  p.import_filter = n.import_prefixes;
  p.export_filter = n.export_prefixes;
  p.ebgp_multihop = n.ebgp_multihop;
  return p;
}

Daemon::Daemon(asio::io_context& io, api::Config cfg)
    : io_(io),
      cfg_(std::move(cfg)),
      engine_(nullptr),
      io_peers_(io, PeerIo::Callbacks{
                        [this](ConnId c, std::optional<IpAddress> local) { dispatch(engine::ev::Connected{c, local}); },
                        [this](ConnId c, std::string why) { dispatch(engine::ev::ConnectFailed{c, std::move(why)}); },
                        [this](ConnId c, IpAddress remote, std::string vrf, std::optional<IpAddress> local) {
                          const auto fx = dispatch(engine::ev::Accepted{c, remote, std::move(vrf), local});
                          if (fx.refused) io_peers_.refusals().refused(remote, *fx.refused, now());
                        },
                        [this](ConnId c, ByteView b) { dispatch(engine::ev::Data{c, b}); },
                        [this](ConnId c) { dispatch(engine::ev::Closed{c}); },
                        [this](ConnId c, size_t n) { dispatch(engine::ev::Sent{c, n}); },
                    }) {
  own_netns_ = own_netns_name();
  // API VNIs (runtime.json) are part of the engine's configuration from the start: they are set
  // up exactly like the file's, by StartEvpn, before the start-up reconcile (daemon_segments.cpp).
  engine_ = make_engine(restore_runtime(cfg_), own_netns_);
  const RuntimeState loaded = runtime_;
  refresh_specs();
  if (restored_changed_ || !(loaded == runtime_)) save_runtime();
}

Daemon::~Daemon() {
  for (auto& [k, t] : timers_) t.timer->cancel();
  if (evpn_timer_) evpn_timer_->cancel();
  if (converge_timer_) converge_timer_->cancel();
}

void Daemon::install_security() {
  std::map<IpAddress, PeerSecurity> sec;
  for (const auto& n : cfg_.neighbors) sec[n.address] = PeerSecurity{n.md5_password, n.ttl_security_hops, n.ebgp_multihop};
  io_peers_.set_security(std::move(sec));
}

std::optional<ListenEndpoint> listen_endpoint(const api::Config& c) {
  if (c.listen_port == 0) return std::nullopt;
  IpAddress addr = c.listen_address;
  // The default 0.0.0.0 cannot accept IPv6 peers: with any IPv6 neighbor it becomes a
  // dual-stack "::" (IPv4 peers arrive as ::ffff:a.b.c.d, which PeerIo normalises to IPv4).
  const bool any_v6 = std::any_of(c.neighbors.begin(), c.neighbors.end(), [](const auto& n) { return n.address.is_v6(); });
  if (addr.is_v4() && addr.is_unspecified() && any_v6) addr = *IpAddress::parse("::");
  return ListenEndpoint{addr, c.listen_port};
}

std::string ListenEndpoint::to_string() const {
  // Appends only: g++ 12 -O3 reports a false -Wrestrict for `"literal" + std::string` (PR 105329).
  std::string s;
  if (address.is_v6()) s.append("[").append(address.to_string()).append("]");
  else s.append(address.to_string());
  return s.append(":").append(std::to_string(port));
}

void Daemon::start_listener() {
  const auto ep = listen_endpoint(cfg_);
  if (!ep) return;
  io_peers_.listen(ep->address, ep->port);
  listening_on_ = ep;
}

tl::expected<void, std::string> Daemon::switch_listener(const std::optional<ListenEndpoint>& want) {
  if (want == listening_on_) return {};
  if (!want) {  // listen.port 0: stop listening
    io_peers_.stop_listening();
    listening_on_.reset();
    return {};
  }
  auto l = io_peers_.bind_listener(want->address, want->port);
  const auto overlaps = [](const ListenEndpoint& a, const ListenEndpoint& b) {
    return a.port == b.port && (a.address == b.address || a.address.is_unspecified() || b.address.is_unspecified());
  };
  if (!l && l.error() == asio::error::address_in_use && listening_on_ && overlaps(*listening_on_, *want)) {
    // The new address shares the running listener's port (e.g. 0.0.0.0 -> 10.0.0.1), and
    // Linux allows one listening socket there: close ours, bind, and bind ours again if the
    // new one cannot be. Established sessions are separate sockets and are not affected.
    io_peers_.stop_listening();
    l = io_peers_.bind_listener(want->address, want->port);
    if (!l) {
      auto back = io_peers_.bind_listener(listening_on_->address, listening_on_->port);
      if (back) {
        io_peers_.use_listener(std::move(*back));
      } else {
        spdlog::critical("cannot listen on {} again: {}; not accepting connections", listening_on_->to_string(),
                         back.error().message());
        listening_on_.reset();
      }
    }
  }
  if (!l) return tl::unexpected(std::string("listen: cannot listen on ").append(want->to_string()).append(": ").append(l.error().message()));
  io_peers_.use_listener(std::move(*l));
  listening_on_ = want;
  return {};
}

void Daemon::start() {
  if (engine_->evpn()) start_dataplane();
  install_security();
  start_listener();
  for (const auto& n : cfg_.neighbors) dispatch(engine::ev::AddPeer{peer_config(n)});
  start_vrf_bgp();  // after the data plane: the VRFs' namespaces exist now
}

void Daemon::stop() {
  if (stopping_) return;
  stopping_ = true;
  const bgp::SpeakerConfig sc = speaker_config(cfg_);
  if (sc.graceful_restart && sc.preserve_forwarding) {
    // RFC 4724 §4: a restarting speaker's sessions end without a NOTIFICATION (a Cease makes
    // helpers flush our routes, RFC 8538 §2); helpers keep our routes as stale while the
    // kernel goes on forwarding. Peers without graceful restart still get the Cease.
    spdlog::info("stopping: graceful restart, closing sessions without NOTIFICATION");
    std::vector<std::pair<std::string, IpAddress>> cease;
    std::vector<std::string> instances = engine_->bgp_vrfs();
    instances.insert(instances.begin(), "");
    for (const auto& vrf : instances)
      for (const bgp::Peer* p : engine_->speaker(vrf)->peers())
        if (!(p->established() && p->neg.graceful_restart)) cease.emplace_back(vrf, p->cfg.address);
    for (const auto& [vrf, a] : cease) dispatch(engine::ev::RemovePeer{a, kCeaseAdminShutdown, vrf});
  } else {
    spdlog::info("stopping: sending Cease to every peer");
    dispatch(engine::ev::Shutdown{});
  }
  io_peers_.stop_listening();
  for (auto& [k, t] : timers_) t.timer->cancel();
  if (evpn_timer_) evpn_timer_->cancel();
  if (converge_timer_) converge_timer_->cancel();
  if (dp_io_) {
    if (cfg_.remove_entries_on_stop) dp_io_->remove_entries();
    else dp_io_->flush();
    dp_io_->stop();
  }
  // Give the NOTIFICATIONs a moment to leave, then stop the loop.
  auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(200));
  t->async_wait([this, t](asio::error_code) {
    io_peers_.close_all();
    io_.stop();
  });
}

engine::Effects Daemon::dispatch(decltype(engine::Event::body) body) {
  engine::Event e{std::chrono::steady_clock::now(), std::move(body)};
  engine::Effects fx = engine_->handle(e);
  apply(fx);
  return fx;
}

void Daemon::apply(engine::Effects& fx) {
  for (const auto& op : fx.io) {
    std::visit(Overloaded{
                   [&](const bgp::ConnectRequest& r) {
                     // The instance's VRF (ConnId >> 32, SpeakerConfig::instance): the socket goes there.
                     const auto vrf = engine_->instance_vrf(static_cast<uint16_t>(r.conn >> 32));
                     io_peers_.connect(r, vrf.value_or(""));
                   },
                   [&](const bgp::SendRequest& r) { io_peers_.send(r.conn, r.data); },
                   [&](const bgp::CloseRequest& r) { io_peers_.close(r.conn, r.abort); },
               },
               op);
  }
  io_peers_.flush();
  for (const auto& t : fx.timers) arm_timer(t);
  for (const auto& n : fx.notices) {
    ++notices_;
    const auto lvl = n.severity == evpn::Severity::kError     ? spdlog::level::err
                     : n.severity == evpn::Severity::kWarning ? spdlog::level::warn
                                                              : spdlog::level::info;
    spdlog::log(lvl, "evpn: {}: {}", evpn::to_string(n.kind), n.text);
  }
  if (!fx.intents.empty() && dp_io_ && !stopping_) dp_io_->submit(std::move(fx.intents));
  if (engine_->evpn()) arm_evpn_timer();
}

void Daemon::arm_timer(const bgp::TimerRequest& req) {
  if (stopping_) return;
  auto& slot = timers_[req.key];
  if (!slot.timer) slot.timer = std::make_unique<asio::steady_timer>(io_);
  ++slot.gen;
  slot.timer->cancel();
  if (!req.delay) {
    timers_.erase(req.key);  // the cancelled handler sees the slot gone or a newer generation
    return;
  }
  slot.timer->expires_after(*req.delay);
  slot.timer->async_wait([this, key = req.key, gen = slot.gen](asio::error_code ec) {
    if (ec) return;
    auto it = timers_.find(key);
    if (it == timers_.end() || it->second.gen != gen) return;
    dispatch(engine::ev::TimerFired{key});
  });
}

tl::expected<nlohmann::json, std::string> Daemon::reload() {
  auto refuse = [this](const std::string& msg) {
    spdlog::error("configuration reload refused, keeping the running configuration: {}", msg);
    ++reloads_.refused;
    return tl::unexpected(msg);
  };
  // Everything that can fail (parse, the new engine, binding the new listener) happens before
  // any running state is touched; what follows it cannot fail. So a refused reload leaves the
  // sessions, neighbours, listener and VNIs exactly as they were.
  try {
    auto next = api::parse_config_file(cfg_.source_file);
    if (!next) return refuse(next.error().to_string());
    if (auto err = check_vrf_bgp(*next); !err.empty()) return refuse(err);
    const api::ConfigDiff diff = api::diff_config(cfg_, *next);
    nlohmann::json restart = keep_restart_sections(diff, *next);
    // API VNIs must still fit next to the new file's (devices, RDs, VRFs): docs/CONFIG.md "Reload".
    if (auto err = check_reload_vnis(*next); !err.empty()) return refuse(err);
    std::unique_ptr<engine::Engine> new_engine;
    if (diff.global_changed) new_engine = make_engine(effective_config(*next), own_netns_);
    if (auto sw = switch_listener(listen_endpoint(*next)); !sw) return refuse(sw.error());
    const bool state_dir_changed = next->state_dir != cfg_.state_dir;
    const RuntimeState saved = runtime_;
    auto applied = commit_reload(diff, std::move(*next), std::move(new_engine));
    // The specs follow what runs now (a takeover, a kept VNI, a new engine); a new state-dir
    // gets the whole state at once.
    refresh_specs();
    if (state_dir_changed) applied["state_dir"] = cfg_.state_dir;
    if (!(saved == runtime_) || (state_dir_changed && !runtime_.empty())) save_runtime();
    applied["restart_required"] = std::move(restart);
    ++reloads_.applied;
    spdlog::info("configuration reloaded from {}: {}", cfg_.source_file, applied.dump());
    return applied;
  } catch (const std::exception& e) {
    return refuse(std::string("cannot apply: ").append(e.what()));
  }
}

nlohmann::json Daemon::keep_restart_sections(const api::ConfigDiff& diff, api::Config& next) const {
  // Sections only a restart applies: keep the running values, say which ones changed.
  nlohmann::json restart = nlohmann::json::array();
  const bool vnis_changed = !diff.l2vnis_added.empty() || !diff.l2vnis_removed.empty() || !diff.l2vnis_changed.empty();
  if (vnis_changed && !vnis_live(diff)) {
    restart.push_back("l2vnis");
    next.l2vnis = cfg_.l2vnis;
  }
  if (!diff.vrfs_added.empty() || !diff.vrfs_removed.empty() || !diff.vrfs_changed.empty()) {
    // The VRFs' EVPN part waits for a restart; their BGP part (vrf_bgp_changed) applies now.
    restart.push_back("vrfs");
    std::vector<api::VrfConfig> kept = cfg_.vrfs;
    for (auto& v : kept)
      for (const auto& n : next.vrfs)
        if (n.name == v.name) {
          v.neighbors = n.neighbors, v.listen_ranges = n.listen_ranges, v.asn = n.asn;
          v.advertise_unicast = n.advertise_unicast, v.gateway_ip = n.gateway_ip, v.export_evpn = n.export_evpn;
        }
    next.vrfs = std::move(kept);
  }
  // (A VRF's redistribution switches are applied live: reload_vrf_bgp, ev::VrfRedistribution.)
  if (diff.vtep_changed) {
    restart.push_back("vtep");
    next.dataplane = cfg_.dataplane;
    next.vtep_source = cfg_.vtep_source;
    next.vxlan_port = cfg_.vxlan_port;
    next.vrf_backend = cfg_.vrf_backend;
    next.rt_auto = cfg_.rt_auto;
    next.remove_entries_on_stop = cfg_.remove_entries_on_stop;
  }
  const bool segments_changed = !diff.segments_added.empty() || !diff.segments_removed.empty() ||
                                !diff.segments_changed.empty() || diff.es_timers_changed;
  if (segments_changed && !diff.global_changed && !(engine_->evpn() && !diff.vtep_changed)) {
    restart.push_back("ethernet-segments");  // no EVPN service, or a new VTEP: at the restart
    next.ethernet_segments = cfg_.ethernet_segments;
    next.es_timers = cfg_.es_timers;
  }
  if (diff.dad_changed) {
    restart.push_back("duplicate-address-detection");
    next.dad = cfg_.dad;
  }
  if (diff.graceful_restart_changed) {  // part of the speaker's identity, built once
    restart.push_back("graceful-restart");
    next.graceful_restart = cfg_.graceful_restart;
  }
  if (diff.api_changed) {
    restart.push_back("api");
    next.api_socket = cfg_.api_socket;
  }
  if (!restart.empty())
    spdlog::warn("configuration reload: {} changed; these apply at the next restart (running values kept)",
                 restart.dump());
  return restart;
}

bool Daemon::vnis_live(const api::ConfigDiff& diff) const {
  // L2VNIs change live when the rest of the EVPN setup they hang off stays (VRFs, VTEP, DAD,
  // identity) and this daemon runs an EVPN service; otherwise they wait for a restart.
  return engine_->evpn() && !diff.global_changed && !diff.vtep_changed && !diff.dad_changed &&
         diff.vrfs_added.empty() && diff.vrfs_removed.empty() && diff.vrfs_changed.empty();
}

nlohmann::json Daemon::commit_reload(const api::ConfigDiff& file_diff, api::Config next,
                                     std::unique_ptr<engine::Engine> new_engine) {
  api::ConfigDiff diff = file_diff;  // API VNIs change what the file's VNI changes mean
  const bool vnis_touched = !diff.l2vnis_added.empty() || !diff.l2vnis_removed.empty() || !diff.l2vnis_changed.empty();
  const nlohmann::json runtime_vnis = vnis_touched && vnis_live(diff) && !new_engine ? reload_runtime_vnis(next, diff)
                                                                                     : nlohmann::json(nullptr);
  nlohmann::json applied = {{"global_changed", diff.global_changed},
                            {"listen_changed", diff.listen_changed},
                            {"neighbors_added", addrs(diff.neighbors_added)},
                            {"neighbors_removed", addrs(diff.neighbors_removed)},
                            {"neighbors_changed", addrs(diff.neighbors_changed)}};
  const bool vnis_changed = !diff.l2vnis_added.empty() || !diff.l2vnis_removed.empty() || !diff.l2vnis_changed.empty();
  if (vnis_changed && vnis_live(diff)) {
    engine::ev::ReconfigureVnis rc;
    for (Vni v : diff.l2vnis_removed) rc.removed.push_back(v);
    for (Vni v : diff.l2vnis_changed) rc.removed.push_back(v);
    for (const auto& l : next.l2vnis) {
      const bool add = std::count(diff.l2vnis_added.begin(), diff.l2vnis_added.end(), l.vni) ||
                       std::count(diff.l2vnis_changed.begin(), diff.l2vnis_changed.end(), l.vni);
      if (add) rc.added.push_back(l);
    }
    auto fx = dispatch(std::move(rc));
    if (!fx.error.empty()) spdlog::warn("configuration reload: VNI changes: {}", fx.error);
    // A re-created VNI lost its API endpoints with its MAC-VRF: announce them again.
    announce_endpoints(std::set<Vni>(diff.l2vnis_changed.begin(), diff.l2vnis_changed.end()));
    // What the EVPN service runs now is the truth for the views, whatever was refused.
    std::vector<api::L2VniConfig> running;
    for (const auto& l : next.l2vnis)
      if (engine_->evpn()->mac_vrf(l.vni)) running.push_back(l);
    for (const auto& l : cfg_.l2vnis)  // a refused removal keeps the old entry (a kept one is the API's now)
      if (engine_->evpn()->mac_vrf(l.vni) && !(runtime_vnis.is_object() && std::count(runtime_vnis["kept"].begin(), runtime_vnis["kept"].end(), l.vni)) &&
          std::none_of(running.begin(), running.end(), [&](const auto& r) { return r.vni == l.vni; }))
        running.push_back(l);
    next.l2vnis = std::move(running);
    applied["l2vnis_added"] = diff.l2vnis_added;
    applied["l2vnis_removed"] = diff.l2vnis_removed;
    applied["l2vnis_changed"] = diff.l2vnis_changed;
    if (!fx.error.empty()) applied["l2vnis_errors"] = fx.error;
    if (!runtime_vnis.is_null()) {
      applied["l2vnis_kept"] = runtime_vnis["kept"];
      applied["l2vnis_taken_over"] = runtime_vnis["taken_over"];
    }
  }
  const bool segments_changed = !diff.segments_added.empty() || !diff.segments_removed.empty() ||
                                !diff.segments_changed.empty() || diff.es_timers_changed;
  if (segments_changed && !new_engine && engine_->evpn() && !diff.vtep_changed) {
    // Applied live after the VNIs (a segment's attachments name them): docs/CONFIG.md "Reload".
    auto fx = dispatch(engine::ev::ReconfigureSegments{next.ethernet_segments, next.es_timers});
    if (!fx.error.empty()) spdlog::warn("configuration reload: Ethernet segments: {}", fx.error);
    applied["segments_added"] = diff.segments_added;
    applied["segments_removed"] = diff.segments_removed;
    applied["segments_changed"] = diff.segments_changed;
    applied["es_timers_changed"] = diff.es_timers_changed;
  }
  if (diff.log_level_changed && !log_level_pinned_) {
    spdlog::set_level(spdlog::level::from_str(next.log_level));
    applied["log_level"] = next.log_level;
  }
  const api::Config before = std::exchange(cfg_, std::move(next));
  install_security();
  if (new_engine) {
    // Router id, AS or cluster id changed: every session restarts under the new identity
    // (routes originated through the API are not kept).
    spdlog::warn("global settings changed: restarting every session");
    dispatch(engine::ev::Shutdown{});
    for (auto& [k, t] : timers_) t.timer->cancel();
    timers_.clear();
    engine_ = std::move(new_engine);
    if (engine_->evpn() && dp_io_) {
      // A new identity re-derives every route: start EVPN again; what the old engine installed
      // and the new one does not want goes away at the next convergence reconcile.
      dp_io_->reset_desired();
      dispatch(engine::ev::StartEvpn{});
      announce_endpoints(std::nullopt);  // the new engine's VNIs have none yet
      reconciled_ = false;
      all_up_since_.reset();
      started_at_ = now();
      check_convergence();
    }
    for (const auto& n : cfg_.neighbors) dispatch(engine::ev::AddPeer{peer_config(n)});
    for (const auto& v : cfg_.vrfs) {
      if (!vrf_has_bgp(v)) {
        io_peers_.remove_vrf(v.name);
        continue;
      }
      if (auto ok = open_vrf_bgp(v); !ok) spdlog::error("configuration reload: vrf {}: {}", v.name, ok.error());
    }
    if (!cfg_.advertise.empty()) dispatch(engine::ev::AdvertiseUnicast{cfg_.advertise, true});
    return applied;
  }
  for (const auto& a : diff.neighbors_removed) dispatch(engine::ev::RemovePeer{a, kCeaseDeconfigured});
  for (const auto& a : diff.neighbors_changed) dispatch(engine::ev::RemovePeer{a, kCeaseConfigChange});
  auto add = [&](const IpAddress& a) {
    auto it = std::find_if(cfg_.neighbors.begin(), cfg_.neighbors.end(), [&](const auto& n) { return n.address == a; });
    if (it != cfg_.neighbors.end()) dispatch(engine::ev::AddPeer{peer_config(*it)});
  };
  for (const auto& a : diff.neighbors_changed) add(a);
  for (const auto& a : diff.neighbors_added) add(a);
  if (!diff.vrf_bgp_changed.empty()) applied["vrf_bgp"] = reload_vrf_bgp(diff, before);
  if (diff.advertise_changed) {
    reload_advertise(before);
    applied["advertise_changed"] = true;
  }
  return applied;
}

}  // namespace evpnd::daemon

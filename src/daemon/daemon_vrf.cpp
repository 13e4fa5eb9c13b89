// Daemon: BGP inside VRFs (issue 10) and the global `advertise:` list. Kept apart from
// daemon.cpp (global sessions, reload) so each stays readable.
//
//   start:  for every VRF with neighbors / listen-ranges: PeerIo::add_vrf (sockets in the VRF:
//           its namespace, or bound to its device; a listener on the global listen port there),
//           its security table (MD5, GTSM, ebgp-multihop TTL per address and per range), then
//           ev::ConfigureVrfBgp and ev::AddPeer{cfg, vrf} per neighbour; ev::AdvertiseUnicast.
//   reload: ConfigDiff::vrf_bgp_changed VRFs get their instance created / updated (listen ranges,
//           AS) / removed and their neighbours added / removed / restarted (Cease 6/3, 6/6) like
//           the global ones, without touching the VRF's EVPN state; new redistribution switches
//           go to EvpnService::set_vrf_redistribution (ev::VrfRedistribution); advertise_changed
//           announces and withdraws the difference.
//
// A VRF's BGP needs the VRF itself: with `dataplane: none` (a pure route reflector) there is
// none, and the configuration is refused with that reason.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {
constexpr uint8_t kCeaseDeconfigured = 3;  // RFC 4486 §4
constexpr uint8_t kCeaseConfigChange = 6;  // "Other Configuration Change"

nlohmann::json addrs(const std::vector<IpAddress>& v) {
  auto j = nlohmann::json::array();
  for (const auto& a : v) j.push_back(a.to_string());
  return j;
}

PeerSecurity security_of(const api::NeighborConfig& n) {
  return PeerSecurity{n.md5_password, n.ttl_security_hops, n.ebgp_multihop};
}
}  // namespace

bool vrf_has_bgp(const api::VrfConfig& v) { return !v.neighbors.empty() || !v.listen_ranges.empty(); }

engine::ev::ConfigureVrfBgp vrf_bgp_event(const api::VrfConfig& v) {
  engine::ev::ConfigureVrfBgp c;
  c.vrf = v.name;
  c.asn = v.asn;
  for (const auto& r : v.listen_ranges) {
    bgp::PeerConfig p = peer_config(r.peer);
    p.passive = true;  // a range's peers connect to us
    c.listen_ranges.push_back(bgp::ListenRange{r.range, std::move(p), r.max_peers});
  }
  return c;
}

SecurityTable vrf_security(const api::VrfConfig& v) {
  SecurityTable t;
  for (const auto& n : v.neighbors) t.peers[n.address] = security_of(n);
  for (const auto& r : v.listen_ranges) t.ranges.emplace_back(r.range, security_of(r.peer));
  return t;
}

VrfSocketSpec vrf_socket_spec(const api::Config& c, const api::VrfConfig& v, const std::string& own_netns) {
  VrfSocketSpec s;
  if (c.vrf_backend == api::VrfBackend::kVrfDevice) {
    s.device = v.name;  // the L3VNI's `vrf` device (dataplane::L3Vni::name)
  } else {
    // The namespace the data plane puts the VRF in: the same rule as EvpnService::vrf_netns_name.
    s.netns = !v.netns.empty() ? v.netns : own_netns.empty() ? v.name : own_netns + "-" + v.name;
  }
  return s;
}

std::string check_vrf_bgp(const api::Config& c) {
  if (c.dataplane != api::DataplaneKind::kNone) return "";
  for (const auto& v : c.vrfs)
    if (vrf_has_bgp(v))
      return "vrfs[" + v.name +
             "]: BGP neighbors / listen-ranges inside a VRF need the VRF itself (its namespace or device), and "
             "`dataplane: none` (a pure route reflector) has none: set vtep.dataplane to linux, or remove them";
  return "";
}

tl::expected<void, std::string> Daemon::open_vrf_bgp(const api::VrfConfig& v) {
  if (auto ok = io_peers_.add_vrf(v.name, vrf_socket_spec(cfg_, v, own_netns_), cfg_.listen_port); !ok) return ok;
  io_peers_.set_security(v.name, vrf_security(v));
  auto fx = dispatch(vrf_bgp_event(v));
  if (!fx.error.empty()) return tl::unexpected(fx.error);
  for (const auto& n : v.neighbors) dispatch(engine::ev::AddPeer{peer_config(n), v.name});
  return {};
}

void Daemon::close_vrf_bgp(const std::string& vrf) {
  const bgp::Speaker* s = engine_->speaker(vrf);
  if (!s) return;
  const uint16_t instance = s->config().instance;
  dispatch(engine::ev::ConfigureVrfBgp{vrf, std::nullopt, {}, true});
  // Timers the instance left armed would fire into a later instance with the same number.
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->first.instance == instance) {
      it->second.timer->cancel();
      it = timers_.erase(it);
    } else {
      ++it;
    }
  }
  io_peers_.remove_vrf(vrf);
}

void Daemon::start_vrf_bgp() {
  if (auto err = check_vrf_bgp(cfg_); !err.empty()) throw std::runtime_error(err);
  for (const auto& v : cfg_.vrfs) {
    if (!vrf_has_bgp(v)) continue;
    if (auto ok = open_vrf_bgp(v); !ok) throw std::runtime_error(ok.error());
  }
  if (!cfg_.advertise.empty()) dispatch(engine::ev::AdvertiseUnicast{cfg_.advertise, true});
}

nlohmann::json Daemon::reload_vrf_bgp(const api::ConfigDiff& diff, const api::Config& before) {
  nlohmann::json applied = nlohmann::json::object();
  auto find = [](const api::Config& c, const std::string& name) -> const api::VrfConfig* {
    for (const auto& v : c.vrfs)
      if (v.name == name) return &v;
    return nullptr;
  };
  for (const auto& name : diff.vrf_bgp_changed) {
    const api::VrfConfig* old = find(before, name);
    const api::VrfConfig* now = find(cfg_, name);
    if (!old || !now) continue;
    nlohmann::json j;
    if (old->advertise_unicast != now->advertise_unicast || old->gateway_ip != now->gateway_ip ||
        old->export_evpn != now->export_evpn) {
      auto fx = dispatch(engine::ev::VrfRedistribution{*now});
      j["redistribution_changed"] = fx.error.empty();
      if (!fx.error.empty()) j["redistribution_error"] = fx.error;
    }
    if (!vrf_has_bgp(*now)) {
      if (engine_->speaker(name)) j["instance"] = "removed";
      close_vrf_bgp(name);
    } else if (!engine_->speaker(name) || old->asn != now->asn) {
      // New instance, or a new AS (the instance restarts): every neighbour (again).
      if (engine_->speaker(name)) {
        j["instance"] = "restarted";
        close_vrf_bgp(name);  // its timers go with it (the new instance reuses the number)
      } else {
        j["instance"] = "created";
      }
      if (auto ok = open_vrf_bgp(*now); !ok) {
        spdlog::error("configuration reload: vrf {}: {}", name, ok.error());
        j["error"] = ok.error();
      }
    } else if (old->neighbors != now->neighbors || old->listen_ranges != now->listen_ranges) {
      io_peers_.set_security(name, vrf_security(*now));
      if (old->listen_ranges != now->listen_ranges) {
        dispatch(vrf_bgp_event(*now));
        j["listen_ranges_changed"] = true;
      }
      const api::NeighborDiff nd = api::diff_neighbors(old->neighbors, now->neighbors);
      for (const auto& a : nd.removed) dispatch(engine::ev::RemovePeer{a, kCeaseDeconfigured, name});
      for (const auto& a : nd.changed) dispatch(engine::ev::RemovePeer{a, kCeaseConfigChange, name});
      auto add = [&](const IpAddress& a) {
        for (const auto& n : now->neighbors)
          if (n.address == a) dispatch(engine::ev::AddPeer{peer_config(n), name});
      };
      for (const auto& a : nd.changed) add(a);
      for (const auto& a : nd.added) add(a);
      j["neighbors_added"] = addrs(nd.added);
      j["neighbors_removed"] = addrs(nd.removed);
      j["neighbors_changed"] = addrs(nd.changed);
    }
    applied[name] = std::move(j);
  }
  return applied;
}

void Daemon::reload_advertise(const api::Config& before) {
  const std::set<IpPrefix> was(before.advertise.begin(), before.advertise.end());
  const std::set<IpPrefix> is(cfg_.advertise.begin(), cfg_.advertise.end());
  std::vector<IpPrefix> gone, added;
  std::set_difference(was.begin(), was.end(), is.begin(), is.end(), std::back_inserter(gone));
  std::set_difference(is.begin(), is.end(), was.begin(), was.end(), std::back_inserter(added));
  if (!gone.empty()) dispatch(engine::ev::AdvertiseUnicast{gone, false});
  if (!added.empty()) dispatch(engine::ev::AdvertiseUnicast{added, true});
}

}  // namespace evpnd::daemon

// Engine: the single-threaded core of evpnd. Every input is an Event; handle() turns it into
// Effects (connection operations and timer requests) that the daemon carries out. The BGP
// speaker lives here; the EVPN logic plugs in through two seams:
//   * RouteSource: local routes to originate / withdraw (Event kinds OriginateRoutes/WithdrawRoutes)
//   * bgp::LocRibListener: told about every Loc-RIB best-path change (set_listener)
//
// NOTE pure: no sockets, no clock. `Event::now` is the only time source.
// NOTE threading: one thread (the daemon's io_context thread).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/speaker.hpp"

namespace evpnd::engine {

using bgp::ConnId;
using bgp::TimePoint;

// A route to originate locally, with what its path should carry.
struct LocalRoute {
  wire::EvpnRoute route;
  IpAddress next_hop;  // the VTEP
  std::vector<wire::ExtCommunity> ext_communities;
  std::optional<wire::PmsiTunnel> pmsi;  // type 3 default: ingress replication to next_hop
  std::optional<uint32_t> local_pref;
  std::optional<uint32_t> med;
};
bgp::PathInfo make_local_path(const LocalRoute& r);

namespace ev {
struct AddPeer { bgp::PeerConfig cfg; };
struct RemovePeer { IpAddress address; uint8_t cease_subcode = 3; };  // RFC 4486: 3 = deconfigured
struct ResetPeer { IpAddress address; uint8_t cease_subcode = 4; };   // 4 = administrative reset
struct Connected { ConnId conn; };
struct ConnectFailed { ConnId conn; std::string reason; };
struct Accepted { ConnId conn; IpAddress remote; };
struct Closed { ConnId conn; };
struct Data { ConnId conn; ByteView bytes; };  // one or more whole BGP messages
struct TimerFired { bgp::TimerKey key; };
struct OriginateRoutes { std::vector<LocalRoute> routes; };
struct WithdrawRoutes { std::vector<wire::EvpnRoute> routes; };
struct Shutdown {};
}  // namespace ev

struct Event {
  TimePoint now;
  std::variant<ev::AddPeer, ev::RemovePeer, ev::ResetPeer, ev::Connected, ev::ConnectFailed, ev::Accepted,
               ev::Closed, ev::Data, ev::TimerFired, ev::OriginateRoutes, ev::WithdrawRoutes, ev::Shutdown>
      body;
};

struct Effects : bgp::Output {
  size_t routes_not_found = 0;  // WithdrawRoutes: routes that were not originated
};

class Engine {
 public:
  explicit Engine(bgp::SpeakerConfig cfg) : speaker_(std::move(cfg)) {}
  Effects handle(const Event& e);
  void set_listener(bgp::LocRibListener* l) { speaker_.set_listener(l); }
  const bgp::Speaker& speaker() const { return speaker_; }

 private:
  bgp::Speaker speaker_;
};

}  // namespace evpnd::engine

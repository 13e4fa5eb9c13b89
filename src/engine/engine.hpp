// Engine: the single-threaded core of evpnd. Every input is an Event; handle() turns it into
// Effects (connection operations, timer requests, data-plane intents) that the daemon carries
// out. The BGP speaker lives here, and — on a leaf — the EVPN service; this is the one place
// where the two meet:
//
//   local learn (ev::DataplaneEvents) -> EvpnService -> RouteUpdates -> Speaker::originate /
//                                                       withdraw_local -> UPDATEs to peers
//   Loc-RIB best-path change (bgp::LocRibListener, during Speaker::flush) -> EvpnService::
//                                     on_remote_route -> Intents (Effects::intents)
//
// Route updates produced while the speaker flushes (a remote route that beats a local MAC
// makes us withdraw ours, RFC 7432 §15) are fed back after the flush, until nothing changes.
//
// BGP instances (issue 10, FRR's `router bgp ASN vrf NAME`): besides the global speaker, one
// bgp::Speaker per VRF with BGP neighbours (ev::ConfigureVrfBgp), numbered 1, 2, ... by
// SpeakerConfig::instance. They share the daemon's I/O: events are routed by the ConnId
// (outbound ids carry the instance in bits 32+; inbound ids are remembered from ev::Accepted,
// whose `vrf` names the listener) and by TimerKey::instance; their Outputs merge into one
// Effects. A VRF speaker's unicast best paths go to EvpnService::on_vrf_unicast, and EVPN's
// Output::unicast comes back as the VRF speaker's local routes (engine_vrf.cpp).
//
// NOTE pure: no sockets, no clock. `Event::now` is the only time source.
// NOTE threading: one thread (the daemon's io_context thread).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "bgp/speaker.hpp"
#include "dataplane/intent.hpp"
#include "evpn/evpn_service.hpp"

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
// `vrf`: the BGP instance ("" = the global one; else a VRF set up by ConfigureVrfBgp).
struct AddPeer { bgp::PeerConfig cfg; std::string vrf; };
struct RemovePeer { IpAddress address; uint8_t cease_subcode = 3; std::string vrf; };  // RFC 4486: 3 = deconfigured
struct ResetPeer { IpAddress address; uint8_t cease_subcode = 4; std::string vrf; };   // 4 = administrative reset
// `local`: the connection's local address (next-hop-self for unicast, RFC 4271 §5.1.3).
struct Connected { ConnId conn; std::optional<IpAddress> local; };
struct ConnectFailed { ConnId conn; std::string reason; };
// `vrf`: the instance whose listener accepted it (the listener in the VRF's namespace / bound
// to its device).
struct Accepted { ConnId conn; IpAddress remote; std::string vrf; std::optional<IpAddress> local; };
struct Closed { ConnId conn; };
struct Data { ConnId conn; ByteView bytes; };  // one or more whole BGP messages
struct Sent { ConnId conn; size_t bytes; };    // the socket took `bytes` more of the output
struct TimerFired { bgp::TimerKey key; };
struct OriginateRoutes { std::vector<LocalRoute> routes; };
struct WithdrawRoutes { std::vector<wire::EvpnRoute> routes; };
struct Shutdown {};
// EVPN (leaf role; ignored without an EvpnService).
struct StartEvpn {};                                             // start-up intents + local routes
struct DataplaneEvents { std::vector<dataplane::DataplaneEvent> events; };  // local learning
struct EvpnTimer {};                                             // EvpnService::next_deadline passed
struct Prefix { std::string vrf; IpPrefix prefix; bool announce = true; };  // run-time type-5
struct ClearDuplicates { std::optional<Vni> vni; std::optional<Mac> mac; };
struct SetRouterMac { std::string vrf; Mac mac; };
// Configuration reload: L2VNIs torn down, then set up (a changed VNI is in both lists).
struct ReconfigureVnis { std::vector<Vni> removed; std::vector<api::L2VniConfig> added; };
// Configuration reload: the Ethernet segments and es-timers as they are now (applied live).
struct ReconfigureSegments { std::vector<api::EthernetSegmentConfig> segments; api::EsTimersConfig timers; };
// The data plane's result per VNI (DataplaneIo's retry queue), for the EVPN views.
struct DataplaneStatus { std::map<Vni, dataplane::VniDataplaneStatus> vnis; };
// BGP inside a VRF (issue 10): creates the VRF's BGP instance (a Speaker of its own, instance
// number assigned by the engine) or updates its listen ranges; `remove` stops its sessions and
// withdraws its redistributed routes, then destroys it.
struct ConfigureVrfBgp {
  std::string vrf;
  std::optional<Asn> asn;  // default: the global AS
  std::vector<bgp::ListenRange> listen_ranges;
  bool remove = false;
};
// Unicast prefixes of the global instance (`advertise:`, the VTEP loopback to the underlay).
struct AdvertiseUnicast { std::vector<IpPrefix> prefixes; bool announce = true; };
// Reload: a VRF's redistribution switches (advertise-unicast, gateway-ip, export-evpn) changed
// (EvpnService::set_vrf_redistribution; ignored without an EvpnService: fx.error).
struct VrfRedistribution { api::VrfConfig vrf; };
// A local endpoint announced through the API (issue 11: a pod's or VM's MAC+IPs on the bridge
// port `port`): advertised at once (type-2 MAC and MAC+IP) and held until `add = false`,
// whatever the bridge learns or ages meanwhile (EvpnService::add_endpoint). Errors (unknown VNI)
// come back in Effects::error.
struct LocalEndpoint { Vni vni = 0; Mac mac; std::vector<IpAddress> ips; std::string port; bool add = true; };
}  // namespace ev

struct Event {
  TimePoint now;
  std::variant<ev::AddPeer, ev::RemovePeer, ev::ResetPeer, ev::Connected, ev::ConnectFailed, ev::Accepted,
               ev::Closed, ev::Data, ev::TimerFired, ev::OriginateRoutes, ev::WithdrawRoutes, ev::Shutdown,
               ev::StartEvpn, ev::DataplaneEvents, ev::EvpnTimer, ev::Prefix, ev::ClearDuplicates,
               ev::SetRouterMac, ev::ReconfigureVnis, ev::Sent, ev::DataplaneStatus,
               ev::ReconfigureSegments, ev::ConfigureVrfBgp, ev::AdvertiseUnicast, ev::VrfRedistribution,
               ev::LocalEndpoint>
      body;
};

struct EngineCounters {
  uint64_t evpn_routes_originated = 0;  // RouteUpdates advertised into the speaker
  uint64_t evpn_routes_withdrawn = 0;
  uint64_t remote_best_changes = 0;     // Loc-RIB best-path changes handed to EvpnService
  uint64_t intents = 0;                 // data-plane intents produced
  uint64_t feedback_rounds_cut = 0;     // feedback loop stopped by the round limit (a bug if > 0)
};

// Why an incoming BGP connection was refused (counted per reason in /metrics; the daemon's
// RefusalLog logs at a bounded rate). kTtlSecurity is decided by the daemon (GTSM, RFC 5082).
enum class RefuseReason : uint8_t { kNotConfigured, kAdminDown, kCollision, kTtlSecurity };
inline constexpr size_t kRefuseReasons = 4;
// "not_configured", "admin_down", "collision", "ttl_security" (the metrics label values).
const char* to_string(RefuseReason r);

struct Effects : bgp::Output {
  size_t routes_not_found = 0;                  // WithdrawRoutes: routes that were not originated
  std::optional<RefuseReason> refused;          // Accepted: the connection was refused (and closed)
  std::vector<dataplane::Intent> intents;       // apply in order
  std::vector<evpn::Notice> notices;            // for the log
  std::string error;                            // an API action (ev::Prefix, ...) was refused
};

class Engine {
 public:
  explicit Engine(bgp::SpeakerConfig cfg, std::unique_ptr<evpn::EvpnService> evpn = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Effects handle(const Event& e);
  // Only without an EvpnService (with one, the engine itself is the listener).
  void set_listener(bgp::LocRibListener* l);
  const bgp::Speaker& speaker() const { return speaker_; }
  // The BGP instance of a VRF (nullptr when the VRF has none; "" = the global speaker), and the
  // VRFs that have one (sorted).
  const bgp::Speaker* speaker(const std::string& vrf) const;
  std::vector<std::string> bgp_vrfs() const;
  // The VRF of a BGP instance number ("" for 0; nullopt when no such instance): the daemon
  // opens an outbound connection (ConnId >> 32 = instance) in that VRF.
  std::optional<std::string> instance_vrf(uint16_t instance) const;
  // Highest instance number a VRF can get: outbound ConnIds (instance << 32) + n stay below
  // bgp::kInboundConnBase (1 << 40).
  static constexpr uint16_t kMaxInstance = 255;
  const evpn::EvpnService* evpn() const { return evpn_.get(); }
  const EngineCounters& counters() const { return counters_; }

 private:
  class RibTap;  // bgp::LocRibListener feeding EvpnService
  class VrfTap;  // the same for a VRF speaker's unicast table (engine_vrf.cpp)
  struct VrfInstance {
    std::string name;
    std::unique_ptr<bgp::Speaker> speaker;
    std::shared_ptr<VrfTap> tap;  // shared_ptr: VrfTap is complete only in engine_vrf.cpp
    // Prefixes handed to EvpnService as this VRF's best CE routes (withdrawn on removal).
    std::set<IpPrefix> redistributed;
  };
  // Event routing (engine.cpp): the speaker an event is for; nullptr = no such instance (the
  // event is stale: its VRF instance was removed).
  bgp::Speaker* speaker_of_instance(uint16_t instance);
  bgp::Speaker* speaker_of_conn(ConnId c);
  bgp::Speaker* speaker_of_vrf(const std::string& vrf);
  void for_each_speaker(const std::function<void(bgp::Speaker&)>& f);
  void accept(const ev::Accepted& a, Effects& fx);
  // VRF instances (engine_vrf.cpp).
  void configure_vrf(const ev::ConfigureVrfBgp& c, Effects& fx);
  void remove_vrf(const std::string& name, Effects& fx);
  void advertise_unicast(const ev::AdvertiseUnicast& a, Effects& fx);
  void on_vrf_best(VrfInstance& v, const IpPrefix& prefix, const bgp::UnicastPath* best, bgp::PeerRole from);
  // EVPN's Output::unicast into the VRF speakers; returns the speakers to flush.
  void apply_unicast(std::vector<evpn::UnicastUpdate>& updates, std::set<bgp::Speaker*>& touched);
  void handle_evpn(const Event& e, Effects& fx);
  void reconfigure_vnis(const ev::ReconfigureVnis& rc, Effects& fx);
  // Offers every remote best path of the given EVPN route types to EvpnService again.
  void reoffer_remote(std::initializer_list<uint8_t> types);
  void absorb(evpn::Output&& out);
  void drain(Effects& fx);

  bgp::SpeakerConfig base_cfg_;  // the global speaker's: VRF instances start from it
  bgp::Speaker speaker_;
  std::map<std::string, VrfInstance> vrfs_;
  std::map<uint16_t, std::string> by_instance_;
  std::map<ConnId, uint16_t> inbound_;  // accepted connections of VRF instances
  std::unique_ptr<evpn::EvpnService> evpn_;
  std::unique_ptr<RibTap> tap_;
  evpn::Output pending_;   // produced during a flush, consumed by drain()
  TimePoint now_{};
  EngineCounters counters_;
};

}  // namespace evpnd::engine

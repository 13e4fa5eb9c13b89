// Per-neighbour state of the speaker: configuration, its TCP connections (each with its own
// FSM, RFC 4271 §8), the negotiated session, counters, and graceful-restart bookkeeping.
//
// NOTE ownership: Speaker owns Peers; the RIB refers to a peer by PeerId only.
// NOTE threading: engine thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/best_path.hpp"
#include "bgp/fsm.hpp"
#include "bgp/log_limiter.hpp"
#include "bgp/negotiation.hpp"
#include "bgp/policy.hpp"
#include "bgp/update_group.hpp"
#include "core/ip.hpp"
#include "core/prefix_list.hpp"

namespace evpnd::bgp {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using ConnId = uint64_t;
// Connection ids: the speaker numbers its outbound connections from 1; the daemon numbers
// accepted ones from kInboundConnBase, so the two never collide.
inline constexpr ConnId kInboundConnBase = ConnId{1} << 40;

struct PeerConfig {
  IpAddress address;
  Asn remote_as = 0;
  uint16_t port = 179;
  std::vector<AfiSafi> families{kL2vpnEvpn};
  bool route_reflector_client = false;
  bool passive = false;
  std::string description;
  std::optional<IpAddress> update_source;
  uint16_t hold_time = 90;
  std::optional<uint16_t> keepalive;
  uint16_t connect_retry = 5;
  std::optional<std::string> md5_password;
  std::optional<uint8_t> ttl_security_hops;
  std::optional<uint32_t> max_prefixes;
  // Seconds after a max-prefix trip before the peer is started again (FRR's `maximum-prefix N
  // restart M`, in seconds); 0 = it stays down until reset or reconfigured.
  uint32_t max_prefix_restart = 0;
  bool graceful_restart = true;
  // `nlri-error: treat-as-withdraw`: an incorrect MP_REACH/MP_UNREACH whose NLRI can still be
  // walked is treat-as-withdraw instead of the RFC 7606 §5.3 session reset (wire::DecodeContext).
  bool nlri_error_withdraw = false;
  // RFC 9687 send hold time in seconds: nullopt = the RFC's default, max(8 min, 2 x the
  // negotiated hold time); 0 = disabled. Never used when the negotiated hold time is 0.
  std::optional<uint32_t> send_hold_time;
  // Unicast policy (issue 10; prefix_list.hpp). nullopt = no policy: an eBGP session then
  // accepts / advertises no unicast route (RFC 8212 §2); iBGP without a policy takes all.
  // EVPN routes are not filtered by these (an EVPN fabric's eBGP sessions predate RFC 8212 in
  // every implementation it interoperates with; docs/CONFORMANCE.md).
  std::optional<PrefixList> import_filter;
  std::optional<PrefixList> export_filter;
  // eBGP multihop: the TTL of outbound packets, set on the socket by the I/O layer (PeerIo).
  // nullopt = the system default (64) for eBGP and iBGP alike — not FRR's TTL 1 for eBGP:
  // evpnd never limited eBGP to directly connected peers, and eBGP-between-loopbacks fabrics
  // configured without ebgp-multihop must keep working. Ignored with ttl_security_hops (GTSM
  // sends 255).
  std::optional<uint8_t> ebgp_multihop;
  // Created from a listen range when the peer connected (Speaker::set_listen_ranges); removed
  // when its session ends and no stale routes of it are kept.
  bool dynamic = false;
  bool operator==(const PeerConfig&) const = default;
};

struct PeerCounters {
  uint64_t messages_in = 0, messages_out = 0;
  uint64_t updates_in = 0, updates_out = 0;
  uint64_t notifications_in = 0, notifications_out = 0;
  uint64_t keepalives_in = 0, keepalives_out = 0;
  uint64_t route_refresh_in = 0;
  uint64_t treat_as_withdraw = 0;   // UPDATEs handled as withdrawals (RFC 7606 §2)
  uint64_t attribute_discard = 0;   // attributes dropped (RFC 7606 §2)
  // Malformed messages that reset the session (RFC 7606 §2 "session reset", RFC 4271 §6):
  // header, OPEN, UPDATE and ROUTE-REFRESH errors, each answered with a NOTIFICATION.
  uint64_t malformed_session_reset = 0;
  uint64_t loop_rejected = 0;       // UPDATEs refused by loop detection (RFC 4456 §8, 4271 §9)
  uint64_t session_resets = 0;      // Established -> Idle transitions
  uint64_t connect_attempts = 0;
  uint64_t send_hold_expired = 0;   // sessions dropped by the send hold timer (RFC 9687)
  uint64_t output_blocked = 0;      // times the output queue reached its limit (catch-up started)
  // NLRI (routes, prefixes, withdrawals) of a family the session did not negotiate: ignored
  // (RFC 4760 §8); an End-of-RIB for such a family is ignored without being counted.
  uint64_t unnegotiated_nlri = 0;
  // Times a route was not advertised (or was withdrawn) because its UPDATE would exceed this
  // session's maximum message size (RFC 4271 §9.2, RFC 8654 §4).
  uint64_t routes_too_large = 0;
  // Unicast prefixes refused by the import policy (prefix list, or RFC 8212 without one).
  uint64_t policy_rejected = 0;
  // Unicast routes not advertised to the peer because next-hop-self (RFC 4271 §5.1.3) needs
  // the session's local address of the prefix's family and none is known.
  uint64_t no_next_hop = 0;
};

struct Connection {
  ConnId id = 0;
  bool inbound = false;
  std::optional<IpAddress> local;        // our address on it, when the I/O layer told us
  Fsm fsm;
  std::optional<Negotiated> negotiated;  // set when a valid OPEN arrived
  wire::DecodeContext decode_ctx;         // before OPEN: 2-octet AS paths never occur
  TimePoint last_rx{};
  uint16_t hold_seconds = 0;             // the hold time currently armed (lazy expiry check)
  // Output accounting: bytes handed to the I/O layer and not yet reported written, and when
  // the last progress was made (or data started waiting): the RFC 9687 send hold timer.
  size_t out_queued = 0;
  TimePoint last_tx{};
  uint32_t send_hold_seconds = 0;  // 0 = timer off
  bool dropped = false;
};

struct Peer {
  PeerId id = kNoPeer;
  PeerConfig cfg;
  PeerRole role = PeerRole::kIbgp;
  bool admin_up = false;
  std::vector<Connection> conns;  // at most two during a collision (§6.8)
  ConnId session = 0;              // the Established connection, 0 = none
  Negotiated neg;                  // valid while session != 0
  TimePoint established_at{};
  TimePoint down_at{};
  GroupId group = 0;               // 0 = not in a group
  PeerFacts facts;
  PeerCounters counters;
  uint32_t prefixes_received = 0;  // live, non-stale paths in the table from this peer
  uint32_t stale_routes = 0;       // paths kept for a restarting peer (RFC 4724 §4.2)
  // Routes in the group's Adj-RIB-Out whose advertised path came from this peer: the group
  // does not send them to it (RFC 4456 §6), so prefixes sent = group count - this.
  uint32_t own_in_group = 0;
  bool gr_waiting_eor = false;     // stale paths are swept at End-of-RIB
  // RFC 4724 §4.2 per family: the families whose stale paths wait for that family's End-of-RIB.
  std::vector<AfiSafi> stale_families;
  // A NOTIFICATION was sent or received on the Established session: RFC 4724 §4 (without the
  // RFC 8538 N bit) then follows the normal procedures, the routes are deleted, not kept stale.
  bool session_notified = false;
  // Families of this session whose End-of-RIB has not arrived yet (RFC 4724 §4.1: a restarting
  // speaker defers its advertisement until its peers have sent theirs).
  std::vector<AfiSafi> eor_missing;
  bool max_prefix_tripped = false;
  TimePoint max_prefix_restart_at{};  // when a tripped peer starts again; {} = not scheduled
  std::string last_error;
  LogLimiter unnegotiated_log;     // RFC 4760 §8 refusals (speaker_outbound.cpp)
  LogLimiter too_large_log;        // RFC 4271 §9.2 routes not sent (speaker_outbound.cpp)
  LogLimiter no_next_hop_log;      // unicast routes without a next-hop-self address
  LogLimiter policy_log;           // unicast prefixes refused by the import policy

  bool established() const { return session != 0; }
  Connection* conn(ConnId c);
  FsmState display_state() const;  // the most advanced connection's state, else Idle/Active/Connect
};

}  // namespace evpnd::bgp

// The BGP speaker as pure logic: peers and their FSMs, the RIB (per-peer paths in an EVPN and a unicast table,
// one templated code path, rib_family.hpp; Loc-RIB = each Dest's best), route reflection, update groups
// (Adj-RIB-Out), unicast prefix lists + next-hop-self, graceful-restart helper, max-prefix, RFC 7606.
//
// Inputs are method calls (connection events, received bytes, timer expiries, local routes);
// outputs are appended to an Output: ordered connection operations (connect, send, close) and
// timer requests. Time comes in through set_now(); nothing here reads a clock or does I/O.
//
// NOTE batching: on_data() takes every complete message of a read buffer; the RIB marks
// changed Dests and flush() (run at the end of every input) encodes the outbound UPDATEs once
// per update group, packed, so a read of 100 UPDATEs yields a few large writes, not 100.
// NOTE performance limits: session down without graceful restart and peer removal walk the
// whole table (O(routes)); a full-table dump for a new peer is produced in one flush.
// NOTE bounded output: the speaker counts the bytes it handed to each connection that the I/O
// layer has not yet reported written (on_sent). A peer whose count reaches
// SpeakerConfig::output_queue_limit gets no more UPDATEs encoded: it leaves its update group
// and catches up on its own from the Loc-RIB when its queue drains (update_group.hpp, catch-up
// mode), so its memory is bounded by the limit plus one flush, whatever the churn. The RFC 9687
// send hold timer drops a connection that made no progress for the send hold time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/attr_table.hpp"
#include "bgp/dynamic_peers.hpp"
#include "bgp/peer.hpp"
#include "bgp/rib_family.hpp"
#include "bgp/route_table.hpp"
#include "bgp/unicast_packer.hpp"
#include "bgp/update_group.hpp"

namespace evpnd::bgp {

struct SpeakerConfig {
  Asn asn = 0;
  IpAddress router_id;
  std::optional<IpAddress> cluster_id;
  bool graceful_restart = true;
  uint16_t restart_time = 120;
  uint16_t stale_time = 360;
  // Restarting speaker (RFC 4724 §4.1): our forwarding state survives a restart, so the OPEN
  // lists our families with the F bit, the first OPEN to each peer after start has the R bit,
  // and after start we defer advertising (and End-of-RIB) until the peers sent End-of-RIB.
  bool preserve_forwarding = false;
  uint16_t select_defer_time = 120;  // upper bound of that deferral (seconds; 0 = no deferral)
  bool extended_message = true;
  // Bytes queued to one connection (handed to the I/O layer, not yet reported written) from
  // which no more UPDATEs are encoded for it (see NOTE bounded output).
  size_t output_queue_limit = size_t{16} << 20;
  // Which BGP instance this speaker is (issue 10: 0 = the global instance, one more per VRF with
  // BGP neighbours, as FRR's `router bgp ASN vrf NAME`). Timer keys carry it, and outbound
  // connection ids are numbered from (instance << 32) + 1, so the engine can route connection
  // events and timers of several speakers that share one I/O layer.
  uint16_t instance = 0;
};

// A range of addresses from which peers may connect without being configured one by one
// (Calico nodes, issue 10): an accepted connection from inside `range` creates a passive peer
// from `peer` (its address set to the remote's, dynamic = true), up to `max_peers` at once.
struct ListenRange {
  IpPrefix range;
  PeerConfig peer;
  uint32_t max_peers = 100;
  bool operator==(const ListenRange&) const = default;
};

// kSelectionDeferral is speaker-wide (peer kLocalPeer): RFC 4724 §4.1 deferral after our start.
enum class TimerKind : uint8_t { kConnectRetry, kHold, kKeepalive, kGracefulRestart, kMaxPrefixRestart, kSelectionDeferral,
                               kSendHold };
struct TimerKey {
  PeerId peer = kNoPeer;
  ConnId conn = 0;  // 0 for peer-level timers
  TimerKind kind = TimerKind::kConnectRetry;
  uint16_t instance = 0;  // SpeakerConfig::instance of the speaker that armed it
  auto operator<=>(const TimerKey&) const = default;
};
struct TimerRequest {
  TimerKey key;
  std::optional<std::chrono::milliseconds> delay;  // nullopt = cancel
};

struct ConnectRequest {
  ConnId conn = 0;
  PeerId peer = kNoPeer;
  IpAddress remote;
  uint16_t port = 179;
  std::optional<IpAddress> source;
  std::optional<std::string> md5_password;
  std::optional<uint8_t> ttl_security_hops;
};
struct SendRequest {
  ConnId conn = 0;
  Chunk data;
};
struct CloseRequest {
  ConnId conn = 0;  // after the sends queued before it
  // Close now (RFC 9687 §3 send hold timer): what is still queued, the NOTIFICATION included,
  // is written only if that cannot delay the close; the connection is reset (no lingering).
  bool abort = false;
};
using IoOp = std::variant<ConnectRequest, SendRequest, CloseRequest>;

struct Output {
  std::vector<IoOp> io;  // in order
  std::vector<TimerRequest> timers;
  bool empty() const { return io.empty() && timers.empty(); }
};

// Receives Loc-RIB changes (the seam to the EVPN logic): called during flush for every Dest
// whose best path changed; `best` is nullptr when the route is gone.
class LocRibListener {
 public:
  virtual ~LocRibListener() = default;
  virtual void on_best_path_changed(const wire::EvpnRoute& route, const Path* best, PeerRole from) = 0;
  // The same for the unicast table (ipv4/ipv6-unicast; the prefix says which family).
  virtual void on_unicast_best_changed(const IpPrefix& /*prefix*/, const UnicastPath* /*best*/, PeerRole /*from*/) {}
};

class Speaker {
 public:
  explicit Speaker(SpeakerConfig cfg);
  void set_listener(LocRibListener* l) { listener_ = l; }
  void set_now(TimePoint t) { now_ = t; }
  TimePoint now() const { return now_; }
  const SpeakerConfig& config() const { return cfg_; }
  const SpeakerIdentity& identity() const { return me_; }

  // Peers. add_peer starts the session (ManualStart); remove_peer sends Cease with `subcode`
  // (RFC 4486: 3 = peer de-configured) and withdraws its routes.
  PeerId add_peer(const PeerConfig& cfg, Output& out);
  void remove_peer(const IpAddress& addr, uint8_t cease_subcode, Output& out);
  // Stops every session (Cease 6/2 administrative shutdown), e.g. on SIGTERM.
  void shutdown(Output& out);
  // Sends Cease `subcode` and restarts the session (6/4 administrative reset).
  void reset_peer(const IpAddress& addr, uint8_t cease_subcode, Output& out);

  // Dynamic peers (issue 10): replaces the listen ranges; peers created from a range that is
  // gone are removed (Cease 6/3).
  void set_listen_ranges(std::vector<ListenRange> ranges, Output& out);
  const std::vector<ListenRange>& listen_ranges() const { return listen_ranges_; }
  // Per range: its dynamic peers now and the connections it refused (max_peers reached).
  std::vector<ListenRangeStatus> listen_range_status() const;

  // Connection events from the I/O layer. `local` is the connection's local address: the next
  // hop of unicast routes advertised with next-hop-self (RFC 4271 §5.1.3) on that session.
  void on_connected(ConnId c, Output& out, std::optional<IpAddress> local = std::nullopt);  // our connect succeeded
  void on_connect_failed(ConnId c, Output& out);
  // false: not a peer (nor inside a listen range), close it
  bool on_accepted(ConnId c, const IpAddress& remote, Output& out, std::optional<IpAddress> local = std::nullopt);
  void on_closed(ConnId c, Output& out);           // EOF or error
  // The I/O layer wrote `bytes` more of what was sent on `c` (progress for RFC 9687, and room
  // in the output queue: a peer catching up gets its next slice).
  void on_sent(ConnId c, size_t bytes, Output& out);
  // One or more complete BGP messages (framing by wire::peek_header is the caller's job).
  void on_data(ConnId c, ByteView messages, Output& out);
  void on_timer(const TimerKey& k, Output& out);

  // Local routes (peer kLocalPeer): originate or replace, and withdraw. Call flush() after a
  // batch of them (every other input flushes by itself).
  void originate(const wire::EvpnRoute& route, PathInfo info);
  bool withdraw_local(const wire::EvpnRoute& route);
  // Unicast (ipv4/ipv6-unicast by the prefix's family): the same for the unicast table. The
  // next hop in `info` is kept for iBGP peers and replaced by the session's local address for
  // eBGP ones (next-hop-self); an unset next hop means "this speaker" for every peer.
  void originate(const IpPrefix& prefix, PathInfo info);
  bool withdraw_local(const IpPrefix& prefix);
  // Turns the RIB changes since the last flush into packed UPDATEs for every update group and
  // reports them to the listener.
  void flush(Output& out);

  // Views (for the API and tests).
  const RouteTable& table() const { return evpn_.table; }
  const UnicastTable& unicast_table() const { return unicast_.table; }
  size_t unicast_loc_rib_size() const { return unicast_.loc_rib_count; }
  const Peer* peer(PeerId id) const;
  const Peer* find_peer(const IpAddress& addr) const;
  std::vector<const Peer*> peers() const;
  size_t loc_rib_size() const { return evpn_.loc_rib_count; }
  size_t prefixes_sent(const Peer& p) const;
  const UpdateGroup* group(GroupId g) const;
  size_t group_count() const { return groups_.size(); }
  const PeerFacts& facts(PeerId id) const;
  PeerRole role_of(PeerId id) const;
  size_t attr_table_size() const { return attrs_.size(); }
  // True while we, restarting, defer route advertisement (RFC 4724 §4.1; speaker_gr.cpp).
  bool deferring() const { return deferring_; }
  // Bytes handed to the peer's session connection and not yet written (0 when down).
  size_t output_queued(const Peer& p) const;
  // The peer fell behind and is catching up outside its update group.
  bool catching_up(const Peer& p) const;
  // The send hold time (RFC 9687 §4) of the established session in seconds, 0 = disabled.
  uint32_t send_hold_time(const Peer& p) const;

  // Encodes a whole message for a connection (exposed for tests).
  static Chunk encode(const wire::Message& m, const wire::EncodeContext& ctx);

 private:
  // session management (speaker.cpp)
  Peer* peer_mut(PeerId id);
  Peer* peer_by_conn(ConnId c, Connection** conn);
  Connection& new_outbound(Peer& p, Output& out);
  void feed(Peer& p, Connection& c, const FsmEvent& e, Output& out);
  void run_actions(Peer& p, Connection& c, const std::vector<FsmAction>& acts, Output& out);
  void reap(Peer& p, Output& out);
  void clear_max_prefix_trip(Peer& p, Output& out);
  void arm(Output& out, PeerId p, ConnId c, TimerKind k, std::chrono::milliseconds d);
  void cancel(Output& out, PeerId p, ConnId c, TimerKind k);
  void send(Output& out, Peer& p, Connection& c, const wire::Message& m);
  void queue_bytes(Output& out, Connection& c, Chunk data);  // every SendRequest goes through here
  void on_send_hold_timer(Peer& p, Connection& c, Output& out);
  void handle_open(Peer& p, Connection& c, const wire::Open& open, Output& out);
  void handle_message(Peer& p, Connection& c, wire::Message& m, Output& out);
  void session_up(Peer& p, Connection& c, Output& out);
  void session_down(Peer& p, Output& out);
  LocalSettings local_settings(const Peer& p) const;

  // dynamic peers (speaker_dynamic.cpp)
  bool add_dynamic_peer(const IpAddress& remote, Output& out);  // false: in no range, or range full
  void remove_dynamic_peer(Peer& p, uint8_t cease_subcode, Output& out);
  void sweep_dynamic(Output& out);  // at the end of an input: removes the peers whose session is over

  // restarting speaker (speaker_gr.cpp)
  void update_deferral(Output& out);
  void on_end_of_rib(Peer& p, AfiSafi family, Output& out);

  // RIB (speaker_rib.cpp): one code path for every table (rib_family.hpp), instantiated for
  // wire::EvpnRoute and IpPrefix.
  void process_update(Peer& p, wire::Update& u, Output& out);
  void process_route_refresh(Peer& p, const wire::RouteRefresh& rr, Output& out);
  template <typename N>
  void announce(Rib<N>& r, PeerId peer, const N& route, const AttrRef& info, uint32_t hash);
  template <typename N>
  void announce(Rib<N>& r, PeerId peer, const N& route, const AttrRef& info) {
    announce(r, peer, route, info, BasicRouteTable<N>::hash_of(route));
  }
  template <typename N>
  bool withdraw(Rib<N>& r, PeerId peer, const N& route, uint32_t hash);
  template <typename N>
  bool withdraw(Rib<N>& r, PeerId peer, const N& route) {
    return withdraw(r, peer, route, BasicRouteTable<N>::hash_of(route));
  }
  template <typename N>
  void prefetch_batch(Rib<N>& r, const std::vector<N>& routes);
  // `hash` is the route's table hash, kept so the flush can erase without rehashing.
  template <typename N>
  void reselect(Rib<N>& r, DestId d, PeerId old_best_peer, bool best_touched, uint32_t hash);
  template <typename N>
  void mark_changed(Rib<N>& r, DestId d, uint32_t hash);
  // Removes the peer's paths (only the stale ones with `only_stale`) of `family` (nullopt = all
  // families of every table).
  void drop_peer_paths(Peer& p, bool only_stale, std::optional<AfiSafi> family = std::nullopt);
  template <typename N>
  void drop_table_paths(Rib<N>& r, Peer& p, bool only_stale, std::optional<AfiSafi> family);
  // RFC 4724 §4.2: marks the peer's paths of `families` stale.
  void mark_stale(Peer& p, const std::vector<AfiSafi>& families);
  template <typename N>
  void mark_table_stale(Rib<N>& r, Peer& p, const std::vector<AfiSafi>& families);
  void check_max_prefix(Peer& p, Output& out);
  void fold_as4(Peer& p, wire::PathAttributes& a);
  // Unicast inbound (speaker_unicast.cpp): the IPv4 fields and MP_REACH/MP_UNREACH of
  // ipv4/ipv6-unicast, with the import policy.
  void process_unicast(Peer& p, wire::Update& u, const wire::PathAttributes* attrs, bool as_withdraw);
  bool import_permits(const Peer& p, const IpPrefix& prefix) const;
  // Update groups and the flush (speaker_flush.cpp).
  GroupPolicy group_policy(const Peer& p) const;
  void join_group(Peer& p);
  void leave_group(Peer& p);
  template <typename N>
  void fill_group(Rib<N>& r, UpdateGroup& g, BasicFanoutPacker<typename PackerFor<N>::type>& fp, bool full);
  template <typename N>
  void encode_group(Rib<N>& r, UpdateGroup& g, const Peer& first, bool full, Output& out);
  template <typename N>
  void flush_table_done(Rib<N>& r);
  template <typename N>
  void erase_unadvertised(Rib<N>& r, const AdjRibOut& gone);
  // Families and sizes per session (speaker_outbound.cpp). `outbound`: the attributes best path
  // `b` goes to group `g` with, or nullptr when the group must not have it (RFC 4456 §6 roles,
  // RFC 4760 §8 a family it did not negotiate, export policy and RFC 8212, no next hop for
  // next-hop-self); `count`: a refusal is counted and logged.
  template <typename N>
  const AttrRef* outbound(UpdateGroup& g, const BasicPath<N>& b, bool count = true);
  // RFC 4760 §8: strips what `u` carries of families the session did not negotiate (counted,
  // logged rate-limited); true when `u` is an End-of-RIB for such a family (to be ignored).
  bool drop_unnegotiated(Peer& p, wire::Update& u);
  PeerId member_of(PeerId p, GroupId g) const;
  template <typename P>
  void send_lanes(BasicFanoutPacker<P>& fp, Output& out);
  void send_chunks(const std::vector<Chunk>& chunks, const std::vector<PeerId>& to, size_t updates, Output& out);
  // Slow peers (speaker_catch_up.cpp).
  bool over_limit(const Peer& p) const;
  void split_slow_members();
  void start_catch_up(Peer& p);
  void pump_catch_up(Peer& p, Output& out);
  template <typename N>
  void pump_table(Rib<N>& r, Peer& p, UpdateGroup& g, Connection& c, Output& out);
  void finish_catch_up(Peer& p);
  void pump_all_catch_up(Output& out);
  bool any_changed() const { return !evpn_.changed.empty() || !unicast_.changed.empty(); }

  SpeakerConfig cfg_;
  SpeakerIdentity me_;
  TimePoint now_{};
  LocRibListener* listener_ = nullptr;
  std::vector<ListenRange> listen_ranges_;
  DynamicPeers dynamic_;
  std::vector<std::unique_ptr<Peer>> peers_;  // index = PeerId; [0] = local pseudo-peer
  std::map<IpAddress, PeerId> by_address_;
  std::map<ConnId, PeerId> by_conn_;
  ConnId next_conn_ = 1;
  AttrTable attrs_;
  Rib<wire::EvpnRoute> evpn_;
  Rib<IpPrefix> unicast_;
  std::vector<const UpdateGroup*> group_scratch_;
  std::map<GroupId, std::unique_ptr<UpdateGroup>> groups_;
  GroupId next_group_ = 1;
  // RFC 4724 §4.1 selection deferral: on from construction when we preserve forwarding state,
  // started by the first peer, over when every peer is synced or select_defer_time expired.
  bool deferring_ = false;
  TimePoint defer_started_{};  // {} = not started (no peer yet)
  TimePoint defer_armed_{};    // when the armed kSelectionDeferral timer fires
};

}  // namespace evpnd::bgp

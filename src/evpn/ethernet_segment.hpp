// One local Ethernet segment (RFC 7432 §5-§8, RFC 8365 §8, RFC 8584, RFC 9785): its attachments
// (one bridge port per L2VNI), the peer PEs that share it (their type-4 and per-EVI A-D routes),
// the RFC 8584 §2.1 DF election state machine, and what that yields: the routes it originates
// (type 4, A-D per ES, A-D per EVI; es_route_builder.hpp) and one EsAttachment data-plane intent
// per attached VNI (non-DF filter, single-active block, split-horizon peers).
//
// State machine (RFC 8584 §2.1), per segment:
//   DOWN (INIT)  no attachment is up, or evpnd is within es-timers.startup-delay-ms of its start:
//                nothing advertised, non-DF everywhere.
//   ES_UP        -> DF_WAIT: the type-4 (and A-D routes) are advertised, the DF Wait timer starts
//                (es-timers.df-wait-ms, 3 s); still non-DF. Type-4 arrivals and withdrawals
//                meanwhile are only recorded: they do not restart the timer.
//   DF_TIMER     -> DF_CALC -> DF_DONE: elect_df() per <ES, EVI> over us and every peer whose
//                type-4 we hold.
//   In DF_DONE a type-4 arrival or withdrawal (VES_ARRIVAL / VES_WITHDRAWAL), a peer's per-EVI
//   route coming or going (AC-DF, RFC 8584 §4), a local attachment going up or down, or a change
//   of our own DF parameters re-runs DF_CALC at once, without a new wait.
//   ES_DOWN (the last attachment down) -> DOWN: every route withdrawn.
// Per-EVI A-D routes follow the attachment (withdrawn when it goes down, RFC 8584 §4); the
// A-D per ES routes and the type-4 follow the segment.
//
// Everything ends in reconcile(): desired routes and intents are computed from the state and
// diffed against what was published, so outputs are minimal and a repeated input yields nothing.
// NOTE threading: single-threaded (EvpnService's). Pure: no I/O, time comes in as arguments.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/config.hpp"
#include "evpn/df_election.hpp"
#include "evpn/es_route_builder.hpp"
#include "evpn/es_views.hpp"
#include "evpn/output.hpp"

namespace evpnd::evpn {

// What the segment needs from the MAC-VRF of one attached VNI.
struct EsEvi {
  Vni vni = 0;
  uint32_t df_id = 0;                  // "V" (l2vnis[].df-id, default the VNI)
  Rd rd;                               // the EVI's RD (per-EVI A-D route)
  std::vector<RouteTarget> export_rts;
  bool operator==(const EsEvi&) const = default;
};

struct EsContext {
  IpAddress local_vtep;                // originator of our type-4, next hop of every route
  std::vector<Rd> rds;                 // [0]: type-4 and A-D per ES fragment 0; [i]: fragment i
  std::chrono::milliseconds df_wait{3000};
  bool dataplane = true;               // produce EsAttachment intents
};

class EthernetSegment {
 public:
  EthernetSegment(api::EthernetSegmentConfig cfg, EsContext ctx);

  const api::EthernetSegmentConfig& config() const { return cfg_; }
  const std::string& name() const { return cfg_.name; }
  const Esi& esi() const { return cfg_.esi; }
  Mac es_import() const { return es_import_of(cfg_.esi); }
  // The VNI a bridge port is attached for, if it is one of ours.
  std::optional<Vni> vni_of_port(const std::string& port) const;

  // Takes part from now on; the segment may not come up before `hold_until` (start-up delay).
  void start(Time now, Time hold_until, Output& out);
  // Withdraws every route and deletes every intent (segment removed).
  void stop(Output& out);

  // The L2VNI of an attachment exists (at start or after a reload) / is gone.
  void set_evi(const EsEvi& evi, Time now, Output& out);
  void remove_evi(Vni vni, Time now, Output& out);
  // Operational state of the attachment's port (carrier and admin state).
  void set_attachment(Vni vni, bool up, Time now, Output& out);
  // DF parameters, redundancy or fast-failover changed (same name, ESI and attachments): the
  // type-4 is re-advertised with the new DF Election EC and the DF re-calculated, no flap.
  void reconfigure(const api::EthernetSegmentConfig& cfg, Time now, Output& out);
  void set_df_wait(std::chrono::milliseconds d) { ctx_.df_wait = d; }

  // A peer's type-4 for this ESI (imported by its ES-Import RT) under route key `key`.
  void peer_es_route(const Bytes& key, const IpAddress& originator, const DfParams& df, Time now, Output& out);
  // A peer's per-EVI A-D route for this ESI and `vni` (AC-DF candidates, RFC 8584 §4).
  void peer_evi_route(const Bytes& key, const IpAddress& vtep, Vni vni, Time now, Output& out);
  // Any route key withdrawn (or no longer usable): forgets it if it was one of the above.
  void peer_withdraw(const Bytes& key, Time now, Output& out);

  void on_timer(Time now, Output& out);
  std::optional<Time> next_deadline() const;

  // Fast failover: the FdbNexthopGroup of the peer PEs (0: none), set by the owner of nexthop
  // ids; goes into every attachment's intent.
  void set_backup_nhid(uint32_t id, Output& out);
  std::vector<IpAddress> peer_vteps() const;  // sorted, unique (type-4 originators but us)

  bool is_df(Vni vni) const;
  EsView view(Time now) const;
  std::vector<EsEviView> evi_views() const;
  uint64_t df_changes() const { return df_changes_; }

 private:
  enum class State : uint8_t { kDown, kDfWait, kDfDone };
  struct Attachment {
    std::string port;
    bool up = false;
    std::optional<EsEvi> evi;          // set while the L2VNI exists
    DfResult result;                   // last calculation (DF_DONE only)
    bool is_df = false;
  };
  struct Peer {
    IpAddress originator;
    DfParams df;
  };
  struct Published {
    wire::EvpnRoute route;
    wire::PathAttributes attrs;
  };

  bool can_be_up(Time now) const;
  void evaluate(Time now);             // state transitions (ES_UP, DF_TIMER, ES_DOWN)
  void calculate();                    // DF_CALC for every EVI
  DfParams local_df() const;
  std::vector<DfCandidate> candidates(Vni vni) const;
  KeyMap<Published> desired_routes() const;
  std::map<Vni, dataplane::EsAttachment> desired_intents() const;
  void reconcile(Time now, Output& out);

  api::EthernetSegmentConfig cfg_;
  EsContext ctx_;
  bool started_ = false;
  Time hold_until_{};
  State state_ = State::kDown;
  Time wait_until_{};
  Time last_now_{};
  std::map<Vni, Attachment> attachments_;
  KeyMap<Peer> peer_es_;                           // type-4 route key -> peer
  KeyMap<std::pair<IpAddress, Vni>> peer_evi_;     // per-EVI A-D route key -> (VTEP, VNI)
  uint32_t backup_nhid_ = 0;
  KeyMap<Published> published_;
  std::map<Vni, dataplane::EsAttachment> installed_;
  uint64_t df_changes_ = 0;
};

}  // namespace evpnd::evpn

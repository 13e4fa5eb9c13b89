// Update groups: peers with the same outbound policy (role, 4-octet AS, extended message,
// negotiated families) share
// one Adj-RIB-Out and one encoding of every UPDATE ("encode once, send to all members").
//
// The Adj-RIB-Out of a group is a bitmap over DestIds ("advertised to this group"); what was
// advertised is a pure function of the Loc-RIB and the group policy, so it is recomputed on
// demand (route refresh, API) instead of stored per route: 1M routes cost 128 KiB per group.
// A set bit means "sent to every member except the peer the advertised path came from"
// (Dest::adv_from, RFC 4456 §6), so a member's own Adj-RIB-Out is bit && adv_from != member.
//
// A peer that comes up gets a fresh group (needs_full_dump); after its first flush (full table +
// End-of-RIB, RFC 4724 §2) its Adj-RIB-Out equals that of any in-sync group with the same
// policy, so the speaker merges the two.
//
// Catch-up mode (bounded output, docs/ARCHITECTURE.md "Slow peers"): a member whose output queue
// is over the limit leaves its group for a group of its own in catch-up mode. There the bit
// means "this one member has the route" (adv_from is not consulted: it describes what the
// in-sync groups advertised, not what a lagging member holds), and a second bitmap marks the
// Dests that changed since the member fell behind. Both are bounded by the number of routes,
// not by the number of changes: a route that changed ten times is one dirty bit, sent once in
// its latest state when the member's queue drains.
//
// NOTE performance: UpdatePacker groups routes by interned outbound attributes and packs as many
// NLRI as fit into each UPDATE (4096 bytes, 65535 with RFC 8654), appending all messages into
// large shared chunks that every member's connection writes as is. The attributes of a set are
// encoded once (a template split around the MP_REACH_NLRI value); NLRI are then written
// straight into the chunk, with no wire::Update built per message.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bgp/attr_table.hpp"
#include "bgp/policy.hpp"
#include "bgp/rib_family.hpp"
#include "bgp/route_table.hpp"
#include "core/prefix_list.hpp"
#include "wire/message.hpp"

namespace evpnd::bgp {

using Chunk = std::shared_ptr<const Bytes>;  // one or more whole BGP messages
using GroupId = uint32_t;

struct GroupPolicy {
  PeerRole role = PeerRole::kIbgp;
  bool four_octet_as = true;
  bool extended_message = false;
  // The session's negotiated families, sorted (RFC 4760 §8: routes of an <AFI, SAFI> go only to
  // a peer that negotiated it), so members of one group always agree on what they may be sent.
  std::vector<AfiSafi> families{kL2vpnEvpn};
  // Unicast only (set when `families` has ipv4- or ipv6-unicast, so EVPN-only groups never split
  // on them): the session's local address, the next hop of next-hop-self (RFC 4271 §5.1.3), and
  // the export prefix list (nullopt = none: RFC 8212 §2 denies everything to eBGP).
  std::optional<IpAddress> local_address;
  std::optional<PrefixList> export_filter;
  bool carries(AfiSafi f) const { return std::find(families.begin(), families.end(), f) != families.end(); }
  bool carries_unicast() const { return carries(kIpv4Unicast) || carries(kIpv6Unicast); }
  bool operator==(const GroupPolicy&) const = default;
};

// One table's Adj-RIB-Out of a group (see the header comment): the advertised bitmap over that
// table's DestIds and, in catch-up mode, its dirty bitmap.
class AdjRibOut {
 public:
  bool advertised(DestId d) const { return d < bits_.size() * 64 && (bits_[d / 64] >> (d % 64)) & 1; }
  void set_advertised(DestId d, bool on);
  size_t advertised_count() const { return advertised_count_; }
  // Calls f(id) for every advertised DestId, in order.
  template <typename F>
  void for_each_advertised(F&& f) const {
    for (size_t w = 0; w < bits_.size(); ++w)
      for (uint64_t b = bits_[w]; b; b &= b - 1) f(DestId(w * 64 + size_t(__builtin_ctzll(b))));
  }
  void mark_dirty(DestId d);
  void mark_all_advertised_dirty() {
    for_each_advertised([this](DestId d) { mark_dirty(d); });
  }
  void clear_dirty() {
    dirty_ = {};
    dirty_count_ = 0;
    dirty_cursor_ = 0;
  }
  size_t dirty_count() const { return dirty_count_; }
  // Clears and passes to f up to `max` dirty DestIds (in id order, resuming where the last call
  // stopped); returns how many.
  template <typename F>
  size_t take_dirty(size_t max, F&& f) {
    size_t n = 0;
    for (size_t scanned = 0; n < max && dirty_count_ && scanned <= dirty_.size(); ++scanned) {
      if (dirty_cursor_ >= dirty_.size()) dirty_cursor_ = 0;
      uint64_t& w = dirty_[dirty_cursor_];
      while (w && n < max) {
        const unsigned bit = unsigned(__builtin_ctzll(w));
        w &= w - 1;
        --dirty_count_;
        ++n;
        f(DestId(dirty_cursor_ * 64 + bit));
      }
      if (!w) ++dirty_cursor_;
    }
    return n;
  }

 private:
  std::vector<uint64_t> bits_;
  size_t advertised_count_ = 0;
  std::vector<uint64_t> dirty_;
  size_t dirty_count_ = 0;
  size_t dirty_cursor_ = 0;
};

class UpdateGroup {
 public:
  UpdateGroup(GroupId id, GroupPolicy policy) : id_(id), policy_(std::move(policy)) {}
  GroupId id() const { return id_; }
  const GroupPolicy& policy() const { return policy_; }
  std::vector<PeerId>& members() { return members_; }
  const std::vector<PeerId>& members() const { return members_; }
  bool needs_full_dump() const { return needs_full_dump_; }
  void set_full_dump_done() { needs_full_dump_ = false; }

  // The Adj-RIB-Out of one of the speaker's tables (rib_family.hpp).
  AdjRibOut& adj(TableId t) { return adj_[size_t(t)]; }
  const AdjRibOut& adj(TableId t) const { return adj_[size_t(t)]; }
  // Routes advertised over all tables.
  size_t total_advertised() const {
    size_t n = 0;
    for (const auto& a : adj_) n += a.advertised_count();
    return n;
  }
  // The EVPN table's Adj-RIB-Out (the interface from before the unicast table).
  bool advertised(DestId d) const { return adj_[0].advertised(d); }
  void set_advertised(DestId d, bool on) { adj_[0].set_advertised(d, on); }
  size_t advertised_count() const { return adj_[0].advertised_count(); }
  template <typename F>
  void for_each_advertised(F&& f) const {
    adj_[0].for_each_advertised(std::forward<F>(f));
  }

  // Catch-up mode (see the header comment). begin_catch_up copies `from`'s Adj-RIB-Out bitmaps
  // (the caller clears what the member never had); end_catch_up returns to normal semantics.
  bool catching_up() const { return catching_up_; }
  void begin_catch_up(const UpdateGroup& from);
  void end_catch_up();
  void mark_dirty(DestId d) { adj_[0].mark_dirty(d); }
  void mark_all_advertised_dirty() {  // ROUTE-REFRESH (RFC 2918 §4): resend everything it has
    for (auto& a : adj_) a.mark_all_advertised_dirty();
  }
  size_t dirty_count() const {
    size_t n = 0;
    for (const auto& a : adj_) n += a.dirty_count();
    return n;
  }

  // The outbound attributes for a path from a `from` peer (cached per interned input; the last
  // answer is remembered because consecutive routes almost always share their attributes).
  // Unicast routes (`kind` kIpv4/kIpv6) get the next hop rewrite of transform_outbound_unicast
  // with the group's local address; an empty AttrRef then means "cannot be advertised: no next
  // hop of the prefix's family" (the caller counts it).
  const AttrRef& out_attrs(const AttrRef& in, PeerRole from, const IpAddress& from_router_id, const SpeakerIdentity& me,
                           AttrTable& table, NlriKind kind = NlriKind::kEvpn);
  void trim_cache();

  // RFC 4271 §9.2 ("a single route doesn't fit into the message ... MUST NOT advertise") and
  // RFC 8654 §4 (a route from an extended-message peer onward to one without): the attributes to
  // advertise `nlri` to this group with, given its outbound attributes `out`. `out` when one
  // UPDATE of the group's maximum size (4096, 65535 with extended messages) holds them and the
  // route; else `out` without the attributes RFC 7606 handles by "attribute discard"
  // (ATOMIC_AGGREGATE, AGGREGATOR, AS4_AGGREGATOR: RFC 7606 §7.6-7.7, RFC 6793 §6), which RFC
  // 8654 §4 says to try, when that fits; else nullptr and `*too_large` = the size it would take.
  // Cached per `out`, like out_attrs.
  const AttrRef* fitting(const AttrRef& out, const wire::EvpnRoute& nlri, AttrTable& table, size_t* too_large = nullptr) {
    return fitting(out, NlriKind::kEvpn, wire::encoded_size(nlri), table, too_large);
  }
  // The same for a route of any kind taking `route_size` octets of NLRI.
  const AttrRef* fitting(const AttrRef& out, NlriKind kind, size_t route_size, AttrTable& table,
                         size_t* too_large = nullptr);

 private:
  GroupId id_;
  GroupPolicy policy_;
  std::vector<PeerId> members_;
  bool needs_full_dump_ = true;
  std::array<AdjRibOut, kTableCount> adj_;
  bool catching_up_ = false;
  struct CacheKey {
    const PathInfo* in;
    PeerRole from;
    uint32_t from_id;
    NlriKind kind;  // an interned PathInfo may serve an EVPN and a unicast route alike
    bool operator==(const CacheKey&) const = default;
  };
  struct CacheHash {
    size_t operator()(const CacheKey& k) const {
      return std::hash<const void*>{}(k.in) ^ (size_t(k.from) << 40) ^ (size_t(k.kind) << 48) ^
             (size_t(k.from_id) * 0x9e3779b97f4a7c15ULL);
    }
  };
  // Keeps `in` alive so the raw-pointer key cannot be reused by another entry.
  std::unordered_map<CacheKey, std::pair<AttrRef, AttrRef>, CacheHash> cache_;
  CacheKey last_key_{nullptr, PeerRole::kLocal, 0, NlriKind::kEvpn};
  const AttrRef* last_out_ = nullptr;  // points into cache_ (stable: node-based map)
  struct Fit {
    AttrRef out;               // keeps the key alive
    size_t fixed = 0;          // the UPDATE's size without its NLRI
    bool reduced_tried = false;
    AttrRef reduced;           // `out` without the attribute-discard ones (when it had any)
    size_t reduced_fixed = 0;
  };
  struct FitKey {
    const PathInfo* out;
    NlriKind kind;  // the UPDATE's shape differs per family (MP_REACH, or NEXT_HOP for IPv4)
    bool operator==(const FitKey&) const = default;
  };
  struct FitHash {
    size_t operator()(const FitKey& k) const { return std::hash<const void*>{}(k.out) ^ size_t(k.kind); }
  };
  std::unordered_map<FitKey, Fit, FitHash> fits_;
  FitKey last_fit_key_{nullptr, NlriKind::kEvpn};
  Fit* last_fit_ = nullptr;
};

// Builds packed UPDATE messages for one group into shared chunks.
class UpdatePacker {
 public:
  UpdatePacker(const wire::EncodeContext& ctx, bool extended_message);
  void announce(const AttrRef& out, const wire::EvpnRoute& nlri);  // buffered by attribute set
  void withdraw(const wire::EvpnRoute& nlri);
  void end_of_rib(AfiSafi f);
  // Encodes everything buffered (withdrawals first, then announcements per attribute set,
  // then End-of-RIB markers) and returns the chunks.
  std::vector<Chunk> finish();
  size_t updates_encoded() const { return updates_; }

 private:
  void emit_announcements(const AttrRef& attrs, const std::vector<const wire::EvpnRoute*>& routes);
  bool emit_announcements_direct(const AttrRef& attrs, const std::vector<const wire::EvpnRoute*>& routes);
  void emit_withdrawals();
  void append(const wire::Message& m);
  Bytes& chunk_for_next_message();

  wire::EncodeContext ctx_;
  size_t max_size_;
  std::vector<std::pair<AttrRef, std::vector<const wire::EvpnRoute*>>> buckets_;
  std::unordered_map<const PathInfo*, size_t> bucket_index_;
  const PathInfo* last_bucket_key_ = nullptr;
  size_t last_bucket_ = 0;
  std::vector<const wire::EvpnRoute*> withdrawals_;
  std::vector<AfiSafi> eor_;
  std::vector<Chunk> chunks_;
  std::shared_ptr<Bytes> current_;
  size_t updates_ = 0;
};

// The members of a group do not all receive the same thing: RFC 4456 §6 lets a reflector skip
// the client a route came from (it would drop it by ORIGINATOR_ID anyway, RFC 4456 §8), and
// when the best path moves from one member to another the new source must get a withdrawal of
// what it was sent before. Each route therefore goes into one lane: "every member except X"
// (X = kNoPeer: all) or "only member X". Lanes are encoded separately, each once; in the common
// case (all routes of a flush from one peer) there is a single lane. A lane without recipients
// is never encoded.
template <typename P>
class BasicFanoutPacker {
 public:
  enum class To : uint8_t { kAllBut, kOnly };
  struct Lane {
    To to;
    PeerId peer;
    std::vector<PeerId> recipients;
    std::unique_ptr<P> packer;  // null when nobody would receive the lane
  };
  BasicFanoutPacker(const wire::EncodeContext& ctx, bool extended_message, const std::vector<PeerId>& members)
      : ctx_(ctx), extended_message_(extended_message), members_(members) {}
  // The packer of a lane, or nullptr when the lane has no recipients. `peer` must be a member
  // of the group or kNoPeer (then kAllBut means everyone).
  P* lane(To to, PeerId peer) {
    if (last_ < lanes_.size() && lanes_[last_].to == to && lanes_[last_].peer == peer) return lanes_[last_].packer.get();
    for (size_t i = 0; i < lanes_.size(); ++i) {
      if (lanes_[i].to == to && lanes_[i].peer == peer) {
        last_ = i;
        return lanes_[i].packer.get();
      }
    }
    Lane l{to, peer, {}, nullptr};
    if (to == To::kOnly) {
      l.recipients.push_back(peer);
    } else {
      for (PeerId m : members_)
        if (m != peer) l.recipients.push_back(m);
    }
    if (!l.recipients.empty()) l.packer = std::make_unique<P>(ctx_, extended_message_);
    lanes_.push_back(std::move(l));
    last_ = lanes_.size() - 1;
    return lanes_.back().packer.get();
  }
  std::vector<Lane>& lanes() { return lanes_; }

 private:
  wire::EncodeContext ctx_;
  bool extended_message_;
  const std::vector<PeerId>& members_;
  std::vector<Lane> lanes_;  // few (usually one): found by a linear scan behind a last-hit cache
  size_t last_ = SIZE_MAX;
};
using FanoutPacker = BasicFanoutPacker<UpdatePacker>;

}  // namespace evpnd::bgp

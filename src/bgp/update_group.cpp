#include "bgp/update_group.hpp"

#include <cstring>
#include <iterator>
#include <utility>

namespace evpnd::bgp {
namespace {
constexpr size_t kChunkTarget = 256 * 1024;  // one async_write's worth; bounded copy sizes
constexpr size_t kCacheLimit = 4096;

// The routes were last read when the group was filled; with thousands of routes per flush
// their lines (the value, and the variant index after it) have left the nearer caches.
constexpr size_t kEncodeAhead = 8;
void prefetch_route(const wire::EvpnRoute* r) {
  const char* p = reinterpret_cast<const char*>(r);
  __builtin_prefetch(p);
  __builtin_prefetch(p + sizeof(wire::EvpnRoute) - 1);
}

// Encodes `routes` one after another into the message `open` starts. A route that takes the
// message (counted from `start`) past `limit` bytes is cut off again, `close` finishes the message
// and the route opens the next one; every message holds at least one route. `out` and `start`
// are the caller's variables that `open` sets (it may switch `out` to a new chunk, so they are
// read through references after each call).
template <class Open, class Close>
void pack_nlri(const std::vector<const wire::EvpnRoute*>& routes, size_t limit, Bytes* const& out,
               const size_t& start, Open&& open, Close&& close) {
  open();
  size_t in_message = 0;
  for (size_t k = 0; k < routes.size(); ++k) {
    if (k + kEncodeAhead < routes.size()) prefetch_route(routes[k + kEncodeAhead]);
    const size_t before = out->size();
    ByteWriter w(*out);
    wire::encode_evpn_route(w, *routes[k]);
    if (out->size() - start > limit && in_message > 0) {
      out->resize(before);
      close();
      open();
      ByteWriter w2(*out);
      wire::encode_evpn_route(w2, *routes[k]);
      in_message = 0;
    }
    ++in_message;
  }
  close();
}
}  // namespace

void AdjRibOut::set_advertised(DestId d, bool on) {
  if (d / 64 >= bits_.size()) {
    if (!on) return;
    bits_.resize(d / 64 + 1 + bits_.size() / 2);
  }
  uint64_t& w = bits_[d / 64];
  const uint64_t m = uint64_t{1} << (d % 64);
  if (bool(w & m) == on) return;
  w ^= m;
  if (on) ++advertised_count_; else --advertised_count_;
}

void UpdateGroup::begin_catch_up(const UpdateGroup& from) {
  adj_ = from.adj_;
  for (auto& a : adj_) a.clear_dirty();
  needs_full_dump_ = false;
  catching_up_ = true;
}

void UpdateGroup::end_catch_up() {
  catching_up_ = false;
  for (auto& a : adj_) a.clear_dirty();
}

void AdjRibOut::mark_dirty(DestId d) {
  if (d / 64 >= dirty_.size()) dirty_.resize(d / 64 + 1 + dirty_.size() / 2);
  uint64_t& w = dirty_[d / 64];
  const uint64_t m = uint64_t{1} << (d % 64);
  if (!(w & m)) {
    w |= m;
    ++dirty_count_;
  }
}

const AttrRef& UpdateGroup::out_attrs(const AttrRef& in, PeerRole from, const IpAddress& from_router_id,
                                      const SpeakerIdentity& me, AttrTable& table, NlriKind kind) {
  const CacheKey key{in.get(), from, from_router_id.v4_host_order(), kind};
  if (last_out_ && key == last_key_) return *last_out_;
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    AttrRef out;
    if (kind == NlriKind::kEvpn) {
      out = table.intern(transform_outbound(*in, from, from_router_id, policy_.role, me));
    } else if (auto u = transform_outbound_unicast(*in, from, from_router_id, policy_.role, me, policy_.local_address,
                                                   kind == NlriKind::kIpv6 ? IpFamily::kV6 : IpFamily::kV4)) {
      out = table.intern(std::move(*u));
    }
    it = cache_.emplace(key, std::make_pair(in, std::move(out))).first;
  }
  last_key_ = key;
  last_out_ = &it->second.second;
  return *last_out_;
}

void UpdateGroup::trim_cache() {
  if (cache_.size() > kCacheLimit) {
    cache_.clear();
    last_out_ = nullptr;
  }
  if (fits_.size() > kCacheLimit) {
    fits_.clear();
    last_fit_ = nullptr;
    last_fit_key_ = FitKey{nullptr, NlriKind::kEvpn};
  }
}

namespace {
// The size of an UPDATE announcing EVPN routes with `p`, without the routes, as this group's
// members are sent it (the packer's template: attributes and the MP_REACH_NLRI header).
size_t update_size_without_nlri(const PathInfo& p, const GroupPolicy& pol, NlriKind kind) {
  wire::Update u;
  u.attrs = p.attrs;
  if (kind == NlriKind::kIpv4) {
    u.attrs.next_hop = p.next_hop;  // RFC 4271 §4.3: IPv4 unicast in the UPDATE's own fields
  } else {
    u.mp_reach = wire::MpReach{};
    u.mp_reach->afi_safi = kind == NlriKind::kEvpn ? kL2vpnEvpn : kIpv6Unicast;
    u.mp_reach->next_hop = p.next_hop;
  }
  wire::EncodeContext ctx;
  ctx.four_octet_as = pol.four_octet_as;
  ctx.extended_message = pol.extended_message;
  return wire::encode_message(u, ctx).size();
}
}  // namespace

const AttrRef* UpdateGroup::fitting(const AttrRef& out, NlriKind kind, size_t route, AttrTable& table,
                                    size_t* too_large) {
  const size_t limit = policy_.extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize;
  const FitKey key{out.get(), kind};
  if (!last_fit_ || !(last_fit_key_ == key)) {
    auto it = fits_.find(key);
    if (it == fits_.end()) it = fits_.emplace(key, Fit{out, update_size_without_nlri(*out, policy_, kind)}).first;
    last_fit_key_ = key;
    last_fit_ = &it->second;
  }
  Fit& f = *last_fit_;
  if (f.fixed + route <= limit) return &f.out;
  if (!f.reduced_tried) {
    f.reduced_tried = true;
    const wire::PathAttributes& a = out->attrs;
    if (a.atomic_aggregate || a.aggregator || a.as4_aggregator) {
      PathInfo r = *out;
      r.attrs.atomic_aggregate = false;
      r.attrs.aggregator.reset();
      r.attrs.as4_aggregator.reset();
      f.reduced = table.intern(std::move(r));
      f.reduced_fixed = update_size_without_nlri(*f.reduced, policy_, kind);
    }
  }
  if (f.reduced && f.reduced_fixed + route <= limit) return &f.reduced;
  if (too_large) *too_large = (f.reduced ? f.reduced_fixed : f.fixed) + route;
  return nullptr;
}

UpdatePacker::UpdatePacker(const wire::EncodeContext& ctx, bool extended_message)
    : ctx_(ctx), max_size_(extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize) {}

void UpdatePacker::announce(const AttrRef& out, const wire::EvpnRoute& nlri) {
  if (out.get() != last_bucket_key_ || buckets_.empty()) {
    auto [it, inserted] = bucket_index_.try_emplace(out.get(), buckets_.size());
    if (inserted) buckets_.emplace_back(out, std::vector<const wire::EvpnRoute*>{});
    last_bucket_key_ = out.get();
    last_bucket_ = it->second;
  }
  buckets_[last_bucket_].second.push_back(&nlri);
}

void UpdatePacker::withdraw(const wire::EvpnRoute& nlri) { withdrawals_.push_back(&nlri); }

void UpdatePacker::end_of_rib(AfiSafi f) { eor_.push_back(f); }

Bytes& UpdatePacker::chunk_for_next_message() {
  if (!current_ || current_->size() >= kChunkTarget) {
    if (current_) chunks_.push_back(std::move(current_));
    current_ = std::make_shared<Bytes>();
    current_->reserve(kChunkTarget + max_size_);
  }
  return *current_;
}

void UpdatePacker::append(const wire::Message& m) {
  wire::encode_message(m, ctx_, chunk_for_next_message());
  ++updates_;
}

void UpdatePacker::emit_withdrawals() {
  if (withdrawals_.empty()) return;
  if (!ctx_.add_path_tx_evpn) {
    // RFC 4760 §4: an UPDATE holding only MP_UNREACH_NLRI (flags optional + extended length,
    // AFI 25, SAFI 70, the NLRI), written directly; what does not fit starts a new message.
    constexpr size_t kAttrAt = wire::kHeaderSize + 4;                 // after both length fields
    constexpr uint8_t kFixed[] = {0x90, 15, 0, 0, 0, 25, 70};        // flags, type, len, AFI, SAFI
    size_t start = 0;
    Bytes* out = nullptr;
    auto open_message = [&] {
      out = &chunk_for_next_message();
      start = out->size();
      out->resize(start + kAttrAt);
      std::memset(out->data() + start, 0xFF, 16);
      (*out)[start + 18] = static_cast<uint8_t>(wire::MessageType::kUpdate);
      out->insert(out->end(), std::begin(kFixed), std::end(kFixed));
    };
    auto close_message = [&] {
      const size_t len = out->size() - start;
      uint8_t* m = out->data() + start;
      m[16] = uint8_t(len >> 8), m[17] = uint8_t(len);
      m[19] = 0, m[20] = 0;  // no IPv4 withdrawn routes
      const size_t attrs = len - kAttrAt;
      m[21] = uint8_t(attrs >> 8), m[22] = uint8_t(attrs);
      const size_t value = attrs - 4;
      m[kAttrAt + 2] = uint8_t(value >> 8), m[kAttrAt + 3] = uint8_t(value);
      ++updates_;
    };
    pack_nlri(withdrawals_, max_size_, out, start, open_message, close_message);
    withdrawals_.clear();
    return;
  }
  wire::Update u;
  u.mp_unreach = wire::MpUnreach{kL2vpnEvpn, {}, {}};
  const size_t base = wire::encode_message(u, ctx_).size() + 1;  // +1: extended attribute length
  size_t size = base;
  for (const wire::EvpnRoute* r : withdrawals_) {
    const size_t n = wire::encoded_size(*r);
    if (size + n > max_size_ && !u.mp_unreach->evpn.empty()) {
      append(u);
      u.mp_unreach->evpn.clear();
      size = base;
    }
    u.mp_unreach->evpn.push_back(*r);
    size += n;
  }
  append(u);
  withdrawals_.clear();
}

// Encodes the attribute set once with no NLRI, finds MP_REACH_NLRI in it, and writes every
// message as template-before-NLRI, the NLRI, template-after-NLRI, patching the three lengths
// (message, total path attributes, MP_REACH_NLRI). False when the template does not have the
// expected shape (then the generic path runs).
bool UpdatePacker::emit_announcements_direct(const AttrRef& attrs, const std::vector<const wire::EvpnRoute*>& routes) {
  if (ctx_.add_path_tx_evpn) return false;
  wire::Update u;
  u.attrs = attrs->attrs;
  u.mp_reach = wire::MpReach{};
  u.mp_reach->afi_safi = kL2vpnEvpn;
  u.mp_reach->next_hop = attrs->next_hop;
  const Bytes tpl = wire::encode_message(u, ctx_);
  constexpr size_t kAttrAt = wire::kHeaderSize + 4;
  if (tpl.size() < kAttrAt || tpl[19] != 0 || tpl[20] != 0) return false;
  size_t pos = kAttrAt, mp_len_at = 0, split = 0;
  while (pos + 3 <= tpl.size()) {
    const uint8_t flags = tpl[pos], type = tpl[pos + 1];
    const bool ext = flags & 0x10;
    if (pos + (ext ? 4u : 3u) > tpl.size()) return false;
    const size_t len = ext ? (size_t(tpl[pos + 2]) << 8 | tpl[pos + 3]) : tpl[pos + 2];
    const size_t value_at = pos + (ext ? 4 : 3);
    if (type == static_cast<uint8_t>(wire::AttrType::kMpReach)) {
      if (!ext || split) return false;
      mp_len_at = pos + 2;
      split = value_at + len;
    }
    pos = value_at + len;
  }
  if (pos != tpl.size() || !split) return false;

  size_t start = 0;
  Bytes* out = nullptr;
  auto open_message = [&] {
    out = &chunk_for_next_message();
    start = out->size();
    out->insert(out->end(), tpl.begin(), tpl.begin() + long(split));
  };
  auto close_message = [&] {
    const size_t nlri = out->size() - start - split;
    out->insert(out->end(), tpl.begin() + long(split), tpl.end());
    uint8_t* m = out->data() + start;
    const size_t len = out->size() - start;
    m[16] = uint8_t(len >> 8), m[17] = uint8_t(len);
    const size_t attr_total = len - kAttrAt;
    m[21] = uint8_t(attr_total >> 8), m[22] = uint8_t(attr_total);
    const size_t mp = (size_t(tpl[mp_len_at]) << 8 | tpl[mp_len_at + 1]) + nlri;
    m[mp_len_at] = uint8_t(mp >> 8), m[mp_len_at + 1] = uint8_t(mp);
    ++updates_;
  };
  const size_t room = max_size_ - (tpl.size() - split);  // what the part before the tail may use
  pack_nlri(routes, room, out, start, open_message, close_message);
  return true;
}

void UpdatePacker::emit_announcements(const AttrRef& attrs, const std::vector<const wire::EvpnRoute*>& routes) {
  if (routes.empty() || emit_announcements_direct(attrs, routes)) return;
  wire::Update u;
  u.attrs = attrs->attrs;
  u.mp_reach = wire::MpReach{};
  u.mp_reach->afi_safi = kL2vpnEvpn;
  u.mp_reach->next_hop = attrs->next_hop;
  const size_t base = wire::encode_message(u, ctx_).size() + 1;
  size_t size = base;
  u.mp_reach->evpn.reserve(std::min<size_t>(routes.size(), max_size_ / 40));
  for (const wire::EvpnRoute* r : routes) {
    const size_t n = wire::encoded_size(*r);
    if (size + n > max_size_ && !u.mp_reach->evpn.empty()) {
      append(u);
      u.mp_reach->evpn.clear();
      size = base;
    }
    u.mp_reach->evpn.push_back(*r);
    size += n;
  }
  if (!u.mp_reach->evpn.empty()) append(u);
}

std::vector<Chunk> UpdatePacker::finish() {
  emit_withdrawals();
  for (const auto& [attrs, routes] : buckets_) emit_announcements(attrs, routes);
  buckets_.clear();
  bucket_index_.clear();
  last_bucket_key_ = nullptr;
  for (AfiSafi f : eor_) {
    // RFC 4724 §2: IPv4 unicast EoR is an empty UPDATE; others an empty MP_UNREACH_NLRI.
    wire::Update u;
    if (f != kIpv4Unicast) u.mp_unreach = wire::MpUnreach{f, {}, {}};
    append(u);
  }
  eor_.clear();
  if (current_ && !current_->empty()) chunks_.push_back(std::move(current_));
  current_.reset();
  return std::exchange(chunks_, {});
}

}  // namespace evpnd::bgp

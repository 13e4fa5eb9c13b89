#include "bgp/update_group.hpp"

#include <utility>

namespace evpnd::bgp {
namespace {
constexpr size_t kChunkTarget = 256 * 1024;  // one async_write's worth; bounded copy sizes
constexpr size_t kCacheLimit = 4096;
}  // namespace

void UpdateGroup::set_advertised(DestId d, bool on) {
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

AttrRef UpdateGroup::out_attrs(const AttrRef& in, PeerRole from, const IpAddress& from_router_id,
                               const SpeakerIdentity& me, AttrTable& table) {
  const CacheKey key{in.get(), from, from_router_id.v4_host_order()};
  if (auto it = cache_.find(key); it != cache_.end()) return it->second.second;
  AttrRef out = table.intern(transform_outbound(*in, from, from_router_id, policy_.role, me));
  cache_.emplace(key, std::make_pair(in, out));
  return out;
}

void UpdateGroup::trim_cache() {
  if (cache_.size() > kCacheLimit) cache_.clear();
}

UpdatePacker::UpdatePacker(const wire::EncodeContext& ctx, bool extended_message)
    : ctx_(ctx), max_size_(extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize) {}

void UpdatePacker::announce(const AttrRef& out, const wire::EvpnRoute& nlri) {
  auto [it, inserted] = bucket_index_.try_emplace(out.get(), buckets_.size());
  if (inserted) buckets_.emplace_back(out, std::vector<const wire::EvpnRoute*>{});
  buckets_[it->second].second.push_back(&nlri);
}

void UpdatePacker::withdraw(const wire::EvpnRoute& nlri) { withdrawals_.push_back(&nlri); }

void UpdatePacker::end_of_rib(AfiSafi f) { eor_.push_back(f); }

void UpdatePacker::append(const wire::Message& m) {
  if (!current_ || current_->size() >= kChunkTarget) {
    if (current_) chunks_.push_back(std::move(current_));
    current_ = std::make_shared<Bytes>();
    current_->reserve(kChunkTarget + max_size_);
  }
  wire::encode_message(m, ctx_, *current_);
  ++updates_;
}

void UpdatePacker::emit_withdrawals() {
  if (withdrawals_.empty()) return;
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

void UpdatePacker::emit_announcements(const AttrRef& attrs, const std::vector<const wire::EvpnRoute*>& routes) {
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

#include "bgp/unicast_packer.hpp"

namespace evpnd::bgp {
namespace {
constexpr size_t kChunkTarget = 256 * 1024;  // as UpdatePacker: one async_write's worth
}  // namespace

UnicastPacker::UnicastPacker(const wire::EncodeContext& ctx, bool extended_message)
    : ctx_(ctx), max_size_(extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize) {}

void UnicastPacker::announce(const AttrRef& out, const IpPrefix& nlri) {
  const BucketKey key{out.get(), nlri.family() == IpFamily::kV6};
  auto [it, inserted] = bucket_index_.try_emplace(key, buckets_.size());
  if (inserted) buckets_.emplace_back(out, std::vector<const IpPrefix*>{});
  buckets_[it->second].second.push_back(&nlri);
}

void UnicastPacker::withdraw(const IpPrefix& nlri) {
  (nlri.family() == IpFamily::kV6 ? withdraw_v6_ : withdraw_v4_).push_back(&nlri);
}

Bytes& UnicastPacker::chunk_for_next_message() {
  if (!current_ || current_->size() >= kChunkTarget) {
    if (current_) chunks_.push_back(std::move(current_));
    current_ = std::make_shared<Bytes>();
    current_->reserve(kChunkTarget + max_size_);
  }
  return *current_;
}

// Fills `field` (a member of `u`) with as many of `prefixes` as fit one message, encodes it, and
// repeats. `u` without prefixes gives the fixed part; +1 covers the extended length MP_UNREACH
// switches to once it holds NLRI (an empty one is an End-of-RIB, encoded short).
void UnicastPacker::emit(wire::Update& u, std::vector<IpPrefix>& field, const std::vector<const IpPrefix*>& prefixes) {
  if (prefixes.empty()) return;
  field.clear();
  const size_t base = wire::encode_message(u, ctx_).size() + 1;
  size_t size = base;
  for (const IpPrefix* p : prefixes) {
    const size_t n = prefix_size(*p);
    if (size + n > max_size_ && !field.empty()) {
      wire::encode_message(u, ctx_, chunk_for_next_message());
      ++updates_;
      field.clear();
      size = base;
    }
    field.push_back(*p);
    size += n;
  }
  wire::encode_message(u, ctx_, chunk_for_next_message());
  ++updates_;
}

std::vector<Chunk> UnicastPacker::finish() {
  {
    wire::Update u;
    emit(u, u.withdrawn, withdraw_v4_);
  }
  {
    wire::Update u;
    u.mp_unreach = wire::MpUnreach{kIpv6Unicast, {}, {}, {}};
    emit(u, u.mp_unreach->prefixes, withdraw_v6_);
  }
  for (const auto& [attrs, prefixes] : buckets_) {
    wire::Update u;
    u.attrs = attrs->attrs;
    if (prefixes.front()->family() == IpFamily::kV6) {
      u.mp_reach = wire::MpReach{};
      u.mp_reach->afi_safi = kIpv6Unicast;
      u.mp_reach->next_hop = attrs->next_hop;
      emit(u, u.mp_reach->prefixes, prefixes);
    } else {
      u.attrs.next_hop = attrs->next_hop;
      emit(u, u.nlri, prefixes);
    }
  }
  withdraw_v4_.clear();
  withdraw_v6_.clear();
  buckets_.clear();
  bucket_index_.clear();
  if (current_ && !current_->empty()) chunks_.push_back(std::move(current_));
  current_.reset();
  return std::exchange(chunks_, {});
}

}  // namespace evpnd::bgp

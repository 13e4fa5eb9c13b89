// Packed UPDATEs of unicast routes for one update group (the unicast counterpart of
// UpdatePacker, same interface, so BasicFanoutPacker and the RIB code drive both alike).
//
// Encoding (RFC 4271 §4.3, RFC 4760 §3-4): IPv4 unicast in the UPDATE's own fields -- withdrawals
// in Withdrawn Routes, announcements in the NLRI field with the NEXT_HOP attribute; IPv6 unicast
// in MP_REACH_NLRI (AFI 2, SAFI 1, the 16-byte global next hop) and MP_UNREACH_NLRI. Routes are
// bucketed per (interned outbound attributes, family) and each bucket is packed into as few
// UPDATEs as the session's maximum message size allows (4096, 65535 with RFC 8654); withdrawals
// go first, as with EVPN. No add-path: evpnd never negotiates it for unicast.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bgp/update_group.hpp"

namespace evpnd::bgp {

class UnicastPacker {
 public:
  UnicastPacker(const wire::EncodeContext& ctx, bool extended_message);
  void announce(const AttrRef& out, const IpPrefix& nlri);  // out->next_hop is the next hop sent
  void withdraw(const IpPrefix& nlri);
  // Withdrawals, then announcements per bucket; returns the chunks.
  std::vector<Chunk> finish();
  size_t updates_encoded() const { return updates_; }

  // Octets one prefix takes in an NLRI / Withdrawn Routes field (RFC 4271 §4.3).
  static size_t prefix_size(const IpPrefix& p) { return 1 + (size_t(p.length()) + 7) / 8; }

 private:
  struct BucketKey {
    const PathInfo* attrs;
    bool v6;
    bool operator==(const BucketKey&) const = default;
  };
  struct BucketHash {
    size_t operator()(const BucketKey& k) const { return std::hash<const void*>{}(k.attrs) ^ size_t(k.v6); }
  };
  void emit(wire::Update& u, std::vector<IpPrefix>& field, const std::vector<const IpPrefix*>& prefixes);
  Bytes& chunk_for_next_message();

  wire::EncodeContext ctx_;
  size_t max_size_;
  std::vector<std::pair<AttrRef, std::vector<const IpPrefix*>>> buckets_;
  std::unordered_map<BucketKey, size_t, BucketHash> bucket_index_;
  std::vector<const IpPrefix*> withdraw_v4_, withdraw_v6_;
  std::vector<Chunk> chunks_;
  std::shared_ptr<Bytes> current_;
  size_t updates_ = 0;
};

// The packer of each RIB key type.
template <typename N>
struct PackerFor {
  using type = UpdatePacker;
};
template <>
struct PackerFor<IpPrefix> {
  using type = UnicastPacker;
};

}  // namespace evpnd::bgp

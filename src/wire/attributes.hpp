// BGP path attributes (RFC 4271 §5, RFC 4760, RFC 4360, RFC 8092, RFC 4456, RFC 6514 §5)
// decoded into typed fields. Unknown optional-transitive attributes are preserved (with the
// Partial bit set on re-advertisement, RFC 4271 §5); unknown optional non-transitive ones dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/types.hpp"
#include "wire/evpn_route.hpp"
#include "wire/ext_community.hpp"

namespace evpnd::wire {

enum class AttrType : uint8_t {
  kOrigin = 1,
  kAsPath = 2,
  kNextHop = 3,
  kMed = 4,
  kLocalPref = 5,
  kAtomicAggregate = 6,
  kAggregator = 7,
  kCommunities = 8,
  kOriginatorId = 9,
  kClusterList = 10,
  kMpReach = 14,
  kMpUnreach = 15,
  kExtCommunities = 16,
  kAs4Path = 17,
  kAs4Aggregator = 18,
  kPmsiTunnel = 22,
  kLargeCommunities = 32,
};

namespace attr_flag {
inline constexpr uint8_t kOptional = 0x80;
inline constexpr uint8_t kTransitive = 0x40;
inline constexpr uint8_t kPartial = 0x20;
inline constexpr uint8_t kExtendedLength = 0x10;
}  // namespace attr_flag

enum class Origin : uint8_t { kIgp = 0, kEgp = 1, kIncomplete = 2 };

struct AsPathSegment {
  enum class Type : uint8_t { kSet = 1, kSequence = 2, kConfedSequence = 3, kConfedSet = 4 };
  Type type = Type::kSequence;
  std::vector<Asn> asns;
  bool operator==(const AsPathSegment&) const = default;
};
using AsPath = std::vector<AsPathSegment>;
// RFC 4271 §9.1.2.2 a): a SET counts 1, confederation segments 0.
size_t as_path_length(const AsPath& p);

// The flags octet this codec sends for a known attribute type (Optional/Transitive bits per
// RFC 4271 §5.1, RFC 4760, RFC 4360, RFC 4456, RFC 6514, RFC 6793, RFC 8092); 0 for unknown types.
uint8_t canonical_attr_flags(uint8_t type);
// "ORIGIN", "AS_PATH", ..., "PMSI_TUNNEL", "LARGE_COMMUNITIES", else "ATTR_<n>".
std::string attr_type_name(uint8_t type);

struct Aggregator {
  Asn asn = 0;
  IpAddress address;  // IPv4
  bool operator==(const Aggregator&) const = default;
};

struct LargeCommunity {
  uint32_t global_admin = 0, local1 = 0, local2 = 0;
  auto operator<=>(const LargeCommunity&) const = default;
};

// RFC 6514 §5 PMSI Tunnel attribute; EVPN uses tunnel type 6 (ingress replication) with the
// VNI in the label field (RFC 8365 §5.1.3) and the VTEP as tunnel identifier.
struct PmsiTunnel {
  uint8_t flags = 0;
  uint8_t tunnel_type = 6;
  uint32_t label = 0;          // raw 24-bit field (= VNI for VXLAN)
  Bytes tunnel_id;             // for type 6: 4 or 16 bytes of endpoint address
  IpAddress endpoint() const;  // tunnel_id as an address when it is 4 or 16 bytes
  bool operator==(const PmsiTunnel&) const = default;
};

struct RawAttribute {
  uint8_t flags = 0;  // as received, without the unused low-order bits (RFC 4271 §4.3)
  uint8_t type = 0;
  Bytes value;
  bool operator==(const RawAttribute&) const = default;
};

// The AFI/SAFI-specific part of MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3-4).
struct MpReach {
  AfiSafi afi_safi = kL2vpnEvpn;
  IpAddress next_hop;            // global next hop (EVPN: the VTEP)
  IpAddress link_local_next_hop; // IPv6 only, when 32 bytes of next hop are given
  std::vector<EvpnRoute> evpn;   // AFI 25 / SAFI 70
  std::vector<IpPrefix> prefixes;  // IPv4/IPv6 unicast
  // RFC 7911 path identifiers, parallel to `evpn` or `prefixes`; empty without add-path.
  std::vector<uint32_t> path_ids;
  bool operator==(const MpReach&) const = default;
};
struct MpUnreach {
  AfiSafi afi_safi = kL2vpnEvpn;
  std::vector<EvpnRoute> evpn;
  std::vector<IpPrefix> prefixes;
  std::vector<uint32_t> path_ids;  // RFC 7911, as in MpReach
  bool operator==(const MpUnreach&) const = default;
};

// The attributes of one path, without MP_REACH/MP_UNREACH (those live in Update because
// they carry NLRI, not path properties).
struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;   // present-but-empty for iBGP-originated routes
  std::optional<IpAddress> next_hop;  // NEXT_HOP attribute (IPv4 unicast only)
  std::optional<uint32_t> med;
  std::optional<uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<uint32_t> communities;
  std::optional<IpAddress> originator_id;
  std::vector<IpAddress> cluster_list;
  std::vector<ExtCommunity> ext_communities;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
  std::optional<PmsiTunnel> pmsi_tunnel;
  std::vector<LargeCommunity> large_communities;
  std::vector<RawAttribute> unknown;  // optional transitive attributes we do not interpret
  // RFC 4271 §5: the recognised optional transitive attributes that arrived with the Partial bit
  // set (bit n = type code n; every such code is below 64). The bit records that some AS on the
  // path did not understand the attribute; it "MUST NOT be set back to 0" when the path is passed
  // on, so the encoder sets it again for these types whatever the layout it writes.
  uint64_t partial = 0;

  bool operator==(const PathAttributes&) const = default;
};

}  // namespace evpnd::wire

// Value decoders of the simple path attributes and their RFC 7606 §7 error handling, plus the
// AS_PATH segment codec. The attribute loop (flags, duplicates, dispatch) is attribute_decode.cpp.
#include <algorithm>
#include <cstring>
#include <string>

#include "wire/as4_path.hpp"
#include "wire/attribute_codec.hpp"

namespace evpnd::wire {

size_t as_path_length(const AsPath& p) {
  size_t n = 0;
  for (const auto& s : p) {
    if (s.type == AsPathSegment::Type::kSequence) n += s.asns.size();
    else if (s.type == AsPathSegment::Type::kSet) n += 1;
  }
  return n;
}

IpAddress PmsiTunnel::endpoint() const {
  if (tunnel_id.size() == 4) return IpAddress::v4(tunnel_id.data());
  if (tunnel_id.size() == 16) return IpAddress::v6(tunnel_id.data());
  return {};
}

uint8_t canonical_attr_flags(uint8_t type) {
  using namespace attr_flag;
  switch (static_cast<AttrType>(type)) {
    case AttrType::kOrigin:
    case AttrType::kAsPath:
    case AttrType::kNextHop:
    case AttrType::kLocalPref:
    case AttrType::kAtomicAggregate:
      return kTransitive;  // well-known
    case AttrType::kMed:
    case AttrType::kOriginatorId:
    case AttrType::kClusterList:
    case AttrType::kMpReach:
    case AttrType::kMpUnreach:
      return kOptional;  // optional non-transitive
    case AttrType::kAggregator:
    case AttrType::kCommunities:
    case AttrType::kExtCommunities:
    case AttrType::kAs4Path:
    case AttrType::kAs4Aggregator:
    case AttrType::kPmsiTunnel:
    case AttrType::kLargeCommunities:
      return kOptional | kTransitive;
  }
  return 0;
}

std::string attr_type_name(uint8_t type) {
  switch (static_cast<AttrType>(type)) {
    case AttrType::kOrigin: return "ORIGIN";
    case AttrType::kAsPath: return "AS_PATH";
    case AttrType::kNextHop: return "NEXT_HOP";
    case AttrType::kMed: return "MULTI_EXIT_DISC";
    case AttrType::kLocalPref: return "LOCAL_PREF";
    case AttrType::kAtomicAggregate: return "ATOMIC_AGGREGATE";
    case AttrType::kAggregator: return "AGGREGATOR";
    case AttrType::kCommunities: return "COMMUNITIES";
    case AttrType::kOriginatorId: return "ORIGINATOR_ID";
    case AttrType::kClusterList: return "CLUSTER_LIST";
    case AttrType::kMpReach: return "MP_REACH_NLRI";
    case AttrType::kMpUnreach: return "MP_UNREACH_NLRI";
    case AttrType::kExtCommunities: return "EXTENDED_COMMUNITIES";
    case AttrType::kAs4Path: return "AS4_PATH";
    case AttrType::kAs4Aggregator: return "AS4_AGGREGATOR";
    case AttrType::kPmsiTunnel: return "PMSI_TUNNEL";
    case AttrType::kLargeCommunities: return "LARGE_COMMUNITIES";
  }
  return "ATTR_" + std::to_string(type);
}

namespace detail {

DecodeError make_error(ErrorAction action, uint8_t code, uint8_t subcode, std::string reason,
                       ByteView data, uint8_t attribute_type) {
  DecodeError e;
  e.action = action;
  e.code = code;
  e.subcode = subcode;
  e.data.assign(data.begin(), data.end());
  e.reason = std::move(reason);
  e.attribute_type = attribute_type;
  return e;
}

namespace {

Problem length_problem(ErrorAction action, const char* name, size_t len, const char* expected) {
  return Problem{action, 3, subcode::kAttributeLengthError,
                 std::string(name) + ": length " + std::to_string(len) + ", expected " + expected};
}
uint32_t load32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

// RFC 7606 §7.2: an unknown segment type, a zero-length segment, a segment overrunning the
// attribute or a single trailing octet make AS_PATH malformed -> treat-as-withdraw. RFC 7607:
// AS 0 in AS_PATH is malformed too. (For AS4_PATH the caller downgrades to attribute discard.)
AttrResult decode_as_path(ByteView v, size_t asn_size, AsPath& out) {
  auto bad = [](std::string why) {
    return Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kMalformedAsPath, std::move(why)};
  };
  AsPath path;
  ByteReader r(v);
  while (!r.empty()) {
    if (r.remaining() < 2) return bad("1 octet left after the last segment");
    uint8_t type = *r.u8();
    uint8_t count = *r.u8();
    if (type < 1 || type > 4) return bad("unknown segment type " + std::to_string(type));
    if (count == 0) return bad("zero-length segment");
    auto seg = r.view(size_t{count} * asn_size);
    if (!seg) return bad("segment of " + std::to_string(count) + " ASNs overruns the attribute");
    AsPathSegment s;
    s.type = static_cast<AsPathSegment::Type>(type);
    s.asns.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* p = seg->data() + i * asn_size;
      Asn asn = asn_size == 4 ? load32(p) : Asn{uint32_t(p[0]) << 8 | p[1]};
      if (asn == 0) return bad("AS 0 in path (RFC 7607)");
      s.asns.push_back(asn);
    }
    path.push_back(std::move(s));
  }
  out = std::move(path);
  return std::nullopt;
}

void encode_as_path(ByteWriter& w, const AsPath& p, size_t asn_size) {
  for (const auto& s : p) {
    size_t i = 0;
    do {  // an empty segment is written as is (it is malformed, but the caller asked for it)
      size_t n = std::min<size_t>(255, s.asns.size() - i);
      w.u8(static_cast<uint8_t>(s.type));
      w.u8(static_cast<uint8_t>(n));
      for (size_t k = 0; k < n; ++k) {
        Asn a = s.asns[i + k];
        if (asn_size == 4) w.u32(a);
        else w.u16(static_cast<uint16_t>(a > 0xFFFF ? kAsTrans : a));
      }
      i += n;
    } while (i < s.asns.size());
  }
}

// RFC 7606 §7.1: malformed ORIGIN (length or value) -> treat-as-withdraw.
AttrResult decode_origin(ByteView v, PathAttributes& a) {
  if (v.size() != 1) return length_problem(ErrorAction::kTreatAsWithdraw, "ORIGIN", v.size(), "1");
  if (v[0] > 2) {
    return Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kInvalidOrigin,
                   "ORIGIN: undefined value " + std::to_string(v[0])};
  }
  a.origin = static_cast<Origin>(v[0]);
  return std::nullopt;
}

// RFC 7606 §7.3: a NEXT_HOP of length other than 4 -> treat-as-withdraw. Semantic checks
// (own address, martians) belong to the RIB (RFC 4271 §6.3 "log and ignore the route").
AttrResult decode_next_hop(ByteView v, PathAttributes& a) {
  if (v.size() != 4) return length_problem(ErrorAction::kTreatAsWithdraw, "NEXT_HOP", v.size(), "4");
  a.next_hop = IpAddress::v4(v.data());
  return std::nullopt;
}

// MED (RFC 7606 §7.4) and LOCAL_PREF (§7.5): length other than 4 -> treat-as-withdraw.
AttrResult decode_u32_attr(ByteView v, const char* name, std::optional<uint32_t>& out) {
  if (v.size() != 4) return length_problem(ErrorAction::kTreatAsWithdraw, name, v.size(), "4");
  out = load32(v.data());
  return std::nullopt;
}

// RFC 7606 §7.6: length other than 0 -> attribute discard.
AttrResult decode_atomic_aggregate(ByteView v, PathAttributes& a) {
  if (!v.empty()) {
    return length_problem(ErrorAction::kAttributeDiscard, "ATOMIC_AGGREGATE", v.size(), "0");
  }
  a.atomic_aggregate = true;
  return std::nullopt;
}

// RFC 7606 §7.7 (AGGREGATOR, 6 or 8 octets by the session's AS size) and RFC 6793 §6
// (AS4_AGGREGATOR, 8 octets): a wrong length -> attribute discard; RFC 7607: AS 0 likewise.
AttrResult decode_aggregator(ByteView v, size_t asn_size, const char* name,
                             std::optional<Aggregator>& out) {
  if (v.size() != asn_size + 4) {
    return length_problem(ErrorAction::kAttributeDiscard, name, v.size(), asn_size == 4 ? "8" : "6");
  }
  Aggregator g;
  g.asn = asn_size == 4 ? load32(v.data()) : Asn{uint32_t(v[0]) << 8 | v[1]};
  g.address = IpAddress::v4(v.data() + asn_size);
  if (g.asn == 0) {
    return Problem{ErrorAction::kAttributeDiscard, 3, subcode::kOptionalAttributeError,
                   std::string(name) + ": AS 0 (RFC 7607)"};
  }
  out = g;
  return std::nullopt;
}

// RFC 7606 §7.8: not a non-zero multiple of 4 -> treat-as-withdraw.
AttrResult decode_communities(ByteView v, PathAttributes& a) {
  if (v.empty() || v.size() % 4) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "COMMUNITIES", v.size(),
                          "a non-zero multiple of 4");
  }
  a.communities.clear();
  a.communities.reserve(v.size() / 4);
  for (size_t i = 0; i < v.size(); i += 4) a.communities.push_back(load32(v.data() + i));
  return std::nullopt;
}

// RFC 7606 §7.9 (the eBGP case is handled by the caller): length other than 4 -> withdraw.
AttrResult decode_originator_id(ByteView v, PathAttributes& a) {
  if (v.size() != 4) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "ORIGINATOR_ID", v.size(), "4");
  }
  a.originator_id = IpAddress::v4(v.data());
  return std::nullopt;
}

// RFC 7606 §7.10: not a non-zero multiple of 4 -> treat-as-withdraw.
AttrResult decode_cluster_list(ByteView v, PathAttributes& a) {
  if (v.empty() || v.size() % 4) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "CLUSTER_LIST", v.size(),
                          "a non-zero multiple of 4");
  }
  a.cluster_list.clear();
  a.cluster_list.reserve(v.size() / 4);
  for (size_t i = 0; i < v.size(); i += 4) a.cluster_list.push_back(IpAddress::v4(v.data() + i));
  return std::nullopt;
}

// RFC 7606 §7.14: not a non-zero multiple of 8 -> treat-as-withdraw.
AttrResult decode_ext_communities(ByteView v, PathAttributes& a) {
  if (v.empty() || v.size() % 8) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "EXTENDED_COMMUNITIES", v.size(),
                          "a non-zero multiple of 8");
  }
  a.ext_communities.resize(v.size() / 8);
  for (size_t i = 0; i < a.ext_communities.size(); ++i) {
    std::memcpy(a.ext_communities[i].raw.data(), v.data() + 8 * i, 8);
  }
  return std::nullopt;
}

// RFC 6514 §5: flags (1), tunnel type (1), MPLS label (3), tunnel identifier (rest). A value
// shorter than 5 octets, or an ingress-replication (type 6) identifier that is not an IPv4 or
// IPv6 address, is malformed; following RFC 7606 §2 guidance -> treat-as-withdraw.
AttrResult decode_pmsi_tunnel(ByteView v, PathAttributes& a) {
  if (v.size() < 5) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "PMSI_TUNNEL", v.size(), "at least 5");
  }
  PmsiTunnel t;
  t.flags = v[0];
  t.tunnel_type = v[1];
  t.label = uint32_t{v[2]} << 16 | uint32_t{v[3]} << 8 | v[4];
  t.tunnel_id.assign(v.begin() + 5, v.end());
  if (t.tunnel_type == 6 && t.tunnel_id.size() != 4 && t.tunnel_id.size() != 16) {
    return Problem{ErrorAction::kTreatAsWithdraw, 3, subcode::kOptionalAttributeError,
                   "PMSI_TUNNEL: ingress replication endpoint of " +
                       std::to_string(t.tunnel_id.size()) + " octets, expected 4 or 16"};
  }
  a.pmsi_tunnel = std::move(t);
  return std::nullopt;
}

// RFC 8092 §6: not a non-zero multiple of 12 -> treat-as-withdraw.
AttrResult decode_large_communities(ByteView v, PathAttributes& a) {
  if (v.empty() || v.size() % 12) {
    return length_problem(ErrorAction::kTreatAsWithdraw, "LARGE_COMMUNITIES", v.size(),
                          "a non-zero multiple of 12");
  }
  a.large_communities.clear();
  a.large_communities.reserve(v.size() / 12);
  for (size_t i = 0; i < v.size(); i += 12) {
    const uint8_t* p = v.data() + i;
    a.large_communities.push_back(LargeCommunity{load32(p), load32(p + 4), load32(p + 8)});
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace evpnd::wire

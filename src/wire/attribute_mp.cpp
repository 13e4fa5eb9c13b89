// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3-4) for l2vpn-evpn (RFC 7432), ipv4-unicast and
// ipv6-unicast, plus the IPv4/IPv6 prefix codec shared with the UPDATE's own NLRI fields.
//
// NOTE errors (RFC 7606 §5.3, §7.11, RFC 4760 §7): when the NLRI cannot be located or parsed
// (attribute too short, unsupported AFI/SAFI, next-hop length inconsistent with the family, an
// NLRI running past the attribute) the UPDATE cannot be treat-as-withdraw'n -> session reset.
// An EVPN route that is framed correctly but whose lengths are illegal for its type (MAC length
// not 48, IP length outside what the type allows, type-5 prefix longer than its family, route
// length inconsistent with the type) makes the attribute "incorrect" too (§5.3: an NLRI whose
// length is inconsistent with the AFI/SAFI) -> session reset, UPDATE Message Error / Optional
// Attribute Error (RFC 4760 §7), data = the attribute (RFC 4271 §6.3). We never use the
// AFI/SAFI-disable alternative: with one family per session it is a reset without the
// NOTIFICATION. DecodeContext::nlri_error_withdraw (neighbour option `nlri-error:
// treat-as-withdraw`) opts into treat-as-withdraw of the routes that could be parsed instead;
// decode_evpn_nlri keeps them for that case.
#include <cstring>

#include "wire/attribute_codec.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::wire::detail {

namespace {

Problem reset(std::string reason) {
  return Problem{ErrorAction::kSessionReset, 3, subcode::kOptionalAttributeError, std::move(reason)};
}

// An EVPN route framed correctly but malformed for its type (decode_evpn_route reports it as
// treat-as-withdraw): RFC 7606 §5.3 / RFC 4760 §7 session reset, unless the neighbour chose the
// lenient mode; then the routes that parsed are kept for withdrawal (`keep`).
Problem nlri_problem(const DecodeError& e, std::string reason, const DecodeContext& ctx) {
  if (e.action == ErrorAction::kTreatAsWithdraw && !ctx.nlri_error_withdraw) {
    return reset(std::move(reason) + " (RFC 7606 §5.3: incorrect NLRI)");
  }
  Problem p{e.action, e.code, e.subcode, std::move(reason)};
  p.keep = e.action != ErrorAction::kSessionReset;
  return p;
}

bool supported(AfiSafi as) { return as == kL2vpnEvpn || as == kIpv4Unicast || as == kIpv6Unicast; }

IpFamily prefix_family(AfiSafi as) { return as.afi == Afi::kIpv6 ? IpFamily::kV6 : IpFamily::kV4; }

// RFC 7911 §3: with add-path each EVPN NLRI is preceded by a 4-octet path identifier, so the
// field is walked route by route instead of with decode_evpn_nlri.
AttrResult decode_evpn_add_path(ByteView nlri, const DecodeContext& ctx,
                                std::vector<EvpnRoute>& routes, std::vector<uint32_t>& ids) {
  ByteReader r(nlri);
  AttrResult first;
  while (!r.empty()) {
    auto id = r.u32();
    if (!id) return reset("EVPN NLRI: truncated path identifier");
    auto route = decode_evpn_route(r);
    if (!route) {
      Problem p = nlri_problem(route.error(), "EVPN NLRI: " + route.error().reason, ctx);
      if (p.action == ErrorAction::kSessionReset) return p;
      if (!first) first = std::move(p);
      continue;
    }
    routes.push_back(std::move(*route));
    ids.push_back(*id);
  }
  return first;
}

// Decodes the NLRI part of MP_REACH/MP_UNREACH into evpn or prefixes.
AttrResult decode_mp_nlri(ByteView nlri, AfiSafi as, const DecodeContext& ctx, const char* name,
                          std::vector<EvpnRoute>& evpn, std::vector<IpPrefix>& prefixes,
                          std::vector<uint32_t>& ids) {
  if (as == kL2vpnEvpn) {
    if (ctx.add_path_rx_evpn) return decode_evpn_add_path(nlri, ctx, evpn, ids);
    auto ok = decode_evpn_nlri(ByteReader(nlri), evpn);
    if (ok) return std::nullopt;
    return nlri_problem(ok.error(), std::string(name) + ": " + ok.error().reason, ctx);
  }
  bool add_path = as.afi == Afi::kIpv6 ? ctx.add_path_rx_ipv6 : ctx.add_path_rx_ipv4;
  if (auto why = decode_prefixes(nlri, prefix_family(as), add_path, prefixes, ids)) {
    return reset(std::string(name) + ": " + *why);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decode_prefixes(ByteView field, IpFamily family, bool add_path,
                                           std::vector<IpPrefix>& out,
                                           std::vector<uint32_t>& path_ids) {
  const unsigned max_len = family == IpFamily::kV4 ? 32 : 128;
  ByteReader r(field);
  while (!r.empty()) {
    if (add_path) {
      auto id = r.u32();
      if (!id) return "truncated path identifier";
      path_ids.push_back(*id);
    }
    auto len = r.u8();
    if (!len) return "missing prefix length";
    if (*len > max_len) {
      return "prefix length " + std::to_string(*len) + " exceeds " + std::to_string(max_len);
    }
    uint8_t buf[16] = {};
    if (!r.copy(buf, (*len + 7u) / 8u)) return "prefix /" + std::to_string(*len) + " truncated";
    IpAddress a = family == IpFamily::kV4 ? IpAddress::v4(buf) : IpAddress::v6(buf);
    out.emplace_back(a, *len);
  }
  return std::nullopt;
}

void encode_prefixes(ByteWriter& w, const std::vector<IpPrefix>& prefixes,
                     const std::vector<uint32_t>& path_ids, bool add_path) {
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (add_path) w.u32(i < path_ids.size() ? path_ids[i] : 0);
    const IpPrefix& p = prefixes[i];
    w.u8(p.length());
    w.bytes(p.address().data(), std::min<size_t>((p.length() + 7u) / 8u, p.address().size()));
  }
}

// RFC 4760 §3: AFI (2), SAFI (1), next-hop length (1), next hop, reserved (1), NLRI.
AttrResult decode_mp_reach(ByteView v, const DecodeContext& ctx, std::optional<MpReach>& out) {
  if (v.size() < 5) {
    return reset("MP_REACH_NLRI: length " + std::to_string(v.size()) + ", expected at least 5");
  }
  MpReach m;
  m.afi_safi = AfiSafi{static_cast<Afi>(v[0] << 8 | v[1]), static_cast<Safi>(v[2])};
  if (!supported(m.afi_safi)) {
    return reset("MP_REACH_NLRI: unsupported " + to_string(m.afi_safi));
  }
  const size_t nh_len = v[3];
  // RFC 7606 §7.11: the next-hop length must suit the family, else the NLRI cannot be located.
  // EVPN and IPv4 (RFC 8950) accept IPv4 or IPv6 next hops; 32 = IPv6 global + link-local.
  const bool nh_ok = nh_len == 16 || nh_len == 32 || (nh_len == 4 && m.afi_safi != kIpv6Unicast);
  if (!nh_ok) {
    return reset("MP_REACH_NLRI: next hop length " + std::to_string(nh_len) + " invalid for " +
                 to_string(m.afi_safi));
  }
  if (v.size() < 5 + nh_len) {
    return reset("MP_REACH_NLRI: next hop length " + std::to_string(nh_len) +
                 " overruns the attribute");
  }
  const uint8_t* nh = v.data() + 4;
  if (nh_len == 4) {
    m.next_hop = IpAddress::v4(nh);
  } else {
    m.next_hop = IpAddress::v6(nh);
    if (nh_len == 32) m.link_local_next_hop = IpAddress::v6(nh + 16);
  }
  // The reserved octet (RFC 4760 §3, formerly the SNPA count) is ignored on receipt.
  ByteView nlri = v.subspan(5 + nh_len);
  if (m.afi_safi == kL2vpnEvpn) m.evpn.reserve(nlri.size() / 24);
  AttrResult p = decode_mp_nlri(nlri, m.afi_safi, ctx, "MP_REACH_NLRI", m.evpn, m.prefixes,
                                m.path_ids);
  if (!p || p->keep) out = std::move(m);
  return p;
}

// RFC 4760 §4: AFI (2), SAFI (1), withdrawn routes.
AttrResult decode_mp_unreach(ByteView v, const DecodeContext& ctx,
                             std::optional<MpUnreach>& out) {
  if (v.size() < 3) {
    return reset("MP_UNREACH_NLRI: length " + std::to_string(v.size()) + ", expected at least 3");
  }
  MpUnreach m;
  m.afi_safi = AfiSafi{static_cast<Afi>(v[0] << 8 | v[1]), static_cast<Safi>(v[2])};
  if (!supported(m.afi_safi)) {
    return reset("MP_UNREACH_NLRI: unsupported " + to_string(m.afi_safi));
  }
  AttrResult p = decode_mp_nlri(v.subspan(3), m.afi_safi, ctx, "MP_UNREACH_NLRI", m.evpn,
                                m.prefixes, m.path_ids);
  if (!p || p->keep) out = std::move(m);
  return p;
}

namespace {

void encode_afi_safi(ByteWriter& w, AfiSafi as) {
  w.u16(static_cast<uint16_t>(as.afi));
  w.u8(static_cast<uint8_t>(as.safi));
}

void encode_evpn_routes(ByteWriter& w, const std::vector<EvpnRoute>& routes,
                        const std::vector<uint32_t>& ids, bool add_path) {
  size_t total = 0;
  for (const auto& r : routes) total += encoded_size(r) + (add_path ? 4 : 0);
  reserve_more(w.buffer(), total);
  for (size_t i = 0; i < routes.size(); ++i) {
    if (add_path) w.u32(i < ids.size() ? ids[i] : 0);
    encode_evpn_route(w, routes[i]);
  }
}

bool tx_add_path(AfiSafi as, const EncodeContext& ctx) {
  if (as == kL2vpnEvpn) return ctx.add_path_tx_evpn;
  return as.afi == Afi::kIpv6 ? ctx.add_path_tx_ipv6 : ctx.add_path_tx_ipv4;
}

}  // namespace

void encode_mp_reach_value(ByteWriter& w, const MpReach& m, const EncodeContext& ctx) {
  encode_afi_safi(w, m.afi_safi);
  const bool ll = m.next_hop.is_v6() && m.link_local_next_hop.is_v6();
  w.u8(static_cast<uint8_t>(m.next_hop.size() + (ll ? 16 : 0)));
  w.bytes(m.next_hop.data(), m.next_hop.size());
  if (ll) w.bytes(m.link_local_next_hop.data(), 16);
  w.u8(0);  // reserved
  const bool add_path = tx_add_path(m.afi_safi, ctx);
  if (m.afi_safi == kL2vpnEvpn) encode_evpn_routes(w, m.evpn, m.path_ids, add_path);
  else encode_prefixes(w, m.prefixes, m.path_ids, add_path);
}

void encode_mp_unreach_value(ByteWriter& w, const MpUnreach& m, const EncodeContext& ctx) {
  encode_afi_safi(w, m.afi_safi);
  const bool add_path = tx_add_path(m.afi_safi, ctx);
  if (m.afi_safi == kL2vpnEvpn) encode_evpn_routes(w, m.evpn, m.path_ids, add_path);
  else encode_prefixes(w, m.prefixes, m.path_ids, add_path);
}

}  // namespace evpnd::wire::detail

// EVPN NLRI codec: RFC 7432 §7.1-7.4, RFC 9136 §3.1, RFC 8365 §5.1.3. See evpn_route.hpp for
// the length table, the error policy and the performance notes.
//
// Layout of the route-type-specific values (offsets from the first byte after the length):
//   type 1: RD 0, ESI 8, EthTag 18, Label 22                                       = 25
//   type 2: RD 0, ESI 8, EthTag 18, MACLen 22, MAC 23, IPLen 29, IP 30, Label1, [Label2]
//   type 3: RD 0, EthTag 8, IPLen 12, IP 13                                        = 17 / 29
//   type 4: RD 0, ESI 8, IPLen 18, IP 19                                           = 23 / 35
//   type 5: RD 0, ESI 8, EthTag 18, PrefixLen 22, Prefix 23, GW, Label             = 34 / 58
#include "wire/evpn_route.hpp"

#include <cstring>
#include <new>
#include <string>

namespace evpnd::wire {
namespace {

inline uint32_t load24(const uint8_t* p) {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
}
inline uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint8_t* store24(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 16);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v);
  return p + 3;
}
inline uint8_t* store32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
  return p + 4;
}
inline uint8_t* store(uint8_t* p, const uint8_t* src, size_t n) {
  std::memcpy(p, src, n);
  return p + n;
}

// IP Length (bits) -> address, for the 0/32/128 values the RFCs allow.
inline IpAddress load_ip(const uint8_t* p, uint8_t bits) {
  return bits == 32 ? IpAddress::v4(p) : bits == 128 ? IpAddress::v6(p) : IpAddress{};
}

// Why a route of a known type is malformed; kOk when it is not.
enum class Problem : uint8_t { kOk, kLength, kMacLength, kIpLength, kPrefixLength };

// Parses the value of a route of type 1-5 into `out`. `len` bytes at `p` are readable.
Problem parse_value(uint8_t type, const uint8_t* p, uint8_t len, EvpnRoute& out) {
  switch (type) {
    case 1: {  // RFC 7432 §7.1
      if (len != 25) return Problem::kLength;
      auto& r = out.emplace<EthernetAutoDiscovery>();
      r.rd = Rd(p);
      r.esi = Esi(p + 8);
      r.ethernet_tag = load32(p + 18);
      r.label = load24(p + 22);
      return Problem::kOk;
    }
    case 2: {  // RFC 7432 §7.2
      if (len < 33) return Problem::kLength;
      if (p[22] != 48) return Problem::kMacLength;
      const uint8_t ip_bits = p[29];
      if (ip_bits != 0 && ip_bits != 32 && ip_bits != 128) return Problem::kIpLength;
      const size_t base = 33 + ip_bits / 8u;  // one label
      if (len != base && len != base + 3) return Problem::kLength;
      auto& r = out.emplace<MacIpAdvertisement>();
      r.rd = Rd(p);
      r.esi = Esi(p + 8);
      r.ethernet_tag = load32(p + 18);
      r.mac = Mac(p + 23);
      // Built in place (guaranteed copy elision into the member): assigning the returned
      // IpAddress reloaded it whole right after the callee's narrower stores, a store-forwarding
      // stall per route (perf annotate: over half of parse_value's samples).
      ::new (static_cast<void*>(&r.ip)) IpAddress(load_ip(p + 30, ip_bits));
      const uint8_t* l = p + 30 + ip_bits / 8u;
      r.label1 = load24(l);
      if (len == base + 3) r.label2 = load24(l + 3);
      return Problem::kOk;
    }
    case 3: {  // RFC 7432 §7.3
      if (len != 17 && len != 29) return Problem::kLength;
      if (p[12] != (len == 17 ? 32 : 128)) return Problem::kIpLength;
      auto& r = out.emplace<InclusiveMulticast>();
      r.rd = Rd(p);
      r.ethernet_tag = load32(p + 8);
      r.originator = load_ip(p + 13, p[12]);
      return Problem::kOk;
    }
    case 4: {  // RFC 7432 §7.4
      if (len != 23 && len != 35) return Problem::kLength;
      if (p[18] != (len == 23 ? 32 : 128)) return Problem::kIpLength;
      auto& r = out.emplace<EthernetSegment>();
      r.rd = Rd(p);
      r.esi = Esi(p + 8);
      r.originator = load_ip(p + 19, p[18]);
      return Problem::kOk;
    }
    case 5: {  // RFC 9136 §3.1: the length tells the family (34 IPv4, 58 IPv6)
      if (len != 34 && len != 58) return Problem::kLength;
      const uint8_t bits = len == 34 ? 32 : 128;
      const uint8_t plen = p[22];
      if (plen > bits) return Problem::kPrefixLength;
      const size_t alen = bits / 8u;
      auto& r = out.emplace<IpPrefixRoute>();
      r.rd = Rd(p);
      r.esi = Esi(p + 8);
      r.ethernet_tag = load32(p + 18);
      r.prefix = IpPrefix(load_ip(p + 23, bits), plen);  // clears host bits (see header)
      r.gateway = load_ip(p + 23 + alen, bits);
      r.label = load24(p + 23 + 2 * alen);
      return Problem::kOk;
    }
    default:
      return Problem::kLength;  // not reached: unknown types never come here
  }
}

[[gnu::cold]] DecodeError make_error(ErrorAction action, std::string reason) {
  DecodeError e;
  e.action = action;
  e.code = static_cast<uint8_t>(NotifyCode::kUpdateMessage);
  e.subcode = subcode::kOptionalAttributeError;
  e.reason = std::move(reason);
  return e;
}

[[gnu::cold]] DecodeError malformed(uint8_t type, const uint8_t* p, uint8_t len, Problem why) {
  std::string r = "EVPN route type " + std::to_string(type) + " length " + std::to_string(len);
  switch (why) {
    case Problem::kMacLength: r += ": MAC Address Length " + std::to_string(p[22]) + ", expected 48"; break;
    case Problem::kIpLength: {
      const uint8_t bits = type == 2 ? p[29] : type == 3 ? p[12] : p[18];
      r += ": IP Address Length " + std::to_string(bits) + " does not fit the route";
      break;
    }
    case Problem::kPrefixLength: r += ": IP Prefix Length " + std::to_string(p[22]) + " too long"; break;
    default: r += ": not a legal length for this type"; break;
  }
  return make_error(ErrorAction::kTreatAsWithdraw, std::move(r));
}

[[gnu::cold]] DecodeError overrun(size_t left, int type, size_t len) {
  std::string r = left < 2 ? "EVPN NLRI: " + std::to_string(left) + " trailing byte(s), no room for type and length"
                           : "EVPN NLRI: route type " + std::to_string(type) + " length " + std::to_string(len) +
                                 " runs past the NLRI field (" + std::to_string(left - 2) + " bytes left)";
  return make_error(ErrorAction::kSessionReset, std::move(r));
}

// Decodes the route at `p` (type, length, value; framing already checked) into `out`.
inline Problem decode_at(const uint8_t* p, EvpnRoute& out) {
  const uint8_t type = p[0], len = p[1];
  if (type >= 1 && type <= 5) return parse_value(type, p + 2, len, out);
  auto& u = out.emplace<UnknownEvpnRoute>();
  u.route_type = type;
  u.value.assign(p + 2, p + 2 + len);
  return Problem::kOk;
}

size_t value_size(const EvpnRoute& r) {
  switch (r.index()) {
    case 0: return 25;
    case 1: {
      const auto& m = std::get<MacIpAdvertisement>(r);
      return 33 + m.ip.size() + (m.label2 ? 3 : 0);
    }
    case 2: return std::get<InclusiveMulticast>(r).originator.is_v6() ? 29 : 17;
    case 3: return std::get<EthernetSegment>(r).originator.is_v6() ? 35 : 23;
    case 4: return std::get<IpPrefixRoute>(r).prefix.family() == IpFamily::kV6 ? 58 : 34;
    default: return std::min<size_t>(std::get<UnknownEvpnRoute>(r).value.size(), 255);
  }
}

// Writes an address of `bytes` (4 or 16) length: `a` when it has that size, else zeros.
inline uint8_t* store_ip(uint8_t* p, const IpAddress& a, size_t bytes) {
  if (a.size() == bytes) std::memcpy(p, a.data(), bytes);
  else std::memset(p, 0, bytes);
  return p + bytes;
}

}  // namespace

size_t encoded_size(const EvpnRoute& r) { return 2 + value_size(r); }

tl::expected<EvpnRoute, DecodeError> decode_evpn_route(ByteReader& in) {
  const size_t left = in.remaining();
  const uint8_t* p = in.cursor();
  if (left < 2) return tl::unexpected(overrun(left, -1, 0));
  if (size_t{p[1]} + 2 > left) return tl::unexpected(overrun(left, p[0], p[1]));
  in.skip(size_t{p[1]} + 2);
  EvpnRoute r;
  if (Problem why = decode_at(p, r); why != Problem::kOk) return tl::unexpected(malformed(p[0], p + 2, p[1], why));
  return r;
}

tl::expected<void, DecodeError> decode_evpn_nlri(ByteReader in, std::vector<EvpnRoute>& routes) {
  const uint8_t* const begin = in.cursor();
  const size_t total = in.remaining();
  // Pass 1: framing only (RFC 7606 §5.3: can the field be parsed at all?) and the route count.
  size_t count = 0;
  for (size_t at = 0; at < total; ++count) {
    if (total - at < 2 || size_t{begin[at + 1]} + 2 > total - at)
      return tl::unexpected(overrun(total - at, total - at < 2 ? -1 : begin[at], total - at < 2 ? 0 : begin[at + 1]));
    at += size_t{begin[at + 1]} + 2;
  }
  // Pass 2: decode in place; a malformed route is dropped and remembered (treat-as-withdraw).
  routes.reserve(routes.size() + count);
  std::optional<DecodeError> first;
  for (size_t at = 0; at < total; at += size_t{begin[at + 1]} + 2) {
    EvpnRoute& r = routes.emplace_back();
    if (Problem why = decode_at(begin + at, r); why != Problem::kOk) [[unlikely]] {
      routes.pop_back();
      if (!first) first = malformed(begin[at], begin + at + 2, begin[at + 1], why);
    }
  }
  if (first) return tl::unexpected(std::move(*first));
  return {};
}

void encode_evpn_route(ByteWriter& out, const EvpnRoute& r) {
  const size_t vlen = value_size(r);
  Bytes& buf = out.buffer();
  const size_t at = buf.size();
  buf.resize(at + 2 + vlen);
  uint8_t* p = buf.data() + at;
  *p++ = route_type(r);
  *p++ = uint8_t(vlen);
  switch (r.index()) {
    case 0: {
      const auto& a = std::get<EthernetAutoDiscovery>(r);
      p = store(p, a.rd.data(), 8);
      p = store(p, a.esi.data(), 10);
      p = store32(p, a.ethernet_tag);
      store24(p, a.label);
      break;
    }
    case 1: {
      const auto& m = std::get<MacIpAdvertisement>(r);
      p = store(p, m.rd.data(), 8);
      p = store(p, m.esi.data(), 10);
      p = store32(p, m.ethernet_tag);
      *p++ = 48;
      p = store(p, m.mac.data(), 6);
      *p++ = uint8_t(m.ip.size() * 8);
      p = store(p, m.ip.data(), m.ip.size());
      p = store24(p, m.label1);
      if (m.label2) store24(p, *m.label2);
      break;
    }
    case 2: {
      const auto& im = std::get<InclusiveMulticast>(r);
      const size_t alen = vlen == 29 ? 16 : 4;
      p = store(p, im.rd.data(), 8);
      p = store32(p, im.ethernet_tag);
      *p++ = uint8_t(alen * 8);
      store_ip(p, im.originator, alen);
      break;
    }
    case 3: {
      const auto& es = std::get<EthernetSegment>(r);
      const size_t alen = vlen == 35 ? 16 : 4;
      p = store(p, es.rd.data(), 8);
      p = store(p, es.esi.data(), 10);
      *p++ = uint8_t(alen * 8);
      store_ip(p, es.originator, alen);
      break;
    }
    case 4: {
      const auto& ip = std::get<IpPrefixRoute>(r);
      const size_t alen = vlen == 58 ? 16 : 4;
      p = store(p, ip.rd.data(), 8);
      p = store(p, ip.esi.data(), 10);
      p = store32(p, ip.ethernet_tag);
      *p++ = ip.prefix.address().empty() ? 0 : ip.prefix.length();
      p = store_ip(p, ip.prefix.address(), alen);
      p = store_ip(p, ip.gateway, alen);
      store24(p, ip.label);
      break;
    }
    default: {
      const auto& u = std::get<UnknownEvpnRoute>(r);
      if (vlen) std::memcpy(p, u.value.data(), vlen);
      break;
    }
  }
}

}  // namespace evpnd::wire

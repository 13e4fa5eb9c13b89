// Extended communities used by EVPN (RFC 4360 wire form: type, sub-type, 6 bytes of value).
//   Route Target      00|01|02 02  (RFC 4360 §4, RFC 5668)        value: see RouteTarget
//   Encapsulation     03 0c  4 reserved, tunnel type u16           (RFC 9012 §4.1, VXLAN = 8)
//   Default Gateway   03 0d  6 reserved                            (RFC 7432 §7.8)
//   MAC Mobility      06 00  flags (0x01 sticky), reserved, seq u32 (RFC 7432 §7.7)
//   ESI Label         06 01  flags (0x01 single-active), 2 reserved, label u24 (RFC 7432 §7.5)
//   ES-Import RT      06 02  MAC                                   (RFC 7432 §7.6)
//   Router's MAC      06 03  MAC                                   (RFC 9135 §8.1)
//   DF Election       06 06  RSV(3 bits)|DF Alg(5 bits), bitmap u16, reserved, DF Preference u16
//                            (RFC 8584 §2.2 left 3 reserved octets; RFC 9785 §3 puts the
//                            preference in the last 2; bitmap bit 0 (0x8000) D = Don't Preempt
//                            (RFC 9785), bit 1 (0x4000) A = AC-DF (RFC 8584 §2.2, §4))
// Reserved bytes are written as 0 and ignored on receipt; accessors never look at them, and the
// raw bytes survive untouched, so a reflector re-advertises exactly what it got.
#include "wire/ext_community.hpp"

#include <cstring>
#include <string>

#include "core/bytes.hpp"

namespace evpnd::wire {
namespace {

constexpr uint8_t kTransitiveOpaque = 0x03;
constexpr uint8_t kEvpn = 0x06;
constexpr uint8_t kSubRouteTarget = 0x02;
constexpr uint8_t kSubEncapsulation = 0x0c;
constexpr uint8_t kSubDefaultGateway = 0x0d;
constexpr uint8_t kSubMacMobility = 0x00;
constexpr uint8_t kSubEsiLabel = 0x01;
constexpr uint8_t kSubEsImport = 0x02;
constexpr uint8_t kSubRouterMac = 0x03;
constexpr uint8_t kSubDfElection = 0x06;

ExtCommunity make(uint8_t type, uint8_t sub) {
  ExtCommunity c;
  c.raw[0] = type;
  c.raw[1] = sub;
  return c;
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

const char* encap_name(uint16_t t) {
  switch (static_cast<TunnelEncap>(t)) {
    case TunnelEncap::kVxlan: return "vxlan";
    case TunnelEncap::kNvgre: return "nvgre";
    case TunnelEncap::kMpls: return "mpls";
    case TunnelEncap::kMplsGre: return "mpls-gre";
    case TunnelEncap::kVxlanGpe: return "vxlan-gpe";
    case TunnelEncap::kGeneve: return "geneve";
  }
  return nullptr;
}

}  // namespace

ExtCommunity ExtCommunity::route_target(const RouteTarget& rt) {
  ExtCommunity c;
  std::memcpy(c.raw.data(), rt.data(), 8);
  return c;
}

ExtCommunity ExtCommunity::encapsulation(TunnelEncap t) {
  ExtCommunity c = make(kTransitiveOpaque, kSubEncapsulation);
  put16(&c.raw[6], static_cast<uint16_t>(t));
  return c;
}

ExtCommunity ExtCommunity::mac_mobility(uint32_t seq, bool sticky) {
  ExtCommunity c = make(kEvpn, kSubMacMobility);
  c.raw[2] = sticky ? 0x01 : 0x00;
  put16(&c.raw[4], uint16_t(seq >> 16));
  put16(&c.raw[6], uint16_t(seq));
  return c;
}

ExtCommunity ExtCommunity::router_mac(const Mac& m) {
  ExtCommunity c = make(kEvpn, kSubRouterMac);
  std::memcpy(&c.raw[2], m.data(), 6);
  return c;
}

ExtCommunity ExtCommunity::esi_label(bool single_active, uint32_t label) {
  ExtCommunity c = make(kEvpn, kSubEsiLabel);
  c.raw[2] = single_active ? 0x01 : 0x00;
  c.raw[5] = uint8_t(label >> 16);
  c.raw[6] = uint8_t(label >> 8);
  c.raw[7] = uint8_t(label);
  return c;
}

ExtCommunity ExtCommunity::es_import(const Mac& m) {
  ExtCommunity c = make(kEvpn, kSubEsImport);
  std::memcpy(&c.raw[2], m.data(), 6);
  return c;
}

ExtCommunity ExtCommunity::default_gateway() { return make(kTransitiveOpaque, kSubDefaultGateway); }

ExtCommunity ExtCommunity::df_election(uint8_t alg, uint16_t bitmap, uint16_t preference) {
  ExtCommunity c = make(kEvpn, kSubDfElection);
  c.raw[2] = alg & 0x1F;  // the 3 high bits are reserved (RFC 8584 §2.2)
  put16(&c.raw[3], bitmap);
  put16(&c.raw[6], preference);  // raw[5] stays reserved (RFC 9785 §3)
  return c;
}

std::optional<RouteTarget> ExtCommunity::as_route_target() const {
  if (raw[1] != kSubRouteTarget || raw[0] > 0x02) return std::nullopt;  // 0x00, 0x01, 0x02 only
  return RouteTarget(raw.data());
}

std::optional<TunnelEncap> ExtCommunity::as_encapsulation() const {
  if (raw[0] != kTransitiveOpaque || raw[1] != kSubEncapsulation) return std::nullopt;
  return static_cast<TunnelEncap>(get16(&raw[6]));
}

std::optional<ExtCommunity::MacMobility> ExtCommunity::as_mac_mobility() const {
  if (raw[0] != kEvpn || raw[1] != kSubMacMobility) return std::nullopt;
  const uint32_t seq = uint32_t{get16(&raw[4])} << 16 | get16(&raw[6]);
  return MacMobility{seq, (raw[2] & 0x01) != 0};
}

std::optional<Mac> ExtCommunity::as_router_mac() const {
  if (raw[0] != kEvpn || raw[1] != kSubRouterMac) return std::nullopt;
  return Mac(&raw[2]);
}

bool ExtCommunity::is_default_gateway() const {
  return raw[0] == kTransitiveOpaque && raw[1] == kSubDefaultGateway;
}

std::optional<ExtCommunity::EsiLabel> ExtCommunity::as_esi_label() const {
  if (raw[0] != kEvpn || raw[1] != kSubEsiLabel) return std::nullopt;
  const uint32_t label = uint32_t{raw[5]} << 16 | uint32_t{raw[6]} << 8 | raw[7];
  return EsiLabel{(raw[2] & 0x01) != 0, label};
}

std::optional<Mac> ExtCommunity::as_es_import() const {
  if (raw[0] != kEvpn || raw[1] != kSubEsImport) return std::nullopt;
  return Mac(&raw[2]);
}

std::optional<ExtCommunity::DfElection> ExtCommunity::as_df_election() const {
  if (raw[0] != kEvpn || raw[1] != kSubDfElection) return std::nullopt;
  return DfElection{uint8_t(raw[2] & 0x1F), get16(&raw[3]), get16(&raw[6])};
}

std::string ExtCommunity::to_string() const {
  if (auto rt = as_route_target()) return "rt:" + rt->to_string();
  if (auto e = as_encapsulation()) {
    const char* n = encap_name(static_cast<uint16_t>(*e));
    return n ? std::string("encap:") + n : "encap:" + std::to_string(static_cast<uint16_t>(*e));
  }
  if (auto mm = as_mac_mobility())
    return "mac-mobility:seq=" + std::to_string(mm->sequence) + (mm->sticky ? ",sticky" : "");
  if (auto m = as_router_mac()) return "router-mac:" + m->to_string();
  if (auto l = as_esi_label())
    return "esi-label:label=" + std::to_string(l->label) + (l->single_active ? ",single-active" : "");
  if (auto m = as_es_import()) return "es-import:" + m->to_string();
  if (is_default_gateway()) return "default-gw";
  if (auto df = as_df_election()) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s = "df-election:alg=" + std::to_string(df->alg) + ",bitmap=0x";
    for (int shift = 12; shift >= 0; shift -= 4) s += kHex[(df->bitmap >> shift) & 0xF];
    // The preference is shown for the preference algorithms and whenever its octets are set
    // (another algorithm's value there is reserved, but a reflector must show what it carries).
    if (df->preference || df->alg == 2 || df->alg == 3) s += ",pref=" + std::to_string(df->preference);
    if (df->dont_preempt()) s += ",dp";
    if (df->ac_df()) s += ",ac-df";
    return s;
  }
  return "unknown:" + to_hex(ByteView(raw.data(), raw.size()));
}

}  // namespace evpnd::wire

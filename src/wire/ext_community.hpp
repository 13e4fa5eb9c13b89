// Extended communities (RFC 4360) as their 8 wire bytes, with typed constructors and
// accessors for the ones EVPN uses. Unknown ones survive decode/encode untouched.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "core/mac.hpp"
#include "core/route_target.hpp"

namespace evpnd::wire {

enum class TunnelEncap : uint16_t { kVxlan = 8, kNvgre = 9, kMpls = 10, kMplsGre = 11, kVxlanGpe = 12, kGeneve = 19 };

struct ExtCommunity {
  std::array<uint8_t, 8> raw{};

  uint8_t type() const { return raw[0]; }
  uint8_t subtype() const { return raw[1]; }

  static ExtCommunity route_target(const RouteTarget& rt);
  static ExtCommunity encapsulation(TunnelEncap t);          // 03 0c 00 00 00 00 <u16>
  static ExtCommunity mac_mobility(uint32_t seq, bool sticky);  // 06 00 <flags> 00 <u32>
  static ExtCommunity router_mac(const Mac& m);              // 06 03 <mac>
  static ExtCommunity esi_label(bool single_active, uint32_t label);  // 06 01
  static ExtCommunity es_import(const Mac& m);               // 06 02 <mac>
  static ExtCommunity default_gateway();                     // 03 0d 00.. (RFC 7432 §7.8)
  // 06 06 <alg> <bitmap u16> 00 <preference u16> (RFC 8584 §2.2; preference: RFC 9785 §3)
  static ExtCommunity df_election(uint8_t alg, uint16_t bitmap, uint16_t preference = 0);
  // DF Election capability bits of the bitmap, bit 0 = MSB (RFC 8584 §2.2 Figure 3, IANA "BGP
  // EVPN DF Election Capabilities"): D = Don't Preempt (RFC 9785), A = AC-DF (RFC 8584 §4).
  // The IANA registry reads: "0, D (Don't Preempt) Capability, [RFC9785]" and "1, AC-DF
  // Capability, [RFC8584]" (checked 2026-12-07), hence 0x8000 and 0x4000.
  static constexpr uint16_t kDfCapDontPreempt = 0x8000;
  static constexpr uint16_t kDfCapAcDf = 0x4000;

  std::optional<RouteTarget> as_route_target() const;
  std::optional<TunnelEncap> as_encapsulation() const;
  struct MacMobility { uint32_t sequence; bool sticky; };
  std::optional<MacMobility> as_mac_mobility() const;
  std::optional<Mac> as_router_mac() const;
  bool is_default_gateway() const;
  struct EsiLabel { bool single_active; uint32_t label; };
  std::optional<EsiLabel> as_esi_label() const;
  std::optional<Mac> as_es_import() const;
  struct DfElection {
    uint8_t alg;          // DF Alg (5 bits): 0 modulo, 1 HRW, 2/3 highest/lowest preference
    uint16_t bitmap;      // capabilities
    uint16_t preference;  // RFC 9785 DF Preference (octets 6-7; meaningful for alg 2 and 3)
    bool dont_preempt() const { return bitmap & kDfCapDontPreempt; }
    bool ac_df() const { return bitmap & kDfCapAcDf; }
  };
  std::optional<DfElection> as_df_election() const;

  // "rt:65000:100" (RouteTarget::to_string, also for IPv4 and 4-byte-AS RTs), "encap:vxlan"
  // (nvgre, mpls, mpls-gre, vxlan-gpe, geneve, else "encap:<n>"), "mac-mobility:seq=1",
  // "mac-mobility:seq=1,sticky", "router-mac:02:00:..", "esi-label:label=<n>[,single-active]",
  // "es-import:02:00:..", "default-gw", "df-election:alg=<n>,bitmap=0x<4 hex>[,pref=<n>][,dp][,ac-df]" (pref when
  // non-zero or alg 2/3; dp and ac-df name bitmap bits already in the hex),
  // else "unknown:<16 hex digits>".
  std::string to_string() const;

  auto operator<=>(const ExtCommunity&) const = default;
  bool operator==(const ExtCommunity&) const = default;
};

// MAC Mobility sequence numbers (RFC 7432 §7.7) are 32 bits and, after 2^32 - 1 moves, wrap to 0;
// RFC 7432 §15 requires implementations to handle that wraparound. They are compared with serial
// number arithmetic (RFC 1982 §3.2, SERIAL_BITS = 32): `a` is newer than `b` when it is ahead of
// it by 1 .. 2^31 - 1 modulo 2^32, so 0 is newer than 0xFFFFFFFF. Two values exactly 2^31 apart
// are undefined in RFC 1982; here neither is newer and the tie-breaks (lowest VTEP IP, §15.1)
// decide. Returns > 0 when `a` is newer, < 0 when `b` is, 0 when equal or undefined.
constexpr int mobility_seq_compare(uint32_t a, uint32_t b) {
  const uint32_t ahead = a - b;  // modulo 2^32
  if (ahead == 0 || ahead == 0x80000000u) return 0;
  return ahead < 0x80000000u ? 1 : -1;
}
// The sequence number that supersedes `s` (RFC 7432 §15: received + 1), wrapping to 0.
constexpr uint32_t mobility_seq_next(uint32_t s) { return s + 1u; }

}  // namespace evpnd::wire

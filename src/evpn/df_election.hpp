// Designated Forwarder election for one <Ethernet segment, EVI> (RFC 7432 §8.5, RFC 8584 §2-§4,
// RFC 9785): a pure function of the segment's candidate PEs (the local PE and every PE whose
// type-4 route for the segment was imported), so golden vectors can pin it down.
//
// Algorithms (the DF Alg field of the DF Election extended community, RFC 8584 §2.2):
//   0 modulo      (RFC 7432 §8.5): candidates ordered by originator IP, ascending; DF = V mod N
//   1 HRW         (RFC 8584 §3):   highest weight Wrand(V, Es, Si); ties go to the lowest IP
//   2 preference  (RFC 9785):      highest preference; ties: Don't-Preempt set first, then lowest IP
//   3 preference  (RFC 9785):      lowest preference; ties as for 2
// Capabilities (bitmap): AC-DF (RFC 8584 §4): a PE is a candidate for an EVI only while it has
// the EVI's attachment (it advertises the per-EVI A-D route). When the candidates do not all
// advertise the same algorithm and capabilities, everyone falls back to modulo without
// capabilities (RFC 8584 §2.2: "the DF election procedure MUST default to ... (Alg 0)"). The
// capability compared is AC-DF; RFC 9785's Don't-Preempt bit is not (it is a tie-break between
// PEs, so PEs of one segment may differ in it). An algorithm value above 3 counts as disagreement.
// "V" for VXLAN is the per-L2VNI `df-id` (default: the VNI); the Ethernet tag is 0.
// NOTE threading: none (pure). Performance: O(N log N) per call, N = PEs on the segment (small).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"

namespace evpnd::evpn {

enum class DfAlgorithm : uint8_t { kModulo = 0, kHrw = 1, kPreferenceHighest = 2, kPreferenceLowest = 3 };
const char* to_string(DfAlgorithm a);  // "modulo", "hrw", "preference-highest", "preference-lowest"

// One PE as its type-4 route (or the local configuration) describes it.
struct DfCandidate {
  IpAddress originator;                 // the type-4's originating router IP
  DfAlgorithm algorithm = DfAlgorithm::kModulo;  // a type-4 without the DF Election EC: modulo
  bool ac_df = false;                   // advertises the AC-DF capability (RFC 8584 §4)
  uint16_t preference = 0;              // RFC 9785 (algorithms 2 and 3)
  bool dont_preempt = false;            // RFC 9785 "Don't Preempt" capability
  bool has_evi = true;                  // the PE has this EVI's attachment (per-EVI A-D route
                                        // present; for the local PE: the attachment is up)
  bool operator==(const DfCandidate&) const = default;
};

struct DfResult {
  std::optional<IpAddress> df;          // none when no candidate is eligible
  DfAlgorithm algorithm = DfAlgorithm::kModulo;  // the algorithm actually used
  bool ac_df = false;                   // AC-DF actually applied
  bool fallback = false;                // the candidates disagreed: modulo without capabilities
  std::vector<IpAddress> ranking;       // eligible candidates, best first (views, backups)
  bool operator==(const DfResult&) const = default;
};

// Elects the DF of <esi, V>. `candidates` holds each PE once (the local one included).
DfResult elect_df(const Esi& esi, uint32_t v, std::span<const DfCandidate> candidates);

// RFC 8584 §3.2 HRW weight of PE `originator` for <V, esi> (exposed for golden vectors).
uint32_t hrw_weight(uint32_t v, const Esi& esi, const IpAddress& originator);

}  // namespace evpnd::evpn

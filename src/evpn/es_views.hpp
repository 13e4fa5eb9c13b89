// Read-only views of Ethernet segments for the API (`evpnctl show evpn es`, `show evpn es-evi`),
// named as FRR's `show evpn es detail json` / `show evpn es-evi` name things where they exist.
// Local segments (ethernet_segment.hpp) fill them today; remote segments (learnt from routes)
// reuse the same structs with `local = false` and their VTEPs in `vteps`, so a view lists both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/esi.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/rd.hpp"
#include "core/types.hpp"

namespace evpnd::evpn {

// One PE of a segment as its type-4 (or our configuration) describes it.
struct EsVtepView {
  IpAddress vtep;
  bool local = false;                 // this is us
  std::string df_algorithm;           // "preference-highest", "modulo", ... ("unknown(N)")
  uint16_t df_preference = 0;
  bool dont_preempt = false;
  bool ac_df = false;
  bool es_route = false;              // its type-4 is present (peers: always)
  std::vector<Vni> evis;              // VNIs it advertises a per-EVI A-D route for (peers)
  bool operator==(const EsVtepView&) const = default;
};

// One <segment, VNI> (FRR's ES-EVI).
struct EsEviView {
  std::string name;                   // segment name ("" for remote segments)
  Esi esi;
  Vni vni = 0;
  bool local = true;
  std::string port;                   // local attachment
  bool attachment_up = false;
  bool evi_present = false;           // the L2VNI exists (a reload may remove it)
  std::optional<IpAddress> df;        // the elected DF (none while waiting, down or no candidate)
  bool is_df = false;                 // we are the DF
  bool non_df = true;                 // as programmed (EsAttachment::non_df)
  bool blocked = false;               // single-active non-DF
  std::string df_algorithm_used;      // after the agreement check (RFC 8584 §2.2)
  bool df_fallback = false;           // the PEs disagreed: modulo without capabilities
  std::vector<IpAddress> ranking;     // eligible candidates, best first
  uint32_t df_id = 0;                 // "V"
  bool operator==(const EsEviView&) const = default;
};

struct EsView {
  std::string name;
  Esi esi;
  bool local = true;
  std::string redundancy;             // "all-active" | "single-active"
  std::string state;                  // "down" | "startup-delay" | "df-wait" | "up"
  std::optional<uint64_t> df_wait_remaining_ms;  // while in DF Wait (or the start-up delay)
  uint32_t df_wait_ms = 0;            // es-timers.df-wait-ms
  Mac es_import;                      // the ES-Import RT value (RFC 7432 §7.6)
  std::optional<Rd> rd;               // of the type-4 and the first A-D per ES fragment
  std::vector<Rd> fragment_rds;       // every A-D per ES fragment advertised
  bool fast_failover = false;
  uint32_t backup_nhid = 0;           // FdbNexthopGroup of the peer PEs (0: none)
  std::vector<EsVtepView> vteps;      // the local PE first, then the peers by IP
  std::vector<EsEviView> evis;        // by VNI
  uint64_t df_changes = 0;            // local DF <-> non-DF transitions, over all VNIs
  bool operator==(const EsView&) const = default;
};

}  // namespace evpnd::evpn

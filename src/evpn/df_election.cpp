// Designated Forwarder election (see df_election.hpp for the algorithms and their sources).
#include "evpn/df_election.hpp"

#include <algorithm>
#include <cstring>

namespace evpnd::evpn {
namespace {

// "Numeric value" of an originator IP (RFC 7432 §8.5 orders the PEs "in increasing numeric
// value"; RFC 8584 §3.2 and RFC 9785 break ties on "the lowest IP address"). Compared as the
// big-endian unsigned number the address is on the wire, never as host-order integers: FRR 8.4
// compares in_addr.s_addr, which on little-endian hosts ranks 10.0.2.1 below 10.0.1.2
// (zebra_evpn_mh.c l.1658). IPv4 sorts before IPv6 (a 32-bit number is below any IPv6 address
// that is not IPv4-mapped; mixed families on one segment are not expected).
bool ip_less(const IpAddress& a, const IpAddress& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return std::memcmp(a.data(), b.data(), a.size()) < 0;
}

// CRC-32 of RFC 8584 §3.2 ("CRC_32"): the IEEE 802.3 / ISO-HDLC CRC (polynomial 0x04C11DB7,
// reflected, initial value and final XOR all ones), i.e. zlib's crc32(). Bitwise: 14 bytes.
uint32_t crc32_ieee(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

// Si of RFC 8584 §3.2: "the server's IP address length does not matter, as only the low-order
// 31 bits are modulo significant", so the low-order 32 bits of the address (an IPv4 address
// whole, an IPv6 address's last 4 octets) give the same weight as the whole address would.
uint32_t hrw_si(const IpAddress& ip) {
  const size_t n = ip.size();
  if (n < 4) return 0;
  const uint8_t* b = ip.data() + n - 4;
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool known(DfAlgorithm a) { return static_cast<uint8_t>(a) <= static_cast<uint8_t>(DfAlgorithm::kPreferenceLowest); }

// RFC 8584 §2.2: "the DF election procedure MUST default to [modulo] ... if all the PEs in the ES
// do not advertise the same DF Alg and capabilities". The capability compared here is AC-DF
// (bitmap bit A). RFC 9785's Don't-Preempt bit is deliberately not compared: it is the first
// tie-break of the preference algorithms ("the PE with DP=1 wins"), which only means anything if
// PEs on one segment may advertise different DP values.
bool candidates_agree(std::span<const DfCandidate> c) {
  for (const DfCandidate& x : c) {
    if (!known(x.algorithm)) return false;
    if (x.algorithm != c.front().algorithm || x.ac_df != c.front().ac_df) return false;
  }
  return true;
}

// RFC 7432 §8.5 step 3: PEs ordered by IP ascending, ordinal i = V mod N is the DF. The ranking
// continues around the ring (i+1, i+2, ...), which is the order in which the DF role moves if the
// DF leaves and the list shrinks at that position.
std::vector<IpAddress> rank_modulo(std::vector<IpAddress> ips, uint32_t v) {
  std::sort(ips.begin(), ips.end(), ip_less);
  std::rotate(ips.begin(), ips.begin() + static_cast<ptrdiff_t>(v % ips.size()), ips.end());
  return ips;
}

// RFC 8584 §3.2: DF(V) = the PE with the highest Wrand(V, Es, Si); "in case of a tie, choose the
// PE whose IP address is numerically the least". The backup DF is the second of the list.
std::vector<IpAddress> rank_hrw(const Esi& esi, uint32_t v, std::vector<IpAddress> ips) {
  struct W { uint32_t w; IpAddress ip; };
  std::vector<W> ws;
  ws.reserve(ips.size());
  for (const IpAddress& ip : ips) ws.push_back({hrw_weight(v, esi, ip), ip});
  std::sort(ws.begin(), ws.end(), [](const W& a, const W& b) {
    if (a.w != b.w) return a.w > b.w;
    return ip_less(a.ip, b.ip);
  });
  std::vector<IpAddress> out;
  out.reserve(ws.size());
  for (const W& w : ws) out.push_back(w.ip);
  return out;
}

// RFC 9785 §4: Highest-Preference (Alg 2) elects the highest DF Preference, Lowest-Preference
// (Alg 3) the lowest; on equal preference the tie-breakers are, in that order, the DP bit (the
// PE advertising DP=1 wins) and the lowest PE IP address. The result is the same for every V.
std::vector<IpAddress> rank_preference(std::vector<const DfCandidate*> c, bool highest) {
  std::sort(c.begin(), c.end(), [highest](const DfCandidate* a, const DfCandidate* b) {
    if (a->preference != b->preference) return highest ? a->preference > b->preference : a->preference < b->preference;
    if (a->dont_preempt != b->dont_preempt) return a->dont_preempt;
    return ip_less(a->originator, b->originator);
  });
  std::vector<IpAddress> out;
  out.reserve(c.size());
  for (const DfCandidate* x : c) out.push_back(x->originator);
  return out;
}

}  // namespace

const char* to_string(DfAlgorithm a) {
  switch (a) {
    case DfAlgorithm::kModulo: return "modulo";
    case DfAlgorithm::kHrw: return "hrw";
    case DfAlgorithm::kPreferenceHighest: return "preference-highest";
    case DfAlgorithm::kPreferenceLowest: return "preference-lowest";
  }
  return "unknown";
}

uint32_t hrw_weight(uint32_t v, const Esi& esi, const IpAddress& originator) {
  // D(V, Es): "the 31-bit digest (CRC_32 and discarding the MSB) of the 14-byte stream, the
  // Ethernet Tag V (4 bytes) followed by the Ethernet Segment Identifier (ESI) (10 bytes)", in
  // network byte order (RFC 8584 §3.2).
  uint8_t stream[14];
  stream[0] = static_cast<uint8_t>(v >> 24);
  stream[1] = static_cast<uint8_t>(v >> 16);
  stream[2] = static_cast<uint8_t>(v >> 8);
  stream[3] = static_cast<uint8_t>(v);
  std::memcpy(stream + 4, esi.data(), 10);
  const uint32_t d = crc32_ieee(stream, sizeof stream) & 0x7FFFFFFFu;
  // Wrand(V, Es, Si) = (1103515245((1103515245.Si + 12345) XOR D(V,Es)) + 12345) (mod 2^31).
  // Unsigned 32-bit arithmetic wraps modulo 2^32; since 2^31 divides 2^32 and XOR is bitwise,
  // masking the low 31 bits at the end gives exactly the residue mod 2^31.
  const uint32_t inner = 1103515245u * hrw_si(originator) + 12345u;
  return (1103515245u * (inner ^ d) + 12345u) & 0x7FFFFFFFu;
}

DfResult elect_df(const Esi& esi, uint32_t v, std::span<const DfCandidate> candidates) {
  DfResult r;
  if (candidates.empty()) return r;
  const bool agree = candidates_agree(candidates);
  r.fallback = !agree;
  r.algorithm = agree ? candidates.front().algorithm : DfAlgorithm::kModulo;
  r.ac_df = agree && candidates.front().ac_df;

  // RFC 8584 §4 (AC-influenced DF): with AC-DF in use, a PE whose attachment circuit for the
  // Ethernet tag is down (its per-EVI A-D route withdrawn) is not a candidate for that tag.
  // Without it, every PE of the segment is a candidate for every tag (RFC 7432 §8.5).
  std::vector<const DfCandidate*> eligible;
  for (const DfCandidate& c : candidates)
    if (!r.ac_df || c.has_evi) eligible.push_back(&c);
  if (eligible.empty()) return r;
  std::vector<IpAddress> ips;
  ips.reserve(eligible.size());
  for (const DfCandidate* c : eligible) ips.push_back(c->originator);

  switch (r.algorithm) {
    case DfAlgorithm::kModulo: r.ranking = rank_modulo(std::move(ips), v); break;
    case DfAlgorithm::kHrw: r.ranking = rank_hrw(esi, v, std::move(ips)); break;
    case DfAlgorithm::kPreferenceHighest: r.ranking = rank_preference(std::move(eligible), true); break;
    case DfAlgorithm::kPreferenceLowest: r.ranking = rank_preference(std::move(eligible), false); break;
  }
  if (!r.ranking.empty()) r.df = r.ranking.front();
  return r;
}

}  // namespace evpnd::evpn

// DF election golden vectors: modulo (RFC 7432 §8.5), HRW (RFC 8584 §3), preference (RFC 9785),
// AC-DF (RFC 8584 §4) and the disagreement fallback (RFC 8584 §2.2).
#include "evpn/df_election.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace evpnd::evpn {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Esi esi(const char* s) { return *Esi::parse(s); }

const Esi kEsi = esi("03:44:38:39:ff:ff:02:00:00:02");  // FRR's es-sys-mac 44:38:39:ff:ff:02 + es-id 2

DfCandidate cand(const char* addr, DfAlgorithm alg = DfAlgorithm::kModulo, uint16_t pref = 0, bool dp = false) {
  DfCandidate c;
  c.originator = ip(addr);
  c.algorithm = alg;
  c.preference = pref;
  c.dont_preempt = dp;
  return c;
}

TEST(DfModulo, TwoPes_Vni100And101Alternate) {
  // RFC 7432 §8.5: ordinal 0 = lowest IP; V mod N. Input order must not matter.
  const std::vector<DfCandidate> c{cand("10.255.0.12"), cand("10.255.0.11")};
  const DfResult r100 = elect_df(kEsi, 100, c);
  ASSERT_TRUE(r100.df);
  EXPECT_EQ(*r100.df, ip("10.255.0.11"));
  EXPECT_EQ(r100.algorithm, DfAlgorithm::kModulo);
  EXPECT_FALSE(r100.fallback);
  EXPECT_EQ(r100.ranking, (std::vector<IpAddress>{ip("10.255.0.11"), ip("10.255.0.12")}));
  const DfResult r101 = elect_df(kEsi, 101, c);
  EXPECT_EQ(*r101.df, ip("10.255.0.12"));
  EXPECT_EQ(r101.ranking, (std::vector<IpAddress>{ip("10.255.0.12"), ip("10.255.0.11")}));
}

TEST(DfModulo, NumericOrderNotHostByteOrder) {
  // 10.0.1.2 < 10.0.2.1 numerically; as little-endian s_addr integers it is the other way round.
  const std::vector<DfCandidate> c{cand("10.0.2.1"), cand("10.0.1.2"), cand("9.255.255.255")};
  EXPECT_EQ(*elect_df(kEsi, 3, c).df, ip("9.255.255.255"));
  EXPECT_EQ(*elect_df(kEsi, 4, c).df, ip("10.0.1.2"));
  EXPECT_EQ(*elect_df(kEsi, 5, c).df, ip("10.0.2.1"));
}

TEST(DfModulo, SingleAndEmpty) {
  EXPECT_EQ(*elect_df(kEsi, 7, std::vector<DfCandidate>{cand("10.0.0.1")}).df, ip("10.0.0.1"));
  const DfResult r = elect_df(kEsi, 7, {});
  EXPECT_FALSE(r.df);
  EXPECT_TRUE(r.ranking.empty());
}

struct HrwVector { const char* esi; uint32_t v; const char* pe; uint32_t weight; };

// Computed by tests/vectors/df_election/hrw_vectors.py (python zlib.crc32, big integers reduced
// mod 2^31 once, the IPv6 address used whole) from the RFC 8584 §3.2 text; the same formula is
// implemented by zebra-rs (zebra-rs/zebra-rs, bgpd EVPN ethernet_segment hrw_digest/hrw_weight).
const HrwVector kHrw[] = {
    {"03:44:38:39:ff:ff:02:00:00:02", 100, "10.0.1.2", 308801377u},
    {"03:44:38:39:ff:ff:02:00:00:02", 100, "10.0.2.1", 1815591794u},
    {"03:44:38:39:ff:ff:02:00:00:02", 100, "10.255.0.21", 121077718u},
    {"03:44:38:39:ff:ff:02:00:00:02", 100, "2001:db8::a", 1242213465u},
    {"03:44:38:39:ff:ff:02:00:00:02", 101, "10.0.1.2", 909794465u},
    {"03:44:38:39:ff:ff:02:00:00:02", 101, "10.0.2.1", 1317783986u},
    {"03:44:38:39:ff:ff:02:00:00:02", 101, "10.255.0.21", 1129622294u},
    {"03:44:38:39:ff:ff:02:00:00:02", 101, "2001:db8::a", 552277017u},
    {"03:44:38:39:ff:ff:02:00:00:02", 200, "10.0.1.2", 1585132148u},
    {"03:44:38:39:ff:ff:02:00:00:02", 200, "10.0.2.1", 1127586627u},
    {"03:44:38:39:ff:ff:02:00:00:02", 200, "10.255.0.21", 1884703967u},
    {"03:44:38:39:ff:ff:02:00:00:02", 200, "2001:db8::a", 219104828u},
    {"00:11:22:33:44:55:66:77:88:99", 100, "10.0.1.2", 757281225u},
    {"00:11:22:33:44:55:66:77:88:99", 100, "10.0.2.1", 345482298u},
    {"00:11:22:33:44:55:66:77:88:99", 100, "10.255.0.21", 829675886u},
    {"00:11:22:33:44:55:66:77:88:99", 100, "2001:db8::a", 779778449u},
    {"00:11:22:33:44:55:66:77:88:99", 101, "10.0.1.2", 380158217u},
    {"00:11:22:33:44:55:66:77:88:99", 101, "10.0.2.1", 1916300410u},
    {"00:11:22:33:44:55:66:77:88:99", 101, "10.255.0.21", 45001390u},
    {"00:11:22:33:44:55:66:77:88:99", 101, "2001:db8::a", 396704593u},
    {"00:11:22:33:44:55:66:77:88:99", 200, "10.0.1.2", 825478060u},
    {"00:11:22:33:44:55:66:77:88:99", 200, "10.0.2.1", 1214012123u},
    {"00:11:22:33:44:55:66:77:88:99", 200, "10.255.0.21", 1499443111u},
    {"00:11:22:33:44:55:66:77:88:99", 200, "2001:db8::a", 2048507044u},
};

TEST(DfHrw, Weights_MatchIndependentComputation) {
  for (const HrwVector& h : kHrw)
    EXPECT_EQ(hrw_weight(h.v, esi(h.esi), ip(h.pe)), h.weight) << h.esi << " v=" << h.v << " " << h.pe;
}

TEST(DfHrw, HighestWeightWins_RankingByWeight) {
  const std::vector<DfCandidate> c{cand("10.0.1.2", DfAlgorithm::kHrw), cand("10.0.2.1", DfAlgorithm::kHrw),
                                   cand("10.255.0.21", DfAlgorithm::kHrw)};
  // V=100: weights 308801377, 1815591794, 121077718.
  const DfResult r100 = elect_df(kEsi, 100, c);
  EXPECT_EQ(r100.algorithm, DfAlgorithm::kHrw);
  EXPECT_EQ(r100.ranking, (std::vector<IpAddress>{ip("10.0.2.1"), ip("10.0.1.2"), ip("10.255.0.21")}));
  // V=200: 1585132148, 1127586627, 1884703967.
  EXPECT_EQ(elect_df(kEsi, 200, c).ranking,
            (std::vector<IpAddress>{ip("10.255.0.21"), ip("10.0.1.2"), ip("10.0.2.1")}));
  // V=101: 909794465, 1317783986, 1129622294.
  EXPECT_EQ(*elect_df(kEsi, 101, c).df, ip("10.0.2.1"));
}

TEST(DfHrw, EqualWeights_LowestIpWins) {
  // Si enters only through its low-order 31 bits, so 10.0.1.2 and 138.0.1.2 (10.0.1.2 + 2^31)
  // weigh the same; RFC 8584 §3.2: the numerically least IP wins the tie.
  EXPECT_EQ(hrw_weight(100, kEsi, ip("10.0.1.2")), hrw_weight(100, kEsi, ip("138.0.1.2")));
  const std::vector<DfCandidate> c{cand("138.0.1.2", DfAlgorithm::kHrw), cand("10.0.1.2", DfAlgorithm::kHrw)};
  EXPECT_EQ(elect_df(kEsi, 100, c).ranking, (std::vector<IpAddress>{ip("10.0.1.2"), ip("138.0.1.2")}));
}

TEST(DfPreference, HigherWins) {
  const std::vector<DfCandidate> c{cand("10.0.0.1", DfAlgorithm::kPreferenceHighest, 100),
                                   cand("10.0.0.2", DfAlgorithm::kPreferenceHighest, 200)};
  for (uint32_t v : {100u, 101u}) {
    const DfResult r = elect_df(kEsi, v, c);
    EXPECT_EQ(*r.df, ip("10.0.0.2"));
    EXPECT_EQ(r.algorithm, DfAlgorithm::kPreferenceHighest);
  }
}

TEST(DfPreference, LowerWins) {
  const std::vector<DfCandidate> c{cand("10.0.0.1", DfAlgorithm::kPreferenceLowest, 100),
                                   cand("10.0.0.2", DfAlgorithm::kPreferenceLowest, 200)};
  const DfResult r = elect_df(kEsi, 100, c);
  EXPECT_EQ(*r.df, ip("10.0.0.1"));
  EXPECT_EQ(r.algorithm, DfAlgorithm::kPreferenceLowest);
  EXPECT_EQ(r.ranking, (std::vector<IpAddress>{ip("10.0.0.1"), ip("10.0.0.2")}));
}

TEST(DfPreference, EqualPreference_DontPreemptWins) {
  // RFC 9785: equal preference -> the PE advertising DP=1 wins, even with the higher IP.
  for (DfAlgorithm alg : {DfAlgorithm::kPreferenceHighest, DfAlgorithm::kPreferenceLowest}) {
    const std::vector<DfCandidate> c{cand("10.0.0.1", alg, 32767, false), cand("10.0.0.2", alg, 32767, true)};
    const DfResult r = elect_df(kEsi, 100, c);
    EXPECT_EQ(*r.df, ip("10.0.0.2")) << to_string(alg);
    EXPECT_FALSE(r.fallback) << "DP may differ between PEs: it is a tie-break, not a capability to agree on";
  }
  // ...but only on equal preference.
  const std::vector<DfCandidate> c{cand("10.0.0.1", DfAlgorithm::kPreferenceHighest, 40000, false),
                                   cand("10.0.0.2", DfAlgorithm::kPreferenceHighest, 32767, true)};
  EXPECT_EQ(*elect_df(kEsi, 100, c).df, ip("10.0.0.1"));
}

TEST(DfPreference, EqualPreferenceAndDp_LowestIpWins_NotByteReversed) {
  // FRR 8.4 compares in_addr.s_addr (host order on x86): it would pick 10.0.2.1. Numerically
  // 10.0.1.2 (0x0a000102) < 10.0.2.1 (0x0a000201).
  for (bool dp : {false, true}) {
    const std::vector<DfCandidate> c{cand("10.0.2.1", DfAlgorithm::kPreferenceHighest, 32767, dp),
                                     cand("10.0.1.2", DfAlgorithm::kPreferenceHighest, 32767, dp)};
    const DfResult r = elect_df(kEsi, 100, c);
    EXPECT_EQ(*r.df, ip("10.0.1.2"));
    EXPECT_EQ(r.ranking, (std::vector<IpAddress>{ip("10.0.1.2"), ip("10.0.2.1")}));
  }
}

TEST(DfFallback, AlgorithmsDisagree_ModuloWithoutCapabilities) {
  // RFC 8584 §2.2: different DF Alg -> modulo; AC-DF is dropped with it (10.0.0.2's AC is down,
  // but without capabilities it stays a candidate).
  DfCandidate a = cand("10.0.0.1", DfAlgorithm::kPreferenceHighest, 100);
  DfCandidate b = cand("10.0.0.2", DfAlgorithm::kHrw);
  a.ac_df = b.ac_df = true;
  b.has_evi = false;
  const std::vector<DfCandidate> c{a, b};
  const DfResult r = elect_df(kEsi, 101, c);
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.algorithm, DfAlgorithm::kModulo);
  EXPECT_FALSE(r.ac_df);
  EXPECT_EQ(*r.df, ip("10.0.0.2"));  // 101 mod 2 = 1 -> the higher IP
  EXPECT_EQ(*elect_df(kEsi, 100, c).df, ip("10.0.0.1"));
}

TEST(DfFallback, CapabilitiesDisagree_Modulo) {
  // Same algorithm, but only one PE advertises AC-DF: capabilities differ -> fallback.
  DfCandidate a = cand("10.0.0.1", DfAlgorithm::kPreferenceHighest, 100);
  DfCandidate b = cand("10.0.0.2", DfAlgorithm::kPreferenceHighest, 200);
  a.ac_df = true;
  const DfResult r = elect_df(kEsi, 100, std::vector<DfCandidate>{a, b});
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.algorithm, DfAlgorithm::kModulo);
  EXPECT_EQ(*r.df, ip("10.0.0.1"));  // preference would have chosen 10.0.0.2
}

TEST(DfFallback, UnknownAlgorithm_Modulo) {
  DfCandidate a = cand("10.0.0.1", static_cast<DfAlgorithm>(9));
  DfCandidate b = cand("10.0.0.2", static_cast<DfAlgorithm>(9));
  const DfResult r = elect_df(kEsi, 101, std::vector<DfCandidate>{a, b});
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(*r.df, ip("10.0.0.2"));
}

TEST(DfAcDf, PeWithoutAttachmentExcluded) {
  // RFC 8584 §4: with AC-DF agreed, a PE without the EVI's AC is not a candidate for that EVI.
  for (DfAlgorithm alg : {DfAlgorithm::kModulo, DfAlgorithm::kHrw, DfAlgorithm::kPreferenceHighest}) {
    DfCandidate a = cand("10.0.0.1", alg, 500);
    DfCandidate b = cand("10.0.0.2", alg, 100);
    a.ac_df = b.ac_df = true;
    a.has_evi = false;
    const DfResult r = elect_df(kEsi, 100, std::vector<DfCandidate>{a, b});
    EXPECT_TRUE(r.ac_df) << to_string(alg);
    EXPECT_EQ(*r.df, ip("10.0.0.2")) << to_string(alg);
    EXPECT_EQ(r.ranking, (std::vector<IpAddress>{ip("10.0.0.2")})) << to_string(alg);
  }
}

TEST(DfAcDf, WithoutCapability_AttachmentIgnored) {
  // No AC-DF: RFC 7432 §8.5 candidates are every PE of the segment.
  DfCandidate a = cand("10.0.0.1", DfAlgorithm::kPreferenceHighest, 500);
  DfCandidate b = cand("10.0.0.2", DfAlgorithm::kPreferenceHighest, 100);
  a.has_evi = false;
  const DfResult r = elect_df(kEsi, 100, std::vector<DfCandidate>{a, b});
  EXPECT_FALSE(r.ac_df);
  EXPECT_EQ(*r.df, ip("10.0.0.1"));
}

TEST(DfAcDf, NoPeHasAttachment_NoDf) {
  DfCandidate a = cand("10.0.0.1");
  DfCandidate b = cand("10.0.0.2");
  a.ac_df = b.ac_df = true;
  a.has_evi = b.has_evi = false;
  const DfResult r = elect_df(kEsi, 100, std::vector<DfCandidate>{a, b});
  EXPECT_FALSE(r.df);
  EXPECT_TRUE(r.ac_df);
}

TEST(DfAlgorithmNames, ToString) {
  EXPECT_STREQ(to_string(DfAlgorithm::kModulo), "modulo");
  EXPECT_STREQ(to_string(DfAlgorithm::kHrw), "hrw");
  EXPECT_STREQ(to_string(DfAlgorithm::kPreferenceHighest), "preference-highest");
  EXPECT_STREQ(to_string(DfAlgorithm::kPreferenceLowest), "preference-lowest");
}

}  // namespace
}  // namespace evpnd::evpn

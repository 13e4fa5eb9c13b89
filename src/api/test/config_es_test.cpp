// `ethernet-segments:`, `es-timers:` and `df-id` (multihoming, docs/CONFIG.md): values, defaults,
// and every refusal with its file:line, path and reason.
#include <gtest/gtest.h>

#include "api/config.hpp"
#include "api/test/config_error_expect.hpp"

namespace evpnd::api {
namespace {

using test::expect_error;

// Lines 1-7.
const std::string kBase = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                          "vrfs:\n  - { name: red, l3vni: 5000 }\n"
                          "l2vnis:\n  - { vni: 100 }\n  - { vni: 200, df-id: 7 }\n";
// Line 9 onwards: "ethernet-segments:" then the items.
std::string with_es(const std::string& items) { return kBase + "ethernet-segments:\n" + items; }

Config parse_ok(const std::string& text) {
  auto c = parse_config_text(text, "t.yaml");
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? *c : Config{};
}

TEST(ConfigEs, LiteralEsi_AllFieldsParsed) {
  const Config c = parse_ok(with_es(
      "  - name: es1\n    esi: \"00:44:38:39:ff:ff:01:00:00:01\"\n    redundancy: single-active\n"
      "    attachments: { 100: es1-100, 200: es1-200 }\n"
      "    df: { algorithm: preference-lowest, preference: 50000, dont-preempt: true, ac-df: false }\n"
      "    fast-failover: false\n"
      "es-timers: { df-wait-ms: 1500, startup-delay-ms: 200 }\n"));
  ASSERT_EQ(c.ethernet_segments.size(), 1u);
  const auto& es = c.ethernet_segments[0];
  EXPECT_EQ(es.name, "es1");
  EXPECT_EQ(es.esi.to_string(), "00:44:38:39:ff:ff:01:00:00:01");
  EXPECT_TRUE(es.single_active);
  EXPECT_EQ(es.attachments, (std::map<Vni, std::string>{{100, "es1-100"}, {200, "es1-200"}}));
  EXPECT_EQ(es.df_algorithm, DfAlgorithmConfig::kPreferenceLowest);
  EXPECT_EQ(es.df_preference, 50000);
  EXPECT_TRUE(es.dont_preempt);
  EXPECT_FALSE(es.ac_df);
  EXPECT_FALSE(es.fast_failover);
  EXPECT_EQ(c.es_timers.df_wait_ms, 1500u);
  EXPECT_EQ(c.es_timers.startup_delay_ms, 200u);
  EXPECT_EQ(c.l2vnis[1].df_id, 7u);
  EXPECT_FALSE(c.l2vnis[0].df_id);
}

TEST(ConfigEs, Defaults_PreferenceAllActiveThreeSecondWait) {
  const Config c = parse_ok(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"));
  const auto& es = c.ethernet_segments.at(0);
  EXPECT_FALSE(es.single_active);
  EXPECT_EQ(es.df_algorithm, DfAlgorithmConfig::kPreferenceHighest);
  EXPECT_EQ(es.df_preference, 32767);  // FRR's default
  EXPECT_FALSE(es.dont_preempt);
  EXPECT_TRUE(es.ac_df);
  EXPECT_TRUE(es.fast_failover);
  EXPECT_EQ(c.es_timers.df_wait_ms, 3000u);  // RFC 8584 §2.1 default
  EXPECT_EQ(c.es_timers.startup_delay_ms, 0u);
}

TEST(ConfigEs, Type3Fields_BuildMacBasedEsi) {
  // RFC 7432 §5 type 3: system MAC + 3-octet local discriminator (FRR's es-sys-mac + es-id).
  const Config c = parse_ok(with_es(
      "  - name: es1\n    esi: { type: 3, system-mac: \"44:38:39:ff:ff:02\", local-id: 2 }\n    attachments: { 100: p1 }\n"));
  EXPECT_EQ(c.ethernet_segments.at(0).esi.to_string(), "03:44:38:39:ff:ff:02:00:00:02");
}

TEST(ConfigEs, Type1DecimalPortKey_BuildsLacpEsi) {
  const Config c = parse_ok(with_es(
      "  - name: es1\n    esi: { type: 1, system-mac: \"02:00:00:00:00:aa\", port-key: 4660 }\n"
      "    attachments: { 100: p1 }\n"));
  EXPECT_EQ(c.ethernet_segments.at(0).esi.to_string(), "01:02:00:00:00:00:aa:12:34:00");
}

TEST(ConfigEs, AlgorithmNames_Mapped) {
  for (auto [name, want] : {std::pair{"modulo", DfAlgorithmConfig::kModulo}, {"hrw", DfAlgorithmConfig::kHrw},
                            {"preference", DfAlgorithmConfig::kPreferenceHighest},
                            {"preference-highest", DfAlgorithmConfig::kPreferenceHighest},
                            {"preference-lowest", DfAlgorithmConfig::kPreferenceLowest}}) {
    const Config c = parse_ok(with_es(std::string("  - { name: e, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 }, df: { algorithm: ") +
                                      name + " } }\n"));
    EXPECT_EQ(c.ethernet_segments.at(0).df_algorithm, want) << name;
  }
}

TEST(ConfigEs, UnknownVniInAttachments_Rejected) {
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 100: p1, 300: p3 }\n"),
               {12, "ethernet-segments[0].attachments.300", "VNI 300 is not an L2VNI"});
}

TEST(ConfigEs, L3VniInAttachments_Rejected) {
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 5000: p1 }\n"),
               {12, "ethernet-segments[0].attachments.5000", "VNI 5000 is not an L2VNI"});
}

TEST(ConfigEs, PortUsedTwice_Rejected) {
  // Within one segment and across segments.
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 100: p1, 200: p1 }\n"),
               {12, "ethernet-segments[0].attachments.200", "port \"p1\" is already attached as ethernet-segments[0].attachments.100"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"
                       "  - name: es2\n    esi: \"00:00:00:00:00:00:00:00:00:02\"\n    attachments:\n      200: p1\n"),
               {14, "ethernet-segments[1].attachments.200", "already attached as ethernet-segments[0].attachments.100"});
}

TEST(ConfigEs, DuplicateEsiOrName_Rejected) {
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"
                       "  - { name: es2, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 200: p2 } }\n"),
               {11, "ethernet-segments[1].esi", "duplicate ESI 00:00:00:00:00:00:00:00:00:01 (also ethernet-segments[0])"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"
                       "  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:02\", attachments: { 200: p2 } }\n"),
               {11, "ethernet-segments[1].name", "duplicate segment name \"es1\""});
  // The same ESI spelled as type-3 fields and as a literal.
  expect_error(with_es("  - { name: a, esi: \"03:44:38:39:ff:ff:02:00:00:02\", attachments: { 100: p1 } }\n"
                       "  - { name: b, esi: { type: 3, system-mac: \"44:38:39:ff:ff:02\", local-id: 2 }, attachments: { 200: p2 } }\n"),
               {11, "ethernet-segments[1].esi", "duplicate ESI 03:44:38:39:ff:ff:02:00:00:02"});
}

TEST(ConfigEs, ReservedEsi_Rejected) {
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:00\", attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi", "ESI 0 is reserved"});
  expect_error(with_es("  - { name: es1, esi: \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff\", attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi", "MAX-ESI"});
  expect_error(with_es("  - { name: es1, esi: \"07:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi", "ESI type 7 is not defined"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:01\", attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi", "invalid ESI"});
}

TEST(ConfigEs, PortIsEvpndDevice_Rejected) {
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 100: br200 }\n"),
               {12, "ethernet-segments[0].attachments.100", "\"br200\" is l2vnis[1] (bridge)"});
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 100: vxlan100 }\n"),
               {12, "ethernet-segments[0].attachments.100", "l2vnis[0] (vxlan-device)"});
  expect_error(with_es("  - name: es1\n    esi: \"00:00:00:00:00:00:00:00:00:01\"\n    attachments: { 100: vxlan5000 }\n"),
               {12, "ethernet-segments[0].attachments.100", "vrfs[0] (L3VNI vxlan device)"});
}

TEST(ConfigEs, BadFields_Rejected) {
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: {} }\n"),
               {10, "ethernet-segments[0].attachments", "at least one attachment"});
  expect_error(with_es("  - { name: es1, esi: { type: 3, system-mac: \"44:38:39:ff:ff:02\" }, attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi.local-id", ""});
  expect_error(with_es("  - { name: es1, esi: { type: 3, system-mac: \"44:38:39:ff:ff:02\", local-id: 0 }, attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi.local-id", "expected 1..16777215"});
  expect_error(with_es("  - { name: es1, esi: { type: 2, system-mac: \"44:38:39:ff:ff:02\" }, attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi.type", "type 2"});
  expect_error(with_es("  - { name: es1, esi: { type: 1, system-mac: \"44:38:39:ff:ff:02\", local-id: 3 }, attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].esi.local-id", "belongs to ESI type 3"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 }, redundancy: dual }\n"),
               {10, "ethernet-segments[0].redundancy", "all-active"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 }, df: { algorithm: hrw, preference: 5 } }\n"),
               {10, "ethernet-segments[0].df.preference", "needs algorithm preference"});
  expect_error(with_es("  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 }, df: { algorithm: modulo, dont-preempt: true } }\n"),
               {10, "ethernet-segments[0].df.dont-preempt", "RFC 9785"});
  expect_error(with_es("  - { name: \"es 1\", esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n"),
               {10, "ethernet-segments[0].name", "invalid segment name"});
  expect_error(kBase + "es-timers: { df-wait-ms: 600001 }\n", {9, "es-timers.df-wait-ms", "expected 0..600000"});
  expect_error(kBase + "es-timers: { df-wait: 1 }\n", {9, "es-timers.df-wait", "unknown key"});
}

TEST(ConfigEs, SegmentAutomaticRdTakenByExplicitRd_Rejected) {
  // Automatic indexes: vrfs[0] 2, l2vnis 3 and 4, the segment 5.
  const std::string head = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\n"
                           "vrfs:\n  - { name: red, l3vni: 5000 }\n"
                           "l2vnis:\n  - { vni: 100 }\n  - { vni: 200, rd: \"10.0.0.1:5\" }\n"
                           "ethernet-segments:\n";
  expect_error(head + "  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n",
               {10, "ethernet-segments[0]", "automatic route distinguisher 10.0.0.1:5 (router-id:index) is already used by l2vnis[1].rd"});
}

TEST(ConfigEs, WithoutDataplane_Rejected) {
  expect_error("router-id: 10.0.0.1\nasn: 65000\nethernet-segments:\n  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n",
               {4, "ethernet-segments", "need a VTEP"});
}

TEST(ConfigEs, Diff_SegmentsAndTimers) {
  const std::string es1 = "  - { name: es1, esi: \"00:00:00:00:00:00:00:00:00:01\", attachments: { 100: p1 } }\n";
  const std::string es2 = "  - { name: es2, esi: \"00:00:00:00:00:00:00:00:00:02\", attachments: { 200: p2 } }\n";
  const std::string es2b = "  - { name: es2, esi: \"00:00:00:00:00:00:00:00:00:02\", attachments: { 200: p2 }, df: { preference: 9 } }\n";
  const std::string es3 = "  - { name: es3, esi: \"00:00:00:00:00:00:00:00:00:03\", attachments: { 100: p3 } }\n";
  auto d = diff_config(parse_ok(with_es(es1 + es2)), parse_ok(with_es(es2b + es3)));
  EXPECT_EQ(d.segments_added, std::vector<std::string>{"es3"});
  EXPECT_EQ(d.segments_removed, std::vector<std::string>{"es1"});
  EXPECT_EQ(d.segments_changed, std::vector<std::string>{"es2"});
  EXPECT_FALSE(d.es_timers_changed);
  EXPECT_FALSE(d.empty());
  auto t = diff_config(parse_ok(with_es(es1)), parse_ok(with_es(es1) + "es-timers: { df-wait-ms: 100 }\n"));
  EXPECT_TRUE(t.es_timers_changed);
  EXPECT_FALSE(t.empty());
  EXPECT_TRUE(diff_config(parse_ok(with_es(es1 + es2)), parse_ok(with_es(es2 + es1))).empty());
}

}  // namespace
}  // namespace evpnd::api

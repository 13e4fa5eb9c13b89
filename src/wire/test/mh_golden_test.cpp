// Golden multihoming vectors: the UPDATEs FRR 8.4.4 sent for a local Ethernet segment
// (tests/vectors/frr/multihoming/*.hex, made by capture.py in that directory): the type-4 Ethernet
// Segment route with its ES-Import RT and DF Election community (RFC 7432 §7.4, §7.6; RFC 8584
// §2.2; RFC 9785 §3) and the type-2 with the segment's ESI (§7.2). Each decodes to tshark's
// values (the "# expect" lines) and to the values FRR was configured with, and re-encodes byte-exact.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

const std::string kDir = EVPND_SOURCE_DIR "/tests/vectors/frr/multihoming";
// FRR: evpn mh es-sys-mac 44:38:39:ff:ff:02, es-id 2 (a type-3 ESI), router-id/VTEP 10.255.0.21.
const char* kEsi = "03:44:38:39:ff:ff:02:00:00:02";

VectorFile vector_named(const std::string& suffix) {
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    const std::string n = e.path().filename().string();
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      return read_vector_file(e.path().string());
  }
  ADD_FAILURE() << "no " << suffix << " in " << kDir;
  return {};
}

Update decode_update(const VectorFile& v) {
  EXPECT_EQ(std::to_string(v.bytes.size()), v.one("length"));
  auto m = decode_message(v.bytes, DecodeContext{});
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  if (!m) return {};
  EXPECT_EQ(encode_message(*m, EncodeContext{}), v.bytes) << "re-encode not byte-exact";
  const Update* u = std::get_if<Update>(&*m);
  EXPECT_NE(u, nullptr);
  if (!u) return {};
  EXPECT_TRUE(u->errors.empty());
  EXPECT_FALSE(u->treat_as_withdraw);
  return *u;
}

TEST(MhGolden, FrrType4_EsRouteEsImportAndDfPreference) {
  const VectorFile v = vector_named("-type4.hex");
  const Update u = decode_update(v);
  ASSERT_TRUE(u.mp_reach);
  EXPECT_EQ(u.mp_reach->next_hop.to_string(), v.one("next_hop"));
  ASSERT_EQ(u.mp_reach->evpn.size(), 1u);
  const auto* es = std::get_if<EthernetSegment>(&u.mp_reach->evpn[0]);
  ASSERT_NE(es, nullptr);
  const auto f = fields(v.one("route"));
  EXPECT_EQ(f.at("type"), "4");
  EXPECT_EQ(to_hex(ByteView(es->rd.data(), 8)), f.at("rd"));
  EXPECT_EQ(es->esi.to_string(), v.one("esi"));
  EXPECT_EQ(es->esi.to_string(), kEsi);
  EXPECT_EQ(es->originator.to_string(), f.at("ip"));
  EXPECT_EQ(es->originator.to_string(), "10.255.0.21");
  EXPECT_EQ(es->rd.to_string(), "10.255.0.21:3");

  // Communities: encapsulation VXLAN, ES-Import (== the ESI's MAC, RFC 7432 §7.6), DF Election.
  // A type-4 carries no EVI route target (RFC 7432 §8.1.1).
  const auto& ecs = u.attrs.ext_communities;
  ASSERT_EQ(ecs.size(), 3u);
  EXPECT_EQ(std::to_string(static_cast<uint16_t>(*ecs[0].as_encapsulation())), v.one("encap"));
  ASSERT_TRUE(ecs[1].as_es_import());
  EXPECT_EQ(ecs[1].as_es_import()->to_string(), v.one("es_import"));
  EXPECT_EQ(*ecs[1].as_es_import(), *es->esi.es_import_auto());
  // tshark 4.0 names the sub-type (0x06) but does not decode DF Election: the values come from
  // FRR's configuration (algorithm 2 is the only one FRR has; es-df-pref default 32767).
  EXPECT_EQ(v.all("evpn_ec_subtype"), (std::vector<std::string>{"0x02", "0x06"}));
  EXPECT_EQ(to_hex(ByteView(ecs[2].raw.data(), 8)), "0606020000007fff");
  auto df = ecs[2].as_df_election();
  ASSERT_TRUE(df);
  EXPECT_EQ(df->alg, 2);
  EXPECT_EQ(df->bitmap, 0);
  EXPECT_EQ(df->preference, 32767);
  EXPECT_FALSE(df->dont_preempt());
  EXPECT_FALSE(df->ac_df());
  EXPECT_EQ(ecs[2].to_string(), "df-election:alg=2,bitmap=0x0000,pref=32767");
}

TEST(MhGolden, FrrType2_MacWithSegmentEsi) {
  const VectorFile v = vector_named("-type2.hex");
  const Update u = decode_update(v);
  ASSERT_TRUE(u.mp_reach);
  ASSERT_EQ(u.mp_reach->evpn.size(), 1u);
  const auto* r = std::get_if<MacIpAdvertisement>(&u.mp_reach->evpn[0]);
  ASSERT_NE(r, nullptr);
  const auto f = fields(v.one("route"));
  EXPECT_EQ(to_hex(ByteView(r->rd.data(), 8)), f.at("rd"));
  EXPECT_EQ(r->mac.to_string(), f.at("mac"));
  EXPECT_EQ(std::to_string(r->ethernet_tag), f.at("etag"));
  EXPECT_EQ(r->esi.to_string(), v.one("esi"));
  EXPECT_EQ(r->esi.to_string(), kEsi);
  EXPECT_EQ(std::to_string(r->esi.type()), v.one("esi_type"));
  EXPECT_EQ(r->esi.es_import_auto()->to_string(), v.one("esi_system_mac"));
  EXPECT_TRUE(r->ip.empty());
  EXPECT_EQ(r->label1, 100u);  // VNI 100
  EXPECT_EQ(r->rd.to_string(), "10.255.0.21:2");
}

TEST(MhGolden, AllVectors_DecodeCleanAndReencodeExact) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() != ".hex") continue;
    SCOPED_TRACE(e.path().filename().string());
    decode_update(read_vector_file(e.path().string()));
    ++n;
  }
  EXPECT_GE(n, 2u);
}

}  // namespace
}  // namespace evpnd::wire::test

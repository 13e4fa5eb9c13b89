// `show evpn es [--detail]` and `show evpn es-evi` text views from fixed API bodies.
#include <gtest/gtest.h>

#include "evpnctl/show_views.hpp"

namespace evpnctl {
namespace {
using nlohmann::json;

const char* kBody = R"({"segments":[{"name":"es1","esi":"03:44:38:39:ff:ff:01:00:00:01","esi_type":3,"local":true,
  "redundancy":"all-active","state":"up","df_wait_ms":3000,"df_wait_remaining_ms":null,"es_import":"44:38:39:ff:ff:01",
  "rd":"10.0.0.1:5","fragment_rds":["10.0.0.1:5"],"fast_failover":true,"backup_nhid":234881025,"df_changes":1,
  "vteps":[{"vtep":"10.0.0.1","local":true,"df_algorithm":"preference-highest","df_preference":32767,"dont_preempt":false,"ac_df":true,"es_route":true,"evis":[]},
           {"vtep":"10.0.0.2","local":false,"df_algorithm":"preference-highest","df_preference":50000,"dont_preempt":false,"ac_df":true,"es_route":true,"evis":[100]}],
  "evis":[{"name":"es1","esi":"03:44:38:39:ff:ff:01:00:00:01","vni":100,"local":true,"port":"es1-100","attachment_up":true,
           "evi_present":true,"df":"10.0.0.2","df_status":"non-df","non_df":true,"blocked":false,"df_algorithm":"preference-highest",
           "df_fallback":false,"df_ranking":["10.0.0.2","10.0.0.1"],"df_id":100}]}]})";

TEST(EsViews, List_FrrColumnsTypeLocalRemoteNonDf) {
  const std::string out = render_evpn_es(json::parse(kBody));
  EXPECT_NE(out.find("ESI"), std::string::npos) << out;
  EXPECT_NE(out.find("03:44:38:39:ff:ff:01:00:00:01  LRN"), std::string::npos) << out;
  EXPECT_NE(out.find("es1-100"), std::string::npos) << out;
  EXPECT_NE(out.find("10.0.0.2"), std::string::npos) << out;
  EXPECT_NE(out.find("1 segment"), std::string::npos) << out;
  EXPECT_EQ(render_evpn_es(json::parse(R"({"segments":[]})")), "No Ethernet segments.\n");
}

TEST(EsViews, Detail_VtepsWithDfAlgAndPrefAndPerVniDf) {
  const std::string out = render_evpn_es_detail(json::parse(kBody));
  EXPECT_NE(out.find("ESI: 03:44:38:39:ff:ff:01:00:00:01"), std::string::npos) << out;
  EXPECT_NE(out.find(" Type: Local,Remote"), std::string::npos) << out;
  EXPECT_NE(out.find("10.0.0.2 df_alg: preference-highest df_pref: 50000 ac-df evis: 100"), std::string::npos) << out;
  EXPECT_NE(out.find("Nexthop group: 234881025"), std::string::npos) << out;
  EXPECT_NE(out.find("non-df"), std::string::npos) << out;
  // One segment (GET /v1/evpn/es/NAME answers the object itself).
  const json one = json::parse(kBody)["segments"][0];
  EXPECT_EQ(render_evpn_es_detail(one), out);
}

TEST(EsViews, EsEvi_OneLinePerSegmentAndVni) {
  json body = {{"es_evis", json::parse(kBody)["segments"][0]["evis"]}};
  const std::string out = render_evpn_es_evi(body);
  EXPECT_NE(out.find("es1-100"), std::string::npos) << out;
  EXPECT_NE(out.find("1 ES-EVI"), std::string::npos) << out;
  EXPECT_EQ(render_evpn_es_evi(json::parse(R"({"es_evis":[]})")), "No ES-EVIs.\n");
}

// A segment known only from other PEs' routes (a remote leaf): FRR's "R" with "(A)" on the PEs that
// have both A-D routes, and the nexthop group per VNI.
const char* kRemote = R"({"segments":[{"name":"","esi":"03:44:38:39:ff:ff:01:00:00:01","esi_type":3,"local":false,
  "redundancy":"all-active","state":"remote","macs":2,"evis":[],
  "vteps":[{"vtep":"10.0.0.1","local":false,"per_es":true,"single_active":false,"evis":[100],"active":[100]},
           {"vtep":"10.0.0.2","local":false,"per_es":true,"single_active":false,"evis":[],"active":[]}],
  "groups":[{"vni":100,"nhid":234881024,"primary":null,"members":["10.0.0.1"],"macs":2}]}]})";

TEST(EsViews, RemoteSegment_ActivePesMarkedAndGroupsShown) {
  const std::string list = render_evpn_es(json::parse(kRemote));
  EXPECT_NE(list.find("03:44:38:39:ff:ff:01:00:00:01  R "), std::string::npos) << list;
  EXPECT_NE(list.find("10.0.0.1(A),10.0.0.2"), std::string::npos) << list;
  const std::string detail = render_evpn_es_detail(json::parse(kRemote));
  EXPECT_NE(detail.find(" Type: Remote"), std::string::npos) << detail;
  EXPECT_NE(detail.find("10.0.0.1 (A) per-es per-evi: 100"), std::string::npos) << detail;
  EXPECT_NE(detail.find("234881024"), std::string::npos) << detail;
}

}  // namespace
}  // namespace evpnctl

// /metrics lines for the Ethernet-segment filter drops (metrics_view.hpp).
#include <gtest/gtest.h>

#include "api/metrics.hpp"
#include "daemon/metrics_view.hpp"

namespace evpnd::daemon {
namespace {

TEST(EsDropMetrics, PortAndVxlanCounters_RenderedWithEsPortReasonLabels) {
  const Esi esi = *Esi::parse("03:44:38:39:ff:ff:01:00:00:01");
  std::vector<dataplane::EsDropCounter> c{{100, "es1-100", esi, "non_df", 20},
                                          {100, "es1-100", esi, "local_bias", 40},
                                          {100, "es1-100", esi, "blocked", 0},
                                          {100, "vxlan100", std::nullopt, "hairpin", 3}};
  api::MetricsWriter w;
  write_es_drop_metrics(w, c);
  const std::string text = w.render();
  EXPECT_NE(text.find("# TYPE evpnd_es_bum_dropped_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("evpnd_es_bum_dropped_total{es=\"03:44:38:39:ff:ff:01:00:00:01\",port=\"es1-100\","
                      "reason=\"non_df\"} 20"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("reason=\"local_bias\"} 40"), std::string::npos) << text;
  EXPECT_NE(text.find("reason=\"blocked\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("evpnd_es_overlay_bum_dropped_total{vni=\"100\",port=\"vxlan100\"} 3"), std::string::npos)
      << text;
}

TEST(EsDropMetrics, NoAttachments_NoLines) {
  api::MetricsWriter w;
  write_es_drop_metrics(w, {});
  EXPECT_EQ(w.render().find("evpnd_es_"), std::string::npos);
}

}  // namespace
}  // namespace evpnd::daemon

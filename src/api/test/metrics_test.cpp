#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "api/metrics.hpp"

namespace evpnd::api {
namespace {

TEST(Metrics, CounterAndGauge_TextFormat) {
  MetricsWriter w;
  w.counter("evpnd_bgp_updates_in_total", "UPDATE messages received.", 12, {{"peer", "10.0.0.1"}})
      .counter("evpnd_bgp_updates_in_total", "ignored", 3, {{"peer", "10.0.0.2"}})
      .gauge("evpnd_loc_rib_routes", "Routes in the Loc-RIB.", 42);
  EXPECT_EQ(w.render(),
            "# HELP evpnd_bgp_updates_in_total UPDATE messages received.\n"
            "# TYPE evpnd_bgp_updates_in_total counter\n"
            "evpnd_bgp_updates_in_total{peer=\"10.0.0.1\"} 12\n"
            "evpnd_bgp_updates_in_total{peer=\"10.0.0.2\"} 3\n"
            "# HELP evpnd_loc_rib_routes Routes in the Loc-RIB.\n"
            "# TYPE evpnd_loc_rib_routes gauge\n"
            "evpnd_loc_rib_routes 42\n");
}

TEST(Metrics, LabelValues_Escaped) {
  MetricsWriter w;
  w.gauge("g", "help with \\ and\nnewline", 1, {{"description", "a \"quoted\" \\ value\nx"}, {"vni", "100"}});
  EXPECT_EQ(w.render(),
            "# HELP g help with \\\\ and\\nnewline\n"
            "# TYPE g gauge\n"
            "g{description=\"a \\\"quoted\\\" \\\\ value\\nx\",vni=\"100\"} 1\n");
}

TEST(Metrics, InvalidNames_Sanitised) {
  MetricsWriter w;
  w.gauge("evpnd.peer-state", "", 1, {{"peer-address", "x"}, {"9bad", "y"}});
  EXPECT_EQ(w.render(), "# TYPE evpnd_peer_state gauge\nevpnd_peer_state{peer_address=\"x\",_bad=\"y\"} 1\n");
}

TEST(Metrics, Values_PrometheusFloatFormat) {
  EXPECT_EQ(format_metric_value(0), "0");
  EXPECT_EQ(format_metric_value(4294967296.0), "4294967296");
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(-3), "-3");
  EXPECT_EQ(format_metric_value(std::nan("")), "NaN");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(Metrics, EmptyFamily_TypeLineOnly) {
  MetricsWriter w;
  w.family("evpnd_peers", MetricType::kGauge, "Peers.");
  EXPECT_EQ(w.render(), "# HELP evpnd_peers Peers.\n# TYPE evpnd_peers gauge\n");
  EXPECT_EQ(render_prometheus({}), "");
}

}  // namespace
}  // namespace evpnd::api

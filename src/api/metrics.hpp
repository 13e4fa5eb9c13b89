// A tiny Prometheus text exposition format (version 0.0.4) renderer for GET /metrics.
//
// NOTE: the daemon builds a fresh MetricsWriter per scrape from its counters (no global
// registry, no locking: it runs on the io_context thread). Families render in insertion order;
// names and label names are sanitised to the Prometheus character set, label values escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evpnd::api {

enum class MetricType { kCounter, kGauge };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

struct MetricSample {
  MetricLabels labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;  // counters should end in _total (Prometheus naming convention)
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<MetricSample> samples;
};

class MetricsWriter {
 public:
  // Starts a family (or continues it when `name` was already added) and returns it.
  MetricFamily& family(std::string_view name, MetricType type, std::string_view help);
  MetricsWriter& counter(std::string_view name, std::string_view help, double value, MetricLabels labels = {});
  MetricsWriter& gauge(std::string_view name, std::string_view help, double value, MetricLabels labels = {});

  const std::vector<MetricFamily>& families() const { return families_; }
  std::string render() const;

 private:
  std::vector<MetricFamily> families_;
};

// "text/plain; version=0.0.4; charset=utf-8"
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const std::vector<MetricFamily>& families);
// Prometheus float formatting: integers without a fraction, "NaN", "+Inf", "-Inf".
std::string format_metric_value(double v);

}  // namespace evpnd::api

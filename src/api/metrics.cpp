#include "api/metrics.hpp"

#include <charconv>
#include <cmath>

namespace evpnd::api {
namespace {

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*, label names: [a-zA-Z_][a-zA-Z0-9_]*.
std::string sanitize_name(std::string_view in, bool allow_colon) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

std::string escape_help(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, ec == std::errc{} ? p : buf);
}

MetricFamily& MetricsWriter::family(std::string_view name, MetricType type, std::string_view help) {
  std::string n = sanitize_name(name, true);
  for (auto& f : families_)
    if (f.name == n) return f;
  families_.push_back(MetricFamily{n, std::string(help), type, {}});
  return families_.back();
}

MetricsWriter& MetricsWriter::counter(std::string_view name, std::string_view help, double value, MetricLabels labels) {
  family(name, MetricType::kCounter, help).samples.push_back({std::move(labels), value});
  return *this;
}

MetricsWriter& MetricsWriter::gauge(std::string_view name, std::string_view help, double value, MetricLabels labels) {
  family(name, MetricType::kGauge, help).samples.push_back({std::move(labels), value});
  return *this;
}

std::string MetricsWriter::render() const { return render_prometheus(families_); }

std::string render_prometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    std::string name = sanitize_name(f.name, true);
    if (!f.help.empty()) out += "# HELP " + name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + name + (f.type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const auto& s : f.samples) {
      out += name;
      if (!s.labels.empty()) {
        out += '{';
        for (size_t i = 0; i < s.labels.size(); ++i) {
          if (i) out += ',';
          out += sanitize_name(s.labels[i].first, false) + "=\"" + escape_label_value(s.labels[i].second) + "\"";
        }
        out += '}';
      }
      out += ' ' + format_metric_value(s.value) + '\n';
    }
  }
  return out;
}

}  // namespace evpnd::api

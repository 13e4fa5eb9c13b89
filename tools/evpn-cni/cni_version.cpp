#include "evpn-cni/cni_version.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace evpnd::cni {

bool is_supported_version(std::string_view v) {
  return std::find(kSupportedVersions.begin(), kSupportedVersions.end(), v) != kSupportedVersions.end();
}

namespace {
std::array<int, 3> split(std::string_view v) {
  std::array<int, 3> out{0, 0, 0};
  for (size_t i = 0; i < 3 && !v.empty(); ++i) {
    size_t dot = v.find('.');
    std::string_view part = v.substr(0, dot);
    std::from_chars(part.data(), part.data() + part.size(), out[i]);
    v = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
  }
  return out;
}
}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  auto x = split(a), y = split(b);
  for (size_t i = 0; i < 3; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

}  // namespace evpnd::cni

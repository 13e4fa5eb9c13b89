// CNI spec versions this plugin speaks. Results are written in the config's cniVersion
// (SPEC.md §"Result": "the plugin must output a result in the same version as the config").
#pragma once

#include <array>
#include <string_view>

namespace evpnd::cni {

inline constexpr std::array<std::string_view, 5> kSupportedVersions = {"0.3.0", "0.3.1", "0.4.0", "1.0.0",
                                                                       "1.1.0"};
inline constexpr std::string_view kLatestVersion = "1.1.0";

bool is_supported_version(std::string_view v);
// Compares "major.minor.patch" numerically: <0, 0, >0. Unparsable parts count as 0.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace evpnd::cni

// Typed access to a yaml-cpp tree for the config parser: every accessor knows the dotted path of
// the node it reads ("neighbors[1].timers.hold") and reports failures as
// "file:line: path: reason" using the node's Mark().
//
// NOTE: errors are raised as ConfigFailure, an internal exception caught by parse_config_text();
// it never escapes the api library. Config load is start-up/reload time, not a hot path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "api/config.hpp"

namespace evpnd::api::detail {

struct ConfigFailure {
  ConfigError error;
};

// Levenshtein-based suggestion: the closest candidate within a small edit distance, or "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // Throws ConfigFailure located at `node` (or line 0 when the node has no mark).
  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& reason) const;
  [[noreturn]] void fail_at(int line, int column, const std::string& path, const std::string& reason) const;

  // Scalars. `min`/`max` are inclusive; errors name the range.
  uint64_t uint(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max) const;
  bool boolean(const YAML::Node& n, const std::string& path) const;
  std::string string(const YAML::Node& n, const std::string& path) const;  // non-empty scalar
  IpAddress ip(const YAML::Node& n, const std::string& path) const;
  IpAddress ipv4(const YAML::Node& n, const std::string& path) const;
  IpPrefix prefix(const YAML::Node& n, const std::string& path) const;
  // "192.168.100.1/24": the address with its prefix length, host bits kept in the address.
  std::pair<IpAddress, IpPrefix> interface_address(const YAML::Node& n, const std::string& path) const;
  Mac unicast_mac(const YAML::Node& n, const std::string& path) const;
  Rd rd(const YAML::Node& n, const std::string& path) const;
  RouteTarget route_target(const YAML::Node& n, const std::string& path) const;
  std::string ifname(const YAML::Node& n, const std::string& path) const;  // Linux IFNAMSIZ rules
  // A host's unicast address: not unspecified, multicast or the IPv4 broadcast address.
  IpAddress unicast_ip(const YAML::Node& n, const std::string& path) const;
  // A non-empty string without control characters (C0, DEL, C1): descriptions end up in logs,
  // in API replies and on operators' terminals.
  std::string text(const YAML::Node& n, const std::string& path) const;
  // A network namespace name, i.e. a file in /run/netns: 1..255 of [A-Za-z0-9._-], not "." or
  // ".." (so "../../x" or "a/b" can never name a path outside /run/netns).
  std::string netns_name(const YAML::Node& n, const std::string& path) const;
  // One of `choices`; unknown values get a "did you mean".
  std::string choice(const YAML::Node& n, const std::string& path,
                     const std::vector<std::string_view>& choices) const;
  // Sequence node (a missing/null node is an empty sequence).
  void expect_sequence(const YAML::Node& n, const std::string& path) const;

 private:
  std::string scalar_text(const YAML::Node& n, const std::string& path, std::string_view what) const;
  std::string file_;
};

// A YAML mapping whose keys are checked against a fixed set: unknown and duplicate keys are
// errors, reported at the key's own line.
class MapReader {
 public:
  MapReader(const ConfigReader& reader, const YAML::Node& node, std::string path,
            std::initializer_list<std::string_view> allowed);

  bool has(std::string_view key) const;
  YAML::Node get(std::string_view key) const;      // undefined Node when absent
  YAML::Node require(std::string_view key) const;  // error at the map when absent
  std::string path(std::string_view key) const;    // "neighbors[0]" + ".remote-as"
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }

 private:
  const ConfigReader& reader_;
  YAML::Node node_;
  std::string path_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;  // in file order
};

// Why `a` cannot be a host's address ("is a multicast address", ...), or "" when it can.
std::string non_unicast_reason(const IpAddress& a);

// `key`'s value node in the map `item` for an error's line, or `item` itself when it has no
// such key (a default value: the entry is at fault).
YAML::Node node_or(const YAML::Node& item, const char* key);

inline std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

}  // namespace evpnd::api::detail

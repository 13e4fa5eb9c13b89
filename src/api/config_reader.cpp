#include "api/config_reader.hpp"

#include <algorithm>
#include <charconv>

namespace evpnd::api::detail {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "\"" + n.Scalar() + "\"";
    default: return "an undefined value";
  }
}

bool valid_ifname_char(char c) {
  // The kernel accepts almost anything except '/', ':' and whitespace; keep to the portable set
  // so names survive shell scripts and `ip` output parsing.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool control_char_at(const std::string& t, size_t i) {
  const auto c = static_cast<unsigned char>(t[i]);
  if (c < 0x20 || c == 0x7f) return true;
  // U+0080..U+009F (C1 controls, e.g. CSI) in UTF-8: C2 80..C2 9F.
  return c == 0xc2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) <= 0x9f &&
         static_cast<unsigned char>(t[i + 1]) >= 0x80;
}

}  // namespace

std::string non_unicast_reason(const IpAddress& a) {
  if (a.is_unspecified()) return "is the unspecified address";
  const uint8_t* b = a.data();
  if (a.is_v4() && (b[0] & 0xf0) == 0xe0) return "is a multicast address";
  if (a.is_v4() && a.v4_host_order() == 0xffffffffu) return "is the broadcast address";
  if (a.is_v6() && b[0] == 0xff) return "is a multicast address";
  return "";
}

YAML::Node node_or(const YAML::Node& item, const char* key) {
  if (item.IsMap()) {
    const YAML::Node v = item[key];  // const: never inserts
    if (v.IsDefined()) return v;
  }
  return item;
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (auto c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough to be a typo: at most 2 edits, and less than half of the word changed.
  if (best.empty() || best_distance > 2 || best_distance * 2 >= std::max(word.size(), best.size()))
    return "";
  return std::string(best);
}

void ConfigReader::fail(const YAML::Node& node, const std::string& path, const std::string& reason) const {
  int line = 0, column = 0;
  if (node.IsDefined()) {
    auto mark = node.Mark();
    if (mark.line >= 0) {
      line = mark.line + 1;
      column = mark.column + 1;
    }
  }
  fail_at(line, column, path, reason);
}

void ConfigReader::fail_at(int line, int column, const std::string& path, const std::string& reason) const {
  throw ConfigFailure{ConfigError{file_, line, column, reason, path}};
}

std::string ConfigReader::scalar_text(const YAML::Node& n, const std::string& path, std::string_view what) const {
  if (!n.IsScalar()) fail(n, path, "expected " + std::string(what) + ", got " + kind_name(n));
  return n.Scalar();
}

uint64_t ConfigReader::uint(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max) const {
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  std::string text = scalar_text(n, path, "an integer in " + range);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || p != text.data() + text.size()) {
    fail(n, path, "expected an integer in " + range + ", got \"" + text + "\"");
  }
  if (ec != std::errc{} || v < min || v > max) fail(n, path, "expected " + range + ", got " + text);
  return v;
}

bool ConfigReader::boolean(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "true or false");
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  fail(n, path, "expected true or false, got \"" + t + "\"");
}

std::string ConfigReader::string(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "a string");
  if (t.empty()) fail(n, path, "must not be empty");
  return t;
}

IpAddress ConfigReader::ip(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "an IP address");
  auto a = IpAddress::parse(t);
  if (!a) fail(n, path, "invalid IP address \"" + t + "\"");
  return *a;
}

IpAddress ConfigReader::ipv4(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "an IPv4 address");
  auto a = IpAddress::parse(t);
  if (!a || !a->is_v4()) fail(n, path, "invalid IPv4 address \"" + t + "\"");
  return *a;
}

IpPrefix ConfigReader::prefix(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "an IP prefix");
  auto p = IpPrefix::parse(t);
  if (!p || t.find('/') == std::string::npos) fail(n, path, "invalid IP prefix \"" + t + "\" (want ADDRESS/LENGTH)");
  if (p->address() != *IpAddress::parse(t.substr(0, t.find('/'))))
    fail(n, path, "prefix \"" + t + "\" has host bits set (did you mean " + p->to_string() + "?)");
  return *p;
}

std::pair<IpAddress, IpPrefix> ConfigReader::interface_address(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "an address with prefix length");
  auto slash = t.find('/');
  auto p = IpPrefix::parse(t);
  if (!p || slash == std::string::npos) fail(n, path, "invalid interface address \"" + t + "\" (want ADDRESS/LENGTH)");
  auto a = *IpAddress::parse(t.substr(0, slash));
  if (a == p->address() && p->length() < a.size() * 8 - 1)
    fail(n, path, "\"" + t + "\" is the subnet address, not a host address");
  if (auto why = non_unicast_reason(a); !why.empty()) fail(n, path, "\"" + t + "\": " + a.to_string() + " " + why);
  if (a.is_v4() && p->length() < 31) {
    const uint32_t host_mask = 0xffffffffu >> p->length();
    if ((a.v4_host_order() & host_mask) == host_mask)
      fail(n, path, "\"" + t + "\" is the broadcast address of " + p->to_string() + ", not a host address");
  }
  return {a, *p};
}

Mac ConfigReader::unicast_mac(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "a MAC address");
  auto m = Mac::parse(t);
  if (!m) fail(n, path, "invalid MAC address \"" + t + "\" (want xx:xx:xx:xx:xx:xx)");
  if (m->is_zero() || m->is_multicast()) fail(n, path, "MAC address " + t + " is not a unicast address");
  return *m;
}

Rd ConfigReader::rd(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "a route distinguisher");
  auto r = Rd::parse(t);
  if (!r) fail(n, path, "invalid route distinguisher \"" + t + "\" (want ASN:NN or IPV4:NN)");
  return *r;
}

RouteTarget ConfigReader::route_target(const YAML::Node& n, const std::string& path) const {
  std::string t = scalar_text(n, path, "a route target");
  auto r = RouteTarget::parse(t);
  if (!r) fail(n, path, "invalid route target \"" + t + "\" (want ASN:NN, ASNL:NN or IPV4:NN)");
  return *r;
}

std::string ConfigReader::ifname(const YAML::Node& n, const std::string& path) const {
  std::string t = string(n, path);
  if (t.size() > 15) fail(n, path, "interface name \"" + t + "\" is longer than 15 characters");
  if (t == "." || t == ".." || !std::all_of(t.begin(), t.end(), valid_ifname_char))
    fail(n, path, "invalid interface name \"" + t + "\" (letters, digits, '-', '_', '.')");
  return t;
}

IpAddress ConfigReader::unicast_ip(const YAML::Node& n, const std::string& path) const {
  IpAddress a = ip(n, path);
  if (auto why = non_unicast_reason(a); !why.empty()) fail(n, path, a.to_string() + " " + why);
  return a;
}

std::string ConfigReader::text(const YAML::Node& n, const std::string& path) const {
  std::string t = string(n, path);
  for (size_t i = 0; i < t.size(); ++i)
    if (control_char_at(t, i))
      fail(n, path, "control character at position " + std::to_string(i + 1) + " (only printable text is allowed)");
  return t;
}

std::string ConfigReader::netns_name(const YAML::Node& n, const std::string& path) const {
  std::string t = string(n, path);
  // NAME_MAX: the name is a file in /run/netns.
  if (t.size() > 255) fail(n, path, "network namespace name is longer than 255 characters");
  if (t == "." || t == ".." || !std::all_of(t.begin(), t.end(), valid_ifname_char))
    fail(n, path, "invalid network namespace name \"" + t + "\" (a plain name: letters, digits, '-', '_', '.')");
  return t;
}

std::string ConfigReader::choice(const YAML::Node& n, const std::string& path,
                                 const std::vector<std::string_view>& choices) const {
  std::string t = scalar_text(n, path, "a string");
  if (std::find(choices.begin(), choices.end(), t) != choices.end()) return t;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  std::string hint = closest_match(t, choices);
  fail(n, path,
       "unknown value \"" + t + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
           "; expected one of: " + list);
}

void ConfigReader::expect_sequence(const YAML::Node& n, const std::string& path) const {
  if (n.IsDefined() && !n.IsNull() && !n.IsSequence()) fail(n, path, "expected a list, got " + kind_name(n));
}

MapReader::MapReader(const ConfigReader& reader, const YAML::Node& node, std::string path,
                     std::initializer_list<std::string_view> allowed)
    : reader_(reader), node_(node), path_(std::move(path)) {
  if (node_.IsDefined() && node_.IsNull()) return;  // "key:" with nothing is an empty map
  if (!node_.IsMap()) reader_.fail(node_, path_.empty() ? "(top level)" : path_, "expected a map, got " + kind_name(node_));
  std::vector<std::string_view> allowed_list(allowed);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const YAML::Node key = it->first;  // by value: it->first is a proxy temporary
    if (!key.IsScalar()) reader_.fail(key, path_, "map keys must be plain strings");
    const std::string& k = key.Scalar();
    if (std::find(allowed_list.begin(), allowed_list.end(), k) == allowed_list.end()) {
      std::string hint = closest_match(k, allowed_list);
      reader_.fail(key, this->path(k), "unknown key" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    for (auto& [seen, value] : entries_) {
      if (seen == k) reader_.fail(key, this->path(k), "duplicate key");
    }
    entries_.emplace_back(k, it->second);
  }
}

bool MapReader::has(std::string_view key) const {
  for (auto& [k, v] : entries_)
    if (k == key) return !v.IsNull();
  return false;
}

YAML::Node MapReader::get(std::string_view key) const {
  for (auto& [k, v] : entries_)
    if (k == key && !v.IsNull()) return v;
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(std::string_view key) const {
  if (!has(key)) reader_.fail(node_, path(key), "required key is missing");
  return get(key);
}

std::string MapReader::path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

}  // namespace evpnd::api::detail

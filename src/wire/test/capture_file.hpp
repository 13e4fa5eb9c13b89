// Test helper: reads the golden FRR captures in tests/vectors/captures/*.txt, which hold tshark's
// decode (-V) of one message followed by its bytes as a hex dump, either
//   "00000010: 00 88 02 00 ...  ascii"   (BGP files, after a "# raw bytes" line), or
//   "0010  00 86 f6 f4 ...   ascii"       (VXLAN files, tshark -x).
// Also gives the decode's "Name: value" lines so tests compare our fields with tshark's.
#pragma once

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace evpnd::test {

inline std::string capture_path(const std::string& name) {
  return std::string(EVPND_CAPTURES_DIR) + "/" + name;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

// The bytes of every hex-dump line of the file, in order. Empty if the file is missing.
inline Bytes capture_bytes(const std::string& path) {
  Bytes out;
  for (const std::string& line : read_lines(path)) {
    size_t i = 0;
    while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i]))) ++i;
    if ((i != 4 && i != 8) || i >= line.size() || (line[i] != ':' && line[i] != ' ')) continue;
    std::string rest = line.substr(i + 1);
    const size_t first = rest.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    rest = rest.substr(first);
    rest = rest.substr(0, rest.find("  "));  // the ASCII column starts after two spaces
    std::istringstream tokens(rest);
    for (std::string t; tokens >> t;) {
      if (t.size() != 2 || !std::isxdigit(static_cast<unsigned char>(t[0])) ||
          !std::isxdigit(static_cast<unsigned char>(t[1])))
        break;
      out.push_back(static_cast<uint8_t>(std::stoul(t, nullptr, 16)));
    }
  }
  return out;
}

// Values of the decode lines "<indent>Name: value" whose name is `name`, in file order,
// starting after the first line that contains `after` (empty: from the top).
inline std::vector<std::string> tshark_values(const std::string& path, const std::string& name,
                                              const std::string& after = "") {
  std::vector<std::string> out;
  bool on = after.empty();
  for (const std::string& line : read_lines(path)) {
    if (!on) {
      on = line.find(after) != std::string::npos;
      continue;
    }
    if (line.rfind("# raw bytes", 0) == 0) break;
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    const std::string key = name + ": ";
    if (line.compare(start, key.size(), key) == 0) out.push_back(line.substr(start + key.size()));
  }
  return out;
}

// First value of `name` (after `after`), or "" when absent.
inline std::string tshark_value(const std::string& path, const std::string& name, const std::string& after = "") {
  auto v = tshark_values(path, name, after);
  return v.empty() ? std::string() : v.front();
}

// The EVPN NLRI field of the first MP_REACH_NLRI attribute of a whole BGP UPDATE message.
// Walked by hand (RFC 4271 §4.3, RFC 4760 §3) so these tests do not depend on message.cpp.
inline ByteView mp_reach_nlri(const Bytes& msg) {
  if (msg.size() < 23 || msg[18] != 2) return {};
  size_t at = 19;
  const size_t withdrawn = size_t(msg[at] << 8 | msg[at + 1]);
  at += 2 + withdrawn;
  if (at + 2 > msg.size()) return {};
  const size_t attrs_end = at + 2 + size_t(msg[at] << 8 | msg[at + 1]);
  at += 2;
  while (at + 3 <= attrs_end && attrs_end <= msg.size()) {
    const uint8_t flags = msg[at], type = msg[at + 1];
    const bool ext = flags & 0x10;
    const size_t len = ext ? size_t(msg[at + 2] << 8 | msg[at + 3]) : msg[at + 2];
    const size_t value = at + (ext ? 4 : 3);
    if (value + len > attrs_end) return {};
    if (type == 14) {
      const size_t nh_len = msg[value + 3];
      const size_t nlri = value + 4 + nh_len + 1;  // AFI, SAFI, NH length, NH, reserved
      return ByteView(msg.data() + nlri, value + len - nlri);
    }
    at = value + len;
  }
  return {};
}

// The value of the first path attribute of `type` in a whole UPDATE message.
inline ByteView attribute_value(const Bytes& msg, uint8_t want) {
  if (msg.size() < 23) return {};
  size_t at = 19;
  at += 2 + size_t(msg[at] << 8 | msg[at + 1]);
  const size_t attrs_end = at + 2 + size_t(msg[at] << 8 | msg[at + 1]);
  at += 2;
  while (at + 3 <= attrs_end && attrs_end <= msg.size()) {
    const bool ext = msg[at] & 0x10;
    const uint8_t type = msg[at + 1];
    const size_t len = ext ? size_t(msg[at + 2] << 8 | msg[at + 3]) : msg[at + 2];
    const size_t value = at + (ext ? 4 : 3);
    if (value + len > attrs_end) return {};
    if (type == want) return ByteView(msg.data() + value, len);
    at = value + len;
  }
  return {};
}

}  // namespace evpnd::test

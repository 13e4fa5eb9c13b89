// Helpers for the BGP codec tests: building messages byte by byte, reading .hex vector files.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {

inline Bytes hex(std::string_view s) {
  auto b = parse_hex(s);
  EXPECT_TRUE(b.has_value()) << "bad hex in test: " << s;
  return b.value_or(Bytes{});
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// One path attribute; the Extended Length bit in `flags` selects a 2-octet length.
inline Bytes attr(uint8_t flags, uint8_t type, const Bytes& value) {
  Bytes out{flags, type};
  if (flags & 0x10) out.push_back(uint8_t(value.size() >> 8));
  out.push_back(uint8_t(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

// A whole message with header.
inline Bytes message(uint8_t type, const Bytes& body) {
  Bytes out(16, 0xFF);
  const size_t len = 19 + body.size();
  out.push_back(uint8_t(len >> 8));
  out.push_back(uint8_t(len));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Bytes update_msg(const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  Bytes body{uint8_t(withdrawn.size() >> 8), uint8_t(withdrawn.size())};
  body.insert(body.end(), withdrawn.begin(), withdrawn.end());
  body.push_back(uint8_t(attrs.size() >> 8));
  body.push_back(uint8_t(attrs.size()));
  body.insert(body.end(), attrs.begin(), attrs.end());
  body.insert(body.end(), nlri.begin(), nlri.end());
  return message(2, body);
}

// ORIGIN IGP + empty AS_PATH + NEXT_HOP 10.0.0.1: the mandatory attributes of an IPv4 UPDATE.
inline Bytes base_attrs() {
  return cat({attr(0x40, 1, {0}), attr(0x40, 2, {}), attr(0x40, 3, {10, 0, 0, 1})});
}

// A vector file: '#' comment lines, then hex.
struct VectorFile {
  std::string name;
  std::vector<std::string> comments;  // without the leading "# "
  Bytes bytes;
  // "# expect key=value" lines as a multimap, in file order
  std::vector<std::pair<std::string, std::string>> expect;
  std::vector<std::string> all(const std::string& key) const {
    std::vector<std::string> v;
    for (const auto& [k, val] : expect) {
      if (k == key) v.push_back(val);
    }
    return v;
  }
  std::string one(const std::string& key) const {
    auto v = all(key);
    return v.empty() ? std::string() : v.front();
  }
};

inline VectorFile read_vector_file(const std::string& path) {
  VectorFile f;
  f.name = path.substr(path.find_last_of('/') + 1);
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line, hexdata;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      std::string c = line.substr(line.size() > 1 && line[1] == ' ' ? 2 : 1);
      f.comments.push_back(c);
      if (c.rfind("expect ", 0) == 0) {
        std::string kv = c.substr(7);
        auto eq = kv.find('=');
        auto sp = kv.find(' ');
        if (sp != std::string::npos && (eq == std::string::npos || sp < eq)) {
          f.expect.emplace_back(kv.substr(0, sp), kv.substr(sp + 1));  // "route type=.."
        } else if (eq != std::string::npos) {
          f.expect.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
      }
      continue;
    }
    hexdata += line + "\n";
  }
  auto b = parse_hex(hexdata);
  EXPECT_TRUE(b.has_value()) << path;
  f.bytes = b.value_or(Bytes{});
  return f;
}

// Splits "a=1 b=2" into a map.
inline std::map<std::string, std::string> fields(const std::string& s) {
  std::map<std::string, std::string> m;
  std::istringstream in(s);
  std::string tok;
  while (in >> tok) {
    auto eq = tok.find('=');
    if (eq != std::string::npos) m[tok.substr(0, eq)] = tok.substr(eq + 1);
  }
  return m;
}

}  // namespace evpnd::wire::test

#include "core/mac.hpp"

#include <cstdio>
#include <cstring>

namespace evpnd {

Mac::Mac(const uint8_t* b6) { std::memcpy(bytes_.data(), b6, 6); }

namespace {
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Mac> Mac::parse(std::string_view t) {
  // Accepts "aa:bb:cc:dd:ee:ff" and "aa-bb-..".
  if (t.size() != 17) return std::nullopt;
  uint8_t b[6];
  for (int i = 0; i < 6; ++i) {
    int hi = hexval(t[i * 3]), lo = hexval(t[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && t[i * 3 + 2] != ':' && t[i * 3 + 2] != '-') return std::nullopt;
    b[i] = uint8_t(hi << 4 | lo);
  }
  return Mac(b);
}

bool Mac::is_zero() const { return as_u64() == 0; }

uint64_t Mac::as_u64() const {
  uint64_t v = 0;
  for (uint8_t b : bytes_) v = v << 8 | b;
  return v;
}

std::string Mac::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes_[0], bytes_[1], bytes_[2],
                bytes_[3], bytes_[4], bytes_[5]);
  return buf;
}

}  // namespace evpnd

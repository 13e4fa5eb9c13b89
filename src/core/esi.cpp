#include "core/esi.hpp"

#include <cstdio>
#include <cstring>

#include "core/bytes.hpp"

namespace evpnd {

Esi::Esi(const uint8_t* b10) { std::memcpy(bytes_.data(), b10, 10); }

std::optional<Esi> Esi::parse(std::string_view text) {
  auto b = parse_hex(text);
  if (!b || b->size() != 10) return std::nullopt;
  return Esi(b->data());
}

bool Esi::is_zero() const {
  for (uint8_t b : bytes_)
    if (b) return false;
  return true;
}

std::string Esi::to_string() const {
  std::string s;
  s.reserve(29);
  char buf[4];
  for (size_t i = 0; i < 10; ++i) {
    std::snprintf(buf, sizeof buf, i ? ":%02x" : "%02x", bytes_[i]);
    s += buf;
  }
  return s;
}

}  // namespace evpnd

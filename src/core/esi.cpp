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

Esi Esi::type0(const std::array<uint8_t, 9>& value) {
  Esi e;
  std::memcpy(e.bytes_.data() + 1, value.data(), 9);
  return e;
}

Esi Esi::type1(const Mac& lacp_system_mac, uint16_t port_key) {
  Esi e;
  e.bytes_[0] = 0x01;
  std::memcpy(e.bytes_.data() + 1, lacp_system_mac.data(), 6);
  e.bytes_[7] = uint8_t(port_key >> 8);
  e.bytes_[8] = uint8_t(port_key);
  return e;  // octet 9 is 0x00
}

std::optional<Esi> Esi::type3(const Mac& system_mac, uint32_t local_discriminator) {
  if (local_discriminator > 0xFFFFFF) return std::nullopt;
  Esi e;
  e.bytes_[0] = 0x03;
  std::memcpy(e.bytes_.data() + 1, system_mac.data(), 6);
  e.bytes_[7] = uint8_t(local_discriminator >> 16);
  e.bytes_[8] = uint8_t(local_discriminator >> 8);
  e.bytes_[9] = uint8_t(local_discriminator);
  return e;
}

bool Esi::is_max() const {
  for (uint8_t b : bytes_)
    if (b != 0xFF) return false;
  return true;
}

std::optional<Mac> Esi::es_import_auto() const {
  if (bytes_[0] < 0x01 || bytes_[0] > 0x03) return std::nullopt;
  return Mac(bytes_.data() + 1);
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

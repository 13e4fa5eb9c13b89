#include "core/ip.hpp"

#include <arpa/inet.h>  // inet_pton/inet_ntop: pure text conversions, no I/O

#include <cstring>

namespace evpnd {

IpAddress IpAddress::v4(uint32_t h) {
  IpAddress a;
  a.family_ = IpFamily::kV4;
  a.bytes_[0] = uint8_t(h >> 24);
  a.bytes_[1] = uint8_t(h >> 16);
  a.bytes_[2] = uint8_t(h >> 8);
  a.bytes_[3] = uint8_t(h);
  return a;
}

IpAddress IpAddress::v4(const uint8_t* b4) {
  IpAddress a;
  a.family_ = IpFamily::kV4;
  std::memcpy(a.bytes_.data(), b4, 4);
  return a;
}

IpAddress IpAddress::v6(const uint8_t* b16) {
  IpAddress a;
  a.family_ = IpFamily::kV6;
  std::memcpy(a.bytes_.data(), b16, 16);
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  uint8_t b[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, b) == 1) return v4(b);
  } else if (inet_pton(AF_INET6, buf, b) == 1) {
    return v6(b);
  }
  return std::nullopt;
}

bool IpAddress::is_unspecified() const {
  for (size_t i = 0; i < size(); ++i)
    if (bytes_[i]) return false;
  return true;
}

uint32_t IpAddress::v4_host_order() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) | bytes_[3];
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf);
  else if (is_v6()) inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

IpPrefix::IpPrefix(IpAddress addr, uint8_t len) : addr_(addr), len_(len) {
  const size_t bits = addr.size() * 8;
  if (len_ > bits) len_ = uint8_t(bits);
  uint8_t b[16] = {};
  std::memcpy(b, addr.data(), addr.size());
  for (size_t i = 0; i < addr.size(); ++i) {
    const size_t first_bit = i * 8;
    if (first_bit >= len_) b[i] = 0;
    else if (first_bit + 8 > len_) b[i] &= uint8_t(0xFF << (8 - (len_ - first_bit)));
  }
  addr_ = addr.is_v4() ? IpAddress::v4(b) : addr.is_v6() ? IpAddress::v6(b) : IpAddress{};
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned len = unsigned(addr->size() * 8);
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + unsigned(c - '0');
    }
    if (len > addr->size() * 8) return std::nullopt;
  }
  return IpPrefix(*addr, uint8_t(len));
}

bool IpPrefix::contains(const IpAddress& a) const {
  return a.family() == family() && IpPrefix(a, len_).address() == addr_;
}

std::string IpPrefix::to_string() const { return addr_.to_string() + "/" + std::to_string(len_); }

}  // namespace evpnd

size_t std::hash<evpnd::IpAddress>::operator()(const evpnd::IpAddress& a) const noexcept {
  uint64_t h = 1469598103934665603ull ^ uint64_t(a.family());
  for (size_t i = 0; i < a.size(); ++i) h = (h ^ a.data()[i]) * 1099511628211ull;
  return h;
}
size_t std::hash<evpnd::IpPrefix>::operator()(const evpnd::IpPrefix& p) const noexcept {
  return std::hash<evpnd::IpAddress>{}(p.address()) * 31 + p.length();
}

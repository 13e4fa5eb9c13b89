// Bounds-checked byte reader and writer for network-order codecs.
//
// NOTE ownership: ByteReader is a non-owning view; the caller keeps the buffer alive.
// NOTE errors: reads never go past the end. A failed read returns false / nullopt and
// leaves the reader unchanged, so decoders can report exactly what was truncated.
// NOTE performance: everything is inline; no allocation except ByteWriter growth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace evpnd {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(ByteView data) : data_(data) {}
  ByteReader(const uint8_t* p, size_t n) : data_(p, n) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  ByteView rest() const { return data_.subspan(pos_); }
  const uint8_t* cursor() const { return data_.data() + pos_; }

  std::optional<uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<uint32_t> u24() {
    if (remaining() < 3) return std::nullopt;
    uint32_t v = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  std::optional<uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  // Copies n bytes into out; false (and nothing consumed) when fewer remain.
  bool copy(uint8_t* out, size_t n) {
    if (remaining() < n) return false;
    if (n) std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // A sub-reader over the next n bytes, which are consumed from this reader.
  std::optional<ByteReader> sub(size_t n) {
    if (remaining() < n) return std::nullopt;
    ByteReader r(data_.subspan(pos_, n));
    pos_ += n;
    return r;
  }
  std::optional<ByteView> view(size_t n) {
    if (remaining() < n) return std::nullopt;
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  ByteView data_{};
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(Bytes& out) : out_(&out) {}
  ByteWriter(const ByteWriter&) = delete;  // out_ may point at own_
  ByteWriter& operator=(const ByteWriter&) = delete;

  Bytes& buffer() { return *out_; }
  const Bytes& buffer() const { return *out_; }
  size_t size() const { return out_->size(); }

  void u8(uint8_t v) { out_->push_back(v); }
  void u16(uint16_t v) {
    uint8_t b[2] = {uint8_t(v >> 8), uint8_t(v)};
    bytes(b, 2);
  }
  void u24(uint32_t v) {
    uint8_t b[3] = {uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    bytes(b, 3);
  }
  void u32(uint32_t v) {
    uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    bytes(b, 4);
  }
  void bytes(const uint8_t* p, size_t n) {
    // resize+memcpy rather than insert(): GCC 12 reports false -Wstringop-overflow on insert.
    const size_t at = out_->size();
    out_->resize(at + n);
    if (n) std::memcpy(out_->data() + at, p, n);
  }
  void bytes(ByteView v) { bytes(v.data(), v.size()); }
  void zeros(size_t n) { out_->insert(out_->end(), n, 0); }

  // Reserve a big-endian length field of `width` bytes (1, 2 or 4) to patch later.
  size_t placeholder(size_t width) {
    size_t at = out_->size();
    zeros(width);
    return at;
  }
  void patch_u8(size_t at, uint8_t v) { (*out_)[at] = v; }
  void patch_u16(size_t at, uint16_t v) {
    (*out_)[at] = uint8_t(v >> 8);
    (*out_)[at + 1] = uint8_t(v);
  }

 private:
  Bytes own_;
  Bytes* out_ = &own_;
};

// "ff ff 00" / "ffff00" / "ff:ff:00" -> bytes; nullopt on any non-hex character.
std::optional<Bytes> parse_hex(std::string_view text);
std::string to_hex(ByteView data);

}  // namespace evpnd

#include "evpnctl/table.hpp"

#include <algorithm>
#include <cassert>

namespace evpnctl {

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string printable(const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  auto hex = [&](std::string& out, const char* prefix, unsigned v) {
    out.append(prefix).append(1, kHex[(v >> 4) & 15]).append(1, kHex[v & 15]);
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else if (c == '\r') out += "\\r";
      else if (c < 0x20 || c == 0x7f) hex(out, "\\x", c);
      else out += char(c);
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is kept, except the C1 controls U+0080..U+009F (0x9b is CSI,
    // as ESC [ is). A stray byte (not JSON text: raw error bodies) is shown as \xNN, since an
    // 8-bit terminal reads a raw 0x9b as CSI too.
    const size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (!ok) {
      hex(out, "\\x", c);
      ++i;
    } else if (c == 0xc2 && static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      hex(out, "\\u00", static_cast<unsigned char>(s[i + 1]));
      i += 2;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)), aligns_(headers_.size(), Align::kLeft) {}

Table& Table::align(size_t column, Align a) {
  if (column < aligns_.size()) aligns_[column] = a;
  return *this;
}

Table& Table::add_row(std::vector<std::string> cells) {
  assert(cells.size() <= headers_.size());
  cells.resize(headers_.size());
  for (auto& c : cells) c = printable(c);
  rows_.push_back(std::move(cells));
  return *this;
}

std::string Table::render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = display_width(headers_[c]);
    for (auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      size_t pad = widths[c] - display_width(cells[c]);
      bool last = c + 1 == cells.size();
      if (aligns_[c] == Align::kRight) out.append(pad, ' ').append(cells[c]);
      else out.append(cells[c]).append(last ? 0 : pad, ' ');
      if (!last) out.append("  ");
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + '\n';
  };
  std::string out = line(headers_);
  for (auto& row : rows_) out += line(row);
  return out;
}

}  // namespace evpnctl

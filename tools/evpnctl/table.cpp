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

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)), aligns_(headers_.size(), Align::kLeft) {}

Table& Table::align(size_t column, Align a) {
  if (column < aligns_.size()) aligns_[column] = a;
  return *this;
}

Table& Table::add_row(std::vector<std::string> cells) {
  assert(cells.size() <= headers_.size());
  cells.resize(headers_.size());
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

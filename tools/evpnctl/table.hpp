// Table: aligned plain-text tables for evpnctl's `show` output (FRR-like: a header row, columns
// separated by two spaces, no borders, no trailing blanks).
//
// NOTE: cells are passed through printable() (below), so no cell can hold a control character.
// NOTE: widths count UTF-8 code points (descriptions may hold non-ASCII text), not bytes.
// Rows shorter than the header are padded with empty cells; longer rows are an error caught by
// an assert in debug builds and truncated otherwise.
#pragma once

#include <string>
#include <vector>

namespace evpnctl {

enum class Align { kLeft, kRight };

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  Table& align(size_t column, Align a);  // numbers read best right-aligned
  Table& add_row(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }

  std::string render() const;  // header + rows, each line ending in '\n'

 private:
  std::vector<std::string> headers_;
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of a UTF-8 string (code points; continuation bytes do not count).
size_t display_width(const std::string& s);

// Text safe for a terminal: C0 controls, DEL and the C1 controls (U+0080..U+009F) become visible
// escapes ("\n", "\t", "\r", "\x1b", "\u009b"); everything else is kept. Descriptions,
// NOTIFICATION texts, shutdown communications and host names come from peers and operators:
// printed raw, an ESC sequence could rewrite the operator's terminal. Idempotent (the output
// holds no control character), so applying it twice is harmless.
std::string printable(const std::string& s);

}  // namespace evpnctl

#include <gtest/gtest.h>

#include "evpnctl/table.hpp"

namespace evpnctl {
namespace {

TEST(Table, Columns_AlignedTwoSpacesNoTrailingBlanks) {
  Table t({"Neighbor", "AS", "Desc"});
  t.align(1, Align::kRight);
  t.add_row({"10.0.0.1", "65000", "leaf1"}).add_row({"10.255.0.254", "1", ""});
  EXPECT_EQ(t.render(),
            "Neighbor         AS  Desc\n"
            "10.0.0.1      65000  leaf1\n"
            "10.255.0.254      1\n");
}

TEST(Table, ShortRow_PaddedWithEmptyCells) {
  Table t({"A", "B", "C"});
  t.add_row({"x"});
  EXPECT_EQ(t.rows(), 1u);
  EXPECT_EQ(t.render(), "A  B  C\nx\n");
}

TEST(Table, Utf8_WidthInCodePoints) {
  EXPECT_EQ(display_width("caf\xc3\xa9"), 4u);  // "café"
  Table t({"Name", "X"});
  t.add_row({"caf\xc3\xa9", "1"}).add_row({"abcde", "2"});
  EXPECT_EQ(t.render(), "Name   X\ncaf\xc3\xa9   1\nabcde  2\n");
}

TEST(Table, Empty_HeaderOnly) {
  Table t({"VNI", "MAC"});
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.render(), "VNI  MAC\n");
}

TEST(Printable, ControlCharacters_VisibleEscapes) {
  EXPECT_EQ(printable("leaf1"), "leaf1");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");  // UTF-8 kept
  EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(printable(std::string("\0\a\x7f", 3)), "\\x00\\x07\\x7f");
  EXPECT_EQ(printable("x\r\n\t"), "x\\r\\n\\t");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "\\u009b31m");  // C1 CSI as UTF-8
  EXPECT_EQ(printable("\x9b" "31m"), "\\x9b31m");          // a stray byte
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");         // a cut sequence
  EXPECT_EQ(printable(printable("a\x1b")), printable("a\x1b"));
}

TEST(Table, ControlCharactersInCells_Escaped) {
  Table t({"Desc"});
  t.add_row({"\x1b]0;x\x07"});
  EXPECT_EQ(t.render(), "Desc\n\\x1b]0;x\\x07\n");
}

}  // namespace
}  // namespace evpnctl

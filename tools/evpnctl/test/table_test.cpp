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

}  // namespace
}  // namespace evpnctl

// Shared by the configuration error tests: parse a text and check it fails at the expected
// file:line, dotted path and reason.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "api/config.hpp"

namespace evpnd::api::test {

struct Expected {
  int line;
  std::string path;
  std::string reason_contains;
};

inline void expect_error(const std::string& text, const Expected& want) {
  auto cfg = parse_config_text(text, "t.yaml");
  ASSERT_FALSE(cfg) << "parsed unexpectedly:\n" << text;
  const ConfigError& e = cfg.error();
  EXPECT_EQ(e.file, "t.yaml");
  EXPECT_EQ(e.line, want.line) << e.to_string();
  EXPECT_EQ(e.path, want.path) << e.to_string();
  EXPECT_NE(e.reason.find(want.reason_contains), std::string::npos)
      << "reason \"" << e.reason << "\" lacks \"" << want.reason_contains << "\"";
}

}  // namespace evpnd::api::test

// RefusalLog (issue 12 defect 8): refused connections are counted per reason, and logged at
// most kLinesPerSource lines per source and interval, the rest summed up in one line.
#include <gtest/gtest.h>

#include "daemon/refusal_log.hpp"

namespace evpnd::daemon {
namespace {

using engine::RefuseReason;
using Clock = RefusalLog::Clock;

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

TEST(RefusalLog, Flood_BoundedLinesAndExactCounts) {
  std::vector<std::string> lines;
  RefusalLog log([&](const std::string& l) { lines.push_back(l); });
  const Clock::time_point t0{};
  for (int i = 0; i < 7000; ++i) log.refused(ip("192.0.2.7"), RefuseReason::kNotConfigured, t0 + std::chrono::microseconds(i));
  EXPECT_EQ(lines.size(), RefusalLog::kLinesPerSource);
  EXPECT_EQ(lines.front(), "refusing connection from 192.0.2.7: not_configured");
  EXPECT_EQ(log.count(RefuseReason::kNotConfigured), 7000u);
  EXPECT_EQ(log.suppressed_total(), 7000u - RefusalLog::kLinesPerSource);
  // The next interval starts with the summary of the last one, then logs again.
  EXPECT_TRUE(log.refused(ip("192.0.2.7"), RefuseReason::kNotConfigured, t0 + RefusalLog::kInterval + std::chrono::seconds(1)));
  ASSERT_EQ(lines.size(), RefusalLog::kLinesPerSource + 2);
  EXPECT_EQ(lines[RefusalLog::kLinesPerSource].rfind("suppressed 6997 refused connection log lines from 1 source(s)", 0), 0u)
      << lines[RefusalLog::kLinesPerSource];
}

TEST(RefusalLog, OtherSourceStillLoggedDuringAFlood) {
  std::vector<std::string> lines;
  RefusalLog log([&](const std::string& l) { lines.push_back(l); });
  const Clock::time_point t0{};
  for (int i = 0; i < 100; ++i) log.refused(ip("192.0.2.7"), RefuseReason::kNotConfigured, t0);
  EXPECT_TRUE(log.refused(ip("10.0.0.2"), RefuseReason::kCollision, t0));
  EXPECT_EQ(lines.back(), "refusing connection from 10.0.0.2: collision");
  EXPECT_EQ(log.count(RefuseReason::kCollision), 1u);
}

TEST(RefusalLog, ManySources_LinesBoundedByTheOverflowBudget) {
  size_t lines = 0;
  RefusalLog log([&](const std::string&) { ++lines; });
  const Clock::time_point t0{};
  for (uint32_t i = 0; i < 10000; ++i) {
    const std::string a = "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
    log.refused(ip(a.c_str()), RefuseReason::kNotConfigured, t0);
  }
  EXPECT_EQ(lines, RefusalLog::kMaxSources + RefusalLog::kLinesPerSource);  // one line each, then the shared budget
  EXPECT_EQ(log.count(RefuseReason::kNotConfigured), 10000u);
}

TEST(RefusalLog, Detail_UsedAsTheLine) {
  std::vector<std::string> lines;
  RefusalLog log([&](const std::string& l) { lines.push_back(l); });
  log.refused(ip("10.0.0.9"), RefuseReason::kTtlSecurity, Clock::time_point{}, "GTSM: connection from 10.0.0.9 arrived with TTL 254");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "GTSM: connection from 10.0.0.9 arrived with TTL 254");
  EXPECT_EQ(log.count(RefuseReason::kTtlSecurity), 1u);
}

}  // namespace
}  // namespace evpnd::daemon

// send-hold-time (RFC 9687): global default, per-neighbour override, 0 = disabled, and the
// §4 MUST "greater than the HoldTime" checked at the line that sets it.
#include <gtest/gtest.h>

#include "api/config.hpp"

namespace evpnd::api {
namespace {

const std::string kHead = "router-id: 10.0.0.1\nasn: 65000\n";  // lines 1-2

TEST(ConfigSendHold, Absent_RfcDefaultLeftToTheSession) {
  auto cfg = parse_config_text(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 65000 }\n", "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_FALSE(cfg->neighbors[0].send_hold_time.has_value());
}

TEST(ConfigSendHold, GlobalAndNeighbor_NeighborWins) {
  auto cfg = parse_config_text(kHead +
                                   "send-hold-time: 600\n"
                                   "neighbors:\n"
                                   "  - { address: 10.0.0.2, remote-as: 65000 }\n"
                                   "  - { address: 10.0.0.3, remote-as: 65000, timers: { hold: 3, send-hold-time: 5 } }\n"
                                   "  - { address: 10.0.0.4, remote-as: 65000, timers: { send-hold-time: 0 } }\n",
                               "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->send_hold_time, 600u);
  EXPECT_EQ(cfg->neighbors[0].send_hold_time, 600u);
  EXPECT_EQ(cfg->neighbors[1].send_hold_time, 5u);
  EXPECT_EQ(cfg->neighbors[2].send_hold_time, 0u);  // disabled
}

TEST(ConfigSendHold, NotGreaterThanHold_RejectedAtItsLine) {
  auto cfg = parse_config_text(kHead +
                                   "neighbors:\n"
                                   "  - address: 10.0.0.2\n"
                                   "    remote-as: 65000\n"
                                   "    timers:\n"
                                   "      hold: 30\n"
                                   "      send-hold-time: 30\n",
                               "t.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().line, 8);
  EXPECT_EQ(cfg.error().path, "neighbors[0].timers.send-hold-time");
  EXPECT_NE(cfg.error().reason.find("greater than the hold time (30)"), std::string::npos) << cfg.error().reason;
}

TEST(ConfigSendHold, GlobalNotGreaterThanANeighborsHold_NamesTheNeighbor) {
  auto cfg = parse_config_text(kHead +
                                   "send-hold-time: 60\n"
                                   "neighbors:\n"
                                   "  - { address: 10.0.0.2, remote-as: 65000, timers: { hold: 90 } }\n",
                               "t.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().line, 5);
  EXPECT_NE(cfg.error().reason.find("10.0.0.2"), std::string::npos) << cfg.error().reason;
}

TEST(ConfigSendHold, HoldZero_AnySendHoldAccepted) {
  auto cfg = parse_config_text(
      kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 65000, timers: { hold: 0, keepalive: 0, send-hold-time: 5 } }\n",
      "t.yaml");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
}

TEST(ConfigSendHold, ChangedSendHold_NeighborChanged) {
  auto a = parse_config_text(kHead + "neighbors:\n  - { address: 10.0.0.2, remote-as: 65000 }\n", "t.yaml");
  auto b = parse_config_text(kHead + "send-hold-time: 900\nneighbors:\n  - { address: 10.0.0.2, remote-as: 65000 }\n",
                             "t.yaml");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(diff_config(*a, *b).neighbors_changed.size(), 1u);
}

}  // namespace
}  // namespace evpnd::api

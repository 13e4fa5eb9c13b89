// speaker_config(): the graceful-restart role each kind of node takes (RFC 4724 §3 F bit).
#include <gtest/gtest.h>

#include "daemon/daemon.hpp"

namespace evpnd::daemon {
namespace {

bgp::SpeakerConfig from(const std::string& extra) {
  auto c = api::parse_config_text("router-id: 10.0.0.254\nasn: 65000\n" + extra, "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return speaker_config(*c);
}

// A route reflector forwards nothing itself: the forwarding state of the routes it reflects is
// its clients', so it claims it preserved (issue 12: with no family listed, the leaves flushed
// every route of a killed reflector at once).
TEST(SpeakerConfig, RouteReflectorWithoutDataplane_PreservesForwarding) {
  const auto s = from("");
  EXPECT_TRUE(s.preserve_forwarding);
  EXPECT_TRUE(s.graceful_restart);
  EXPECT_EQ(s.select_defer_time, 120);
}

TEST(SpeakerConfig, LinuxLeafOnStopKeep_PreservesForwarding) {
  EXPECT_TRUE(from("vtep: { source-ip: 10.0.0.1, dataplane: linux }\n").preserve_forwarding);
}

TEST(SpeakerConfig, LinuxLeafOnStopRemove_HelperOnly) {
  EXPECT_FALSE(from("vtep: { source-ip: 10.0.0.1, dataplane: linux, on-stop: remove }\n").preserve_forwarding);
}

TEST(SpeakerConfig, SelectDeferTime_FromConfig) {
  EXPECT_EQ(from("graceful-restart: { select-defer-time: 15 }\n").select_defer_time, 15);
}

}  // namespace
}  // namespace evpnd::daemon

// Engine with BGP instances in VRFs (issue 10): the global speaker and VRF speakers share one
// I/O layer and one timer wheel; connection ids and timer keys must reach the right speaker.
// The CEs are plain bgp::Speakers wired to the engine in memory (ce_harness.hpp).
#include <gtest/gtest.h>

#include "engine/test/ce_harness.hpp"

namespace evpnd::engine {
namespace {

class EngineVrfTest : public CeHarness {
 protected:
  EngineVrfTest() : CeHarness(engine_) {}
  Engine engine_{leaf_speaker()};
};

TEST_F(EngineVrfTest, ConfigureVrfBgp_CreatesNumberedInstanceWithItsAs) {
  EXPECT_EQ(engine.speaker("blue"), nullptr);
  Effects fx = handle(ev::ConfigureVrfBgp{"blue", Asn{65100}, {}, false});
  EXPECT_TRUE(fx.error.empty()) << fx.error;
  handle(ev::ConfigureVrfBgp{"red", std::nullopt, {}, false});
  ASSERT_NE(engine.speaker("blue"), nullptr);
  EXPECT_EQ(engine.speaker("blue")->config().instance, 1);
  EXPECT_EQ(engine.speaker("blue")->config().asn, 65100u);
  EXPECT_EQ(engine.speaker("red")->config().instance, 2);
  EXPECT_EQ(engine.speaker("red")->config().asn, 65000u);  // the global AS by default
  EXPECT_EQ(engine.speaker("red")->config().router_id, ip("10.0.0.1"));
  EXPECT_EQ(engine.speaker(""), &engine.speaker());
  EXPECT_EQ(engine.bgp_vrfs(), (std::vector<std::string>{"blue", "red"}));
  EXPECT_EQ(engine.instance_vrf(2), "red");
  EXPECT_EQ(engine.instance_vrf(0), "");
  EXPECT_FALSE(engine.instance_vrf(3));
  // Removing blue frees number 1 for the next VRF.
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, true});
  EXPECT_EQ(engine.speaker("blue"), nullptr);
  handle(ev::ConfigureVrfBgp{"green", std::nullopt, {}, false});
  EXPECT_EQ(engine.speaker("green")->config().instance, 1);
}

TEST_F(EngineVrfTest, AddPeer_UnknownVrf_Refused) {
  Effects fx = handle(ev::AddPeer{ce_peer("192.0.2.2", 65001), "nope"});
  EXPECT_NE(fx.error.find("nope"), std::string::npos);
  EXPECT_TRUE(connects_.empty());
}

TEST_F(EngineVrfTest, SameAddressInTwoInstances_ConnIdsAndTimersNeverMix) {
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, false});
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65001), ""});
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65002), "blue"});
  ASSERT_EQ(connects_.size(), 2u);
  EXPECT_LT(connects_[0].conn, ConnId{1} << 32);           // global: instance 0
  EXPECT_EQ(connects_[1].conn >> 32, 1u);                  // blue: instance 1
  EXPECT_NE(connects_[0].conn, connects_[1].conn);
  // Connection timers carry the instance their connection id says.
  for (const auto& t : timers_) {
    if (t.key.conn != 0) {
      EXPECT_EQ(t.key.instance, t.key.conn >> 32);
    }
  }

  // The connect retry timers: one per instance, same peer id and kind, told apart only by instance.
  std::vector<bgp::TimerKey> retry;
  for (const auto& t : timers_)
    if (t.key.kind == bgp::TimerKind::kConnectRetry && t.delay) retry.push_back(t.key);
  ASSERT_EQ(retry.size(), 2u);
  EXPECT_EQ(retry[0].peer, retry[1].peer);
  EXPECT_NE(retry[0].instance, retry[1].instance);

  // Blue's connection comes up; the global one stays in Connect.
  handle(ev::Connected{connects_[1].conn, ip("10.0.0.1")});
  EXPECT_EQ(engine.speaker("blue")->find_peer(ip("192.0.2.2"))->display_state(), bgp::FsmState::kOpenSent);
  EXPECT_EQ(engine.speaker().find_peer(ip("192.0.2.2"))->display_state(), bgp::FsmState::kConnect);

  // Blue's connect retry fires: only blue tries again (a new ConnectRequest in instance 1).
  connects_.clear();
  const auto blue_retry = retry[0].instance == 1 ? retry[0] : retry[1];
  handle(ev::TimerFired{blue_retry});
  for (const auto& c : connects_) EXPECT_EQ(c.conn >> 32, 1u);
  EXPECT_EQ(engine.speaker().find_peer(ip("192.0.2.2"))->display_state(), bgp::FsmState::kConnect);
}

TEST_F(EngineVrfTest, GlobalAndVrfSessionsWithSameAddress_BothEstablishIndependently) {
  Ce global_ce("192.0.2.2", 65001), blue_ce("192.0.2.2", 65002);
  ce_of_instance_[0] = &global_ce;
  ce_of_instance_[1] = &blue_ce;
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, false});
  global_ce.sp.set_now(kNow);
  blue_ce.sp.set_now(kNow);
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65001), ""});
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65002), "blue"});
  pump();
  EXPECT_TRUE(engine.speaker().find_peer(ip("192.0.2.2"))->established());
  EXPECT_TRUE(engine.speaker("blue")->find_peer(ip("192.0.2.2"))->established());
  EXPECT_TRUE(global_ce.leaf().established());
  EXPECT_TRUE(blue_ce.leaf().established());
  // Each CE talked to its own instance: the remote AS each session negotiated differs.
  EXPECT_EQ(engine.speaker().find_peer(ip("192.0.2.2"))->cfg.remote_as, 65001u);

  // Removing the VRF's BGP ends blue's session with Cease 6/3 and leaves the global one.
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, true});
  pump();
  EXPECT_FALSE(blue_ce.leaf().established());
  EXPECT_NE(blue_ce.leaf().last_error.find("Peer De-configured"), std::string::npos)  // RFC 4486 6/3
      << blue_ce.leaf().last_error;
  EXPECT_TRUE(global_ce.leaf().established());
  EXPECT_TRUE(engine.speaker().find_peer(ip("192.0.2.2"))->established());
}

TEST_F(EngineVrfTest, AcceptedInVrf_RoutedByRememberedConnId) {
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, false});
  bgp::PeerConfig p = ce_peer("192.0.2.9", 65009);
  p.passive = true;
  handle(ev::AddPeer{p, "blue"});
  // The global instance has no such peer: an accept by the global listener is refused.
  Effects g = handle(ev::Accepted{bgp::kInboundConnBase + 1, ip("192.0.2.9"), "", ip("10.0.0.1")});
  EXPECT_EQ(g.refused, RefuseReason::kNotConfigured);
  // Blue's listener takes it; the Data of that connection then reaches blue's peer.
  const ConnId in = bgp::kInboundConnBase + 2;
  Effects b = handle(ev::Accepted{in, ip("192.0.2.9"), "blue", ip("10.0.0.1")});
  EXPECT_FALSE(b.refused);
  const bgp::Peer* peer = engine.speaker("blue")->find_peer(ip("192.0.2.9"));
  ASSERT_EQ(peer->conns.size(), 1u);
  EXPECT_EQ(peer->conns[0].id, in);
  EXPECT_EQ(peer->conns[0].local, ip("10.0.0.1"));
  // A KEEPALIVE before OPEN is an FSM error (RFC 4271 §6.6): blue's session answers it and closes.
  const uint8_t keepalive[19] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4};
  Effects d = handle(ev::Data{in, ByteView(keepalive, sizeof keepalive)});
  bool closed = false;
  for (const auto& op : d.io)
    if (const auto* c = std::get_if<bgp::CloseRequest>(&op)) closed |= c->conn == in;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(engine.speaker("blue")->find_peer(ip("192.0.2.9"))->conns.empty());
}

TEST_F(EngineVrfTest, AcceptedForUnknownVrf_RefusedAndClosed) {
  Effects fx = handle(ev::Accepted{bgp::kInboundConnBase + 1, ip("192.0.2.9"), "gone", std::nullopt});
  EXPECT_EQ(fx.refused, RefuseReason::kNotConfigured);
  ASSERT_EQ(fx.io.size(), 1u);
  EXPECT_EQ(std::get<bgp::CloseRequest>(fx.io[0]).conn, bgp::kInboundConnBase + 1);
}

TEST_F(EngineVrfTest, EventsOfRemovedInstance_ClosedOrIgnored) {
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, false});
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65002), "blue"});
  ASSERT_EQ(connects_.size(), 1u);
  const ConnId c = connects_[0].conn;
  bgp::TimerKey retry;
  for (const auto& t : timers_)
    if (t.key.kind == bgp::TimerKind::kConnectRetry) retry = t.key;
  ASSERT_EQ(retry.instance, 1);
  handle(ev::ConfigureVrfBgp{"blue", std::nullopt, {}, true});
  // A late Connected for the removed instance's connection: closed, no speaker involved.
  Effects fx = handle(ev::Connected{c, std::nullopt});
  ASSERT_EQ(fx.io.size(), 1u);
  EXPECT_EQ(std::get<bgp::CloseRequest>(fx.io[0]).conn, c);
  // Its timer: ignored (the global speaker has a peer with the same id but is not touched).
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65001), ""});
  connects_.clear();
  Effects t = handle(ev::TimerFired{retry});
  EXPECT_TRUE(t.io.empty());
  EXPECT_TRUE(t.timers.empty());
}

TEST_F(EngineVrfTest, VrfAsChange_RestartsInstance) {
  handle(ev::ConfigureVrfBgp{"blue", Asn{65100}, {}, false});
  handle(ev::AddPeer{ce_peer("192.0.2.2", 65002), "blue"});
  handle(ev::ConfigureVrfBgp{"blue", Asn{65200}, {}, false});
  ASSERT_NE(engine.speaker("blue"), nullptr);
  EXPECT_EQ(engine.speaker("blue")->config().asn, 65200u);
  EXPECT_TRUE(engine.speaker("blue")->peers().empty());  // the daemon adds them again
}

}  // namespace
}  // namespace evpnd::engine

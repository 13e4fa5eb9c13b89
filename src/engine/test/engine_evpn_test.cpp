// Engine with an EvpnService: two leaf engines connected back to back in memory (their
// SendRequests are delivered as the other one's Data), driven by fake data-plane events.
#include <gtest/gtest.h>

#include "api/config.hpp"
#include "dataplane/fake/fake_dataplane.hpp"
#include "engine/engine.hpp"

namespace evpnd::engine {
namespace {

api::Config leaf_config(const std::string& me, const std::string& peer) {
  auto c = api::parse_config_text("router-id: " + me + "\nasn: 65000\nvtep: { source-ip: " + me +
                                      ", dataplane: fake }\nneighbors:\n  - { address: " + peer +
                                      ", remote-as: 65000 }\nl2vnis:\n  - { vni: 100 }\n",
                                  "test.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return *c;
}

bgp::SpeakerConfig speaker(const api::Config& c) {
  bgp::SpeakerConfig s;
  s.asn = c.asn;
  s.router_id = c.router_id;
  return s;
}

const Mac kHost = *Mac::parse("02:00:00:00:01:01");

struct Leaf {
  explicit Leaf(const std::string& me, const std::string& peer)
      : cfg(leaf_config(me, peer)), engine(speaker(cfg), std::make_unique<evpn::EvpnService>(cfg)) {}
  api::Config cfg;
  Engine engine;
  dataplane::FakeDataplane dp;
  ConnId conn = 0;          // our end of the one connection
  std::vector<Bytes> inbox;  // bytes sent to us

  Effects handle(decltype(Event::body) b, TimePoint now = TimePoint{} + std::chrono::seconds(100)) {
    Effects fx = engine.handle(Event{now, std::move(b)});
    dp.apply(fx.intents);
    return fx;
  }
};

class EngineEvpnTest : public ::testing::Test {
 protected:
  Leaf a{"10.0.0.1", "10.0.0.2"};
  Leaf b{"10.0.0.2", "10.0.0.1"};

  // Delivers every send of `fx` (from `from`) to the other leaf; returns false when idle.
  void carry(Leaf& from, const Effects& fx) {
    Leaf& to = &from == &a ? b : a;
    for (const auto& op : fx.io) {
      if (const auto* s = std::get_if<bgp::SendRequest>(&op)) {
        to.inbox.emplace_back(s->data->begin(), s->data->end());
      } else if (const auto* c = std::get_if<bgp::ConnectRequest>(&op)) {
        if (&from == &a && a.conn == 0) {  // a connects, b accepts
          a.conn = c->conn;
          b.conn = bgp::kInboundConnBase;
          pending_.push_back([this] { carry(b, b.handle(ev::Accepted{b.conn, *IpAddress::parse("10.0.0.1")})); });
          pending_.push_back([this] { carry(a, a.handle(ev::Connected{a.conn})); });
        }
      }
    }
  }
  void pump() {
    for (int i = 0; i < 200; ++i) {
      bool work = false;
      while (!pending_.empty()) {
        auto f = std::move(pending_.front());
        pending_.erase(pending_.begin());
        f();
        work = true;
      }
      for (Leaf* l : {&a, &b}) {
        if (l->inbox.empty()) continue;
        auto in = std::move(l->inbox);
        l->inbox.clear();
        for (const auto& bytes : in) carry(*l, l->handle(ev::Data{l->conn, ByteView(bytes.data(), bytes.size())}));
        work = true;
      }
      if (!work) return;
    }
  }
  void connect() {
    carry(a, a.handle(ev::StartEvpn{}));
    carry(b, b.handle(ev::StartEvpn{}));
    // b is passive in this harness: it only accepts; a's AddPeer triggers the connect.
    carry(b, b.handle(ev::AddPeer{peer_of(b)}));
    carry(a, a.handle(ev::AddPeer{peer_of(a)}));
    pump();
  }
  bgp::PeerConfig peer_of(Leaf& l) {
    bgp::PeerConfig p;
    p.address = l.cfg.neighbors[0].address;
    p.remote_as = 65000;
    p.passive = &l == &b;
    p.hold_time = 90;
    return p;
  }
  std::vector<std::function<void()>> pending_;
};

TEST_F(EngineEvpnTest, Start_EnsuresVniAndOriginatesType3) {
  Effects fx = a.handle(ev::StartEvpn{});
  ASSERT_FALSE(fx.intents.empty());
  EXPECT_TRUE(fx.intents.front().get<dataplane::L2Vni>());
  EXPECT_EQ(a.engine.speaker().loc_rib_size(), 1u);  // our type-3 for VNI 100
  EXPECT_EQ(a.engine.counters().evpn_routes_originated, 1u);
}

TEST_F(EngineEvpnTest, RemoteLeaf_Type3AndType2_BecomeFloodAndRemoteMac) {
  connect();
  ASSERT_TRUE(a.engine.speaker().find_peer(*IpAddress::parse("10.0.0.2"))->established());
  EXPECT_TRUE(a.dp.has_flood_entry(100, *IpAddress::parse("10.0.0.2")));
  EXPECT_TRUE(b.dp.has_flood_entry(100, *IpAddress::parse("10.0.0.1")));

  carry(b, b.handle(ev::DataplaneEvents{{dataplane::LocalMacLearned{100, kHost, "p1", false}}}));
  pump();
  const auto* m = a.dp.remote_mac(100, kHost);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->vtep, *IpAddress::parse("10.0.0.2"));

  // Aged at b: withdrawn, and a removes the FDB entry.
  carry(b, b.handle(ev::DataplaneEvents{{dataplane::LocalMacAged{100, kHost}}}));
  pump();
  EXPECT_EQ(a.dp.remote_mac(100, kHost), nullptr);
}

TEST_F(EngineEvpnTest, MacMove_HigherSequenceWins_OldLeafWithdrawsAndInstallsRemote) {
  connect();
  carry(a, a.handle(ev::DataplaneEvents{{dataplane::LocalMacLearned{100, kHost, "p1", false}}}));
  pump();
  ASSERT_NE(b.dp.remote_mac(100, kHost), nullptr);
  // The host appears at b: b advertises seq 1 (RFC 7432 §15); a sees a better remote path,
  // withdraws its own route and points its FDB at b.
  carry(b, b.handle(ev::DataplaneEvents{{dataplane::LocalMacLearned{100, kHost, "p2", false}}}));
  pump();
  const auto* m = a.dp.remote_mac(100, kHost);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->vtep, *IpAddress::parse("10.0.0.2"));
  EXPECT_EQ(b.dp.remote_mac(100, kHost), nullptr);
  for (const auto& v : b.engine.evpn()->mac_views(100)) {
    if (v.mac == kHost) {
      EXPECT_EQ(v.origin, evpn::EntryOrigin::kLocal);
      EXPECT_EQ(v.local_seq, 1u);
    }
  }
  for (const auto& v : a.engine.evpn()->mac_views(100)) {
    if (v.mac == kHost) {
      EXPECT_EQ(v.origin, evpn::EntryOrigin::kRemote);
      EXPECT_EQ(v.remote_seq, 1u);
    }
  }
}

// RFC 7432 §15.1 with the default configuration: the fifth move freezes the MAC (b keeps its FDB
// entry towards a and does not advertise its own learn) until ev::ClearDuplicates (the API's
// POST /v1/evpn/dup-addr/clear, `evpnctl clear evpn dup-addr`) releases it.
TEST_F(EngineEvpnTest, DefaultDad_FifthMoveFreezesUntilClearDuplicates) {
  connect();
  auto learn = [&](Leaf& l, const char* port) {
    carry(l, l.handle(ev::DataplaneEvents{{dataplane::LocalMacLearned{100, kHost, port, false}}}));
    pump();
  };
  const IpAddress va = *IpAddress::parse("10.0.0.1");
  learn(a, "p1");  // first learn: not a move
  learn(b, "p2");  // b: move 1 (remote->local)
  learn(a, "p1");  // b: move 2 (local->remote)
  learn(b, "p2");  // b: move 3
  learn(a, "p1");  // b: move 4; b points at a
  ASSERT_NE(b.dp.remote_mac(100, kHost), nullptr);
  learn(b, "p2");  // b: move 5: duplicate, frozen
  auto dup = b.engine.evpn()->dup_views(100);
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_TRUE(dup[0].duplicate);
  EXPECT_TRUE(dup[0].frozen);
  ASSERT_NE(b.dp.remote_mac(100, kHost), nullptr);  // not processed: still towards a
  EXPECT_EQ(b.dp.remote_mac(100, kHost)->vtep, va);
  EXPECT_EQ(a.dp.remote_mac(100, kHost), nullptr);  // nothing sent: a never saw b's learn
  // The operator clears it: b applies its local learn (advertised, FDB entry removed).
  carry(b, b.handle(ev::ClearDuplicates{std::nullopt, std::nullopt}));
  pump();
  EXPECT_EQ(b.dp.remote_mac(100, kHost), nullptr);
  EXPECT_TRUE(b.engine.evpn()->dup_views(100).empty());
}

// Issue 11: an endpoint announced through the API is on the wire before the pod sends a packet,
// stays through a bridge aging and goes with the retraction.
TEST_F(EngineEvpnTest, LocalEndpoint_AdvertisedAtOnceHeldThroughAgingWithdrawnOnRetract) {
  connect();
  const IpAddress pod_ip = *IpAddress::parse("10.1.0.5");
  Effects fx = a.handle(ev::LocalEndpoint{100, kHost, {pod_ip}, "veth0a05", true});
  EXPECT_TRUE(fx.error.empty()) << fx.error;
  EXPECT_EQ(a.engine.counters().evpn_routes_originated, 3u);  // type 3, MAC, MAC+IP
  carry(a, fx);
  pump();
  const auto* m = b.dp.remote_mac(100, kHost);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->vtep, *IpAddress::parse("10.0.0.1"));
  const auto views = b.engine.evpn()->mac_views(100);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].ips, std::vector<IpAddress>{pod_ip});  // the MAC+IP route arrived too
  // The bridge learns the pod, then ages it: the pin holds the routes.
  carry(a, a.handle(ev::DataplaneEvents{{dataplane::LocalMacLearned{100, kHost, "veth0a05", false}}}));
  carry(a, a.handle(ev::DataplaneEvents{{dataplane::LocalMacAged{100, kHost}}}));
  pump();
  EXPECT_NE(b.dp.remote_mac(100, kHost), nullptr);
  // Retracted (CNI DEL): withdrawn, b removes its FDB entry.
  fx = a.handle(ev::LocalEndpoint{100, kHost, {}, "", false});
  EXPECT_TRUE(fx.error.empty()) << fx.error;
  EXPECT_EQ(a.engine.counters().evpn_routes_withdrawn, 2u);
  carry(a, fx);
  pump();
  EXPECT_EQ(b.dp.remote_mac(100, kHost), nullptr);
}

TEST_F(EngineEvpnTest, LocalEndpoint_UnknownVni_ErrorNothingOriginated) {
  a.handle(ev::StartEvpn{});
  Effects fx = a.handle(ev::LocalEndpoint{4242, kHost, {}, "veth0", true});
  EXPECT_NE(fx.error.find("4242"), std::string::npos);
  EXPECT_EQ(a.engine.counters().evpn_routes_originated, 1u);  // the type 3 only
  EXPECT_NE(a.handle(ev::LocalEndpoint{4242, kHost, {}, "", false}).error, "");
}

TEST_F(EngineEvpnTest, WithoutEvpn_EvpnEventsAreRefusedWithReason) {
  bgp::SpeakerConfig s;
  s.asn = 65000;
  s.router_id = *IpAddress::parse("10.0.0.9");
  Engine rr(s);
  Effects fx = rr.handle(Event{TimePoint{}, ev::Prefix{"tenant1", *IpPrefix::parse("10.0.0.0/24"), true}});
  EXPECT_FALSE(fx.error.empty());
  EXPECT_TRUE(fx.intents.empty());
  EXPECT_NE(rr.handle(Event{TimePoint{}, ev::LocalEndpoint{100, kHost, {}, "veth0", true}}).error, "");
}

TEST_F(EngineEvpnTest, AnnounceUnknownVrf_Refused) {
  Effects fx = a.handle(ev::Prefix{"nosuch", *IpPrefix::parse("10.0.0.0/24"), true});
  EXPECT_NE(fx.error.find("unknown VRF"), std::string::npos);
}

}  // namespace
}  // namespace evpnd::engine

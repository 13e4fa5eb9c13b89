// The engine's glue between a VRF's BGP instance and EVPN (issue 10, engine_vrf.cpp): a CE's
// route becomes a type-5 of the VRF and a kernel route via the CE; the VRF's EVPN prefixes reach
// the CE with us as next hop; removing the VRF's BGP takes its routes out of EVPN; the global
// `advertise:` prefixes are the global speaker's local unicast routes.
#include "engine/test/ce_harness.hpp"

namespace evpnd::engine {
namespace {

IpPrefix pfx(const char* s) { return *IpPrefix::parse(s); }

api::Config leaf_config() {
  api::Config c;
  c.router_id = ip("10.0.0.1");
  c.asn = 65000;
  c.vtep_source = ip("10.0.0.1");
  c.dataplane = api::DataplaneKind::kFake;
  api::VrfConfig v;
  v.name = "tenant1";
  v.l3vni = 5000;
  v.router_mac = *Mac::parse("02:00:0a:00:00:01");
  c.vrfs.push_back(v);
  api::L2VniConfig l2;
  l2.vni = 100;
  l2.vrf = "tenant1";
  l2.gateway = pfx("192.168.100.0/24");
  l2.gateway_address = ip("192.168.100.1");
  c.l2vnis.push_back(l2);
  return c;
}

PrefixList permit_all() { return PrefixList{{PrefixListEntry{pfx("0.0.0.0/0"), std::nullopt, 32, true}}}; }

// Both ends of the CE session: ipv4-unicast, eBGP with an explicit accept-all policy (RFC 8212).
void unicast_session(bgp::PeerConfig& p) {
  p.families = {kIpv4Unicast};
  p.import_filter = permit_all();
  p.export_filter = permit_all();
}

bgp::PathInfo ce_path() {
  bgp::PathInfo p;
  p.attrs.origin = wire::Origin::kIgp;
  p.attrs.as_path = wire::AsPath{};
  return p;
}

class EngineVrfEvpnTest : public CeHarness {
 protected:
  EngineVrfEvpnTest() : CeHarness(engine_) {
    handle(ev::StartEvpn{});
    ce_of_instance_[1] = &ce;
    ce.sp.set_now(kNow);
    handle(ev::ConfigureVrfBgp{"tenant1", std::nullopt, {}, false});
    bgp::PeerConfig p;
    p.address = ip("192.168.100.11");
    p.remote_as = 65001;
    p.hold_time = 90;
    unicast_session(p);
    handle(ev::AddPeer{p, "tenant1"});
    pump();
  }
  // The type-5 of `prefix` in the global speaker's Loc-RIB (what the fabric gets), if any.
  const bgp::Path* type5(const char* prefix) const {
    const bgp::Path* found = nullptr;
    engine_.speaker().table().for_each([&](bgp::DestId, const bgp::Dest& d) {
      const auto* r = std::get_if<wire::IpPrefixRoute>(&d.nlri());
      if (r && r->prefix == pfx(prefix) && d.best_path()) found = d.best_path();
    });
    return found;
  }
  const bgp::UnicastPath* ce_best(const char* prefix) const {
    const auto& t = ce.sp.unicast_table();
    const bgp::DestId id = t.find(pfx(prefix));
    return id == bgp::kNoDest ? nullptr : t.at(id).best_path();
  }
  bool kernel_route_via_ce(const char* prefix, dataplane::Action action) const {
    for (const auto& i : intents_)
      if (const auto* r = i.get<dataplane::VrfRoute>(); r && i.action == action && r->local && r->prefix == pfx(prefix) &&
                                                          r->nexthops == std::vector<IpAddress>{ip("192.168.100.11")})
        return true;
    return false;
  }
  api::Config cfg_ = leaf_config();
  Engine engine_{leaf_speaker(), std::make_unique<evpn::EvpnService>(cfg_)};
  Ce ce{"192.168.100.11", 65001, unicast_session};
};

TEST_F(EngineVrfEvpnTest, CeRoute_BecomesType5AndKernelRouteViaCe) {
  ASSERT_TRUE(engine_.speaker("tenant1")->find_peer(ip("192.168.100.11"))->established());
  ce.sp.originate(pfx("10.244.1.0/26"), ce_path());
  ce_flush(ce);
  const bgp::Path* t5 = type5("10.244.1.0/26");
  ASSERT_NE(t5, nullptr);
  EXPECT_EQ(t5->peer, bgp::kLocalPeer);  // we originate it into the fabric
  EXPECT_TRUE(kernel_route_via_ce("10.244.1.0/26", dataplane::Action::kAdd));

  // The CE withdraws it: the type-5 and the kernel route go.
  ce.sp.withdraw_local(pfx("10.244.1.0/26"));
  ce_flush(ce);
  EXPECT_EQ(type5("10.244.1.0/26"), nullptr);
  EXPECT_TRUE(kernel_route_via_ce("10.244.1.0/26", dataplane::Action::kDelete));
}

TEST_F(EngineVrfEvpnTest, VrfEvpnPrefixes_ReachCeWithUsAsNextHop) {
  // The SVI subnet of the VRF (connected, exported to its CEs): next-hop-self, our session address.
  const bgp::UnicastPath* p = ce_best("192.168.100.0/24");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->info->next_hop, ip("10.0.0.1"));
  EXPECT_EQ(engine_.speaker("tenant1")->unicast_table().at(engine_.speaker("tenant1")->unicast_table().find(pfx("192.168.100.0/24"))).best_path()->peer,
            bgp::kLocalPeer);
}

TEST_F(EngineVrfEvpnTest, CeAnnouncesAnExportedPrefix_CeRouteWinsAndExportWithdrawn) {
  // 192.168.100.0/24 is exported (the SVI subnet, our own path is best) when the CE announces it
  // too: the CE's path must still reach EVPN (a CE route wins over EVPN's, as everywhere in
  // the VRF), which withdraws its export, so the CE's path becomes the VRF's best.
  const auto& t = engine_.speaker("tenant1")->unicast_table();
  ASSERT_EQ(t.at(t.find(pfx("192.168.100.0/24"))).best_path()->peer, bgp::kLocalPeer);
  ce.sp.originate(pfx("192.168.100.0/24"), ce_path());
  ce_flush(ce);
  pump();
  EXPECT_TRUE(kernel_route_via_ce("192.168.100.0/24", dataplane::Action::kAdd));
  const bgp::UnicastPath* best = t.at(t.find(pfx("192.168.100.0/24"))).best_path();
  ASSERT_NE(best, nullptr);
  EXPECT_NE(best->peer, bgp::kLocalPeer);
  EXPECT_NE(type5("192.168.100.0/24"), nullptr);  // still advertised into the fabric (once)
  // The CE withdraws it: exported again, our own path is best again, the kernel route goes.
  ce.sp.withdraw_local(pfx("192.168.100.0/24"));
  ce_flush(ce);
  pump();
  EXPECT_TRUE(kernel_route_via_ce("192.168.100.0/24", dataplane::Action::kDelete));
  ASSERT_NE(t.at(t.find(pfx("192.168.100.0/24"))).best_path(), nullptr);
  EXPECT_EQ(t.at(t.find(pfx("192.168.100.0/24"))).best_path()->peer, bgp::kLocalPeer);
}

TEST_F(EngineVrfEvpnTest, RemoveVrfBgp_Type5OfItsRoutesWithdrawn) {
  ce.sp.originate(pfx("10.244.1.0/26"), ce_path());
  ce_flush(ce);
  ASSERT_NE(type5("10.244.1.0/26"), nullptr);
  handle(ev::ConfigureVrfBgp{"tenant1", std::nullopt, {}, true});
  pump();
  EXPECT_EQ(type5("10.244.1.0/26"), nullptr);
  EXPECT_TRUE(kernel_route_via_ce("10.244.1.0/26", dataplane::Action::kDelete));
  EXPECT_FALSE(ce.leaf().established());
}

TEST_F(EngineVrfEvpnTest, NewVrfInstance_OriginatesWhatEvpnAlreadyExports) {
  // Recreated after EVPN exported the SVI subnet: the new instance starts with it.
  handle(ev::ConfigureVrfBgp{"tenant1", std::nullopt, {}, true});
  handle(ev::ConfigureVrfBgp{"tenant1", std::nullopt, {}, false});
  const auto& t = engine_.speaker("tenant1")->unicast_table();
  const bgp::DestId id = t.find(pfx("192.168.100.0/24"));
  ASSERT_NE(id, bgp::kNoDest);
  ASSERT_NE(t.at(id).best_path(), nullptr);
  EXPECT_EQ(t.at(id).best_path()->peer, bgp::kLocalPeer);
}

TEST(EngineAdvertiseUnicast, GlobalSpeakerOriginatesAndWithdraws) {
  Engine e{leaf_speaker()};
  auto best = [&](const char* p) -> const bgp::UnicastPath* {
    const bgp::DestId id = e.speaker().unicast_table().find(pfx(p));
    return id == bgp::kNoDest ? nullptr : e.speaker().unicast_table().at(id).best_path();
  };
  Effects fx = e.handle(Event{kNow, ev::AdvertiseUnicast{{pfx("10.255.0.1/32")}, true}});
  ASSERT_NE(best("10.255.0.1/32"), nullptr);
  EXPECT_EQ(best("10.255.0.1/32")->peer, bgp::kLocalPeer);
  EXPECT_EQ(best("10.255.0.1/32")->info->attrs.origin, wire::Origin::kIgp);
  fx = e.handle(Event{kNow, ev::AdvertiseUnicast{{pfx("10.255.0.1/32"), pfx("10.9.9.0/24")}, false}});
  EXPECT_EQ(best("10.255.0.1/32"), nullptr);
  EXPECT_EQ(fx.routes_not_found, 1u);  // 10.9.9.0/24 was never advertised
}

}  // namespace
}  // namespace evpnd::engine

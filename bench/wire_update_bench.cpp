// Whole BGP UPDATE messages packed with type-2 MAC+IP routes, with the attributes FRR 8.4 sends
// (tests/vectors/captures/bgp-update-type2-macip.txt): ORIGIN IGP, empty AS_PATH, LOCAL_PREF 100,
// ext-communities encap VXLAN + RT 65000:100 + Router's MAC, MP_REACH_NLRI next hop 10.255.0.1.
// Counter "nlri/s" is routes per second on one core through decode_message / encode_message.
#include <benchmark/benchmark.h>

#include "bench_routes.hpp"
#include "wire/message.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

Update make_update(size_t n) {
  Update u;
  u.attrs.origin = Origin::kIgp;
  u.attrs.as_path = AsPath{};
  u.attrs.local_pref = 100;
  u.attrs.ext_communities = {ExtCommunity::encapsulation(TunnelEncap::kVxlan),
                             ExtCommunity::route_target(RouteTarget::as2(65000, 100)),
                             ExtCommunity::router_mac(*Mac::parse("02:00:0a:ff:00:01"))};
  MpReach mp;
  mp.afi_safi = kL2vpnEvpn;
  mp.next_hop = IpAddress::v4(0x0AFF0001);
  mp.evpn = evpnd::bench::make_type2_routes(n);
  u.mp_reach = std::move(mp);
  return u;
}

void BM_DecodeUpdateType2(benchmark::State& state) {
  const size_t n = evpnd::bench::kRoutesPerUpdate;
  const Bytes msg = encode_message(Message(make_update(n)), EncodeContext{});
  if (msg.size() > kMaxMessageSize) state.SkipWithError("UPDATE larger than 4096 bytes");
  const DecodeContext ctx;
  size_t decoded = 0;
  for (auto _ : state) {
    auto m = decode_message(msg, ctx);
    decoded = m ? std::get<Update>(*m).mp_reach->evpn.size() : 0;
    benchmark::DoNotOptimize(m);
  }
  if (decoded != n) state.SkipWithError("decode lost routes");
  state.counters["nlri/s"] = benchmark::Counter(double(state.iterations() * n), benchmark::Counter::kIsRate);
  state.counters["msg_bytes"] = double(msg.size());
  state.SetBytesProcessed(int64_t(state.iterations() * msg.size()));
}
BENCHMARK(BM_DecodeUpdateType2);

void BM_EncodeUpdateType2(benchmark::State& state) {
  const size_t n = evpnd::bench::kRoutesPerUpdate;
  const Message m(make_update(n));
  const EncodeContext ctx;
  Bytes out;
  for (auto _ : state) {
    out.clear();
    encode_message(m, ctx, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["nlri/s"] = benchmark::Counter(double(state.iterations() * n), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(int64_t(state.iterations() * out.size()));
}
BENCHMARK(BM_EncodeUpdateType2);

}  // namespace

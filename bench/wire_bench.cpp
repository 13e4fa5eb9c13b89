// EVPN NLRI codec alone: decode and encode of NLRI fields packed with type-2 MAC+IP routes.
// Counter "nlri/s" is routes per second on one core (aim: decode >= 10 M/s, encode >= 5 M/s).
#include <benchmark/benchmark.h>

#include "bench_routes.hpp"

using namespace evpnd;
using namespace evpnd::wire;

namespace {

Bytes encode_field(const std::vector<EvpnRoute>& routes) {
  Bytes b;
  ByteWriter w(b);
  for (const auto& r : routes) encode_evpn_route(w, r);
  return b;
}

// Decodes one NLRI field of state.range(0) routes per iteration into a reused vector.
void BM_DecodeEvpnNlriType2(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const Bytes field = encode_field(evpnd::bench::make_type2_routes(n));
  std::vector<EvpnRoute> routes;
  for (auto _ : state) {
    routes.clear();
    auto ok = decode_evpn_nlri(ByteReader(field), routes);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(routes.data());
  }
  if (routes.size() != n) state.SkipWithError("decode lost routes");
  state.counters["nlri/s"] = benchmark::Counter(double(state.iterations() * n), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(int64_t(state.iterations() * field.size()));
}
BENCHMARK(BM_DecodeEvpnNlriType2)->Arg(evpnd::bench::kRoutesPerUpdate)->Arg(1000);

// Decodes routes one at a time with decode_evpn_route (the add-path path of the message codec).
void BM_DecodeEvpnRouteType2(benchmark::State& state) {
  const size_t n = evpnd::bench::kRoutesPerUpdate;
  const Bytes field = encode_field(evpnd::bench::make_type2_routes(n));
  std::vector<EvpnRoute> routes;
  routes.reserve(n);
  for (auto _ : state) {
    routes.clear();
    ByteReader in(field);
    while (!in.empty()) routes.push_back(*decode_evpn_route(in));
    benchmark::DoNotOptimize(routes.data());
  }
  state.counters["nlri/s"] = benchmark::Counter(double(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeEvpnRouteType2);

// Encodes state.range(0) routes per iteration into a reused buffer.
void BM_EncodeEvpnNlriType2(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const auto routes = evpnd::bench::make_type2_routes(n);
  Bytes out;
  out.reserve(n * 42);
  for (auto _ : state) {
    out.clear();
    ByteWriter w(out);
    for (const auto& r : routes) encode_evpn_route(w, r);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["nlri/s"] = benchmark::Counter(double(state.iterations() * n), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(int64_t(state.iterations() * out.size()));
}
BENCHMARK(BM_EncodeEvpnNlriType2)->Arg(evpnd::bench::kRoutesPerUpdate)->Arg(1000);

// route_key is what the RIB hashes for every received route.
void BM_RouteKeyType2(benchmark::State& state) {
  const auto routes = evpnd::bench::make_type2_routes(evpnd::bench::kRoutesPerUpdate);
  for (auto _ : state) {
    for (const auto& r : routes) benchmark::DoNotOptimize(route_key(r));
  }
  state.counters["keys/s"] =
      benchmark::Counter(double(state.iterations() * routes.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RouteKeyType2);

}  // namespace

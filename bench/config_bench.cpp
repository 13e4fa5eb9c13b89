// Configuration load time against size: N neighbours (and N/16 L2VNIs with VRFs) through
// parse_config_text(), the path of start-up and every reload. Issue 12 measured 17.7 s for
// 64k neighbours (a quadratic duplicate check); the time per neighbour must stay flat as N
// grows (compare the "per_neighbor" counter, CPU time per neighbour, across sizes).
#include <benchmark/benchmark.h>

#include <string>

#include "api/config.hpp"

namespace {

std::string config_text(size_t neighbors, size_t vnis) {
  std::string t = "router-id: 10.0.0.1\nasn: 65000\nvtep: { source-ip: 10.0.0.1, dataplane: fake }\nneighbors:\n";
  for (size_t i = 0; i < neighbors; ++i) {
    t += "  - { address: 10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255) + ", remote-as: 65000, route-reflector-client: true, description: leaf" +
         std::to_string(i) + " }\n";
  }
  if (vnis) {
    t += "vrfs:\n";
    for (size_t i = 0; i < vnis; ++i)
      t += "  - { name: t" + std::to_string(i) + ", l3vni: " + std::to_string(1000000 + i) + " }\n";
    t += "l2vnis:\n";
    for (size_t i = 0; i < vnis; ++i)
      t += "  - { vni: " + std::to_string(100 + i) + ", vrf: t" + std::to_string(i) + " }\n";
  }
  return t;
}

void BM_ParseConfigNeighbors(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const std::string text = config_text(n, n / 16);
  for (auto _ : state) {
    auto c = evpnd::api::parse_config_text(text, "bench.yaml");
    if (!c) state.SkipWithError(c.error().to_string().c_str());
    benchmark::DoNotOptimize(c);
  }
  state.counters["per_neighbor"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ParseConfigNeighbors)->RangeMultiplier(4)->Range(1024, 65536)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

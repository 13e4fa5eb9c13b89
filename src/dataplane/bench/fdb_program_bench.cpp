// Programs N remote MACs (default 100000) into the kernel FDB of a fresh test namespace through
// LinuxDataplane::apply() and reports MACs/s. Root only; creates and removes evt-dp-bench-<pid>.
// Usage: dataplane_fdb_bench [N] [batch]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "dataplane/linux/linux_dataplane.hpp"

using namespace evpnd;
using namespace evpnd::dataplane;

namespace {

struct Netns {
  std::string name = "evt-dp-bench-" + std::to_string(getpid());
  Netns() { ok = std::system(("ip netns add " + name).c_str()) == 0; }
  ~Netns() { std::system(("ip netns del " + name + " 2>/dev/null").c_str()); }
  bool ok;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::puts("dataplane_fdb_bench: needs root (skipped)");
    return 0;
  }
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  const size_t batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : n;
  Netns ns;
  if (!ns.ok) return 1;
  auto dp = LinuxDataplane::open({ns.name});
  if (!dp) {
    std::fprintf(stderr, "open: %s\n", dp.error().message.c_str());
    return 1;
  }
  L2Vni v;
  v.vni = 100;
  v.vxlan_device = "vxlan100";
  v.bridge = "br100";
  v.local_vtep = *IpAddress::parse("10.255.0.1");
  if (auto r = (*dp)->apply(std::vector{Intent::add(v)}); !r.ok()) {
    std::fprintf(stderr, "l2vni: %s\n", r.errors[0].message.c_str());
    return 1;
  }
  std::vector<Intent> intents;
  intents.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    uint8_t b[6] = {0x02, 0x01, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
    intents.push_back(Intent::add(RemoteMac{100, Mac(b), IpAddress::v4(0x0aff0002u + uint32_t(i % 64))}));
  }
  auto run = [&](const char* what, std::vector<Intent>& list) {
    auto t0 = std::chrono::steady_clock::now();
    size_t errors = 0;
    for (size_t off = 0; off < list.size(); off += batch) {
      auto span = std::span<const Intent>(list).subspan(off, std::min(batch, list.size() - off));
      errors += (*dp)->apply(span).errors.size();
    }
    double s = seconds_since(t0);
    std::printf("%-28s %zu MACs in %.3f s = %.0f MACs/s (batch %zu, errors %zu)\n", what, list.size(), s,
                double(list.size()) / s, batch, errors);
  };
  run("install (new)", intents);
  run("re-install (replace, same)", intents);
  auto t0 = std::chrono::steady_clock::now();
  auto st = (*dp)->dump();
  std::printf("%-28s %zu remote MACs read back in %.3f s\n", "dump", st ? st->remote_macs.size() : 0,
              seconds_since(t0));
  for (auto& i : intents) i.action = Action::kDelete;
  run("delete", intents);
  // Deletions are not filtered by the monitor (drift repair needs them): their echoes are read
  // while deleting and come out as OwnedEntryRemoved for the daemon to match and drop.
  t0 = std::chrono::steady_clock::now();
  std::vector<DataplaneEvent> events;
  (*dp)->poll_events(events);
  std::printf("%-28s %zu events (deletion echoes) handed over in %.3f s\n", "poll after delete", events.size(),
              seconds_since(t0));
  return 0;
}

// bgpload: feeder and monitor BGP speakers for whole-daemon benchmarks.
//
//   bgpload reflect --rr 127.0.0.1:1790 --routes 1000000 --type 2
//       feeder (127.0.0.2) and monitor (127.0.0.3) both peer with a route reflector; the feeder
//       sends N pre-encoded routes, the monitor counts distinct routes reflected to it.
//   bgpload ceiling --routes 1000000
//       the feeder talks straight to the monitor: the tool's own rate, the ceiling of any RR test.
//   bgpload feed --peer 127.0.0.1:179 --routes 100000 --groups 1
//       the feeder alone peers with a device under test (a leaf), pre-encodes the routes and
//       obeys stdin lines "announce" / "withdraw" (send them; print the wall-clock CLOCK_REALTIME
//       time of the first and last send as a JSON line) and "quit" (or EOF). The caller measures
//       what the DUT does with the routes (bench/fdb-bench: kernel FDB programming).
//
// Output: one JSON object with announce/withdraw seconds (first UPDATE sent -> last route seen).
//
// producer -> consumer: main thread (feeder send loop) -> TCP -> RR -> TCP -> monitor reader
// thread (decode, bitmap) -> atomic counter polled by the main thread.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "speaker.hpp"
#include "workload.hpp"

using namespace bgpload;
using Clock = std::chrono::steady_clock;

namespace {

struct Counter {
  explicit Counter(uint32_t n) : seen(n, 0) {}
  std::vector<uint8_t> seen;  // one byte per route: cheap and the monitor thread owns it
  std::atomic<int64_t> present{0};
  std::atomic<uint64_t> updates{0}, foreign{0};

  void on_update(const evpnd::wire::Update& u) {
    updates.fetch_add(1, std::memory_order_relaxed);
    auto mark = [&](const evpnd::wire::EvpnRoute& r, uint8_t v) {
      auto i = route_index(r);
      if (!i || *i >= seen.size()) {
        foreign.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      if (seen[*i] != v) {
        seen[*i] = v;
        present.fetch_add(v ? 1 : -1, std::memory_order_relaxed);
      }
    };
    // treat-as-withdraw (RFC 7606) UPDATEs withdraw what they announce.
    if (u.mp_reach)
      for (auto& r : u.mp_reach->evpn) mark(r, u.treat_as_withdraw ? 0 : 1);
    if (u.mp_unreach)
      for (auto& r : u.mp_unreach->evpn) mark(r, 0);
  }
};

std::pair<std::string, uint16_t> split_hostport(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return {s, 179};
  return {s.substr(0, colon), uint16_t(std::stoi(s.substr(colon + 1)))};
}

// Sends the chunks and waits until the monitor's count reaches `target`; seconds or -1 on timeout.
double run_phase(Speaker& feeder, const Encoded& enc, Counter& c, int64_t target, double timeout_s,
                 const Speaker& monitor) {
  const auto t0 = Clock::now();
  for (const auto& chunk : enc.chunks) feeder.send(chunk);
  for (;;) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (c.present.load() == target) return elapsed;
    if (elapsed > timeout_s || monitor.closed()) return -1;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// `feed`: one session to the DUT; one JSON line per phase so a script can time what follows.
int run_feed(SpeakerOptions fo, RouteMix mix, uint32_t routes, uint32_t groups, uint32_t asn,
             const std::string& next_hop) {
  Speaker feeder(fo);
  feeder.connect();
  feeder.start_reader([](const evpnd::wire::Update&) {});  // the DUT's own routes: ignored
  Workload wl{.mix = mix, .routes = routes, .groups = groups, .asn = asn,
              .next_hop = *evpnd::IpAddress::parse(next_hop),
              .max_message = feeder.extended_message() ? 65535u : 4096u};
  auto ann = encode_announcements(wl);
  auto wd = encode_withdrawals(wl);
  std::cout << nlohmann::json{{"event", "established"}, {"updates", ann.updates}, {"bytes", ann.bytes},
                              {"extended_message", feeder.extended_message()}}.dump()
            << std::endl;
  auto phase = [&](const char* name, const Encoded& enc) {
    const double t0 = wall_now();
    for (const auto& chunk : enc.chunks) feeder.send(chunk);
    std::cout << nlohmann::json{{"event", name}, {"t_first_send", t0}, {"t_last_send", wall_now()}}.dump()
              << std::endl;
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    if (feeder.closed()) break;
    if (line == "announce") phase("announce", ann);
    else if (line == "withdraw") phase("withdraw", wd);
    else if (line == "quit") break;
  }
  const bool lost = feeder.closed();
  if (lost) std::cout << nlohmann::json{{"event", "closed"}, {"reason", feeder.close_reason()}}.dump() << std::endl;
  feeder.close();
  return lost ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bgpload - EVPN load generator and monitor"};
  app.require_subcommand(1);
  std::string rr = "127.0.0.1:179", feeder_addr = "127.0.0.2", monitor_addr = "127.0.0.3", type = "2";
  // The routes' next hop (VTEP) is only an attribute: no traffic goes there. It is a TEST-NET-1
  // address because FRR rejects 127.0.0.0/8 next hops as martian.
  std::string next_hop = "192.0.2.1";
  uint32_t routes = 100000, groups = 1000, asn = 65000;
  uint16_t ceiling_port = 17900;
  double timeout_s = 600;
  bool withdraw = true, ext_msg = false;
  auto common = [&](CLI::App* s) {
    s->add_option("--routes,-n", routes, "number of distinct routes")->check(CLI::Range(1u, 16000000u));
    s->add_option("--type", type, "2, 3, 5 or mix")->check(CLI::IsMember({"2", "3", "5", "mix"}));
    s->add_option("--groups", groups, "distinct RDs/VNIs")->check(CLI::Range(1u, 65535u));
    s->add_option("--asn", asn, "AS number of feeder and monitor (iBGP with the RR)");
    s->add_option("--feeder-address", feeder_addr, "feeder's local address (127.0.0.0/8)");
    s->add_option("--monitor-address", monitor_addr, "monitor's local address (127.0.0.0/8)");
    s->add_option("--next-hop", next_hop, "VTEP next hop carried in the routes (never contacted)");
    s->add_option("--timeout", timeout_s, "seconds to wait per phase");
    s->add_flag("!--no-withdraw", withdraw, "skip the withdrawal phase");
    s->add_flag("--extended-message", ext_msg, "advertise RFC 8654 and pack 64 KiB UPDATEs if negotiated");
  };
  auto* reflect = app.add_subcommand("reflect", "feeder -> route reflector -> monitor");
  reflect->add_option("--rr", rr, "route reflector address:port")->required();
  common(reflect);
  auto* ceiling = app.add_subcommand("ceiling", "feeder -> monitor directly (the tool's own rate)");
  ceiling->add_option("--port", ceiling_port, "monitor's listening port");
  common(ceiling);
  auto* feed = app.add_subcommand("feed", "feeder -> one peer (a leaf); stdin: announce | withdraw | quit");
  feed->add_option("--peer", rr, "peer address:port")->required();
  common(feed);
  CLI11_PARSE(app, argc, argv);

  nlohmann::json out;
  try {
    auto [rr_host, rr_port] = split_hostport(rr);
    SpeakerOptions mo{.local_address = monitor_addr, .remote_address = rr_host, .remote_port = rr_port,
                      .asn = asn, .hold_time = 180, .extended_message = ext_msg};
    SpeakerOptions fo = mo;
    fo.local_address = feeder_addr;
    Speaker monitor(mo), feeder(fo);
    Counter counter(routes);
    if (feed->parsed()) return run_feed(fo, *parse_mix(type), routes, groups, asn, next_hop);
    if (ceiling->parsed()) {
      fo.remote_address = monitor_addr;
      fo.remote_port = ceiling_port;
      Speaker direct(fo);
      std::thread acceptor([&] { monitor.accept_one(ceiling_port); });
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      direct.connect();
      acceptor.join();
      feeder.close();
      return [&]() -> int {
        monitor.start_reader([&](const evpnd::wire::Update& u) { counter.on_update(u); });
        Workload wl{.mix = *parse_mix(type), .routes = routes, .groups = groups, .asn = asn,
                    .next_hop = *evpnd::IpAddress::parse(next_hop),
                    .max_message = direct.extended_message() ? 65535u : 4096u};
        auto te = Clock::now();
        auto ann = encode_announcements(wl);
        auto wd = encode_withdrawals(wl);
        out["encode_seconds"] = std::chrono::duration<double>(Clock::now() - te).count();
        out["mode"] = "ceiling";
        out["routes"] = routes;
        out["updates"] = ann.updates;
        out["bytes"] = ann.bytes;
        out["announce_seconds"] = run_phase(direct, ann, counter, routes, timeout_s, monitor);
        if (withdraw) out["withdraw_seconds"] = run_phase(direct, wd, counter, 0, timeout_s, monitor);
        out["monitor_updates"] = counter.updates.load();
        std::cout << out.dump() << std::endl;
        monitor.close();
        direct.close();
        return out["announce_seconds"].get<double>() < 0 ? 1 : 0;
      }();
    }
    monitor.connect();
    monitor.start_reader([&](const evpnd::wire::Update& u) { counter.on_update(u); });
    feeder.connect();
    feeder.start_reader([](const evpnd::wire::Update&) {});
    Workload wl{.mix = *parse_mix(type), .routes = routes, .groups = groups, .asn = asn,
                .next_hop = *evpnd::IpAddress::parse(next_hop),
                .max_message = feeder.extended_message() ? 65535u : 4096u};
    auto te = Clock::now();
    auto ann = encode_announcements(wl);
    auto wd = encode_withdrawals(wl);
    out["encode_seconds"] = std::chrono::duration<double>(Clock::now() - te).count();
    // Let the RR finish its initial exchange (End-of-RIB etc.) with both sessions.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    out["mode"] = "reflect";
    out["routes"] = routes;
    out["updates"] = ann.updates;
    out["bytes"] = ann.bytes;
    double a = run_phase(feeder, ann, counter, routes, timeout_s, monitor);
    out["announce_seconds"] = a;
    out["received"] = counter.present.load();
    if (withdraw && a >= 0) out["withdraw_seconds"] = run_phase(feeder, wd, counter, 0, timeout_s, monitor);
    out["monitor_updates"] = counter.updates.load();
    out["foreign_routes"] = counter.foreign.load();
    if (monitor.closed()) out["monitor_closed"] = monitor.close_reason();
    std::cout << out.dump() << std::endl;
    feeder.close();
    monitor.close();
    return a < 0 ? 1 : 0;
  } catch (const std::exception& e) {
    out["error"] = e.what();
    std::cout << out.dump() << std::endl;
    return 2;
  }
}

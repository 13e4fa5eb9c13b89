// What the EVPN logic hands back to the engine after each input: BGP routes to advertise or
// withdraw, data-plane intents, and operator notices (the log hook).
//
// NOTE purity: nothing in src/evpn reads a clock; every input that needs time takes a `Time`
// (steady-clock time point supplied by the engine), so tests drive time by hand.
// NOTE ordering: `routes` and `intents` are in the order they must be applied (e.g. an RMAC is
// added before the VRF route that needs it, and a route is deleted before its RMAC).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/types.hpp"
#include "dataplane/intent.hpp"
#include "evpn/vrf_unicast.hpp"
#include "wire/attributes.hpp"
#include "wire/evpn_route.hpp"

namespace evpnd::evpn {

using Time = std::chrono::steady_clock::time_point;

// Orders route keys (wire::route_key bytes). Spelled out because GCC 12 at -O3 reports a false
// -Wstringop-overread inside std::vector<uint8_t>'s operator<=>.
struct KeyLess {
  bool operator()(const Bytes& a, const Bytes& b) const noexcept {
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    if (n != 0) {
      const int c = std::memcmp(a.data(), b.data(), n);
      if (c != 0) return c < 0;
    }
    return a.size() < b.size();
  }
};
template <class V>
using KeyMap = std::map<Bytes, V, KeyLess>;

enum class RouteOp : uint8_t { kAdvertise, kWithdraw };

// One locally originated EVPN route. For kWithdraw only `route` matters (attrs are empty).
struct RouteUpdate {
  RouteOp op = RouteOp::kAdvertise;
  wire::EvpnRoute route;
  wire::PathAttributes attrs;  // ORIGIN, empty AS_PATH, ext-communities, PMSI; LOCAL_PREF is the
                               // BGP layer's business (RFC 4271 §5.1.5: internal peers only)
  IpAddress next_hop;          // our VTEP address (MP_REACH next hop, RFC 8365 §5.1.3)
  bool operator==(const RouteUpdate&) const = default;
};

enum class Severity : uint8_t { kInfo, kWarning, kError };
enum class NoticeKind : uint8_t {
  kDuplicateDetected,   // RFC 7432 §15.1: N moves in M seconds
  kDuplicateCleared,    // operator clear
  kFreezeExpired,       // the freeze timer ran out; the address is live again
  kStickyConflict,      // RFC 7432 §15.2: a static MAC is advertised by another VTEP
  kGatewayMacIgnored,   // a remote route or local learn for a gateway / router MAC
  kRouteIgnored,        // remote route we cannot use (no VTEP, no router MAC, PMSI type ...)
};
std::string to_string(NoticeKind k);

struct Notice {
  Severity severity = Severity::kInfo;
  NoticeKind kind = NoticeKind::kRouteIgnored;
  Vni vni = 0;                     // L2VNI or L3VNI the notice is about (0 = none)
  std::optional<Mac> mac;
  std::optional<IpAddress> ip;
  std::string text;                // one line for the log
  bool operator==(const Notice&) const = default;
};

struct Output {
  std::vector<RouteUpdate> routes;
  std::vector<dataplane::Intent> intents;
  std::vector<Notice> notices;
  // Prefixes for the VRFs' BGP instances to originate / withdraw (vrf_unicast.hpp, issue 10).
  std::vector<UnicastUpdate> unicast;

  bool empty() const { return routes.empty() && intents.empty() && notices.empty() && unicast.empty(); }
  void append(Output&& o);
  void advertise(wire::EvpnRoute r, wire::PathAttributes a, const IpAddress& nh) {
    routes.push_back({RouteOp::kAdvertise, std::move(r), std::move(a), nh});
  }
  void withdraw(wire::EvpnRoute r, const IpAddress& nh) {
    routes.push_back({RouteOp::kWithdraw, std::move(r), {}, nh});
  }
  void add(dataplane::IntentObject o) { intents.push_back(dataplane::Intent::add(std::move(o))); }
  void del(dataplane::IntentObject o) { intents.push_back(dataplane::Intent::del(std::move(o))); }
  void notice(Severity s, NoticeKind k, Vni vni, std::optional<Mac> mac, std::optional<IpAddress> ip,
              std::string text) {
    notices.push_back({s, k, vni, mac, ip, std::move(text)});
  }
};

}  // namespace evpnd::evpn

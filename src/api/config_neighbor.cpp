// BGP neighbours: the keys shared by global neighbours (`neighbors:`), VRF neighbours
// (`vrfs[].neighbors:`) and listen ranges (`vrfs[].listen-ranges:`), including the unicast policy
// (`prefix-list:`) and `ebgp-multihop:` of issue 10. Schema: docs/CONFIG.md "Neighbors".
#include <cstring>
#include <map>

#include "api/config.hpp"
#include "api/config_reader.hpp"
#include "api/config_sections.hpp"

namespace evpnd::api::detail {
namespace {

constexpr uint64_t kMaxAsn = 4294967295ull;
constexpr uint64_t kMaxPrefixRestart = 86400;  // one day; FRR's bound is 65535 minutes
constexpr uint64_t kMaxSendHold = 65535;

AfiSafi parse_family(const ConfigReader& r, const YAML::Node& n, const std::string& path) {
  std::string f = r.choice(n, path, {"l2vpn-evpn", "ipv4-unicast", "ipv6-unicast"});
  if (f == "ipv4-unicast") return kIpv4Unicast;
  if (f == "ipv6-unicast") return kIpv6Unicast;
  return kL2vpnEvpn;
}

void parse_timers(const ConfigReader& r, const YAML::Node& node, const std::string& path, NeighborConfig& n) {
  MapReader m(r, node, path, {"hold", "keepalive", "connect-retry", "send-hold-time"});
  if (m.has("hold")) {
    // RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
    uint64_t hold = r.uint(m.get("hold"), m.path("hold"), 0, 65535);
    if (hold == 1 || hold == 2) r.fail(m.get("hold"), m.path("hold"), "hold time must be 0 or at least 3 seconds (RFC 4271 §4.2)");
    n.hold_time = uint16_t(hold);
  }
  if (m.has("keepalive")) {
    uint64_t ka = r.uint(m.get("keepalive"), m.path("keepalive"), 0, 65535);
    if (n.hold_time == 0 && ka != 0)
      r.fail(m.get("keepalive"), m.path("keepalive"), "keepalive must be 0 when the hold time is 0");
    // RFC 4271 §4.4: with a non-zero hold time KEEPALIVEs are what keeps the peer's hold timer
    // from expiring; 0 would send none, and the session would drop every hold time. §10 suggests
    // one third of the hold time, which is what leaving `keepalive` out gives.
    if (n.hold_time != 0 && ka == 0)
      r.fail(m.get("keepalive"), m.path("keepalive"),
             "keepalive 0 would send no KEEPALIVE while the hold time is " + std::to_string(n.hold_time) +
                 " s, so the peer would drop the session (RFC 4271 §4.4); leave keepalive out for hold/3 "
                 "(RFC 4271 §10), or set hold: 0 to turn both off");
    if (n.hold_time != 0 && ka >= n.hold_time)
      r.fail(m.get("keepalive"), m.path("keepalive"),
             "keepalive (" + std::to_string(ka) + ") must be less than the hold time (" + std::to_string(n.hold_time) + ")");
    n.keepalive = uint16_t(ka);
  }
  if (m.has("connect-retry"))
    n.connect_retry = uint16_t(r.uint(m.get("connect-retry"), m.path("connect-retry"), 1, 65535));
  if (m.has("send-hold-time")) {
    n.send_hold_time = uint32_t(r.uint(m.get("send-hold-time"), m.path("send-hold-time"), 0, kMaxSendHold));
    check_send_hold(r, m.get("send-hold-time"), m.path("send-hold-time"), *n.send_hold_time, n);
  }
}

// IPv6 transport (issue #3). Sessions are matched by address: a link-local peer would need an
// interface scope, and an IPv4-mapped one (::ffff:a.b.c.d) is an IPv4 peer (accepted IPv4
// connections on a dual-stack listener are normalised to IPv4), so both are refused here.
void check_v6_neighbor(const ConfigReader& r, const YAML::Node& n, const std::string& path, const IpAddress& a) {
  const uint8_t* b = a.data();
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    r.fail(n, path, "link-local neighbor " + a.to_string() + " is not supported (use a global or ULA address)");
  if (b[0] == 0xff) r.fail(n, path, a.to_string() + " is a multicast address");
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0)
    r.fail(n, path, "IPv4-mapped address " + a.to_string() + ": write the IPv4 address instead");
}

// One `{prefix, ge?, le?, action?}` entry. The rules are FRR's (lib/filter_nb.c): "mask length
// <= ge <= le", each at most the family's length. A prefix with host bits set is corrected, as
// FRR does ("bad network 10.244.1.7/16 correcting it to 10.244.0.0/16"), so FRR lines translate
// one to one. ge/le 0 are refused: FRR stores "not given" as 0, so `0.0.0.0/0 ge 0` would
// match the default route only, which is never what such a line means.
PrefixListEntry parse_prefix_list_entry(const ConfigReader& r, const YAML::Node& node, const std::string& path) {
  MapReader m(r, node, path, {"prefix", "ge", "le", "action"});
  PrefixListEntry e;
  const YAML::Node pn = m.require("prefix");
  std::string text = r.string(pn, m.path("prefix"));
  auto p = IpPrefix::parse(text);
  if (!p || text.find('/') == std::string::npos)
    r.fail(pn, m.path("prefix"), "invalid IP prefix \"" + text + "\" (want ADDRESS/LENGTH)");
  e.prefix = *p;
  const uint64_t max = p->family() == IpFamily::kV4 ? 32 : 128;
  const std::string family = p->family() == IpFamily::kV4 ? "IPv4" : "IPv6";
  auto length = [&](std::string_view key) -> uint8_t {
    uint64_t v = r.uint(m.get(key), m.path(key), 0, max);
    if (v == 0)
      r.fail(m.get(key), m.path(key),
             std::string(key) + " 0 would be ignored (FRR treats 0 as not given); leave it out, or use le: " +
                 std::to_string(max) + " for every length");
    if (v < p->length())
      r.fail(m.get(key), m.path(key),
             std::string(key) + " " + std::to_string(v) + " is shorter than the prefix length " +
                 std::to_string(p->length()) + " (FRR's rule: prefix length <= ge <= le <= " + std::to_string(max) +
                 " for " + family + ")");
    return uint8_t(v);
  };
  if (m.has("ge")) e.ge = length("ge");
  if (m.has("le")) e.le = length("le");
  if (e.ge && e.le && *e.ge > *e.le)
    r.fail(m.get("le"), m.path("le"),
           "le " + std::to_string(*e.le) + " is less than ge " + std::to_string(*e.ge) + " (prefix length <= ge <= le)");
  if (m.has("action")) e.permit = r.choice(m.get("action"), m.path("action"), {"permit", "deny"}) == "permit";
  return e;
}

PrefixList parse_prefix_list(const ConfigReader& r, const YAML::Node& seq, const std::string& path) {
  r.expect_sequence(seq, path);
  PrefixList list;
  for (size_t i = 0; i < seq.size(); ++i) list.entries.push_back(parse_prefix_list_entry(r, seq[i], index_path(path, i)));
  return list;
}

void parse_policy(const ConfigReader& r, const YAML::Node& node, const std::string& path, NeighborConfig& n) {
  if (node.IsSequence())
    r.fail(node, path, "expected {import: [...], export: [...]}: say which direction the list filters");
  MapReader m(r, node, path, {"import", "export"});
  if (m.has("import")) n.import_prefixes = parse_prefix_list(r, m.get("import"), m.path("import"));
  if (m.has("export")) n.export_prefixes = parse_prefix_list(r, m.get("export"), m.path("export"));
}

// Keys every kind of neighbour has (global, VRF, listen range); `address`, `port`, `passive` and
// `update-source` belong to configured neighbours only and are read by parse_neighbor.
void parse_common(const ConfigReader& r, const MapReader& m, const NeighborScope& scope, NeighborConfig& n) {
  n.remote_as = Asn(r.uint(m.require("remote-as"), m.path("remote-as"), 1, kMaxAsn));
  if (scope.in_vrf) n.families = {kIpv4Unicast};
  if (m.has("families")) {
    auto seq = m.get("families");
    r.expect_sequence(seq, m.path("families"));
    if (seq.size() == 0) r.fail(seq, m.path("families"), "at least one address family is needed");
    n.families.clear();
    for (size_t i = 0; i < seq.size(); ++i) {
      AfiSafi f = parse_family(r, seq[i], index_path(m.path("families"), i));
      // The VRF instance routes the tenant's unicast prefixes with CEs; EVPN is the underlay
      // instance's (the VRF's routes reach EVPN by redistribution, RFC 9136).
      if (scope.in_vrf && f == kL2vpnEvpn)
        r.fail(seq[i], index_path(m.path("families"), i),
               "l2vpn-evpn is not available inside a VRF: EVPN sessions belong to the global neighbors; "
               "a VRF's BGP sessions carry ipv4-unicast and ipv6-unicast");
      for (auto& have : n.families)
        if (have == f) r.fail(seq[i], index_path(m.path("families"), i), "duplicate family " + to_string(f));
      n.families.push_back(f);
    }
  }
  if (m.has("route-reflector-client")) {
    n.route_reflector_client = r.boolean(m.get("route-reflector-client"), m.path("route-reflector-client"));
    // RFC 4456 §2: reflection is among iBGP peers; routes to and from eBGP peers are not reflected.
    if (n.route_reflector_client && n.remote_as != scope.local_as)
      r.fail(m.get("route-reflector-client"), m.path("route-reflector-client"),
             "an eBGP neighbor (remote-as " + std::to_string(n.remote_as) + ", local asn " +
                 std::to_string(scope.local_as) + ") cannot be a route-reflector client (RFC 4456 §2: clients are iBGP peers)");
  }
  if (m.has("description")) n.description = r.text(m.get("description"), m.path("description"));
  if (m.has("timers")) parse_timers(r, m.get("timers"), m.path("timers"), n);
  if (m.has("password")) {
    // RFC 2385 keys go to the kernel through TCP_MD5SIG, which holds at most 80 bytes.
    std::string pw = r.string(m.get("password"), m.path("password"));
    if (pw.size() > 80) r.fail(m.get("password"), m.path("password"), "TCP MD5 password longer than 80 characters");
    n.md5_password = pw;
  }
  if (m.has("ttl-security")) {
    MapReader ttl(r, m.get("ttl-security"), m.path("ttl-security"), {"hops"});
    // RFC 5082 §3: accept TTL >= 255 - (hops - 1), so 1..254 hops are meaningful.
    n.ttl_security_hops = uint8_t(r.uint(ttl.require("hops"), ttl.path("hops"), 1, 254));
  }
  if (m.has("ebgp-multihop")) {
    const auto at = m.get("ebgp-multihop");
    n.ebgp_multihop = uint8_t(r.uint(at, m.path("ebgp-multihop"), 1, 255));
    // iBGP sessions are sent with TTL 255 anyway; GTSM (RFC 5082) fixes the TTL at 255 and checks
    // the received one, which contradicts a multihop TTL (FRR refuses the pair too).
    if (n.remote_as == scope.local_as)
      r.fail(at, m.path("ebgp-multihop"),
             "ebgp-multihop applies to eBGP neighbors; this one is iBGP (remote-as = local asn " +
                 std::to_string(scope.local_as) + ") and is sent with TTL 255 anyway");
    if (n.ttl_security_hops)
      r.fail(at, m.path("ebgp-multihop"), "ebgp-multihop and ttl-security cannot be used together (RFC 5082 sends TTL 255)");
  }
  if (m.has("max-prefixes"))
    n.max_prefixes = uint32_t(r.uint(m.get("max-prefixes"), m.path("max-prefixes"), 1, 4294967295ull));
  if (m.has("max-prefixes-restart")) {
    // Seconds, as FRR's `maximum-prefix N restart M` (there in minutes, 1..65535); 0 = stay down.
    n.max_prefixes_restart =
        uint32_t(r.uint(m.get("max-prefixes-restart"), m.path("max-prefixes-restart"), 0, kMaxPrefixRestart));
    if (n.max_prefixes_restart && !n.max_prefixes)
      r.fail(m.get("max-prefixes-restart"), m.path("max-prefixes-restart"), "needs max-prefixes");
  }
  if (m.has("graceful-restart")) n.graceful_restart = r.boolean(m.get("graceful-restart"), m.path("graceful-restart"));
  if (m.has("nlri-error")) {
    // RFC 7606 §5.3 / RFC 4760 §7 (session-reset) or the lenient treat-as-withdraw (docs/CONFIG.md).
    n.nlri_error_withdraw =
        r.choice(m.get("nlri-error"), m.path("nlri-error"), {"session-reset", "treat-as-withdraw"}) == "treat-as-withdraw";
  }
  if (m.has("prefix-list")) parse_policy(r, m.get("prefix-list"), m.path("prefix-list"), n);
}

// The global send-hold-time is every neighbour's default (RFC 9687).
void inherit_send_hold(const ConfigReader& r, const YAML::Node& at, const std::string& path, const NeighborScope& scope,
                       NeighborConfig& n) {
  if (n.send_hold_time || !scope.send_hold_time) return;
  check_send_hold(r, at, path + " (inherits the global send-hold-time)", *scope.send_hold_time, n);
  n.send_hold_time = scope.send_hold_time;
}

}  // namespace

// RFC 9687 §4: a non-zero SendHoldTime MUST be greater than the HoldTime (the configured one,
// which bounds the negotiated one). With hold time 0 the timer never runs.
void check_send_hold(const ConfigReader& r, const YAML::Node& at, const std::string& path, uint32_t send_hold,
                     const NeighborConfig& n) {
  if (send_hold != 0 && n.hold_time != 0 && send_hold <= n.hold_time)
    r.fail(at, path,
           "send hold time (" + std::to_string(send_hold) + ") must be greater than the hold time (" +
               std::to_string(n.hold_time) + ") of " +
               (n.address.empty() ? std::string("the listen range") : "neighbor " + n.address.to_string()) +
               " (RFC 9687 §4), or 0 to disable");
}

NeighborConfig parse_neighbor(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                              const NeighborScope& scope) {
  MapReader m(r, node, path,
              {"address", "remote-as", "port", "families", "route-reflector-client", "passive", "description",
               "update-source", "timers", "password", "ttl-security", "max-prefixes", "max-prefixes-restart",
               "graceful-restart", "nlri-error", "prefix-list", "ebgp-multihop"});
  NeighborConfig n;
  n.address = r.ip(m.require("address"), m.path("address"));
  if (n.address.is_unspecified())
    r.fail(m.get("address"), m.path("address"), n.address.to_string() + " is not a neighbor address");
  if (n.address.is_v6()) check_v6_neighbor(r, m.get("address"), m.path("address"), n.address);
  if (auto why = non_unicast_reason(n.address); !why.empty())
    r.fail(m.get("address"), m.path("address"), n.address.to_string() + " " + why + ", not a neighbor address");
  parse_common(r, m, scope, n);
  if (m.has("port")) n.port = uint16_t(r.uint(m.get("port"), m.path("port"), 1, 65535));
  if (m.has("passive")) n.passive = r.boolean(m.get("passive"), m.path("passive"));
  if (m.has("update-source")) {
    n.update_source = r.unicast_ip(m.get("update-source"), m.path("update-source"));
    if (n.update_source->family() != n.address.family())
      r.fail(m.get("update-source"), m.path("update-source"), "address family differs from the neighbor's");
  }
  inherit_send_hold(r, node, path, scope, n);
  return n;
}

std::vector<NeighborConfig> parse_neighbor_list(const ConfigReader& r, const YAML::Node& seq, const std::string& path,
                                                const NeighborScope& scope) {
  r.expect_sequence(seq, path);
  std::map<IpAddress, size_t> seen;  // n log n: 64k neighbours took 17.7 s with a pairwise check
  const size_t count = seq.size();
  std::vector<NeighborConfig> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string item_path = index_path(path, i);
    const YAML::Node item = seq[i];  // const: operator[] must never insert into the tree
    NeighborConfig n = parse_neighbor(r, item, item_path, scope);
    if (auto [it, fresh] = seen.emplace(n.address, i); !fresh)
      r.fail(item["address"], item_path + ".address",
             "duplicate neighbor " + n.address.to_string() + " (also " + index_path(path, it->second) + ")");
    out.push_back(std::move(n));
  }
  return out;
}

// A listen range: the neighbour keys minus those naming one peer (address, port, update-source)
// or making it active (passive: a dynamic peer only ever accepts).
ListenRangeConfig parse_listen_range(const ConfigReader& r, const YAML::Node& node, const std::string& path,
                                     const NeighborScope& scope) {
  MapReader m(r, node, path,
              {"range", "max-peers", "remote-as", "families", "route-reflector-client", "description", "timers",
               "password", "ttl-security", "max-prefixes", "max-prefixes-restart", "graceful-restart", "nlri-error",
               "prefix-list", "ebgp-multihop"});
  ListenRangeConfig lr;
  lr.range = r.prefix(m.require("range"), m.path("range"));
  if (lr.range.family() == IpFamily::kV6 && lr.range.length() >= 10 && lr.range.address().data()[0] == 0xfe &&
      (lr.range.address().data()[1] & 0xc0) == 0x80)
    r.fail(m.get("range"), m.path("range"), "link-local peers are not supported (use a global or ULA range)");
  if (m.has("max-peers")) lr.max_peers = uint32_t(r.uint(m.get("max-peers"), m.path("max-peers"), 1, 65535));
  parse_common(r, m, scope, lr.peer);
  lr.peer.passive = true;
  inherit_send_hold(r, node, path, scope, lr.peer);
  return lr;
}

}  // namespace evpnd::api::detail

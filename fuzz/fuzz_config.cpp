// Fuzzes the configuration loader (parse_config_text: yaml-cpp, then evpnd's readers and
// checks). Any input must give a Config or a ConfigError, never a crash, an exception or a
// sanitizer report; an error names the file and a reason, and a Config that was accepted keeps
// the invariants the validation promises (docs/CONFIG.md): unique neighbours, VNIs, VRF names
// and device names, unicast neighbour addresses, printable descriptions, plain netns names;
// prefix lists within FRR's bounds, VRF neighbours without l2vpn-evpn, disjoint listen ranges.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "api/config.hpp"
#include "fuzz_check.hpp"

using namespace evpnd;
using namespace evpnd::api;

namespace {

bool printable(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return false;
  }
  return true;
}

bool unicast(const IpAddress& a) {
  const uint8_t* b = a.data();
  if (a.is_unspecified()) return false;
  if (a.is_v4()) return (b[0] & 0xf0) != 0xe0 && a.v4_host_order() != 0xffffffffu;
  return b[0] != 0xff;
}

void check_prefix_list(const std::optional<PrefixList>& l) {
  if (!l) return;
  for (const auto& e : l->entries) {
    const unsigned max = e.prefix.family() == IpFamily::kV4 ? 32 : 128;
    FUZZ_CHECK(e.prefix.family() != IpFamily::kNone);
    for (auto v : {e.ge, e.le})
      if (v) FUZZ_CHECK(*v != 0 && *v >= e.prefix.length() && *v <= max);
    if (e.ge && e.le) FUZZ_CHECK(*e.ge <= *e.le);
  }
}

// The issue-10 keys every kind of neighbour has.
void check_bgp_neighbor(const NeighborConfig& n, Asn local_as, bool in_vrf) {
  FUZZ_CHECK(n.remote_as != 0 && !n.families.empty());
  FUZZ_CHECK(printable(n.description));
  FUZZ_CHECK(!n.route_reflector_client || n.remote_as == local_as);
  FUZZ_CHECK(n.hold_time == 0 || n.hold_time >= 3);
  if (n.ebgp_multihop) FUZZ_CHECK(*n.ebgp_multihop >= 1 && n.remote_as != local_as && !n.ttl_security_hops);
  if (in_vrf)
    for (auto f : n.families) FUZZ_CHECK(f != kL2vpnEvpn);
  check_prefix_list(n.import_prefixes);
  check_prefix_list(n.export_prefixes);
}

void check_vrf_bgp(const VrfConfig& v, Asn global_as) {
  const Asn as = v.asn.value_or(global_as);
  FUZZ_CHECK(as != 0);
  std::set<IpAddress> peers;
  for (const auto& n : v.neighbors) {
    FUZZ_CHECK(peers.insert(n.address).second && unicast(n.address));
    check_bgp_neighbor(n, as, true);
  }
  for (size_t i = 0; i < v.listen_ranges.size(); ++i) {
    const auto& r = v.listen_ranges[i];
    FUZZ_CHECK(r.max_peers >= 1 && r.peer.passive && r.peer.address.empty());
    check_bgp_neighbor(r.peer, as, true);
    for (size_t j = 0; j < i; ++j) {  // no two ranges overlap
      const auto& o = v.listen_ranges[j].range;
      FUZZ_CHECK(!(o.family() == r.range.family() &&
                   IpPrefix(r.range.address(), std::min(o.length(), r.range.length())) ==
                       IpPrefix(o.address(), std::min(o.length(), r.range.length()))));
    }
  }
  FUZZ_CHECK(v.advertise_unicast || !v.gateway_ip);
}

void check_config(const Config& c) {
  FUZZ_CHECK(!c.router_id.is_unspecified() && c.router_id.is_v4());
  FUZZ_CHECK(c.asn != 0);
  std::set<IpAddress> peers;
  for (const auto& n : c.neighbors) {
    FUZZ_CHECK(peers.insert(n.address).second);
    FUZZ_CHECK(unicast(n.address));
    check_bgp_neighbor(n, c.asn, false);
    if (n.update_source) FUZZ_CHECK(unicast(*n.update_source) && n.update_source->family() == n.address.family());
  }
  if ((!c.l2vnis.empty() || !c.vrfs.empty())) FUZZ_CHECK(c.vtep_source.has_value());
  if (c.vtep_source) FUZZ_CHECK(unicast(*c.vtep_source));
  std::set<Vni> vnis;
  std::set<std::string> devices, vrf_names;
  for (const auto& v : c.vrfs) {
    FUZZ_CHECK(vnis.insert(v.l3vni).second && v.l3vni >= 1 && v.l3vni <= kMaxVni);
    FUZZ_CHECK(vrf_names.insert(v.name).second);
    FUZZ_CHECK(devices.insert("br" + std::to_string(v.l3vni)).second);
    FUZZ_CHECK(devices.insert("vxlan" + std::to_string(v.l3vni)).second);
    if (c.vrf_backend == VrfBackend::kVrfDevice) FUZZ_CHECK(devices.insert(v.name).second);
    FUZZ_CHECK(v.netns.find('/') == std::string::npos && v.netns != "." && v.netns != ".." && v.netns.size() <= 255);
    check_vrf_bgp(v, c.asn);
  }
  std::set<IpPrefix> advertised;
  for (const auto& p : c.advertise) FUZZ_CHECK(advertised.insert(p).second);
  for (const auto& l : c.l2vnis) {
    FUZZ_CHECK(vnis.insert(l.vni).second && l.vni >= 1 && l.vni <= kMaxVni);
    FUZZ_CHECK(devices.insert(l.bridge).second && devices.insert(l.vxlan_device).second);
    FUZZ_CHECK(l.bridge.size() <= 15 && l.vxlan_device.size() <= 15);
    FUZZ_CHECK(l.vrf.empty() || vrf_names.count(l.vrf));
    if (l.gateway_address) FUZZ_CHECK(unicast(*l.gateway_address) && l.gateway && l.gateway->contains(*l.gateway_address));
  }
  // A configuration compared with itself has no difference (reload of an unchanged file).
  FUZZ_CHECK(diff_config(c, c).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = parse_config_text(text, "fuzz.yaml");
  if (!cfg) {
    FUZZ_CHECK(cfg.error().file == "fuzz.yaml");
    FUZZ_CHECK(!cfg.error().reason.empty());
    FUZZ_CHECK(cfg.error().line >= 0);
    return 0;
  }
  check_config(*cfg);
  return 0;
}

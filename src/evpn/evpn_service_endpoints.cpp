// EvpnService: local endpoints announced through the API (issue 11: a pod's MAC and IPs on its
// bridge port, POST/DELETE /v1/evpn/endpoints). The MAC-VRF pins them (mac_vrf_endpoints.cpp);
// the segment's IP-VRF learns which of their IPs are local hosts now, as for learned
// neighbours (a local host hides a remote host route for the same IP, RFC 9135 §4.1).
#include <set>

#include "evpn/evpn_service.hpp"

namespace evpnd::evpn {

tl::expected<Output, std::string> EvpnService::add_endpoint(Vni vni, const Mac& mac, const std::vector<IpAddress>& ips,
                                                            const std::string& port, Time now) {
  auto it = mac_vrfs_.find(vni);
  if (it == mac_vrfs_.end()) return tl::make_unexpected("no such VNI " + std::to_string(vni));
  MacVrf& mv = it->second;
  // The IPs whose local-host state may change: the MAC's before (a replaced set drops some) and
  // the new ones (they may have belonged to another MAC).
  const std::vector<IpAddress> before = mv.local_ips_of(mac);
  Output out;
  if (auto r = mv.add_endpoint(mac, ips, port, now, out); !r) return tl::make_unexpected(r.error());
  if (IpVrf* vrf = vrf_of(vni)) {
    std::set<IpAddress> touched(before.begin(), before.end());
    touched.insert(ips.begin(), ips.end());
    for (const auto& ip : touched) vrf->set_local_host(ip, mv.has_local_host(ip), out);
  }
  return out;
}

tl::expected<Output, std::string> EvpnService::remove_endpoint(Vni vni, const Mac& mac, Time now) {
  auto it = mac_vrfs_.find(vni);
  if (it == mac_vrfs_.end()) return tl::make_unexpected("no such VNI " + std::to_string(vni));
  MacVrf& mv = it->second;
  const std::vector<IpAddress> before = mv.local_ips_of(mac);
  Output out;
  mv.remove_endpoint(mac, now, out);
  if (IpVrf* vrf = vrf_of(vni))
    for (const auto& ip : before) vrf->set_local_host(ip, mv.has_local_host(ip), out);
  return out;
}

std::optional<std::string> EvpnService::l2vni_netns(Vni vni) const {
  for (const auto& l2 : cfg_.l2vnis)
    if (l2.vni == vni) return l2vni_intent(l2).netns;
  return std::nullopt;
}

}  // namespace evpnd::evpn

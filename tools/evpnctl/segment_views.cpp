// Views of the run-time segments and endpoints (docs/API.md "Run-time segments and endpoints",
// issue 11): `show evpn vni N` (one VNI-STATE, laid out as FRR's `show evpn vni N` detail) and
// `show evpn endpoints` (the endpoints orchestrators announced, pinned until they are deleted).
#include <sstream>

#include "evpnctl/show_views.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

using nlohmann::json;

std::string render_evpn_vni_state(const json& body) {
  std::ostringstream out;
  out << "VNI: " << field(body, "vni") << "\n";
  // "config": from the configuration file (reload owns it); "api": created by PUT, removed when
  // its last attachment releases it.
  out << " Origin: " << field(body, "origin") << "\n";
  out << " Tenant VRF: " << field(body, "vrf") << "\n";
  out << " VxLAN interface: " << field(body, "vxlan_device") << "\n";
  out << " Bridge: " << field(body, "bridge") << "\n";
  // "" is evpnd's own namespace; a VNI of a netns-backend VRF lives in the tenant namespace.
  const bool own_ns = body.is_object() && body.contains("netns") && body["netns"] == "";
  out << " Namespace: " << (own_ns ? "evpnd's" : field(body, "netns")) << "\n";
  out << " Gateways: " << join_field(body, "gateways", ", ") << "\n";
  out << " Gateway MAC: " << field(body, "gateway_mac") << "\n";
  out << " MTU: " << field(body, "mtu") << "\n";
  out << " RD: " << field(body, "rd") << "\n";
  out << " Import RTs: " << join_field(body, "import_rts", ", ") << "\n";
  out << " Export RTs: " << join_field(body, "export_rts", ", ") << "\n";
  const json& att = list_field(body, "attachments");
  out << " Attachments: " << att.size();
  if (!att.empty()) out << " (" << join_field(body, "attachments", ", ") << ")";
  out << "\n";
  out << " Endpoints: " << field(body, "endpoints") << "\n";
  return out.str();
}

std::string render_evpn_endpoints(const json& body) {
  const json& eps = list_field(body, "endpoints");
  if (eps.empty()) return "No endpoints.\n";
  Table t({"VNI", "MAC", "IPs", "Interface", "Attachment"});
  t.align(0, Align::kRight);
  for (auto& e : eps)
    t.add_row({field(e, "vni"), field(e, "mac"), join_field(e, "ips"), field(e, "interface"), field(e, "attachment")});
  std::ostringstream out;
  out << t.render() << "\n" << eps.size() << (eps.size() == 1 ? " endpoint" : " endpoints") << "\n";
  return out.str();
}

}  // namespace evpnctl

// `show evpn ...` and `show vrf routes` views, with FRR's `show evpn ...` column names where
// FRR has the same notion (VNI, VxLAN IF, Remote VTEP, Tenant VRF, Seq #s).
#include <sstream>

#include "evpnctl/show_views.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

using nlohmann::json;

namespace {

std::string with_count(const Table& t, size_t n, const char* what) {
  std::ostringstream out;
  out << t.render() << "\n" << n << " " << what << "\n";
  return out.str();
}

}  // namespace

std::string render_evpn_vnis(const json& body) {
  const json& vnis = list_field(body, "vnis");
  if (vnis.empty()) return "No VNIs are configured.\n";
  Table t({"VNI", "Type", "VxLAN IF", "Bridge", "Data Plane", "# MACs (L/R)", "# Remote VTEPs", "Tenant VRF", "RD",
           "Import RT", "Export RT"});
  t.align(0, Align::kRight).align(6, Align::kRight);
  std::string problems;  // the last error of every VNI that is not healthy, under the table
  for (auto& v : vnis) {
    std::string macs = field(v, "type") == "L3" ? "-" : field(v, "local_macs") + "/" + field(v, "remote_macs");
    std::string dp = "-";  // an older evpnd without data-plane results
    if (v.is_object() && v.contains("dataplane") && v["dataplane"].is_object()) {
      const json& d = v["dataplane"];
      dp = d.value("state", "-");
      const auto pending = d.value("pending", uint64_t{0});
      if (pending > 0) dp += " (" + std::to_string(pending) + " pending)";
      if (d.value("state", "ok") != "ok")
        problems += "VNI " + field(v, "vni") + ": " + d.value("state", "") + ": " + d.value("last_error", "") + "\n";
    }
    t.add_row({field(v, "vni"), field(v, "type"), field(v, "vxlan_device"), field(v, "bridge"), dp, macs,
               std::to_string(list_field(v, "remote_vteps").size()), field(v, "vrf"), field(v, "rd"),
               join_field(v, "import_rts"), join_field(v, "export_rts")});
  }
  return with_count(t, vnis.size(), vnis.size() == 1 ? "VNI" : "VNIs") + problems;
}

std::string render_evpn_macs(const json& body) {
  const json& macs = list_field(body, "macs");
  if (macs.empty()) return "No MAC entries.\n";
  Table t({"VNI", "MAC", "Type", "Intf/Remote VTEP", "Seq #", "Flags"});
  t.align(0, Align::kRight).align(4, Align::kRight);
  for (auto& m : macs) {
    // As FRR: a MAC behind a remote Ethernet segment shows the segment (and here its group).
    std::string where = field(m, "type") == "local" ? field(m, "interface")
                        : m.contains("esi")        ? field(m, "esi")
                                                   : field(m, "vtep");
    if (m.contains("nhid")) where += " nhid " + field(m, "nhid");
    std::string flags = join_field(m, "flags");
    t.add_row({field(m, "vni"), field(m, "mac"), field(m, "type"), where, field(m, "sequence"), flags == "-" ? "" : flags});
  }
  return with_count(t, macs.size(), macs.size() == 1 ? "MAC" : "MACs");
}

std::string render_evpn_arp_cache(const json& body) {
  const json& entries = list_field(body, "entries");
  if (entries.empty()) return "No ARP/ND entries.\n";
  Table t({"VNI", "IP", "MAC", "Type", "Remote VTEP", "Seq #"});
  t.align(0, Align::kRight).align(5, Align::kRight);
  for (auto& e : entries)
    t.add_row({field(e, "vni"), field(e, "ip"), field(e, "mac"), field(e, "type"), field(e, "vtep"), field(e, "sequence")});
  return with_count(t, entries.size(), entries.size() == 1 ? "neighbor" : "neighbors");
}

std::string render_evpn_vteps(const json& body) {
  const json& vteps = list_field(body, "vteps");
  if (vteps.empty()) return "No remote VTEPs.\n";
  Table t({"Remote VTEP", "VNIs"});
  for (auto& v : vteps) t.add_row({field(v, "vtep"), join_field(v, "vnis")});
  return with_count(t, vteps.size(), vteps.size() == 1 ? "remote VTEP" : "remote VTEPs");
}

std::string render_evpn_vrfs(const json& body) {
  const json& vrfs = list_field(body, "vrfs");
  if (vrfs.empty()) return "No VRFs are configured.\n";
  Table t({"VRF", "L3VNI", "State", "Router MAC", "RD", "Import RT", "Export RT"});
  t.align(1, Align::kRight);
  for (auto& v : vrfs)
    t.add_row({field(v, "name"), field(v, "l3vni"), field(v, "state"), field(v, "router_mac"), field(v, "rd"),
               join_field(v, "import_rts"), join_field(v, "export_rts")});
  return with_count(t, vrfs.size(), vrfs.size() == 1 ? "VRF" : "VRFs");
}

std::string render_evpn_rmacs(const json& body) {
  const json& rmacs = list_field(body, "rmacs");
  if (rmacs.empty()) return "No router MACs learned.\n";
  Table t({"VRF", "Remote VTEP", "Router MAC"});
  for (auto& r : rmacs) t.add_row({field(r, "vrf"), field(r, "vtep"), field(r, "rmac")});
  return with_count(t, rmacs.size(), rmacs.size() == 1 ? "router MAC" : "router MACs");
}

std::string render_vrf_routes(const json& body) {
  const json& routes = list_field(body, "routes");
  if (routes.empty()) return "No routes.\n";
  // Routes learnt over a BGP session in the VRF (type "bgp", issue 10) name their peer and go
  // via the CE's address rather than a VTEP: then the table gets a Peer column.
  bool bgp = false;
  for (auto& r : routes) bgp = bgp || r.contains("peer");
  Table t(bgp ? std::vector<std::string>{"Prefix", "Type", "Next hop", "Router MAC", "Peer"}
              : std::vector<std::string>{"Prefix", "Type", "Next hop (VTEP)", "Router MAC"});
  for (auto& r : routes) {
    const json& hops = list_field(r, "nexthops");
    const std::string peer = bgp ? field(r, "peer") : "";
    if (hops.empty()) {
      std::vector<std::string> row{field(r, "prefix"), field(r, "type"), "-", "-"};
      if (bgp) row.push_back(peer);
      t.add_row(std::move(row));
      continue;
    }
    // ECMP: one line per next hop, the prefix printed once, as `ip route` does.
    bool first = true;
    for (auto& h : hops) {
      const std::string via = h.contains("vtep") ? field(h, "vtep") : field(h, "next_hop");
      std::vector<std::string> row{first ? field(r, "prefix") : "", first ? field(r, "type") : "", via,
                                   field(h, "rmac")};
      if (bgp) row.push_back(first ? peer : "");
      t.add_row(std::move(row));
      first = false;
    }
  }
  return with_count(t, routes.size(), routes.size() == 1 ? "route" : "routes");
}

std::string render_evpn_dup_addr(const json& body) {
  const json& entries = list_field(body, "entries");
  if (entries.empty()) return "No duplicate addresses detected.\n";
  Table t({"VNI", "Type", "MAC", "IP", "Moves", "State"});
  t.align(0, Align::kRight).align(4, Align::kRight);
  for (auto& e : entries) {
    const std::string kind = e.contains("kind") ? field(e, "kind") : "mac";
    t.add_row({field(e, "vni"), kind, field(e, "mac"), field(e, "ip"), field(e, "moves"), field(e, "state")});
  }
  return with_count(t, entries.size(), entries.size() == 1 ? "duplicate address" : "duplicate addresses");
}

}  // namespace evpnctl

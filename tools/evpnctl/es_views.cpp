// `show evpn es [--detail] [ESI|NAME]` and `show evpn es-evi`, laid out as FRR's `show evpn es`
// (ESI, Type L/R/N, ES-IF, VTEPs; the detail block: Type, Interface, State, DF status, DF
// preference, Nexthop group, VTEPs with df_alg/df_pref) and `show evpn es-evi`.
#include <sstream>

#include "evpnctl/show_views.hpp"
#include "evpnctl/table.hpp"

namespace evpnctl {

using nlohmann::json;

namespace {

// FRR's Type column: L local, R remote (peer PEs share it), N non-DF in some VNI.
std::string type_flags(const json& es) {
  std::string t;
  if (es.value("local", false)) t += "L";
  size_t peers = 0;
  for (const auto& v : list_field(es, "vteps")) peers += !v.value("local", false);
  if (peers > 0) t += "R";
  for (const auto& e : list_field(es, "evis"))
    if (e.value("df_status", "") != "df") {
      t += "N";
      break;
    }
  return t.empty() ? "-" : t;
}

std::string ports(const json& es) {
  std::string s;
  for (const auto& e : list_field(es, "evis")) {
    if (!s.empty()) s += ",";
    s += field(e, "port");
  }
  return s.empty() ? "-" : s;
}

// Peer PEs; on a remote segment "(A)" marks the active ones (per-ES and per-EVI routes), as FRR.
std::string vteps(const json& es) {
  std::string s;
  for (const auto& v : list_field(es, "vteps")) {
    if (v.value("local", false)) continue;
    if (!s.empty()) s += ",";
    s += field(v, "vtep");
    if (v.contains("active") && !list_field(v, "active").empty()) s += "(A)";
  }
  return s.empty() ? "-" : s;
}

// A segment known only from other PEs' routes: its PEs and the nexthop group per VNI.
void remote_detail_block(std::ostringstream& out, const json& es) {
  out << "ESI: " << field(es, "esi") << "\n";
  out << " Type: Remote\n";
  out << " Redundancy: " << field(es, "redundancy") << "\n";
  out << " MACs: " << field(es, "macs") << "\n";
  out << " VTEPs:\n";
  for (const auto& v : list_field(es, "vteps")) {
    out << "     " << field(v, "vtep") << (list_field(v, "active").empty() ? "" : " (A)")
        << (v.value("per_es", false) ? " per-es" : "") << (v.value("single_active", false) ? " single-active" : "")
        << " per-evi: " << join_field(v, "evis") << "\n";
  }
  out << " Nexthop groups:\n";
  Table t({"VNI", "NHID", "Members", "MACs"});
  t.align(0, Align::kRight);
  for (const auto& g : list_field(es, "groups")) t.add_row({field(g, "vni"), field(g, "nhid"), join_field(g, "members"), field(g, "macs")});
  std::istringstream rows(t.render());
  for (std::string line; std::getline(rows, line);) out << "   " << line << "\n";
}

const json& segments_of(const json& body) {
  static const json kEmpty = json::array();
  if (body.is_object() && body.contains("segments")) return list_field(body, "segments");
  return kEmpty;
}

void detail_block(std::ostringstream& out, const json& es) {
  if (!es.value("local", true)) return remote_detail_block(out, es);
  out << "ESI: " << field(es, "esi") << "\n";
  out << " Name: " << field(es, "name") << "\n";
  std::string type = es.value("local", false) ? "Local" : "";
  if (type_flags(es).find('R') != std::string::npos) type += type.empty() ? "Remote" : ",Remote";
  out << " Type: " << (type.empty() ? "-" : type) << "\n";
  out << " Redundancy: " << field(es, "redundancy") << "\n";
  out << " State: " << field(es, "state");
  if (es.contains("df_wait_remaining_ms") && es["df_wait_remaining_ms"].is_number())
    out << " (" << field(es, "df_wait_remaining_ms") << " ms left)";
  out << "\n";
  out << " DF wait: " << field(es, "df_wait_ms") << " ms\n";
  out << " ES-Import RT: " << field(es, "es_import") << "\n";
  out << " RD: " << field(es, "rd") << "\n";
  out << " Fast failover: " << (es.value("fast_failover", false) ? "yes" : "no")
      << "   Nexthop group: " << field(es, "backup_nhid") << "\n";
  out << " DF changes: " << field(es, "df_changes") << "\n";
  out << " VTEPs:\n";
  for (const auto& v : list_field(es, "vteps")) {
    out << "     " << field(v, "vtep") << (v.value("local", false) ? " (local)" : "")
        << " df_alg: " << field(v, "df_algorithm") << " df_pref: " << field(v, "df_preference")
        << (v.value("dont_preempt", false) ? " dp" : "") << (v.value("ac_df", false) ? " ac-df" : "");
    if (!v.value("local", false)) out << " evis: " << join_field(v, "evis");
    out << "\n";
  }
  out << " VNIs:\n";
  Table t({"VNI", "Port", "Link", "DF status", "DF", "Algorithm", "Filter"});
  t.align(0, Align::kRight);
  for (const auto& e : list_field(es, "evis")) {
    std::string filter = e.value("blocked", false) ? "blocked" : e.value("non_df", true) ? "non-DF" : "forwarding";
    std::string alg = field(e, "df_algorithm");
    if (e.value("df_fallback", false)) alg += " (fallback)";
    t.add_row({field(e, "vni"), field(e, "port"), e.value("attachment_up", false) ? "up" : "down",
               field(e, "df_status"), field(e, "df"), alg, filter});
  }
  std::istringstream rows(t.render());
  for (std::string line; std::getline(rows, line);) out << "   " << line << "\n";
}

}  // namespace

std::string render_evpn_es(const json& body) {
  const json& segs = segments_of(body);
  if (segs.empty()) return "No Ethernet segments.\n";
  std::ostringstream out;
  out << "Type: L local, R remote, N non-DF\n";
  Table t({"ESI", "Type", "Name", "Redundancy", "State", "ES-IF", "VTEPs"});
  for (const auto& es : segs)
    t.add_row({field(es, "esi"), type_flags(es), field(es, "name"), field(es, "redundancy"), field(es, "state"),
               ports(es), vteps(es)});
  out << t.render() << "\n" << segs.size() << (segs.size() == 1 ? " segment\n" : " segments\n");
  return out.str();
}

std::string render_evpn_es_detail(const json& body) {
  std::ostringstream out;
  if (body.is_object() && body.contains("esi")) {  // GET /v1/evpn/es/<esi|name>
    detail_block(out, body);
    return out.str();
  }
  const json& segs = segments_of(body);
  if (segs.empty()) return "No Ethernet segments.\n";
  bool first = true;
  for (const auto& es : segs) {
    if (!first) out << "\n";
    first = false;
    detail_block(out, es);
  }
  return out.str();
}

std::string render_evpn_es_evi(const json& body) {
  const json& evis = list_field(body, "es_evis");
  if (evis.empty()) return "No ES-EVIs.\n";
  std::ostringstream out;
  out << "Type: L local, R remote\n";
  Table t({"VNI", "ESI", "Type", "Name", "Port", "Link", "DF status", "DF"});
  t.align(0, Align::kRight);
  for (const auto& e : evis)
    t.add_row({field(e, "vni"), field(e, "esi"), e.value("local", false) ? "L" : "R", field(e, "name"), field(e, "port"),
               e.value("attachment_up", false) ? "up" : "down", field(e, "df_status"), field(e, "df")});
  out << t.render() << "\n" << evis.size() << (evis.size() == 1 ? " ES-EVI\n" : " ES-EVIs\n");
  return out.str();
}

}  // namespace evpnctl

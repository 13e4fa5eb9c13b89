#include "daemon/route_json.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"

namespace evpnd::daemon {
namespace {
using tl::unexpected;
using nlohmann::json;

template <typename T, typename Parse>
tl::expected<T, std::string> field(const json& j, const char* name, Parse parse, std::optional<T> dflt = std::nullopt) {
  if (!j.contains(name) || j[name].is_null()) {
    if (dflt) return *dflt;
    return unexpected(std::string("missing '") + name + "'");
  }
  if (!j[name].is_string()) return unexpected(std::string("'") + name + "' must be a string");
  auto v = parse(j[name].get<std::string>());
  if (!v) return unexpected(std::string("bad '") + name + "': '" + j[name].get<std::string>() + "'");
  return *v;
}

tl::expected<uint32_t, std::string> number(const json& j, const char* name, std::optional<uint32_t> dflt,
                                           uint32_t max = 0xFFFFFFFF) {
  if (!j.contains(name) || j[name].is_null()) {
    if (dflt) return *dflt;
    return unexpected(std::string("missing '") + name + "'");
  }
  if (!j[name].is_number_integer() || j[name].get<int64_t>() < 0 || j[name].get<uint64_t>() > max)
    return unexpected(std::string("'") + name + "' must be a number 0.." + std::to_string(max));
  return j[name].get<uint32_t>();
}

#define TRY(var, expr)                              \
  auto var##_r = (expr);                            \
  if (!var##_r) return unexpected(var##_r.error()); \
  auto var = *var##_r

auto ip_parse = [](const std::string& s) { return IpAddress::parse(s); };
auto rd_parse = [](const std::string& s) { return Rd::parse(s); };
auto esi_parse = [](const std::string& s) { return Esi::parse(s); };

// A whole decimal (or, with 0x, hexadecimal) number no larger than `max`; nothing else.
std::optional<uint32_t> whole_number(std::string_view s, uint32_t max) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2), base = 16;
  if (s.empty() || s.front() == '+' || s.front() == '-') return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// The comma-separated "key=value" / "flag" items after "kind:", e.g. "label=5,single-active".
// Each key may appear once; `on_item(key, value_or_empty, has_value)` returns false to reject.
template <typename OnItem>
bool each_item(std::string_view rest, OnItem on_item) {
  std::vector<std::string_view> seen;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) return false;
    seen.push_back(key);
    if (!on_item(key, eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1),
                 eq != std::string_view::npos))
      return false;
    if (comma == std::string_view::npos) return true;
    rest.remove_prefix(comma + 1);
  }
}

// "esi-label:label=<n>[,single-active]" (ExtCommunity::to_string's form; RFC 7432 §7.5).
std::optional<wire::ExtCommunity> parse_esi_label(std::string_view rest) {
  std::optional<uint32_t> label;
  bool single_active = false;
  const bool ok = each_item(rest, [&](std::string_view k, std::string_view v, bool has_v) {
    if (k == "label" && has_v) return (label = whole_number(v, 0xFFFFFF)).has_value();
    if (k == "single-active" && !has_v) {
      single_active = true;
      return true;
    }
    return false;
  });
  if (!ok || !label) return std::nullopt;
  return wire::ExtCommunity::esi_label(single_active, *label);
}

// "df-election:alg=<n>[,bitmap=0x<hex>][,pref=<n>][,dp][,ac-df]" (ExtCommunity::to_string's
// form; RFC 8584 §2.2, RFC 9785 §3). dp and ac-df set their bitmap bits.
std::optional<wire::ExtCommunity> parse_df_election(std::string_view rest) {
  std::optional<uint32_t> alg, pref;
  uint32_t bitmap = 0;
  const bool ok = each_item(rest, [&](std::string_view k, std::string_view v, bool has_v) {
    if (k == "alg" && has_v) return (alg = whole_number(v, 0x1F)).has_value();
    if (k == "pref" && has_v) return (pref = whole_number(v, 0xFFFF)).has_value();
    if (k == "bitmap" && has_v) {
      if (v.size() < 3 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X')) return false;
      const auto b = whole_number(v, 0xFFFF);
      if (b) bitmap |= *b;
      return b.has_value();
    }
    if ((k == "dp" || k == "ac-df") && !has_v) {
      bitmap |= k == "dp" ? wire::ExtCommunity::kDfCapDontPreempt : wire::ExtCommunity::kDfCapAcDf;
      return true;
    }
    return false;
  });
  if (!ok || !alg) return std::nullopt;
  return wire::ExtCommunity::df_election(uint8_t(*alg), uint16_t(bitmap), uint16_t(pref.value_or(0)));
}
}  // namespace

tl::expected<wire::ExtCommunity, std::string> parse_ext_community(const std::string& s) {
  const auto colon = s.find(':');
  const std::string kind = s.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : s.substr(colon + 1);
  if (kind == "rt") {
    if (auto rt = RouteTarget::parse(rest)) return wire::ExtCommunity::route_target(*rt);
  } else if (kind == "encap") {
    static const std::pair<const char*, wire::TunnelEncap> kNames[] = {
        {"vxlan", wire::TunnelEncap::kVxlan}, {"nvgre", wire::TunnelEncap::kNvgre}, {"mpls", wire::TunnelEncap::kMpls},
        {"mpls-gre", wire::TunnelEncap::kMplsGre}, {"vxlan-gpe", wire::TunnelEncap::kVxlanGpe},
        {"geneve", wire::TunnelEncap::kGeneve}};
    for (const auto& [n, t] : kNames)
      if (rest == n) return wire::ExtCommunity::encapsulation(t);
  } else if (kind == "router-mac" || kind == "rmac") {
    if (auto m = Mac::parse(rest)) return wire::ExtCommunity::router_mac(*m);
  } else if (kind == "es-import") {
    if (auto m = Mac::parse(rest)) return wire::ExtCommunity::es_import(*m);
  } else if (kind == "esi-label") {
    if (auto c = parse_esi_label(rest)) return *c;
  } else if (kind == "df-election") {
    if (auto c = parse_df_election(rest)) return *c;
  } else if (kind == "default-gw") {
    return wire::ExtCommunity::default_gateway();
  } else if (kind == "mac-mobility") {
    // "seq=N" or "seq=N,sticky"
    if (rest.rfind("seq=", 0) == 0) {
      const bool sticky = rest.find(",sticky") != std::string::npos;
      try {
        return wire::ExtCommunity::mac_mobility(static_cast<uint32_t>(std::stoul(rest.substr(4))), sticky);
      } catch (...) {
      }
    }
  } else if (kind == "unknown" || kind == "hex") {
    auto b = parse_hex(rest);
    if (b && b->size() == 8) {
      wire::ExtCommunity e;
      std::copy(b->begin(), b->end(), e.raw.begin());
      return e;
    }
  }
  return unexpected("bad extended community '" + s + "'");
}

tl::expected<engine::LocalRoute, std::string> parse_local_route(const json& j) {
  if (!j.is_object()) return unexpected(std::string("a route must be an object"));
  engine::LocalRoute lr;
  TRY(type, number(j, "route_type", std::nullopt, 255));
  TRY(rd, field<Rd>(j, "rd", rd_parse));
  switch (type) {
    case 1: {
      wire::EthernetAutoDiscovery r;
      r.rd = rd;
      TRY(esi, field<Esi>(j, "esi", esi_parse));
      TRY(tag, number(j, "ethernet_tag", 0));
      TRY(vni, number(j, "vni", 0, kMaxVni));
      r.esi = esi, r.ethernet_tag = tag, r.label = vni;
      lr.route = r;
      break;
    }
    case 2: {
      wire::MacIpAdvertisement r;
      r.rd = rd;
      TRY(esi, field<Esi>(j, "esi", esi_parse, Esi{}));
      TRY(tag, number(j, "ethernet_tag", 0));
      TRY(mac, field<Mac>(j, "mac", [](const std::string& s) { return Mac::parse(s); }));
      TRY(ip, field<IpAddress>(j, "ip", ip_parse, IpAddress{}));
      TRY(vni, number(j, "vni", std::nullopt, kMaxVni));
      r.esi = esi, r.ethernet_tag = tag, r.mac = mac, r.ip = ip, r.label1 = vni;
      if (j.contains("l3vni") && !j["l3vni"].is_null()) {
        TRY(l3, number(j, "l3vni", std::nullopt, kMaxVni));
        r.label2 = l3;
      }
      lr.route = r;
      break;
    }
    case 3: {
      wire::InclusiveMulticast r;
      r.rd = rd;
      TRY(tag, number(j, "ethernet_tag", 0));
      TRY(orig, field<IpAddress>(j, "originator", ip_parse));
      r.ethernet_tag = tag, r.originator = orig;
      lr.route = r;
      break;
    }
    case 4: {
      wire::EthernetSegment r;
      r.rd = rd;
      TRY(esi, field<Esi>(j, "esi", esi_parse));
      TRY(orig, field<IpAddress>(j, "originator", ip_parse));
      r.esi = esi, r.originator = orig;
      lr.route = r;
      break;
    }
    case 5: {
      wire::IpPrefixRoute r;
      r.rd = rd;
      TRY(esi, field<Esi>(j, "esi", esi_parse, Esi{}));
      TRY(tag, number(j, "ethernet_tag", 0));
      TRY(pfx, field<IpPrefix>(j, "prefix", [](const std::string& s) { return IpPrefix::parse(s); }));
      const IpAddress zero = pfx.family() == IpFamily::kV6 ? *IpAddress::parse("::") : *IpAddress::parse("0.0.0.0");
      TRY(gw, field<IpAddress>(j, "gateway", ip_parse, zero));
      TRY(vni, number(j, "vni", std::nullopt, kMaxVni));
      r.esi = esi, r.ethernet_tag = tag, r.prefix = pfx, r.gateway = gw, r.label = vni;
      lr.route = r;
      break;
    }
    default:
      return unexpected("bad route_type " + std::to_string(type) + ": expected 1-5");
  }
  TRY(nh, field<IpAddress>(j, "next_hop", ip_parse));
  lr.next_hop = nh;
  if (j.contains("extended_communities")) {
    if (!j["extended_communities"].is_array()) return unexpected(std::string("'extended_communities' must be an array"));
    for (const auto& e : j["extended_communities"]) {
      if (!e.is_string()) return unexpected(std::string("extended communities must be strings"));
      TRY(ec, parse_ext_community(e.get<std::string>()));
      lr.ext_communities.push_back(ec);
    }
  }
  if (j.contains("local_pref")) {
    TRY(lp, number(j, "local_pref", std::nullopt));
    lr.local_pref = lp;
  }
  if (j.contains("med")) {
    TRY(med, number(j, "med", std::nullopt));
    lr.med = med;
  }
  if (type == 3) {
    // PMSI tunnel (RFC 6514 §5): ingress replication; label = the VNI (RFC 8365 §5.1.3).
    wire::PmsiTunnel t;
    t.tunnel_type = 6;
    const auto& orig = std::get<wire::InclusiveMulticast>(lr.route).originator;
    IpAddress ep = orig;
    uint32_t label = 0;
    if (j.contains("vni")) {
      TRY(v, number(j, "vni", std::nullopt, kMaxVni));
      label = v;
    }
    if (j.contains("pmsi_tunnel") && j["pmsi_tunnel"].is_object()) {
      const auto& p = j["pmsi_tunnel"];
      TRY(l, number(p, "label", label, kMaxVni));
      TRY(e, field<IpAddress>(p, "endpoint", ip_parse, orig));
      label = l, ep = e;
    }
    t.label = label;
    t.tunnel_id.assign(ep.data(), ep.data() + ep.size());
    lr.pmsi = t;
  }
  return lr;
}

}  // namespace evpnd::daemon

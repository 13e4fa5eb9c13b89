#include "workload.hpp"

#include <stdexcept>

#include "wire/message.hpp"

namespace bgpload {

using namespace evpnd;
namespace w = evpnd::wire;

namespace {
constexpr uint32_t kType2IpBase = 0x0A000001;    // 10.0.0.1
constexpr uint32_t kType3Base = 0x64400000;      // 100.64.0.0
constexpr uint32_t kType5Base = 0x14000000;      // 20.0.0.0
constexpr uint32_t kVniBase = 10000;
constexpr size_t kChunkSize = 1 << 20;

uint8_t type_of(RouteMix mix, uint32_t i) {
  switch (mix) {
    case RouteMix::kType2: return 2;
    case RouteMix::kType3: return 3;
    case RouteMix::kType5: return 5;
    case RouteMix::kMix: {
      uint32_t r = i % 20;
      return r == 0 ? 3 : r <= 3 ? 5 : 2;
    }
  }
  return 2;
}

Rd group_rd(const Workload& wl, uint32_t g) { return Rd::type1(wl.next_hop, uint16_t(g + 1)); }

w::PathAttributes group_attrs(const Workload& wl, uint32_t g, uint8_t type) {
  w::PathAttributes a;
  a.origin = w::Origin::kIgp;
  a.as_path = w::AsPath{};
  a.local_pref = 100;
  const Vni vni = kVniBase + g;
  a.ext_communities.push_back(w::ExtCommunity::route_target(RouteTarget::as2(uint16_t(wl.asn), vni)));
  a.ext_communities.push_back(w::ExtCommunity::encapsulation(w::TunnelEncap::kVxlan));
  if (type == 3) {
    w::PmsiTunnel p;
    p.tunnel_type = 6;
    p.label = vni;
    p.tunnel_id.assign(wl.next_hop.data(), wl.next_hop.data() + wl.next_hop.size());
    a.pmsi_tunnel = p;
  }
  if (type == 5) {
    const uint8_t rmac[6] = {0x02, 0x4c, 0, 0, 0, 1};
    a.ext_communities.push_back(w::ExtCommunity::router_mac(Mac(rmac)));
  }
  return a;
}

// Appends UPDATEs for `routes` (all of one group and type) to `out`, as many NLRI per message
// as fit. Every NLRI of one type has the same size here, so the capacity is computed once.
void pack(const Workload& wl, const w::PathAttributes& attrs, std::vector<w::EvpnRoute>& routes, bool withdraw,
          Encoded& out) {
  if (routes.empty()) return;
  const w::EncodeContext ctx{.four_octet_as = true, .extended_message = wl.max_message > 4096};
  auto build = [&](size_t from, size_t to) {
    w::Update u;
    if (withdraw) {
      u.mp_unreach = w::MpUnreach{.afi_safi = kL2vpnEvpn, .evpn = {}, .prefixes = {}};
      u.mp_unreach->evpn.assign(routes.begin() + long(from), routes.begin() + long(to));
    } else {
      u.attrs = attrs;
      u.mp_reach = w::MpReach{.afi_safi = kL2vpnEvpn, .next_hop = wl.next_hop, .link_local_next_hop = {},
                              .evpn = {}, .prefixes = {}};
      u.mp_reach->evpn.assign(routes.begin() + long(from), routes.begin() + long(to));
    }
    return u;
  };
  const size_t base = w::encode_message(w::Message{build(0, 0)}, ctx).size();
  const size_t one = w::encode_message(w::Message{build(0, 1)}, ctx).size() - base;
  const size_t per_update = std::max<size_t>(1, (wl.max_message - base) / one);
  for (size_t from = 0; from < routes.size(); from += per_update) {
    const size_t to = std::min(routes.size(), from + per_update);
    if (out.chunks.empty() || out.chunks.back().size() > kChunkSize) {
      out.chunks.emplace_back();
      out.chunks.back().reserve(kChunkSize + wl.max_message);
    }
    Bytes& chunk = out.chunks.back();
    const size_t before = chunk.size();
    w::encode_message(w::Message{build(from, to)}, ctx, chunk);
    if (chunk.size() - before > wl.max_message) throw std::logic_error("packed UPDATE exceeds the message size");
    out.updates++;
    out.bytes += chunk.size() - before;
  }
  routes.clear();
}

Encoded encode_all(const Workload& wl, bool withdraw) {
  if (wl.groups == 0) throw std::invalid_argument("groups must be > 0");
  Encoded out;
  std::vector<w::EvpnRoute> batch;
  for (uint32_t g = 0; g < wl.groups && g < wl.routes; ++g) {
    for (uint8_t type : {uint8_t(2), uint8_t(3), uint8_t(5)}) {
      for (uint32_t i = g; i < wl.routes; i += wl.groups)
        if (type_of(wl.mix, i) == type) batch.push_back(make_route(wl, i));
      if (!batch.empty()) pack(wl, group_attrs(wl, g, type), batch, withdraw, out);
    }
  }
  return out;
}
}  // namespace

std::optional<RouteMix> parse_mix(const std::string& s) {
  if (s == "2") return RouteMix::kType2;
  if (s == "3") return RouteMix::kType3;
  if (s == "5") return RouteMix::kType5;
  if (s == "mix") return RouteMix::kMix;
  return std::nullopt;
}

w::EvpnRoute make_route(const Workload& wl, uint32_t i) {
  const uint32_t g = i % wl.groups;
  switch (type_of(wl.mix, i)) {
    case 3: {
      w::InclusiveMulticast r;
      r.rd = group_rd(wl, g);
      r.originator = IpAddress::v4(kType3Base + i);
      return r;
    }
    case 5: {
      w::IpPrefixRoute r;
      r.rd = group_rd(wl, g);
      r.prefix = IpPrefix(IpAddress::v4(kType5Base + i), 32);
      r.gateway = IpAddress::v4(0u);
      r.label = kVniBase + g;
      return r;
    }
    default: {
      w::MacIpAdvertisement r;
      r.rd = group_rd(wl, g);
      const uint8_t mac[6] = {0x02, 0x4c, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
      r.mac = Mac(mac);
      r.ip = IpAddress::v4(kType2IpBase + i);
      r.label1 = kVniBase + g;
      return r;
    }
  }
}

std::optional<uint32_t> route_index(const w::EvpnRoute& r) {
  if (auto* t2 = std::get_if<w::MacIpAdvertisement>(&r)) {
    const uint8_t* m = t2->mac.data();
    if (m[0] != 0x02 || m[1] != 0x4c) return std::nullopt;
    return uint32_t(m[2]) << 24 | uint32_t(m[3]) << 16 | uint32_t(m[4]) << 8 | m[5];
  }
  if (auto* t3 = std::get_if<w::InclusiveMulticast>(&r)) {
    if (!t3->originator.is_v4()) return std::nullopt;
    uint32_t a = t3->originator.v4_host_order();
    if (a < kType3Base) return std::nullopt;
    return a - kType3Base;
  }
  if (auto* t5 = std::get_if<w::IpPrefixRoute>(&r)) {
    if (!t5->prefix.address().is_v4() || t5->prefix.length() != 32) return std::nullopt;
    uint32_t a = t5->prefix.address().v4_host_order();
    if (a < kType5Base) return std::nullopt;
    return a - kType5Base;
  }
  return std::nullopt;
}

Encoded encode_announcements(const Workload& w) { return encode_all(w, false); }
Encoded encode_withdrawals(const Workload& w) { return encode_all(w, true); }

}  // namespace bgpload

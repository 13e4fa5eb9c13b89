#include "bgp/attr_table.hpp"

#include <functional>

namespace evpnd::bgp {
namespace {

struct Hasher {
  size_t h = 0xcbf29ce484222325ULL;
  void mix(uint64_t v) { h = (h ^ v) * 0x100000001b3ULL + (h >> 29); }
  void bytes(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) mix(p[i]);
  }
  void ip(const IpAddress& a) {
    mix(static_cast<uint8_t>(a.family()));
    bytes(a.data(), a.size());
  }
  void path(const wire::AsPath& p) {
    mix(p.size());
    for (const auto& seg : p) {
      mix(static_cast<uint8_t>(seg.type));
      for (Asn a : seg.asns) mix(a);
    }
  }
};

}  // namespace

size_t hash_attributes(const wire::PathAttributes& a, const IpAddress& nh) {
  Hasher h;
  h.ip(nh);
  h.mix(a.origin ? static_cast<uint8_t>(*a.origin) + 1 : 0);
  if (a.as_path) h.path(*a.as_path); else h.mix(0xA5);
  if (a.next_hop) h.ip(*a.next_hop);
  h.mix(a.med ? uint64_t(*a.med) + 1 : 0);
  h.mix(a.local_pref ? uint64_t(*a.local_pref) + 1 : 0);
  h.mix(a.atomic_aggregate);
  if (a.aggregator) { h.mix(a.aggregator->asn); h.ip(a.aggregator->address); }
  for (uint32_t c : a.communities) h.mix(c);
  if (a.originator_id) h.ip(*a.originator_id);
  for (const auto& c : a.cluster_list) h.ip(c);
  for (const auto& e : a.ext_communities) h.bytes(e.raw.data(), e.raw.size());
  if (a.as4_path) h.path(*a.as4_path);
  if (a.pmsi_tunnel) {
    h.mix(a.pmsi_tunnel->tunnel_type);
    h.mix(a.pmsi_tunnel->label);
    h.bytes(a.pmsi_tunnel->tunnel_id.data(), a.pmsi_tunnel->tunnel_id.size());
  }
  for (const auto& l : a.large_communities) { h.mix(l.global_admin); h.mix(l.local1); h.mix(l.local2); }
  for (const auto& u : a.unknown) { h.mix(u.type); h.bytes(u.value.data(), u.value.size()); }
  h.mix(a.partial);
  return h.h;
}

AttrRef AttrTable::intern(PathInfo info) {
  info.hash = hash_attributes(info.attrs, info.next_hop);
  auto [lo, hi] = table_.equal_range(info.hash);
  for (auto it = lo; it != hi; ++it) {
    if (auto sp = it->second.lock(); sp && *sp == info) return sp;
  }
  auto sp = std::make_shared<const PathInfo>(std::move(info));
  table_.emplace(sp->hash, sp);
  if (table_.size() >= purge_at_) {
    purge();
    purge_at_ = std::max<size_t>(1024, table_.size() * 2);
  }
  return sp;
}

void AttrTable::purge() {
  for (auto it = table_.begin(); it != table_.end();) {
    if (it->second.expired()) it = table_.erase(it); else ++it;
  }
}

}  // namespace evpnd::bgp

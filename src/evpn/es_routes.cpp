#include "evpn/es_routes.hpp"

#include <algorithm>

namespace evpnd::evpn {

bool esi_reserved(const Esi& e) {
  return e.is_zero() || std::all_of(e.data(), e.data() + 10, [](uint8_t b) { return b == 0xFF; });
}

void EsRoutes::ad_per_es_add(const Bytes& key, const Segment& seg) {
  auto [it, fresh] = ad_routes_.try_emplace(key, seg);
  if (!fresh) return;  // already counted (the caller withdrew it first if it changed)
  ++segments_[seg];
}

std::optional<EsRoutes::Segment> EsRoutes::ad_per_es_withdraw(const Bytes& key) {
  auto it = ad_routes_.find(key);
  if (it == ad_routes_.end()) return std::nullopt;
  const Segment seg = it->second;
  ad_routes_.erase(it);
  auto s = segments_.find(seg);
  if (s != segments_.end() && --s->second == 0) segments_.erase(s);
  return seg;
}

bool EsRoutes::present(const Segment& seg) const { return segments_.count(seg) > 0; }

void EsRoutes::track(const Bytes& key, const Segment& seg, Parked p) { macip_[key] = {seg, std::move(p)}; }

void EsRoutes::untrack(const Bytes& key) { macip_.erase(key); }

std::vector<EsRoutes::Parked> EsRoutes::dependents(const Segment& seg) const {
  std::vector<Parked> out;
  for (const auto& [key, v] : macip_) {
    if (v.first == seg) out.push_back(v.second);
  }
  return out;
}

}  // namespace evpnd::evpn

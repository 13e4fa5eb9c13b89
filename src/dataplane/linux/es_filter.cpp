// EsFilter: records, slots and map contents. The libbpf calls are in es_filter_bpf.cpp.
#include "dataplane/linux/es_filter.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dataplane/linux/bpf/es_filter_abi.h"
#include "dataplane/linux/nl_encoder.hpp"
#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::dataplane {

using namespace bpf;

namespace {

es_vtep_key key_of(const IpAddress& a) {
  es_vtep_key k{};
  if (a.is_v4()) {
    k.addr[10] = k.addr[11] = 0xFF;
    std::memcpy(k.addr + 12, a.data(), 4);
  } else {
    std::memcpy(k.addr, a.data(), 16);
  }
  return k;
}

IpAddress addr_of(const es_vtep_key& k) {
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return std::memcmp(k.addr, mapped, 12) == 0 ? IpAddress::v4(k.addr + 12) : IpAddress::v6(k.addr);
}

int ifindex_in(const NetnsName& ns, const std::string& name, std::string& why) {
  auto scope = NetnsScope::enter(ns);
  if (!scope) return why = scope.error().message, -scope.error().error;
  unsigned idx = if_nametoindex(name.c_str());
  if (idx == 0) return why = "no device " + name + (ns.empty() ? "" : " in netns " + ns), -ENODEV;
  return static_cast<int>(idx);
}

std::string name_in(const NetnsName& ns, int32_t ifindex) {
  auto scope = NetnsScope::enter(ns);
  char buf[IF_NAMESIZE] = {};
  if (!scope || !if_indextoname(static_cast<unsigned>(ifindex), buf)) return "ifindex " + std::to_string(ifindex);
  return buf;
}

constexpr const char* kReasonNames[ES_REASONS] = {"non_df", "local_bias", "blocked", "hairpin"};

}  // namespace

std::vector<int32_t> EsFilter::underlay_links() const {
  std::vector<int32_t> out;
  auto sock = nl::NlSocket::open(underlay_);
  if (!sock) return out;
  Bytes req;
  nl::encode_dump(req, RTM_GETLINK, (*sock)->next_seq(), AF_UNSPEC);
  (void)(*sock)->dump(req, [&](ByteView m) {
    auto l = nl::parse_link(m);
    if (!l || (l->flags & IFF_LOOPBACK) || l->kind == "vxlan" || l->kind == "bridge" || l->kind == "vrf") return;
    out.push_back(l->ifindex);
  });
  return out;
}

int EsFilter::load(std::string& why) {
  if (loaded_) return 0;
  // A previous evpnd (on-stop: keep) left its tagger on the underlay links: adopt its maps.
  if (auto scope = NetnsScope::enter(underlay_)) {
    for (int32_t ifindex : underlay_links()) {
      auto a = tc_query(ifindex, Hook::kIngress);
      if (a && a->name == "es_tagger" && adopt_maps(a->prog_id, maps_)) break;
    }
  }
  auto tagger = load_base(maps_);
  if (!tagger) return why = tagger.error().message, tagger.error().error;
  tagger_ = std::move(*tagger);
  slot_used_.assign(ES_MAX_SLOTS, false);
  slot_used_[ES_SLOT_TAGGER] = true;
  adopt_records();
  loaded_ = true;
  return 0;
}

void EsFilter::adopt_records() {
  // es_vteps first: the peer sets are read back as addresses.
  std::map<uint32_t, IpAddress> by_index;
  es_vtep_key k{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(maps_.vteps.get(), prev, &next) == 0) {
    uint32_t idx = 0;
    if (bpf_map_lookup_elem(maps_.vteps.get(), &next, &idx) == 0 && idx >= 1 && idx <= ES_MAX_PEER_INDEX) {
      vtep_index_[addr_of(next)] = idx;
      by_index[idx] = addr_of(next);
    }
    k = next;
    prev = &k;
  }
  for (uint32_t slot = ES_SLOT_TAGGER + 1; slot < ES_MAX_SLOTS; ++slot) {
    es_port e{};
    if (bpf_map_lookup_elem(maps_.ports.get(), &slot, &e) != 0 || !(e.flags & ES_F_ACTIVE)) continue;
    Port p;
    p.slot = slot;
    p.name.assign(e.name, strnlen(e.name, sizeof e.name));
    p.ifindex = static_cast<int32_t>(e.ifindex);
    p.vxlan = e.flags & ES_F_VXLAN;
    slot_used_[slot] = true;
    if (p.vxlan) {
      vxlans_[e.vni] = std::move(p);
      continue;
    }
    p.intent.vni = e.vni;
    p.intent.port = p.name;
    p.intent.esi = Esi(e.esi);
    p.intent.non_df = e.flags & ES_F_NON_DF;
    p.intent.blocked = e.flags & ES_F_BLOCKED;
    for (uint32_t i = 1; i <= ES_MAX_PEER_INDEX; ++i)
      if (((e.peers >> i) & 1) && by_index.count(i)) p.intent.peer_vteps.push_back(by_index[i]);
    std::sort(p.intent.peer_vteps.begin(), p.intent.peer_vteps.end());
    ports_[std::tuple(e.vni, p.name)] = std::move(p);
  }
  if (auto scope = NetnsScope::enter(underlay_))
    for (int32_t ifindex : underlay_links()) {
      auto a = tc_query(ifindex, Hook::kIngress);
      if (a && a->name == "es_tagger" &&
          std::find(a->map_ids.begin(), a->map_ids.end(), maps_.ports_id) != a->map_ids.end())
        tagged_.insert(ifindex);
    }
}

std::optional<uint32_t> EsFilter::alloc_slot() {
  for (uint32_t s = 0; s < slot_used_.size(); ++s) {
    if (slot_used_[s]) continue;
    slot_used_[s] = true;
    // A reused slot starts from zero: counters belong to the attachment, not the slot.
    const int ncpu = libbpf_num_possible_cpus();
    std::vector<uint64_t> zero(ncpu > 0 ? ncpu : 1, 0);
    for (uint32_t r = 0; r < ES_REASONS; ++r) {
      uint32_t idx = s * ES_REASONS + r;
      bpf_map_update_elem(maps_.stats.get(), &idx, zero.data(), BPF_ANY);
    }
    return s;
  }
  return std::nullopt;
}

int EsFilter::peers_of(const std::vector<IpAddress>& vteps, uint64_t& bits, std::string& why) {
  bits = 0;
  for (const auto& v : vteps) {
    auto it = vtep_index_.find(v);
    if (it == vtep_index_.end()) {
      std::set<uint32_t> used;
      for (const auto& [a, i] : vtep_index_) used.insert(i);
      uint32_t idx = 1;
      while (idx <= ES_MAX_PEER_INDEX && used.count(idx)) ++idx;
      if (idx > ES_MAX_PEER_INDEX) return why = "more than 63 peer VTEPs share local segments", ENOSPC;
      es_vtep_key k = key_of(v);
      if (bpf_map_update_elem(maps_.vteps.get(), &k, &idx, BPF_ANY) != 0)
        return why = "es_vteps update: " + std::string(std::strerror(errno)), errno;
      it = vtep_index_.emplace(v, idx).first;
    }
    bits |= uint64_t{1} << it->second;
  }
  return 0;
}

void EsFilter::collect_vtep_indexes() {
  std::set<IpAddress> wanted;
  for (const auto& [k, p] : ports_) wanted.insert(p.intent.peer_vteps.begin(), p.intent.peer_vteps.end());
  for (auto it = vtep_index_.begin(); it != vtep_index_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    es_vtep_key k = key_of(it->first);
    bpf_map_delete_elem(maps_.vteps.get(), &k);
    it = vtep_index_.erase(it);
  }
}

int EsFilter::write_entry(const Port& p, std::string& why) {
  es_port e{};
  e.flags = ES_F_ACTIVE;
  e.ifindex = static_cast<uint32_t>(p.ifindex);
  std::strncpy(e.name, p.name.c_str(), sizeof e.name - 1);
  if (p.vxlan) {
    e.flags |= ES_F_VXLAN;
    e.vni = p.intent.vni;
  } else {
    if (p.intent.non_df) e.flags |= ES_F_NON_DF;
    if (p.intent.blocked) e.flags |= ES_F_BLOCKED;
    uint64_t peers = 0;
    if (int err = peers_of(p.intent.peer_vteps, peers, why)) return err;
    e.peers = peers;
    e.vni = p.intent.vni;
    std::memcpy(e.esi, p.intent.esi.data(), sizeof e.esi);
  }
  if (bpf_map_update_elem(maps_.ports.get(), &p.slot, &e, BPF_ANY) != 0)
    return why = "es_ports update: " + std::string(std::strerror(errno)), errno;
  return 0;
}

int EsFilter::ensure_programs(Port& p, std::string& why) {
  auto scope = NetnsScope::enter(p.netns);
  if (!scope) return why = scope.error().message, scope.error().error;
  auto ours = [&](Hook h) {
    auto a = tc_query(p.ifindex, h);
    return a && a->slot == p.slot &&
           std::find(a->map_ids.begin(), a->map_ids.end(), maps_.ports_id) != a->map_ids.end();
  };
  if (ours(Hook::kEgress) && (p.vxlan || ours(Hook::kIngress))) return 0;  // adopted or unchanged
  auto progs = load_port(maps_, p.slot);
  if (!progs) return why = progs.error().message, progs.error().error;
  if (int err = tc_attach(p.ifindex, Hook::kEgress, progs->first.get(), why)) return why = p.name + ": " + why, err;
  if (!p.vxlan)
    if (int err = tc_attach(p.ifindex, Hook::kIngress, progs->second.get(), why)) return why = p.name + ": " + why, err;
  return 0;
}

int EsFilter::program(Port& p, std::string& why) {
  if (p.ifindex <= 0) {
    int idx = ifindex_in(p.netns, p.name, why);
    if (idx < 0) return -idx;
    p.ifindex = idx;
  }
  // The entry first: the programs find their state as soon as they are attached.
  if (int err = write_entry(p, why)) return err;
  return ensure_programs(p, why);
}

void EsFilter::remove(Port& p) {
  if (p.netns_known) {
    std::string why;
    // Detach only from the device we attached to (a re-created one is not ours to touch).
    if (ifindex_in(p.netns, p.name, why) == p.ifindex) {
      if (auto scope = NetnsScope::enter(p.netns)) {
        tc_detach(p.ifindex, Hook::kEgress);
        if (!p.vxlan) tc_detach(p.ifindex, Hook::kIngress);
      }
    }
  }
  es_port e{};
  bpf_map_update_elem(maps_.ports.get(), &p.slot, &e, BPF_ANY);
  slot_used_[p.slot] = false;
}

int EsFilter::apply(const EsAttachment& a, Action act, const EsPortContext& ctx, std::string& why) {
  if (int err = load(why)) return err;
  const auto key = std::tuple(a.vni, a.port);
  if (act == Action::kDelete) {
    auto it = ports_.find(key);
    if (it == ports_.end()) return 0;
    if (!it->second.netns_known && ctx.port_ifindex) it->second.netns = ctx.netns, it->second.netns_known = true;
    remove(it->second);
    ports_.erase(it);
    collect_vtep_indexes();
    const bool vni_left = std::any_of(ports_.begin(), ports_.end(), [&](const auto& kv) { return kv.second.intent.vni == a.vni; });
    if (!vni_left) {
      if (auto v = vxlans_.find(a.vni); v != vxlans_.end()) {
        if (!v->second.netns_known && ctx.port_ifindex) v->second.netns = ctx.netns, v->second.netns_known = true;
        remove(v->second);
        vxlans_.erase(v);
      }
    }
    sync_udp_ports();
    release_all_if_idle();
    return 0;
  }
  if (a.port.empty() || a.port.size() >= IF_NAMESIZE) return why = "invalid port name '" + a.port + "'", EINVAL;
  auto it = ports_.find(key);
  if (it == ports_.end()) {
    auto slot = alloc_slot();
    if (!slot) return why = "no free ES filter slot", ENOSPC;
    it = ports_.emplace(key, Port{}).first;
    it->second.slot = *slot;
  }
  Port& p = it->second;
  p.netns = ctx.netns;
  p.netns_known = true;
  p.name = a.port;
  p.ifindex = ctx.port_ifindex;
  p.intent = a;
  int err = program(p, why);
  collect_vtep_indexes();  // after the new peer set is written: indexes no port uses any more
  if (err) return err;
  // The VNI's VXLAN device: overlay BUM never back into the overlay (hairpin for fast failover).
  auto v = vxlans_.find(a.vni);
  if (v == vxlans_.end()) {
    auto slot = alloc_slot();
    if (!slot) return why = "no free ES filter slot", ENOSPC;
    v = vxlans_.emplace(a.vni, Port{}).first;
    v->second.slot = *slot;
    v->second.vxlan = true;
  }
  v->second.netns = ctx.netns;
  v->second.netns_known = true;
  v->second.name = name_in(ctx.netns, ctx.vxlan_ifindex);
  v->second.ifindex = ctx.vxlan_ifindex;
  v->second.intent.vni = a.vni;
  v->second.dstport = ctx.dstport;
  if (int e2 = program(v->second, why)) return e2;
  sync_udp_ports();
  ensure_taggers();
  return 0;
}

void EsFilter::sync_udp_ports() {
  std::set<uint16_t> want;
  for (const auto& [vni, v] : vxlans_) want.insert(htons(v.dstport));
  uint16_t k = 0, next = 0;
  std::vector<uint16_t> stale;
  const void* prev = nullptr;
  while (bpf_map_get_next_key(maps_.udp_ports.get(), prev, &next) == 0) {
    if (!want.count(next)) stale.push_back(next);
    k = next;
    prev = &k;
  }
  for (uint16_t s : stale) bpf_map_delete_elem(maps_.udp_ports.get(), &s);
  uint8_t one = 1;
  for (uint16_t w : want) bpf_map_update_elem(maps_.udp_ports.get(), &w, &one, BPF_ANY);
}

void EsFilter::ensure_tagger(int32_t ifindex) {
  std::string why;
  if (tc_attach(ifindex, Hook::kIngress, tagger_.get(), why) == 0) tagged_.insert(ifindex);
}

void EsFilter::ensure_taggers() {
  es_port self{};
  self.flags = ES_F_ACTIVE;
  const uint32_t slot = ES_SLOT_TAGGER;
  bpf_map_update_elem(maps_.ports.get(), &slot, &self, BPF_ANY);
  auto scope = NetnsScope::enter(underlay_);
  if (!scope) return;
  for (int32_t ifindex : underlay_links())
    if (!tagged_.count(ifindex)) ensure_tagger(ifindex);
}

void EsFilter::release_all_if_idle() {
  if (!ports_.empty()) return;
  // No segment left: the underlay goes back to untagged.
  es_port off{};
  const uint32_t slot = ES_SLOT_TAGGER;
  bpf_map_update_elem(maps_.ports.get(), &slot, &off, BPF_ANY);
  if (auto scope = NetnsScope::enter(underlay_))
    for (int32_t ifindex : tagged_) tc_detach(ifindex, Hook::kIngress);
  tagged_.clear();
}

void EsFilter::link_changed(const NetnsName& ns, int32_t ifindex, const std::string& name, bool removed) {
  if (!loaded_ || ports_.empty()) return;
  if (ns == underlay_) {
    if (removed) {
      tagged_.erase(ifindex);
    } else if (!tagged_.count(ifindex)) {
      const auto links = underlay_links();
      if (std::find(links.begin(), links.end(), ifindex) != links.end())
        if (auto scope = NetnsScope::enter(underlay_)) ensure_tagger(ifindex);
    }
  }
  if (removed) return;
  auto again = [&](Port& p) {
    if (!p.netns_known || p.netns != ns || p.name != name || p.ifindex == ifindex) return;
    p.ifindex = ifindex;
    std::string why;
    program(p, why);  // a failure shows in the next apply() of the attachment
  };
  for (auto& [k, p] : ports_) again(p);
  for (auto& [k, v] : vxlans_) again(v);
}

std::vector<EsAttachment> EsFilter::programmed() {
  if (!loaded_) {
    bool left = false;
    if (auto scope = NetnsScope::enter(underlay_))
      for (int32_t ifindex : underlay_links())
        if (auto a = tc_query(ifindex, Hook::kIngress); a && a->name == "es_tagger") left = true;
    std::string why;
    if (!left || load(why) != 0) return {};
  }
  std::vector<EsAttachment> out;
  for (const auto& [k, p] : ports_) out.push_back(p.intent);
  return out;
}

uint64_t EsFilter::read_counter(uint32_t index) const {
  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return 0;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu), 0);
  if (bpf_map_lookup_elem(maps_.stats.get(), &index, per_cpu.data()) != 0) return 0;
  uint64_t sum = 0;
  for (uint64_t v : per_cpu) sum += v;
  return sum;
}

std::vector<EsDropCounter> EsFilter::counters() const {
  std::vector<EsDropCounter> out;
  if (!loaded_) return out;
  for (const auto& [k, p] : ports_)
    for (uint32_t r : {ES_R_NON_DF, ES_R_LOCAL_BIAS, ES_R_BLOCKED})
      out.push_back({p.intent.vni, p.name, p.intent.esi, kReasonNames[r], read_counter(p.slot * ES_REASONS + r)});
  for (const auto& [vni, v] : vxlans_)
    out.push_back({vni, v.name, std::nullopt, kReasonNames[ES_R_HAIRPIN], read_counter(v.slot * ES_REASONS + ES_R_HAIRPIN)});
  return out;
}

uint32_t EsFilter::egress_prog_id(Vni vni, const std::string& port) const {
  auto it = ports_.find(std::tuple(vni, port));
  if (it == ports_.end() || !it->second.netns_known) return 0;
  auto scope = NetnsScope::enter(it->second.netns);
  if (!scope) return 0;
  auto a = tc_query(it->second.ifindex, Hook::kEgress);
  return a ? a->prog_id : 0;
}

}  // namespace evpnd::dataplane

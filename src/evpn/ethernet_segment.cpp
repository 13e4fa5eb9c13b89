// EthernetSegment: the RFC 8584 §2.1 state machine and the routes/intents it yields.
#include "evpn/ethernet_segment.hpp"

#include <algorithm>

namespace evpnd::evpn {
namespace {

DfAlgorithm to_df(api::DfAlgorithmConfig a) { return static_cast<DfAlgorithm>(static_cast<uint8_t>(a)); }

std::string algorithm_name(const DfParams& p) {
  if (p.raw_algorithm <= 3) return to_string(p.algorithm);
  return "unknown(" + std::to_string(p.raw_algorithm) + ")";
}

}  // namespace

EthernetSegment::EthernetSegment(api::EthernetSegmentConfig cfg, EsContext ctx)
    : cfg_(std::move(cfg)), ctx_(std::move(ctx)) {
  for (const auto& [vni, port] : cfg_.attachments) attachments_[vni].port = port;
}

std::optional<Vni> EthernetSegment::vni_of_port(const std::string& port) const {
  for (const auto& [vni, a] : attachments_)
    if (a.port == port) return vni;
  return std::nullopt;
}

// ---- inputs -------------------------------------------------------------------------------

void EthernetSegment::start(Time now, Time hold_until, Output& out) {
  started_ = true;
  hold_until_ = hold_until;
  reconcile(now, out);
}

void EthernetSegment::stop(Output& out) {
  for (auto& [key, p] : published_) out.withdraw(p.route, ctx_.local_vtep);
  published_.clear();
  for (auto& [vni, a] : installed_) out.del(a);
  installed_.clear();
  started_ = false;
  state_ = State::kDown;
}

void EthernetSegment::set_evi(const EsEvi& evi, Time now, Output& out) {
  auto it = attachments_.find(evi.vni);
  if (it == attachments_.end()) return;
  it->second.evi = evi;
  reconcile(now, out);
}

void EthernetSegment::remove_evi(Vni vni, Time now, Output& out) {
  auto it = attachments_.find(vni);
  if (it == attachments_.end() || !it->second.evi) return;
  it->second.evi.reset();
  reconcile(now, out);
}

void EthernetSegment::set_attachment(Vni vni, bool up, Time now, Output& out) {
  auto it = attachments_.find(vni);
  if (it == attachments_.end() || it->second.up == up) return;
  it->second.up = up;
  reconcile(now, out);
}

void EthernetSegment::reconfigure(const api::EthernetSegmentConfig& cfg, Time now, Output& out) {
  cfg_ = cfg;  // name, ESI and attachments are the same (the caller re-creates otherwise)
  reconcile(now, out);
}

void EthernetSegment::peer_es_route(const Bytes& key, const IpAddress& originator, const DfParams& df, Time now,
                                    Output& out) {
  if (originator == ctx_.local_vtep) return;
  peer_es_[key] = Peer{originator, df};
  reconcile(now, out);
}

void EthernetSegment::peer_evi_route(const Bytes& key, const IpAddress& vtep, Vni vni, Time now, Output& out) {
  if (vtep == ctx_.local_vtep) return;
  peer_evi_[key] = {vtep, vni};
  reconcile(now, out);
}

void EthernetSegment::peer_withdraw(const Bytes& key, Time now, Output& out) {
  const bool known = peer_es_.erase(key) + peer_evi_.erase(key) > 0;
  if (known) reconcile(now, out);
}

void EthernetSegment::on_timer(Time now, Output& out) { reconcile(now, out); }

std::optional<Time> EthernetSegment::next_deadline() const {
  if (!started_) return std::nullopt;
  if (state_ == State::kDfWait) return wait_until_;
  // Held by the start-up delay with an attachment up: wake when it ends.
  if (state_ == State::kDown && std::any_of(attachments_.begin(), attachments_.end(),
                                            [](const auto& a) { return a.second.up && a.second.evi; }))
    return hold_until_;
  return std::nullopt;
}

void EthernetSegment::set_backup_nhid(uint32_t id, Output& out) {
  if (backup_nhid_ == id) return;
  backup_nhid_ = id;
  for (auto& [vni, want] : desired_intents()) {
    auto it = installed_.find(vni);
    if (it != installed_.end() && it->second == want) continue;
    installed_[vni] = want;
    out.add(want);
  }
}

// ---- state machine ------------------------------------------------------------------------

bool EthernetSegment::can_be_up(Time now) const {
  if (!started_ || now < hold_until_) return false;
  return std::any_of(attachments_.begin(), attachments_.end(),
                     [](const auto& a) { return a.second.up && a.second.evi; });
}

void EthernetSegment::evaluate(Time now) {
  const bool up = can_be_up(now);
  if (!up) {
    state_ = State::kDown;  // ES_DOWN (or still INIT)
    return;
  }
  if (state_ == State::kDown) {  // ES_UP: advertise the type-4, start the DF Wait timer
    state_ = State::kDfWait;
    wait_until_ = now + ctx_.df_wait;
  }
  if (state_ == State::kDfWait && now >= wait_until_) state_ = State::kDfDone;  // DF_TIMER
}

DfParams EthernetSegment::local_df() const {
  DfParams p;
  p.algorithm = to_df(cfg_.df_algorithm);
  p.raw_algorithm = static_cast<uint8_t>(p.algorithm);
  p.ac_df = cfg_.ac_df;
  p.dont_preempt = cfg_.dont_preempt;
  // RFC 9785 §3: the preference is only meaningful for algorithms 2 and 3; FRR sends it anyway.
  p.preference = cfg_.df_preference;
  return p;
}

std::vector<DfCandidate> EthernetSegment::candidates(Vni vni) const {
  std::vector<DfCandidate> c;
  const DfParams me = local_df();
  const auto& a = attachments_.at(vni);
  c.push_back({ctx_.local_vtep, me.algorithm, me.ac_df, me.preference, me.dont_preempt, a.up && a.evi.has_value()});
  std::map<IpAddress, const Peer*> peers;  // one candidate per PE even with several type-4 RDs
  for (const auto& [key, p] : peer_es_) peers.emplace(p.originator, &p);
  for (const auto& [ip, p] : peers) {
    const bool has_evi = std::any_of(peer_evi_.begin(), peer_evi_.end(),
                                     [&](const auto& e) { return e.second.first == ip && e.second.second == vni; });
    c.push_back({ip, p->df.algorithm, p->df.ac_df, p->df.preference, p->df.dont_preempt, has_evi});
  }
  return c;
}

void EthernetSegment::calculate() {
  for (auto& [vni, a] : attachments_) {
    bool df = false;
    if (state_ == State::kDfDone && a.evi) {
      a.result = elect_df(cfg_.esi, a.evi->df_id, candidates(vni));
      df = a.result.df == ctx_.local_vtep;
    } else {
      a.result = {};
    }
    if (df != a.is_df) ++df_changes_;
    a.is_df = df;
  }
}

// ---- what we want published ---------------------------------------------------------------

KeyMap<EthernetSegment::Published> EthernetSegment::desired_routes() const {
  KeyMap<Published> want;
  if (state_ == State::kDown || ctx_.rds.empty()) return want;
  auto put = [&](wire::EvpnRoute r, wire::PathAttributes a) {
    Bytes key = wire::route_key(r);
    want.emplace(std::move(key), Published{std::move(r), std::move(a)});
  };
  put(make_es_route(ctx_.rds[0], cfg_.esi, ctx_.local_vtep), es_route_attrs(cfg_.esi, local_df()));
  // A-D per ES over fragments of at most 128 EVIs, each with its own RD (as FRR; RFC 7432 §8.2.1
  // lets the RTs of one ES be spread over several routes).
  std::vector<const EsEvi*> evis;
  for (const auto& [vni, a] : attachments_)
    if (a.evi) evis.push_back(&*a.evi);
  for (size_t f = 0; f * kEvisPerEsFragment < evis.size() && f < ctx_.rds.size(); ++f) {
    std::vector<RouteTarget> rts;
    for (size_t i = f * kEvisPerEsFragment; i < std::min(evis.size(), (f + 1) * kEvisPerEsFragment); ++i)
      rts.insert(rts.end(), evis[i]->export_rts.begin(), evis[i]->export_rts.end());
    put(make_ad_per_es_route(ctx_.rds[f], cfg_.esi), ad_per_es_attrs(cfg_.single_active, rts));
  }
  // A-D per EVI while the attachment is up (RFC 8584 §4: withdrawn when the AC goes down).
  for (const auto& [vni, a] : attachments_)
    if (a.evi && a.up) put(make_ad_per_evi_route(a.evi->rd, cfg_.esi, vni), ad_per_evi_attrs(a.evi->export_rts));
  return want;
}

std::vector<IpAddress> EthernetSegment::peer_vteps() const {
  std::vector<IpAddress> v;
  for (const auto& [key, p] : peer_es_) v.push_back(p.originator);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::map<Vni, dataplane::EsAttachment> EthernetSegment::desired_intents() const {
  std::map<Vni, dataplane::EsAttachment> want;
  if (!ctx_.dataplane || !started_) return want;
  const std::vector<IpAddress> peers = peer_vteps();
  for (const auto& [vni, a] : attachments_) {
    if (!a.evi) continue;
    dataplane::EsAttachment x;
    x.vni = vni;
    x.port = a.port;
    x.esi = cfg_.esi;
    x.non_df = !a.is_df;                                 // RFC 7432 §8.5
    x.blocked = cfg_.single_active && !a.is_df;          // RFC 7432 §14.1.1
    x.peer_vteps = peers;                                // RFC 8365 §8.3.1 local bias
    x.backup_nhid = cfg_.fast_failover ? backup_nhid_ : 0;
    want.emplace(vni, std::move(x));
  }
  return want;
}

void EthernetSegment::reconcile(Time now, Output& out) {
  // Inputs without a time of their own (a VNI added by a reload) pass Time{}: the steady clock
  // never goes back, so the latest time seen stands in.
  now = std::max(now, last_now_);
  last_now_ = now;
  evaluate(now);
  calculate();
  // Routes: the type-4 first (RFC 7432 §8.5: the ES route precedes the DF election), then the
  // A-D routes; withdrawals before advertisements.
  KeyMap<Published> want = desired_routes();
  for (auto it = published_.begin(); it != published_.end();) {
    if (want.count(it->first)) {
      ++it;
      continue;
    }
    out.withdraw(it->second.route, ctx_.local_vtep);
    it = published_.erase(it);
  }
  std::vector<std::pair<int, const Bytes*>> order;  // type 4 before type 1
  for (const auto& [key, p] : want) order.push_back({wire::route_type(p.route) == 4 ? 0 : 1, &key});
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [rank, key] : order) {
    const Published& p = want.at(*key);
    auto it = published_.find(*key);
    if (it != published_.end() && it->second.attrs == p.attrs) continue;
    out.advertise(p.route, p.attrs, ctx_.local_vtep);
    published_[*key] = p;
  }
  std::map<Vni, dataplane::EsAttachment> intents = desired_intents();
  for (auto it = installed_.begin(); it != installed_.end();) {
    if (intents.count(it->first)) {
      ++it;
      continue;
    }
    out.del(it->second);
    it = installed_.erase(it);
  }
  for (auto& [vni, x] : intents) {
    auto it = installed_.find(vni);
    if (it != installed_.end() && it->second == x) continue;
    out.add(x);
    installed_[vni] = std::move(x);
  }
}

// ---- views --------------------------------------------------------------------------------

bool EthernetSegment::is_df(Vni vni) const {
  auto it = attachments_.find(vni);
  return it != attachments_.end() && it->second.is_df;
}

std::vector<EsEviView> EthernetSegment::evi_views() const {
  std::vector<EsEviView> out;
  for (const auto& [vni, a] : attachments_) {
    EsEviView v;
    v.name = cfg_.name;
    v.esi = cfg_.esi;
    v.vni = vni;
    v.port = a.port;
    v.attachment_up = a.up;
    v.evi_present = a.evi.has_value();
    v.df = a.result.df;
    v.is_df = a.is_df;
    auto it = installed_.find(vni);
    v.non_df = it == installed_.end() || it->second.non_df;
    v.blocked = it != installed_.end() && it->second.blocked;
    if (a.result.df || !a.result.ranking.empty()) v.df_algorithm_used = to_string(a.result.algorithm);
    v.df_fallback = a.result.fallback;
    v.ranking = a.result.ranking;
    v.df_id = a.evi ? a.evi->df_id : vni;
    out.push_back(std::move(v));
  }
  return out;
}

EsView EthernetSegment::view(Time now) const {
  EsView v;
  v.name = cfg_.name;
  v.esi = cfg_.esi;
  v.redundancy = cfg_.single_active ? "single-active" : "all-active";
  const bool held = started_ && now < hold_until_;
  v.state = state_ == State::kDfDone ? "up" : state_ == State::kDfWait ? "df-wait" : held ? "startup-delay" : "down";
  auto remaining = [&](Time until) {
    return uint64_t(std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(until - now).count()));
  };
  if (state_ == State::kDfWait) v.df_wait_remaining_ms = remaining(wait_until_);
  else if (held) v.df_wait_remaining_ms = remaining(hold_until_);
  v.df_wait_ms = uint32_t(ctx_.df_wait.count());
  v.es_import = es_import();
  if (!ctx_.rds.empty()) v.rd = ctx_.rds[0];
  for (const auto& [key, p] : published_)
    if (const auto* ad = std::get_if<wire::EthernetAutoDiscovery>(&p.route); ad && ad->ethernet_tag == kMaxEthernetTag)
      v.fragment_rds.push_back(ad->rd);
  v.fast_failover = cfg_.fast_failover;
  v.backup_nhid = cfg_.fast_failover ? backup_nhid_ : 0;
  const DfParams me = local_df();
  v.vteps.push_back({ctx_.local_vtep, true, algorithm_name(me), me.preference, me.dont_preempt, me.ac_df,
                     state_ != State::kDown, {}});
  std::map<IpAddress, EsVtepView> peers;
  for (const auto& [key, p] : peer_es_)
    peers[p.originator] = {p.originator, false, algorithm_name(p.df), p.df.preference, p.df.dont_preempt, p.df.ac_df,
                           true, {}};
  for (const auto& [key, e] : peer_evi_) {
    auto it = peers.find(e.first);
    if (it != peers.end()) it->second.evis.push_back(e.second);
  }
  for (auto& [ip, p] : peers) {
    std::sort(p.evis.begin(), p.evis.end());
    p.evis.erase(std::unique(p.evis.begin(), p.evis.end()), p.evis.end());
    v.vteps.push_back(std::move(p));
  }
  v.evis = evi_views();
  v.df_changes = df_changes_;
  return v;
}

}  // namespace evpnd::evpn

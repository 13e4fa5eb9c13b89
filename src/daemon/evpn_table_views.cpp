#include "daemon/evpn_table_views.hpp"

#include <charconv>

namespace evpnd::daemon {
namespace {
using nlohmann::json;

const char* origin(evpn::EntryOrigin o) { return o == evpn::EntryOrigin::kLocal ? "local" : "remote"; }

template <class T>
json strings(const std::vector<T>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back(x.to_string());
  return a;
}

json mac_item(const evpn::MacView& m) {
  json flags = json::array();
  if (m.sticky) flags.push_back("sticky");
  if (m.duplicate) flags.push_back("duplicate");
  if (m.frozen) flags.push_back("frozen");
  if (m.synced) flags.push_back("peer-active");  // MAC sync: the segment's peer PE advertises it
  if (m.endpoint) flags.push_back("endpoint");     // announced through the API (issue 11), pinned
  const bool local = m.origin == evpn::EntryOrigin::kLocal;
  json item = {{"vni", m.vni}, {"mac", m.mac.to_string()}, {"type", origin(m.origin)},
               {"interface", local ? m.port : ""}, {"vtep", local && !m.synced ? "" : m.remote_vtep.to_string()},
               {"sequence", local ? m.local_seq : m.remote_seq}, {"local_sequence", m.local_seq},
               {"remote_sequence", m.remote_seq}, {"flags", flags}, {"ips", strings(m.ips)}};
  if (!m.esi.is_zero()) item["esi"] = m.esi.to_string();  // behind / on an Ethernet segment
  if (m.nhid != 0) item["nhid"] = m.nhid;                  // its FDB nexthop group (aliasing)
  return item;
}

json neigh_item(const evpn::MacVrf& vrf, const evpn::NeighView& n) {
  const bool local = n.origin == evpn::EntryOrigin::kLocal;
  uint32_t seq = 0;
  if (auto m = vrf.mac_view(n.mac)) seq = local ? m->local_seq : m->remote_seq;
  return {{"vni", n.vni}, {"ip", n.ip.to_string()}, {"mac", n.mac.to_string()}, {"type", origin(n.origin)},
          {"vtep", local ? "" : n.remote_vtep.to_string()}, {"sequence", seq}};
}

std::optional<Vni> parse_vni(std::string_view s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > kMaxVni) return std::nullopt;
  return v;
}

// Walks the L2VNIs in order; per VNI, Table::batch(vrf, after_key, n) returns the next entries.
// Key is the per-VNI position (a MAC, or (remote, IP)); the cursor is "<vni>-<key>".
template <class Key, class View>
class TableWalker : public ViewWalker {
 public:
  using Batch = std::vector<View> (*)(const evpn::MacVrf&, const std::optional<Key>&, size_t);
  using Item = json (*)(const evpn::MacVrf&, const View&);
  using KeyOf = Key (*)(const View&);
  TableWalker(const Daemon& d, std::optional<Vni> only, std::optional<std::pair<Vni, Key>> after, Batch batch,
              Item item, KeyOf key_of)
      : d_(d), engine_(&d.engine()), only_(only), after_(std::move(after)), batch_(batch), item_(item), key_of_(key_of) {}

  bool walk(ItemSink& sink) override {
    static constexpr size_t kBatch = 64;
    const evpn::EvpnService* s = d_.engine().evpn();
    if (!s) return false;
    for (Vni v : s->l2vnis()) {
      if ((only_ && v != *only_) || (after_ && v < after_->first)) continue;
      const evpn::MacVrf* vrf = s->mac_vrf(v);
      std::optional<Key> from;
      if (after_ && after_->first == v) from = after_->second;
      for (;;) {
        if (sink.stop()) return true;
        const auto views = batch_(*vrf, from, kBatch);
        for (const View& x : views) {
          if (sink.stop()) return true;
          sink.add(item_(*vrf, x));
          from = key_of_(x);
          after_ = std::make_pair(v, *from);
        }
        if (views.size() < kBatch) break;
      }
    }
    return false;
  }
  bool invalidated() const override { return &d_.engine() != engine_; }
  const std::optional<std::pair<Vni, Key>>& position() const { return after_; }

 private:
  const Daemon& d_;
  const engine::Engine* engine_;
  std::optional<Vni> only_;
  std::optional<std::pair<Vni, Key>> after_;
  Batch batch_;
  Item item_;
  KeyOf key_of_;
};

using NeighKey = std::pair<bool, IpAddress>;  // (remote, ip): local neighbours come first

class MacWalker : public TableWalker<Mac, evpn::MacView> {
 public:
  using TableWalker::TableWalker;
  std::string cursor() const override {
    return position() ? std::to_string(position()->first) + "-" + position()->second.to_string() : "";
  }
};

class NeighWalker : public TableWalker<NeighKey, evpn::NeighView> {
 public:
  using TableWalker::TableWalker;
  std::string cursor() const override {
    if (!position()) return "";
    return std::to_string(position()->first) + (position()->second.first ? "-r-" : "-l-") +
           position()->second.second.to_string();
  }
};

api::ApiResponse bad_cursor(const std::string& c) {
  return api::ApiResponse{400, json{{"error", "bad cursor '" + c + "': pass back a next_cursor value"}}};
}

}  // namespace

api::ApiResponse mac_table_reply(const Daemon& d, std::optional<Vni> vni, const PageParams& page) {
  std::optional<std::pair<Vni, Mac>> after;
  if (page.cursor && !page.cursor->empty()) {  // "<vni>-<mac>"
    const auto dash = page.cursor->find('-');
    auto v = dash == std::string::npos ? std::nullopt : parse_vni(std::string_view(*page.cursor).substr(0, dash));
    auto m = v ? Mac::parse(page.cursor->substr(dash + 1)) : std::nullopt;
    if (!m) return bad_cursor(*page.cursor);
    after = std::make_pair(*v, *m);
  }
  auto batch = [](const evpn::MacVrf& vrf, const std::optional<Mac>& from, size_t n) { return vrf.mac_views_after(from, n); };
  auto item = [](const evpn::MacVrf&, const evpn::MacView& m) { return mac_item(m); };
  auto key = [](const evpn::MacView& m) { return m.mac; };
  return paged_reply("macs", std::make_unique<MacWalker>(d, vni, after, batch, item, key), page.limit);
}

api::ApiResponse arp_cache_reply(const Daemon& d, std::optional<Vni> vni, const PageParams& page) {
  std::optional<std::pair<Vni, NeighKey>> after;
  if (page.cursor && !page.cursor->empty()) {  // "<vni>-l-<ip>" or "<vni>-r-<ip>"
    const std::string& c = *page.cursor;
    const auto dash = c.find('-');
    auto v = dash == std::string::npos ? std::nullopt : parse_vni(std::string_view(c).substr(0, dash));
    const bool kind_ok = v && c.size() > dash + 3 && (c[dash + 1] == 'l' || c[dash + 1] == 'r') && c[dash + 2] == '-';
    auto ip = kind_ok ? IpAddress::parse(c.substr(dash + 3)) : std::nullopt;
    if (!ip) return bad_cursor(c);
    after = std::make_pair(*v, NeighKey{c[dash + 1] == 'r', *ip});
  }
  auto batch = [](const evpn::MacVrf& vrf, const std::optional<NeighKey>& from, size_t n) {
    return vrf.neigh_views_after(from, n);
  };
  auto key = [](const evpn::NeighView& n) { return NeighKey{n.origin == evpn::EntryOrigin::kRemote, n.ip}; };
  return paged_reply("entries", std::make_unique<NeighWalker>(d, vni, after, batch, neigh_item, key), page.limit);
}

}  // namespace evpnd::daemon

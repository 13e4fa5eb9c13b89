// A route reflector speaker driven byte by byte by scripted peers (each its own connection,
// OPEN contents chosen by the test), recording every message the reflector sends to each one,
// decoded as that peer would (a peer without extended messages refuses more than 4096 octets).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim_net.hpp"
#include "test_util.hpp"

namespace evpnd::bgp::test {

class RawRr : public ::testing::Test {
 protected:
  struct RawPeer {
    ConnId conn = 0;
    bool extended = true;
    bool closed = false;
    bool too_long = false;  // a message it could not accept arrived (RFC 4271 §6.1 Bad Message Length)
    std::vector<wire::Message> got;
    std::vector<Bytes> bytes;  // each message of `got` as sent
  };

  void SetUp() override {
    SpeakerConfig c;
    c.asn = 65000;
    c.router_id = ip("10.0.0.254");
    rr_ = std::make_unique<Speaker>(c);
  }
  // An iBGP route-reflector client configured with `families`.
  void add(const char* addr, std::vector<AfiSafi> families = {kL2vpnEvpn}) {
    PeerConfig pc = peer(addr, 65000, true, true);
    pc.families = std::move(families);
    Output o;
    rr_->add_peer(pc, o);
  }
  // A peer with its own configuration (eBGP, filters, max-prefix...); passive as add()'s.
  void add(PeerConfig pc) {
    pc.passive = true;
    Output o;
    rr_->add_peer(pc, o);
  }
  // Connects `addr` and completes OPEN/KEEPALIVE with an OPEN listing `families`, from AS `asn`;
  // `local` is the reflector's address on the connection (what the I/O layer reports), `tweak`
  // edits the OPEN before it is sent (graceful-restart capability, ...).
  void establish(const char* addr, std::vector<AfiSafi> families = {kL2vpnEvpn}, bool extended = true,
                 Asn asn = 65000, std::optional<IpAddress> local = std::nullopt,
                 const std::function<void(wire::Open&)>& tweak = {}) {
    RawPeer& r = peers_[addr];
    r = RawPeer{};
    r.conn = kInboundConnBase + (++conns_);
    r.extended = extended;
    Output o;
    ASSERT_TRUE(rr_->on_accepted(r.conn, ip(addr), o, local));
    collect(o);
    LocalSettings l;
    l.asn = asn;
    l.router_id = ip(addr).is_v4() ? ip(addr) : ip("10.99.0.1");
    l.families = std::move(families);
    l.extended_message = extended;
    wire::Open open = build_open(l);
    if (tweak) tweak(open);
    send(addr, open);
    send(addr, wire::Keepalive{});
    ASSERT_TRUE(established(*rr_, addr));
  }
  void send_raw(const char* addr, const Bytes& b) {
    Output o;
    rr_->set_now(now_);
    rr_->on_data(peers_.at(addr).conn, ByteView(b), o);
    collect(o);
  }
  void send(const char* addr, const wire::Message& m) {
    wire::EncodeContext ctx;
    ctx.extended_message = peers_.at(addr).extended;
    send_raw(addr, wire::encode_message(m, ctx));
  }
  void collect(const Output& o) {
    for (const auto& op : o.io) {
      if (auto* s = std::get_if<SendRequest>(&op)) {
        for (auto& [addr, r] : peers_) {
          if (r.conn != s->conn) continue;
          wire::DecodeContext ctx;
          ctx.extended_message = r.extended;
          size_t pos = 0;
          while (pos < s->data->size()) {
            const ByteView rest(s->data->data() + pos, s->data->size() - pos);
            auto len = wire::peek_header(rest, ctx);
            if (!len) {
              r.too_long = true;
              break;
            }
            auto m = wire::decode_message(rest.first(*len), ctx);
            ASSERT_TRUE(m) << m.error().reason;
            r.got.push_back(std::move(*m));
            r.bytes.emplace_back(rest.begin(), rest.begin() + *len);
            pos += *len;
          }
        }
      }
      if (auto* c = std::get_if<CloseRequest>(&op))
        for (auto& [addr, r] : peers_)
          if (r.conn == c->conn) r.closed = true;
    }
  }
  RawPeer& raw(const char* addr) { return peers_.at(addr); }
  const Peer& state(const char* addr) const { return *rr_->find_peer(ip(addr)); }
  std::vector<const wire::Update*> updates(const char* addr) {
    std::vector<const wire::Update*> out;
    for (const auto& m : raw(addr).got)
      if (auto* u = std::get_if<wire::Update>(&m)) out.push_back(u);
    return out;
  }
  // EVPN routes announced to / withdrawn from `addr`, in order.
  std::vector<wire::EvpnRoute> announced(const char* addr) {
    std::vector<wire::EvpnRoute> out;
    for (const auto* u : updates(addr))
      if (u->mp_reach && u->mp_reach->afi_safi == kL2vpnEvpn)
        out.insert(out.end(), u->mp_reach->evpn.begin(), u->mp_reach->evpn.end());
    return out;
  }
  std::vector<wire::EvpnRoute> withdrawn(const char* addr) {
    std::vector<wire::EvpnRoute> out;
    for (const auto* u : updates(addr))
      if (u->mp_unreach && u->mp_unreach->afi_safi == kL2vpnEvpn)
        out.insert(out.end(), u->mp_unreach->evpn.begin(), u->mp_unreach->evpn.end());
    return out;
  }
  // An iBGP UPDATE announcing `routes` with next hop `nh`.
  static wire::Update evpn_update(std::vector<wire::EvpnRoute> routes, const char* nh = "10.0.0.1") {
    wire::Update u;
    u.attrs = ibgp_attrs();
    u.mp_reach = wire::MpReach{};
    u.mp_reach->next_hop = ip(nh);
    u.mp_reach->evpn = std::move(routes);
    return u;
  }
  // Unicast prefixes announced to `addr` (with the next hop they were sent with) and withdrawn
  // from it, in order, both families.
  std::vector<std::pair<IpPrefix, IpAddress>> unicast_announced(const char* addr) {
    std::vector<std::pair<IpPrefix, IpAddress>> out;
    for (const auto* u : updates(addr)) {
      for (const auto& p : u->nlri) out.emplace_back(p, u->attrs.next_hop.value_or(IpAddress{}));
      if (u->mp_reach && u->mp_reach->afi_safi != kL2vpnEvpn)
        for (const auto& p : u->mp_reach->prefixes) out.emplace_back(p, u->mp_reach->next_hop);
    }
    return out;
  }
  std::vector<IpPrefix> unicast_withdrawn(const char* addr) {
    std::vector<IpPrefix> out;
    for (const auto* u : updates(addr)) {
      out.insert(out.end(), u->withdrawn.begin(), u->withdrawn.end());
      if (u->mp_unreach && u->mp_unreach->afi_safi != kL2vpnEvpn)
        out.insert(out.end(), u->mp_unreach->prefixes.begin(), u->mp_unreach->prefixes.end());
    }
    return out;
  }
  static wire::Update evpn_withdrawal(std::vector<wire::EvpnRoute> routes) {
    wire::Update u;
    u.mp_unreach = wire::MpUnreach{kL2vpnEvpn, std::move(routes), {}, {}};
    return u;
  }

  std::unique_ptr<Speaker> rr_;
  std::map<std::string, RawPeer> peers_;
  ConnId conns_ = 0;
  TimePoint now_{};
};

}  // namespace evpnd::bgp::test

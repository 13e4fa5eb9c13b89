// Malformed input at the speaker, end to end: the bytes a peer sends in, the NOTIFICATION the
// speaker sends back compared byte for byte (RFC 4271 §6: the data field is a MUST for the
// header errors, Unsupported Version Number and the attribute errors), the RFC 7606 action
// (§5.2 no reachable NLRI, §5.3 / RFC 4760 §7 incorrect MP_REACH_NLRI) and its counters.
#include <gtest/gtest.h>

#include "sim_net.hpp"
#include "test_util.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;

constexpr const char* kPeer = "127.0.0.2";

Bytes attr(uint8_t flags, uint8_t type, const Bytes& value) {
  Bytes a{flags, type};
  if (flags & wire::attr_flag::kExtendedLength) a.push_back(uint8_t(value.size() >> 8));
  a.push_back(uint8_t(value.size()));
  a.insert(a.end(), value.begin(), value.end());
  return a;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes message(uint8_t type, const Bytes& body) {
  Bytes m(16, 0xFF);
  const size_t len = wire::kHeaderSize + body.size();
  m.push_back(uint8_t(len >> 8));
  m.push_back(uint8_t(len));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

// An UPDATE with no withdrawn routes and no NLRI field: everything is in the attributes.
Bytes update(const Bytes& attrs, const Bytes& withdrawn = {}) {
  Bytes body{uint8_t(withdrawn.size() >> 8), uint8_t(withdrawn.size())};
  body.insert(body.end(), withdrawn.begin(), withdrawn.end());
  body.push_back(uint8_t(attrs.size() >> 8));
  body.push_back(uint8_t(attrs.size()));
  body.insert(body.end(), attrs.begin(), attrs.end());
  return message(2, body);
}

Bytes notification(uint8_t code, uint8_t subcode, const Bytes& data) {
  return message(3, cat({Bytes{code, subcode}, data}));
}

Bytes route_bytes(const wire::EvpnRoute& r) {
  Bytes b;
  ByteWriter w(b);
  wire::encode_evpn_route(w, r);
  return b;
}

// A type-2 route of value length 33 whose MAC Address Length is 40 (RFC 7432 §7.2: 48).
Bytes bad_type2() {
  Bytes b = route_bytes(type2(7));
  b[2 + 22] = 40;
  return b;
}

const Bytes kOrigin = attr(0x40, 1, {0});
const Bytes kAsPath = attr(0x40, 2, {});
const Bytes kLocalPref = attr(0x40, 5, {0, 0, 0, 100});

Bytes mp_reach(const Bytes& nlri, uint8_t flags = 0x90) {
  return attr(flags, 14, cat({Bytes{0, 25, 70, 4, 10, 0, 0, 1, 0}, nlri}));
}
Bytes mp_unreach(const Bytes& nlri) { return attr(0x90, 15, cat({Bytes{0, 25, 70}, nlri})); }

class Malformed : public ::testing::Test {
 protected:
  void SetUp() override {
    SpeakerConfig c;
    c.asn = 65000;
    c.router_id = ip("10.0.0.254");
    rr_ = std::make_unique<Speaker>(c);
  }
  void add_peer(bool lenient = false) {
    PeerConfig pc = peer(kPeer, 65000, true, true);
    pc.nlri_error_withdraw = lenient;
    Output o;
    rr_->add_peer(pc, o);
  }
  void collect(const Output& o) {
    for (const auto& op : o.io) {
      if (auto* s = std::get_if<SendRequest>(&op); s && s->conn == conn_) sent_.push_back(*s->data);
      if (auto* c = std::get_if<CloseRequest>(&op); c && c->conn == conn_) closed_ = true;
    }
  }
  void send_raw(const Bytes& b) {
    Output o;
    rr_->on_data(conn_, ByteView(b), o);
    collect(o);
  }
  void send(const wire::Message& m) { send_raw(wire::encode_message(m, wire::EncodeContext{})); }
  void accept() {
    conn_ = kInboundConnBase + 1;
    Output o;
    ASSERT_TRUE(rr_->on_accepted(conn_, ip(kPeer), o));
    collect(o);
  }
  LocalSettings peer_settings() const {
    LocalSettings l;
    l.asn = 65000;
    l.router_id = ip("10.0.0.1");
    return l;
  }
  // `gr`: the peer advertises Graceful Restart for l2vpn-evpn with forwarding state kept.
  void establish(bool gr = false) {
    accept();
    wire::Open open = build_open(peer_settings());
    if (gr) {
      open.caps.graceful_restart->families.push_back({kL2vpnEvpn, true});
      open.caps.graceful_restart->restart_time = 30;
    }
    send(open);
    send(wire::Keepalive{});
    ASSERT_TRUE(established(*rr_, kPeer));
    sent_.clear();
  }
  // The last message the speaker sent on the connection, as bytes.
  Bytes last_sent() const {
    if (sent_.empty()) return {};
    const Bytes& b = sent_.back();
    size_t pos = 0, len = 0;
    while (pos + wire::kHeaderSize <= b.size()) {
      len = size_t(b[pos + 16]) << 8 | b[pos + 17];
      if (pos + len >= b.size()) break;
      pos += len;
    }
    return Bytes(b.begin() + long(pos), b.end());
  }
  const Peer& state() const { return *rr_->find_peer(ip(kPeer)); }
  void expect_reset_with(const Bytes& notification_bytes) {
    EXPECT_EQ(to_hex(last_sent()), to_hex(notification_bytes));
    EXPECT_TRUE(closed_);
    EXPECT_FALSE(established(*rr_, kPeer));
    EXPECT_EQ(state().counters.malformed_session_reset, 1u);
    EXPECT_EQ(state().counters.notifications_out, 1u);
  }

  std::unique_ptr<Speaker> rr_;
  ConnId conn_ = 0;
  bool closed_ = false;
  std::vector<Bytes> sent_;
};

// RFC 4271 §6.1: "Bad Message Length. The Data field MUST contain the erroneous Length field."
TEST_F(Malformed, KeepaliveOfLength20_BadMessageLengthWithTheLengthField) {
  add_peer();
  establish();
  send_raw(message(4, {0}));
  expect_reset_with(notification(1, 2, {0x00, 0x14}));
}

// RFC 4271 §6.1: "Bad Message Type. The Data field MUST contain the erroneous Type field."
TEST_F(Malformed, MessageType9_BadMessageTypeWithTheTypeField) {
  add_peer();
  establish();
  send_raw(message(9, {}));
  expect_reset_with(notification(1, 3, {0x09}));
}

// RFC 4271 §6.2: Unsupported Version Number, data = the largest locally supported version
// below the bid, or the smallest one above it: 4 either way (2 octets).
TEST_F(Malformed, OpenVersion3_UnsupportedVersionWithVersion4) {
  add_peer();
  accept();
  wire::Open open = build_open(peer_settings());
  open.version = 3;
  send(open);
  EXPECT_EQ(to_hex(last_sent()), to_hex(notification(2, 1, {0x00, 0x04})));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(state().counters.malformed_session_reset, 1u);
}

// RFC 5492 §3: the Unsupported Capability data lists the capability we need (l2vpn-evpn).
TEST_F(Malformed, OpenWithoutEvpn_UnsupportedCapabilityListsTheFamily) {
  add_peer();
  accept();
  LocalSettings l = peer_settings();
  l.families = {kIpv4Unicast};
  send(build_open(l));
  EXPECT_EQ(to_hex(last_sent()), to_hex(notification(2, 7, {1, 4, 0, 25, 0, 70})));
  EXPECT_TRUE(closed_);
}

// RFC 7606 §5.2: attributes, no reachable NLRI, an error stronger than attribute discard
// (LOCAL_PREF of 3 octets from an iBGP peer, §7.5 treat-as-withdraw) -> session reset,
// Attribute Length Error, data = the attribute (RFC 4271 §6.3).
TEST_F(Malformed, NoNlriLocalPrefLength3_SessionResetAttributeLengthError) {
  add_peer();
  establish();
  const Bytes bad = attr(0x40, 5, {0, 0, 100});
  send_raw(update(cat({kOrigin, kAsPath, bad})));
  expect_reset_with(notification(3, 5, bad));
}

// RFC 7606 §5.2 for a pure withdrawal: MP_UNREACH_NLRI plus a malformed MED is not
// treat-as-withdraw (the withdrawal is not trusted either), it is a session reset.
TEST_F(Malformed, WithdrawalWithMedLength3_SessionResetRoutesGone) {
  add_peer();
  establish();
  send_raw(update(cat({mp_reach(route_bytes(type2(1))), kOrigin, kAsPath, kLocalPref})));
  ASSERT_NE(best_of(*rr_, type2(1)), nullptr);
  const Bytes med = attr(0x80, 4, {0, 0, 1});
  send_raw(update(cat({mp_unreach(route_bytes(type2(2))), med})));
  expect_reset_with(notification(3, 5, med));
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);  // the session's routes went with it
}

// ... while attribute discard alone keeps the session (ATOMIC_AGGREGATE of length 1, §7.6).
TEST_F(Malformed, WithdrawalWithAtomicAggregateLength1_AttributeDiscardSessionKept) {
  add_peer();
  establish();
  send_raw(update(cat({mp_reach(route_bytes(type2(1))), kOrigin, kAsPath, kLocalPref})));
  send_raw(update(cat({mp_unreach(route_bytes(type2(1))), attr(0x40, 6, {0})})));
  EXPECT_TRUE(established(*rr_, kPeer));
  EXPECT_FALSE(closed_);
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);  // the withdrawal was applied
  EXPECT_EQ(state().counters.attribute_discard, 1u);
  EXPECT_EQ(state().counters.malformed_session_reset, 0u);
}

// RFC 7606 §5.3 + RFC 4760 §7: an EVPN route whose MAC Address Length is not 48 makes
// MP_REACH_NLRI incorrect -> session reset, Optional Attribute Error, data = the attribute.
TEST_F(Malformed, EvpnMacLength40_SessionResetOptionalAttributeError) {
  add_peer();
  establish();
  const Bytes reach = mp_reach(cat({route_bytes(type2(1)), bad_type2()}));
  send_raw(update(cat({reach, kOrigin, kAsPath, kLocalPref})));
  expect_reset_with(notification(3, 9, reach));
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
}

// RFC 4760 §7: after an incorrect MP_REACH_NLRI the neighbour's EVPN routes MUST be deleted,
// also from a graceful-restart peer (RFC 4724 retains routes across a TCP loss, not across a
// NOTIFICATION we sent).
TEST_F(Malformed, EvpnMacLength40FromGrPeer_RoutesDeletedNotStale) {
  add_peer();
  establish(true);
  ASSERT_TRUE(state().neg.graceful_restart);
  send_raw(update(cat({mp_reach(route_bytes(type2(1))), kOrigin, kAsPath, kLocalPref})));
  ASSERT_NE(best_of(*rr_, type2(1)), nullptr);
  const Bytes reach = mp_reach(bad_type2());
  send_raw(update(cat({reach, kOrigin, kAsPath, kLocalPref})));
  expect_reset_with(notification(3, 9, reach));
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
  EXPECT_EQ(state().stale_routes, 0u);
  EXPECT_EQ(state().prefixes_received, 0u);
}

// RFC 7606 §5.3: MP_REACH_NLRI flags inconsistent with RFC 4760 (Transitive set) -> session
// reset; RFC 4271 §6.3: Attribute Flags Error, data = the attribute.
TEST_F(Malformed, MpReachMarkedTransitive_SessionResetAttributeFlagsError) {
  add_peer();
  establish();
  const Bytes reach = mp_reach(route_bytes(type2(1)), 0xD0);
  send_raw(update(cat({reach, kOrigin, kAsPath, kLocalPref})));
  expect_reset_with(notification(3, 4, reach));
}

// `nlri-error: treat-as-withdraw`: the same UPDATE withdraws the routes that parsed, the session
// stays and the treat-as-withdraw counter moves.
TEST_F(Malformed, EvpnMacLength40Lenient_TreatAsWithdrawSessionKept) {
  add_peer(true);
  establish();
  send_raw(update(cat({mp_reach(route_bytes(type2(1))), kOrigin, kAsPath, kLocalPref})));
  ASSERT_NE(best_of(*rr_, type2(1)), nullptr);
  send_raw(update(cat({mp_reach(cat({route_bytes(type2(1)), bad_type2()})), kOrigin, kAsPath, kLocalPref})));
  EXPECT_EQ(best_of(*rr_, type2(1)), nullptr);
  EXPECT_TRUE(established(*rr_, kPeer));
  EXPECT_FALSE(closed_);
  EXPECT_EQ(state().counters.treat_as_withdraw, 1u);
  EXPECT_EQ(state().counters.malformed_session_reset, 0u);
  EXPECT_EQ(state().counters.notifications_out, 0u);
}

}  // namespace
}  // namespace evpnd::bgp

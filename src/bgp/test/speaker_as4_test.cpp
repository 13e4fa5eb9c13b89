// RFC 6793 through the speaker: a peer without the 4-octet AS capability (an "OLD" speaker)
// and 4-octet peers exchange paths that hold ASNs above 65535 (AS_TRANS + AS4_PATH towards the
// OLD one, a single 4-octet AS_PATH towards the others); both kinds never share an update group.
#include <gtest/gtest.h>

#include "sim_net.hpp"
#include "wire/as4_path.hpp"

namespace evpnd::bgp {
namespace {
using namespace test;
using wire::AsPath;
using wire::kAsTrans;
using Seg = wire::AsPathSegment::Type;

wire::AsPathSegment seq(std::vector<Asn> a) { return {Seg::kSequence, std::move(a)}; }

// A scripted eBGP neighbour on an inbound connection of the speaker under test.
struct Neighbour {
  const char* address;
  Asn asn;
  bool four_octet;
  ConnId conn = 0;
  std::vector<wire::Message> received;
  bool closed = false;

  wire::DecodeContext rx() const {
    wire::DecodeContext c;
    c.four_octet_as = four_octet;
    c.extended_message = true;
    return c;
  }
  wire::EncodeContext tx() const {
    wire::EncodeContext c;
    c.four_octet_as = four_octet;
    return c;
  }
  std::vector<const wire::Update*> announcements() const {
    std::vector<const wire::Update*> v;
    for (const auto& m : received)
      if (auto* u = std::get_if<wire::Update>(&m); u && u->mp_reach && !u->mp_reach->evpn.empty()) v.push_back(u);
    return v;
  }
};

class As4Speaker : public ::testing::Test {
 protected:
  void start(Asn local_as) {
    SpeakerConfig c;
    c.asn = local_as;
    c.router_id = ip("10.0.0.254");
    dut_ = std::make_unique<Speaker>(c);
  }
  void collect(const Output& o) {
    for (Neighbour* n : {&old_, &new_}) {
      for (const auto& op : o.io) {
        if (auto* s = std::get_if<SendRequest>(&op); s && s->conn == n->conn) {
          size_t pos = 0;
          while (pos < s->data->size()) {
            ByteView rest(s->data->data() + pos, s->data->size() - pos);
            auto len = wire::peek_header(rest, n->rx());
            ASSERT_TRUE(len);
            auto m = wire::decode_message(rest.first(*len), n->rx());
            ASSERT_TRUE(m) << m.error().reason;
            n->received.push_back(*m);
            pos += *len;
          }
        }
        if (auto* cl = std::get_if<CloseRequest>(&op); cl && cl->conn == n->conn) n->closed = true;
      }
    }
  }
  void send(Neighbour& n, const wire::Message& m) {
    Output o;
    dut_->on_data(n.conn, ByteView(wire::encode_message(m, n.tx())), o);
    collect(o);
  }
  void establish(Neighbour& n) {
    Output o;
    dut_->add_peer(peer(n.address, n.asn, false, true), o);
    n.conn = kInboundConnBase + (++conns_);
    ASSERT_TRUE(dut_->on_accepted(n.conn, ip(n.address), o));
    collect(o);
    LocalSettings l;
    l.asn = n.asn;
    l.router_id = ip(n.address);
    wire::Open open = build_open(l);
    if (!n.four_octet) open.caps.four_octet_as.reset();  // an OLD speaker (RFC 6793 §4.1)
    send(n, open);
    send(n, wire::Keepalive{});
    ASSERT_TRUE(established(*dut_, n.address));
    ASSERT_EQ(dut_->find_peer(ip(n.address))->neg.four_octet_as, n.four_octet);
  }
  static wire::Update update(AsPath path, std::optional<AsPath> as4 = std::nullopt) {
    wire::Update u;
    u.attrs.origin = wire::Origin::kIgp;
    u.attrs.as_path = std::move(path);
    u.attrs.as4_path = std::move(as4);
    u.mp_reach = wire::MpReach{};
    u.mp_reach->next_hop = ip("10.0.0.1");
    u.mp_reach->evpn = {type2(1)};
    return u;
  }

  std::unique_ptr<Speaker> dut_;
  int conns_ = 0;
  Neighbour old_{"127.0.0.2", 65001, false};
  Neighbour new_{"127.0.0.4", 4200000004u, true};
};

TEST_F(As4Speaker, OldAndNewPeers_SeparateUpdateGroups) {
  start(65000);
  establish(old_);
  establish(new_);
  EXPECT_EQ(dut_->group_count(), 2u);
  EXPECT_NE(dut_->find_peer(ip(old_.address))->group, dut_->find_peer(ip(new_.address))->group);
}

// 4200000001 (NEW) originated, 65001 (OLD) passed it on: AS_PATH 65001 AS_TRANS, AS4_PATH
// 4200000001. The Loc-RIB and the 4-octet peer see the merged path, without AS4_PATH.
TEST_F(As4Speaker, FromOldPeer_MergedPathToFourOctetPeer) {
  start(65000);
  establish(old_);
  establish(new_);
  new_.received.clear();
  send(old_, update({seq({65001, kAsTrans})}, AsPath{seq({4200000001u})}));
  const Path* best = best_of(*dut_, type2(1));
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->info->attrs.as_path, (AsPath{seq({65001, 4200000001u})}));
  EXPECT_FALSE(best->info->attrs.as4_path);
  const auto ann = new_.announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0]->attrs.as_path, (AsPath{seq({65000, 65001, 4200000001u})}));
  EXPECT_FALSE(ann[0]->attrs.as4_path);
  EXPECT_TRUE(ann[0]->errors.empty());  // no AS4_PATH was sent to be discarded (RFC 6793 §3)
  EXPECT_EQ(dut_->find_peer(ip(old_.address))->counters.attribute_discard, 0u);
}

// The reverse direction: AS_TRANS in AS_PATH and the real ASNs in AS4_PATH (RFC 6793 §4.2.2).
TEST_F(As4Speaker, FromFourOctetPeer_AsTransAndAs4PathToOldPeer) {
  start(65000);
  establish(old_);
  establish(new_);
  old_.received.clear();
  wire::Update u = update({seq({4200000004u, 65010, 4200000005u})});
  u.attrs.aggregator = wire::Aggregator{4200000005u, ip("10.5.5.5")};
  send(new_, u);
  const auto ann = old_.announcements();
  ASSERT_EQ(ann.size(), 1u);
  const wire::PathAttributes& a = ann[0]->attrs;
  EXPECT_TRUE(ann[0]->errors.empty());
  EXPECT_EQ(a.as_path, (AsPath{seq({65000, kAsTrans, 65010, kAsTrans})}));
  EXPECT_EQ(a.as4_path, (AsPath{seq({65000, 4200000004u, 65010, 4200000005u})}));
  EXPECT_EQ(a.aggregator, (wire::Aggregator{kAsTrans, ip("10.5.5.5")}));
  EXPECT_EQ(a.as4_aggregator, (wire::Aggregator{4200000005u, ip("10.5.5.5")}));
  wire::PathAttributes merged = a;
  wire::reconstruct_as4(merged);
  EXPECT_EQ(merged.as_path, (AsPath{seq({65000, 4200000004u, 65010, 4200000005u})}));
}

// A 4-octet local AS seen by an OLD peer: OPEN with AS_TRANS, our AS prepended as AS_TRANS with
// the real one in AS4_PATH; and loop detection sees through AS_TRANS via AS4_PATH.
TEST_F(As4Speaker, FourOctetLocalAs_AsTransToOldPeerAndLoopDetected) {
  start(4200000000u);
  establish(old_);
  establish(new_);
  old_.received.clear();
  send(new_, update({seq({4200000004u})}));
  auto ann = old_.announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0]->attrs.as_path, (AsPath{seq({kAsTrans, kAsTrans})}));
  EXPECT_EQ(ann[0]->attrs.as4_path, (AsPath{seq({4200000000u, 4200000004u})}));
  // The OLD peer sends back a path through us: AS_PATH 65001 AS_TRANS, AS4_PATH 4200000000.
  wire::Update back = update({seq({65001, kAsTrans})}, AsPath{seq({4200000000u})});
  back.mp_reach->evpn = {type2(2)};
  send(old_, back);
  EXPECT_EQ(best_of(*dut_, type2(2)), nullptr);
  EXPECT_EQ(dut_->find_peer(ip(old_.address))->counters.loop_rejected, 1u);
}

// AS4_PATH longer than AS_PATH: ignored, AS_PATH (with AS_TRANS) is the path (RFC 6793 §4.2.3).
TEST_F(As4Speaker, As4PathLongerThanAsPath_Ignored) {
  start(65000);
  establish(old_);
  send(old_, update({seq({65001, kAsTrans})}, AsPath{seq({65009, 4200000001u, 4200000002u})}));
  const Path* best = best_of(*dut_, type2(1));
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->info->attrs.as_path, (AsPath{seq({65001, kAsTrans})}));
  EXPECT_FALSE(best->info->attrs.as4_path);
}

}  // namespace
}  // namespace evpnd::bgp

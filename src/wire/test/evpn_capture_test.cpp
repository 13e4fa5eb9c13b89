// The EVPN NLRI and extended communities inside FRR 8.4's UPDATEs (tests/vectors/captures), decoded
// field by field and compared with tshark's decode in the same file, then re-encoded byte-exact.
#include <gtest/gtest.h>

#include <cstdlib>

#include "capture_file.hpp"
#include "wire/evpn_route.hpp"
#include "wire/ext_community.hpp"

using namespace evpnd;
using namespace evpnd::wire;
using evpnd::test::capture_bytes;
using evpnd::test::capture_path;
using evpnd::test::tshark_value;
using evpnd::test::tshark_values;

namespace {

constexpr const char* kNlri = "EVPN NLRI:";

struct Capture {
  std::string path;
  Bytes msg;
  ByteView nlri;
  std::vector<EvpnRoute> routes;
};

Capture load(const std::string& name) {
  Capture c;
  c.path = capture_path(name);
  c.msg = capture_bytes(c.path);
  c.nlri = evpnd::test::mp_reach_nlri(c.msg);
  auto r = decode_evpn_nlri(ByteReader(c.nlri), c.routes);
  EXPECT_TRUE(r) << name << ": " << (r ? "" : r.error().reason);
  return c;
}

// "00010aff00010003 (10.255.0.1:3)" -> checks both the hex and the text form.
void expect_rd(const Rd& rd, const std::string& tshark) {
  EXPECT_EQ(tshark, to_hex(ByteView(rd.data(), 8)) + " (" + rd.to_string() + ")");
}
// "MAC Advertisement Route (2)" -> 2
int paren_number(const std::string& s) { return std::atoi(s.c_str() + s.rfind('(') + 1); }
// "02:00:00:00:01:10 (02:00:00:00:01:10)" -> first word
std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

void expect_reencoded_exact(const Capture& c) {
  Bytes out;
  ByteWriter w(out);
  for (const auto& r : c.routes) encode_evpn_route(w, r);
  EXPECT_EQ(to_hex(out), to_hex(c.nlri));
}

std::vector<std::string> ext_communities(const Capture& c) {
  ByteView v = evpnd::test::attribute_value(c.msg, 16);
  std::vector<std::string> out;
  for (size_t i = 0; i + 8 <= v.size(); i += 8) {
    ExtCommunity ec;
    std::copy(v.begin() + long(i), v.begin() + long(i) + 8, ec.raw.begin());
    out.push_back(ec.to_string());
  }
  return out;
}

}  // namespace

TEST(EvpnCapture, Type2MacIp_FieldsMatchTshark) {
  Capture c = load("bgp-update-type2-macip.txt");
  ASSERT_EQ(c.msg.size(), 136u);
  ASSERT_EQ(c.routes.size(), 1u);
  const auto& m = std::get<MacIpAdvertisement>(c.routes[0]);
  EXPECT_EQ(route_type(c.routes[0]), paren_number(tshark_value(c.path, "Route Type", kNlri)));
  EXPECT_EQ(encoded_size(c.routes[0]) - 2, std::stoul(tshark_value(c.path, "Length", kNlri)));
  expect_rd(m.rd, tshark_value(c.path, "Route Distinguisher", kNlri));
  EXPECT_EQ(m.esi.to_string(), tshark_value(c.path, "ESI", kNlri));
  EXPECT_EQ(std::to_string(m.ethernet_tag), tshark_value(c.path, "Ethernet Tag ID", kNlri));
  EXPECT_EQ("48", tshark_value(c.path, "MAC Address Length", kNlri));
  EXPECT_EQ(m.mac.to_string(), first_word(tshark_value(c.path, "MAC Address", kNlri)));
  EXPECT_EQ(std::to_string(m.ip.size() * 8), tshark_value(c.path, "IP Address Length", kNlri));
  EXPECT_EQ(m.ip.to_string(), tshark_value(c.path, "IPv4 address", kNlri));
  auto vnis = tshark_values(c.path, "VNI", kNlri);
  ASSERT_EQ(vnis.size(), 2u);
  EXPECT_EQ(std::to_string(m.label1), vnis[0]);
  ASSERT_TRUE(m.label2);
  EXPECT_EQ(std::to_string(*m.label2), vnis[1]);
  EXPECT_EQ(frr_prefix(c.routes[0]), "[2]:[0]:[48]:[02:00:00:00:01:10]:[32]:[192.168.100.10]");
  expect_reencoded_exact(c);
}

TEST(EvpnCapture, Type2MacOnly_FieldsMatchTshark) {
  Capture c = load("bgp-update-type2-mac.txt");
  ASSERT_EQ(c.routes.size(), 1u);
  const auto& m = std::get<MacIpAdvertisement>(c.routes[0]);
  EXPECT_EQ(encoded_size(c.routes[0]) - 2, std::stoul(tshark_value(c.path, "Length", kNlri)));
  expect_rd(m.rd, tshark_value(c.path, "Route Distinguisher", kNlri));
  EXPECT_EQ(m.mac.to_string(), first_word(tshark_value(c.path, "MAC Address", kNlri)));
  EXPECT_EQ("0", tshark_value(c.path, "IP Address Length", kNlri));
  EXPECT_TRUE(m.ip.empty());
  EXPECT_EQ(std::to_string(m.label1), tshark_value(c.path, "VNI", kNlri));
  EXPECT_FALSE(m.label2);
  expect_reencoded_exact(c);
  EXPECT_EQ(ext_communities(c), (std::vector<std::string>{"encap:vxlan", "rt:65000:100", "mac-mobility:seq=2"}));
}

TEST(EvpnCapture, Type3_FieldsMatchTshark) {
  Capture c = load("bgp-update-type3.txt");
  ASSERT_EQ(c.routes.size(), 1u);
  const auto& im = std::get<InclusiveMulticast>(c.routes[0]);
  EXPECT_EQ(route_type(c.routes[0]), paren_number(tshark_value(c.path, "Route Type", kNlri)));
  EXPECT_EQ(encoded_size(c.routes[0]) - 2, std::stoul(tshark_value(c.path, "Length", kNlri)));
  expect_rd(im.rd, tshark_value(c.path, "Route Distinguisher", kNlri));
  EXPECT_EQ(std::to_string(im.ethernet_tag), tshark_value(c.path, "Ethernet Tag ID", kNlri));
  EXPECT_EQ("32", tshark_value(c.path, "IP Address Length", kNlri));
  EXPECT_EQ(im.originator.to_string(), tshark_value(c.path, "IPv4 address", kNlri));
  EXPECT_EQ(frr_prefix(c.routes[0]), "[3]:[0]:[32]:[10.255.0.1]");
  expect_reencoded_exact(c);
  EXPECT_EQ(ext_communities(c), (std::vector<std::string>{"encap:vxlan", "rt:65000:100"}));
}

TEST(EvpnCapture, Type5_FieldsMatchTshark) {
  Capture c = load("bgp-update-type5.txt");
  ASSERT_EQ(c.routes.size(), 1u);
  const auto& p = std::get<IpPrefixRoute>(c.routes[0]);
  EXPECT_EQ(route_type(c.routes[0]), paren_number(tshark_value(c.path, "Route Type", kNlri)));
  EXPECT_EQ(encoded_size(c.routes[0]) - 2, std::stoul(tshark_value(c.path, "Length", kNlri)));
  expect_rd(p.rd, tshark_value(c.path, "Route Distinguisher", kNlri));
  EXPECT_EQ(p.esi.to_string(), tshark_value(c.path, "ESI", kNlri));
  EXPECT_EQ(std::to_string(p.ethernet_tag), tshark_value(c.path, "Ethernet Tag ID", kNlri));
  EXPECT_EQ(std::to_string(p.prefix.length()), tshark_value(c.path, "IP prefix length", kNlri));
  EXPECT_EQ(p.prefix.address().to_string(), tshark_value(c.path, "IPv4 address", kNlri));
  EXPECT_EQ(p.gateway.to_string(), tshark_value(c.path, "IPv4 Gateway address", kNlri));
  // tshark reads the label field as an MPLS label (20 high bits): "MPLS Label Stack: 312, ...".
  // The field is the VNI unshifted (RFC 8365 §5.1.3): 5000 = 0x001388, and 0x001388 >> 4 = 312.
  EXPECT_EQ(p.label, 5000u);
  EXPECT_EQ(std::to_string(p.label >> 4) + ",", first_word(tshark_value(c.path, "MPLS Label Stack", kNlri)));
  EXPECT_EQ(frr_prefix(c.routes[0]), "[5]:[0]:[24]:[192.168.100.0]");
  expect_reencoded_exact(c);
  EXPECT_EQ(ext_communities(c),
            (std::vector<std::string>{"encap:vxlan", "rt:65000:5000", "router-mac:02:00:0a:ff:00:01"}));
}

TEST(EvpnCapture, Type2MacIp_ExtCommunitiesMatchTshark) {
  Capture c = load("bgp-update-type2-macip.txt");
  EXPECT_EQ(ext_communities(c), (std::vector<std::string>{"encap:vxlan", "rt:65000:100", "rt:65000:5000",
                                                          "router-mac:02:00:0a:ff:00:01", "mac-mobility:seq=2"}));
  // tshark: "Router's MAC: 02:00:0a:ff:00:01 (...)", "Sequence number: 2", "Tunnel type: VXLAN ... (8)".
  ByteView v = evpnd::test::attribute_value(c.msg, 16);
  ASSERT_EQ(v.size(), 40u);
  ExtCommunity rmac, mm, encap;
  std::copy(v.begin() + 24, v.begin() + 32, rmac.raw.begin());
  std::copy(v.begin() + 32, v.begin() + 40, mm.raw.begin());
  std::copy(v.begin(), v.begin() + 8, encap.raw.begin());
  EXPECT_EQ(rmac.as_router_mac()->to_string(), first_word(tshark_value(c.path, "Router's MAC", "EVPN Router's MAC")));
  EXPECT_EQ(std::to_string(mm.as_mac_mobility()->sequence), tshark_value(c.path, "Sequence number"));
  EXPECT_FALSE(mm.as_mac_mobility()->sticky);
  EXPECT_EQ(static_cast<int>(*encap.as_encapsulation()), paren_number(tshark_value(c.path, "Tunnel type")));
}

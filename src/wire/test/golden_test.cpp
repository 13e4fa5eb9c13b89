// Golden vectors: every BGP message FRR sent in tests/vectors/captures/bgp-evpn.pcap (extracted into
// tests/vectors/frr/*.hex by tests/vectors/frr/extract.py) and the single-message captures
// tests/vectors/captures/*.txt. Each must decode to the values tshark decoded (the "# expect" lines)
// and re-encode byte-exact.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_in(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string join_ints(const std::vector<uint8_t>& v) {
  std::string s;
  for (auto x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(x);
  }
  return s;
}

std::string flags_hex(const std::vector<uint8_t>& v) {
  std::string s;
  for (auto x : v) {
    if (!s.empty()) s += ',';
    s += "0x";
    s += to_hex(ByteView(&x, 1));
  }
  return s;
}

bool has_ext(const PathAttributes& a, const Bytes& raw) {
  return std::any_of(a.ext_communities.begin(), a.ext_communities.end(),
                     [&](const ExtCommunity& e) { return Bytes(e.raw.begin(), e.raw.end()) == raw; });
}

void check_route(const EvpnRoute& r, const std::string& line) {
  auto f = fields(line);
  SCOPED_TRACE(line);
  EXPECT_EQ(std::to_string(route_type(r)), f["type"]);
  ASSERT_NE(route_rd(r), nullptr);
  EXPECT_EQ(to_hex(ByteView(route_rd(r)->data(), 8)), f["rd"]);
  std::vector<uint32_t> labels;
  if (auto* m = std::get_if<MacIpAdvertisement>(&r)) {
    EXPECT_EQ(std::to_string(m->ethernet_tag), f["etag"]);
    EXPECT_EQ(m->mac.to_string(), f["mac"]);
    EXPECT_EQ(m->ip.empty() ? "" : m->ip.to_string(), f["ip"]);
    labels.push_back(m->label1);
    if (m->label2) labels.push_back(*m->label2);
  } else if (auto* im = std::get_if<InclusiveMulticast>(&r)) {
    EXPECT_EQ(std::to_string(im->ethernet_tag), f["etag"]);
    EXPECT_EQ(im->originator.to_string(), f["ip"]);
  } else if (auto* p = std::get_if<IpPrefixRoute>(&r)) {
    EXPECT_EQ(std::to_string(p->ethernet_tag), f["etag"]);
    EXPECT_EQ(p->prefix.to_string(), f["prefix"]);
    EXPECT_EQ(p->gateway.to_string(), f["gw"]);
    labels.push_back(p->label);
  } else {
    ADD_FAILURE() << "unexpected route type in the captures";
  }
  std::string ls;
  for (auto l : labels) {
    if (!ls.empty()) ls += ',';
    ls += std::to_string(l);
  }
  EXPECT_EQ(ls, f["labels"]);
}

void check_update(const Update& u, const VectorFile& v) {
  EXPECT_TRUE(u.errors.empty()) << u.errors.front().reason;
  EXPECT_FALSE(u.treat_as_withdraw);
  EXPECT_EQ(join_ints(u.attr_order), v.one("attrs"));
  EXPECT_EQ(flags_hex(u.attr_flags), v.one("attr_flags"));
  const PathAttributes& a = u.attrs;
  auto opt = [](const auto& o) { return o ? std::to_string(static_cast<uint32_t>(*o)) : ""; };
  EXPECT_EQ(opt(a.origin), v.one("origin"));
  EXPECT_EQ(opt(a.local_pref), v.one("local_pref"));
  EXPECT_EQ(opt(a.med), v.one("med"));
  EXPECT_EQ(a.originator_id ? a.originator_id->to_string() : "", v.one("originator_id"));
  std::vector<std::string> clusters;
  for (const auto& c : a.cluster_list) clusters.push_back(c.to_string());
  EXPECT_EQ(clusters, v.all("cluster_id"));
  ASSERT_TRUE(a.as_path.has_value() || u.attr_order == std::vector<uint8_t>{15});
  if (a.as_path) {
    EXPECT_TRUE(a.as_path->empty());  // iBGP: present but empty
  }

  std::vector<EvpnRoute> routes;
  if (!v.one("reach_afi").empty()) {
    ASSERT_TRUE(u.mp_reach.has_value());
    EXPECT_EQ(std::to_string(uint16_t(u.mp_reach->afi_safi.afi)), v.one("reach_afi"));
    EXPECT_EQ(std::to_string(uint8_t(u.mp_reach->afi_safi.safi)), v.one("reach_safi"));
    EXPECT_EQ(u.mp_reach->next_hop.to_string(), v.one("next_hop"));
    routes = u.mp_reach->evpn;
  }
  if (!v.one("unreach_afi").empty()) {
    ASSERT_TRUE(u.mp_unreach.has_value());
    EXPECT_EQ(std::to_string(uint16_t(u.mp_unreach->afi_safi.afi)), v.one("unreach_afi"));
    EXPECT_EQ(std::to_string(uint8_t(u.mp_unreach->afi_safi.safi)), v.one("unreach_safi"));
    routes.insert(routes.end(), u.mp_unreach->evpn.begin(), u.mp_unreach->evpn.end());
    if (u.mp_unreach->evpn.empty()) {
      EXPECT_TRUE(u.is_end_of_rib());
    }
  }
  auto lines = v.all("route");
  ASSERT_EQ(routes.size(), lines.size());
  for (size_t i = 0; i < routes.size(); ++i) check_route(routes[i], lines[i]);

  // Extended communities, checked on their raw bytes (RFC 4360, RFC 7432 §7, RFC 8365 §5.1.3).
  size_t expected_ext = 0;
  for (const auto& e : v.all("encap")) {
    EXPECT_TRUE(has_ext(a, Bytes{3, 0x0c, 0, 0, 0, 0, 0, uint8_t(std::stoi(e))})) << e;
    ++expected_ext;
  }
  for (const auto& rt : v.all("rt")) {
    uint32_t as = std::stoul(rt.substr(0, rt.find(':'))), n = std::stoul(rt.substr(rt.find(':') + 1));
    EXPECT_TRUE(has_ext(a, Bytes{0, 2, uint8_t(as >> 8), uint8_t(as), uint8_t(n >> 24),
                                 uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)}))
        << rt;
    ++expected_ext;
  }
  for (const auto& mac : v.all("router_mac")) {
    auto m = Mac::parse(mac);
    ASSERT_TRUE(m);
    const uint8_t* d = m->data();
    Bytes raw{6, 3, d[0], d[1], d[2], d[3], d[4], d[5]};
    EXPECT_TRUE(has_ext(a, raw)) << mac;
    ++expected_ext;
  }
  for (const auto& seq : v.all("mac_mobility_seq")) {
    uint32_t s = std::stoul(seq);
    EXPECT_TRUE(has_ext(a, Bytes{6, 0, 0, 0, uint8_t(s >> 24), uint8_t(s >> 16), uint8_t(s >> 8), uint8_t(s)}));
    ++expected_ext;
  }
  EXPECT_EQ(a.ext_communities.size(), expected_ext);

  if (!v.one("pmsi_type").empty()) {
    ASSERT_TRUE(a.pmsi_tunnel.has_value());
    EXPECT_EQ(std::to_string(a.pmsi_tunnel->tunnel_type), v.one("pmsi_type"));
    EXPECT_EQ(a.pmsi_tunnel->endpoint().to_string(), v.one("pmsi_endpoint"));
    EXPECT_EQ(std::to_string(a.pmsi_tunnel->label), v.one("pmsi_label"));
  } else {
    EXPECT_FALSE(a.pmsi_tunnel.has_value());
  }
}

void check_open(const Open& o, const VectorFile& v) {
  EXPECT_EQ(std::to_string(o.version), v.one("version"));
  EXPECT_EQ(std::to_string(o.my_as), v.one("my_as"));
  EXPECT_EQ(std::to_string(o.hold_time), v.one("hold_time"));
  EXPECT_EQ(o.bgp_id.to_string(), v.one("bgp_id"));
  EXPECT_EQ(join_ints(o.order), v.one("caps"));
  const Capabilities& c = o.caps;
  EXPECT_EQ(c.four_octet_as ? std::to_string(*c.four_octet_as) : "", v.one("as4"));
  ASSERT_TRUE(c.graceful_restart.has_value());
  EXPECT_EQ(std::to_string(c.graceful_restart->restart_time), v.one("gr_time"));
  EXPECT_EQ(c.graceful_restart->restart_state ? "1" : "0", v.one("gr_r"));
  EXPECT_EQ(c.graceful_restart->notification ? "1" : "0", v.one("gr_n"));
  EXPECT_EQ(c.fqdn_hostname.value_or(""), v.one("fqdn_hostname"));
  std::vector<std::string> mp, ap;
  for (auto as : c.multiprotocol) mp.push_back(std::to_string(int(as.afi)) + "/" + std::to_string(int(as.safi)));
  for (auto e : c.add_path) {
    ap.push_back(std::to_string(int(e.afi_safi.afi)) + "/" + std::to_string(int(e.afi_safi.safi)) + "/" +
                 std::to_string(e.send_receive));
  }
  EXPECT_EQ(mp, v.all("mp"));
  EXPECT_EQ(ap, v.all("add_path"));
  EXPECT_TRUE(c.route_refresh);
  EXPECT_TRUE(c.route_refresh_cisco);
  EXPECT_TRUE(c.enhanced_route_refresh);
  EXPECT_TRUE(c.extended_message);
  ASSERT_EQ(c.unknown.size(), 1u);  // LLGR (71) is kept opaque
  EXPECT_EQ(c.unknown[0].code, 71);
}

TEST(Golden, FrrPcapMessages_DecodeToTsharkValuesAndReencodeExact) {
  auto files = files_in(EVPND_SOURCE_DIR "/tests/vectors/frr", ".hex");
  ASSERT_EQ(files.size(), 31u);  // 14 frames, 31 BGP messages
  DecodeContext ctx;
  for (const auto& path : files) {
    VectorFile v = read_vector_file(path);
    SCOPED_TRACE(v.name);
    EXPECT_EQ(std::to_string(v.bytes.size()), v.one("length"));
    auto m = decode_message(v.bytes, ctx);
    ASSERT_TRUE(m.has_value()) << m.error().reason;
    EXPECT_EQ(std::to_string(m->index() + 1), v.one("type"));
    if (auto* u = std::get_if<Update>(&*m)) check_update(*u, v);
    if (auto* o = std::get_if<Open>(&*m)) check_open(*o, v);
    if (auto* n = std::get_if<Notification>(&*m)) {
      EXPECT_EQ(n->code, std::stoi(v.one("code")));
      EXPECT_EQ(n->subcode, std::stoi(v.one("subcode")));
      EXPECT_EQ(to_hex(n->data), v.one("data"));
    }
    EXPECT_EQ(to_hex(encode_message(*m, EncodeContext{})), to_hex(v.bytes));
  }
}

// tests/vectors/captures/*.txt: the hex dump after the "# raw bytes" line, "xxxxxxxx: " + 16 bytes.
Bytes raw_bytes_of_txt(const std::string& path) {
  std::ifstream in(path);
  std::string line, hexdata;
  bool in_raw = false;
  while (std::getline(in, line)) {
    if (line.rfind("# raw bytes", 0) == 0) {
      in_raw = true;
      continue;
    }
    if (in_raw && line.size() > 10 && line[8] == ':') hexdata += line.substr(10, 48) + "\n";
  }
  auto b = parse_hex(hexdata);
  EXPECT_TRUE(b.has_value()) << path;
  return b.value_or(Bytes{});
}

TEST(Golden, CaptureTxtMessages_MatchPcapVectorsAndReencodeExact) {
  const std::map<std::string, std::string> source = {
      {"bgp-open.txt", "f02-m0-open.hex"},
      {"bgp-update-type2-mac.txt", ""},
      {"bgp-update-type2-macip.txt", "f10-m3-update.hex"},
      {"bgp-update-type3.txt", ""},
      {"bgp-update-type5.txt", ""},
  };
  for (const auto& [txt, vec] : source) {
    SCOPED_TRACE(txt);
    Bytes b = raw_bytes_of_txt(EVPND_CAPTURES_DIR "/" + txt);
    ASSERT_GE(b.size(), 19u);
    auto m = decode_message(b, DecodeContext{});
    ASSERT_TRUE(m.has_value()) << m.error().reason;
    EXPECT_EQ(encode_message(*m, EncodeContext{}), b);
    if (auto* u = std::get_if<Update>(&*m)) {
      EXPECT_TRUE(u->errors.empty());
    }
    // Each .txt message is one of the pcap's messages (identical OPENs may occur twice).
    std::vector<std::string> matches;
    for (const auto& path : files_in(EVPND_SOURCE_DIR "/tests/vectors/frr", ".hex")) {
      if (read_vector_file(path).bytes == b) matches.push_back(path.substr(path.find_last_of('/') + 1));
    }
    EXPECT_FALSE(matches.empty());
    if (!vec.empty()) {
      EXPECT_NE(std::find(matches.begin(), matches.end(), vec), matches.end());
    }
  }
}

TEST(Golden, CaptureMacIpUpdate_HasSymmetricIrbValues) {
  Bytes b = raw_bytes_of_txt(EVPND_CAPTURES_DIR "/bgp-update-type2-macip.txt");
  auto m = decode_message(b, DecodeContext{});
  ASSERT_TRUE(m.has_value());
  const auto& u = std::get<Update>(*m);
  ASSERT_TRUE(u.mp_reach);
  ASSERT_EQ(u.mp_reach->evpn.size(), 1u);
  const auto& r = std::get<MacIpAdvertisement>(u.mp_reach->evpn[0]);
  EXPECT_EQ(r.rd.to_string(), "10.255.0.1:3");
  EXPECT_EQ(r.mac.to_string(), "02:00:00:00:01:10");
  EXPECT_EQ(r.ip.to_string(), "192.168.100.10");
  EXPECT_EQ(r.label1, 100u);
  EXPECT_EQ(r.label2, 5000u);
  EXPECT_EQ(u.mp_reach->next_hop.to_string(), "10.255.0.1");
  EXPECT_EQ(u.attrs.origin, Origin::kIgp);
  EXPECT_EQ(u.attrs.local_pref, 100u);
  EXPECT_EQ(u.attrs.ext_communities.size(), 5u);
}

}  // namespace
}  // namespace evpnd::wire::test

// Paged, streamed GET /v1/bgp/evpn/routes (issue 12 defect 2) on a daemon without peers: its
// RIB holds routes originated through the API. Checks limit/cursor semantics, that pieces are
// bounded, and that a RIB changing between pages (routes withdrawn, added, ids reused) neither
// crashes nor loses or repeats a route that stayed.
#include <gtest/gtest.h>

#include <set>

#include "api/config.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "daemon/paged_view.hpp"

namespace evpnd::daemon {
namespace {
using nlohmann::json;

std::unique_ptr<Daemon> make_daemon(asio::io_context& io) {
  auto c = api::parse_config_text("router-id: 10.0.0.1\nasn: 65000\nlisten: { address: 127.0.0.1, port: 0 }\n", "t.yaml");
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return std::make_unique<Daemon>(io, *c);
}

// Type-3 route number i (distinct RD per route).
json route(int i) {
  return {{"route_type", 3}, {"rd", "10.0.0.1:" + std::to_string(i)}, {"ethernet_tag", 0}, {"originator", "10.0.0.1"},
          {"vni", 100}, {"next_hop", "10.0.0.1"}, {"extended_communities", {"rt:65000:100", "encap:vxlan"}}};
}

api::ApiResponse call(Daemon& d, const std::string& method, const std::string& path,
                      std::map<std::string, std::string> query = {}, json body = nullptr) {
  api::ApiRequest r;
  r.method = method;
  r.path = path;
  r.query = std::move(query);
  r.body = std::move(body);
  return handle_api(d, r);
}

void originate(Daemon& d, int from, int to, const char* method = "POST") {
  json rs = json::array();
  for (int i = from; i < to; ++i) rs.push_back(route(i));
  ASSERT_EQ(call(d, method, "/v1/evpn/routes", {}, {{"routes", rs}}).status, 200);
}

struct Page {
  json body;
  size_t pieces = 0;
  size_t largest_piece = 0;
};

// Runs the stream to its end, as the server would, one piece per call.
Page fetch(Daemon& d, std::map<std::string, std::string> query) {
  api::ApiResponse r = call(d, "GET", "/v1/bgp/evpn/routes", std::move(query));
  EXPECT_TRUE(bool(r.stream)) << r.body.dump();
  Page p;
  if (!r.stream) return p;
  std::string text;
  for (bool more = true; more;) {
    std::string piece;
    more = r.stream(piece);
    ++p.pieces;
    p.largest_piece = std::max(p.largest_piece, piece.size());
    text += piece;
  }
  p.body = json::parse(text);
  return p;
}

std::string rd_of(const json& r) { return r["rd"].get<std::string>(); }

TEST(ApiPaging, NoLimit_WholeTableStreamedInBoundedPieces) {
  asio::io_context io;
  auto d = make_daemon(io);
  originate(*d, 0, 3000);
  Page p = fetch(*d, {});
  EXPECT_EQ(p.body["count"], 3000);
  EXPECT_EQ(p.body["routes"].size(), 3000u);
  EXPECT_FALSE(p.body.contains("next_cursor"));
  EXPECT_GT(p.pieces, 3u);  // ~1 MB of JSON is not one piece
  // A piece ends at the first route past the budget: budget + one route at most.
  EXPECT_LT(p.largest_piece, ItemSink::kPieceBytes + 4096);
}

TEST(ApiPaging, LimitAndCursor_EveryRouteExactlyOnce) {
  asio::io_context io;
  auto d = make_daemon(io);
  originate(*d, 0, 250);
  std::multiset<std::string> seen;
  std::map<std::string, std::string> q{{"limit", "100"}};
  int pages = 0;
  for (;; ++pages) {
    ASSERT_LT(pages, 10);
    Page p = fetch(*d, q);
    EXPECT_LE(p.body["routes"].size(), 100u);
    EXPECT_EQ(p.body["count"], p.body["routes"].size());
    for (const auto& r : p.body["routes"]) seen.insert(rd_of(r));
    if (!p.body.contains("next_cursor")) break;
    q["cursor"] = p.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 250u);  // no duplicates
}

// Between pages, withdraw routes already listed and routes not yet listed, and add new ones
// (which reuse the freed slots of the RIB): every route present throughout is listed exactly
// once, nothing withdrawn before its turn is listed.
TEST(ApiPaging, RibChangesBetweenPages_NoCrashNoLossNoRepeat) {
  asio::io_context io;
  auto d = make_daemon(io);
  originate(*d, 0, 300);
  Page first = fetch(*d, {{"limit", "100"}});
  ASSERT_EQ(first.body["routes"].size(), 100u);
  std::multiset<std::string> seen;
  for (const auto& r : first.body["routes"]) seen.insert(rd_of(r));
  originate(*d, 0, 50, "DELETE");     // listed already
  originate(*d, 200, 260, "DELETE");  // not listed yet
  originate(*d, 1000, 1100);          // new, reusing freed slots
  std::map<std::string, std::string> q{{"limit", "100"}, {"cursor", first.body["next_cursor"].get<std::string>()}};
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 10);
    Page p = fetch(*d, q);
    for (const auto& r : p.body["routes"]) seen.insert(rd_of(r));
    if (!p.body.contains("next_cursor")) break;
    q["cursor"] = p.body["next_cursor"].get<std::string>();
  }
  for (int i = 50; i < 300; ++i) {
    if (i >= 200 && i < 260) {
      EXPECT_EQ(seen.count("10.0.0.1:" + std::to_string(i)), 0u) << i << " was withdrawn before its page";
      continue;
    }
    EXPECT_EQ(seen.count("10.0.0.1:" + std::to_string(i)), 1u) << i;
  }
}

// The table changes while one streamed reply is between two pieces (the server yields to the
// loop there): the walk goes on from its position in the changed table.
TEST(ApiPaging, RibChangesBetweenPieces_StreamCompletes) {
  asio::io_context io;
  auto d = make_daemon(io);
  originate(*d, 0, 3000);
  api::ApiResponse r = call(*d, "GET", "/v1/bgp/evpn/routes");
  ASSERT_TRUE(bool(r.stream));
  std::string text, piece;
  ASSERT_TRUE(r.stream(piece));
  text += piece;
  originate(*d, 0, 3000, "DELETE");  // everything goes, listed or not
  originate(*d, 5000, 5010);
  for (bool more = true; more;) {
    piece.clear();
    more = r.stream(piece);
    text += piece;
  }
  json body = json::parse(text);  // still one valid document
  EXPECT_EQ(body["count"], body["routes"].size());
  EXPECT_LT(body["routes"].size(), 3000u);
}

TEST(ApiPaging, BadLimitOrCursor_400) {
  asio::io_context io;
  auto d = make_daemon(io);
  EXPECT_EQ(call(*d, "GET", "/v1/bgp/evpn/routes", {{"limit", "0"}}).status, 400);
  EXPECT_EQ(call(*d, "GET", "/v1/bgp/evpn/routes", {{"limit", "abc"}}).status, 400);
  EXPECT_EQ(call(*d, "GET", "/v1/bgp/evpn/routes", {{"cursor", "x1"}}).status, 400);
  // A cursor past the end (e.g. from before a restart) is an empty last page, not an error.
  Page p = fetch(*d, {{"cursor", "4000000000"}});
  EXPECT_EQ(p.body["count"], 0);
  EXPECT_FALSE(p.body.contains("next_cursor"));
}

}  // namespace
}  // namespace evpnd::daemon

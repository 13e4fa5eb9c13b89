#include <gtest/gtest.h>

#include "api/http_request_parser.hpp"

namespace evpnd::api {
namespace {

HttpParseResult complete(std::string_view bytes) {
  auto r = parse_http_request(bytes);
  EXPECT_TRUE(r) << (r ? "" : r.error().reason);
  EXPECT_TRUE(r && *r) << "incomplete";
  return r && *r ? std::move(**r) : HttpParseResult{};
}

HttpError failed(std::string_view bytes, const HttpLimits& limits = {}) {
  auto r = parse_http_request(bytes, limits);
  EXPECT_FALSE(r) << "parsed: " << bytes;
  return r ? HttpError{} : r.error();
}

TEST(HttpRequestParser, SimpleGet_PathQueryHeaders) {
  std::string raw = "GET /v1/evpn/macs?vni=100&x=a%20b+c HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
  auto r = complete(raw);
  EXPECT_EQ(r.consumed, raw.size());
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.path, "/v1/evpn/macs");
  EXPECT_EQ(r.request.query.at("vni"), "100");
  EXPECT_EQ(r.request.query.at("x"), "a b c");
  ASSERT_NE(r.request.header("host"), nullptr);
  EXPECT_EQ(*r.request.header("host"), "localhost");
  EXPECT_TRUE(r.request.keep_alive);
  EXPECT_TRUE(r.request.body.empty());
}

TEST(HttpRequestParser, Incomplete_NeedsMore) {
  auto r = parse_http_request("GET / HTTP/1.1\r\nHost: x\r\n");
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  auto body = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345");
  ASSERT_TRUE(body);
  EXPECT_FALSE(*body);
}

TEST(HttpRequestParser, Pipelined_ConsumesOnlyFirst) {
  std::string first = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
  std::string both = first + "GET /b HTTP/1.1\r\n\r\n";
  auto r = complete(both);
  EXPECT_EQ(r.consumed, first.size());
  EXPECT_EQ(r.request.body, "{}");
  auto second = complete(std::string_view(both).substr(r.consumed));
  EXPECT_EQ(second.request.path, "/b");
}

TEST(HttpRequestParser, ConnectionSemantics_Http10And11) {
  EXPECT_FALSE(complete("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(complete("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(complete("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive);
}

TEST(HttpRequestParser, BareLf_Accepted) {
  EXPECT_EQ(complete("GET /x HTTP/1.1\nHost: y\n\n").request.path, "/x");
}

TEST(HttpRequestParser, Malformed_400) {
  EXPECT_EQ(failed("GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET /  HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(failed("G(T / HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET x HTTP/1.1\r\n\r\n").reason, "request target must start with '/'");
  EXPECT_EQ(failed("GET / FTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET / HTTP/1.1\r\nNoColon\r\n\r\n").reason, "malformed header field");
  EXPECT_EQ(failed("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n").reason, "obsolete header line folding");
  EXPECT_EQ(failed("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n").reason, "malformed Content-Length");
  EXPECT_EQ(failed("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET /a%zz HTTP/1.1\r\n\r\n").reason, "bad percent-encoding in path");
  EXPECT_EQ(failed("GET /a%00 HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(failed("GET /a?x=%4 HTTP/1.1\r\n\r\n").reason, "bad percent-encoding in query");
}

TEST(HttpRequestParser, UnsupportedFeatures_StatusCodes) {
  EXPECT_EQ(failed("GET / HTTP/2.0\r\n\r\n").status, 505);
  EXPECT_EQ(failed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").status, 501);
}

TEST(HttpRequestParser, Limits_413And431) {
  EXPECT_EQ(failed("POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n").status, 413);
  EXPECT_EQ(failed("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").status, 413);
  auto at_limit = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n");
  ASSERT_TRUE(at_limit);  // allowed, just incomplete
  EXPECT_FALSE(*at_limit);
  // No end of headers within the limit: refuse instead of buffering forever.
  std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a');
  EXPECT_EQ(failed(endless).status, 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 5; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(failed(many + "\r\n", HttpLimits{16384, 4, 1024}).status, 431);
}

TEST(HttpRequestParser, PercentDecode_Rules) {
  EXPECT_EQ(percent_decode("a%2Fb+c", false), "a/b+c");
  EXPECT_EQ(percent_decode("a%2fb+c", true), "a/b c");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%-1", false));
}

}  // namespace
}  // namespace evpnd::api

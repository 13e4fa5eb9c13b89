// A strict, bounded HTTP/1.x request parser for the API server (RFC 9112 subset).
//
// NOTE: stateless — parse() looks at the start of the connection's buffer and either needs more
// bytes, yields one complete request and how many bytes it used (pipelining: the rest stays in
// the buffer), or fails with the status to answer before closing. Limits bound what a client can
// make the daemon buffer: header section <= 16 KiB and 100 fields, body <= 1 MiB, Content-Length
// bodies only (no chunked transfer coding). No I/O, no asio: unit-tested on byte strings.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace evpnd::api {

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + header fields
  size_t max_header_fields = 100;
  size_t max_body_bytes = 1024 * 1024;
};

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // as sent: "/v1/evpn/macs?vni=100"
  std::string path;     // percent-decoded path: "/v1/evpn/macs"
  std::map<std::string, std::string> query;      // percent-decoded; '+' is a space
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 default unless "Connection: close"; 1.0 needs keep-alive
  bool http11 = true;      // HTTP/1.1 (may receive chunked responses); false for HTTP/1.0
  const std::string* header(std::string_view lower_name) const;  // first field with that name
};

struct HttpError {
  int status = 400;    // 400, 413, 431, 501 or 505
  std::string reason;  // for the {"error": reason} body
};

struct HttpParseResult {
  HttpRequest request;
  size_t consumed = 0;  // bytes of the buffer this request used
};

// nullopt = incomplete, need more bytes.
tl::expected<std::optional<HttpParseResult>, HttpError> parse_http_request(std::string_view buffer,
                                                                            const HttpLimits& limits = {});

// "%2Fa+b" -> "/a b" (plus_is_space for query components). nullopt on bad escapes or NUL.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

std::string_view http_reason_phrase(int status);

}  // namespace evpnd::api

// Fuzzes the API server's HTTP/1.x request parser (src/api/http_request_parser.hpp), the first
// code a local client's bytes reach. Properties, beyond "no crash, no overread" (ASan):
//  * a complete request used 1..size bytes; its path starts with '/', its body and header
//    section respect the limits (a client can never make the daemon buffer more);
//  * framing is prefix-stable: the same request parses from exactly its own bytes, and any
//    shorter prefix asks for more bytes instead of yielding a request or an error (the server
//    parses after every read, so a request split across reads must not change meaning);
//  * an error carries a 4xx/5xx status and a reason;
//  * pipelining: what follows a request parses without crashing too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/http_request_parser.hpp"
#include "fuzz_check.hpp"

using namespace evpnd::api;

namespace {

void check_request(const HttpRequest& r, const HttpLimits& limits) {
  FUZZ_CHECK(!r.method.empty());
  FUZZ_CHECK(!r.target.empty() && r.target.front() == '/');
  FUZZ_CHECK(!r.path.empty() && r.path.front() == '/');
  FUZZ_CHECK(r.body.size() <= limits.max_body_bytes);
  FUZZ_CHECK(r.headers.size() <= limits.max_header_fields);
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(!name.empty());
    for (char c : name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));  // names are lower-cased
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Small limits so the fuzzer reaches the limit paths with short inputs.
  HttpLimits limits;
  limits.max_header_bytes = 512;
  limits.max_header_fields = 8;
  limits.max_body_bytes = 256;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_http_request(in, limits);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().status >= 400 && parsed.error().status <= 599);
    FUZZ_CHECK(!parsed.error().reason.empty());
    return 0;
  }
  if (!*parsed) return 0;  // incomplete
  const HttpParseResult& res = **parsed;
  FUZZ_CHECK(res.consumed >= 1 && res.consumed <= size);
  check_request(res.request, limits);

  auto exact = parse_http_request(in.substr(0, res.consumed), limits);
  FUZZ_CHECK(exact && *exact && (*exact)->consumed == res.consumed);
  FUZZ_CHECK((*exact)->request.method == res.request.method && (*exact)->request.path == res.request.path &&
             (*exact)->request.body == res.request.body && (*exact)->request.query == res.request.query);

  // A prefix cut inside the request (position chosen by the input) needs more bytes.
  const size_t cut = size_t(data[0]) * res.consumed / 256;
  if (cut < res.consumed) {
    auto prefix = parse_http_request(in.substr(0, cut), limits);
    FUZZ_CHECK(prefix && !*prefix);
  }

  auto next = parse_http_request(in.substr(res.consumed), limits);
  if (next && *next) check_request((*next)->request, limits);
  return 0;
}

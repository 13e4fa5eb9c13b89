#include "api/http_request_parser.hpp"

#include <algorithm>
#include <charconv>

namespace evpnd::api {
namespace {

bool is_tchar(char c) {  // RFC 9110 §5.6.2 token characters
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

tl::unexpected<HttpError> error(int status, std::string reason) { return tl::unexpected(HttpError{status, std::move(reason)}); }

// Splits the header section into lines, accepting CRLF and (leniently) bare LF endings.
std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    head.remove_prefix(nl + 1);
  }
  return lines;
}

tl::expected<void, HttpError> parse_target(std::string_view target, HttpRequest& req) {
  if (target.empty() || target.front() != '/') return error(400, "request target must start with '/'");
  size_t q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path) return error(400, "bad percent-encoding in path");
  req.path = *path;
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  size_t frag = query.find('#');
  if (frag != std::string_view::npos) query = query.substr(0, frag);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) return error(400, "bad percent-encoding in query");
    req.query[*key] = *value;  // last one wins
  }
  return {};
}

}  // namespace

const std::string* HttpRequest::header(std::string_view lower_name) const {
  for (auto& [name, value] : headers)
    if (name == lower_name) return &value;
  return nullptr;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;  // needs two hex digits
      unsigned v = 0;
      auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec != std::errc{} || p != in.data() + i + 3) return std::nullopt;
      c = char(v);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

tl::expected<std::optional<HttpParseResult>, HttpError> parse_http_request(std::string_view buffer,
                                                                            const HttpLimits& limits) {
  // Tolerate empty lines before the request line (RFC 9112 §2.2).
  size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
  std::string_view buf = buffer.substr(start);
  size_t end_crlf = buf.find("\r\n\r\n"), end_lf = buf.find("\n\n");
  size_t head_len = std::string_view::npos, body_start = 0;
  if (end_crlf != std::string_view::npos && (end_lf == std::string_view::npos || end_crlf < end_lf)) {
    head_len = end_crlf;
    body_start = end_crlf + 4;
  } else if (end_lf != std::string_view::npos) {
    head_len = end_lf;
    body_start = end_lf + 2;
  }
  if (head_len == std::string_view::npos) {
    if (buf.size() > limits.max_header_bytes) return error(431, "request header section too large");
    return std::optional<HttpParseResult>{};
  }
  if (head_len > limits.max_header_bytes) return error(431, "request header section too large");

  auto lines = split_lines(buf.substr(0, head_len));
  HttpParseResult result;
  HttpRequest& req = result.request;
  // Request line: method SP request-target SP HTTP-version (RFC 9112 §3).
  std::string_view rl = lines.front();
  size_t sp1 = rl.find(' '), sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || rl.find(' ', sp2 + 1) != std::string_view::npos)
    return error(400, "malformed request line");
  std::string_view method = rl.substr(0, sp1), target = rl.substr(sp1 + 1, sp2 - sp1 - 1), version = rl.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar)) return error(400, "malformed method");
  if (version.substr(0, 5) != "HTTP/") return error(400, "malformed HTTP version");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return error(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  req.method = std::string(method);
  req.target = std::string(target);
  if (auto t = parse_target(target, req); !t) return tl::unexpected(t.error());

  if (lines.size() - 1 > limits.max_header_fields) return error(431, "too many header fields");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      return error(400, "obsolete header line folding");  // RFC 9112 §5.2
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return error(400, "malformed header field");
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return error(400, "malformed header field name");
    req.headers.emplace_back(lower(name), std::string(trim(line.substr(colon + 1))));
  }

  const bool http11 = version == "HTTP/1.1";
  req.http11 = http11;
  std::string connection = req.header("connection") ? lower(*req.header("connection")) : "";
  req.keep_alive = http11 ? connection.find("close") == std::string::npos : connection.find("keep-alive") != std::string::npos;

  if (req.header("transfer-encoding")) return error(501, "Transfer-Encoding is not supported; send Content-Length");
  size_t content_length = 0;
  std::optional<std::string> seen_length;
  for (auto& [name, value] : req.headers) {
    if (name != "content-length") continue;
    // RFC 9112 §6.3: differing Content-Length values are an unrecoverable framing error.
    if (seen_length && *seen_length != value) return error(400, "conflicting Content-Length fields");
    seen_length = value;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), content_length);
    if (value.empty() || p != value.data() + value.size()) return error(400, "malformed Content-Length");
    if (ec != std::errc{} || content_length > limits.max_body_bytes)
      return error(413, "request body larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  if (buf.size() - body_start < content_length) return std::optional<HttpParseResult>{};
  req.body = std::string(buf.substr(body_start, content_length));
  result.consumed = start + body_start + content_length;
  return std::optional<HttpParseResult>{std::move(result)};
}

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

}  // namespace evpnd::api

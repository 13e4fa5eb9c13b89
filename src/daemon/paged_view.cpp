#include "daemon/paged_view.hpp"

#include <charconv>
#include <stdexcept>

namespace evpnd::daemon {

void ItemSink::add(const nlohmann::json& item) {
  if (count_ > 0) out_ += ',';
  // replace: a peer-supplied string with invalid UTF-8 must not make dump() throw.
  out_ += item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  ++count_;
}

tl::expected<PageParams, std::string> page_params(const api::ApiRequest& req) {
  PageParams p;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    const std::string& s = it->second;
    size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 1 || v > 1000000)
      return tl::make_unexpected("bad limit '" + s + "': expected 1-1000000");
    p.limit = v;
  }
  if (auto it = req.query.find("cursor"); it != req.query.end()) p.cursor = it->second;
  return p;
}

api::ApiResponse paged_reply(std::string key, std::unique_ptr<ViewWalker> walker, size_t limit) {
  api::ApiResponse r{200, nullptr};
  r.content_type = "application/json";
  struct State {
    std::string key;
    std::unique_ptr<ViewWalker> walker;
    size_t limit;
    size_t count = 0;
    bool started = false;
  };
  auto st = std::make_shared<State>(State{std::move(key), std::move(walker), limit});
  r.stream = [st](std::string& out) {
    if (!st->started) {
      st->started = true;
      out += "{\"" + st->key + "\":[";
    }
    if (st->walker->invalidated()) throw std::runtime_error("table replaced during the walk");
    ItemSink sink(out, st->limit, st->count);
    const bool more = st->walker->walk(sink);
    st->count = sink.count();
    // Stopped for the piece: go on at the next loop turn. Stopped for the page (the next
    // entry does not fit `limit`): the page ends here and next_cursor says where to go on.
    if (more && sink.piece_full()) return true;
    out += "],\"count\":" + std::to_string(st->count);
    if (more) out += ",\"next_cursor\":\"" + st->walker->cursor() + "\"";
    out += "}\n";
    return false;
  };
  return r;
}

}  // namespace evpnd::daemon

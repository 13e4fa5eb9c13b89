// Paged, streamed JSON list views of the API (issue 12 defect 2): the large tables (EVPN RIB,
// MAC tables, neighbour tables) are never built as one JSON tree or one string. A ViewWalker
// walks its table from a position (the cursor) a bounded number of entries at a time; the
// server calls the producer once per event-loop turn, so a 1M-route dump interleaves with BGP
// keepalives and holds one ~64 KiB piece per connection.
//
//   GET ...?limit=N&cursor=C  ->  {"<key>":[item, ...],"count":n,"next_cursor":"C2"}
//
// `count` is the number of items in this reply; `next_cursor` is present when the walk stopped
// at `limit` (pass it back as `cursor` for the next page; the next page may be empty).
// Without `limit` the whole table is one streamed reply.
// NOTE consistency: nothing is pinned between pieces or pages. A walker re-reads the table on
// every call and resumes after the last key it emitted (never an iterator or pointer kept across
// turns), so a table that changes in between cannot make it crash or dangle: entries present
// for the whole walk appear exactly once, entries added or removed meanwhile may or may not.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "api/api_server.hpp"

namespace evpnd::daemon {

// Receives a walker's items; decides when a piece (bytes) or the page (`limit`) is full.
class ItemSink {
 public:
  static constexpr size_t kPieceBytes = 64 * 1024;
  ItemSink(std::string& out, size_t limit, size_t count) : out_(out), limit_(limit), count_(count) {}
  // May `n` more items (the paths of one destination, kept together) go into this page? An
  // empty page takes them anyway, so a page always progresses.
  bool page_fits(size_t n) const { return count_ == 0 || count_ + n <= limit_; }
  bool page_full() const { return count_ >= limit_; }
  bool piece_full() const { return yielded_ || out_.size() >= kPieceBytes; }
  // Ends this piece without adding anything: a walker that scanned its budget of entries
  // without a match (a filter) still gives the loop back.
  void yield() { yielded_ = true; }
  // Stop the walk for this call: the piece is full or the page has no room for one more.
  bool stop(size_t next_items = 1) const { return piece_full() || !page_fits(next_items); }
  void add(const nlohmann::json& item);
  size_t count() const { return count_; }

 private:
  std::string& out_;
  size_t limit_;
  size_t count_;
  bool yielded_ = false;
};

class ViewWalker {
 public:
  virtual ~ViewWalker() = default;
  // Adds items from the current position until sink.stop() or the end of the table; advances
  // the position past what it added. Returns true while entries may remain.
  virtual bool walk(ItemSink& sink) = 0;
  virtual std::string cursor() const = 0;  // the position, as next_cursor
  // The table went away under the walk (e.g. a reload rebuilt the engine): the stream is cut.
  virtual bool invalidated() const { return false; }
};

struct PageParams {
  size_t limit = SIZE_MAX;
  std::optional<std::string> cursor;
};

// `limit` (1..1000000) and `cursor` query parameters; an error names the bad value (400).
tl::expected<PageParams, std::string> page_params(const api::ApiRequest& req);

// The streamed reply {"<key>":[...],"count":n[,"next_cursor":...]} of one page.
api::ApiResponse paged_reply(std::string key, std::unique_ptr<ViewWalker> walker, size_t limit);

}  // namespace evpnd::daemon

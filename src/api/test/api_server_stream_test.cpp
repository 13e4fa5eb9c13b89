// Streamed replies (issue 12 defect 2): chunk framing, HTTP/1.0 close-delimited bodies,
// keep-alive after a stream, the event loop running between pieces, a slow reader holding the
// producer back (bounded memory), and a failing producer cutting the body short.
#include <atomic>
#include <chrono>
#include <thread>

#include "api/test/api_test_client.hpp"

namespace evpnd::api {
namespace {

using namespace evpnd::api::test;

// Piece i of the test stream: i % 7 == 3 is empty (must not end the body), sizes vary.
std::string piece_text(int i) { return i % 7 == 3 ? "" : std::string(size_t(1 + (i * 37) % 300), char('a' + i % 26)); }

std::string whole_text(int pieces) {
  std::string s;
  for (int i = 0; i < pieces; ++i) s += piece_text(i);
  return s;
}

class ApiStreamTest : public ApiServerFixture {
 protected:
  ApiHandler handler() override {
    return [this](const ApiRequest& req) {
      ApiResponse r{200, nullptr};
      r.content_type = "application/json";
      if (req.path == "/plain") return ApiResponse{200, {{"plain", true}}};
      const bool big = req.path == "/big", fail = req.path == "/fail";
      r.stream = [this, i = 0, big, fail](std::string& out) mutable {
        ++produced;
        ticks_at_piece.push_back(ticks.load());
        if (fail && i == 5) throw std::runtime_error("walk failed");
        if (big) {
          out.assign(64 * 1024, 'x');
          return ++i < kBigPieces;
        }
        out = piece_text(i);
        return ++i < kPieces;
      };
      return r;
    };
  }
  // A handler that re-posts itself: it runs once per event-loop turn while `ticking`.
  void start_ticker() {
    ticking = true;
    fake_->post([this] { tick(); });
  }
  void tick() {
    ++ticks;
    if (ticking) fake_->post([this] { tick(); });
  }

  static constexpr int kPieces = 200;
  static constexpr int kBigPieces = 400;  // 25 MiB if it were buffered
  std::atomic<int> produced{0};
  std::atomic<uint64_t> ticks{0};
  std::atomic<bool> ticking{false};
  std::vector<uint64_t> ticks_at_piece;  // written on the io thread, read after the stream
};

TEST(ApiChunk, AppendChunk_HexSizeDataCrlf) {
  std::string out;
  append_chunk(out, "a", false);
  EXPECT_EQ(out, "1\r\na\r\n");
  out.clear();
  append_chunk(out, std::string(4096, 'z'), false);
  EXPECT_EQ(out.substr(0, 6), "1000\r\n");
  EXPECT_EQ(out.size(), 6 + 4096 + 2u);
  out.clear();
  append_chunk(out, "", false);
  EXPECT_EQ(out, "");  // a zero-size chunk would end the body
  append_chunk(out, "", true);
  EXPECT_EQ(out, "0\r\n\r\n");
  out.clear();
  append_chunk(out, std::string(255, 'q'), true);
  EXPECT_EQ(out.substr(0, 4), "ff\r\n");
  EXPECT_EQ(out.substr(out.size() - 7), "\r\n0\r\n\r\n");
}

TEST_F(ApiStreamTest, Http11_ChunkedBodyReassembles) {
  auto r = request("GET /stream HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, whole_text(kPieces));
  EXPECT_EQ(stats().streamed, 1u);
}

TEST_F(ApiStreamTest, Http10_CloseDelimitedBody) {
  auto r = request("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_EQ(r.body, whole_text(kPieces));
}

TEST_F(ApiStreamTest, KeepAlive_NextRequestAfterStream) {
  int fd = connect_unix(path_);
  send_all(fd, "GET /stream HTTP/1.1\r\n\r\nGET /plain HTTP/1.1\r\n\r\n");  // pipelined
  std::string pending;
  auto a = read_response(fd, pending);
  EXPECT_TRUE(a.complete);
  EXPECT_EQ(a.body, whole_text(kPieces));
  auto b = read_response(fd, pending);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(nlohmann::json::parse(b.body)["plain"], true);
  ::close(fd);
}

// Other handlers (BGP timers, sockets) run between two pieces: the ticker advances between
// every pair of consecutive producer calls.
TEST_F(ApiStreamTest, EventLoopRunsBetweenPieces) {
  start_ticker();
  auto r = request("GET /stream HTTP/1.1\r\n\r\n");
  ticking = false;
  ASSERT_TRUE(r.complete);
  std::vector<uint64_t> at;
  on_io([&] { at = ticks_at_piece; });
  ASSERT_EQ(at.size(), size_t(kPieces));
  for (size_t i = 1; i < at.size(); ++i) EXPECT_GT(at[i], at[i - 1]) << "piece " << i << " ran without a loop turn";
}

// A client that does not read holds the producer back: only what fits the socket buffers is
// produced, not the whole 125 MiB body; reading then gets every byte.
TEST_F(ApiStreamTest, SlowReader_ProducerWaitsForWrites) {
  int fd = connect_unix(path_);
  send_all(fd, "GET /big HTTP/1.1\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int early = produced.load();
  EXPECT_LT(early, 100) << "produced without waiting for the reader";
  std::string pending;
  auto r = read_response(fd, pending);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body.size(), size_t(kBigPieces) * 64 * 1024);
  ::close(fd);
}

TEST_F(ApiStreamTest, ProducerThrows_BodyCutWithoutLastChunk) {
  int fd = connect_unix(path_);
  send_all(fd, "GET /fail HTTP/1.1\r\n\r\n");
  std::string pending;
  auto r = read_response(fd, pending);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);  // the client can tell the reply is incomplete
  ::close(fd);
  EXPECT_EQ(request("GET /plain HTTP/1.1\r\n\r\n").status, 200);  // the server is fine
}

}  // namespace
}  // namespace evpnd::api

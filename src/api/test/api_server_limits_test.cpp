// ApiServer connection limits (issue 12 defect 7, slowloris): the whole request must arrive
// within the request timeout however slowly it trickles, idle keep-alives time out, and a full
// server evicts a waiting connection so an operator always gets in.
#include <chrono>
#include <thread>
#include <vector>

#include "api/test/api_test_client.hpp"

namespace evpnd::api {
namespace {

using nlohmann::json;
using namespace evpnd::api::test;

ApiResponse echo_handler(const ApiRequest& req) { return ApiResponse{200, {{"path", req.path}}}; }

class ApiLimitsTest : public ApiServerFixture {
 protected:
  ApiHandler handler() override { return echo_handler; }
  void set_timeouts(std::chrono::milliseconds idle, std::chrono::milliseconds request) {
    on_io([&] {
      server().set_idle_timeout(idle);
      server().set_request_timeout(request);
    });
  }
};

// A byte every 50 ms keeps the connection busy forever if every byte restarts a timer: the
// request deadline (300 ms) must end it with 408 although the idle timeout (10 s) never runs out.
TEST_F(ApiLimitsTest, TrickledRequest_408AtRequestDeadline) {
  set_timeouts(std::chrono::seconds(10), std::chrono::milliseconds(300));
  int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string req = "GET /v1/slow HTTP/1.1\r\nX-Pad: " + std::string(200, 'p');
    for (size_t i = 0; i < req.size() && !stop; ++i) {
      if (::send(fd, &req[i], 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::string pending;
  RawResponse r = read_response(fd, pending);  // 5 s receive timeout: status 0 if never answered
  stop = true;
  trickle.join();
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(peer_closed(fd));
  ::close(fd);
  EXPECT_EQ(stats().request_timeouts, 1u);
}

// A connection that never sends a byte is on the request deadline from its accept.
TEST_F(ApiLimitsTest, SilentConnection_ClosedAtRequestDeadline) {
  set_timeouts(std::chrono::seconds(10), std::chrono::milliseconds(200));
  int fd = connect_unix(path_);
  std::string pending;
  EXPECT_EQ(read_response(fd, pending).status, 408);
  ::close(fd);
}

TEST_F(ApiLimitsTest, IdleKeepAlive_ClosedAfterIdleTimeout) {
  set_timeouts(std::chrono::milliseconds(200), std::chrono::seconds(10));
  int fd = connect_unix(path_);
  std::string pending;
  send_all(fd, "GET /v1/one HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_response(fd, pending).status, 200);
  EXPECT_TRUE(peer_closed(fd));  // no 408: it had no request in progress
  ::close(fd);
  EXPECT_EQ(stats().idle_timeouts, 1u);
  EXPECT_EQ(stats().request_timeouts, 0u);
}

// Keep-alive requests each get a fresh deadline: a client that asks quickly is never cut off.
TEST_F(ApiLimitsTest, KeepAlive_EachRequestHasItsOwnDeadline) {
  set_timeouts(std::chrono::seconds(10), std::chrono::milliseconds(300));
  int fd = connect_unix(path_);
  std::string pending;
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // 4 x 150 ms > one deadline
    send_all(fd, "GET /v1/again HTTP/1.1\r\n\r\n");
    EXPECT_EQ(read_response(fd, pending).status, 200) << i;
  }
  ::close(fd);
}

// 64 slowloris connections hold every slot with incomplete requests (default deadlines, far
// away): the operator's connection still gets its answer, by evicting the oldest of them.
TEST_F(ApiLimitsTest, FullOfSlowloris_OperatorGetsIn) {
  std::vector<int> fds;
  for (size_t i = 0; i < ApiServer::kMaxConnections; ++i) {
    fds.push_back(connect_unix(path_));
    send_all(fds.back(), "GET /v1/slow HTTP/1.1\r\nX-A: ");
  }
  // The server registers connections asynchronously: wait until all 64 are in.
  for (int i = 0; i < 200 && stats().connections < ApiServer::kMaxConnections; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(stats().connections, ApiServer::kMaxConnections);
  int op = connect_unix(path_);
  send_all(op, "GET /v1/operator HTTP/1.1\r\n\r\n");
  std::string pending;
  RawResponse r = read_response(op, pending);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["path"], "/v1/operator");
  ::close(op);
  EXPECT_TRUE(peer_closed(fds.front()));  // the oldest incomplete request made room
  EXPECT_GE(stats().evictions, 1u);
  for (int fd : fds) ::close(fd);
}

// Idle keep-alives are evicted too, but only after every incomplete request.
TEST_F(ApiLimitsTest, Full_IncompleteRequestEvictedBeforeIdleKeepAlive) {
  std::vector<int> fds;
  std::string pending;
  for (size_t i = 0; i + 1 < ApiServer::kMaxConnections; ++i) {
    fds.push_back(connect_unix(path_));
    send_all(fds.back(), "GET /v1/idle HTTP/1.1\r\n\r\n");
    ASSERT_EQ(read_response(fds.back(), pending).status, 200);  // now idle, oldest first
  }
  int slow = connect_unix(path_);
  send_all(slow, "GET /v1/slow HTTP/1.1\r\n");
  for (int i = 0; i < 200 && stats().connections < ApiServer::kMaxConnections; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  int op = connect_unix(path_);
  send_all(op, "GET /v1/operator HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_response(op, pending).status, 200);
  EXPECT_TRUE(peer_closed(slow));
  // The idle ones are still there: a request on the oldest is answered.
  send_all(fds.front(), "GET /v1/still HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_response(fds.front(), pending).status, 200);
  ::close(op);
  ::close(slow);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace evpnd::api

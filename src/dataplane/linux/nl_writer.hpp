// NlWriter: sends queued netlink entry batches of one namespace from a thread of its own.
//
// Why a thread: writing an FDB/neighbour entry is mostly kernel work done inside sendmsg() under
// the RTNL lock (vxlan_fdb_create's per-CPU dst cache alone is ~15% of a 100k-MAC load). On the
// daemon thread that time adds to the BGP decode, RIB and EVPN work; on a writer thread the two
// overlap (FRR's zebra has its dataplane pthread for the same reason). Only entry batches go
// through the writer: device changes, dumps and reconcile stay synchronous on the daemon thread,
// which first waits for the writer to be idle (wait_idle), so the kernel sees requests in order.
//
// NOTE threading: submit(), wait_idle(), take_errors() and fd() are for the daemon thread; the
// writer thread only touches its socket and the job queue. The socket is opened by the daemon
// thread (setns is per thread) and handed over; a socket stays in the namespace it was made in.
// NOTE errors: failures come back asynchronously: take_errors() after fd() (an eventfd) turned
// readable, or after wait_idle().
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dataplane/intent.hpp"
#include "dataplane/linux/nl_socket.hpp"

namespace evpnd::dataplane::nl {

struct WriteJob {
  Bytes batch;                     // concatenated requests
  std::vector<size_t> offsets;     // start of each request
  std::vector<bool> delete_ok;     // a delete: ENOENT and friends count as success
};

// A request the kernel refused, with its bytes so the provider can name the intent.
struct WriteError {
  IntentError error;               // index is meaningless here (0)
  Bytes request;
};

// Operator-readable text of one request, for a late error ("add fdb 02:..:10 dst 10.255.0.2
// ifindex 5"): describing the bytes costs nothing until a write fails, where keeping a copy of
// every intent for its message cost ~30 MiB at peak in a 100k-MAC load.
std::string describe_request(ByteView msg);

class NlWriter {
 public:
  explicit NlWriter(std::unique_ptr<NlSocket> sock);
  ~NlWriter();  // finishes the queued jobs, then joins
  NlWriter(const NlWriter&) = delete;
  NlWriter& operator=(const NlWriter&) = delete;

  void submit(WriteJob job);
  void wait_idle();
  std::vector<WriteError> take_errors();
  int fd() const { return event_fd_; }
  // Clears the eventfd's counter (call when it was readable).
  void ack_event();

 private:
  void run();
  void write(WriteJob& job, std::vector<WriteError>& errors);

  std::unique_ptr<NlSocket> sock_;
  int event_fd_ = -1;
  std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<WriteJob> jobs_;
  bool busy_ = false;
  bool stop_ = false;
  std::vector<WriteError> errors_;
  std::thread thread_;
};

}  // namespace evpnd::dataplane::nl

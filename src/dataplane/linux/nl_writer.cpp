#include "dataplane/linux/nl_writer.hpp"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dataplane/linux/nl_parser.hpp"

namespace evpnd::dataplane::nl {

std::string describe_request(ByteView msg) {
  const uint16_t type = message_type(msg);
  std::string s = type == RTM_NEWNEIGH || type == RTM_NEWROUTE ? "add" : "del";
  if (type == RTM_NEWNEIGH || type == RTM_DELNEIGH) {
    if (auto n = parse_neigh(msg)) {
      s.append(n->family == AF_BRIDGE ? " fdb" : " neighbour");
      if (n->family != AF_BRIDGE && n->dst) s.append(" ").append(n->dst->to_string());
      if (n->lladdr) s.append(" ").append(n->lladdr->to_string());
      if (n->family == AF_BRIDGE && n->dst) s.append(" dst ").append(n->dst->to_string());
      return s.append(" ifindex ").append(std::to_string(n->ifindex));
    }
  } else if (type == RTM_NEWROUTE || type == RTM_DELROUTE) {
    if (auto r = parse_route(msg)) {
      return s.append(" route ").append(r->dst.to_string()).append(" table ").append(std::to_string(r->table));
    }
  }
  return "netlink request type " + std::to_string(type);
}

NlWriter::NlWriter(std::unique_ptr<NlSocket> sock)
    : sock_(std::move(sock)), event_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { run(); });
}

NlWriter::~NlWriter() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
  if (event_fd_ >= 0) ::close(event_fd_);
}

void NlWriter::submit(WriteJob job) {
  {
    std::lock_guard lk(mu_);
    jobs_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void NlWriter::wait_idle() {
  std::unique_lock lk(mu_);
  idle_cv_.wait(lk, [this] { return jobs_.empty() && !busy_; });
}

std::vector<WriteError> NlWriter::take_errors() {
  std::lock_guard lk(mu_);
  return std::exchange(errors_, {});
}

void NlWriter::ack_event() {
  uint64_t v;
  while (::read(event_fd_, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) {
  }
}

void NlWriter::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    work_cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ with nothing left to write
    WriteJob job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lk.unlock();
    std::vector<WriteError> errors;
    write(job, errors);
    lk.lock();
    busy_ = false;
    if (!errors.empty()) {
      errors_.insert(errors_.end(), std::make_move_iterator(errors.begin()), std::make_move_iterator(errors.end()));
      const uint64_t one = 1;
      [[maybe_unused]] ssize_t w = ::write(event_fd_, &one, sizeof one);
    }
    if (jobs_.empty()) idle_cv_.notify_all();
  }
}

void NlWriter::write(WriteJob& job, std::vector<WriteError>& errors) {
  if (job.offsets.empty()) return;
  const uint32_t first_seq = reinterpret_cast<const nlmsghdr*>(job.batch.data())->nlmsg_seq;
  auto request = [&](size_t k) {
    const size_t end = k + 1 < job.offsets.size() ? job.offsets[k + 1] : job.batch.size();
    return ByteView(job.batch.data() + job.offsets[k], end - job.offsets[k]);
  };
  auto describe = [&](size_t k) { return describe_request(request(k)); };
  auto fail = [&](size_t k, int error, std::string message) {
    const ByteView r = request(k);
    errors.push_back({IntentError{0, error, std::move(message), std::nullopt}, Bytes(r.begin(), r.end())});
  };
  auto r = sock_->transact(job.batch, job.offsets);
  if (!r) {
    // The socket broke: every request of the job failed (the shadow keeps the intents for reconcile).
    for (size_t k = 0; k < job.offsets.size(); ++k) fail(k, r.error().error, describe(k) + ": " + r.error().message);
    return;
  }
  for (const auto& f : *r) {
    const size_t k = f.seq - first_seq;
    if (k >= job.offsets.size()) continue;
    if (job.delete_ok[k] && (f.error == ENOENT || f.error == ESRCH || f.error == ENODEV || f.error == EADDRNOTAVAIL))
      continue;
    fail(k, f.error, describe(k) + ": " + std::strerror(f.error) + (f.message.empty() ? "" : " (" + f.message + ")"));
  }
}

}  // namespace evpnd::dataplane::nl

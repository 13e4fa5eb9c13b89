#include "dataplane/linux/nl_socket.hpp"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace evpnd::dataplane::nl {
namespace {

DataplaneError sys_error(const std::string& what, int err = errno) {
  return DataplaneError{err, what + ": " + std::strerror(err)};
}

std::string extack_text(const nlmsghdr* nlh) {
  // NLMSGERR_ATTR_MSG follows the (capped) nlmsgerr when NLM_F_ACK_TLVS is set.
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  size_t off = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += err->msg.nlmsg_len - sizeof(nlmsghdr);
  std::string text;
  mnl_attr_parse(
      nlh, static_cast<unsigned>(off),
      [](const nlattr* a, void* data) {
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
          *static_cast<std::string*>(data) = mnl_attr_get_str(a);
        return int{MNL_CB_OK};
      },
      &text);
  return text;
}

}  // namespace

tl::expected<NetnsFd, DataplaneError> NetnsFd::open(const std::string& name) {
  return open_path(name.empty() ? "/proc/self/ns/net" : "/run/netns/" + name);
}

tl::expected<NetnsFd, DataplaneError> NetnsFd::open_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::make_unexpected(sys_error("open " + path));
  return NetnsFd(fd);
}

NetnsFd& NetnsFd::operator=(NetnsFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

NetnsFd::~NetnsFd() {
  if (fd_ >= 0) ::close(fd_);
}

tl::expected<std::unique_ptr<NlSocket>, DataplaneError> NlSocket::open(const std::string& netns,
                                                                       unsigned groups, int rcvbuf) {
  if (netns.empty()) return open_at(nullptr, netns, groups, rcvbuf);
  auto t = NetnsFd::open(netns);
  if (!t) return tl::make_unexpected(t.error());
  return open_at(&*t, netns, groups, rcvbuf);
}

tl::expected<std::unique_ptr<NlSocket>, DataplaneError> NlSocket::open_in(const NetnsFd& ns, std::string label,
                                                                          unsigned groups, int rcvbuf) {
  return open_at(&ns, std::move(label), groups, rcvbuf);
}

tl::expected<std::unique_ptr<NlSocket>, DataplaneError> NlSocket::open_at(const NetnsFd* target, std::string netns,
                                                                          unsigned groups, int rcvbuf) {
  NetnsFd self;
  if (target) {
    auto s = NetnsFd::open("");
    if (!s) return tl::make_unexpected(s.error());
    self = std::move(*s);
    if (setns(target->fd(), CLONE_NEWNET) < 0) return tl::make_unexpected(sys_error("setns " + netns));
  }
  mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  int open_errno = errno;
  if (target && setns(self.fd(), CLONE_NEWNET) < 0) {
    // Cannot return to our own namespace: every later socket would be wrong. Broken invariant.
    std::abort();
  }
  if (!s) return tl::make_unexpected(sys_error("netlink socket in '" + netns + "'", open_errno));
  std::unique_ptr<NlSocket> sock(new NlSocket(s, std::move(netns)));
  int fd = mnl_socket_get_fd(s);
  int one = 1;
  int buf = rcvbuf > 0 ? rcvbuf : groups ? kMonitorRcvBuf : kRcvBuf;
  // FORCE variants exceed net.core.rmem_max (needs CAP_NET_ADMIN, which we have anyway).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  int sbuf = 4 * static_cast<int>(kChunkBytes);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sbuf, sizeof sbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sbuf, sizeof sbuf);
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) < 0) return tl::make_unexpected(sys_error("bind"));
  sock->portid_ = mnl_socket_get_portid(s);
  if (groups) {
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  }
  return sock;
}

NlSocket::~NlSocket() { mnl_socket_close(sock_); }

bool NlSocket::drop_own_entry_notifications() {
  // Netlink headers are host-endian and BPF_H loads network order: compare with htons(value).
  // Offsets: nlmsg_type 4; ndmsg.ndm_family 16, ndmsg.ndm_flags 26; rtmsg.rtm_protocol 21 (one
  // message per notification). Jump offsets are relative to the next instruction.
  static const sock_filter kProg[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),                              // 0
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWROUTE), 0, 2),     // 1: new route -> 2, else 4
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 21),                             // 2
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTPROT_BGP, 8, 7),              // 3: proto bgp -> drop, else keep
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWNEIGH), 0, 6),     // 4: other -> keep (deletions too)
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 26),                             // 5
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NTF_EXT_LEARNED, 5, 0),         // 6: extern_learn -> drop
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 16),                             // 7
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_BRIDGE, 0, 2),               // 8: not bridge -> keep
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 26),                             // 9
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NTF_SELF, 1, 0),               // 10: self -> drop
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),                              // 11: keep
      BPF_STMT(BPF_RET | BPF_K, 0),                                       // 12: drop
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(kProg)), const_cast<sock_filter*>(kProg)};
  return setsockopt(fd(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
}

bool NlSocket::strict_dumps() {
  int one = 1;
  return setsockopt(fd(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
}

bool NlSocket::join_group(unsigned group) {
  return setsockopt(fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) == 0;
}

int NlSocket::fd() const { return mnl_socket_get_fd(sock_); }

tl::expected<std::vector<NlFailure>, DataplaneError> NlSocket::transact(Bytes& batch,
                                                                        const std::vector<size_t>& offsets,
                                                                        const std::function<void()>& after_chunk) {
  std::vector<NlFailure> failures;
  size_t i = 0;
  while (i < offsets.size()) {
    // Chunk [i, j): as many whole messages as fit in kChunkBytes (at least one).
    size_t start = offsets[i];
    size_t j = i + 1;
    while (j < offsets.size() && offsets[j] - start <= kChunkBytes) ++j;
    size_t end = j < offsets.size() ? offsets[j] : batch.size();
    if (j < offsets.size() && end - start > kChunkBytes && j > i + 1) {
      --j;
      end = offsets[j];
    }
    auto* last = reinterpret_cast<nlmsghdr*>(batch.data() + offsets[j - 1]);
    last->nlmsg_flags |= NLM_F_ACK;
    const uint32_t last_seq = last->nlmsg_seq;
    if (mnl_socket_sendto(sock_, batch.data() + start, end - start) < 0)
      return tl::make_unexpected(sys_error("netlink sendmsg"));
    bool done = false;
    while (!done) {
      ssize_t n = mnl_socket_recvfrom(sock_, rxbuf_.data(), rxbuf_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return tl::make_unexpected(sys_error("netlink recv"));
      }
      int left = static_cast<int>(n);
      for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data()); mnl_nlmsg_ok(nlh, left);
           nlh = mnl_nlmsg_next(nlh, &left)) {
        if (nlh->nlmsg_type != NLMSG_ERROR) continue;
        auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        if (err->error != 0) failures.push_back({nlh->nlmsg_seq, -err->error, extack_text(nlh)});
        if (nlh->nlmsg_seq == last_seq) done = true;
      }
    }
    if (after_chunk) after_chunk();
    i = j;
  }
  return failures;
}

int NlSocket::request(Bytes& msg, std::string* message) {
  std::vector<size_t> offsets{0};
  auto r = transact(msg, offsets);
  if (!r) {
    if (message) *message = r.error().message;
    return r.error().error;
  }
  if (r->empty()) return 0;
  if (message) *message = r->front().message;
  return r->front().error;
}

tl::expected<void, DataplaneError> NlSocket::dump(Bytes& request, const std::function<void(ByteView)>& cb) {
  auto* req = reinterpret_cast<nlmsghdr*>(request.data());
  const uint32_t seq = req->nlmsg_seq;
  if (mnl_socket_sendto(sock_, request.data(), request.size()) < 0)
    return tl::make_unexpected(sys_error("netlink dump sendmsg"));
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, rxbuf_.data(), rxbuf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::make_unexpected(sys_error("netlink dump recv"));
    }
    int left = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data()); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
      if (nlh->nlmsg_seq != seq) continue;  // a stale answer from an earlier request
      if (nlh->nlmsg_type == NLMSG_DONE) return {};
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        if (err->error == 0) return {};
        return tl::make_unexpected(DataplaneError{-err->error, "netlink dump: " + std::string(std::strerror(-err->error))});
      }
      if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
        // The table changed while dumping; the caller's state may be inconsistent. Keep reading
        // (the result is still the best we have) and let the monitor deliver the changes.
      }
      cb(ByteView(reinterpret_cast<const uint8_t*>(nlh), nlh->nlmsg_len));
    }
  }
}

tl::expected<Bytes, int> NlSocket::query(Bytes& request) {
  auto* req = reinterpret_cast<nlmsghdr*>(request.data());
  const uint32_t seq = req->nlmsg_seq;
  if (mnl_socket_sendto(sock_, request.data(), request.size()) < 0) return tl::make_unexpected(errno);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, rxbuf_.data(), rxbuf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::make_unexpected(errno);
    }
    int left = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data()); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
      if (nlh->nlmsg_seq != seq) continue;
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        return tl::make_unexpected(err->error ? -err->error : ENODATA);
      }
      auto* p = reinterpret_cast<const uint8_t*>(nlh);
      return Bytes(p, p + nlh->nlmsg_len);
    }
  }
}

bool NlSocket::drain(const std::function<void(ByteView)>& cb) {
  // After an overrun the kernel reports ENOBUFS once and then stays "congested" (drops further
  // notifications silently) until the queue has been read empty: keep reading to EAGAIN, or
  // the next overrun would never be reported.
  bool lost = false;
  for (;;) {
    ssize_t n = recv(fd(), rxbuf_.data(), rxbuf_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        lost = true;
        continue;
      }
      return !lost;  // EAGAIN: nothing more pending
    }
    int left = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data()); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left))
      cb(ByteView(reinterpret_cast<const uint8_t*>(nlh), nlh->nlmsg_len));
  }
}

}  // namespace evpnd::dataplane::nl

// NlSocket: one NETLINK_ROUTE socket (libmnl) opened inside a named network namespace.
//
// NOTE namespaces: open() enters /run/netns/<name> with setns(), creates the socket and returns
// to the original namespace (a socket stays bound to the namespace it was created in); open_in()
// does the same for any open namespace file (the CNI plugin's CNI_NETNS paths). setns() acts on
// the calling thread only: call from the daemon thread, never concurrently.
// NOTE batching: transact() takes many concatenated requests and sends them in chunks of up to
// kChunkBytes per sendmsg. Requests carry no NLM_F_ACK except the last of each chunk, so the
// kernel answers only failures plus one ACK per chunk (netlink_rcv_skb() acks on error or
// NLM_F_ACK); failures are matched to requests by nlmsg_seq.
// NOTE buffers: SO_RCVBUF(FORCE)/SO_SNDBUF(FORCE) are raised (kRcvBuf) so a burst of failures or a
// monitor storm does not overrun; an overrun still shows as ENOBUFS from recv (-> resync).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "dataplane/dataplane.hpp"

struct mnl_socket;

namespace evpnd::dataplane::nl {

// An open namespace file descriptor (/run/netns/<name>, or this process's own for "").
class NetnsFd {
 public:
  static tl::expected<NetnsFd, DataplaneError> open(const std::string& name);
  // Any namespace file: a CNI_NETNS path (/run/netns/..., /proc/<pid>/ns/net, a runtime's own
  // mount point). The file is opened as given, so it may name a namespace no /run/netns name has.
  static tl::expected<NetnsFd, DataplaneError> open_path(const std::string& path);
  NetnsFd() = default;
  NetnsFd(NetnsFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  NetnsFd& operator=(NetnsFd&& o) noexcept;
  ~NetnsFd();
  int fd() const { return fd_; }

 private:
  explicit NetnsFd(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct NlFailure {
  uint32_t seq = 0;
  int error = 0;          // positive errno
  std::string message;    // kernel extack text when given
};

class NlSocket {
 public:
  static constexpr size_t kChunkBytes = 64 * 1024;
  static constexpr int kRcvBuf = 32 * 1024 * 1024;
  // Monitor sockets: a writer thread can add 100k entries while the daemon thread is busy with
  // BGP; each echo costs ~1 KiB of buffer (skb truesize). Memory is only charged while queued.
  static constexpr int kMonitorRcvBuf = 256 * 1024 * 1024;

  // groups: RTMGRP_* bitmask for a monitor socket (0 for a request socket).
  // rcvbuf: receive buffer bytes, 0 = kRcvBuf (requests) / kMonitorRcvBuf (with groups).
  static tl::expected<std::unique_ptr<NlSocket>, DataplaneError> open(const std::string& netns,
                                                                      unsigned groups = 0, int rcvbuf = 0);
  // The same inside the namespace `ns` refers to (`label` names it in errors and netns()).
  // A setns() refusal (the file is not a namespace) is reported with errno EINVAL.
  static tl::expected<std::unique_ptr<NlSocket>, DataplaneError> open_in(const NetnsFd& ns, std::string label,
                                                                         unsigned groups = 0, int rcvbuf = 0);
  ~NlSocket();
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;

  int fd() const;
  const std::string& netns() const { return netns_; }
  uint32_t next_seq() { return ++seq_; }

  // Sends the requests in `batch` (starting at the given offsets, in order) and returns the
  // failures. A transport error (sendmsg/recv failed) is returned as the unexpected value.
  // `after_chunk` runs once each chunk is acknowledged (the caller drains its monitor socket
  // there, so the echoes of a large batch never pile up into an overrun).
  tl::expected<std::vector<NlFailure>, DataplaneError> transact(Bytes& batch, const std::vector<size_t>& offsets,
                                                                const std::function<void()>& after_chunk = {});
  // One request, one answer: 0 or the positive errno (with extack text in `message`).
  int request(Bytes& msg, std::string* message = nullptr);
  // Runs a dump request; `cb` sees each message of the answer (not NLMSG_DONE).
  tl::expected<void, DataplaneError> dump(Bytes& request, const std::function<void(ByteView)>& cb);
  // Single-message query (e.g. RTM_GETLINK by name): the answer or the errno.
  tl::expected<Bytes, int> query(Bytes& request);

  // Monitor sockets: a classic BPF filter drops, in the kernel before they are queued, the
  // neighbour notifications of entries we write ourselves: extern_learn ones (the bridge FDB
  // copies of remote MACs, ARP/ND suppression entries) and AF_BRIDGE `self` ones (the vxlan
  // driver's FDB), and the RTM_NEWROUTE echoes of our `proto bgp` routes. Each remote MAC+IP
  // route echoed three times; reading and parsing the echoes was ~15% of the daemon thread in a
  // 100k-MAC load. What the echoes told us (a local entry taken over by a remote one) the
  // provider derives when it queues the write. Deletions pass: a foreign deletion of an entry
  // we own is drift to repair, and the kernel does not say who deleted (FDB notifications
  // carry no portid), so our own deletions' echoes are read too and matched by the daemon.
  bool drop_own_entry_notifications();
  // Request sockets: the kernel applies the filters of a dump request (table, device, ...)
  // instead of ignoring them (NETLINK_GET_STRICT_CHK); it also rejects malformed GET requests.
  // False when the kernel refuses (before 4.20).
  bool strict_dumps();
  // Monitor sockets: joins a multicast group beyond the legacy RTMGRP_* bitmask (e.g.
  // RTNLGRP_NEXTHOP = 32). False when the kernel refuses (no such group).
  bool join_group(unsigned group);
  // Monitor sockets: reads everything pending without blocking (to EAGAIN, also after an
  // overrun). Returns false on overrun (ENOBUFS): events were lost.
  bool drain(const std::function<void(ByteView)>& cb);

 private:
  NlSocket(mnl_socket* s, std::string netns) : sock_(s), netns_(std::move(netns)) {}
  static tl::expected<std::unique_ptr<NlSocket>, DataplaneError> open_at(const NetnsFd* target, std::string label,
                                                                         unsigned groups, int rcvbuf);
  mnl_socket* sock_;
  std::string netns_;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  std::vector<uint8_t> rxbuf_ = std::vector<uint8_t>(256 * 1024);
};

}  // namespace evpnd::dataplane::nl

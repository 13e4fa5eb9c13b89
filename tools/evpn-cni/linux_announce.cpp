// LinuxNetOps::announce: gratuitous ARP / unsolicited NA from the container interface, through an
// AF_PACKET socket created inside the container namespace.
//
// NOTE namespaces: the socket is created by a short-lived thread that setns()es into the
// container namespace and ends there; a packet socket stays bound to the namespace it was
// created in, so the calling thread (and the process) never leaves its own namespace.
// NOTE count: each frame is sent kAnnounceCount = 2 times, kAnnounceSpacing apart. RFC 5227 §2.3
// sends ANNOUNCE_NUM = 2 announcements and RFC 4861 §7.2.6 allows up to MAX_NEIGHBOR_
// ADVERTISEMENT = 3, both because one frame can be lost. Here a loss is a momentary one on the
// local segment (a full veth/backlog queue, a bridge port just enabled), so the copy follows
// a few milliseconds later instead of the RFCs' 2 s ANNOUNCE_INTERVAL / RetransTimer spacing,
// which would hold the CNI ADD (and the pod's start) that long; evpnd does not depend on the
// frames (the plugin announces the endpoint through the API), they refresh the segment's caches.
// NOTE cost: announce takes ~13 ms (median, 30 pods on this machine's kernel), of which ~10 ms
// is the close of the packet socket: packet_release() waits for an RCU grace period
// (synchronize_net()) unconditionally. The plugin announces after the endpoint POST, so the
// fabric's route for the pod does not wait for it; only the ADD's own duration includes it.
#include "evpn-cni/linux_announce.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "evpn-cni/linux_net_ops.hpp"
#include "evpn-cni/linux_netlink.hpp"

namespace evpnd::cni {
namespace {

using namespace linux_nl;

constexpr int kAnnounceCount = 2;
constexpr std::chrono::milliseconds kAnnounceSpacing{3};
constexpr size_t kEthMinFrame = 60;  // without FCS
constexpr uint8_t kAllNodesMac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};  // RFC 2464 §7 for ff02::1
constexpr uint8_t kBroadcastMac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// Writes a frame of known length front to back (sized once: no growth, and none of g++ 12's
// false stringop-overflow warnings about vector::insert).
class FrameWriter {
 public:
  explicit FrameWriter(size_t len) : b_(len, 0) {}
  void put(const uint8_t* p, size_t n) {
    std::memcpy(b_.data() + at_, p, n);
    at_ += n;
  }
  void put8(uint8_t v) { b_[at_++] = v; }
  void put16(uint16_t v) {
    put8(static_cast<uint8_t>(v >> 8));
    put8(static_cast<uint8_t>(v));
  }
  void zeros(size_t n) { at_ += n; }
  void eth(const uint8_t* dst, const Mac& src, uint16_t ethertype) {
    put(dst, 6);
    put(src.data(), 6);
    put16(ethertype);
  }
  size_t at() const { return at_; }
  Bytes& bytes() { return b_; }

 private:
  Bytes b_;
  size_t at_ = 0;
};

IpAddress all_nodes() { return *IpAddress::parse("ff02::1"); }

// A packet socket in the namespace `ns` (see the NOTE above): the fd or the errno.
tl::expected<int, int> packet_socket_in(const nl::NetnsFd& ns) {
  int fd = -1;
  int err = 0;
  std::thread t([&] {
    if (setns(ns.fd(), CLONE_NEWNET) < 0) {
      err = errno;
      return;
    }
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: send only, receives nothing
    if (fd < 0) err = errno;
  });
  t.join();
  if (fd < 0) return tl::make_unexpected(err);
  return fd;
}

struct Frame {
  Bytes bytes;
  std::string what;
  bool sent = false;
  int error = 0;
};

}  // namespace

uint16_t icmpv6_checksum(const IpAddress& src, const IpAddress& dst, ByteView icmp) {
  uint32_t sum = 0;
  auto add = [&sum](const uint8_t* p, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n % 2) sum += static_cast<uint32_t>(p[n - 1] << 8);
  };
  add(src.data(), 16);
  add(dst.data(), 16);
  const uint32_t len = static_cast<uint32_t>(icmp.size());
  sum += len >> 16;
  sum += len & 0xffff;
  sum += 58;  // next header: ICMPv6
  add(icmp.data(), icmp.size());
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Bytes garp_frame(const Mac& mac, const IpAddress& ip) {
  FrameWriter w(kEthMinFrame);  // 14 + 28, zero-padded to the minimum
  w.eth(kBroadcastMac, mac, ETH_P_ARP);
  w.put16(1);         // htype Ethernet
  w.put16(ETH_P_IP);  // ptype IPv4
  w.put8(6);          // hlen
  w.put8(4);          // plen
  w.put16(1);         // oper request (RFC 5227 §3: an announcement is a request)
  w.put(mac.data(), 6);
  w.put(ip.data(), 4);
  w.zeros(6);           // target hardware address: zero
  w.put(ip.data(), 4);  // target protocol address = sender's
  return std::move(w.bytes());
}

Bytes unsolicited_na_frame(const Mac& mac, const IpAddress& ip) {
  constexpr size_t kIcmpLen = 24 + 8;  // NA (RFC 4861 §4.4) + Target Link-Layer Address option
  constexpr size_t kIcmpAt = 14 + 40;
  const IpAddress dst = all_nodes();
  FrameWriter w(kIcmpAt + kIcmpLen);
  w.eth(kAllNodesMac, mac, ETH_P_IPV6);
  w.put8(0x60);  // version 6, traffic class 0, flow label 0
  w.zeros(3);
  w.put16(kIcmpLen);  // payload length
  w.put8(58);         // next header ICMPv6
  w.put8(255);        // hop limit (RFC 4861 §7.1.2)
  w.put(ip.data(), 16);
  w.put(dst.data(), 16);
  w.put8(136);  // type: Neighbor Advertisement
  w.put8(0);    // code
  w.zeros(2);   // checksum, filled in below
  w.put8(0x20);  // R=0 S=0 O=1
  w.zeros(3);
  w.put(ip.data(), 16);  // target address
  w.put8(2);             // option: Target Link-Layer Address
  w.put8(1);             // length in units of 8 octets
  w.put(mac.data(), 6);
  Bytes& b = w.bytes();
  const uint16_t sum = icmpv6_checksum(ip, dst, ByteView(b).subspan(kIcmpAt));
  b[kIcmpAt + 2] = static_cast<uint8_t>(sum >> 8);
  b[kIcmpAt + 3] = static_cast<uint8_t>(sum);
  return std::move(b);
}

NetResult<void> LinuxNetOps::announce(const std::string& container_netns, const std::string& ifname,
                                      const std::vector<IfAddress>& addresses) {
  auto ns = open_path(container_netns);
  if (!ns) return tl::make_unexpected(ns.error());
  auto link = get_link(*ns, ifname);
  if (!link) return tl::make_unexpected(link.error());
  if (!*link) return tl::make_unexpected(not_found(fmt::format("{} not found in {}", ifname, ns->label)));
  if (!(*link)->address) return tl::make_unexpected(failed(fmt::format("{} in {} has no MAC address", ifname, ns->label)));
  const Mac mac = *(*link)->address;

  std::vector<Frame> frames;
  for (const auto& a : addresses) {
    if (a.address.is_v4()) frames.push_back({garp_frame(mac, a.address), "gratuitous ARP for " + a.address.to_string()});
    if (a.address.is_v6())
      frames.push_back({unsolicited_na_frame(mac, a.address), "neighbour advertisement for " + a.address.to_string()});
  }
  if (frames.empty()) return {};
  auto fd = packet_socket_in(ns->fd);
  if (!fd)
    return tl::make_unexpected(failed(fmt::format("packet socket in {}: {}", ns->label, std::strerror(fd.error()))));

  for (int round = 0; round < kAnnounceCount; ++round) {
    if (round > 0) std::this_thread::sleep_for(kAnnounceSpacing);
    for (auto& f : frames) {
      sockaddr_ll to{};
      to.sll_family = AF_PACKET;
      to.sll_protocol = htons(static_cast<uint16_t>(f.bytes[12] << 8 | f.bytes[13]));
      to.sll_ifindex = (*link)->ifindex;
      to.sll_halen = 6;
      std::memcpy(to.sll_addr, f.bytes.data(), 6);
      if (sendto(*fd, f.bytes.data(), f.bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(f.bytes.size()))
        f.sent = true;
      else
        f.error = errno;
    }
  }
  ::close(*fd);
  // Reported only when no copy of a frame went out: one lost copy is what the second covers.
  for (const auto& f : frames)
    if (!f.sent)
      return tl::make_unexpected(failed(fmt::format("{} from {} in {}: {}", f.what, ifname, ns->label, std::strerror(f.error))));
  return {};
}

}  // namespace evpnd::cni

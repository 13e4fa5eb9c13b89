// VrfSockets: TCP sockets that live in a tenant VRF (issue 10: BGP sessions with CEs inside the
// VRF, FRR's `router bgp ASN vrf NAME`), for PeerIo's connects and per-VRF listeners.
//
//   netns backend      the socket is created inside the VRF's network namespace: setns() into
//                      it for socket() and straight back (a socket stays in the namespace it
//                      was created in; everything else — bind, connect, I/O — works from here)
//   vrf-device backend the socket is bound to the VRF device (SO_BINDTODEVICE) in our own
//                      namespace, so it uses the VRF's routing table. NOTE untested: the
//                      kernel of the development machine has no VRF device support. With the
//                      default net.ipv4.tcp_l3mdev_accept = 0 a device-bound listener and the
//                      global (unbound) one may share the port (inet_bind_conflict treats an
//                      unbound and a device-bound socket as distinct).
//
// Namespace file descriptors are opened once per VRF (add) and kept until remove.
// NOTE threading: setns() changes the calling thread only; call from the io thread, which
// never runs anything else between the two setns() calls.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <tl/expected.hpp>

namespace evpnd::daemon {

struct VrfSocketSpec {
  std::string netns;   // netns backend: /run/netns/<netns>
  std::string device;  // vrf-device backend: the VRF device's name
  bool operator==(const VrfSocketSpec&) const = default;
};

class VrfSockets {
 public:
  VrfSockets();
  ~VrfSockets();
  VrfSockets(const VrfSockets&) = delete;
  VrfSockets& operator=(const VrfSockets&) = delete;

  // Opens what the VRF needs (its namespace); an error names the namespace and the reason.
  // Adding a VRF again with another spec replaces it.
  tl::expected<void, std::string> add(const std::string& vrf, const VrfSocketSpec& spec);
  void remove(const std::string& vrf);
  bool has(const std::string& vrf) const { return vrfs_.count(vrf) > 0; }
  const VrfSocketSpec* spec(const std::string& vrf) const;

  // A new TCP socket (AF_INET / AF_INET6, SOCK_CLOEXEC) in the VRF; the caller owns the fd.
  tl::expected<int, std::string> socket(const std::string& vrf, int family) const;

 private:
  struct Entry {
    VrfSocketSpec spec;
    int netns_fd = -1;
  };
  std::map<std::string, Entry> vrfs_;
  mutable int self_fd_ = -1;  // this thread's own namespace, opened at the first setns
};

}  // namespace evpnd::daemon

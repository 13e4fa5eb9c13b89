#include "daemon/vrf_sockets.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace evpnd::daemon {

VrfSockets::VrfSockets() = default;

VrfSockets::~VrfSockets() {
  for (auto& [name, e] : vrfs_)
    if (e.netns_fd >= 0) ::close(e.netns_fd);
  if (self_fd_ >= 0) ::close(self_fd_);
}

tl::expected<void, std::string> VrfSockets::add(const std::string& vrf, const VrfSocketSpec& spec) {
  if (auto it = vrfs_.find(vrf); it != vrfs_.end()) {
    if (it->second.spec == spec) return {};
    remove(vrf);
  }
  Entry e;
  e.spec = spec;
  if (!spec.netns.empty()) {
    const std::string path = "/run/netns/" + spec.netns;
    e.netns_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (e.netns_fd < 0)
      return tl::unexpected("vrf " + vrf + ": cannot open its namespace " + path + ": " + std::strerror(errno));
  } else if (spec.device.empty()) {
    return tl::unexpected("vrf " + vrf + ": neither a namespace nor a device to open sockets in");
  }
  vrfs_[vrf] = e;
  return {};
}

void VrfSockets::remove(const std::string& vrf) {
  auto it = vrfs_.find(vrf);
  if (it == vrfs_.end()) return;
  if (it->second.netns_fd >= 0) ::close(it->second.netns_fd);
  vrfs_.erase(it);
}

const VrfSocketSpec* VrfSockets::spec(const std::string& vrf) const {
  auto it = vrfs_.find(vrf);
  return it == vrfs_.end() ? nullptr : &it->second.spec;
}

tl::expected<int, std::string> VrfSockets::socket(const std::string& vrf, int family) const {
  auto it = vrfs_.find(vrf);
  if (it == vrfs_.end()) return tl::unexpected("vrf " + vrf + ": no sockets configured for it");
  const Entry& e = it->second;
  int fd = -1;
  if (e.netns_fd >= 0) {
    if (self_fd_ < 0) {
      // The thread's own namespace (thread-self: setns() acts on this thread only).
      self_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      if (self_fd_ < 0) return tl::unexpected(std::string("open /proc/thread-self/ns/net: ") + std::strerror(errno));
    }
    if (::setns(e.netns_fd, CLONE_NEWNET) != 0)
      return tl::unexpected("vrf " + vrf + ": setns into " + e.spec.netns + ": " + std::strerror(errno));
    fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int err = errno;
    if (::setns(self_fd_, CLONE_NEWNET) != 0) {
      // Every later socket of this thread would be in the tenant's namespace: a broken
      // invariant nothing can repair.
      spdlog::critical("cannot return to our own network namespace: {}", std::strerror(errno));
      std::abort();
    }
    if (fd < 0) return tl::unexpected("vrf " + vrf + ": socket in " + e.spec.netns + ": " + std::strerror(err));
    return fd;
  }
  fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  // Bound to the VRF device: routes, source addresses and accepts come from the VRF's table.
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, e.spec.device.c_str(),
                   static_cast<socklen_t>(e.spec.device.size())) != 0) {
    const int err = errno;
    ::close(fd);
    return tl::unexpected("vrf " + vrf + ": SO_BINDTODEVICE " + e.spec.device + ": " + std::strerror(err));
  }
  return fd;
}

}  // namespace evpnd::daemon

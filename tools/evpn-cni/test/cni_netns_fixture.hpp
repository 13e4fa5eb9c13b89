// Namespaces and captures for the CNI plugin's root-only kernel tests: named namespaces
// `evt-cni-<pid>-<tag>` (the data plane's TestNetns, RAII), a path-only namespace held by a child process
// (/proc/<pid>/ns/net, as runtimes that do not bind-mount under /run/netns pass CNI_NETNS), and
// an AF_PACKET capture opened inside a namespace.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "dataplane/test/netns_fixture.hpp"

namespace evpnd::cni::test {

// Named namespaces, sh() and REQUIRE_ROOT() are the data plane's kernel-test fixture's
// (src/dataplane/test/netns_fixture.hpp), here with the evt-cni- prefix.
using dataplane::test::is_root;
using dataplane::test::sh;
class TestNetns : public dataplane::test::TestNetns {
 public:
  explicit TestNetns(const std::string& tag) : dataplane::test::TestNetns(tag, "evt-cni-") {}
};
// The inode of this thread's network namespace (to prove nothing left it in another one).
std::string thread_netns();

// A namespace no /run/netns name refers to: created by a child (fork + unshare) that waits in
// pause() until the destructor kills it by PID.
class PathNetns {
 public:
  PathNetns();
  ~PathNetns();
  PathNetns(const PathNetns&) = delete;
  PathNetns& operator=(const PathNetns&) = delete;
  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
  // `nsenter --net=<path> <cmd>`
  int exec(const std::string& cmd, std::string* out = nullptr) const;
  // Kills the child now (its namespace goes with it); the path then names nothing.
  void kill_now();

 private:
  pid_t pid_ = -1;
};

// Every frame seen on `dev` in namespace `netns` (a /run/netns path) from construction on.
class Capture {
 public:
  Capture(const std::string& netns_path, const std::string& dev);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  bool ok() const { return fd_ >= 0; }
  // Reads frames until `d` has passed without a new one arriving after the last.
  std::vector<Bytes> read_for(std::chrono::milliseconds d);

 private:
  int fd_ = -1;
};

}  // namespace evpnd::cni::test

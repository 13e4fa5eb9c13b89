#include "netns_fixture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace evpnd::dataplane::test {

bool is_root() { return geteuid() == 0; }

int sh(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    if (out) out->append(buf.data(), n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TestNetns::TestNetns(const std::string& tag, const std::string& prefix)
    : name_(prefix + std::to_string(getpid()) + "-" + tag) {
  ok_ = sh("ip netns add " + name_) == 0 && ip("link set lo up") == 0;
}

TestNetns::~TestNetns() { sh("ip netns del " + name_); }

int TestNetns::ip(const std::string& args, std::string* out) const { return sh("ip -n " + name_ + " " + args, out); }
int TestNetns::bridge(const std::string& args, std::string* out) const {
  return sh("ip netns exec " + name_ + " bridge " + args, out);
}
int TestNetns::exec(const std::string& cmd, std::string* out) const {
  return sh("ip netns exec " + name_ + " " + cmd, out);
}

}  // namespace evpnd::dataplane::test

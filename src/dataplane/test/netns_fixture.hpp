// RAII test namespaces for the root-only kernel tests: `ip netns add <prefix><pid>-<tag>` (evt-dp-
// for the data plane's, evt-cni- for the CNI plugin's), deleted in the destructor (also when an
// assertion fails). Commands run through /bin/sh.
#pragma once

#include <string>
#include <vector>

namespace evpnd::dataplane::test {

bool is_root();
// Kernel tests create network namespaces: without root they are skipped, saying why.
#define REQUIRE_ROOT() \
  if (!::evpnd::dataplane::test::is_root()) GTEST_SKIP() << "needs root (creates network namespaces)"
// Runs a shell command; returns its exit status. `out` receives stdout when given.
int sh(const std::string& cmd, std::string* out = nullptr);

class TestNetns {
 public:
  explicit TestNetns(const std::string& tag, const std::string& prefix = "evt-dp-");
  ~TestNetns();
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  bool ok() const { return ok_; }
  // `ip -n <ns> <args>` etc.
  int ip(const std::string& args, std::string* out = nullptr) const;
  int bridge(const std::string& args, std::string* out = nullptr) const;
  int exec(const std::string& cmd, std::string* out = nullptr) const;

 private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace evpnd::dataplane::test

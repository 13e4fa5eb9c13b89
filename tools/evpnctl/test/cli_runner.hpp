// Shared by evpnctl's end-to-end CLI tests: runs the evpnctl binary (EVPNCTL_BINARY) through
// /bin/sh and collects its output and exit code; RequestLog keeps what a FakeApiServer handler
// received (the handler runs on the server's thread, the checks on the test's).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "api/api_server.hpp"

namespace evpnctl::test {

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// `prefix` goes before the binary in the /bin/sh command line: "VAR=x" or "printf .. |".
inline Run run(const std::string& args, const std::string& prefix = "") {
  std::string cmd = prefix + " " EVPNCTL_BINARY " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  Run r;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class RequestLog {
 public:
  void record(const evpnd::api::ApiRequest& r) {
    std::lock_guard lock(mu_);
    requests_.push_back(r);
  }
  evpnd::api::ApiRequest last() {
    std::lock_guard lock(mu_);
    return requests_.empty() ? evpnd::api::ApiRequest{} : requests_.back();
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  std::mutex mu_;
  std::vector<evpnd::api::ApiRequest> requests_;
};

}  // namespace evpnctl::test

// evpn-cni: the `evpn` CNI plugin (also installed as `vxlan`). A runtime runs it once per
// operation with CNI_* in the environment and the network configuration on stdin
// (SPEC.md §"Section 2"); the answer goes to stdout, logs to stderr. docs/CNI.md.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "evpn-cni/cni_plugin.hpp"
#include "evpn-cni/linux_net_ops.hpp"

extern char** environ;

int main() {
  evpnd::cni::Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string input;
  // VERSION may come with no stdin at all when run by hand from a terminal.
  if (env["CNI_COMMAND"] != "VERSION" || !::isatty(0))
    input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  auto net = evpnd::cni::make_linux_net_ops();
  evpnd::cni::CniPlugin plugin(*net, std::move(env));
  auto out = plugin.run(input);
  std::fwrite(out.out.data(), 1, out.out.size(), stdout);
  std::fflush(stdout);
  return out.exit_code;
}

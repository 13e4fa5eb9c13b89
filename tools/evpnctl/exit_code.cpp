// The process exit code, set by whichever command ran (see commands.hpp). evpnctl runs one
// command per process on one thread, so a plain global is enough.
#include "evpnctl/commands.hpp"

namespace evpnctl {
namespace {
int g_exit_code = 0;
}  // namespace

int exit_code() { return g_exit_code; }
void set_exit_code(int code) { g_exit_code = code; }

}  // namespace evpnctl

// Each command group registers its subcommands on the app and sets the process exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace evpnctl {
void add_decode_command(CLI::App& app);   // decode_cmd.cpp: offline pcap/hex/raw decoding
void add_show_commands(CLI::App& app);    // show_cmd.cpp: show bgp ..., show evpn ..., show vrf ...
void add_action_commands(CLI::App& app);  // action_cmd.cpp: announce/withdraw, clear, reload
void add_segment_commands(CLI::App& app); // segment_cmd.cpp: vni ensure/release, endpoint add/del
int exit_code();
void set_exit_code(int code);
}  // namespace evpnctl

// evpnctl: the operator's CLI. `decode` works offline on captures and hex; every other
// command talks to a running evpnd over its JSON API (unix socket) and nothing else.
#include <CLI/CLI.hpp>

#include "evpnctl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"evpnctl - operate and inspect evpnd"};
  app.require_subcommand(1);
  evpnctl::add_decode_command(app);
  evpnctl::add_show_commands(app);
  evpnctl::add_action_commands(app);
  evpnctl::add_segment_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return evpnctl::exit_code();
}

#pragma once

#include <string>
#include <variant>
#include <vector>

namespace ticketwatch::daemon {

enum class Command { run, check_config, migrate, run_once, check_rules };

struct Invocation {
  Command command = Command::run;
  std::string config_path;
  std::string job;  // run-once only
};

// What the command line asked for: an invocation, or text to print and an exit code
// (--help, --version, usage errors).
struct Exit {
  int code = 0;
  std::string text;  // to stdout when code == 0, else to stderr
};

std::variant<Invocation, Exit> parse_command_line(const std::vector<std::string>& args);

}  // namespace ticketwatch::daemon

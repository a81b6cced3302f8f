#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "ticketwatch/control/protocol.hpp"

// ticketwatchctl's command line:
//   ticketwatchctl [--socket PATH] [--json] [--timeout DUR] status | stats [JOB] | trigger JOB |
//   reload
namespace ticketwatch::control {

inline constexpr const char* kDefaultSocketPath = "/run/ticketwatch/control.sock";
// How long to wait for a reply: trigger waits for a whole run (retries included).
inline constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kDefaultTriggerTimeout = std::chrono::hours(1);

// Exit codes, as documented in --help and docs/operations.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // run failed or skipped, reload refused, error reply
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no daemon answering on the socket

struct CtlOptions {
  std::string socket = kDefaultSocketPath;
  bool json = false;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  Request request;
};

// Text to print and an exit code instead of running (--help, --version, usage errors).
struct CtlExit {
  int code = kExitOk;
  std::string text;  // to stdout when code == 0, else to stderr
};

// `args` without the program name.
std::variant<CtlOptions, CtlExit> parse_ctl_args(const std::vector<std::string>& args);

}  // namespace ticketwatch::control

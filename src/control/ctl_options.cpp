#include "ticketwatch/control/ctl_options.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <sstream>

#include "ticketwatch/config/duration.hpp"
#include "ticketwatch/version.hpp"

namespace po = boost::program_options;

namespace ticketwatch::control {

namespace {

constexpr const char* kUsage =
    "Usage: ticketwatchctl [OPTIONS] COMMAND\n"
    "\n"
    "Commands:\n"
    "  status          daemon version, instance, database, uptime and every job\n"
    "  stats [JOB]     job statistics (all jobs, or one)\n"
    "  trigger JOB     run JOB now, wait for it and print its result\n"
    "  reload          re-read the config file like SIGHUP; prints the errors if it is refused\n"
    "\n"
    "Exit status: 0 ok, 1 the run failed or was skipped / reload refused / error reply,\n"
    "2 usage error, 3 ticketwatchd not reachable.\n"
    "\n";

}  // namespace

std::variant<CtlOptions, CtlExit> parse_ctl_args(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()                           //
      ("help,h", "show this help and exit")       //
      ("version,V", "show the version and exit")  //
      ("socket,s", po::value<std::string>()->default_value(kDefaultSocketPath)->value_name("PATH"),
       "control socket of ticketwatchd")                              //
      ("json,j", "print the daemon's JSON reply instead of a table")  //
      ("timeout,t", po::value<std::string>()->value_name("DUR"),
       "how long to wait for the reply, e.g. 10s, 5m (default 30s; trigger 1h)");
  po::options_description hidden;
  hidden.add_options()                       //
      ("command", po::value<std::string>())  //
      ("arguments", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("arguments", -1);

  std::ostringstream help;
  help << kUsage << options;
  auto usage_error = [&](const std::string& message) {
    return CtlExit{kExitUsage,
                   fmt::format("ticketwatchctl: {}\nTry 'ticketwatchctl --help'.\n", message)};
  };

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) return CtlExit{kExitOk, help.str()};
  if (vm.count("version")) return CtlExit{kExitOk, fmt::format("ticketwatchctl {}\n", kVersion)};
  if (!vm.count("command")) return usage_error("missing COMMAND (status, stats, trigger, reload)");

  CtlOptions out;
  out.socket = vm["socket"].as<std::string>();
  out.json = vm.count("json") > 0;
  if (out.socket.empty()) return usage_error("--socket must not be empty");

  const auto command = vm["command"].as<std::string>();
  const auto arguments = vm.count("arguments") ? vm["arguments"].as<std::vector<std::string>>()
                                               : std::vector<std::string>{};
  if (command == "status") {
    if (!arguments.empty()) return usage_error("status takes no arguments");
    out.request = {Command::status, {}};
  } else if (command == "reload") {
    if (!arguments.empty()) return usage_error("reload takes no arguments");
    out.request = {Command::reload, {}};
  } else if (command == "stats") {
    if (arguments.size() > 1) return usage_error("stats takes at most one JOB");
    out.request = {Command::stats, arguments.empty() ? std::string{} : arguments[0]};
  } else if (command == "trigger") {
    if (arguments.size() != 1) return usage_error("trigger takes exactly one JOB");
    out.request = {Command::trigger, arguments[0]};
  } else {
    return usage_error(
        fmt::format("unknown command '{}' (status, stats, trigger, reload)", command));
  }
  out.timeout = out.request.command == Command::trigger ? kDefaultTriggerTimeout : kDefaultTimeout;
  if (vm.count("timeout")) {
    auto timeout = config::parse_duration(vm["timeout"].as<std::string>());
    if (!timeout || timeout->count() <= 0) {
      return usage_error(fmt::format("--timeout '{}' is not a duration like 10s, 5m or 1h",
                                     vm["timeout"].as<std::string>()));
    }
    out.timeout = *timeout;
  }
  return out;
}

}  // namespace ticketwatch::control

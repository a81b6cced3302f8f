#include "ticketwatch/daemon/cli.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <sstream>

#include "ticketwatch/config/loader.hpp"
#include "ticketwatch/daemon/job_registry.hpp"
#include "ticketwatch/version.hpp"

namespace po = boost::program_options;

namespace ticketwatch::daemon {
namespace {

constexpr const char* kUsage =
    "Usage: ticketwatchd [--config PATH] [COMMAND]\n"
    "\n"
    "Commands:\n"
    "  run                 run the daemon in the foreground (default)\n"
    "  check-config        validate the config file; prints \"ok\" or the errors (exit 1)\n"
    "  migrate             apply pending database migrations\n"
    "  run-once JOB        run one job once and print its summary as JSON\n"
    "  check-rules         validate the escalation rules stored in the database\n"
    "\n";

}  // namespace

std::variant<Invocation, Exit> parse_command_line(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help and exit")("version,V",
                                                             "show the version and exit")(
      "config,c", po::value<std::string>()->default_value(config::kDefaultConfigPath),
      "config file");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>())("arguments",
                                                            po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("arguments", -1);

  std::ostringstream help;
  help << kUsage << options;

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Exit{2, fmt::format("ticketwatchd: {}\n\n{}", e.what(), help.str())};
  }
  if (vm.count("help")) return Exit{0, help.str()};
  if (vm.count("version")) return Exit{0, fmt::format("ticketwatchd {}\n", kVersion)};

  Invocation inv;
  inv.config_path = vm["config"].as<std::string>();
  const std::string command = vm.count("command") ? vm["command"].as<std::string>() : "run";
  const auto arguments = vm.count("arguments") ? vm["arguments"].as<std::vector<std::string>>()
                                               : std::vector<std::string>{};
  auto usage_error = [&](const std::string& message) {
    return Exit{2, fmt::format("ticketwatchd: {}\n\n{}", message, help.str())};
  };

  if (command == "run-once") {
    if (arguments.size() != 1) return usage_error("run-once takes exactly one JOB");
    if (!find_job(arguments[0])) {
      std::string known;
      for (const auto& name : builtin_job_names()) known += (known.empty() ? "" : ", ") + name;
      return usage_error(fmt::format("unknown job \"{}\" (known: {})", arguments[0], known));
    }
    inv.command = Command::run_once;
    inv.job = arguments[0];
    return inv;
  }
  if (!arguments.empty()) {
    return usage_error(fmt::format("unexpected argument \"{}\"", arguments[0]));
  }
  if (command == "run") {
    inv.command = Command::run;
  } else if (command == "check-config") {
    inv.command = Command::check_config;
  } else if (command == "migrate") {
    inv.command = Command::migrate;
  } else if (command == "check-rules") {
    inv.command = Command::check_rules;
  } else {
    return usage_error(fmt::format("unknown command \"{}\"", command));
  }
  return inv;
}

}  // namespace ticketwatch::daemon

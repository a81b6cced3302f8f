#include "ticketwatch/daemon/commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "ticketwatch/config/loader.hpp"
#include "ticketwatch/daemon/daemon.hpp"
#include "ticketwatch/daemon/job_runner.hpp"
#include "ticketwatch/daemon/logging.hpp"
#include "ticketwatch/db/connection.hpp"
#include "ticketwatch/db/migrations.hpp"
#include "ticketwatch/jobs/rule_validation.hpp"

namespace ticketwatch::daemon {
namespace {

// Loads the config or prints every error as file:line:column: key: message.
std::optional<config::Config> load_or_report(const std::string& path) {
  auto loaded = config::load_file(path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors()) std::cerr << e.to_string() << '\n';
    return std::nullopt;
  }
  for (const auto& w : loaded.warnings()) std::cerr << "warning: " << w.to_string() << '\n';
  return std::move(loaded.config());
}

void init_logging(const config::Config& config) {
  LoggingOptions options;
  options.level = parse_log_level(config.daemon.log_level).value_or(spdlog::level::info);
  options.to_journal = stderr_is_journal();
  options.job_names = builtin_job_names();
  setup_logging(options);
}

int check_config(const Invocation& inv) {
  if (!load_or_report(inv.config_path)) return 1;
  std::cout << "ok\n";
  return 0;
}

int migrate(const Invocation& inv) {
  auto config = load_or_report(inv.config_path);
  if (!config) return 1;
  init_logging(*config);
  try {
    db::Session session(db::settings_from(config->database));
    const auto report = db::migrate(session.connection());
    if (report.applied.empty()) {
      std::cout << fmt::format("database schema is current (version {})\n", report.to_version);
    } else {
      std::cout << fmt::format("database schema migrated from version {} to {}\n",
                               report.from_version, report.to_version);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ticketwatchd: migrate failed: " << e.what() << '\n';
    return 1;
  }
}

int run_once(const Invocation& inv) {
  auto config = load_or_report(inv.config_path);
  if (!config) return 1;
  init_logging(*config);
  const JobDefinition* job = find_job(inv.job);
  ConfigHolder holder(*config);
  JobRunner runner(*job, holder, inv.config_path);
  scheduler::AttemptContext ctx;
  ctx.job = inv.job;
  ctx.trigger = scheduler::Trigger::manual;
  ctx.timeout = job->schedule(*config).timeout;
  try {
    auto summary = runner.run_attempt(ctx);
    std::cout << summary.dump() << std::endl;
    return 0;
  } catch (const scheduler::RunSkipped& e) {
    std::cerr << "ticketwatchd: " << inv.job << " skipped: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ticketwatchd: " << inv.job << " failed: " << e.what() << '\n';
    return 1;
  }
}

int check_rules(const Invocation& inv) {
  auto config = load_or_report(inv.config_path);
  if (!config) return 1;
  init_logging(*config);
  try {
    db::Session session(db::settings_from(config->database));
    auto& conn = session.connection();
    db::require_current_schema(conn, inv.config_path);
    const auto errors = jobs::validate_rules(conn, *config);
    for (const auto& e : errors) std::cerr << e << '\n';
    if (!errors.empty()) {
      std::cerr << fmt::format("{} error(s) in escalation rules\n", errors.size());
      return 1;
    }
    std::cout << "ok\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ticketwatchd: check-rules failed: " << e.what() << '\n';
    return 1;
  }
}

int run_daemon(const Invocation& inv) {
  auto config = load_or_report(inv.config_path);
  if (!config) return 1;
  init_logging(*config);
  Daemon daemon(std::move(*config), inv.config_path);
  return daemon.run();
}

}  // namespace

int execute(const Invocation& invocation) {
  switch (invocation.command) {
    case Command::check_config:
      return check_config(invocation);
    case Command::migrate:
      return migrate(invocation);
    case Command::run_once:
      return run_once(invocation);
    case Command::check_rules:
      return check_rules(invocation);
    case Command::run:
      return run_daemon(invocation);
  }
  return 1;
}

}  // namespace ticketwatch::daemon

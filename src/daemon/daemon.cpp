#include "ticketwatch/daemon/daemon.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "ticketwatch/config/loader.hpp"
#include "ticketwatch/config/schema.hpp"
#include "ticketwatch/daemon/logging.hpp"
#include "ticketwatch/daemon/status_line.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::daemon {
namespace {

// Relative ages in STATUS= go stale; refresh them at this pace.
constexpr std::chrono::seconds kStatusRefresh{30};

std::string default_instance_name() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "unknown");
  return fmt::format("{}:{}", host, getpid());
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

Daemon::Daemon(config::Config config, std::filesystem::path config_path)
    : config_path_(std::move(config_path)),
      config_(config),
      started_with_(config),
      instance_(config.daemon.instance_name.empty() ? default_instance_name()
                                                    : config.daemon.instance_name),
      started_at_(std::chrono::system_clock::now()),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      watchdog_timer_(io_),
      status_timer_(io_),
      scheduler_(io_, builtin_jobs().size()),
      database_(
          io_, side_workers_, config_, config_path_.string(),
          [this](DbState state, const std::string& detail) { on_database_change(state, detail); }),
      recorder_(io_, side_workers_, config_, instance_) {
  for (const auto& job : builtin_jobs()) {
    auto runner = std::make_unique<JobRunner>(job, config_, config_path_.string());
    auto* raw = runner.get();
    runners_.push_back(std::move(runner));
    scheduler_.add_job(
        job.name, to_job_settings(job.schedule(config)),
        [raw](const scheduler::AttemptContext& ctx) { return raw->run_attempt(ctx); });
  }
  scheduler_.on_run_finished([this](const scheduler::RunResult& r) { on_run_finished(r); });
}

void Daemon::start_surfaces() {
  const auto config = config_.get();
  // Both throw with a message naming the path or address; startup fails with it.
  control_ = std::make_unique<control::ControlServer>(io_, config->control.socket, *this);
  control_->start();
  if (!config->metrics.listen.empty()) {
    http_ = std::make_unique<control::HttpServer>(io_, config->metrics.listen, *this, metrics_);
    http_->start();
  }
}

Daemon::~Daemon() = default;

int Daemon::run() {
  spdlog::info("ticketwatchd {} starting as {} (config {})", kVersion, instance_,
               config_path_.string());
  start_surfaces();
  wait_for_signal();
  scheduler_.start();
  recorder_.start_pruning();
  database_.start();
  // READY as soon as the scheduler runs, even while the database is still unreachable: the
  // service is up and says what it waits for in STATUS.
  notifier_.ready();
  publish_status();
  if (auto interval = Notifier::watchdog_ping_interval()) {
    notifier_.watchdog();
    arm_watchdog(*interval);
  }
  arm_status_refresh();
  io_.run();
  if (abandoned_runs_) {
    // A run ignored its stop request past shutdown_timeout. Its open transaction is rolled back
    // by PostgreSQL when the connection closes; joining its thread could hang forever.
    spdlog::warn("exiting with a run still in flight; its uncommitted batch is rolled back");
    spdlog::shutdown();
    std::_Exit(EXIT_SUCCESS);
  }
  spdlog::info("ticketwatchd stopped");
  return EXIT_SUCCESS;
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled at exit
    if (signo == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", config_path_.string());
      reload([](const control::ReloadOutcome&) {});
    } else {
      begin_shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    wait_for_signal();
  });
}

void Daemon::begin_shutdown(std::string_view why) {
  if (stopping_) {
    spdlog::info("{} received while already stopping", why);
    return;
  }
  stopping_ = true;
  const auto grace = config_.get()->daemon.shutdown_timeout;
  spdlog::info("{}: stopping (waiting up to {} ms for runs in flight)", why, grace.count());
  notifier_.stopping();
  notifier_.status("stopping");
  database_.stop();
  recorder_.stop();
  status_timer_.cancel();
  if (http_) http_->stop();
  if (control_) control_->stop();
  scheduler_.stop(grace, [this]() {
    for (const auto& stats : scheduler_.all_stats()) {
      if (stats.running) {
        spdlog::warn("{} did not finish within shutdown_timeout", stats.job);
        abandoned_runs_ = true;
      }
    }
    watchdog_timer_.cancel();
    signals_.cancel();
    io_.stop();
  });
}

void Daemon::reload(std::function<void(const control::ReloadOutcome&)> on_done) {
  notifier_.reloading();
  control::ReloadOutcome outcome;
  auto loaded = config::load_file(config_path_);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors()) {
      outcome.errors.push_back(e.to_string());
      spdlog::error("reload refused: {}", e.to_string());
    }
    spdlog::error("reload refused: {} error(s) in {}; the previous configuration stays in force",
                  outcome.errors.size(), config_path_.string());
  } else {
    for (const auto& w : loaded.warnings()) spdlog::warn("{}", w.to_string());
    outcome.restart_required = apply(std::move(loaded.config()));
  }
  notifier_.ready();
  publish_status();
  on_done(outcome);
}

std::vector<std::string> Daemon::apply(config::Config next) {
  const auto previous = config_.get();
  auto restart_required = config::keys_needing_restart(started_with_, next);
  for (const auto& key : restart_required) {
    spdlog::warn("{} changed; it takes effect after a restart", key);
  }
  if (auto level = parse_log_level(next.daemon.log_level)) set_log_level(*level);
  const bool database_changed = !(next.database == previous->database);
  for (const auto& job : builtin_jobs()) {
    scheduler_.update_settings(job.name, to_job_settings(job.schedule(next)));
  }
  config_.set(std::move(next));
  if (database_changed) {
    spdlog::info("database settings changed; connections are replaced at their next use");
    database_.check_now();
  }
  spdlog::info("configuration reloaded from {}", config_path_.string());
  return restart_required;
}

void Daemon::on_run_finished(const scheduler::RunResult& result) {
  metrics_.record(result);
  recorder_.record(result);
  // A failed run is often the first sign the database went away. A run that reached the database
  // while it is marked down proves it is back: say so now rather than at the end of the monitor's
  // backoff (up to reconnect_backoff_max), and rerun what failed meanwhile.
  if (result.status == scheduler::RunStatus::failed || database_.state() != DbState::up) {
    database_.check_now();
  }
  publish_status();
}

void Daemon::on_database_change(DbState state, const std::string& detail) {
  switch (state) {
    case DbState::up:
      spdlog::info("database is up");
      // Runs that failed while it was down are due now, not at their next tick.
      for (const auto& stats : scheduler_.all_stats()) {
        if (stats.enabled && !stats.running && stats.last_status == scheduler::RunStatus::failed) {
          spdlog::info("{} failed while the database was away; running it now", stats.job);
          scheduler_.trigger(stats.job, [](const scheduler::RunResult&) {});
        }
      }
      break;
    case DbState::down:
      spdlog::error("database is down: {} (retrying with backoff)", detail);
      break;
    case DbState::schema_behind:
    case DbState::schema_ahead:
      spdlog::error("{}", detail);
      break;
    case DbState::unknown:
      break;
  }
  publish_status();
}

void Daemon::publish_status() {
  if (stopping_) return;
  notifier_.status(format_status_line(scheduler_.all_stats(), to_string(database_.state()),
                                      std::chrono::system_clock::now()));
}

void Daemon::arm_watchdog(std::chrono::microseconds interval) {
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) return;
    // Sent from the io_context: if it ever blocks, systemd notices and restarts us.
    notifier_.watchdog();
    arm_watchdog(interval);
  });
}

void Daemon::arm_status_refresh() {
  status_timer_.expires_after(kStatusRefresh);
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    publish_status();
    arm_status_refresh();
  });
}

nlohmann::json Daemon::status() {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& s : scheduler_.all_stats()) jobs.push_back(scheduler::to_json(s));
  return {{"version", kVersion},
          {"instance", instance_},
          {"started_at", iso8601(started_at_)},
          {"database", std::string(to_string(database_.state()))},
          {"database_detail", database_.detail()},
          {"scheduler", stopping_ ? "stopping" : "running"},
          {"jobs", std::move(jobs)}};
}

std::vector<scheduler::JobStats> Daemon::job_stats() {
  return scheduler_.all_stats();
}

bool Daemon::database_up() {
  return database_.state() == DbState::up;
}

bool Daemon::scheduler_running() {
  return scheduler_.started() && !stopping_;
}

bool Daemon::trigger(const std::string& job,
                     std::function<void(const scheduler::RunResult&)> on_done) {
  return scheduler_.trigger(job, std::move(on_done));
}

}  // namespace ticketwatch::daemon

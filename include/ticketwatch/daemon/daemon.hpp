#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ticketwatch/config/config.hpp"
#include "ticketwatch/control/control_server.hpp"
#include "ticketwatch/control/daemon_api.hpp"
#include "ticketwatch/control/http_server.hpp"
#include "ticketwatch/control/metrics.hpp"
#include "ticketwatch/daemon/config_holder.hpp"
#include "ticketwatch/daemon/database_monitor.hpp"
#include "ticketwatch/daemon/job_runner.hpp"
#include "ticketwatch/daemon/notifier.hpp"
#include "ticketwatch/daemon/run_recorder.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::daemon {

// The running service: owns the io_context thread (signals, timers, watchdog, control socket,
// HTTP) and wires the scheduler, the job runners and the database monitor together.
class Daemon final : public control::DaemonApi {
 public:
  Daemon(config::Config config, std::filesystem::path config_path);
  ~Daemon() override;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

  // control::DaemonApi (io_context thread only)
  nlohmann::json status() override;
  std::vector<scheduler::JobStats> job_stats() override;
  bool database_up() override;
  bool scheduler_running() override;
  bool trigger(const std::string& job,
               std::function<void(const scheduler::RunResult&)> on_done) override;
  void reload(std::function<void(const control::ReloadOutcome&)> on_done) override;

 private:
  void start_surfaces();
  void wait_for_signal();
  void begin_shutdown(std::string_view why);
  // Applies what can change while running; returns the changed keys that wait for a restart.
  std::vector<std::string> apply(config::Config next);
  void on_run_finished(const scheduler::RunResult& result);
  void on_database_change(DbState state, const std::string& detail);
  void publish_status();
  void arm_watchdog(std::chrono::microseconds interval);
  void arm_status_refresh();

  std::filesystem::path config_path_;
  ConfigHolder config_;
  // What the restart-required keys are in force with: they keep their start values until a
  // restart, however many reloads change them in the file.
  const config::Config started_with_;
  std::string instance_;
  std::chrono::system_clock::time_point started_at_;
  boost::asio::io_context io_;
  // Blocking side work (database probes, run history writes), never the jobs themselves.
  boost::asio::thread_pool side_workers_{1};
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer status_timer_;
  Notifier notifier_;
  std::vector<std::unique_ptr<JobRunner>> runners_;
  scheduler::Scheduler scheduler_;
  DatabaseMonitor database_;
  RunRecorder recorder_;
  control::Metrics metrics_;
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<control::HttpServer> http_;
  bool stopping_ = false;
  bool abandoned_runs_ = false;
};

}  // namespace ticketwatch::daemon

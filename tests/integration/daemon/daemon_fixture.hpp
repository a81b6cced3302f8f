#pragma once

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "daemon_process.hpp"
#include "notify_listener.hpp"

namespace ticketwatch::testing {

struct DaemonConfigOptions {
  std::string dsn;
  std::string sla_interval = "1h";
  std::string escalation_interval = "1h";
  bool run_on_start = false;
  std::string shutdown_timeout = "5s";
  std::string log_level = "info";
  std::string job_timeout = "30s";
};

inline std::string daemon_config(const DaemonConfigOptions& o, const TempDir& dir) {
  return fmt::format(R"([daemon]
log_level = "{log_level}"
shutdown_timeout = "{shutdown}"

[database]
dsn = "{dsn}"
reconnect_backoff_min = "100ms"
reconnect_backoff_max = "500ms"

[control]
socket = "{socket}"

[metrics]
listen = ""

[jobs.sla-monitor]
interval = "{sla}"
run_on_start = {on_start}
timeout = "{timeout}"
retry_backoff = "100ms"

[jobs.escalation-monitor]
interval = "{esc}"
run_on_start = {on_start}
timeout = "{timeout}"
retry_backoff = "100ms"
)",
                     fmt::arg("log_level", o.log_level), fmt::arg("shutdown", o.shutdown_timeout),
                     fmt::arg("dsn", o.dsn), fmt::arg("socket", (dir / "control.sock").string()),
                     fmt::arg("sla", o.sla_interval), fmt::arg("esc", o.escalation_interval),
                     fmt::arg("on_start", o.run_on_start ? "true" : "false"),
                     fmt::arg("timeout", o.job_timeout));
}

// Lines in which the scheduler reports a finished run of `job` ("sla-monitor: schedule run
// succeeded after ..."), whatever triggered it.
inline std::size_t count_runs(const std::string& log, const std::string& job,
                              const std::string& result) {
  std::size_t n = 0;
  std::size_t start = 0;
  while (start < log.size()) {
    auto end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const auto line = log.substr(start, end - start);
    if (line.find(job + ": ") != std::string::npos &&
        line.find(" run " + result) != std::string::npos) {
      ++n;
    }
    start = end + 1;
  }
  return n;
}

// Polls the daemon's log until `job` has at least `n` runs with `result`.
inline bool wait_for_runs(const ChildProcess& p, const std::string& job, const std::string& result,
                          std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count_runs(p.stderr_text(), job, result) < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A ticketwatchd started as a real subprocess with its own config file and NOTIFY_SOCKET.
struct RunningDaemon {
  RunningDaemon(const TempDir& dir, const std::string& config_text,
                std::map<std::string, std::string> env = {})
      : config_path(dir / "ticketwatch.toml"), notify(dir / "notify.sock") {
    write_file(config_path, config_text);
    env["NOTIFY_SOCKET"] = notify.path().string();
    env.erase("JOURNAL_STREAM");
    process = std::make_unique<ChildProcess>(
        TW_DAEMON_PATH, std::vector<std::string>{"--config", config_path.string(), "run"},
        std::move(env), dir.path());
  }

  std::filesystem::path config_path;
  NotifyListener notify;
  std::unique_ptr<ChildProcess> process;
};

}  // namespace ticketwatch::testing

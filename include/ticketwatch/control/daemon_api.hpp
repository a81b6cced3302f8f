#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::control {

// What a reload did: either the file's errors (nothing was applied), or the keys whose new value
// waits for a restart (everything else was applied).
struct ReloadOutcome {
  std::vector<std::string> errors;            // file:line:col: key: message
  std::vector<std::string> restart_required;  // dotted keys, e.g. "metrics.listen"
};

// What the control socket and the HTTP listener may ask of the running daemon. Implemented by
// the daemon; every member is called on the io_context thread and must not block.
class DaemonApi {
 public:
  virtual ~DaemonApi() = default;

  // {"version", "instance", "started_at", "database": "up"|"down"|"schema behind",
  //  "scheduler": "running"|"stopping", "jobs": [JobStats...]}
  virtual nlohmann::json status() = 0;
  virtual std::vector<scheduler::JobStats> job_stats() = 0;
  virtual bool database_up() = 0;
  virtual bool scheduler_running() = 0;
  // False (and no callback) when the job is unknown.
  virtual bool trigger(const std::string& job,
                       std::function<void(const scheduler::RunResult&)> on_done) = 0;
  // Validates and applies the config file like SIGHUP; `on_done` gets what happened.
  virtual void reload(std::function<void(const ReloadOutcome&)> on_done) = 0;
};

}  // namespace ticketwatch::control

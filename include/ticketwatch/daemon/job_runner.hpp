#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ticketwatch/daemon/config_holder.hpp"
#include "ticketwatch/daemon/job_registry.hpp"
#include "ticketwatch/db/connection.hpp"
#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::daemon {

// Stable across builds and hosts, so every instance agrees on the lock of a job.
std::int64_t job_lock_key(std::string_view job);

// Runs attempts of one job on worker threads: owns the job's connection, takes the job's
// session-level advisory lock (a crashed instance releases it with its connection), checks the
// schema, bounds every statement by the attempt's timeout, and classifies failures for the
// scheduler (broken connection: retry; in-doubt commit or old schema: do not).
class JobRunner {
 public:
  // `config_path` goes into the fix command when the schema is behind.
  JobRunner(JobDefinition job, const ConfigHolder& config, std::string config_path);
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  nlohmann::json run_attempt(const scheduler::AttemptContext& ctx);

 private:
  pqxx::connection& connect(const config::Config& config);

  JobDefinition job_;
  const ConfigHolder& config_;
  std::string config_path_;
  std::mutex mutex_;  // one attempt at a time even if a caller misuses it
  std::optional<config::DatabaseConfig> applied_database_;
  std::unique_ptr<db::Session> session_;
};

}  // namespace ticketwatch::daemon

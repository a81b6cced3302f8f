#include "ticketwatch/daemon/job_runner.hpp"

#include <fmt/format.h>

#include "ticketwatch/daemon/logging.hpp"
#include "ticketwatch/db/migrations.hpp"

namespace ticketwatch::daemon {
namespace {

// Releases the job's advisory lock when the attempt ends. If the connection broke, the lock went
// with it; that is the one failure here that needs no action, and it is logged, not hidden.
class JobLock {
 public:
  JobLock(pqxx::connection& conn, std::int64_t key, spdlog::logger& log)
      : conn_(conn), key_(key), log_(log) {}
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;
  ~JobLock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("select pg_advisory_unlock($1)", key_);
    } catch (const std::exception& e) {
      log_.debug("advisory lock not released explicitly ({}); it ends with the session", e.what());
    }
  }

 private:
  pqxx::connection& conn_;
  std::int64_t key_;
  spdlog::logger& log_;
};

}  // namespace

std::int64_t job_lock_key(std::string_view job) {
  // FNV-1a over a namespaced name: fixed, documented, no collision with other apps' small keys.
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : std::string("ticketwatch:job:") + std::string(job)) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(hash);
}

JobRunner::JobRunner(JobDefinition job, const ConfigHolder& config, std::string config_path)
    : job_(std::move(job)), config_(config), config_path_(std::move(config_path)) {}

pqxx::connection& JobRunner::connect(const config::Config& config) {
  if (!session_ || !applied_database_ || !(*applied_database_ == config.database)) {
    auto settings = db::settings_from(config.database);
    settings.application_name = "ticketwatchd " + job_.name;
    if (session_) {
      session_->update_settings(std::move(settings));
    } else {
      session_ = std::make_unique<db::Session>(std::move(settings));
    }
    applied_database_ = config.database;
  }
  return session_->connection();
}

nlohmann::json JobRunner::run_attempt(const scheduler::AttemptContext& ctx) {
  std::lock_guard guard(mutex_);
  const auto config = config_.get();
  auto log = job_logger(job_.name);
  try {
    pqxx::connection& conn = connect(*config);
    try {
      db::require_current_schema(conn, config_path_);
    } catch (const db::SchemaMismatch& e) {
      throw scheduler::PermanentFailure(e.what());
    }
    const auto key = job_lock_key(job_.name);
    {
      pqxx::nontransaction tx(conn);
      if (!tx.exec_params1("select pg_try_advisory_lock($1)", key)[0].as<bool>()) {
        throw scheduler::RunSkipped(fmt::format(
            "{} is running on another instance (advisory lock {} is held)", job_.name, key));
      }
    }
    JobLock lock(conn, key, *log);
    {
      // Every statement of the run is bounded on the server too, so a stuck query cannot
      // outlive the attempt's timeout.
      pqxx::nontransaction tx(conn);
      tx.exec_params("select set_config('statement_timeout', $1, false)",
                     std::to_string(std::max<long long>(ctx.timeout.count(), 1)));
    }
    jobs::JobEnvironment env{conn, *config, ctx.stop, *log};
    return job_.run(env);
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened: retrying could act twice.
    if (session_) session_->reset();
    throw scheduler::PermanentFailure(fmt::format("commit outcome unknown: {}", e.what()));
  } catch (const pqxx::broken_connection&) {
    if (session_) session_->reset();
    throw;
  }
}

}  // namespace ticketwatch::daemon

#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::db {

// One row of ticketwatch.job_runs.
struct RunRecord {
  std::int64_t id = 0;
  std::string job;
  std::string instance;
  std::string trigger;  // schedule | start | manual
  std::string status;   // succeeded | failed | skipped
  std::chrono::system_clock::time_point started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  int attempts = 0;
  std::string error;  // empty when none
  nlohmann::json summary = nlohmann::json::object();
};

// The run history in ticketwatch.job_runs: one row per finished run, any trigger, any result.
//
// Wiring (daemon): the scheduler observer runs on the io_context thread, which must not block,
// so it posts the write to a worker that owns a connection:
//   scheduler.on_run_finished([&](const scheduler::RunResult& r) {
//     asio::post(side_workers, [&, r] {
//       try { db::RunHistory::record(conn, r, instance); }
//       catch (const std::exception& e) { log.warn(...); }   // never fails the run
//     });
//   });
// and, e.g. once an hour on the same worker, RunHistory::prune(conn, config.history.retention).
// Every call is one statement in autocommit; it throws what libpqxx throws
// (pqxx::broken_connection when the database is away). Not tied to any thread; one connection
// must not be used by two threads at once.
class RunHistory {
 public:
  // Inserts one row. `instance` identifies the daemon (hostname:pid or [daemon] instance_name).
  static void record(pqxx::connection& conn, const scheduler::RunResult& result,
                     std::string_view instance);
  // Deletes rows that started more than `retention` ago by the database clock; returns how many.
  static std::uint64_t prune(pqxx::connection& conn, std::chrono::milliseconds retention);
  // The newest `limit` runs of `job`, newest first.
  static std::vector<RunRecord> recent(pqxx::connection& conn, std::string_view job, int limit);
};

}  // namespace ticketwatch::db

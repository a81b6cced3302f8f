#include "ticketwatch/scheduler/job.hpp"

#include "ticketwatch/scheduler/timing.hpp"

namespace ticketwatch::scheduler {

namespace {

nlohmann::json time_or_null(const std::optional<std::chrono::system_clock::time_point>& time) {
  return time ? nlohmann::json(format_utc(*time)) : nlohmann::json(nullptr);
}

}  // namespace

std::string_view to_string(Trigger trigger) {
  switch (trigger) {
    case Trigger::schedule:
      return "schedule";
    case Trigger::start:
      return "start";
    case Trigger::manual:
      return "manual";
  }
  return "unknown";
}

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::succeeded:
      return "succeeded";
    case RunStatus::failed:
      return "failed";
    case RunStatus::skipped:
      return "skipped";
  }
  return "unknown";
}

nlohmann::json to_json(const RunResult& result) {
  return {
      {"job", result.job},
      {"trigger", to_string(result.trigger)},
      {"status", to_string(result.status)},
      {"attempts", result.attempts},
      {"error", result.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.error)},
      {"summary", result.summary},
      {"started_at", format_utc(result.started_at)},
      {"finished_at", format_utc(result.finished_at)},
      {"duration_ms", result.duration.count()},
  };
}

nlohmann::json to_json(const JobStats& stats) {
  return {
      {"job", stats.job},
      {"enabled", stats.enabled},
      {"running", stats.running},
      {"lastRun", time_or_null(stats.last_run)},
      {"lastSuccess", time_or_null(stats.last_success)},
      {"lastFailure", time_or_null(stats.last_failure)},
      {"nextRun", time_or_null(stats.next_run)},
      {"totalRuns", stats.total_runs},
      {"successCount", stats.success_count},
      {"failureCount", stats.failure_count},
      {"skippedCount", stats.skipped_count},
      {"averageDuration", stats.average_duration_ms},
      {"lastDuration", stats.last_duration ? nlohmann::json(stats.last_duration->count())
                                           : nlohmann::json(nullptr)},
      {"lastError",
       stats.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(stats.last_error)},
      {"lastStatus",
       stats.last_status ? nlohmann::json(to_string(*stats.last_status)) : nlohmann::json(nullptr)},
      {"lastSummary", stats.last_summary},
  };
}

}  // namespace ticketwatch::scheduler

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

namespace ticketwatch::scheduler {

enum class Trigger { schedule, start, manual };
std::string_view to_string(Trigger trigger);

struct JobSettings {
  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::minutes(15)};
  bool run_on_start = false;
  int max_attempts = 3;
  std::chrono::milliseconds retry_backoff{std::chrono::seconds(10)};  // first retry delay
  std::chrono::milliseconds retry_backoff_max{std::chrono::minutes(5)};
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // per attempt
};

// What one attempt of a job body sees. It runs on a worker thread.
struct AttemptContext {
  std::string job;
  Trigger trigger = Trigger::schedule;
  int attempt = 1;  // 1-based
  std::chrono::milliseconds timeout{0};
  // Requested when the attempt times out or the daemon stops: the body should give up promptly
  // (check between batches; the database side is bounded by statement_timeout).
  std::stop_token stop;
};

// Thrown by a body when the run must not happen here (another instance holds the job's lock):
// the run is recorded as skipped and not retried.
class RunSkipped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by a body when retrying cannot help (schema behind, in-doubt commit): the run fails
// at once without using its remaining attempts.
class PermanentFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns the run's summary (a JSON object), or throws.
using JobBody = std::function<nlohmann::json(const AttemptContext&)>;

enum class RunStatus { succeeded, failed, skipped };
std::string_view to_string(RunStatus status);

struct RunResult {
  std::string job;
  Trigger trigger = Trigger::schedule;
  RunStatus status = RunStatus::failed;
  int attempts = 0;
  std::string error;  // last attempt's error, or why it was skipped; empty on success
  nlohmann::json summary = nlohmann::json::object();
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point finished_at;
  std::chrono::milliseconds duration{0};  // wall time of the whole run, retries included
};

// snake_case keys: job, trigger, status, attempts, error (null when empty), summary, started_at,
// finished_at (ISO-8601 UTC with milliseconds), duration_ms.
nlohmann::json to_json(const RunResult& result);

struct JobStats {
  std::string job;
  bool enabled = true;
  bool running = false;  // from a run's start to its end, retry waits included
  std::optional<std::chrono::system_clock::time_point> last_run;      // start of the last run
  std::optional<std::chrono::system_clock::time_point> last_success;  // its finish
  std::optional<std::chrono::system_clock::time_point> last_failure;  // its finish
  // The next scheduled tick; empty when disabled, not started yet, or stopping.
  std::optional<std::chrono::system_clock::time_point> next_run;
  std::uint64_t total_runs = 0;  // finished runs, skipped ones included
  std::uint64_t success_count = 0;
  std::uint64_t failure_count = 0;
  std::uint64_t skipped_count = 0;
  double average_duration_ms = 0.0;  // over finished runs that were not skipped
  std::optional<std::chrono::milliseconds> last_duration;  // of the last finished run
  // The error of the last failed run: kept after later successes, so it pairs with last_failure.
  std::string last_error;
  std::optional<RunStatus> last_status;
  nlohmann::json last_summary = nlohmann::json::object();  // of the last finished run
};

// camelCase keys as in the seed: job, enabled, running, lastRun, lastSuccess, lastFailure, nextRun
// (ISO-8601 UTC with milliseconds, or null), totalRuns, successCount, failureCount, skippedCount,
// averageDuration (ms), lastDuration (ms or null), lastError (null when none), lastStatus (or
// null), lastSummary.
nlohmann::json to_json(const JobStats& stats);

}  // namespace ticketwatch::scheduler

#include "run_stats.hpp"

namespace ticketwatch::scheduler {

RunStats::RunStats(std::string job) {
  stats_.job = std::move(job);
}

void RunStats::started(std::chrono::system_clock::time_point at) {
  stats_.last_run = at;
}

void RunStats::finished(const RunResult& result) {
  ++stats_.total_runs;
  stats_.last_status = result.status;
  stats_.last_duration = result.duration;
  stats_.last_summary = result.summary;
  switch (result.status) {
    case RunStatus::succeeded:
      ++stats_.success_count;
      stats_.last_success = result.finished_at;
      break;
    case RunStatus::failed:
      ++stats_.failure_count;
      stats_.last_failure = result.finished_at;
      stats_.last_error = result.error;
      break;
    case RunStatus::skipped:
      ++stats_.skipped_count;
      return;  // a skipped run did no work: its duration would only drag the average down
  }
  ++timed_runs_;
  duration_sum_ms_ += static_cast<double>(result.duration.count());
}

JobStats RunStats::snapshot() const {
  JobStats stats = stats_;
  stats.average_duration_ms =
      timed_runs_ == 0 ? 0.0 : duration_sum_ms_ / static_cast<double>(timed_runs_);
  return stats;
}

}  // namespace ticketwatch::scheduler

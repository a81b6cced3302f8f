#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::scheduler {

// The counters and last-run facts of one job, fed with every run's start and result. The live
// fields (enabled, running, next_run) belong to the job's state machine and are added by it.
class RunStats {
 public:
  explicit RunStats(std::string job);

  void started(std::chrono::system_clock::time_point at);
  void finished(const RunResult& result);
  JobStats snapshot() const;

 private:
  JobStats stats_;
  std::uint64_t timed_runs_ = 0;
  double duration_sum_ms_ = 0.0;
};

}  // namespace ticketwatch::scheduler

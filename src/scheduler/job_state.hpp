#pragma once

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "attempt.hpp"
#include "run_stats.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {

// One job's state machine: its fixed-rate tick loop, the run in flight (attempts, retry wait,
// timeout) and at most one queued manual run. It lives on the io_context thread; only the body
// runs on a worker, and its outcome comes back through a posted handler holding a weak
// reference, so a job that is gone ignores late outcomes and timer handlers.
class Scheduler::JobState : public std::enable_shared_from_this<Scheduler::JobState> {
 public:
  // Told of every finished run after the stats are updated; must not throw.
  using FinishedHook = std::function<void(const RunResult&)>;

  JobState(boost::asio::io_context& io, boost::asio::thread_pool& workers, std::string name,
           JobSettings settings, JobBody body, FinishedHook on_finished);

  // Arms the tick grid from now and runs at once when run_on_start (enabled jobs only).
  void start();
  void update(const JobSettings& settings);
  void trigger(RunCallback on_done);
  // Shutdown: no more ticks, retries or queued runs; the attempt in flight is asked to stop.
  void stop();
  // Destruction: as stop(), but calls no callback at all.
  void abandon();

  bool running() const { return run_.has_value(); }
  JobStats stats() const;

 private:
  struct ActiveRun {
    Trigger trigger = Trigger::schedule;
    JobSettings settings;  // as when the run started: a reload does not change it midway
    std::vector<RunCallback> callbacks;
    std::chrono::system_clock::time_point started_at;
    std::chrono::steady_clock::time_point started_steady;
    int attempts = 0;
    std::string last_error;
    std::stop_source attempt_stop;
    bool attempt_in_flight = false;
    bool timed_out = false;
    bool waiting_retry = false;
  };

  void arm_ticks();
  void wait_for_tick();
  void disarm_ticks();
  void on_tick(std::uint64_t generation);

  void begin_run(Trigger trigger, std::vector<RunCallback> callbacks);
  void begin_attempt();
  void on_timeout(std::uint64_t attempt_id);
  void on_attempt_done(std::uint64_t attempt_id, AttemptOutcome outcome);
  void retry_later();
  void on_retry_due(std::uint64_t attempt_id);
  void finish_run(RunStatus status, std::string error, nlohmann::json summary);
  void log_result(const RunResult& result) const;
  // Posts `callbacks` a failed result that says the daemon is stopping; nothing ran.
  void refuse(Trigger trigger, std::vector<RunCallback> callbacks) const;

  std::shared_ptr<spdlog::logger> logger() const;

  boost::asio::io_context& io_;
  boost::asio::thread_pool& workers_;
  const std::string name_;
  JobSettings settings_;
  // Shared with the worker running it, so the body outlives this state if it must.
  const std::shared_ptr<const JobBody> body_;
  const FinishedHook on_finished_;

  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer timeout_timer_;
  bool started_ = false;
  bool stopping_ = false;
  bool ticks_armed_ = false;
  // Bumped whenever the tick wait is re-armed or cancelled: a tick handler that was already
  // queued when that happened sees a stale generation and does nothing.
  std::uint64_t tick_generation_ = 0;
  std::chrono::steady_clock::time_point tick_origin_;
  std::chrono::steady_clock::time_point next_tick_;
  // Identifies the attempt a timeout, outcome or retry handler belongs to, for the same reason.
  std::uint64_t attempt_id_ = 0;

  std::optional<ActiveRun> run_;
  std::optional<std::vector<RunCallback>> queued_;

  RunStats stats_;
};

}  // namespace ticketwatch::scheduler

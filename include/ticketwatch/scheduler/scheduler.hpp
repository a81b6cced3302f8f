#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::scheduler {

// Runs named jobs at fixed rates on a worker pool, posting every result back to the io_context.
// Every public member is called on the io_context thread only; that thread never blocks here.
//
// Per job:
// - Ticks fall on the grid start() + k·interval. A tick that comes while the job is still running
//   (retry waits included) is skipped, as are ticks missed while the process was suspended: the
//   next run is at the next future tick. A job never overlaps itself.
// - A run makes up to max_attempts attempts. After the n-th failed attempt it waits
//   retry_backoff·2^(n−1), capped at retry_backoff_max, on an io_context timer. RunSkipped ends the
//   run as skipped, PermanentFailure as failed, both without retrying; any other exception, and a
//   summary that is not a JSON object, is a failed attempt.
// - An attempt that outlives `timeout` has its AttemptContext::stop requested and counts as failed
//   ("timed out after 5m") once the body returns. A body that ignores the request keeps the job
//   running until it returns; a second copy of the job is never started meanwhile. The timeout
//   counts from the moment the attempt is handed to the pool, so size the pool to the job count.
// - A disabled job does not tick, but trigger() still runs it: operators use that to run a job
//   on demand that they keep off the schedule.
// - Runs log one line each to the logger registered under the job's name (spdlog::get), or to
//   the default logger: info when succeeded or skipped, warning when failed; every failed attempt
//   that is followed by a retry logs a warning, and ticks skipped because a run is in flight log
//   at debug. The scheduler never configures sinks.
//
// Callbacks (observers, trigger callbacks, on_stopped) run on the io_context thread. An exception
// thrown by one is logged and does not reach the io_context. None of them may destroy the
// Scheduler synchronously except on_stopped, which is always posted.
class Scheduler {
 public:
  using RunCallback = std::function<void(const RunResult&)>;

  // Throws std::invalid_argument when worker_threads is 0.
  Scheduler(boost::asio::io_context& io, std::size_t worker_threads);
  // Cancels every timer, requests stop of the attempts in flight and joins the workers: it BLOCKS
  // until every body in flight has returned, because a body may not outlive what it uses. Call
  // stop() and wait for on_stopped first; a body that ignores its stop token delays this. Results
  // still in flight are dropped and callbacks of unfinished runs are not called. Must run on the
  // io_context thread, and the io_context must outlive the Scheduler.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Throws std::invalid_argument for a duplicate or empty name, an empty body or invalid settings
  // (interval, timeout ≤ 0, max_attempts < 1, negative backoff). A job added after start() is
  // armed at once (and runs now when run_on_start); one added after stop() never runs.
  void add_job(std::string name, JobSettings settings, JobBody body);
  // Arms every enabled job's timer; enabled jobs with run_on_start run now (Trigger::start).
  // Calling it again does nothing.
  void start();
  // Applies new settings (reload). A changed interval re-arms the timer from now; disabling
  // cancels the timer, enabling re-arms it. The other settings take effect from the next run; the
  // run in flight keeps the ones it started with. Returns false for an unknown job; throws
  // std::invalid_argument for invalid settings.
  bool update_settings(const std::string& name, const JobSettings& settings);
  // Runs the job now, or right after the run in flight (at most one queued; a further trigger
  // joins the queued run). `on_done` gets that run's result. Returns false for an unknown job.
  // A manual run does not move the job's tick grid. After stop(), `on_done` gets a failed
  // result "daemon stopping" (posted) and nothing runs.
  bool trigger(const std::string& name, RunCallback on_done);
  // Observers called (on the io_context thread) after every finished run, in order of adding,
  // after the job's stats are updated and before the run's trigger callbacks.
  void on_run_finished(RunCallback observer);

  std::optional<JobStats> stats(const std::string& name) const;
  std::vector<JobStats> all_stats() const;
  std::vector<std::string> job_names() const;
  bool started() const;
  bool stopping() const;

  // Cancels timers, retry waits and queued runs (their callbacks get a failed result "daemon
  // stopping"), requests stop of runs in flight, and posts `on_stopped` to the io_context once
  // they finished or `grace` elapsed (whichever first). A run whose retry wait is cancelled
  // finishes as failed with its last attempt's error. A later call only adds its `on_stopped`.
  void stop(std::chrono::milliseconds grace, std::function<void()> on_stopped);

 private:
  class JobState;

  void job_finished(const RunResult& result);
  void check_stopped();
  void notify_stopped();

  boost::asio::io_context& io_;
  boost::asio::thread_pool workers_;
  std::map<std::string, std::shared_ptr<JobState>> jobs_;
  std::vector<RunCallback> observers_;
  bool started_ = false;
  bool stopping_ = false;
  bool grace_elapsed_ = false;
  boost::asio::steady_timer grace_timer_;
  std::vector<std::function<void()>> stop_waiters_;
  // Handlers posted by the Scheduler hold a weak reference to this, so one that runs after the
  // Scheduler is gone does nothing.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace ticketwatch::scheduler

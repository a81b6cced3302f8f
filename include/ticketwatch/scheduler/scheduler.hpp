#pragma once

#include <boost/asio/io_context.hpp>
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
class Scheduler {
 public:
  using RunCallback = std::function<void(const RunResult&)>;

  Scheduler(boost::asio::io_context& io, std::size_t worker_threads);
  ~Scheduler();  // stops timers and joins the workers
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add_job(std::string name, JobSettings settings, JobBody body);
  // Arms every enabled job's timer; jobs with run_on_start run now.
  void start();
  // Applies new settings (reload): the timer is re-armed from now when the interval changed.
  bool update_settings(const std::string& name, const JobSettings& settings);
  // Runs the job now, or right after the run in flight (at most one queued; a further trigger
  // joins the queued run). `on_done` gets that run's result. Returns false for an unknown job.
  bool trigger(const std::string& name, RunCallback on_done);
  // Observers called (on the io_context thread) after every finished run, in order of adding.
  void on_run_finished(RunCallback observer);

  std::optional<JobStats> stats(const std::string& name) const;
  std::vector<JobStats> all_stats() const;
  std::vector<std::string> job_names() const;
  bool started() const;

  // Cancels timers and queued runs, requests stop of runs in flight, and calls `on_stopped` on
  // the io_context thread once they finished or `grace` elapsed (whichever first).
  void stop(std::chrono::milliseconds grace, std::function<void()> on_stopped);

 private:
  class JobState;
  boost::asio::io_context& io_;
  boost::asio::thread_pool workers_;
  std::map<std::string, std::shared_ptr<JobState>> jobs_;
  std::vector<RunCallback> observers_;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace ticketwatch::scheduler

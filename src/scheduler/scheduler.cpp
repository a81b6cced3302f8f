#include "ticketwatch/scheduler/scheduler.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "job_logger.hpp"
#include "job_state.hpp"
#include "ticketwatch/scheduler/timing.hpp"

namespace ticketwatch::scheduler {

namespace {

std::size_t checked_pool_size(std::size_t worker_threads) {
  if (worker_threads == 0) {
    throw std::invalid_argument("the scheduler needs at least one worker thread");
  }
  return worker_threads;
}

void validate(const std::string& name, const JobSettings& settings) {
  const auto fail = [&](std::string_view what) {
    throw std::invalid_argument("job " + name + ": " + std::string(what));
  };
  if (settings.interval <= std::chrono::milliseconds::zero()) {
    fail("interval must be positive");
  }
  if (settings.timeout <= std::chrono::milliseconds::zero()) {
    fail("timeout must be positive");
  }
  if (settings.max_attempts < 1) {
    fail("max_attempts must be at least 1");
  }
  if (settings.retry_backoff < std::chrono::milliseconds::zero() ||
      settings.retry_backoff_max < std::chrono::milliseconds::zero()) {
    fail("retry backoff must not be negative");
  }
}

}  // namespace

Scheduler::Scheduler(boost::asio::io_context& io, std::size_t worker_threads)
    : io_(io), workers_(checked_pool_size(worker_threads)), grace_timer_(io) {}

Scheduler::~Scheduler() {
  grace_timer_.cancel();
  for (auto& [name, job] : jobs_) {
    job->abandon();
  }
  // stop() drops attempts still waiting for a thread; join() waits for the ones running.
  workers_.stop();
  workers_.join();
  jobs_.clear();
}

void Scheduler::add_job(std::string name, JobSettings settings, JobBody body) {
  if (name.empty()) {
    throw std::invalid_argument("a job needs a name");
  }
  if (jobs_.contains(name)) {
    throw std::invalid_argument("job " + name + " is already scheduled");
  }
  if (!body) {
    throw std::invalid_argument("job " + name + " has no body");
  }
  validate(name, settings);
  // The hook may use `this`: a job state never outlives the Scheduler that owns it, and late
  // handlers reach it only through weak references.
  auto job = std::make_shared<JobState>(io_, workers_, name, settings, std::move(body),
                                        [this](const RunResult& result) { job_finished(result); });
  jobs_.emplace(std::move(name), job);
  if (stopping_) {
    job->stop();
  } else if (started_) {
    job->start();
  }
}

void Scheduler::start() {
  if (started_ || stopping_) {
    return;
  }
  started_ = true;
  for (auto& [name, job] : jobs_) {
    job->start();
  }
}

bool Scheduler::update_settings(const std::string& name, const JobSettings& settings) {
  const auto found = jobs_.find(name);
  if (found == jobs_.end()) {
    return false;
  }
  validate(name, settings);
  found->second->update(settings);
  return true;
}

bool Scheduler::trigger(const std::string& name, RunCallback on_done) {
  const auto found = jobs_.find(name);
  if (found == jobs_.end()) {
    return false;
  }
  found->second->trigger(std::move(on_done));
  return true;
}

void Scheduler::on_run_finished(RunCallback observer) {
  observers_.push_back(std::move(observer));
}

std::optional<JobStats> Scheduler::stats(const std::string& name) const {
  const auto found = jobs_.find(name);
  if (found == jobs_.end()) {
    return std::nullopt;
  }
  return found->second->stats();
}

std::vector<JobStats> Scheduler::all_stats() const {
  std::vector<JobStats> all;
  all.reserve(jobs_.size());
  for (const auto& [name, job] : jobs_) {
    all.push_back(job->stats());
  }
  return all;
}

std::vector<std::string> Scheduler::job_names() const {
  std::vector<std::string> names;
  names.reserve(jobs_.size());
  for (const auto& [name, job] : jobs_) {
    names.push_back(name);
  }
  return names;
}

bool Scheduler::started() const {
  return started_;
}

bool Scheduler::stopping() const {
  return stopping_;
}

void Scheduler::stop(std::chrono::milliseconds grace, std::function<void()> on_stopped) {
  if (on_stopped) {
    stop_waiters_.push_back(std::move(on_stopped));
  }
  if (!stopping_) {
    stopping_ = true;
    for (auto& [name, job] : jobs_) {
      job->stop();
    }
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this, lifetime = std::weak_ptr<int>(lifetime_),
                             grace](const boost::system::error_code& ec) {
      if (ec || lifetime.expired()) {
        return;
      }
      grace_elapsed_ = true;
      for (const auto& [name, job] : jobs_) {
        if (job->running()) {
          job_logger(name)->warn("{}: run still in progress after the {} shutdown grace period",
                                 name, format_duration(grace));
        }
      }
      notify_stopped();
    });
  }
  check_stopped();
}

void Scheduler::job_finished(const RunResult& result) {
  for (const auto& observer : observers_) {
    try {
      observer(result);
    } catch (const std::exception& error) {
      job_logger(result.job)->error("{}: run observer threw: {}", result.job, error.what());
    } catch (...) {
      job_logger(result.job)
          ->error("{}: run observer threw an exception of unknown type", result.job);
    }
  }
  check_stopped();
}

void Scheduler::check_stopped() {
  if (!stopping_) {
    return;
  }
  if (!grace_elapsed_) {
    for (const auto& [name, job] : jobs_) {
      if (job->running()) {
        return;
      }
    }
  }
  notify_stopped();
}

void Scheduler::notify_stopped() {
  grace_timer_.cancel();
  // Posted, so a waiter may destroy the Scheduler without pulling it out from under this call.
  for (auto& waiter : std::exchange(stop_waiters_, {})) {
    boost::asio::post(io_, std::move(waiter));
  }
}

}  // namespace ticketwatch::scheduler

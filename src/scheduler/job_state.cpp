#include "job_state.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>
#include <utility>

#include "job_logger.hpp"
#include "ticketwatch/scheduler/timing.hpp"

namespace ticketwatch::scheduler {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// User callbacks run inside io_context handlers; one that throws must not take the loop down.
template <typename Fn>
void call_guarded(spdlog::logger& log, std::string_view job, std::string_view what, Fn&& fn) {
  try {
    std::forward<Fn>(fn)();
  } catch (const std::exception& error) {
    log.error("{}: {} threw: {}", job, what, error.what());
  } catch (...) {
    log.error("{}: {} threw an exception of unknown type", job, what);
  }
}

}  // namespace

Scheduler::JobState::JobState(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                              std::string name, JobSettings settings, JobBody body,
                              FinishedHook on_finished)
    : io_(io),
      workers_(workers),
      name_(std::move(name)),
      settings_(settings),
      body_(std::make_shared<const JobBody>(std::move(body))),
      on_finished_(std::move(on_finished)),
      tick_timer_(io),
      retry_timer_(io),
      timeout_timer_(io),
      stats_(name_) {}

std::shared_ptr<spdlog::logger> Scheduler::JobState::logger() const {
  return job_logger(name_);
}

void Scheduler::JobState::start() {
  if (started_ || stopping_) {
    return;
  }
  started_ = true;
  if (!settings_.enabled) {
    return;
  }
  arm_ticks();
  if (settings_.run_on_start) {
    begin_run(Trigger::start, {});
  }
}

void Scheduler::JobState::update(const JobSettings& settings) {
  const JobSettings old = std::exchange(settings_, settings);
  if (!started_ || stopping_) {
    return;
  }
  if (!settings_.enabled) {
    disarm_ticks();
  } else if (!old.enabled || old.interval != settings_.interval) {
    arm_ticks();
  }
}

void Scheduler::JobState::trigger(RunCallback on_done) {
  std::vector<RunCallback> callbacks;
  if (on_done) {
    callbacks.push_back(std::move(on_done));
  }
  if (stopping_) {
    refuse(Trigger::manual, std::move(callbacks));
    return;
  }
  if (!run_) {
    begin_run(Trigger::manual, std::move(callbacks));
    return;
  }
  if (!queued_) {
    logger()->debug("{}: manual run queued behind the run in progress", name_);
    queued_.emplace();
  }
  for (auto& callback : callbacks) {
    queued_->push_back(std::move(callback));
  }
}

void Scheduler::JobState::stop() {
  stopping_ = true;
  disarm_ticks();
  if (queued_) {
    refuse(Trigger::manual, std::move(*queued_));
    queued_.reset();
  }
  if (!run_) {
    return;
  }
  if (run_->waiting_retry) {
    // Its handler sees stopping_ and ends the run with the last attempt's error.
    retry_timer_.cancel();
  }
  if (run_->attempt_in_flight) {
    timeout_timer_.cancel();
    run_->attempt_stop.request_stop();
    logger()->info("{}: asked the run in progress to stop", name_);
  }
}

void Scheduler::JobState::abandon() {
  stopping_ = true;
  disarm_ticks();
  queued_.reset();
  retry_timer_.cancel();
  timeout_timer_.cancel();
  if (run_) {
    run_->attempt_stop.request_stop();
  }
}

JobStats Scheduler::JobState::stats() const {
  JobStats stats = stats_.snapshot();
  stats.enabled = settings_.enabled;
  stats.running = run_.has_value();
  if (ticks_armed_) {
    // The grid lives on the steady clock; the wall-clock instant is only for display.
    stats.next_run = system_clock::now() + std::chrono::duration_cast<system_clock::duration>(
                                               next_tick_ - steady_clock::now());
  }
  return stats;
}

void Scheduler::JobState::arm_ticks() {
  ticks_armed_ = true;
  tick_origin_ = steady_clock::now();
  wait_for_tick();
}

void Scheduler::JobState::wait_for_tick() {
  next_tick_ = next_tick(tick_origin_, settings_.interval, steady_clock::now());
  const std::uint64_t generation = ++tick_generation_;
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code&) {
    if (auto self = weak.lock()) {
      self->on_tick(generation);
    }
  });
}

void Scheduler::JobState::disarm_ticks() {
  ticks_armed_ = false;
  ++tick_generation_;
  tick_timer_.cancel();
}

void Scheduler::JobState::on_tick(std::uint64_t generation) {
  // A cancelled wait, or one that had already fired when the grid was re-armed.
  if (generation != tick_generation_ || !ticks_armed_) {
    return;
  }
  if (run_) {
    logger()->debug("{}: tick skipped, the previous run is still in progress", name_);
  } else {
    begin_run(Trigger::schedule, {});
  }
  wait_for_tick();
}

void Scheduler::JobState::begin_run(Trigger trigger, std::vector<RunCallback> callbacks) {
  run_.emplace();
  run_->trigger = trigger;
  run_->settings = settings_;
  run_->callbacks = std::move(callbacks);
  run_->started_at = system_clock::now();
  run_->started_steady = steady_clock::now();
  stats_.started(run_->started_at);
  logger()->debug("{}: run started ({})", name_, to_string(trigger));
  begin_attempt();
}

void Scheduler::JobState::begin_attempt() {
  ActiveRun& run = *run_;
  ++run.attempts;
  const std::uint64_t attempt_id = ++attempt_id_;
  run.attempt_stop = std::stop_source();
  run.attempt_in_flight = true;
  run.timed_out = false;

  timeout_timer_.expires_after(run.settings.timeout);
  timeout_timer_.async_wait(
      [weak = weak_from_this(), attempt_id](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        if (auto self = weak.lock()) {
          self->on_timeout(attempt_id);
        }
      });

  AttemptContext context{.job = name_,
                         .trigger = run.trigger,
                         .attempt = run.attempts,
                         .timeout = run.settings.timeout,
                         .stop = run.attempt_stop.get_token()};
  // The worker holds only the body and a weak reference: the io_context (which outlives the
  // pool) gets the outcome, and this state may be gone by then.
  boost::asio::post(workers_, [body = body_, context = std::move(context), &io = io_,
                               weak = weak_from_this(), attempt_id]() {
    AttemptOutcome outcome = run_attempt(*body, context);
    boost::asio::post(io, [weak, attempt_id, outcome = std::move(outcome)]() mutable {
      if (auto self = weak.lock()) {
        self->on_attempt_done(attempt_id, std::move(outcome));
      }
    });
  });
}

void Scheduler::JobState::on_timeout(std::uint64_t attempt_id) {
  if (!run_ || attempt_id != attempt_id_ || !run_->attempt_in_flight) {
    return;
  }
  run_->timed_out = true;
  run_->attempt_stop.request_stop();
  logger()->warn("{}: attempt {} timed out after {}; asked it to stop", name_, run_->attempts,
                 format_duration(run_->settings.timeout));
}

void Scheduler::JobState::on_attempt_done(std::uint64_t attempt_id, AttemptOutcome outcome) {
  if (!run_ || attempt_id != attempt_id_ || !run_->attempt_in_flight) {
    return;
  }
  ActiveRun& run = *run_;
  run.attempt_in_flight = false;
  timeout_timer_.cancel();
  if (run.timed_out) {
    // Whatever the body did after its stop was requested, the attempt overran its budget.
    outcome.kind = AttemptOutcome::Kind::failed;
    outcome.error = "timed out after " + format_duration(run.settings.timeout);
  } else if (stopping_ && run.attempt_stop.stop_requested() &&
             outcome.kind == AttemptOutcome::Kind::failed) {
    // The daemon asked it to stop: job_runs and the journal must not read like a fault of the job
    // (every restart during a run would look like one).
    outcome.error = "interrupted by shutdown: " + outcome.error;
  }

  switch (outcome.kind) {
    case AttemptOutcome::Kind::succeeded:
      finish_run(RunStatus::succeeded, {}, std::move(outcome.summary));
      return;
    case AttemptOutcome::Kind::skipped:
      finish_run(RunStatus::skipped, std::move(outcome.error), nlohmann::json::object());
      return;
    case AttemptOutcome::Kind::permanent_failure:
      finish_run(RunStatus::failed, std::move(outcome.error), nlohmann::json::object());
      return;
    case AttemptOutcome::Kind::failed:
      run.last_error = std::move(outcome.error);
      if (run.attempts < run.settings.max_attempts && !stopping_) {
        retry_later();
      } else {
        finish_run(RunStatus::failed, run.last_error, nlohmann::json::object());
      }
      return;
  }
}

void Scheduler::JobState::retry_later() {
  ActiveRun& run = *run_;
  const milliseconds delay =
      retry_delay(run.settings.retry_backoff, run.settings.retry_backoff_max, run.attempts);
  logger()->warn("{}: attempt {}/{} failed: {}; retrying in {}", name_, run.attempts,
                 run.settings.max_attempts, run.last_error, format_duration(delay));
  run.waiting_retry = true;
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait(
      [weak = weak_from_this(), attempt_id = attempt_id_](const boost::system::error_code&) {
        // Also reached when stop() cancels the wait: on_retry_due then ends the run.
        if (auto self = weak.lock()) {
          self->on_retry_due(attempt_id);
        }
      });
}

void Scheduler::JobState::on_retry_due(std::uint64_t attempt_id) {
  if (!run_ || attempt_id != attempt_id_ || !run_->waiting_retry) {
    return;
  }
  run_->waiting_retry = false;
  if (stopping_) {
    finish_run(RunStatus::failed, run_->last_error, nlohmann::json::object());
    return;
  }
  begin_attempt();
}

void Scheduler::JobState::finish_run(RunStatus status, std::string error, nlohmann::json summary) {
  ActiveRun run = std::move(*run_);
  run_.reset();

  RunResult result;
  result.job = name_;
  result.trigger = run.trigger;
  result.status = status;
  result.attempts = run.attempts;
  result.error = std::move(error);
  result.summary = std::move(summary);
  result.started_at = run.started_at;
  result.finished_at = system_clock::now();
  result.duration =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - run.started_steady);

  stats_.finished(result);
  log_result(result);

  // The queued run starts before anyone hears of this one, so a callback that triggers the job
  // again queues behind it instead of racing it.
  if (queued_) {
    std::vector<RunCallback> callbacks = std::move(*queued_);
    queued_.reset();
    begin_run(Trigger::manual, std::move(callbacks));
  }

  on_finished_(result);
  const auto log = logger();
  for (const auto& callback : run.callbacks) {
    call_guarded(*log, name_, "trigger callback", [&] { callback(result); });
  }
}

void Scheduler::JobState::log_result(const RunResult& result) const {
  const auto log = logger();
  const std::string duration = format_duration(result.duration);
  switch (result.status) {
    case RunStatus::succeeded:
      log->info("{}: {} run succeeded after {} attempt(s) in {}", name_, to_string(result.trigger),
                result.attempts, duration);
      break;
    case RunStatus::skipped:
      log->info("{}: {} run skipped after {} attempt(s) in {}: {}", name_,
                to_string(result.trigger), result.attempts, duration, result.error);
      break;
    case RunStatus::failed:
      log->warn("{}: {} run failed after {} attempt(s) in {}: {}", name_, to_string(result.trigger),
                result.attempts, duration, result.error);
      break;
  }
}

void Scheduler::JobState::refuse(Trigger trigger, std::vector<RunCallback> callbacks) const {
  if (callbacks.empty()) {
    return;
  }
  RunResult result;
  result.job = name_;
  result.trigger = trigger;
  result.status = RunStatus::failed;
  result.error = "daemon stopping";
  result.started_at = result.finished_at = system_clock::now();
  // Posted so stop() and trigger() never call back into their caller.
  boost::asio::post(io_, [callbacks = std::move(callbacks), result = std::move(result),
                          log = logger(), name = name_]() {
    for (const auto& callback : callbacks) {
      call_guarded(*log, name, "trigger callback", [&] { callback(result); });
    }
  });
}

}  // namespace ticketwatch::scheduler

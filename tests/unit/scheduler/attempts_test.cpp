#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <mutex>
#include <optional>
#include <vector>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;
using std::chrono::milliseconds;

// Triggers the job once and runs the io_context until its result arrives.
std::optional<RunResult> run_once(boost::asio::io_context& io, Scheduler& scheduler,
                                  const std::string& job,
                                  std::chrono::milliseconds deadline = kDeadline) {
  std::optional<RunResult> result;
  if (!scheduler.trigger(job, [&result](const RunResult& finished) { result = finished; })) {
    return std::nullopt;
  }
  run_until(
      io, [&] { return result.has_value(); }, deadline);
  return result;
}

TEST(SchedulerAttempts, AJobThatThrowsTwiceThenSucceedsCountsOneSuccessWithThreeAttempts) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 3;
  settings.retry_backoff = 5ms;
  settings.retry_backoff_max = 50ms;
  std::vector<int> attempts_seen;  // written on the worker, read after the run finished
  scheduler.add_job("flaky", settings,
                    [&attempts_seen](const AttemptContext& context) -> nlohmann::json {
                      attempts_seen.push_back(context.attempt);
                      if (context.attempt < 3) {
                        throw std::runtime_error("transient " + std::to_string(context.attempt));
                      }
                      return {{"done", true}};
                    });

  const auto result = run_once(io, scheduler, "flaky");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::succeeded);
  EXPECT_EQ(result->attempts, 3);
  EXPECT_EQ(result->error, "");
  EXPECT_EQ(result->summary, (nlohmann::json{{"done", true}}));
  EXPECT_EQ(attempts_seen, (std::vector<int>{1, 2, 3}));
  const JobStats stats = *scheduler.stats("flaky");
  EXPECT_EQ(stats.total_runs, 1u);
  EXPECT_EQ(stats.success_count, 1u);
  EXPECT_EQ(stats.failure_count, 0u);
  EXPECT_EQ(stats.last_error, "");
  EXPECT_EQ(stats.last_status, RunStatus::succeeded);
}

TEST(SchedulerAttempts, AJobThatAlwaysThrowsCountsOneFailureAfterMaxAttempts) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 4;
  settings.retry_backoff = 2ms;
  settings.retry_backoff_max = 10ms;
  std::atomic<int> calls = 0;
  scheduler.add_job("broken", settings, [&calls](const AttemptContext& context) -> nlohmann::json {
    ++calls;
    throw std::runtime_error("boom on attempt " + std::to_string(context.attempt));
  });

  const auto result = run_once(io, scheduler, "broken");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->attempts, 4);
  EXPECT_EQ(result->error, "boom on attempt 4");
  EXPECT_EQ(calls, 4);
  const JobStats stats = *scheduler.stats("broken");
  EXPECT_EQ(stats.total_runs, 1u);
  EXPECT_EQ(stats.success_count, 0u);
  EXPECT_EQ(stats.failure_count, 1u);
  EXPECT_EQ(stats.last_error, "boom on attempt 4");
  EXPECT_TRUE(stats.last_failure.has_value());
  EXPECT_FALSE(stats.last_success.has_value());
}

// Records when each attempt began, and fails it.
struct AttemptClock {
  std::mutex mutex;
  std::vector<std::pair<int, Clock::time_point>> starts;

  JobBody failing_body() {
    return [this](const AttemptContext& context) -> nlohmann::json {
      {
        const std::lock_guard lock(mutex);
        starts.emplace_back(context.attempt, Clock::now());
      }
      throw std::runtime_error("still failing");
    };
  }
  std::vector<Clock::duration> gaps() {
    const std::lock_guard lock(mutex);
    std::vector<Clock::duration> result;
    for (std::size_t i = 1; i < starts.size(); ++i) {
      result.push_back(starts[i].second - starts[i - 1].second);
    }
    return result;
  }
};

TEST(SchedulerAttempts, RetryDelaysDoubleAfterEachFailedAttempt) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 4;
  settings.retry_backoff = 40ms;
  settings.retry_backoff_max = 10s;
  AttemptClock clock;
  scheduler.add_job("job", settings, clock.failing_body());

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->attempts, 4);
  ASSERT_EQ(clock.starts.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(clock.starts[i].first, i + 1);
  }
  const auto gaps = clock.gaps();
  EXPECT_GE(gaps[0], 40ms);
  EXPECT_GE(gaps[1], 80ms);
  EXPECT_GE(gaps[2], 160ms);
  // A constant delay would make these equal; the lower bounds alone do not show growth.
  EXPECT_LT(gaps[0], gaps[2]);
  EXPECT_GE(result->duration, 280ms);
}

TEST(SchedulerAttempts, RetryDelaysAreCappedAtTheBackoffMaximum) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 8;
  settings.retry_backoff = 20ms;
  settings.retry_backoff_max = 40ms;
  AttemptClock clock;
  scheduler.add_job("job", settings, clock.failing_body());

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->attempts, 8);
  ASSERT_EQ(clock.starts.size(), 8u);
  const auto gaps = clock.gaps();
  EXPECT_GE(gaps[0], 20ms);
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i], 40ms) << "gap " << i;
  }
  // Uncapped, the last wait would be 20 ms · 2^6 = 1280 ms and the run 2.5 s long.
  EXPECT_LT(gaps.back(), 1000ms);
  EXPECT_LT(result->duration, 2000ms);
}

TEST(SchedulerAttempts, APermanentFailureIsNotRetried) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 5;
  std::atomic<int> calls = 0;
  scheduler.add_job("job", settings, [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    throw PermanentFailure("schema is behind: run ticketwatchd migrate");
  });

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_EQ(result->error, "schema is behind: run ticketwatchd migrate");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(scheduler.stats("job")->failure_count, 1u);
}

TEST(SchedulerAttempts, ARunSkippedElsewhereIsRecordedAsSkippedAndNotRetried) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 5;
  std::atomic<int> calls = 0;
  scheduler.add_job("job", settings, [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    throw RunSkipped("another instance holds the job lock");
  });

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::skipped);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_EQ(result->error, "another instance holds the job lock");
  EXPECT_EQ(calls, 1);
  const JobStats stats = *scheduler.stats("job");
  EXPECT_EQ(stats.total_runs, 1u);
  EXPECT_EQ(stats.skipped_count, 1u);
  EXPECT_EQ(stats.success_count, 0u);
  EXPECT_EQ(stats.failure_count, 0u);
  EXPECT_EQ(stats.last_status, RunStatus::skipped);
  EXPECT_EQ(stats.last_error, "");
  EXPECT_EQ(stats.average_duration_ms, 0.0);
}

TEST(SchedulerAttempts, AHangingJobThatHonoursItsStopTokenIsTimedOut) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 2;
  settings.timeout = 50ms;
  std::atomic<int> stopped_early = 0;
  scheduler.add_job("hangs", settings, [&](const AttemptContext& context) -> nlohmann::json {
    sleep_unless_stopped(context.stop, 10s);
    if (context.stop.stop_requested()) {
      ++stopped_early;
    }
    // Even a body that reports success after its stop was requested overran its budget.
    return nlohmann::json::object();
  });

  const auto began = Clock::now();
  const auto result = run_once(io, scheduler, "hangs");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->attempts, 2);
  EXPECT_EQ(result->error, "timed out after 50ms");
  EXPECT_EQ(stopped_early, 2);
  EXPECT_LT(Clock::now() - began, 5s);  // well before the body's own 10 s, twice
  EXPECT_EQ(scheduler.stats("hangs")->last_error, "timed out after 50ms");
}

TEST(SchedulerAttempts, AJobIgnoringItsTimeoutKeepsRunningAndIsNeverStartedTwice) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 4);
  ConcurrencyProbe probe;
  JobSettings settings = quiet_settings();
  settings.interval = 10ms;
  settings.timeout = 30ms;
  scheduler.add_job("stubborn", settings, [&probe](const AttemptContext&) -> nlohmann::json {
    ConcurrencyProbe::Scope scope(probe);
    std::this_thread::sleep_for(300ms);
    return nlohmann::json::object();
  });
  std::vector<RunResult> runs;
  scheduler.on_run_finished([&](const RunResult& result) { runs.push_back(result); });

  scheduler.start();
  ASSERT_TRUE(run_until(io, [&] { return probe.entered() == 1; }));
  run_for(io, 150ms);  // well past the timeout
  EXPECT_TRUE(scheduler.stats("stubborn")->running);
  ASSERT_TRUE(run_until(io, [&] { return runs.size() >= 2; }));

  EXPECT_EQ(probe.max_concurrent(), 1);
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, RunStatus::failed);
    EXPECT_EQ(run.error, "timed out after 30ms");
    EXPECT_GE(run.duration, 300ms);
  }
}

TEST(SchedulerAttempts, ASummaryThatIsNotAJsonObjectIsAFailedAttempt) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 2;
  scheduler.add_job("job", settings, [](const AttemptContext&) {
    return nlohmann::json::array({1, 2});
  });

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->attempts, 2);
  EXPECT_EQ(result->error, "the job returned a JSON array instead of a JSON object");
}

TEST(SchedulerAttempts, AnExceptionOfUnknownTypeIsAFailedAttempt) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(),
                    [](const AttemptContext&) -> nlohmann::json { throw 42; });

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->error, "the job threw an exception of unknown type");
}

TEST(SchedulerAttempts, TheBodySeesItsJobTriggerAttemptAndTimeout) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.timeout = 1234ms;
  scheduler.add_job("job", settings, [](const AttemptContext& context) -> nlohmann::json {
    return {{"job", context.job},
            {"trigger", std::string(to_string(context.trigger))},
            {"attempt", context.attempt},
            {"timeout_ms", context.timeout.count()},
            {"stoppable", context.stop.stop_possible()}};
  });

  const auto result = run_once(io, scheduler, "job");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->summary, (nlohmann::json{{"job", "job"},
                                             {"trigger", "manual"},
                                             {"attempt", 1},
                                             {"timeout_ms", 1234},
                                             {"stoppable", true}}));
}

}  // namespace
}  // namespace ticketwatch::scheduler

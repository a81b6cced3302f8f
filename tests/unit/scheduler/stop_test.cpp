#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;

TEST(SchedulerStop, StopAsksTheRunningBodyToStopAndReportsOnceItReturned) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 2);
  ConcurrencyProbe probe;
  JobSettings settings = quiet_settings();
  settings.interval = 20ms;
  settings.max_attempts = 3;
  scheduler.add_job("job", settings, [&probe](const AttemptContext& context) -> nlohmann::json {
    ConcurrencyProbe::Scope scope(probe);
    sleep_unless_stopped(context.stop, 10s);
    throw std::runtime_error(context.stop.stop_requested() ? "stopped on request"
                                                           : "never asked to stop");
  });
  std::vector<RunResult> observed;
  scheduler.on_run_finished([&](const RunResult& result) { observed.push_back(result); });
  scheduler.start();
  ASSERT_TRUE(run_until(io, [&] { return probe.entered() == 1; }));
  std::optional<RunResult> queued;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& result) { queued = result; }));

  bool stopped = false;
  const auto stop_began = Clock::now();
  scheduler.stop(10s, [&] { stopped = true; });
  EXPECT_TRUE(scheduler.stopping());
  ASSERT_TRUE(run_until(io, [&] { return stopped; }));

  EXPECT_LT(Clock::now() - stop_began, 5s);  // the body returned; grace did not run out
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0].status, RunStatus::failed);
  EXPECT_EQ(observed[0].attempts, 1);  // no retry while stopping
  // The error says the daemon cut the run short, not the job.
  EXPECT_EQ(observed[0].error, "interrupted by shutdown: stopped on request");
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->status, RunStatus::failed);
  EXPECT_EQ(queued->error, "daemon stopping");
  EXPECT_EQ(queued->attempts, 0);

  const JobStats stats = *scheduler.stats("job");
  EXPECT_FALSE(stats.running);
  EXPECT_FALSE(stats.next_run.has_value());
  run_for(io, 200ms);  // ten intervals: the timer is gone
  EXPECT_EQ(probe.entered(), 1);
  EXPECT_EQ(observed.size(), 1u);
}

TEST(SchedulerStop, StopGivesUpWaitingForABodyThatIgnoresTheTokenWhenGraceRunsOut) {
  boost::asio::io_context io;
  std::atomic<bool> body_returned = false;
  bool stopped = false;
  bool running_when_stopped = false;
  Clock::duration waited{};
  {
    Scheduler scheduler(io, 1);
    scheduler.add_job("job", quiet_settings(), [&](const AttemptContext&) -> nlohmann::json {
      std::this_thread::sleep_for(2s);
      body_returned = true;
      return nlohmann::json::object();
    });
    ASSERT_TRUE(scheduler.trigger("job", nullptr));
    ASSERT_TRUE(run_until(io, [&] { return scheduler.stats("job")->running; }));

    const auto stop_began = Clock::now();
    scheduler.stop(100ms, [&] {
      stopped = true;
      running_when_stopped = scheduler.stats("job")->running;
    });
    ASSERT_TRUE(run_until(io, [&] { return stopped; }));
    waited = Clock::now() - stop_began;
    // Leaving the scope joins the worker: the destructor waits for the body.
  }
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 1500ms);  // well before the body's 2 s
  EXPECT_TRUE(running_when_stopped);
  EXPECT_TRUE(body_returned);
}

TEST(SchedulerStop, StopCancelsAPendingRetryAndFailsTheRunWithItsLastError) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 3;
  settings.retry_backoff = 10s;
  settings.retry_backoff_max = 10s;
  std::atomic<int> calls = 0;
  scheduler.add_job("job", settings, [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    throw std::runtime_error("database unreachable");
  });
  std::optional<RunResult> result;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& finished) { result = finished; }));
  ASSERT_TRUE(run_until(io, [&] { return calls == 1; }));
  run_for(io, 50ms);  // the attempt's failure reached the io thread: waiting to retry
  ASSERT_TRUE(scheduler.stats("job")->running);

  bool stopped = false;
  const auto stop_began = Clock::now();
  scheduler.stop(10s, [&] { stopped = true; });
  ASSERT_TRUE(run_until(io, [&] { return stopped && result.has_value(); }));

  EXPECT_LT(Clock::now() - stop_began, 5s);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_EQ(result->error, "database unreachable");
}

TEST(SchedulerStop, StopWithNothingRunningReportsAtOnceButNotSynchronously) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(),
                    [](const AttemptContext&) { return nlohmann::json::object(); });
  scheduler.start();
  int stopped = 0;
  scheduler.stop(10s, [&] { ++stopped; });
  EXPECT_EQ(stopped, 0);
  ASSERT_TRUE(run_until(
      io, [&] { return stopped == 1; }, 1s));
  scheduler.stop(10s, [&] { ++stopped; });  // a later call still gets its answer
  ASSERT_TRUE(run_until(
      io, [&] { return stopped == 2; }, 1s));
}

TEST(SchedulerStop, ATriggerAfterStopReportsDaemonStoppingAndRunsNothing) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  std::atomic<int> calls = 0;
  scheduler.add_job("job", quiet_settings(), [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    return nlohmann::json::object();
  });
  scheduler.start();
  scheduler.stop(1s, nullptr);

  std::optional<RunResult> result;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& finished) { result = finished; }));
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  run_for(io, 50ms);

  EXPECT_EQ(result->status, RunStatus::failed);
  EXPECT_EQ(result->error, "daemon stopping");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(scheduler.stats("job")->total_runs, 0u);
}

TEST(SchedulerStop, DestroyingTheSchedulerStopsAndJoinsABodyThatHonoursTheToken) {
  boost::asio::io_context io;
  std::atomic<bool> body_entered = false;
  std::atomic<bool> body_saw_stop = false;
  bool callback_called = false;
  Clock::duration destruction{};
  {
    auto scheduler = std::make_unique<Scheduler>(io, 1);
    scheduler->add_job("job", quiet_settings(),
                       [&](const AttemptContext& context) -> nlohmann::json {
                         body_entered = true;
                         sleep_unless_stopped(context.stop, 10s);
                         body_saw_stop = context.stop.stop_requested();
                         return nlohmann::json::object();
                       });
    ASSERT_TRUE(scheduler->trigger("job", [&](const RunResult&) { callback_called = true; }));
    ASSERT_TRUE(run_until(io, [&] { return body_entered.load(); }));
    const auto began = Clock::now();
    scheduler.reset();
    destruction = Clock::now() - began;
  }
  // The result posted by the worker finds the scheduler gone and is dropped.
  run_for(io, 50ms);
  EXPECT_TRUE(body_saw_stop);
  EXPECT_LT(destruction, 5s);
  EXPECT_FALSE(callback_called);
}

}  // namespace
}  // namespace ticketwatch::scheduler

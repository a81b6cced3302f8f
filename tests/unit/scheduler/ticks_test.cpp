#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <vector>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// nextRun is the steady-clock grid shown on the wall clock; converting reads two clocks, so
// comparisons allow for that noise only, not for scheduling latency.
constexpr milliseconds kClockNoise{20ms};

constexpr milliseconds kBodyTime{70ms};

// Distance from `gap` to the nearest whole multiple of `interval`.
milliseconds off_grid(system_clock::duration gap, milliseconds interval) {
  const auto remainder = duration_cast<milliseconds>(gap) % interval;
  return std::min(remainder, interval - remainder);
}

TEST(SchedulerTicks, RunsAtAFixedRateWhoseGridIgnoresHowLongEachRunTook) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.interval = 100ms;
  // Half the interval: fixed delay would put every tick 50 ms off the grid.
  scheduler.add_job("job", settings, [](const AttemptContext& context) -> nlohmann::json {
    sleep_unless_stopped(context.stop, 50ms);
    return nlohmann::json::object();
  });
  std::vector<RunResult> runs;
  std::vector<system_clock::time_point> next_runs;
  scheduler.on_run_finished([&](const RunResult& result) {
    runs.push_back(result);
    next_runs.push_back(*scheduler.stats("job")->next_run);
  });

  scheduler.start();
  ASSERT_TRUE(run_until(io, [&] { return runs.size() >= 5; }));

  for (const auto& run : runs) {
    EXPECT_EQ(run.trigger, Trigger::schedule);
    EXPECT_EQ(run.status, RunStatus::succeeded);
  }
  for (std::size_t i = 1; i < next_runs.size(); ++i) {
    const auto gap = next_runs[i] - next_runs[i - 1];
    EXPECT_GE(gap, settings.interval - kClockNoise) << "run " << i;
    EXPECT_LE(off_grid(gap, settings.interval), kClockNoise) << "run " << i;
  }
}

TEST(SchedulerTicks, SkipsTicksMissedByASlowRunInsteadOfOverlappingOrReplayingThem) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 4);
  ConcurrencyProbe probe;
  JobSettings settings = quiet_settings();
  settings.interval = 20ms;
  scheduler.add_job("slow", settings, [&probe](const AttemptContext&) -> nlohmann::json {
    ConcurrencyProbe::Scope scope(probe);
    std::this_thread::sleep_for(kBodyTime);
    return nlohmann::json::object();
  });
  std::vector<system_clock::time_point> next_runs;
  int finished = 0;
  scheduler.on_run_finished([&](const RunResult&) {
    ++finished;
    next_runs.push_back(*scheduler.stats("slow")->next_run);
  });

  const auto began = Clock::now();
  scheduler.start();
  run_for(io, 700ms);
  ASSERT_TRUE(run_until(io, [&] { return probe.current() == 0 && finished == probe.entered(); }));
  const auto elapsed = Clock::now() - began;

  EXPECT_EQ(probe.max_concurrent(), 1);
  EXPECT_GE(probe.entered(), 2);
  // Bounded by the body's time, not by the 35 ticks of the interval.
  EXPECT_LE(probe.entered(), elapsed / kBodyTime + 1);
  // Each run covers 3.5 intervals, so after it the next run is at least 4 ticks on.
  for (std::size_t i = 1; i < next_runs.size(); ++i) {
    EXPECT_GE(next_runs[i] - next_runs[i - 1], 80ms - kClockNoise) << "run " << i;
  }
  const JobStats stats = *scheduler.stats("slow");
  EXPECT_EQ(stats.total_runs, static_cast<std::uint64_t>(finished));
  EXPECT_EQ(stats.skipped_count, 0u);  // a skipped tick is not a run
}

TEST(SchedulerTicks, RunOnStartRunsAtOnceWithTheStartTrigger) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.run_on_start = true;
  scheduler.add_job("job", settings, [](const AttemptContext& context) -> nlohmann::json {
    return {{"trigger", std::string(to_string(context.trigger))}};
  });
  std::vector<RunResult> runs;
  scheduler.on_run_finished([&](const RunResult& result) { runs.push_back(result); });

  scheduler.start();
  ASSERT_TRUE(run_until(
      io, [&] { return runs.size() == 1; }, 5s));

  EXPECT_EQ(runs[0].trigger, Trigger::start);
  EXPECT_EQ(runs[0].summary["trigger"], "start");
  run_for(io, 100ms);
  EXPECT_EQ(runs.size(), 1u);  // the next one waits for the hourly tick
}

TEST(SchedulerTicks, WithoutRunOnStartNothingRunsBeforeTheFirstTick) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  int calls = 0;
  scheduler.add_job("job", quiet_settings(), [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    return nlohmann::json::object();
  });
  scheduler.start();
  run_for(io, 200ms);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(scheduler.stats("job")->next_run.has_value());
}

TEST(SchedulerTicks, UpdateSettingsMakesTicksFasterThenSlower) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  std::atomic<int> calls = 0;
  scheduler.add_job("job", quiet_settings(), [&calls](const AttemptContext&) -> nlohmann::json {
    ++calls;
    return nlohmann::json::object();
  });
  scheduler.start();
  run_for(io, 200ms);
  ASSERT_EQ(calls, 0);

  JobSettings faster = quiet_settings();
  faster.interval = 20ms;
  ASSERT_TRUE(scheduler.update_settings("job", faster));
  ASSERT_TRUE(run_until(io, [&] { return calls >= 5; }));

  JobSettings slower = quiet_settings();
  slower.interval = 1h;
  ASSERT_TRUE(scheduler.update_settings("job", slower));
  const int calls_at_change = calls;
  run_for(io, 300ms);
  EXPECT_EQ(calls, calls_at_change);
  EXPECT_GT(*scheduler.stats("job")->next_run, system_clock::now() + 50min);
}

TEST(SchedulerTicks, UpdateSettingsOfAnUnknownJobIsRefused) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  EXPECT_FALSE(scheduler.update_settings("nope", quiet_settings()));
}

TEST(SchedulerTicks, InvalidSettingsAreRejected) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  const auto body = [](const AttemptContext&) { return nlohmann::json::object(); };
  JobSettings zero_interval = quiet_settings();
  zero_interval.interval = 0ms;
  EXPECT_THROW(scheduler.add_job("a", zero_interval, body), std::invalid_argument);
  JobSettings no_attempts = quiet_settings();
  no_attempts.max_attempts = 0;
  EXPECT_THROW(scheduler.add_job("a", no_attempts, body), std::invalid_argument);
  scheduler.add_job("a", quiet_settings(), body);
  EXPECT_THROW(scheduler.add_job("a", quiet_settings(), body), std::invalid_argument);
  EXPECT_THROW(scheduler.update_settings("a", zero_interval), std::invalid_argument);
  EXPECT_THROW(Scheduler(io, 0), std::invalid_argument);
}

TEST(SchedulerTicks, ADisabledJobDoesNotTickButCanBeTriggeredAndEnabledAgain) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  std::vector<RunResult> runs;
  JobSettings disabled = quiet_settings();
  disabled.enabled = false;
  disabled.interval = 10ms;
  disabled.run_on_start = true;
  scheduler.add_job("job", disabled,
                    [](const AttemptContext&) { return nlohmann::json::object(); });
  scheduler.on_run_finished([&](const RunResult& result) { runs.push_back(result); });

  scheduler.start();
  run_for(io, 200ms);
  EXPECT_TRUE(runs.empty());
  EXPECT_FALSE(scheduler.stats("job")->enabled);
  EXPECT_FALSE(scheduler.stats("job")->next_run.has_value());

  ASSERT_TRUE(scheduler.trigger("job", nullptr));
  ASSERT_TRUE(run_until(io, [&] { return runs.size() == 1; }));
  EXPECT_EQ(runs[0].trigger, Trigger::manual);
  run_for(io, 100ms);
  EXPECT_EQ(runs.size(), 1u);

  JobSettings enabled = disabled;
  enabled.enabled = true;
  ASSERT_TRUE(scheduler.update_settings("job", enabled));
  ASSERT_TRUE(run_until(io, [&] { return runs.size() >= 4; }));
  EXPECT_EQ(runs.back().trigger, Trigger::schedule);

  ASSERT_TRUE(scheduler.update_settings("job", disabled));
  run_until(io, [&] { return !scheduler.stats("job")->running; });
  const std::size_t runs_when_disabled = runs.size();
  run_for(io, 200ms);
  EXPECT_EQ(runs.size(), runs_when_disabled);
}

TEST(SchedulerTicks, AManualRunDoesNotMoveTheTickGrid) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.interval = 2s;
  scheduler.add_job("job", settings, [](const AttemptContext& context) -> nlohmann::json {
    sleep_unless_stopped(context.stop, 30ms);
    return nlohmann::json::object();
  });
  scheduler.start();
  const system_clock::time_point planned = *scheduler.stats("job")->next_run;

  bool done = false;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult&) { done = true; }));
  ASSERT_TRUE(run_until(
      io, [&] { return done; }, 1500ms));

  const auto moved = *scheduler.stats("job")->next_run - planned;
  EXPECT_LE(std::chrono::abs(moved), kClockNoise);
}

}  // namespace
}  // namespace ticketwatch::scheduler

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <vector>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;

TEST(SchedulerStats, AverageDurationIsTheMeanOfFinishedRunsThatWereNotSkipped) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  std::atomic<int> calls = 0;
  scheduler.add_job("job", quiet_settings(), [&calls](const AttemptContext&) -> nlohmann::json {
    const int call = ++calls;
    if (call == 4) {
      std::this_thread::sleep_for(100ms);
      throw RunSkipped("locked elsewhere");
    }
    if (call == 3) {
      std::this_thread::sleep_for(30ms);
      throw PermanentFailure("bad rule");
    }
    std::this_thread::sleep_for(call * 20ms);
    return nlohmann::json::object();
  });
  std::vector<RunResult> runs;
  scheduler.on_run_finished([&](const RunResult& result) { runs.push_back(result); });

  for (std::size_t run = 1; run <= 4; ++run) {
    ASSERT_TRUE(scheduler.trigger("job", nullptr));
    ASSERT_TRUE(run_until(io, [&] { return runs.size() == run; }));
  }

  const JobStats stats = *scheduler.stats("job");
  EXPECT_EQ(stats.total_runs, 4u);
  EXPECT_EQ(stats.success_count, 2u);
  EXPECT_EQ(stats.failure_count, 1u);
  EXPECT_EQ(stats.skipped_count, 1u);
  const double mean = static_cast<double>(runs[0].duration.count() + runs[1].duration.count() +
                                          runs[2].duration.count()) /
                      3.0;
  EXPECT_DOUBLE_EQ(stats.average_duration_ms, mean);
  EXPECT_GE(stats.average_duration_ms, 30.0);  // (20 + 40 + 30) / 3 at least
  EXPECT_EQ(stats.last_duration, runs[3].duration);
  EXPECT_GE(*stats.last_duration, 100ms);
  EXPECT_EQ(stats.last_status, RunStatus::skipped);
}

TEST(SchedulerStats, RunTimesAndTheLastErrorDescribeTheRunsThatProducedThem) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  std::atomic<int> calls = 0;
  scheduler.add_job("job", quiet_settings(), [&calls](const AttemptContext&) -> nlohmann::json {
    if (++calls == 1) {
      throw std::runtime_error("connection refused");
    }
    return {{"tickets", 3}};
  });
  EXPECT_FALSE(scheduler.stats("job")->last_run.has_value());
  std::vector<RunResult> runs;
  scheduler.on_run_finished([&](const RunResult& result) { runs.push_back(result); });

  for (std::size_t run = 1; run <= 2; ++run) {
    ASSERT_TRUE(scheduler.trigger("job", nullptr));
    ASSERT_TRUE(run_until(io, [&] { return runs.size() == run; }));
  }

  const JobStats stats = *scheduler.stats("job");
  EXPECT_EQ(stats.job, "job");
  EXPECT_EQ(stats.last_run, runs[1].started_at);
  EXPECT_EQ(stats.last_failure, runs[0].finished_at);
  EXPECT_EQ(stats.last_success, runs[1].finished_at);
  EXPECT_LT(*stats.last_failure, *stats.last_success);
  EXPECT_EQ(stats.last_error, "connection refused");  // still there next to lastFailure
  EXPECT_EQ(stats.last_duration, runs[1].duration);
  EXPECT_EQ(stats.last_status, RunStatus::succeeded);
  EXPECT_EQ(stats.last_summary, (nlohmann::json{{"tickets", 3}}));
  EXPECT_FALSE(stats.running);
  EXPECT_FALSE(stats.next_run.has_value());  // never started
}

TEST(SchedulerStats, AllStatsListsEveryJobByName) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  const auto body = [](const AttemptContext&) { return nlohmann::json::object(); };
  scheduler.add_job("sla-monitor", quiet_settings(), body);
  scheduler.add_job("escalation-monitor", quiet_settings(), body);
  scheduler.start();

  const auto all = scheduler.all_stats();

  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].job, "escalation-monitor");
  EXPECT_EQ(all[1].job, "sla-monitor");
  EXPECT_TRUE(all[0].next_run.has_value());
  EXPECT_TRUE(scheduler.started());
}

TEST(SchedulerStats, RunsLogToTheLoggerRegisteredUnderTheJobName) {
  const std::string job = "scheduler-log-test-job";
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(32);
  auto logger = std::make_shared<spdlog::logger>(job, sink);
  logger->set_level(spdlog::level::debug);
  spdlog::register_logger(logger);
  struct Unregister {
    std::string name;
    ~Unregister() { spdlog::drop(name); }
  } unregister{job};

  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.max_attempts = 2;
  scheduler.add_job(job, settings, [](const AttemptContext&) -> nlohmann::json {
    throw std::runtime_error("disk full");
  });
  std::optional<RunResult> result;
  ASSERT_TRUE(scheduler.trigger(job, [&](const RunResult& finished) { result = finished; }));
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));

  std::vector<std::pair<spdlog::level::level_enum, std::string>> lines;
  for (const auto& message : sink->last_raw()) {
    lines.emplace_back(message.level, std::string(message.payload.data(), message.payload.size()));
  }
  const auto has = [&](spdlog::level::level_enum level, const std::string& text) {
    for (const auto& [line_level, line] : lines) {
      if (line_level == level && line.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has(spdlog::level::warn, job + ": attempt 1/2 failed: disk full; retrying in 1ms"));
  EXPECT_TRUE(has(spdlog::level::warn, job + ": manual run failed after 2 attempt(s) in "));
  EXPECT_TRUE(has(spdlog::level::warn, ": disk full"));
}

}  // namespace
}  // namespace ticketwatch::scheduler

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <vector>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;

TEST(SchedulerTrigger, ATriggerWhileIdleRunsNowAndReturnsTheResult) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(), [](const AttemptContext&) -> nlohmann::json {
    return {{"checked", 7}};
  });
  scheduler.start();

  std::optional<RunResult> result;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& finished) { result = finished; }));
  EXPECT_TRUE(scheduler.stats("job")->running);
  ASSERT_TRUE(run_until(
      io, [&] { return result.has_value(); }, 5s));

  EXPECT_EQ(result->job, "job");
  EXPECT_EQ(result->trigger, Trigger::manual);
  EXPECT_EQ(result->status, RunStatus::succeeded);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_EQ(result->summary, (nlohmann::json{{"checked", 7}}));
  EXPECT_LE(result->started_at, result->finished_at);
  EXPECT_EQ(scheduler.stats("job")->last_run, result->started_at);
}

TEST(SchedulerTrigger, ATriggerWorksBeforeStart) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(),
                    [](const AttemptContext&) { return nlohmann::json::object(); });
  std::optional<RunResult> result;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& finished) { result = finished; }));
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, RunStatus::succeeded);
}

TEST(SchedulerTrigger, ASecondTriggerDuringARunIsQueuedAndAThirdJoinsIt) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 2);
  Gate first_run_may_finish;
  ConcurrencyProbe probe;
  scheduler.add_job("job", quiet_settings(), [&](const AttemptContext& context) -> nlohmann::json {
    ConcurrencyProbe::Scope scope(probe);
    const int run = probe.entered();
    if (run == 1 && !first_run_may_finish.wait(context.stop)) {
      throw std::runtime_error("the test never released the first run");
    }
    return {{"run", run}};
  });
  scheduler.start();

  std::optional<RunResult> first;
  std::vector<RunResult> queued;
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& result) { first = result; }));
  ASSERT_TRUE(run_until(io, [&] { return probe.entered() == 1; }));
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& result) { queued.push_back(result); }));
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& result) { queued.push_back(result); }));
  run_for(io, 50ms);
  EXPECT_EQ(probe.entered(), 1);  // nothing overlaps the run in flight

  first_run_may_finish.open();
  ASSERT_TRUE(run_until(io, [&] { return first.has_value() && queued.size() == 2; }));
  run_for(io, 100ms);

  EXPECT_EQ(probe.entered(), 2);
  EXPECT_EQ(probe.max_concurrent(), 1);
  EXPECT_EQ(first->summary, (nlohmann::json{{"run", 1}}));
  ASSERT_EQ(queued.size(), 2u);
  for (const auto& result : queued) {
    EXPECT_EQ(result.trigger, Trigger::manual);
    EXPECT_EQ(result.status, RunStatus::succeeded);
    EXPECT_EQ(result.summary, (nlohmann::json{{"run", 2}}));
    EXPECT_EQ(result.started_at, queued[0].started_at);
    EXPECT_GE(result.started_at, first->finished_at);
  }
  EXPECT_EQ(scheduler.stats("job")->total_runs, 2u);
}

TEST(SchedulerTrigger, ATriggerFromAResultCallbackQueuesBehindTheQueuedRun) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  Gate first_run_may_finish;
  std::atomic<int> calls = 0;
  scheduler.add_job("job", quiet_settings(), [&](const AttemptContext& context) -> nlohmann::json {
    const int run = ++calls;
    if (run == 1) {
      first_run_may_finish.wait(context.stop);
    }
    return {{"run", run}};
  });

  std::vector<int> finished_runs;
  const auto record = [&](const RunResult& result) {
    finished_runs.push_back(result.summary["run"].get<int>());
  };
  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult& result) {
    record(result);
    // The queued run has already started: this one waits for it rather than joining it.
    scheduler.trigger("job", record);
  }));
  ASSERT_TRUE(run_until(io, [&] { return calls == 1; }));
  ASSERT_TRUE(scheduler.trigger("job", record));
  first_run_may_finish.open();
  ASSERT_TRUE(run_until(io, [&] { return finished_runs.size() == 3; }));

  EXPECT_EQ(finished_runs, (std::vector<int>{1, 2, 3}));
}

TEST(SchedulerTrigger, ATriggerForAnUnknownJobIsRefusedWithoutCallingBack) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(),
                    [](const AttemptContext&) { return nlohmann::json::object(); });
  bool called = false;

  EXPECT_FALSE(scheduler.trigger("no-such-job", [&](const RunResult&) { called = true; }));
  run_for(io, 50ms);

  EXPECT_FALSE(called);
  EXPECT_FALSE(scheduler.stats("no-such-job").has_value());
  EXPECT_EQ(scheduler.job_names(), (std::vector<std::string>{"job"}));
}

TEST(SchedulerTrigger, ObserversHearOfTheRunBeforeItsTriggerCallback) {
  boost::asio::io_context io;
  Scheduler scheduler(io, 1);
  scheduler.add_job("job", quiet_settings(),
                    [](const AttemptContext&) { return nlohmann::json::object(); });
  std::vector<std::string> order;
  scheduler.on_run_finished([&](const RunResult& result) {
    EXPECT_EQ(scheduler.stats("job")->total_runs, 1u) << "stats are updated first";
    EXPECT_FALSE(scheduler.stats("job")->running);
    order.push_back("observer 1 " + std::string(to_string(result.status)));
  });
  scheduler.on_run_finished([&](const RunResult&) {
    order.push_back("observer 2");
    throw std::runtime_error("a broken observer must not stop the others");
  });
  scheduler.on_run_finished([&](const RunResult&) { order.push_back("observer 3"); });

  ASSERT_TRUE(scheduler.trigger("job", [&](const RunResult&) { order.push_back("callback"); }));
  ASSERT_TRUE(run_until(io, [&] { return order.size() == 4; }));

  EXPECT_EQ(order, (std::vector<std::string>{"observer 1 succeeded", "observer 2", "observer 3",
                                             "callback"}));
}

}  // namespace
}  // namespace ticketwatch::scheduler

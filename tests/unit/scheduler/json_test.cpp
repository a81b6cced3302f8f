#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <regex>
#include <set>

#include "scheduler_test_support.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"

namespace ticketwatch::scheduler {
namespace {

using namespace test_support;
using std::chrono::system_clock;

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) {
    keys.insert(key);
  }
  return keys;
}

bool is_iso_utc(const nlohmann::json& value) {
  static const std::regex kIso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  return value.is_string() && std::regex_match(value.get<std::string>(), kIso);
}

TEST(SchedulerJson, RunResultUsesSnakeCaseKeys) {
  RunResult result;
  result.job = "sla-monitor";
  result.trigger = Trigger::manual;
  result.status = RunStatus::failed;
  result.attempts = 3;
  result.error = "connection refused";
  result.summary = {{"tickets", 4}};
  result.started_at = system_clock::time_point{} + 1500ms;
  result.finished_at = system_clock::time_point{} + 2750ms;
  result.duration = 1250ms;

  const nlohmann::json json = to_json(result);

  EXPECT_EQ(keys_of(json),
            (std::set<std::string>{"job", "trigger", "status", "attempts", "error", "summary",
                                   "started_at", "finished_at", "duration_ms"}));
  EXPECT_EQ(json["job"], "sla-monitor");
  EXPECT_EQ(json["trigger"], "manual");
  EXPECT_EQ(json["status"], "failed");
  EXPECT_EQ(json["attempts"], 3);
  EXPECT_EQ(json["error"], "connection refused");
  EXPECT_EQ(json["summary"], (nlohmann::json{{"tickets", 4}}));
  EXPECT_EQ(json["started_at"], "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(json["finished_at"], "1970-01-01T00:00:02.750Z");
  EXPECT_EQ(json["duration_ms"], 1250);
}

TEST(SchedulerJson, RunResultWithoutErrorHasNullError) {
  RunResult result;
  result.status = RunStatus::succeeded;
  EXPECT_TRUE(to_json(result)["error"].is_null());
  EXPECT_EQ(to_json(result)["status"], "succeeded");
}

TEST(SchedulerJson, StatsOfAFreshJobHaveEveryKeyWithNulls) {
  JobStats stats;
  stats.job = "escalation-monitor";

  const nlohmann::json json = to_json(stats);

  EXPECT_EQ(keys_of(json),
            (std::set<std::string>{"job", "enabled", "running", "lastRun", "lastSuccess",
                                   "lastFailure", "nextRun", "totalRuns", "successCount",
                                   "failureCount", "skippedCount", "averageDuration",
                                   "lastDuration", "lastError", "lastStatus", "lastSummary"}));
  for (const char* key : {"lastRun", "lastSuccess", "lastFailure", "nextRun", "lastDuration",
                          "lastError", "lastStatus"}) {
    EXPECT_TRUE(json[key].is_null()) << key;
  }
  EXPECT_EQ(json["totalRuns"], 0);
  EXPECT_EQ(json["averageDuration"], 0.0);
  EXPECT_EQ(json["lastSummary"], nlohmann::json::object());
}

TEST(SchedulerJson, StatsOfALiveJobAfterAFailureAndASuccessHaveEveryValue) {
  boost::asio::io_context io;
  int calls = 0;
  Scheduler scheduler(io, 1);
  JobSettings settings = quiet_settings();
  settings.interval = 1h;
  scheduler.add_job("sla-monitor", settings, [&calls](const AttemptContext&) -> nlohmann::json {
    if (++calls == 1) {
      throw std::runtime_error("database unreachable");
    }
    return {{"notified", 2}};
  });
  scheduler.start();
  int finished = 0;
  ASSERT_TRUE(scheduler.trigger("sla-monitor", [&](const RunResult&) { ++finished; }));
  ASSERT_TRUE(run_until(io, [&] { return finished == 1; }));
  ASSERT_TRUE(scheduler.trigger("sla-monitor", [&](const RunResult&) { ++finished; }));
  ASSERT_TRUE(run_until(io, [&] { return finished == 2; }));

  const nlohmann::json json = to_json(*scheduler.stats("sla-monitor"));

  EXPECT_EQ(json.size(), 16u);
  EXPECT_EQ(json["job"], "sla-monitor");
  EXPECT_EQ(json["enabled"], true);
  EXPECT_EQ(json["running"], false);
  for (const char* key : {"lastRun", "lastSuccess", "lastFailure", "nextRun"}) {
    EXPECT_TRUE(is_iso_utc(json[key])) << key << " = " << json[key];
  }
  EXPECT_EQ(json["totalRuns"], 2);
  EXPECT_EQ(json["successCount"], 1);
  EXPECT_EQ(json["failureCount"], 1);
  EXPECT_EQ(json["skippedCount"], 0);
  EXPECT_TRUE(json["averageDuration"].is_number());
  EXPECT_TRUE(json["lastDuration"].is_number_integer());
  EXPECT_EQ(json["lastError"], "database unreachable");
  EXPECT_EQ(json["lastStatus"], "succeeded");
  EXPECT_EQ(json["lastSummary"], (nlohmann::json{{"notified", 2}}));
}

}  // namespace
}  // namespace ticketwatch::scheduler

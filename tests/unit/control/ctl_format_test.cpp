#include "ticketwatch/control/ctl_format.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace ticketwatch::control {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const SystemTime kNow = sys_days(year(2026) / 12 / 4) + 20h;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

nlohmann::json sla_stats() {
  return {{"job", "sla-monitor"},
          {"enabled", true},
          {"running", false},
          {"lastRun", "2026-12-04T19:58:00.000Z"},
          {"lastSuccess", "2026-12-04T19:58:00.120Z"},
          {"lastFailure", nullptr},
          {"nextRun", "2026-12-04T20:13:00.000Z"},
          {"totalRuns", 4},
          {"successCount", 4},
          {"failureCount", 0},
          {"skippedCount", 0},
          {"averageDuration", 120.4},
          {"lastDuration", 118},
          {"lastError", nullptr},
          {"lastStatus", "succeeded"},
          {"lastSummary", {{"notified", 12}}}};
}

nlohmann::json escalation_stats() {
  return {{"job", "escalation-monitor"},
          {"enabled", true},
          {"running", true},
          {"lastRun", "2026-12-04T18:30:00.000Z"},
          {"lastFailure", "2026-12-04T18:30:02.000Z"},
          {"nextRun", nullptr},
          {"totalRuns", 12},
          {"successCount", 9},
          {"failureCount", 3},
          {"skippedCount", 0},
          {"averageDuration", 2500.0},
          {"lastError", "connection refused"},
          {"lastStatus", "failed"}};
}

TEST(CtlFormat, ParsesTheDaemonsUtcTimestamps) {
  EXPECT_EQ(parse_utc("2026-12-04T20:00:00Z"), kNow);
  EXPECT_EQ(parse_utc("2026-12-04T20:00:00.250Z"), kNow + 250ms);
  EXPECT_EQ(parse_utc("2026-12-04T20:00:00.5Z"), kNow + 500ms);
  EXPECT_FALSE(parse_utc("2026-12-04 20:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-13-04T20:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-12-04T20:00:00"));
  EXPECT_FALSE(parse_utc("2026-12-04T20:00:00.Z"));
  EXPECT_FALSE(parse_utc(""));
}

TEST(CtlFormat, ShowsTimesRelativeToNow) {
  EXPECT_EQ(format_relative(kNow - 2min, kNow), "2m ago");
  EXPECT_EQ(format_relative(kNow + 13min + 20s, kNow), "in 13m");
  EXPECT_EQ(format_relative(kNow - 42s, kNow), "42s ago");
  EXPECT_EQ(format_relative(kNow - 3h - 5min, kNow), "3h5m ago");
  EXPECT_EQ(format_relative(kNow - 2h, kNow), "2h ago");
  EXPECT_EQ(format_relative(kNow - 50h, kNow), "2d2h ago");
  EXPECT_EQ(format_relative(kNow + 200ms, kNow), "now");
  EXPECT_EQ(format_relative(std::nullopt, kNow), "-");
}

TEST(CtlFormat, ShowsDurationsInTheirNaturalUnit) {
  EXPECT_EQ(format_millis(0), "0ms");
  EXPECT_EQ(format_millis(340.4), "340ms");
  EXPECT_EQ(format_millis(1234), "1.2s");
  EXPECT_EQ(format_millis(125'000), "2m5s");
}

TEST(CtlFormat, JobTableIsAlignedWithOneRowPerJob) {
  auto text = format_jobs_table(nlohmann::json::array({sla_stats(), escalation_stats()}), kNow);
  auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("JOB", 0), 0u);
  for (const char* title :
       {"STATE", "LAST RUN", "LAST RESULT", "NEXT RUN", "RUNS", "FAILURES", "AVG DURATION"}) {
    EXPECT_NE(lines[0].find(title), std::string::npos) << title;
  }
  // Columns line up: each title starts where its cells start (left-aligned columns).
  auto state_col = lines[0].find("STATE");
  EXPECT_EQ(lines[1].substr(state_col, 4), "idle");
  EXPECT_EQ(lines[2].substr(state_col, 7), "running");
  auto last_run_col = lines[0].find("LAST RUN");
  EXPECT_EQ(lines[1].substr(last_run_col, 6), "2m ago");
  EXPECT_EQ(lines[2].substr(last_run_col, 9), "1h30m ago");
  auto next_col = lines[0].find("NEXT RUN");
  EXPECT_EQ(lines[1].substr(next_col, 6), "in 13m");
  EXPECT_EQ(lines[2].substr(next_col, 1), "-");
  // Right-aligned numbers end under the end of their title.
  auto avg_end = lines[0].size();
  EXPECT_EQ(lines[1].substr(avg_end - 5), "120ms");
  EXPECT_EQ(lines[2].substr(avg_end - 4), "2.5s");
  auto failures_end = lines[0].find("FAILURES") + 8;
  EXPECT_EQ(lines[2].substr(failures_end - 1, 1), "3");
  // The failed job's error is spelled out under the table.
  EXPECT_NE(text.find("escalation-monitor failed 1h29m ago: connection refused"),
            std::string::npos);
}

TEST(CtlFormat, JobThatNeverRanShowsNeverAndNoAverage) {
  nlohmann::json fresh{{"job", "sla-monitor"}, {"enabled", false},       {"running", false},
                       {"lastRun", nullptr},   {"nextRun", nullptr},     {"totalRuns", 0},
                       {"failureCount", 0},    {"averageDuration", 0.0}, {"lastStatus", nullptr}};
  auto lines = lines_of(format_jobs_table(nlohmann::json::array({fresh}), kNow));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("disabled"), std::string::npos);
  EXPECT_NE(lines[1].find("never"), std::string::npos);
  EXPECT_EQ(lines[1].back(), '-');
}

TEST(CtlFormat, StatusHeaderNamesVersionInstanceDatabaseAndUptime) {
  nlohmann::json status{{"ok", true},
                        {"version", "0.1.0"},
                        {"instance", "helpdesk1:4242"},
                        {"started_at", "2026-12-04T17:48:00Z"},
                        {"database", "down"},
                        {"database_detail", "connection refused"},
                        {"scheduler", "running"},
                        {"jobs", nlohmann::json::array({sla_stats()})}};
  auto text = format_status(status, kNow);
  EXPECT_NE(text.find("ticketwatchd 0.1.0 (helpdesk1:4242)"), std::string::npos) << text;
  EXPECT_NE(text.find("database:  down (connection refused)"), std::string::npos) << text;
  EXPECT_NE(text.find("uptime:    2h12m (since 2026-12-04T17:48:00Z)"), std::string::npos) << text;
  EXPECT_NE(text.find("sla-monitor"), std::string::npos);
}

TEST(CtlFormat, SurvivesRepliesOfTheWrongShape) {
  EXPECT_NO_THROW(format_status(nlohmann::json::array(), kNow));
  EXPECT_NO_THROW(format_status({{"jobs", "x"}, {"version", 3}}, kNow));
  EXPECT_NO_THROW(format_jobs_table(nlohmann::json::array({1, "x", nullptr}), kNow));
  EXPECT_NO_THROW(format_run_result(nlohmann::json("nope")));
  EXPECT_EQ(format_reload({{"ok", true}, {"restart_required", "x"}}), "configuration reloaded\n");
}

TEST(CtlFormat, ReloadNamesTheKeysThatWaitForARestart) {
  EXPECT_EQ(format_reload({{"ok", true}, {"restart_required", nlohmann::json::array()}}),
            "configuration reloaded\n");
  EXPECT_EQ(format_reload({{"ok", true}}), "configuration reloaded\n");
  EXPECT_EQ(
      format_reload({{"ok", true}, {"restart_required", {"control.socket", "metrics.listen"}}}),
      "configuration reloaded\n"
      "changed, but applied only after a restart: control.socket, metrics.listen\n");
}

TEST(CtlFormat, RunResultSaysWhatHappenedInOneOrTwoLines) {
  nlohmann::json ok{
      {"job", "sla-monitor"},
      {"trigger", "manual"},
      {"status", "succeeded"},
      {"attempts", 1},
      {"error", nullptr},
      {"duration_ms", 1234},
      {"summary",
       {{"notified", 12}, {"tickets", 40}, {"duration_ms", 1200}, {"at_risk", {{"high", 2}}}}}};
  auto lines = lines_of(format_run_result(ok));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "sla-monitor succeeded in 1.2s (manual, 1 attempt)");
  EXPECT_EQ(lines[1], "  notified=12, tickets=40");

  nlohmann::json failed{{"job", "escalation-monitor"},
                        {"trigger", "manual"},
                        {"status", "failed"},
                        {"attempts", 3},
                        {"error", "timed out after 5m"},
                        {"duration_ms", 330000},
                        {"summary", nlohmann::json::object()}};
  lines = lines_of(format_run_result(failed));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "escalation-monitor failed in 5m30s (manual, 3 attempts)");
  EXPECT_EQ(lines[1], "  error: timed out after 5m");
}

}  // namespace
}  // namespace ticketwatch::control

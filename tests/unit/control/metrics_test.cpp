#include "ticketwatch/control/metrics.hpp"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "exposition_parser.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::control {
namespace {

using namespace std::chrono_literals;
using scheduler::RunResult;
using scheduler::RunStatus;

// A DaemonApi with settable answers: enough for rendering, which only reads job states and the
// database flag. The servers are tested against a real Scheduler in tests/integration/control.
class SettableApi : public DaemonApi {
 public:
  std::vector<scheduler::JobStats> stats;
  bool db_up = true;

  nlohmann::json status() override { return nlohmann::json::object(); }
  std::vector<scheduler::JobStats> job_stats() override { return stats; }
  bool database_up() override { return db_up; }
  bool scheduler_running() override { return true; }
  bool trigger(const std::string&, std::function<void(const RunResult&)>) override { return false; }
  void reload(std::function<void(const ReloadOutcome&)> on_done) override { on_done({}); }
};

RunResult run(std::string job, RunStatus status, std::chrono::milliseconds duration,
              nlohmann::json summary = nlohmann::json::object()) {
  RunResult r;
  r.job = std::move(job);
  r.status = status;
  r.attempts = 1;
  r.duration = duration;
  r.started_at = std::chrono::system_clock::time_point(1'700'000'000s);
  r.finished_at = r.started_at + duration;
  r.summary = std::move(summary);
  return r;
}

scheduler::JobStats job(std::string name, bool running = false) {
  scheduler::JobStats s;
  s.job = std::move(name);
  s.running = running;
  return s;
}

TEST(Metrics, CountsRunsByJobAndResultIncludingJobsThatNeverRan) {
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 120ms));
  metrics.record(run("sla-monitor", RunStatus::failed, 2s));
  metrics.record(run("sla-monitor", RunStatus::succeeded, 80ms));
  metrics.record(run("sla-monitor", RunStatus::skipped, 1ms));
  SettableApi api;
  api.stats = {job("sla-monitor"), job("escalation-monitor", true)};

  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.family("ticketwatch_job_runs_total").type, "counter");
  EXPECT_EQ(
      m.value("ticketwatch_job_runs_total", {{"job", "sla-monitor"}, {"result", "succeeded"}}), 2);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "sla-monitor"}, {"result", "failed"}}),
            1);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "sla-monitor"}, {"result", "skipped"}}),
            1);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total",
                    {{"job", "escalation-monitor"}, {"result", "succeeded"}}),
            0);
  EXPECT_EQ(m.value("ticketwatch_job_running", {{"job", "escalation-monitor"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_job_running", {{"job", "sla-monitor"}}), 0);
}

TEST(Metrics, DurationHistogramIsCumulativeAndLeavesSkippedRunsOut) {
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 120ms));  // le 0.25
  metrics.record(run("sla-monitor", RunStatus::failed, 2s));        // le 2.5
  metrics.record(run("sla-monitor", RunStatus::succeeded, 400s));   // +Inf only
  metrics.record(run("sla-monitor", RunStatus::skipped, 1ms));
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.family("ticketwatch_job_duration_seconds").type, "histogram");
  auto bucket = [&](const char* le) {
    return m.value("ticketwatch_job_duration_seconds_bucket", {{"job", "sla-monitor"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.1"), 0);
  EXPECT_EQ(bucket("0.25"), 1);
  EXPECT_EQ(bucket("2.5"), 2);
  EXPECT_EQ(bucket("300"), 2);
  EXPECT_EQ(bucket("+Inf"), 3);
  EXPECT_EQ(m.value("ticketwatch_job_duration_seconds_count", {{"job", "sla-monitor"}}), 3);
  EXPECT_DOUBLE_EQ(m.value("ticketwatch_job_duration_seconds_sum", {{"job", "sla-monitor"}}),
                   402.12);
}

TEST(Metrics, LastSuccessIsTheFinishOfTheLatestSucceededRunAndAbsentBefore) {
  Metrics metrics;
  SettableApi api;
  api.stats = {job("sla-monitor")};
  EXPECT_FALSE(
      testing::parse_exposition(metrics.render(api))
          .has("ticketwatch_job_last_success_timestamp_seconds", {{"job", "sla-monitor"}}));
  metrics.record(run("sla-monitor", RunStatus::succeeded, 1500ms));
  metrics.record(run("sla-monitor", RunStatus::failed, 10s));
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_DOUBLE_EQ(
      m.value("ticketwatch_job_last_success_timestamp_seconds", {{"job", "sla-monitor"}}),
      1'700'000'001.5);
}

TEST(Metrics, ReadsAtRiskAndNotificationsFromSlaSummaries) {
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 10ms,
                     {{"at_risk", {{"medium", 4}, {"high", 2}, {"breached", 1}}},
                      {"notifications", {{"sla_medium", 3}, {"sla_high", 5}}}}));
  metrics.record(run("sla-monitor", RunStatus::succeeded, 10ms,
                     {{"at_risk", {{"medium", 3}, {"high", 2}, {"breached", 2}}},
                      {"notifications", {{"sla_high", 1}}}}));
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.family("ticketwatch_tickets_at_risk").type, "gauge");
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "medium"}}), 3);
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "breached"}}), 2);
  EXPECT_EQ(m.value("ticketwatch_notifications_created_total", {{"kind", "sla_medium"}}), 3);
  EXPECT_EQ(m.value("ticketwatch_notifications_created_total", {{"kind", "sla_high"}}), 6);
}

TEST(Metrics, ReadsEscalationsAndTheirNotificationsFromEscalationSummaries) {
  Metrics metrics;
  metrics.record(run("escalation-monitor", RunStatus::succeeded, 10ms,
                     {{"notifications_created", 7},
                      {"executions_by_name", {{"Overdue \"urgent\"\\x\nfix", 2}, {"VIP", 1}}}}));
  metrics.record(run("escalation-monitor", RunStatus::succeeded, 10ms,
                     {{"notifications_created", 1}, {"executions_by_name", {{"VIP", 4}}}}));
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.value("ticketwatch_notifications_created_total", {{"kind", "escalation"}}), 8);
  EXPECT_EQ(m.value("ticketwatch_escalations_total", {{"rule", "VIP"}}), 5);
  EXPECT_EQ(m.value("ticketwatch_escalations_total", {{"rule", "Overdue \"urgent\"\\x\nfix"}}), 2);
}

TEST(Metrics, IgnoresSummaryValuesOfTheWrongShapeWithoutThrowing) {
  Metrics metrics;
  for (auto summary :
       {nlohmann::json::array({1, 2}), nlohmann::json("text"), nlohmann::json(),
        nlohmann::json{{"at_risk", "many"}, {"notifications", {1, 2}}},
        nlohmann::json{{"at_risk", {{"medium", -1}, {"high", 1.5}, {"breached", "2"}}},
                       {"notifications", {{"sla_high", nullptr}, {"x", -3}}}}}) {
    EXPECT_NO_THROW(metrics.record(run("sla-monitor", RunStatus::succeeded, 1ms, summary)));
  }
  for (auto summary : {nlohmann::json{{"notifications_created", "7"}},
                       nlohmann::json{{"notifications_created", -2}, {"executions_by_name", 3}},
                       nlohmann::json{{"executions_by_name", {{"r", {{"nested", 1}}}}}}}) {
    EXPECT_NO_THROW(metrics.record(run("escalation-monitor", RunStatus::succeeded, 1ms, summary)));
  }
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_TRUE(m.family("ticketwatch_tickets_at_risk").samples.empty());
  EXPECT_TRUE(m.family("ticketwatch_notifications_created_total").samples.empty());
  EXPECT_TRUE(m.family("ticketwatch_escalations_total").samples.empty());
}

TEST(Metrics, AFailedSlaRunDoesNotOverwriteTheAtRiskGauge) {
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 1ms, {{"at_risk", {{"high", 5}}}}));
  metrics.record(run("sla-monitor", RunStatus::failed, 1ms, {{"at_risk", {{"high", 0}}}}));
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "high"}}), 5);
}

TEST(Metrics, BoundsTheNumberOfLabelValuesFromSummaries) {
  Metrics metrics;
  nlohmann::json many = nlohmann::json::object();
  for (std::size_t i = 0; i < Metrics::kMaxLabelValues + 50; ++i)
    many["rule " + std::to_string(i)] = 1;
  metrics.record(
      run("escalation-monitor", RunStatus::succeeded, 1ms, {{"executions_by_name", many}}));
  SettableApi api;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.family("ticketwatch_escalations_total").samples.size(), Metrics::kMaxLabelValues);
}

TEST(Metrics, ReportsDatabaseStateAndBuildInfo) {
  Metrics metrics;
  SettableApi api;
  api.db_up = false;
  auto m = testing::parse_exposition(metrics.render(api));
  EXPECT_EQ(m.value("ticketwatch_database_up"), 0);
  EXPECT_EQ(m.value("ticketwatch_build_info", {{"version", kVersion}}), 1);
  api.db_up = true;
  EXPECT_EQ(testing::parse_exposition(metrics.render(api)).value("ticketwatch_database_up"), 1);
}

TEST(Metrics, EveryFamilyHasHelpAndType) {
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 1ms, {{"at_risk", {{"high", 1}}}}));
  SettableApi api;
  api.stats = {job("sla-monitor")};
  auto m = testing::parse_exposition(metrics.render(api));
  for (const char* name :
       {"ticketwatch_job_runs_total", "ticketwatch_job_duration_seconds",
        "ticketwatch_job_last_success_timestamp_seconds", "ticketwatch_job_running",
        "ticketwatch_tickets_at_risk", "ticketwatch_notifications_created_total",
        "ticketwatch_escalations_total", "ticketwatch_database_up", "ticketwatch_build_info"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(m.family(name).help.empty());
    EXPECT_FALSE(m.family(name).type.empty());
  }
}

// promtool (Debian package `prometheus`) is the reference linter; scripts/test installs it.
TEST(Metrics, PassesPromtoolCheckMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (apt-get install prometheus); the strict parser "
                    "tests above still ran";
  }
  Metrics metrics;
  metrics.record(run("sla-monitor", RunStatus::succeeded, 120ms,
                     {{"at_risk", {{"medium", 4}, {"high", 2}, {"breached", 1}}},
                      {"notifications", {{"sla_high", 5}}}}));
  metrics.record(run("escalation-monitor", RunStatus::failed, 3s,
                     {{"notifications_created", 2}, {"executions_by_name", {{"a \"b\"\n", 1}}}}));
  SettableApi api;
  api.stats = {job("sla-monitor"), job("escalation-monitor", true)};
  auto path = std::filesystem::temp_directory_path() /
              ("tw_metrics_" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << metrics.render(api);
  auto command = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (auto n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  std::filesystem::remove(path);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  // promtool prints lint findings (even with exit 0 for some); we want none.
  EXPECT_EQ(output, "") << output;
}

}  // namespace
}  // namespace ticketwatch::control

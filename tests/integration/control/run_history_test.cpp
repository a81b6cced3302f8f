#include "ticketwatch/db/run_history.hpp"

#include <gtest/gtest.h>

#include "test_database.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using db::RunHistory;
using scheduler::RunResult;
using scheduler::RunStatus;
using scheduler::Trigger;

RunResult result(std::string job, RunStatus status, std::chrono::system_clock::time_point started,
                 Trigger trigger = Trigger::schedule) {
  RunResult r;
  r.job = std::move(job);
  r.trigger = trigger;
  r.status = status;
  r.attempts = status == RunStatus::failed ? 3 : 1;
  r.error = status == RunStatus::failed ? "connection refused" : "";
  r.summary = {{"notified", 12}, {"at_risk", {{"high", 2}}}};
  r.started_at = started;
  r.duration = 1234ms;
  r.finished_at = started + r.duration;
  return r;
}

class RunHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.migrate();
    conn_ = db_.connect();
  }
  TestDatabase db_;
  std::unique_ptr<pqxx::connection> conn_;
  const std::chrono::system_clock::time_point now_ =
      std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
};

TEST_F(RunHistoryTest, RecordsOneRowPerRunWithEveryField) {
  RunHistory::record(*conn_, result("sla-monitor", RunStatus::failed, now_ - 5s, Trigger::manual),
                     "helpdesk1:4242");
  ASSERT_EQ(db_.scalar<long>("select count(*) from ticketwatch.job_runs"), 1);
  auto runs = RunHistory::recent(*conn_, "sla-monitor", 10);
  ASSERT_EQ(runs.size(), 1u);
  const auto& run = runs[0];
  EXPECT_GT(run.id, 0);
  EXPECT_EQ(run.job, "sla-monitor");
  EXPECT_EQ(run.instance, "helpdesk1:4242");
  EXPECT_EQ(run.trigger, "manual");
  EXPECT_EQ(run.status, "failed");
  EXPECT_EQ(run.attempts, 3);
  EXPECT_EQ(run.error, "connection refused");
  EXPECT_EQ(run.started_at, now_ - 5s);
  ASSERT_TRUE(run.finished_at);
  EXPECT_EQ(*run.finished_at, now_ - 5s + 1234ms);
  EXPECT_EQ(run.summary, (nlohmann::json{{"notified", 12}, {"at_risk", {{"high", 2}}}}));
  // A success stores no error at all, not an empty string.
  RunHistory::record(*conn_, result("sla-monitor", RunStatus::succeeded, now_), "helpdesk1:4242");
  EXPECT_EQ(db_.scalar<long>("select count(*) from ticketwatch.job_runs where error is null"), 1);
}

TEST_F(RunHistoryTest, RecordsEveryTriggerAndEveryResult) {
  RunHistory::record(*conn_, result("a", RunStatus::succeeded, now_, Trigger::schedule), "i");
  RunHistory::record(*conn_, result("a", RunStatus::failed, now_, Trigger::start), "i");
  RunHistory::record(*conn_, result("a", RunStatus::skipped, now_, Trigger::manual), "i");
  EXPECT_EQ(db_.scalar<std::string>("select string_agg(trigger || '/' || status, ',' order by id) "
                                    "from ticketwatch.job_runs"),
            "schedule/succeeded,start/failed,manual/skipped");
}

TEST_F(RunHistoryTest, RecentIsNewestFirstForThatJobOnlyAndHonoursTheLimit) {
  for (int i = 0; i < 5; ++i) {
    RunHistory::record(*conn_, result("sla-monitor", RunStatus::succeeded, now_ - i * 1min), "i");
    RunHistory::record(*conn_, result("escalation-monitor", RunStatus::succeeded, now_), "i");
  }
  auto runs = RunHistory::recent(*conn_, "sla-monitor", 3);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].started_at, now_);
  EXPECT_EQ(runs[1].started_at, now_ - 1min);
  EXPECT_EQ(runs[2].started_at, now_ - 2min);
  for (const auto& run : runs) EXPECT_EQ(run.job, "sla-monitor");
  EXPECT_TRUE(RunHistory::recent(*conn_, "nope", 3).empty());
}

TEST_F(RunHistoryTest, PruneDeletesOnlyRowsOlderThanTheRetention) {
  RunHistory::record(*conn_, result("a", RunStatus::succeeded, now_ - 40 * 24h), "i");
  RunHistory::record(*conn_, result("a", RunStatus::failed, now_ - 31 * 24h), "i");
  RunHistory::record(*conn_, result("a", RunStatus::succeeded, now_ - 29 * 24h), "i");
  RunHistory::record(*conn_, result("a", RunStatus::succeeded, now_), "i");
  EXPECT_EQ(RunHistory::prune(*conn_, 30 * 24h), 2u);
  EXPECT_EQ(db_.scalar<long>("select count(*) from ticketwatch.job_runs"), 2);
  EXPECT_EQ(RunHistory::prune(*conn_, 30 * 24h), 0u);
}

TEST_F(RunHistoryTest, PruneUsesTheStartedAtIndex) {
  // With sequential scans off, the plan shows whether an index can serve the delete.
  pqxx::nontransaction tx(*conn_);
  tx.exec("set enable_seqscan = off");
  auto plan = tx.exec(
      "explain delete from ticketwatch.job_runs "
      "where started_at < now() - 2592000000::bigint * interval '1 millisecond'");
  std::string text;
  for (const auto& row : plan) text += row[0].as<std::string>() + "\n";
  EXPECT_NE(text.find("job_runs_started_idx"), std::string::npos) << text;
}

TEST_F(RunHistoryTest, OddBytesInErrorsAndSummariesDoNotLoseTheRow) {
  auto r = result("a", RunStatus::failed, now_);
  r.error = std::string("bad\0byte \xff here", 15);
  r.summary = {{"text", std::string("nul\0inside", 10)}};
  RunHistory::record(*conn_, r, "i");
  auto runs = RunHistory::recent(*conn_, "a", 1);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].error, "bad?byte \xEF\xBF\xBD here");
  EXPECT_TRUE(runs[0].summary.contains("text"));
}

TEST_F(RunHistoryTest, ABrokenConnectionSurfacesAsBrokenConnectionForTheCallerToLog) {
  auto pid = testing::scalar<int>(*conn_, "select pg_backend_pid()");
  db_.exec("select pg_terminate_backend(" + std::to_string(pid) + ")");
  EXPECT_THROW(RunHistory::record(*conn_, result("a", RunStatus::succeeded, now_), "i"),
               pqxx::broken_connection);
  EXPECT_EQ(db_.scalar<long>("select count(*) from ticketwatch.job_runs"), 0);
}

}  // namespace
}  // namespace ticketwatch::testing

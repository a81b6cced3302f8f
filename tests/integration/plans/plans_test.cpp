// Issue 8, "Query plans": at a size where a sequential scan shows (50k open tickets), the
// statements a steady-state sla pass and an escalation pass issue never scan tickets
// sequentially. Plans are the executed ones (auto_explain, see plan_capture.hpp), taken from the
// job functions themselves, so a new or changed statement is checked without listing it here.

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <memory>
#include <stop_token>
#include <string>

#include "plan_capture.hpp"
#include "test_database.hpp"
#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/escalation_monitor.hpp"
#include "ticketwatch/jobs/job_environment.hpp"
#include "ticketwatch/jobs/sla_monitor.hpp"

namespace ticketwatch::plans_test {
namespace {

constexpr long long kTickets = 50000;

// The benchmark's shape (tests/bench/bench_dataset.cpp), smaller: SLA windows of 1 h to 5 d,
// each ticket at a random point of its window, levels crossing all the time.
constexpr const char* kGenerate = R"sql(
select setseed(0.42);
insert into users (id, name, email, active)
select g, 'user ' || g, 'user' || g || '@example.com', g % 50 <> 0 from generate_series(1, 1000) g;
insert into teams (id, name, leader_id) select g, 'team ' || g, g from generate_series(1, 25) g;
insert into tickets (id, title, status, priority, creator_id, assignee_id, team_id, created_at,
                     updated_at, status_changed_at, first_response_at, sla_due_at, customer_rating)
select g, 'ticket ' || g,
       (array['open', 'open', 'open', 'in_progress', 'pending'])[1 + g % 5],
       (array['low', 'medium', 'medium', 'high', 'urgent'])[1 + (g / 7) % 5],
       1 + g % 1000, 1 + (g * 7) % 1000, 1 + g % 25,
       x.created, x.created, x.created,
       case when g % 3 = 0 then x.created + interval '5 minutes' end,
       case when g % 10 <> 0 then x.created + x.w end,
       case when g % 20 = 0 then (1 + g % 5)::smallint end
  from generate_series(1, 50000) g
  cross join lateral (select now() - w * u as created, w
                        from (select interval '1 hour' + random() * interval '119 hours' as w,
                                     random() * 1.3 as u where g = g) p) x;
-- Old tickets, closed long ago: what most of a real tickets table holds.
insert into tickets (id, title, status, creator_id, created_at, updated_at, status_changed_at,
                     sla_due_at)
select 50000 + g, 'old ' || g, 'closed', 1, now() - interval '400 days', now() - interval '390 days',
       now() - interval '390 days', now() - interval '399 days'
  from generate_series(1, 50000) g;
insert into ticket_followers (ticket_id, user_id)
select t.id, 1 + (t.id * 31 + k * 97) % 1000
  from tickets t cross join lateral generate_series(1, (t.id % 4)::int) k
 where t.status <> 'closed'
on conflict do nothing;
insert into escalation_rules (name, position, condition_type, condition, actions) values
 ('breached', 1, 'sla_breach', '{"overdue_minutes": 0}', '[{"type": "notify", "to": ["assignee"]}]'),
 ('urgent overdue', 2, 'sla_breach', '{"overdue_minutes": 240, "priority": "urgent"}',
  '[{"type": "increase_priority", "steps": 1}]'),
 ('pending a day', 3, 'time_in_status', '{"status": "pending", "minutes": 1440}',
  '[{"type": "set_status", "status": "open"}]'),
 ('team 2 in progress', 4, 'time_in_status', '{"status": "in_progress", "minutes": 60, "team_id": 2}',
  '[{"type": "notify", "to": ["team_leader"]}]'),
 ('urgent an hour', 5, 'priority_level', '{"at_least": "urgent", "open_minutes": 60}',
  '[{"type": "reassign", "to": "team_leader"}]'),
 ('high two days', 6, 'priority_level', '{"at_least": "high", "open_minutes": 2880}',
  '[{"type": "set_team", "team_id": 1}]'),
 ('unanswered', 7, 'no_response', '{"minutes": 30}', '[{"type": "notify", "to": ["creator"]}]'),
 ('high unanswered', 8, 'no_response', '{"minutes": 480, "priority": "high"}',
  '[{"type": "add_follower", "user_id": 2}]'),
 ('rated 1', 9, 'customer_rating', '{"at_most": 1}', '[{"type": "set_priority", "priority": "high"}]'),
 ('team 1 rated low', 10, 'customer_rating', '{"at_most": 2, "team_id": 1}',
  '[{"type": "notify", "to": [1]}]');
)sql";

// Between two passes: 1 % of the tickets change status, and some tickets' times move back by
// two hours (as if the clock had moved), so the pass has levels to raise and rows to write.
constexpr const char* kInterval = R"sql(
update tickets set status = case status when 'open' then 'in_progress' else 'open' end,
                   status_changed_at = now(), updated_at = now()
 where id % 100 = 37 and status <> 'closed';
update tickets set created_at = created_at - interval '2 hours',
                   sla_due_at = sla_due_at - interval '2 hours'
 where id % 50 = 11 and status <> 'closed';
)sql";

class QueryPlans : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = std::make_unique<testing::TestDatabase>();
    db_->migrate();
    db_->exec(kGenerate);
    db_->exec("vacuum analyze");
  }
  static void TearDownTestSuite() { db_.reset(); }

  void SetUp() override {
    conn_ = db_->connect();
    capture_ = std::make_unique<PlanCapture>(*conn_);
  }
  void TearDown() override {
    capture_.reset();
    conn_.reset();
  }

  nlohmann::json run_sla() {
    const JobEnvironment env{*conn_, config_, stop_.get_token(), logger_};
    return jobs::run_sla_monitor(env);
  }
  nlohmann::json run_escalation() {
    const JobEnvironment env{*conn_, config_, stop_.get_token(), logger_};
    return jobs::run_escalation_monitor(env);
  }

  // Fails the test for every captured statement that scanned tickets sequentially.
  static void expect_no_seq_scan_of_tickets(const std::vector<nlohmann::json>& plans) {
    for (const auto& plan : plans) {
      EXPECT_EQ(executed_seq_scans(plan["Plan"], "tickets"), 0)
          << "sequential scan of tickets in:\n"
          << plan.value("Query Text", "") << "\nplan:\n"
          << plan["Plan"].dump(2);
    }
  }

  static bool any_statement_mentions(const std::vector<nlohmann::json>& plans,
                                     const std::string& text) {
    for (const auto& plan : plans) {
      if (plan.value("Query Text", "").find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  using JobEnvironment = jobs::JobEnvironment;
  static std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<PlanCapture> capture_;
  config::Config config_;
  std::stop_source stop_;
  spdlog::logger logger_{"plans", std::make_shared<spdlog::sinks::null_sink_mt>()};
};

std::unique_ptr<testing::TestDatabase> QueryPlans::db_;

TEST_F(QueryPlans, TheCheckSeesASequentialScanOfTicketsWhenOneRuns) {
  capture_->start();
  testing::scalar<long long>(*conn_, "select count(*) from tickets where title like '%7%'");
  const auto plans = capture_->stop();
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(executed_seq_scans(plans[0]["Plan"], "tickets"), 1);
}

TEST_F(QueryPlans, SteadySlaPassNeverScansTicketsSequentially) {
  run_sla();  // cold: reads every open ticket once, by design (settings fingerprint)
  db_->exec(kInterval);
  db_->exec("analyze");

  capture_->start();
  const auto summary = run_sla();
  const auto plans = capture_->stop();

  // The pass had work to do, so its writing statements ran and were checked too.
  ASSERT_GT(summary["tickets_checked"].get<long long>(), 500) << summary.dump();
  ASSERT_GT(summary["history_written"].get<long long>(), 0) << summary.dump();
  ASSERT_TRUE(any_statement_mentions(plans, "ticket_history")) << plans.size();
  ASSERT_TRUE(any_statement_mentions(plans, "insert into notifications")) << plans.size();
  expect_no_seq_scan_of_tickets(plans);
}

// Right after the application marked many tickets the statistics still say few rows are due; the
// candidate read must then still stop after its batch instead of reading every due row in every
// batch (0006_sla_candidates.sql): a pass over N marks in batches of B reads about N rows of
// sla_state in its candidate reads, not N²/2B.
TEST_F(QueryPlans, SlaCandidateReadsStopAfterTheirBatchWhenStatisticsAreStale) {
  run_sla();
  db_->exec("analyze ticketwatch.sla_state");
  // 1 % of the open tickets change status, with no analyze after it.
  db_->exec(kInterval);
  config_.sla_monitor.schedule.batch_size = 100;

  capture_->start();
  const auto summary = run_sla();
  const auto plans = capture_->stop();
  config_.sla_monitor.schedule.batch_size = config::Config{}.sla_monitor.schedule.batch_size;

  const auto batches = summary["batches"].get<long long>();
  ASSERT_GE(batches, 5) << summary.dump();
  int candidate_reads = 0;
  for (const auto& plan : plans) {
    const auto text = plan.value("Query Text", "");
    if (text.find("from ticketwatch.sla_state s") == std::string::npos ||
        text.find("order by s.next_check_at, s.ticket_id") == std::string::npos) {
      continue;
    }
    ++candidate_reads;
    // The ordered range scan returns the batch, plus at most the row that ends the Limit.
    EXPECT_LE(rows_read_from(plan["Plan"], "sla_state"), 101) << text << "\nplan:\n"
                                                              << plan["Plan"].dump(2);
  }
  EXPECT_EQ(candidate_reads, batches);
}

TEST_F(QueryPlans, EscalationPassesNeverScanTicketsSequentially) {
  capture_->start();
  const auto cold = run_escalation();
  const auto cold_plans = capture_->stop();
  ASSERT_EQ(cold["rules_evaluated"].get<long long>(), 10) << cold.dump();
  ASSERT_GT(cold["notifications_created"].get<long long>(), 0) << cold.dump();
  expect_no_seq_scan_of_tickets(cold_plans);

  capture_->start();
  run_escalation();
  const auto steady_plans = capture_->stop();
  ASSERT_FALSE(steady_plans.empty());
  expect_no_seq_scan_of_tickets(steady_plans);

  // An incremental pass with changes to read: every rule reads its time window and the change
  // records (0004_escalation_watermarks.sql), and those statements are checked too.
  db_->exec(kInterval);
  db_->exec("analyze");
  capture_->start();
  const auto changed = run_escalation();
  const auto changed_plans = capture_->stop();
  ASSERT_EQ(changed["rules_incremental"].get<long long>(), 10) << changed.dump();
  ASSERT_TRUE(any_statement_mentions(changed_plans, "escalation_ticket_changes ch"))
      << changed_plans.size();
  expect_no_seq_scan_of_tickets(changed_plans);
}

}  // namespace
}  // namespace ticketwatch::plans_test

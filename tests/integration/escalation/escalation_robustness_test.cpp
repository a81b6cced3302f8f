#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "escalation_fixture.hpp"
#include "ticketwatch/jobs/rule_validation.hpp"

namespace ticketwatch::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class EscalationRobustness : public EscalationTest {
 protected:
  void SetUp() override { freeze_clock(); }

  // `n` overdue tickets in one statement.
  void add_overdue_tickets(int n) {
    db_.exec(fmt::format(R"sql(
      insert into tickets (title, status, priority, creator_id, assignee_id, team_id, created_at,
                           updated_at, status_changed_at, sla_due_at)
      select 'bulk ' || g, 'open', 'medium', 3, 4, 1 + g % 2, ts - interval '1 day',
             ts - interval '1 day', ts - interval '1 day', ts - interval '1 hour'
      from generate_series(1, {}) g, (select '{}'::timestamptz as ts) t
    )sql",
                         n, kFrozenNow));
  }
};

// ---- atomicity --------------------------------------------------------------------------------

TEST_F(EscalationRobustness, AFailurePartWayLeavesNothingOfThatBatchAndOtherRulesStillRun) {
  add_rule("boom", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "set_priority", "priority": "urgent"},
               {"type": "add_follower", "user_id": 5},
               {"type": "notify", "to": ["assignee"]},
               {"type": "set_status", "status": "escalated"}])",
           1);
  add_rule("fine", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "add_follower", "user_id": 6}])", 2);
  const auto id = add_ticket({.priority = "medium", .sla_due_in = -10});
  // Raises on the third action of "boom", after two have changed the ticket.
  db_.exec(R"sql(
    create function test_clock.refuse() returns trigger language plpgsql as $$
    begin raise exception 'notifications are switched off'; end $$;
    create trigger refuse before insert on notifications
      for each row execute function test_clock.refuse();
  )sql");

  try {
    run();
    FAIL() << "the run should fail";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("rule 1 \"boom\""));
    EXPECT_THAT(e.what(), HasSubstr("notifications are switched off"));
  }
  const json t = ticket(id);
  EXPECT_EQ(t["priority"], "medium");
  EXPECT_EQ(t["status"], "open");
  EXPECT_EQ(count("select count(*) from ticket_followers where user_id = 5"), 0);
  EXPECT_EQ(count("select count(*) from ticketwatch.escalation_executions where rule_id = 1"), 0);
  // The later rule ran and committed on its own.
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["rule_name"], "fine");
  EXPECT_THAT(log_text(), HasSubstr("escalation rule 1 \"boom\" failed"));

  db_.exec("drop trigger refuse on notifications");
  const auto summary = run();
  run();
  EXPECT_EQ(summary["executions_by_name"], (json{{"boom", 1}, {"fine", 0}}));
  EXPECT_EQ(history(id).size(), 2u);
  EXPECT_THAT(notified(id), ElementsAre(4));
  EXPECT_EQ(ticket(id)["priority"], "urgent");
  EXPECT_EQ(ticket(id)["status"], "escalated");
}

TEST_F(EscalationRobustness, AFailingHistoryWriteRollsBackTheActionsAndNotifications) {
  add_rule("boom", "no_response", R"({"minutes": 0})",
           R"([{"type": "notify", "to": ["assignee", "creator"]},
               {"type": "reassign", "to": 6}])");
  const auto a = add_ticket({.assignee = 4, .responded = false});
  const auto b = add_ticket({.assignee = 4, .responded = false});
  db_.exec(R"sql(
    create function test_clock.refuse() returns trigger language plpgsql as $$
    begin raise exception 'history is read-only today'; end $$;
    create trigger refuse before insert on ticket_history
      for each row execute function test_clock.refuse();
  )sql");
  EXPECT_THROW(run(), std::runtime_error);
  EXPECT_EQ(count("select count(*) from notifications"), 0);
  EXPECT_EQ(count("select count(*) from tickets where assignee_id = 6"), 0);
  EXPECT_EQ(count("select count(*) from ticketwatch.escalation_executions"), 0);

  db_.exec("drop trigger refuse on ticket_history");
  run();
  run();
  EXPECT_EQ(history(a).size(), 1u);
  EXPECT_EQ(history(b).size(), 1u);
  EXPECT_THAT(notified(a), ElementsAre(3, 4));
  EXPECT_EQ(count("select count(*) from tickets where assignee_id = 6"), 2);
}

// ---- concurrency ------------------------------------------------------------------------------

TEST_F(EscalationRobustness, TwoOverlappingRunsExecuteEveryEpisodeExactlyOnce) {
  config_.escalation_monitor.schedule.batch_size = 20;
  add_rule("notify", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "notify", "to": ["assignee", "creator"]}])", 1);
  add_rule("raise", "sla_breach", R"({"overdue_minutes": 30})",
           R"([{"type": "increase_priority", "steps": 1}, {"type": "add_follower", "user_id": 5}])",
           2);
  add_rule("lead", "priority_level", R"({"at_least": "high", "open_minutes": 0})",
           R"([{"type": "reassign", "to": "team_leader"}])", 3);
  constexpr int kTickets = 400;
  add_overdue_tickets(kTickets);

  auto first = job_connection();
  auto second = job_connection();
  std::barrier start(2);
  json summaries[2];
  std::string errors[2];
  const auto runner = [&](int i, pqxx::connection& conn) {
    start.arrive_and_wait();
    try {
      summaries[i] = run_on(conn);
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  };
  std::thread a(runner, 0, std::ref(*first));
  std::thread b(runner, 1, std::ref(*second));
  a.join();
  b.join();
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  // How the work was shared varies from run to run; the totals below may not.
  std::cout << "first run: " << summaries[0]["executions_by_name"]
            << ", second run: " << summaries[1]["executions_by_name"] << '\n';

  for (const char* name : {"notify", "raise", "lead"}) {
    EXPECT_EQ(summaries[0]["executions_by_name"][name].get<int>() +
                  summaries[1]["executions_by_name"][name].get<int>(),
              kTickets)
        << name;
  }
  EXPECT_EQ(count("select count(*) from ticketwatch.escalation_executions"), 3 * kTickets);
  EXPECT_EQ(count("select count(*) from ticket_history where action = 'escalation_executed'"),
            3 * kTickets);
  EXPECT_EQ(count("select count(*) from notifications"), 2 * kTickets);
  EXPECT_EQ(count("select count(*) from (select ticket_id, user_id from notifications "
                  "group by 1, 2 having count(*) > 1) d"),
            0);
  EXPECT_EQ(count("select count(*) from tickets where priority = 'high'"), kTickets);
  EXPECT_EQ(count("select count(*) from tickets where assignee_id in (1, 2)"), kTickets);
  EXPECT_EQ(count("select count(*) from ticket_followers where user_id = 5"), kTickets);
}

// ---- malformed rules --------------------------------------------------------------------------

TEST_F(EscalationRobustness, MalformedRulesAreSkippedWithTheirErrorsWhileGoodRulesRun) {
  const auto good = add_rule("good", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee, 1);
  const auto typo = add_rule("typo", "sla_breach", R"({"overdue_minute": 0})", kNotifyAssignee, 2);
  const auto type =
      add_rule("bad type", "sla_breech", R"({"overdue_minutes": 0})", kNotifyAssignee, 3);
  const auto action = add_rule("bad action", "sla_breach", R"({"overdue_minutes": 0})",
                               R"([{"type": "page_everyone"}])", 4);
  const auto ghost = add_rule("ghost user", "sla_breach", R"({"overdue_minutes": 0})",
                              R"([{"type": "reassign", "to": 999}])", 5);
  const auto inactive = add_rule("inactive target", "sla_breach", R"({"overdue_minutes": 0})",
                                 R"([{"type": "add_follower", "user_id": 8}])", 6);
  const auto id = add_ticket({.sla_due_in = -10});

  const auto summary = run();
  EXPECT_EQ(summary["rules_evaluated"], 1);
  EXPECT_EQ(summary["rules_invalid"], 5);
  EXPECT_EQ(summary["executions"], (json{{std::to_string(good), 1}}));
  EXPECT_EQ(summary["invalid_rules"],
            json::parse(fmt::format(R"js([
    {{"id": {}, "name": "typo", "error": "condition.overdue_minute: unknown key (did you mean \"overdue_minutes\"?); condition.overdue_minutes: required field missing"}},
    {{"id": {}, "name": "bad type", "error": "condition_type: unknown condition type \"sla_breech\" (did you mean \"sla_breach\"?)"}},
    {{"id": {}, "name": "bad action", "error": "actions[0].type: unknown action type \"page_everyone\" (expected one of: notify, reassign, increase_priority, set_priority, set_team, add_follower, set_status)"}},
    {{"id": {}, "name": "ghost user", "error": "actions[0].to: user 999 does not exist"}},
    {{"id": {}, "name": "inactive target", "error": "actions[0].user_id: user 8 is inactive"}}
  ])js",
                                    typo, type, action, ghost, inactive)));
  EXPECT_EQ(history(id).size(), 1u);
  EXPECT_THAT(notified(id), ElementsAre(4));

  // One error line per bad rule, naming the rule and the field.
  const std::string log = log_text();
  EXPECT_THAT(log, HasSubstr(fmt::format("escalation rule {} \"typo\" skipped: "
                                         "condition.overdue_minute: unknown key",
                                         typo)));
  EXPECT_THAT(log, HasSubstr(fmt::format("escalation rule {} \"ghost user\" skipped: "
                                         "actions[0].to: user 999 does not exist",
                                         ghost)));
  std::size_t error_lines = 0;
  for (std::size_t at = log.find("[error]"); at != std::string::npos;
       at = log.find("[error]", at + 1)) {
    ++error_lines;
  }
  EXPECT_EQ(error_lines, 5u);
}

TEST_F(EscalationRobustness, ValidateRulesListsEveryErrorOfActiveAndInactiveRules) {
  add_rule("good", "no_response", R"({"minutes": 10})", kNotifyAssignee, 1);
  const auto bad = add_rule("VIP breach", "sla_breach", R"({"overdue_minutes": "ten"})",
                            R"([{"type": "set_priority", "priority": "critical"}])", 2);
  const auto off = add_rule("old", "sla_breach", R"({"overdue_minutes": 0, "team_id": 9})",
                            kNotifyAssignee, 3, false);
  const auto errors = jobs::validate_rules(*conn_, config_);
  EXPECT_THAT(errors,
              ElementsAre(fmt::format("rule {} \"VIP breach\": condition.overdue_minutes: "
                                      "expected a non-negative integer, got \"ten\"",
                                      bad),
                          fmt::format("rule {} \"VIP breach\": actions[0].priority: unknown "
                                      "priority \"critical\" (configured: low, medium, high, "
                                      "urgent)",
                                      bad),
                          fmt::format("rule {} \"old\" (inactive): condition.team_id: team 9 "
                                      "does not exist",
                                      off)));
}

TEST_F(EscalationRobustness, ValidateRulesIsEmptyWhenEveryRuleIsValid) {
  add_rule("good", "no_response", R"({"minutes": 10})", kNotifyAssignee, 1);
  add_rule("also good", "customer_rating", R"({"at_most": 1, "team_id": 2})",
           R"([{"type": "notify", "to": [8, "followers"]}, {"type": "set_team", "team_id": 1}])",
           2);
  EXPECT_THAT(jobs::validate_rules(*conn_, config_), IsEmpty());
}

// ---- cost -------------------------------------------------------------------------------------

TEST_F(EscalationRobustness, StatementCountDependsOnRulesNotTickets) {
  config_.escalation_monitor.schedule.batch_size = 5000;
  add_rule("notify", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "notify", "to": ["assignee", "creator", "team_leader"]}])", 1);
  add_rule("raise", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "increase_priority", "steps": 1}, {"type": "add_follower", "user_id": 5},
               {"type": "reassign", "to": "team_leader"}])",
           2);
  add_rule("hot", "priority_level", R"({"at_least": "high", "open_minutes": 0})",
           R"([{"type": "set_status", "status": "escalated"}])", 3);
  // The first pass of each rule reads every matching ticket, later ones what changed since
  // (0004_escalation_watermarks.sql): they differ in statements, so both measured runs are
  // later ones.
  run();

  add_overdue_tickets(10);
  const long long before_small = db_.statement_count();
  const auto small = run();
  const long long small_count = db_.statement_count() - before_small;

  add_overdue_tickets(2000);
  const long long before_large = db_.statement_count();
  const auto large = run();
  const long long large_count = db_.statement_count() - before_large;

  EXPECT_EQ(small["executions_by_name"], (json{{"notify", 10}, {"raise", 10}, {"hot", 10}}));
  EXPECT_EQ(large["executions_by_name"], (json{{"notify", 2000}, {"raise", 2000}, {"hot", 2000}}));
  EXPECT_EQ(small_count, large_count);
  EXPECT_GT(small_count, 0);
  RecordProperty("statements_10_tickets", std::to_string(small_count));
  RecordProperty("statements_2000_tickets", std::to_string(large_count));
  std::cout << "statements per run: 10 tickets " << small_count << ", 2000 tickets " << large_count
            << '\n';
}

TEST_F(EscalationRobustness, BatchesCoverEveryTicketOnce) {
  config_.escalation_monitor.schedule.batch_size = 7;
  add_rule("notify", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  add_overdue_tickets(20);
  const auto summary = run();
  EXPECT_EQ(summary["executions_by_name"]["notify"], 20);
  EXPECT_EQ(count("select count(*) from notifications"), 20);
  EXPECT_EQ(run()["executions_by_name"]["notify"], 0);
}

TEST_F(EscalationRobustness, ARuleVisitsEachTicketOncePerRunEvenWhenItStartsANewEpisode) {
  // Each execution raises the priority, which is a new priority_level episode; small batches
  // must not let the rule come back to a ticket it already handled in this run.
  config_.escalation_monitor.schedule.batch_size = 2;
  add_rule("climb", "priority_level", R"({"at_least": "low", "open_minutes": 0})",
           R"([{"type": "increase_priority", "steps": 1}])");
  add_overdue_tickets(5);  // all medium
  EXPECT_EQ(run()["executions_by_name"]["climb"], 5);
  EXPECT_EQ(count("select count(*) from tickets where priority = 'high'"), 5);
  EXPECT_EQ(run()["executions_by_name"]["climb"], 5);
  EXPECT_EQ(count("select count(*) from tickets where priority = 'urgent'"), 5);
}

TEST_F(EscalationRobustness, AStopRequestEndsTheRunBeforeTheNextRule) {
  add_rule("notify", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  add_ticket({.sla_due_in = -10});
  stop_.request_stop();
  try {
    run();
    FAIL() << "a stopped run must not report success";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("stopped after 0 of 1 rules"));
  }
  EXPECT_EQ(count("select count(*) from ticketwatch.escalation_executions"), 0);
}

class NotificationListener : public pqxx::notification_receiver {
 public:
  explicit NotificationListener(pqxx::connection_base& conn)
      : pqxx::notification_receiver(conn, "ticketwatch_notifications") {}
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
  std::vector<std::string> payloads;
};

TEST_F(EscalationRobustness, NotifiesListenersOnlyWhenNotificationsWereCreated) {
  add_rule("notify", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  add_ticket({.sla_due_in = -10});
  auto conn = job_connection();
  NotificationListener listener(*conn);
  run();
  conn->await_notification(5, 0);
  ASSERT_EQ(listener.payloads.size(), 1u);
  const json payload = json::parse(listener.payloads[0]);
  EXPECT_EQ(payload["job"], "escalation-monitor");
  EXPECT_EQ(payload["notifications"], 1);

  run();  // nothing new: no notification, so no wake-up
  conn->await_notification(0, 300000);
  EXPECT_EQ(listener.payloads.size(), 1u);
}

}  // namespace
}  // namespace ticketwatch::testing

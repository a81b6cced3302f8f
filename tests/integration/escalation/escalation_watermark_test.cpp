// Incremental passes (0004_escalation_watermarks.sql): after a complete pass of a rule, the next
// pass reads only tickets whose condition became true since, and tickets changed since. These
// tests are the ways a ticket could be missed by that, each shown to be found.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "escalation_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using nlohmann::json;

class EscalationWatermarks : public EscalationTest {
 protected:
  void SetUp() override { freeze_clock(); }

  // Moves the frozen clock (kFrozenNow + minutes): the daemon was down, or time simply passed.
  void advance_clock(int minutes) {
    db_.exec(
        "create or replace function test_clock.now() returns timestamptz language sql "
        "stable as $$ select '" +
        std::string(kFrozenNow) + "'::timestamptz + interval '" + std::to_string(minutes) +
        " minutes' $$");
  }
  void set(std::int64_t id, const std::string& assignments) {
    db_.exec("update tickets set " + assignments + " where id = " + std::to_string(id));
  }
  long long executions_of(std::int64_t rule) {
    return count("select count(*) from ticketwatch.escalation_executions where rule_id = " +
                 std::to_string(rule));
  }
};

TEST_F(EscalationWatermarks, TheSecondPassIsIncrementalAndTheFirstIsNot) {
  add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  add_ticket({.created_minutes_ago = 90, .responded = false});
  const auto first = run();
  const auto second = run();
  EXPECT_EQ(first["rules_incremental"], 0) << first.dump();
  EXPECT_EQ(second["rules_incremental"], 1) << second.dump();
  EXPECT_EQ(first["notifications_created"], 1);
  EXPECT_EQ(second["notifications_created"], 0);
}

// The condition's instant (created_at + 60 min) falls between two passes; the ticket itself
// does not change.
TEST_F(EscalationWatermarks, ATicketWhoseConditionBecomesTrueByTimeAloneIsFound) {
  const auto rule = add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  const auto id = add_ticket({.created_minutes_ago = 30, .responded = false});
  run();
  EXPECT_EQ(executions_of(rule), 0);
  advance_clock(45);
  const auto later = run();
  EXPECT_EQ(later["rules_incremental"], 1);
  EXPECT_EQ(history(id).size(), 1u);
  EXPECT_THAT(notified(id), ::testing::ElementsAre(4));
}

// Changed after the watermark, to a value whose instant lies long before it: only the change
// record finds it.
TEST_F(EscalationWatermarks, ATicketChangedAfterTheWatermarkIsFound) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.sla_due_in = 60});
  run();
  set(id, "sla_due_at = sla_due_at - interval '3 days'");
  run();
  ASSERT_EQ(history(id).size(), 1u);
  EXPECT_EQ(history(id)[0]["episode"], "due:2029-12-29T13:00:00.000000Z");
}

// A ticket inserted after the watermark with times far in the past (an import).
TEST_F(EscalationWatermarks, ATicketInsertedAfterTheWatermarkIsFound) {
  add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  run();
  const auto id = add_ticket({.created_minutes_ago = 5000, .responded = false});
  run();
  EXPECT_EQ(history(id).size(), 1u);
}

// Edited so that a ticket long past the new threshold matches: the ticket did not change and its
// new instant lies before the watermark, so the watermark must not be used.
TEST_F(EscalationWatermarks, EditingARuleResetsItsWatermark) {
  const auto rule = add_rule("silent", "no_response", R"({"minutes": 600})", kNotifyAssignee);
  const auto id = add_ticket({.created_minutes_ago = 300, .responded = false});
  run();
  EXPECT_EQ(history(id).size(), 0u);
  db_.exec("update escalation_rules set condition = '{\"minutes\": 120}' where id = " +
           std::to_string(rule));
  const auto after_edit = run();
  EXPECT_EQ(after_edit["rules_incremental"], 0) << after_edit.dump();
  EXPECT_EQ(history(id).size(), 1u);
}

// A status that stops counting as closed re-opens tickets nobody changed.
TEST_F(EscalationWatermarks, ChangingTheClosedStatusesResetsEveryWatermark) {
  add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  const auto id = add_ticket({.status = "pending", .responded = false});
  config_.helpdesk.closed_statuses = {"resolved", "closed", "pending"};
  run();
  EXPECT_EQ(history(id).size(), 0u);
  config_.helpdesk.closed_statuses = {"resolved", "closed"};
  const auto reopened = run();
  EXPECT_EQ(reopened["rules_incremental"], 0);
  EXPECT_EQ(history(id).size(), 1u);
}

// Down for a day: tickets that crossed by time, tickets changed and tickets added meanwhile are
// all executed once by the first pass after, and not again.
TEST_F(EscalationWatermarks, APassAfterADayDownFindsEverythingThatHappenedOnce) {
  add_rule("stuck", "time_in_status", R"({"status": "pending", "minutes": 60})", kNotifyAssignee);
  const auto crossed = add_ticket({.status = "pending", .status_minutes_ago = 30});
  const auto changed = add_ticket({.status = "open", .status_minutes_ago = 30});
  const auto quiet = add_ticket({.status = "open", .status_minutes_ago = 30});
  run();
  advance_clock(24 * 60);
  set(changed, "status = 'pending'");  // status_changed_at stays a day and a half old
  const auto added = add_ticket({.status = "pending", .status_minutes_ago = 120});
  const auto after = run();
  EXPECT_EQ(after["executions_by_name"]["stuck"], 3) << after.dump();
  run();
  EXPECT_EQ(history(crossed).size(), 1u);
  EXPECT_EQ(history(changed).size(), 1u);
  EXPECT_EQ(history(added).size(), 1u);
  EXPECT_EQ(history(quiet).size(), 0u);
}

// A transaction that changed a ticket before a pass began and committed after it: the pass could
// not see the change, and its change record carries a transaction id from before the pass's own
// "now". The next pass must still find it (a timestamp watermark would not).
TEST_F(EscalationWatermarks, AChangeCommittedDuringAPassIsFoundByTheNext) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.sla_due_in = 60});
  run();
  auto app = job_connection();
  pqxx::work slow(*app);
  slow.exec0("update tickets set sla_due_at = sla_due_at - interval '2 hours' where id = " +
             std::to_string(id));
  // A later transaction commits first: the pass's snapshot then has an xmax above the slow
  // transaction's id (only its xmin is a safe start).
  db_.exec("create table later_commit (id integer)");
  run();  // cannot see the uncommitted change
  EXPECT_EQ(history(id).size(), 0u);
  slow.commit();
  run();
  EXPECT_EQ(history(id).size(), 1u);
}

// Rules run in position order and later rules see earlier rules' changes, in incremental passes
// as in full ones: the rating arrives after both rules' watermarks, rule 1 raises the priority,
// rule 2 (urgent tickets) fires in the same pass.
TEST_F(EscalationWatermarks, LaterRulesSeeEarlierRulesChangesInTheSamePass) {
  add_rule("unhappy", "customer_rating", R"({"at_most": 2})",
           R"([{"type": "set_priority", "priority": "urgent"}])", 1);
  add_rule("urgent", "priority_level", R"({"at_least": "urgent", "open_minutes": 0})",
           kNotifyAssignee, 2);
  const auto id = add_ticket({.priority = "medium"});
  run();
  EXPECT_EQ(history(id).size(), 0u);
  set(id, "customer_rating = 1");
  const auto pass = run();
  EXPECT_EQ(pass["rules_incremental"], 2);
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u) << pass.dump();
  EXPECT_EQ(rows[0]["rule_name"], "unhappy");
  EXPECT_EQ(rows[1]["rule_name"], "urgent");
  EXPECT_EQ(ticket(id)["priority"], "urgent");
}

// A rule's own action opens a new episode of the same rule (priority_level + increase_priority):
// once per pass, as in a full pass, and the next pass takes the new episode.
TEST_F(EscalationWatermarks, ARulesOwnChangeWaitsForTheNextPass) {
  add_rule("raise", "priority_level", R"({"at_least": "medium", "open_minutes": 0})",
           R"([{"type": "increase_priority", "steps": 1}])");
  run();
  const auto id = add_ticket({.priority = "medium"});
  run();
  EXPECT_EQ(ticket(id)["priority"], "high");
  run();
  EXPECT_EQ(ticket(id)["priority"], "urgent");
  run();
  EXPECT_EQ(ticket(id)["priority"], "urgent");
  EXPECT_EQ(history(id).size(), 3u);  // medium, high, urgent (already the highest: a no-op)
}

// A rule whose batch failed keeps its older watermark: what the failed pass should have done is
// done by the next. The ticket exists before the first pass and never changes, so only the time
// window from the older watermark can find it.
TEST_F(EscalationWatermarks, AFailedRuleKeepsItsOlderWatermark) {
  const auto rule = add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  const auto id = add_ticket({.created_minutes_ago = 30, .responded = false});
  run();
  advance_clock(45);
  db_.exec(R"sql(
    create function fail_escalation() returns trigger language plpgsql as $$
    begin raise exception 'history is read-only today'; end $$;
    create trigger no_history before insert on ticket_history
      for each statement execute function fail_escalation();
  )sql");
  EXPECT_THROW(run(), std::runtime_error);
  const auto stored =
      count("select count(*) from ticketwatch.escalation_watermarks where checked_until = '" +
            std::string(kFrozenNow) + "'::timestamptz and rule_id = " + std::to_string(rule));
  EXPECT_EQ(stored, 1);
  db_.exec("drop trigger no_history on ticket_history");
  advance_clock(50);
  run();
  EXPECT_EQ(history(id).size(), 1u);
}

}  // namespace
}  // namespace ticketwatch::testing

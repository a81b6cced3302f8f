#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "escalation_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

class EscalationEpisodes : public EscalationTest {
 protected:
  void SetUp() override { freeze_clock(); }
  void set(std::int64_t id, const std::string& assignments) {
    db_.exec("update tickets set " + assignments + " where id = " + std::to_string(id));
  }
  long long executions(std::int64_t id) {
    return count("select count(*) from ticketwatch.escalation_executions where ticket_id = " +
                 std::to_string(id));
  }
};

TEST_F(EscalationEpisodes, FiresOncePerEpisodeHoweverOftenItRuns) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.sla_due_in = -10});
  const auto first = run();
  const auto second = run();
  const auto third = run();
  EXPECT_EQ(history(id).size(), 1u);
  EXPECT_THAT(notified(id), ElementsAre(4));
  EXPECT_EQ(first["notifications_created"], 1);
  EXPECT_EQ(second["notifications_created"], 0);
  EXPECT_EQ(third["executions_by_name"]["late"], 0);
}

TEST_F(EscalationEpisodes, SlaBreachFiresAgainForANewDueDate) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.sla_due_in = -10});
  run();
  set(id, "sla_due_at = sla_due_at + interval '5 minutes'");  // still overdue, new due date
  run();
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["episode"], "due:2030-01-01T11:50:00.000000Z");
  EXPECT_EQ(rows[1]["episode"], "due:2030-01-01T11:55:00.000000Z");
  EXPECT_THAT(notified(id), ElementsAre(4, 4));
}

TEST_F(EscalationEpisodes, EpisodeKeysDoNotDependOnTheSessionTimeZone) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.sla_due_in = -10});
  run();
  auto other = job_connection();
  testing::exec(*other, "set timezone = 'Pacific/Auckland'");
  run_on(*other);
  EXPECT_EQ(history(id).size(), 1u);
}

TEST_F(EscalationEpisodes, TimeInStatusFiresAgainAfterTheStatusChanges) {
  add_rule("stuck", "time_in_status", R"({"status": "pending", "minutes": 60})", kNotifyAssignee);
  const auto id = add_ticket({.status = "pending", .status_minutes_ago = 90});
  run();
  run();
  EXPECT_EQ(history(id).size(), 1u);
  // Back to pending long enough ago again: a new status change time, a new episode.
  set(id, "status_changed_at = status_changed_at + interval '10 minutes'");
  run();
  EXPECT_EQ(history(id).size(), 2u);
}

TEST_F(EscalationEpisodes, NoResponseFiresOnlyOncePerTicketEver) {
  add_rule("silent", "no_response", R"({"minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.responded = false});
  run();
  set(id, "status = 'pending', priority = 'high', status_changed_at = created_at");
  run();
  EXPECT_EQ(history(id).size(), 1u);
  EXPECT_EQ(history(id)[0]["episode"], "ticket");
}

TEST_F(EscalationEpisodes, CustomerRatingFiresAgainForANewRating) {
  add_rule("unhappy", "customer_rating", R"({"at_most": 2})", kNotifyAssignee);
  const auto id = add_ticket({.rating = 2});
  run();
  set(id, "customer_rating = 1");
  run();
  set(id, "customer_rating = 2");  // a rating seen before: that episode already fired
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["episode"], "rating:2");
  EXPECT_EQ(rows[1]["episode"], "rating:1");
}

TEST_F(EscalationEpisodes, PriorityLevelFiresAgainForANewPriority) {
  add_rule("hot", "priority_level", R"({"at_least": "high", "open_minutes": 0})", kNotifyAssignee);
  const auto id = add_ticket({.priority = "high"});
  run();
  run();
  set(id, "priority = 'urgent'");
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["episode"], "priority:high");
  EXPECT_EQ(rows[1]["episode"], "priority:urgent");
}

TEST_F(EscalationEpisodes, EachRuleHasItsOwnEpisodes) {
  add_rule("one", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee, 1);
  add_rule("two", "sla_breach", R"({"overdue_minutes": 5})", kNotifyAssignee, 2);
  const auto id = add_ticket({.sla_due_in = -10});
  run();
  run();
  EXPECT_EQ(history(id).size(), 2u);
  EXPECT_EQ(executions(id), 2);
}

TEST_F(EscalationEpisodes, LaterRulesSeeEarlierRulesChangesInTheSameRun) {
  add_rule("raise", "no_response", R"({"minutes": 0})",
           R"([{"type": "increase_priority", "steps": 2}])", 1);
  add_rule("urgent watch", "priority_level", R"({"at_least": "urgent", "open_minutes": 0})",
           R"([{"type": "notify", "to": ["team_leader"]}])", 2);
  const auto id = add_ticket({.priority = "high", .responded = false});
  const auto summary = run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["rule_name"], "raise");
  EXPECT_EQ(rows[1]["rule_name"], "urgent watch");
  EXPECT_EQ(rows[1]["episode"], "priority:urgent");
  EXPECT_THAT(notified(id), ElementsAre(1));
  EXPECT_EQ(summary["executions_by_name"], (json{{"raise", 1}, {"urgent watch", 1}}));
}

TEST_F(EscalationEpisodes, RulesRunInPositionOrderNotIdOrder) {
  // Created first but positioned last: it must not see the ticket before "raise" changed it.
  add_rule("urgent watch", "priority_level", R"({"at_least": "urgent", "open_minutes": 0})",
           kNotifyAssignee, 5);
  add_rule("raise", "no_response", R"({"minutes": 0})",
           R"([{"type": "set_priority", "priority": "urgent"}])", 1);
  const auto id = add_ticket({.priority = "low", .responded = false});
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["rule_name"], "raise");
  EXPECT_EQ(rows[1]["rule_name"], "urgent watch");
}

TEST_F(EscalationEpisodes, ARuleThatClosesATicketTakesItOutOfLaterRules) {
  add_rule("close", "customer_rating", R"({"at_most": 1})",
           R"([{"type": "set_status", "status": "closed"}])", 1);
  add_rule("rating watch", "customer_rating", R"({"at_most": 1})", kNotifyAssignee, 2);
  const auto id = add_ticket({.rating = 1});
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["rule_name"], "close");
}

TEST_F(EscalationEpisodes, ASetStatusStartsATimeInStatusEpisodeForLaterRules) {
  add_rule("park", "no_response", R"({"minutes": 0})",
           R"([{"type": "set_status", "status": "pending"}])", 1);
  add_rule("parked", "time_in_status", R"({"status": "pending", "minutes": 0})", kNotifyAssignee,
           2);
  const auto id = add_ticket({.status = "open", .responded = false});
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["episode"], "status_changed_at:2030-01-01T12:00:00.000000Z");
}

}  // namespace
}  // namespace ticketwatch::testing

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "escalation_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class EscalationConditions : public EscalationTest {
 protected:
  void SetUp() override { freeze_clock(); }

  // The tickets among `ids` the rule fired on in one run.
  std::vector<std::int64_t> fired(const std::vector<std::int64_t>& ids) {
    run();
    std::vector<std::int64_t> out;
    for (auto id : ids) {
      if (!history(id).empty()) out.push_back(id);
    }
    return out;
  }
};

TEST_F(EscalationConditions, SlaBreachFiresFromExactlyOverdueMinutesPastTheDueDate) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 30})", kNotifyAssignee);
  const auto long_overdue = add_ticket({.sla_due_in = -120});
  const auto exactly = add_ticket({.sla_due_in = -30});
  const auto almost = add_ticket({.sla_due_in = -29.99});
  const auto not_due = add_ticket({.sla_due_in = 10});
  const auto no_sla = add_ticket({});
  EXPECT_THAT(fired({long_overdue, exactly, almost, not_due, no_sla}),
              ElementsAre(long_overdue, exactly));
}

TEST_F(EscalationConditions, SlaBreachWithZeroMinutesFiresAtTheDueInstant) {
  add_rule("breached", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto due_now = add_ticket({.sla_due_in = 0});
  const auto due_soon = add_ticket({.sla_due_in = 0.01});
  EXPECT_THAT(fired({due_now, due_soon}), ElementsAre(due_now));
}

TEST_F(EscalationConditions, TimeInStatusFiresFromExactlyMinutesInThatStatus) {
  add_rule("stuck", "time_in_status", R"({"status": "pending", "minutes": 60})", kNotifyAssignee);
  const auto exactly = add_ticket({.status = "pending", .status_minutes_ago = 60});
  const auto longer = add_ticket({.status = "pending", .status_minutes_ago = 500});
  const auto shorter = add_ticket({.status = "pending", .status_minutes_ago = 59.99});
  const auto other_status = add_ticket({.status = "open", .status_minutes_ago = 500});
  EXPECT_THAT(fired({exactly, longer, shorter, other_status}), ElementsAre(exactly, longer));
}

TEST_F(EscalationConditions, PriorityLevelFiresAtOrAboveThePriorityOnceOpenLongEnough) {
  add_rule("hot", "priority_level", R"({"at_least": "high", "open_minutes": 15})", kNotifyAssignee);
  const auto high = add_ticket({.priority = "high", .created_minutes_ago = 15});
  const auto urgent = add_ticket({.priority = "urgent", .created_minutes_ago = 100});
  const auto medium = add_ticket({.priority = "medium", .created_minutes_ago = 100});
  const auto too_new = add_ticket({.priority = "urgent", .created_minutes_ago = 14.99});
  EXPECT_THAT(fired({high, urgent, medium, too_new}), ElementsAre(high, urgent));
}

TEST_F(EscalationConditions, PriorityLevelFollowsTheConfiguredOrder) {
  config_.helpdesk.priorities = {"p4", "p3", "p2", "p1"};
  add_rule("p2+", "priority_level", R"({"at_least": "p2", "open_minutes": 0})", kNotifyAssignee);
  const auto p1 = add_ticket({.priority = "p1"});
  const auto p2 = add_ticket({.priority = "p2"});
  const auto p3 = add_ticket({.priority = "p3"});
  EXPECT_THAT(fired({p1, p2, p3}), ElementsAre(p1, p2));
}

TEST_F(EscalationConditions, NoResponseFiresOnUnansweredTicketsFromExactlyMinutesOld) {
  add_rule("silent", "no_response", R"({"minutes": 60})", kNotifyAssignee);
  const auto exactly = add_ticket({.created_minutes_ago = 60, .responded = false});
  const auto younger = add_ticket({.created_minutes_ago = 59.99, .responded = false});
  const auto answered = add_ticket({.created_minutes_ago = 600, .responded = true});
  EXPECT_THAT(fired({exactly, younger, answered}), ElementsAre(exactly));
}

TEST_F(EscalationConditions, CustomerRatingFiresAtOrBelowTheRating) {
  add_rule("unhappy", "customer_rating", R"({"at_most": 2})", kNotifyAssignee);
  const auto one = add_ticket({.rating = 1});
  const auto two = add_ticket({.rating = 2});
  const auto three = add_ticket({.rating = 3});
  const auto unrated = add_ticket({});
  EXPECT_THAT(fired({one, two, three, unrated}), ElementsAre(one, two));
}

TEST_F(EscalationConditions, IgnoresClosedTicketsForEveryConditionType) {
  add_rule("a", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  add_rule("b", "no_response", R"({"minutes": 0})", kNotifyAssignee);
  add_rule("c", "customer_rating", R"({"at_most": 5})", kNotifyAssignee);
  add_rule("d", "priority_level", R"({"at_least": "low", "open_minutes": 0})", kNotifyAssignee);
  const auto resolved =
      add_ticket({.status = "resolved", .responded = false, .sla_due_in = -60, .rating = 1});
  const auto closed =
      add_ticket({.status = "closed", .responded = false, .sla_due_in = -60, .rating = 1});
  const auto open =
      add_ticket({.status = "open", .responded = false, .sla_due_in = -60, .rating = 1});
  EXPECT_THAT(fired({resolved, closed, open}), ElementsAre(open));
  EXPECT_EQ(history(open).size(), 4u);
}

TEST_F(EscalationConditions, UsesTheConfiguredClosedStatusesEvenWithAwkwardNames) {
  config_.helpdesk.closed_statuses = {"won't fix", "done, \"really\"", "{x}"};
  add_rule("late", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee);
  const auto wont_fix = add_ticket({.status = "won't fix", .sla_due_in = -5});
  const auto done = add_ticket({.status = "done, \"really\"", .sla_due_in = -5});
  const auto braces = add_ticket({.status = "{x}", .sla_due_in = -5});
  const auto resolved = add_ticket({.status = "resolved", .sla_due_in = -5});
  EXPECT_THAT(fired({wont_fix, done, braces, resolved}), ElementsAre(resolved));
}

TEST_F(EscalationConditions, TeamFilterNarrowsToThatTeam) {
  add_rule("team 2", "sla_breach", R"({"overdue_minutes": 0, "team_id": 2})", kNotifyAssignee);
  const auto team1 = add_ticket({.team = 1, .sla_due_in = -5});
  const auto team2 = add_ticket({.team = 2, .sla_due_in = -5});
  const auto no_team = add_ticket({.team = std::nullopt, .sla_due_in = -5});
  EXPECT_THAT(fired({team1, team2, no_team}), ElementsAre(team2));
}

TEST_F(EscalationConditions, PriorityFilterNarrowsToThatPriority) {
  add_rule("urgent only", "no_response", R"({"minutes": 0, "priority": "urgent"})",
           kNotifyAssignee);
  const auto urgent = add_ticket({.priority = "urgent", .responded = false});
  const auto high = add_ticket({.priority = "high", .responded = false});
  EXPECT_THAT(fired({urgent, high}), ElementsAre(urgent));
}

TEST_F(EscalationConditions, BothFiltersMustHold) {
  add_rule("both", "customer_rating", R"({"at_most": 3, "team_id": 1, "priority": "low"})",
           kNotifyAssignee);
  const auto match = add_ticket({.priority = "low", .team = 1, .rating = 1});
  const auto wrong_team = add_ticket({.priority = "low", .team = 2, .rating = 1});
  const auto wrong_priority = add_ticket({.priority = "high", .team = 1, .rating = 1});
  EXPECT_THAT(fired({match, wrong_team, wrong_priority}), ElementsAre(match));
}

TEST_F(EscalationConditions, InactiveRulesNeverRun) {
  add_rule("off", "sla_breach", R"({"overdue_minutes": 0})", kNotifyAssignee, 0, false);
  const auto overdue = add_ticket({.sla_due_in = -60});
  const auto summary = run();
  EXPECT_THAT(history(overdue), IsEmpty());
  EXPECT_EQ(summary["rules_evaluated"], 0);
  EXPECT_EQ(summary["rules_invalid"], 0);
}

// Without a frozen clock: the job's "now" is the database's.
class EscalationRealClock : public EscalationTest {};

TEST_F(EscalationRealClock, MatchesAgainstTheDatabaseClock) {
  add_rule("late", "sla_breach", R"({"overdue_minutes": 5})", kNotifyAssignee);
  const auto overdue = add_ticket({.sla_due_in = -6});
  const auto not_yet = add_ticket({.sla_due_in = -4});
  run();
  EXPECT_EQ(history(overdue).size(), 1u);
  EXPECT_THAT(history(not_yet), IsEmpty());
}

}  // namespace
}  // namespace ticketwatch::testing

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "escalation_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class EscalationActions : public EscalationTest {
 protected:
  void SetUp() override { freeze_clock(); }

  // A rule that fires on every overdue ticket with the given actions.
  void rule(const std::string& actions, const std::string& name = "act") {
    add_rule(name, "sla_breach", R"({"overdue_minutes": 0})", actions);
  }
  std::int64_t overdue(TicketSpec spec = {}) {
    spec.sla_due_in = -10;
    return add_ticket(spec);
  }
  // The actions record of the ticket's only escalation.
  json recorded(std::int64_t id) {
    const auto rows = history(id);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? json() : rows[0]["actions"];
  }
};

TEST_F(EscalationActions, NotifyResolvesEveryRoleAndUserIdToActiveUsersOnce) {
  rule(
      R"([{"type": "notify", "to": ["creator", "assignee", "team_leader", "followers", 6, 3, 8]}])");
  // Creator 3 is also named by id; follower 8 and fixed recipient 8 are inactive.
  const auto id = overdue({.creator = 3, .assignee = 4, .team = 2});
  db_.exec("insert into ticket_followers values (" + std::to_string(id) + ", 5), (" +
           std::to_string(id) + ", 8), (" + std::to_string(id) + ", 4)");
  const auto summary = run();
  EXPECT_THAT(notified(id), ElementsAre(2, 3, 4, 5, 6));
  EXPECT_EQ(summary["notifications_created"], 5);
  EXPECT_EQ(recorded(id),
            json::parse(R"([{"type": "notify", "from": null, "to": [2, 3, 4, 5, 6]}])"));
}

TEST_F(EscalationActions, NotificationsCarryKindTitleAndData) {
  const auto rule_id = add_rule("VIP breach", "sla_breach", R"({"overdue_minutes": 0})",
                                R"([{"type": "notify", "to": ["assignee"]}])");
  const auto id = overdue();
  run();
  const json rows = notifications(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["user_id"], 4);
  EXPECT_EQ(rows[0]["kind"], "escalation");
  EXPECT_NE(rows[0]["title"].get<std::string>().find("VIP breach"), std::string::npos)
      << rows[0]["title"];
  EXPECT_NE(rows[0]["body"].get<std::string>().find("Printer on fire"), std::string::npos);
  EXPECT_EQ(rows[0]["data"]["rule_id"], rule_id);
  EXPECT_EQ(rows[0]["data"]["rule_name"], "VIP breach");
  EXPECT_EQ(rows[0]["data"]["ticket_id"], id);
  EXPECT_EQ(rows[0]["data"]["condition_type"], "sla_breach");
  EXPECT_TRUE(rows[0]["read_at"].is_null());
}

TEST_F(EscalationActions, TwoNotifyActionsStillNotifyEachUserOncePerExecution) {
  rule(R"([{"type": "notify", "to": ["assignee", "creator"]},
           {"type": "notify", "to": ["assignee", 6]}])");
  const auto id = overdue();
  run();
  EXPECT_THAT(notified(id), ElementsAre(3, 4, 6));
  EXPECT_EQ(recorded(id), json::parse(R"([{"type": "notify", "from": null, "to": [3, 4]},
                                          {"type": "notify", "from": null, "to": [6]}])"));
}

TEST_F(EscalationActions, NotifyWithNobodyToTellIsRecordedAsANoOp) {
  rule(R"([{"type": "notify", "to": ["assignee", "team_leader", 8]}])");
  const auto id = overdue({.assignee = std::nullopt, .team = std::nullopt});
  const auto summary = run();
  EXPECT_THAT(notified(id), IsEmpty());
  EXPECT_EQ(summary["notifications_created"], 0);
  EXPECT_EQ(recorded(id),
            json::parse(R"([{"type": "notify", "from": null, "to": [], "noop": true}])"));
}

TEST_F(EscalationActions, ReassignToAUserChangesTheAssigneeAndUpdatedAt) {
  rule(R"([{"type": "reassign", "to": 6}])");
  const auto id = overdue({.assignee = 4});
  const auto summary = run();
  const json t = ticket(id);
  EXPECT_EQ(t["assignee_id"], 6);
  EXPECT_EQ(count("select count(*) from tickets where id = " + std::to_string(id) +
                  " and updated_at = '" + kFrozenNow + "'::timestamptz"),
            1);
  EXPECT_EQ(recorded(id), json::parse(R"([{"type": "reassign", "from": 4, "to": 6}])"));
  EXPECT_EQ(summary["tickets_changed"], 1);
}

TEST_F(EscalationActions, ReassignToTheCurrentAssigneeIsANoOpThatChangesNothing) {
  rule(R"([{"type": "reassign", "to": 4}])");
  const auto id = overdue({.assignee = 4});
  const std::string before = ticket(id)["updated_at"];
  const auto summary = run();
  EXPECT_EQ(ticket(id)["updated_at"], before);
  EXPECT_EQ(recorded(id),
            json::parse(R"([{"type": "reassign", "from": 4, "to": 4, "noop": true}])"));
  EXPECT_EQ(summary["tickets_changed"], 0);
}

TEST_F(EscalationActions, ReassignToTeamLeaderUsesTheTicketsTeam) {
  rule(R"([{"type": "reassign", "to": "team_leader"}])");
  const auto team2 = overdue({.assignee = 4, .team = 2});
  const auto no_team = overdue({.assignee = 4, .team = std::nullopt});
  run();
  EXPECT_EQ(ticket(team2)["assignee_id"], 2);
  EXPECT_EQ(recorded(team2), json::parse(R"([{"type": "reassign", "from": 4, "to": 2}])"));
  EXPECT_EQ(ticket(no_team)["assignee_id"], 4);
  EXPECT_EQ(recorded(no_team),
            json::parse(R"([{"type": "reassign", "from": 4, "to": 4, "noop": true,
                             "reason": "the ticket has no team leader"}])"));
}

TEST_F(EscalationActions, ReassignToAnInactiveTeamLeaderIsANoOp) {
  db_.exec("update teams set leader_id = 8 where id = 2");
  rule(R"([{"type": "reassign", "to": "team_leader"}])");
  const auto id = overdue({.assignee = 4, .team = 2});
  run();
  EXPECT_EQ(ticket(id)["assignee_id"], 4);
  EXPECT_EQ(recorded(id)[0]["reason"], "user 8 does not exist or is inactive");
}

TEST_F(EscalationActions, IncreasePriorityMovesUpTheConfiguredList) {
  rule(R"([{"type": "increase_priority", "steps": 2}])");
  const auto low = overdue({.priority = "low"});
  run();
  EXPECT_EQ(ticket(low)["priority"], "high");
  EXPECT_EQ(recorded(low),
            json::parse(R"([{"type": "increase_priority", "from": "low", "to": "high"}])"));
}

TEST_F(EscalationActions, IncreasePriorityStopsAtTheHighest) {
  rule(R"([{"type": "increase_priority", "steps": 3}])");
  const auto high = overdue({.priority = "high"});
  const auto urgent = overdue({.priority = "urgent"});
  const auto summary = run();
  EXPECT_EQ(ticket(high)["priority"], "urgent");
  EXPECT_EQ(ticket(urgent)["priority"], "urgent");
  EXPECT_EQ(recorded(urgent),
            json::parse(R"([{"type": "increase_priority", "from": "urgent", "to": "urgent",
                             "noop": true, "reason": "already the highest priority"}])"));
  EXPECT_EQ(summary["tickets_changed"], 1);
}

TEST_F(EscalationActions, IncreasePriorityLeavesAnUnknownPriorityAlone) {
  rule(R"([{"type": "increase_priority", "steps": 1}])");
  const auto odd = overdue({.priority = "legacy"});
  run();
  EXPECT_EQ(ticket(odd)["priority"], "legacy");
  EXPECT_EQ(recorded(odd)[0]["reason"], "priority \"legacy\" is not in helpdesk.priorities");
}

TEST_F(EscalationActions, SetPriorityAndItsNoOp) {
  rule(R"([{"type": "set_priority", "priority": "urgent"}])");
  const auto medium = overdue({.priority = "medium"});
  const auto urgent = overdue({.priority = "urgent"});
  run();
  EXPECT_EQ(ticket(medium)["priority"], "urgent");
  EXPECT_EQ(recorded(medium),
            json::parse(R"([{"type": "set_priority", "from": "medium", "to": "urgent"}])"));
  EXPECT_EQ(recorded(urgent), json::parse(R"([{"type": "set_priority", "from": "urgent",
                                                "to": "urgent", "noop": true}])"));
}

TEST_F(EscalationActions, SetTeamAndItsNoOp) {
  rule(R"([{"type": "set_team", "team_id": 2}])");
  const auto team1 = overdue({.team = 1});
  const auto team2 = overdue({.team = 2});
  const auto none = overdue({.team = std::nullopt});
  run();
  EXPECT_EQ(ticket(team1)["team_id"], 2);
  EXPECT_EQ(ticket(none)["team_id"], 2);
  EXPECT_EQ(recorded(team1), json::parse(R"([{"type": "set_team", "from": 1, "to": 2}])"));
  EXPECT_EQ(recorded(none), json::parse(R"([{"type": "set_team", "from": null, "to": 2}])"));
  EXPECT_EQ(recorded(team2),
            json::parse(R"([{"type": "set_team", "from": 2, "to": 2, "noop": true}])"));
}

TEST_F(EscalationActions, AddFollowerAndItsNoOp) {
  rule(R"([{"type": "add_follower", "user_id": 5}])");
  const auto fresh = overdue();
  const auto following = overdue();
  db_.exec("insert into ticket_followers values (" + std::to_string(following) + ", 5)");
  const auto summary = run();
  EXPECT_EQ(count("select count(*) from ticket_followers where user_id = 5"), 2);
  EXPECT_EQ(recorded(fresh), json::parse(R"([{"type": "add_follower", "from": null, "to": 5}])"));
  EXPECT_EQ(recorded(following),
            json::parse(R"([{"type": "add_follower", "from": null, "to": 5, "noop": true,
                             "reason": "already a follower"}])"));
  EXPECT_EQ(summary["tickets_changed"], 1);
}

TEST_F(EscalationActions, SetStatusRestartsTheStatusClock) {
  rule(R"([{"type": "set_status", "status": "escalated"}])");
  const auto id = overdue({.status = "open", .status_minutes_ago = 300});
  run();
  const json t = ticket(id);
  EXPECT_EQ(t["status"], "escalated");
  EXPECT_EQ(
      count("select count(*) from tickets where id = " + std::to_string(id) +
            " and status_changed_at = '" + kFrozenNow + "' and updated_at = '" + kFrozenNow + "'"),
      1);
  EXPECT_EQ(recorded(id),
            json::parse(R"([{"type": "set_status", "from": "open", "to": "escalated"}])"));
}

TEST_F(EscalationActions, SetStatusToTheCurrentStatusKeepsTheStatusClock) {
  rule(R"([{"type": "set_status", "status": "open"}])");
  const auto id = overdue({.status = "open", .status_minutes_ago = 300});
  const std::string before = ticket(id)["status_changed_at"];
  run();
  EXPECT_EQ(ticket(id)["status_changed_at"], before);
  EXPECT_EQ(recorded(id),
            json::parse(R"([{"type": "set_status", "from": "open", "to": "open", "noop": true}])"));
}

TEST_F(EscalationActions, SetStatusMayCloseTheTicket) {
  rule(R"([{"type": "set_status", "status": "closed"}])");
  const auto id = overdue();
  run();
  EXPECT_EQ(ticket(id)["status"], "closed");
}

TEST_F(EscalationActions, ActionsApplyInOrderEachSeeingTheLastOnesResult) {
  // The team changes first, so the leader is team 2's; the notification then reaches the new
  // assignee (2), not the old one (4).
  rule(R"([{"type": "set_team", "team_id": 2},
           {"type": "reassign", "to": "team_leader"},
           {"type": "increase_priority", "steps": 1},
           {"type": "notify", "to": ["assignee"]}])");
  const auto id = overdue({.priority = "medium", .assignee = 4, .team = 1});
  run();
  const json t = ticket(id);
  EXPECT_EQ(t["team_id"], 2);
  EXPECT_EQ(t["assignee_id"], 2);
  EXPECT_EQ(t["priority"], "high");
  EXPECT_THAT(notified(id), ElementsAre(2));
  EXPECT_EQ(recorded(id), json::parse(R"([
    {"type": "set_team", "from": 1, "to": 2},
    {"type": "reassign", "from": 4, "to": 2},
    {"type": "increase_priority", "from": "medium", "to": "high"},
    {"type": "notify", "from": null, "to": [2]}])"));
}

TEST_F(EscalationActions, HistoryRowNamesRuleConditionAndEpisode) {
  const auto rule_id = add_rule("VIP breach", "sla_breach", R"({"overdue_minutes": 0})",
                                R"([{"type": "set_priority", "priority": "urgent"}])");
  const auto id = overdue();
  run();
  const auto rows = history(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["rule_id"], rule_id);
  EXPECT_EQ(rows[0]["rule_name"], "VIP breach");
  EXPECT_EQ(rows[0]["condition_type"], "sla_breach");
  EXPECT_EQ(rows[0]["episode"], "due:2030-01-01T11:50:00.000000Z");
  EXPECT_EQ(count("select count(*) from ticket_history where ticket_id = " + std::to_string(id)),
            1);
}

TEST_F(EscalationActions, SummaryCountsExecutionsPerRuleIdAndName) {
  const auto a = add_rule("A", "sla_breach", R"({"overdue_minutes": 0})",
                          R"([{"type": "notify", "to": ["assignee", "creator"]}])", 1);
  const auto b = add_rule("B", "no_response", R"({"minutes": 0})",
                          R"([{"type": "set_priority", "priority": "high"}])", 2);
  overdue();
  overdue({.responded = false});
  add_ticket({.responded = false});
  const auto summary = run();
  EXPECT_EQ(summary["rules_evaluated"], 2);
  EXPECT_EQ(summary["rules_invalid"], 0);
  EXPECT_EQ(summary["invalid_rules"], json::array());
  EXPECT_EQ(summary["executions"], (json{{std::to_string(a), 2}, {std::to_string(b), 2}}));
  EXPECT_EQ(summary["executions_by_name"], (json{{"A", 2}, {"B", 2}}));
  EXPECT_EQ(summary["notifications_created"], 4);
  EXPECT_EQ(summary["tickets_changed"], 2);
  EXPECT_TRUE(summary["duration_ms"].is_number_integer());
}

// tickets_changed counts distinct tickets over the whole run, also when several rules change the
// same ticket, and starts again in the next run (the run's own executions, not its clock, which
// is frozen here: both runs have the same "now").
TEST_F(EscalationActions, TicketsChangedCountsEachTicketOncePerRun) {
  add_rule("raise", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "set_priority", "priority": "high"}])", 1);
  add_rule("move", "no_response", R"({"minutes": 0})", R"([{"type": "set_team", "team_id": 2}])",
           2);
  add_rule("tell", "sla_breach", R"({"overdue_minutes": 0})",
           R"([{"type": "notify", "to": ["assignee"]}])", 3);
  const auto both = overdue({.team = 1, .responded = false});  // raised and moved
  overdue({.team = 2});                                        // raised only
  add_ticket({.team = 1, .responded = false});                 // moved only
  const auto first = run();
  EXPECT_EQ(first["executions_by_name"], (json{{"raise", 2}, {"move", 2}, {"tell", 2}}));
  EXPECT_EQ(first["tickets_changed"], 3);

  // A new episode of "raise" for one ticket: the next run changes it again and counts it again.
  db_.exec(
      "update tickets set sla_due_at = sla_due_at - interval '1 minute', priority = 'low' "
      "where id = " +
      std::to_string(both));
  const auto second = run();
  EXPECT_EQ(second["executions_by_name"], (json{{"raise", 1}, {"move", 0}, {"tell", 1}}));
  EXPECT_EQ(second["tickets_changed"], 1);
}

}  // namespace
}  // namespace ticketwatch::testing

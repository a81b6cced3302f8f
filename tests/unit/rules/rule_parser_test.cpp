#include "ticketwatch/jobs/rule_parser.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ticketwatch::jobs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kNotify = R"([{"type": "notify", "to": ["assignee"]}])";

RuleRow row(std::string type, std::string condition, std::string actions = kNotify) {
  RuleRow r;
  r.id = 7;
  r.name = "VIP breach";
  r.position = 3;
  r.condition_type = std::move(type);
  r.condition_json = std::move(condition);
  r.actions_json = std::move(actions);
  return r;
}

RuleRow with_actions(std::string actions) {
  return row("sla_breach", R"({"overdue_minutes": 10})", std::move(actions));
}

Rule parse_ok(const RuleRow& r) {
  const auto result = parse_rule(r, config::HelpdeskConfig{});
  if (!result.ok()) {
    for (const auto& e : result.errors()) ADD_FAILURE() << e.to_string();
    throw std::runtime_error("rule did not parse");
  }
  return result.rule();
}

std::vector<std::string> errors_of(const RuleRow& r) {
  const auto result = parse_rule(r, config::HelpdeskConfig{});
  std::vector<std::string> out;
  if (result.ok()) return out;
  for (const auto& e : result.errors()) out.push_back(e.to_string());
  return out;
}

// Just "path: message" for rows where the rule prefix is not the point.
std::vector<std::string> field_errors(const RuleRow& r) {
  const auto result = parse_rule(r, config::HelpdeskConfig{});
  std::vector<std::string> out;
  if (result.ok()) return out;
  for (const auto& e : result.errors()) out.push_back(e.path + ": " + e.message);
  return out;
}

// ---- valid rules ------------------------------------------------------------------------------

TEST(RuleParser, ParsesSlaBreachWithItsIdentity) {
  const Rule rule = parse_ok(row("sla_breach", R"({"overdue_minutes": 15})"));
  EXPECT_EQ(rule.id, 7);
  EXPECT_EQ(rule.name, "VIP breach");
  EXPECT_EQ(rule.position, 3);
  ASSERT_TRUE(std::holds_alternative<SlaBreachCondition>(rule.condition));
  EXPECT_EQ(std::get<SlaBreachCondition>(rule.condition).overdue, std::chrono::minutes(15));
  EXPECT_EQ(condition_type(rule.condition), ConditionType::sla_breach);
  EXPECT_FALSE(rule.filters.team_id);
  EXPECT_FALSE(rule.filters.priority);
}

TEST(RuleParser, ParsesTimeInStatus) {
  const Rule rule = parse_ok(row("time_in_status", R"({"status": "pending", "minutes": 60})"));
  const auto& c = std::get<TimeInStatusCondition>(rule.condition);
  EXPECT_EQ(c.status, "pending");
  EXPECT_EQ(c.minutes, std::chrono::minutes(60));
}

TEST(RuleParser, ParsesPriorityLevel) {
  const Rule rule = parse_ok(row("priority_level", R"({"at_least": "high", "open_minutes": 0})"));
  const auto& c = std::get<PriorityLevelCondition>(rule.condition);
  EXPECT_EQ(c.at_least, "high");
  EXPECT_EQ(c.open, std::chrono::minutes(0));
}

TEST(RuleParser, ParsesNoResponse) {
  const Rule rule = parse_ok(row("no_response", R"({"minutes": 240})"));
  EXPECT_EQ(std::get<NoResponseCondition>(rule.condition).minutes, std::chrono::minutes(240));
}

TEST(RuleParser, ParsesCustomerRating) {
  const Rule rule = parse_ok(row("customer_rating", R"({"at_most": 2})"));
  EXPECT_EQ(std::get<CustomerRatingCondition>(rule.condition).at_most, 2);
}

TEST(RuleParser, ParsesTeamAndPriorityFiltersOnAnyConditionType) {
  const Rule rule =
      parse_ok(row("no_response", R"({"minutes": 5, "team_id": 2, "priority": "urgent"})"));
  EXPECT_EQ(rule.filters.team_id, 2);
  EXPECT_EQ(rule.filters.priority, "urgent");
}

TEST(RuleParser, TreatsNullFiltersAsNoFilter) {
  const Rule rule =
      parse_ok(row("customer_rating", R"({"at_most": 1, "team_id": null, "priority": null})"));
  EXPECT_FALSE(rule.filters.team_id);
  EXPECT_FALSE(rule.filters.priority);
}

TEST(RuleParser, ParsesEveryActionTypeInOrder) {
  const Rule rule = parse_ok(with_actions(R"([
    {"type": "notify", "to": ["creator", "assignee", "team_leader", "followers", 4, 5]},
    {"type": "reassign", "to": 3},
    {"type": "reassign", "to": "team_leader"},
    {"type": "increase_priority", "steps": 2},
    {"type": "set_priority", "priority": "urgent"},
    {"type": "set_team", "team_id": 2},
    {"type": "add_follower", "user_id": 6},
    {"type": "set_status", "status": "escalated"}
  ])"));
  ASSERT_EQ(rule.actions.size(), 8u);
  std::vector<std::string_view> types;
  for (const auto& a : rule.actions) types.push_back(action_type_name(a));
  EXPECT_THAT(types, ElementsAre("notify", "reassign", "reassign", "increase_priority",
                                 "set_priority", "set_team", "add_follower", "set_status"));
  const auto& notify = std::get<NotifyAction>(rule.actions[0]);
  EXPECT_THAT(notify.roles, ElementsAre(config::Role::creator, config::Role::assignee,
                                        config::Role::team_leader, config::Role::followers));
  EXPECT_THAT(notify.user_ids, ElementsAre(4, 5));
  EXPECT_EQ(std::get<ReassignAction>(rule.actions[1]).user_id, 3);
  EXPECT_FALSE(std::get<ReassignAction>(rule.actions[2]).user_id);
  EXPECT_EQ(std::get<IncreasePriorityAction>(rule.actions[3]).steps, 2);
  EXPECT_EQ(std::get<SetPriorityAction>(rule.actions[4]).priority, "urgent");
  EXPECT_EQ(std::get<SetTeamAction>(rule.actions[5]).team_id, 2);
  EXPECT_EQ(std::get<AddFollowerAction>(rule.actions[6]).user_id, 6);
  EXPECT_EQ(std::get<SetStatusAction>(rule.actions[7]).status, "escalated");
}

TEST(RuleParser, ListsTheUserAndTeamIdsItNamesWithTheirPaths) {
  const Rule rule = parse_ok(row("sla_breach", R"({"overdue_minutes": 0, "team_id": 2})", R"([
    {"type": "notify", "to": ["creator", 4]},
    {"type": "reassign", "to": 3},
    {"type": "reassign", "to": "team_leader"},
    {"type": "set_team", "team_id": 1},
    {"type": "add_follower", "user_id": 6}
  ])"));
  std::vector<std::string> refs;
  for (const auto& r : rule.references) {
    const char* kind = r.kind == RuleReference::Kind::team          ? "team"
                       : r.kind == RuleReference::Kind::active_user ? "active user"
                                                                    : "user";
    refs.push_back(fmt::format("{} {} at {}", kind, r.id, r.path));
  }
  EXPECT_THAT(refs, ElementsAre("team 2 at condition.team_id", "user 4 at actions[0].to[1]",
                                "active user 3 at actions[1].to", "team 1 at actions[3].team_id",
                                "active user 6 at actions[4].user_id"));
}

TEST(RuleParser, AllowsSetStatusToAClosedStatus) {
  const Rule rule = parse_ok(with_actions(R"([{"type": "set_status", "status": "closed"}])"));
  EXPECT_EQ(std::get<SetStatusAction>(rule.actions[0]).status, "closed");
}

TEST(RuleParser, UsesTheConfiguredPriorities) {
  config::HelpdeskConfig helpdesk;
  helpdesk.priorities = {"p3", "p2", "p1"};
  const auto accepted =
      parse_rule(row("priority_level", R"({"at_least": "p1", "open_minutes": 1})"), helpdesk);
  EXPECT_TRUE(accepted.ok());
  const auto refused =
      parse_rule(row("priority_level", R"({"at_least": "high", "open_minutes": 1})"), helpdesk);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors()[0].message, "unknown priority \"high\" (configured: p3, p2, p1)");
}

TEST(RuleParser, KeepsTheActiveFlag) {
  RuleRow r = row("sla_breach", R"({"overdue_minutes": 0})");
  r.active = false;
  EXPECT_FALSE(parse_ok(r).active);
}

// ---- error format -----------------------------------------------------------------------------

TEST(RuleError, NamesRuleIdNameAndFieldPath) {
  EXPECT_THAT(errors_of(row("sla_breach", R"({"overdue_minutes": "ten"})")),
              ElementsAre("rule 7 \"VIP breach\": condition.overdue_minutes: expected a "
                          "non-negative integer, got \"ten\""));
}

TEST(RuleError, MarksInactiveRules) {
  RuleRow r = row("sla_breach", R"({"overdue_minutes": -1})");
  r.active = false;
  EXPECT_THAT(errors_of(r), ElementsAre("rule 7 \"VIP breach\" (inactive): "
                                        "condition.overdue_minutes: expected a non-negative "
                                        "integer, got -1"));
}

TEST(RuleError, ReportsEveryProblemNotOnlyTheFirst) {
  const auto errors = field_errors(row("time_in_status", R"({"status": 3, "minutes": -5})",
                                       R"([{"type": "notify", "to": []},
                                           {"type": "set_team", "team_id": "two"}])"));
  EXPECT_THAT(errors, ElementsAre("condition.status: expected a string, got 3",
                                  "condition.minutes: expected a non-negative integer, got -5",
                                  "actions[0].to: expected a non-empty array of roles (creator, "
                                  "assignee, team_leader, followers) and user ids, got []",
                                  "actions[1].team_id: expected a positive integer, got \"two\""));
}

TEST(RuleError, CutsLongValuesInMessages) {
  const auto errors = field_errors(row(
      "sla_breach", R"({"overdue_minutes": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..."));
}

// ---- condition_type and condition shape --------------------------------------------------------

TEST(RuleParserCondition, RejectsAnUnknownConditionTypeWithASuggestion) {
  EXPECT_THAT(field_errors(row("sla_breech", R"({"overdue_minutes": 1})")),
              ElementsAre("condition_type: unknown condition type \"sla_breech\" (did you mean "
                          "\"sla_breach\"?)"));
}

TEST(RuleParserCondition, RejectsAnUnknownConditionTypeListingTheKnownOnes) {
  EXPECT_THAT(field_errors(row("escalate", "{}")),
              ElementsAre("condition_type: unknown condition type \"escalate\" (expected one of: "
                          "sla_breach, time_in_status, priority_level, no_response, "
                          "customer_rating)"));
}

TEST(RuleParserCondition, RejectsAnEmptyConditionType) {
  EXPECT_THAT(field_errors(row("", "{}")),
              ElementsAre(HasSubstr("condition_type: unknown condition type \"\"")));
}

TEST(RuleParserCondition, StillChecksActionsWhenTheConditionTypeIsUnknown) {
  EXPECT_THAT(field_errors(row("nope", "{}", "[]")),
              ElementsAre(HasSubstr("condition_type:"),
                          "actions: expected a non-empty array of actions, got []"));
}

TEST(RuleParserCondition, RejectsAConditionThatIsNotAnObject) {
  EXPECT_THAT(field_errors(row("sla_breach", "[10]")),
              ElementsAre("condition: expected an object, got [10]"));
  EXPECT_THAT(field_errors(row("sla_breach", "10")),
              ElementsAre("condition: expected an object, got 10"));
  EXPECT_THAT(field_errors(row("sla_breach", "null")),
              ElementsAre("condition: expected an object, got null"));
}

TEST(RuleParserCondition, RejectsTextThatIsNotJson) {
  EXPECT_THAT(field_errors(row("sla_breach", "{overdue_minutes: 1")),
              ElementsAre("condition: not valid JSON"));
  EXPECT_THAT(field_errors(with_actions("[{]")), ElementsAre("actions: not valid JSON"));
}

struct MissingField {
  const char* type;
  const char* condition;
  const char* expected;
};

class RuleParserMissingField : public ::testing::TestWithParam<MissingField> {};

TEST_P(RuleParserMissingField, NamesTheMissingRequiredField) {
  EXPECT_THAT(field_errors(row(GetParam().type, GetParam().condition)),
              ElementsAre(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    EveryConditionType, RuleParserMissingField,
    ::testing::Values(
        MissingField{"sla_breach", "{}", "condition.overdue_minutes: required field missing"},
        MissingField{"time_in_status", R"({"minutes": 5})",
                     "condition.status: required field missing"},
        MissingField{"time_in_status", R"({"status": "open"})",
                     "condition.minutes: required field missing"},
        MissingField{"priority_level", R"({"open_minutes": 5})",
                     "condition.at_least: required field missing"},
        MissingField{"priority_level", R"({"at_least": "high"})",
                     "condition.open_minutes: required field missing"},
        MissingField{"no_response", "{}", "condition.minutes: required field missing"},
        MissingField{"customer_rating", "{}", "condition.at_most: required field missing"}));

struct BadMinutes {
  const char* value;
  const char* expected;
};

class RuleParserBadMinutes : public ::testing::TestWithParam<BadMinutes> {};

TEST_P(RuleParserBadMinutes, RejectsAnythingButANonNegativeIntegerOfMinutes) {
  const std::string condition = std::string(R"({"overdue_minutes": )") + GetParam().value + "}";
  EXPECT_THAT(field_errors(row("sla_breach", condition)),
              ElementsAre(std::string("condition.overdue_minutes: ") + GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    EveryMistypedShape, RuleParserBadMinutes,
    ::testing::Values(
        BadMinutes{R"("ten")", R"(expected a non-negative integer, got "ten")"},
        BadMinutes{R"("10")", R"(expected a non-negative integer, got "10")"},
        BadMinutes{"10.5", "expected a non-negative integer, got 10.5"},
        BadMinutes{"-1", "expected a non-negative integer, got -1"},
        BadMinutes{"true", "expected a non-negative integer, got true"},
        BadMinutes{"null", "expected a non-negative integer, got null"},
        BadMinutes{"[10]", "expected a non-negative integer, got [10]"},
        BadMinutes{R"({"m": 10})", R"(expected a non-negative integer, got {"m":10})"},
        BadMinutes{"5256001", "expected at most 5256000, got 5256001"},
        BadMinutes{"18446744073709551615", "expected at most 5256000, got 18446744073709551615"}));

TEST(RuleParserCondition, AcceptsZeroAndTheLargestMinutes) {
  EXPECT_THAT(field_errors(row("no_response", R"({"minutes": 0})")), IsEmpty());
  EXPECT_THAT(field_errors(row("no_response", R"({"minutes": 5256000})")), IsEmpty());
}

TEST(RuleParserCondition, RejectsMistypedMinutesInEveryConditionType) {
  EXPECT_THAT(field_errors(row("time_in_status", R"({"status": "open", "minutes": "1h"})")),
              ElementsAre(R"(condition.minutes: expected a non-negative integer, got "1h")"));
  EXPECT_THAT(field_errors(row("priority_level", R"({"at_least": "low", "open_minutes": -3})")),
              ElementsAre("condition.open_minutes: expected a non-negative integer, got -3"));
  EXPECT_THAT(field_errors(row("no_response", R"({"minutes": 1.0})")),
              ElementsAre("condition.minutes: expected a non-negative integer, got 1.0"));
}

TEST(RuleParserCondition, RejectsABadRating) {
  EXPECT_THAT(field_errors(row("customer_rating", R"({"at_most": -1})")),
              ElementsAre("condition.at_most: expected a non-negative integer, got -1"));
  EXPECT_THAT(field_errors(row("customer_rating", R"({"at_most": "2"})")),
              ElementsAre(R"(condition.at_most: expected a non-negative integer, got "2")"));
  EXPECT_THAT(field_errors(row("customer_rating", R"({"at_most": 40000})")),
              ElementsAre("condition.at_most: expected at most 32767, got 40000"));
}

TEST(RuleParserCondition, RejectsABadStatus) {
  EXPECT_THAT(field_errors(row("time_in_status", R"({"status": "", "minutes": 1})")),
              ElementsAre(R"(condition.status: expected a non-empty string, got "")"));
  EXPECT_THAT(field_errors(row("time_in_status", R"({"status": ["open"], "minutes": 1})")),
              ElementsAre(R"(condition.status: expected a string, got ["open"])"));
}

TEST(RuleParserCondition, RejectsAClosedStatusBecauseClosedTicketsAreNeverEvaluated) {
  EXPECT_THAT(field_errors(row("time_in_status", R"({"status": "resolved", "minutes": 1})")),
              ElementsAre("condition.status: \"resolved\" is a closed status "
                          "(helpdesk.closed_statuses); closed tickets are never evaluated"));
}

TEST(RuleParserCondition, RejectsAnUnknownPriorityWithASuggestion) {
  EXPECT_THAT(field_errors(row("priority_level", R"({"at_least": "urgnt", "open_minutes": 0})")),
              ElementsAre("condition.at_least: unknown priority \"urgnt\" (did you mean "
                          "\"urgent\"? configured: low, medium, high, urgent)"));
  EXPECT_THAT(field_errors(row("priority_level", R"({"at_least": "critical", "open_minutes": 0})")),
              ElementsAre("condition.at_least: unknown priority \"critical\" (configured: low, "
                          "medium, high, urgent)"));
  EXPECT_THAT(field_errors(row("priority_level", R"({"at_least": 3, "open_minutes": 0})")),
              ElementsAre("condition.at_least: expected a string, got 3"));
}

TEST(RuleParserCondition, RejectsPriorityNamesInTheWrongCase) {
  EXPECT_THAT(field_errors(row("priority_level", R"({"at_least": "High", "open_minutes": 0})")),
              ElementsAre(HasSubstr("unknown priority \"High\"")));
}

TEST(RuleParserCondition, RejectsBadFilters) {
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minutes": 0, "team_id": 0})")),
              ElementsAre("condition.team_id: expected a positive integer, got 0"));
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minutes": 0, "team_id": "1"})")),
              ElementsAre(R"(condition.team_id: expected a positive integer, got "1")"));
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minutes": 0, "priority": "vip"})")),
              ElementsAre(HasSubstr("condition.priority: unknown priority \"vip\"")));
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minutes": 0, "priority": ""})")),
              ElementsAre(R"(condition.priority: expected a non-empty string, got "")"));
}

TEST(RuleParserCondition, RejectsAMisspelledKeyWithASuggestion) {
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minute": 10})")),
              ElementsAre("condition.overdue_minute: unknown key (did you mean "
                          "\"overdue_minutes\"?)",
                          "condition.overdue_minutes: required field missing"));
  EXPECT_THAT(field_errors(row("sla_breach", R"({"overdue_minutes": 10, "teamid": 1})")),
              ElementsAre("condition.teamid: unknown key (did you mean \"team_id\"?)"));
}

TEST(RuleParserCondition, RejectsAnUnrelatedKeyListingTheAllowedOnes) {
  EXPECT_THAT(field_errors(row("no_response", R"({"minutes": 10, "colour": "red"})")),
              ElementsAre("condition.colour: unknown key (allowed: minutes, team_id, priority)"));
}

TEST(RuleParserCondition, RejectsAKeyThatBelongsToAnotherConditionType) {
  EXPECT_THAT(field_errors(row("no_response", R"({"minutes": 10, "at_most": 2})")),
              ElementsAre(HasSubstr("condition.at_most: unknown key")));
}

// ---- actions ----------------------------------------------------------------------------------

TEST(RuleParserActions, RejectsActionsThatAreNotANonEmptyArray) {
  EXPECT_THAT(field_errors(with_actions("[]")),
              ElementsAre("actions: expected a non-empty array of actions, got []"));
  EXPECT_THAT(
      field_errors(with_actions(R"({"type": "notify"})")),
      ElementsAre(R"(actions: expected a non-empty array of actions, got {"type":"notify"})"));
  EXPECT_THAT(field_errors(with_actions("null")),
              ElementsAre("actions: expected a non-empty array of actions, got null"));
}

TEST(RuleParserActions, RejectsAnActionThatIsNotAnObject) {
  EXPECT_THAT(field_errors(with_actions(R"(["notify"])")),
              ElementsAre(R"(actions[0]: expected an action object, got "notify")"));
}

TEST(RuleParserActions, RejectsAMissingOrMistypedType) {
  EXPECT_THAT(field_errors(with_actions(R"([{"to": ["creator"]}])")),
              ElementsAre("actions[0].type: required field missing"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": 1}])")),
              ElementsAre("actions[0].type: expected a string, got 1"));
}

TEST(RuleParserActions, RejectsAnUnknownActionType) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "notfy", "to": ["creator"]}])")),
              ElementsAre("actions[0].type: unknown action type \"notfy\" (did you mean "
                          "\"notify\"?)"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "delete_ticket"}])")),
              ElementsAre("actions[0].type: unknown action type \"delete_ticket\" (expected one "
                          "of: notify, reassign, increase_priority, set_priority, set_team, "
                          "add_follower, set_status)"));
}

TEST(RuleParserActions, NamesTheIndexOfTheBadAction) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "notify", "to": ["creator"]},
                                            {"type": "set_team"}])")),
              ElementsAre("actions[1].team_id: required field missing"));
}

TEST(RuleParserActions, RejectsUnknownKeysInActions) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority", "step": 1}])")),
              ElementsAre("actions[0].step: unknown key (did you mean \"steps\"?)",
                          "actions[0].steps: required field missing"));
  EXPECT_THAT(
      field_errors(with_actions(R"([{"type": "notify", "to": ["creator"], "via": "sms"}])")),
      ElementsAre("actions[0].via: unknown key (allowed: type, to)"));
}

TEST(RuleParserActions, RejectsBadNotifyRecipients) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "notify"}])")),
              ElementsAre("actions[0].to: required field missing"));
  EXPECT_THAT(
      field_errors(with_actions(R"([{"type": "notify", "to": "assignee"}])")),
      ElementsAre(
          R"(actions[0].to: expected a non-empty array of roles (creator, assignee, team_leader, followers) and user ids, got "assignee")"));
  EXPECT_THAT(
      field_errors(
          with_actions(R"([{"type": "notify", "to": ["asignee", "manager", 0, 2.5, "3", null]}])")),
      ElementsAre(
          R"(actions[0].to[0]: expected a role (creator, assignee, team_leader, followers) or a user id, got "asignee" (did you mean "assignee"?))",
          R"(actions[0].to[1]: expected a role (creator, assignee, team_leader, followers) or a user id, got "manager")",
          "actions[0].to[2]: expected a positive integer, got 0",
          "actions[0].to[3]: expected a role (creator, assignee, team_leader, followers) or a user "
          "id, got 2.5",
          R"(actions[0].to[4]: expected a role (creator, assignee, team_leader, followers) or a user id, got "3")",
          "actions[0].to[5]: expected a role (creator, assignee, team_leader, followers) or a user "
          "id, got null"));
}

TEST(RuleParserActions, RejectsBadReassignTargets) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "reassign"}])")),
              ElementsAre("actions[0].to: required field missing"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "reassign", "to": "manager"}])")),
              ElementsAre(R"(actions[0].to: expected a user id or "team_leader", got "manager")"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "reassign", "to": 0}])")),
              ElementsAre("actions[0].to: expected a positive integer, got 0"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "reassign", "to": -4}])")),
              ElementsAre("actions[0].to: expected a positive integer, got -4"));
  EXPECT_THAT(
      field_errors(with_actions(R"([{"type": "reassign", "to": ["team_leader"]}])")),
      ElementsAre(R"(actions[0].to: expected a user id or "team_leader", got ["team_leader"])"));
}

TEST(RuleParserActions, RejectsBadPrioritySteps) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority"}])")),
              ElementsAre("actions[0].steps: required field missing"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority", "steps": 0}])")),
              ElementsAre("actions[0].steps: expected a positive integer, got 0"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority", "steps": -1}])")),
              ElementsAre("actions[0].steps: expected a positive integer, got -1"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority", "steps": "1"}])")),
              ElementsAre(R"(actions[0].steps: expected a positive integer, got "1")"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "increase_priority", "steps": 101}])")),
              ElementsAre("actions[0].steps: expected at most 100, got 101"));
}

TEST(RuleParserActions, RejectsABadSetPriority) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_priority"}])")),
              ElementsAre("actions[0].priority: required field missing"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_priority", "priority": "hihg"}])")),
              ElementsAre("actions[0].priority: unknown priority \"hihg\" (did you mean "
                          "\"high\"? configured: low, medium, high, urgent)"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_priority", "priority": null}])")),
              ElementsAre("actions[0].priority: expected a string, got null"));
}

TEST(RuleParserActions, RejectsABadSetTeam) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_team", "team_id": "support"}])")),
              ElementsAre(R"(actions[0].team_id: expected a positive integer, got "support")"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_team", "team": 1}])")),
              ElementsAre("actions[0].team: unknown key (did you mean \"team_id\"?)",
                          "actions[0].team_id: required field missing"));
}

TEST(RuleParserActions, RejectsABadAddFollower) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "add_follower", "user_id": 0}])")),
              ElementsAre("actions[0].user_id: expected a positive integer, got 0"));
  EXPECT_THAT(
      field_errors(with_actions(R"([{"type": "add_follower", "user_id": 9223372036854775808}])")),
      ElementsAre("actions[0].user_id: expected at most 9223372036854775807, got "
                  "9223372036854775808"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "add_follower"}])")),
              ElementsAre("actions[0].user_id: required field missing"));
}

TEST(RuleParserActions, RejectsABadSetStatus) {
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_status", "status": ""}])")),
              ElementsAre(R"(actions[0].status: expected a non-empty string, got "")"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_status", "status": 2}])")),
              ElementsAre("actions[0].status: expected a string, got 2"));
  EXPECT_THAT(field_errors(with_actions(R"([{"type": "set_status"}])")),
              ElementsAre("actions[0].status: required field missing"));
}

}  // namespace
}  // namespace ticketwatch::jobs

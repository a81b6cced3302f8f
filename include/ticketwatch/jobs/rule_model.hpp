#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::jobs {

// The typed form of one escalation_rules row (docs/rules.md). Every value has been checked
// against the config (priorities, closed statuses) by the parser, so the executor never has to.

enum class ConditionType {
  sla_breach,
  time_in_status,
  priority_level,
  no_response,
  customer_rating
};

std::string_view to_string(ConditionType type);
std::optional<ConditionType> condition_type_from_string(std::string_view text);

// sla_due_at + overdue <= now.
struct SlaBreachCondition {
  std::chrono::minutes overdue{0};
};

// status = status and status_changed_at + minutes <= now.
struct TimeInStatusCondition {
  std::string status;
  std::chrono::minutes minutes{0};
};

// priority at or above at_least (config order) and created_at + open <= now.
struct PriorityLevelCondition {
  std::string at_least;
  std::chrono::minutes open{0};
};

// first_response_at is null and created_at + minutes <= now.
struct NoResponseCondition {
  std::chrono::minutes minutes{0};
};

// customer_rating is not null and customer_rating <= at_most.
struct CustomerRatingCondition {
  int at_most = 0;
};

using Condition = std::variant<SlaBreachCondition, TimeInStatusCondition, PriorityLevelCondition,
                               NoResponseCondition, CustomerRatingCondition>;

ConditionType condition_type(const Condition& condition);

// Optional narrowing shared by every condition type.
struct RuleFilters {
  std::optional<std::int64_t> team_id;
  std::optional<std::string> priority;
};

struct NotifyAction {
  std::vector<config::Role> roles;     // resolved per ticket at the action's turn
  std::vector<std::int64_t> user_ids;  // fixed recipients
};

// `user_id` empty: the leader of the ticket's team (at the action's turn).
struct ReassignAction {
  std::optional<std::int64_t> user_id;
};

// Moves up the configured priority list, stopping at the highest.
struct IncreasePriorityAction {
  int steps = 1;
};

struct SetPriorityAction {
  std::string priority;
};

struct SetTeamAction {
  std::int64_t team_id = 0;
};

struct AddFollowerAction {
  std::int64_t user_id = 0;
};

// Statuses are the application's; a closing status is allowed (the ticket then leaves every
// later rule's scope).
struct SetStatusAction {
  std::string status;
};

using Action = std::variant<NotifyAction, ReassignAction, IncreasePriorityAction, SetPriorityAction,
                            SetTeamAction, AddFollowerAction, SetStatusAction>;

// "notify", "reassign", ... as spelled in the rule JSON.
std::string_view action_type_name(const Action& action);

// An id the rule names, and where: checked against the database (check_rule_references), since
// an id that does not exist would otherwise fail every batch on a foreign key.
struct RuleReference {
  enum class Kind {
    user,         // must exist (notify: an inactive user is simply not notified)
    active_user,  // must exist and be active (reassign, add_follower)
    team,         // must exist (filter, set_team)
  };
  Kind kind = Kind::user;
  std::int64_t id = 0;
  std::string path;  // "actions[0].to[2]"
};

struct Rule {
  std::int64_t id = 0;
  std::string name;
  bool active = true;
  int position = 0;
  Condition condition;
  RuleFilters filters;
  std::vector<Action> actions;  // never empty; applied in order
  std::vector<RuleReference> references;
};

}  // namespace ticketwatch::jobs

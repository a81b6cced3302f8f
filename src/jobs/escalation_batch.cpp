#include "escalation_batch.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "escalation_pg_array.hpp"
#include "escalation_queries.hpp"
#include "rule_visit.hpp"
#include "ticketwatch/jobs/escalation_monitor.hpp"

namespace ticketwatch::jobs {
namespace {

using detail::Overloaded;

// libpqxx 6 sends a null parameter for a null `const char*`.
const char* nullable(const std::optional<std::string>& text) {
  return text ? text->c_str() : nullptr;
}

std::string_view role_name(config::Role role) {
  switch (role) {
    case config::Role::creator:
      return "creator";
    case config::Role::assignee:
      return "assignee";
    case config::Role::team_leader:
      return "team_leader";
    case config::Role::followers:
      return "followers";
  }
  return "unknown";
}

// The configured priorities from `at_least` upwards (the parser checked it is among them).
std::vector<std::string> at_least(const std::vector<std::string>& priorities,
                                  const std::string& lowest) {
  const auto from = std::find(priorities.begin(), priorities.end(), lowest);
  return {from, priorities.end()};
}

pqxx::result claim(pqxx::work& tx, const EscalationRun& run, const Rule& rule,
                   const ClaimWindow& window) {
  using escalation_sql::ClaimMode;
  const ConditionType type = condition_type(rule.condition);
  const std::string& sql = escalation_sql::claim(type, window.mode);
  const std::optional<std::string> team =
      rule.filters.team_id ? std::optional(std::to_string(*rule.filters.team_id)) : std::nullopt;
  const std::string type_name(to_string(type));
  const auto exec = [&](const auto&... condition_values) {
    const auto shared = [&](const auto&... mode_values) {
      return tx.exec_params(sql, rule.id, run.now, run.closed_statuses, run.batch_size,
                            nullable(team), nullable(rule.filters.priority), type_name,
                            window.after_ticket, mode_values..., condition_values...);
    };
    switch (window.mode) {
      case ClaimMode::since:
        return shared(window.since);
      case ClaimMode::changed:
        return shared(window.after_xid, window.changes_from, window.changes_before);
      case ClaimMode::full:
        break;
    }
    return shared();
  };
  return std::visit(
      Overloaded{
          [&](const SlaBreachCondition& c) { return exec(c.overdue.count()); },
          [&](const TimeInStatusCondition& c) { return exec(c.status, c.minutes.count()); },
          [&](const PriorityLevelCondition& c) {
            return exec(pg_array(at_least(run.helpdesk->priorities, c.at_least)), c.open.count());
          },
          [&](const NoResponseCondition& c) { return exec(c.minutes.count()); },
          [&](const CustomerRatingCondition& c) { return exec(c.at_most); },
      },
      rule.condition);
}

// Runs one action statement; returns its count (tickets changed or notifications created).
std::int64_t apply(pqxx::work& tx, const std::string& executions, const EscalationRun& run,
                   const Rule& rule, const Action& action) {
  namespace q = escalation_sql;
  const auto exec = [&](const char* sql, const auto&... values) {
    return tx.exec_params1(sql, executions, values...)[0].template as<std::int64_t>();
  };
  return std::visit(
      Overloaded{
          [&](const NotifyAction& a) {
            std::vector<std::string> roles;
            for (auto role : a.roles) roles.emplace_back(role_name(role));
            return exec(q::kNotify, pg_array(roles), pg_array(a.user_ids), rule.id, rule.name,
                        std::string(to_string(condition_type(rule.condition))));
          },
          [&](const ReassignAction& a) {
            const std::optional<std::string> user =
                a.user_id ? std::optional(std::to_string(*a.user_id)) : std::nullopt;
            return exec(q::kReassign, run.now, nullable(user));
          },
          [&](const IncreasePriorityAction& a) {
            return exec(q::kIncreasePriority, run.now, run.priorities, a.steps);
          },
          [&](const SetPriorityAction& a) { return exec(q::kSetPriority, run.now, a.priority); },
          [&](const SetTeamAction& a) { return exec(q::kSetTeam, run.now, a.team_id); },
          [&](const AddFollowerAction& a) { return exec(q::kAddFollower, a.user_id); },
          [&](const SetStatusAction& a) { return exec(q::kSetStatus, run.now, a.status); },
      },
      action);
}

}  // namespace

BatchOutcome run_rule_batch(pqxx::connection& conn, const EscalationRun& run, const Rule& rule,
                            const ClaimWindow& window) {
  pqxx::work tx(conn, "escalation_rule_batch");
  BatchOutcome outcome;
  std::vector<std::int64_t> execution_ids;
  for (const auto& row : claim(tx, run, rule, window)) {
    outcome.candidates = row[0].as<std::int64_t>();
    outcome.last_candidate = row[1].is_null() ? window.after_ticket : row[1].as<std::int64_t>();
    outcome.last_xid = row[2].is_null() ? window.after_xid : row[2].as<std::string>();
    if (!row[3].is_null()) execution_ids.push_back(row[3].as<std::int64_t>());
  }
  outcome.executions = static_cast<std::int64_t>(execution_ids.size());
  if (execution_ids.empty()) {
    // Nothing claimed, nothing written: only the candidate locks to release.
    tx.commit();
    return outcome;
  }

  const std::string executions = pg_array(execution_ids);
  for (const auto& action : rule.actions) {
    const std::int64_t count = apply(tx, executions, run, rule, action);
    if (std::holds_alternative<NotifyAction>(action)) outcome.notifications += count;
  }
  outcome.tickets_changed = tx.exec_params1(escalation_sql::kWriteHistory, executions, rule.name,
                                            run.executions_before)[0]
                                .as<std::int64_t>();
  if (outcome.notifications > 0) {
    const nlohmann::json payload{{"job", kEscalationMonitorJob},
                                 {"rule_id", rule.id},
                                 {"notifications", outcome.notifications}};
    tx.exec_params(escalation_sql::kNotifyListeners, escalation_sql::kNotificationChannel,
                   payload.dump());
  }
  tx.commit();
  return outcome;
}

}  // namespace ticketwatch::jobs

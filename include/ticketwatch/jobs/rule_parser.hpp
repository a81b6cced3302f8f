#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/rule_model.hpp"

namespace ticketwatch::jobs {

// An escalation_rules row as stored: condition and actions still JSON text (the columns are
// jsonb, so they are valid JSON, but their shape is whatever the application wrote).
struct RuleRow {
  std::int64_t id = 0;
  std::string name;
  bool active = true;
  int position = 0;
  std::string condition_type;
  std::string condition_json;
  std::string actions_json;
};

// One thing wrong with a rule. A malformed rule is normal input, so it travels as a value.
struct RuleError {
  std::int64_t rule_id = 0;
  std::string rule_name;
  bool rule_active = true;
  std::string path;  // JSON path of the bad field: "condition.overdue_minutes", "actions[1].to[0]"
  std::string message;

  // `rule 7 "VIP breach": condition.overdue_minutes: expected a non-negative integer, got "ten"`
  // (an inactive rule says `rule 7 "VIP breach" (inactive): ...`).
  std::string to_string() const;
};

// Either the typed rule or every error found in it (not only the first).
class RuleParseResult {
 public:
  explicit RuleParseResult(Rule rule) : value_(std::move(rule)) {}
  explicit RuleParseResult(std::vector<RuleError> errors) : value_(std::move(errors)) {}

  bool ok() const { return std::holds_alternative<Rule>(value_); }
  const Rule& rule() const { return std::get<Rule>(value_); }
  const std::vector<RuleError>& errors() const { return std::get<std::vector<RuleError>>(value_); }

 private:
  std::variant<Rule, std::vector<RuleError>> value_;
};

// Checks the row's shape and values against the helpdesk config: known condition and action
// types, every required field present with the right type, no unknown keys, non-negative
// numbers, priorities from helpdesk.priorities, a time_in_status status that is not closed.
// Does not look at the database (user and team ids: see check_rule_references).
RuleParseResult parse_rule(const RuleRow& row, const config::HelpdeskConfig& helpdesk);

}  // namespace ticketwatch::jobs

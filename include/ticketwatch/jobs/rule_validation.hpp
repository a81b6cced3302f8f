#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/rule_model.hpp"
#include "ticketwatch/jobs/rule_parser.hpp"

namespace ticketwatch::jobs {

struct InvalidRule {
  std::int64_t id = 0;
  std::string name;
  std::vector<RuleError> errors;  // never empty

  // Every error's message, "; "-separated, each as "path: message".
  std::string describe() const;
};

// The escalation_rules rows, split into those that can run and those that cannot. Both keep
// the rows' position order.
struct RuleSet {
  std::vector<Rule> valid;
  std::vector<InvalidRule> invalid;
};

// Errors for every user or team id a rule names that does not exist in the database (or, where
// the action needs it, is not active). Two statements, whatever the number of rules.
std::vector<RuleError> check_rule_references(pqxx::transaction_base& tx,
                                             const std::vector<Rule>& rules);

// Reads escalation_rules (only active rows when `active_only`), parses each row against the
// helpdesk config and checks the ids it names.
RuleSet load_rules(pqxx::transaction_base& tx, const config::HelpdeskConfig& helpdesk,
                   bool active_only);

// For `ticketwatchd check-rules`: every error of every rule in the database, active and inactive
// (an inactive rule is reported as such, so that it can be fixed before it is switched on), one
// line each: `rule 7 "VIP breach": condition.overdue_minutes: expected ...`. Empty: all valid.
std::vector<std::string> validate_rules(pqxx::connection& conn, const config::Config& config);

}  // namespace ticketwatch::jobs

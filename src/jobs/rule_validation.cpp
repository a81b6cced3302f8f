#include "ticketwatch/jobs/rule_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "escalation_pg_array.hpp"
#include "escalation_queries.hpp"

namespace ticketwatch::jobs {
namespace {

RuleRow to_row(const pqxx::row& r) {
  RuleRow row;
  row.id = r[0].as<std::int64_t>();
  row.name = r[1].as<std::string>();
  row.active = r[2].as<bool>();
  row.position = r[3].as<int>();
  row.condition_type = r[4].as<std::string>();
  row.condition_json = r[5].as<std::string>();
  row.actions_json = r[6].as<std::string>();
  return row;
}

}  // namespace

std::string InvalidRule::describe() const {
  std::string out;
  for (const auto& e : errors) {
    out += out.empty() ? "" : "; ";
    out += fmt::format("{}: {}", e.path, e.message);
  }
  return out;
}

std::vector<RuleError> check_rule_references(pqxx::transaction_base& tx,
                                             const std::vector<Rule>& rules) {
  std::set<std::int64_t> user_ids;
  std::set<std::int64_t> team_ids;
  for (const auto& rule : rules) {
    for (const auto& ref : rule.references) {
      (ref.kind == RuleReference::Kind::team ? team_ids : user_ids).insert(ref.id);
    }
  }
  std::map<std::int64_t, bool> users;  // id -> active
  std::set<std::int64_t> teams;
  if (!user_ids.empty()) {
    for (const auto& r : tx.exec_params(escalation_sql::kExistingUsers, pg_array(user_ids))) {
      users.emplace(r[0].as<std::int64_t>(), r[1].as<bool>());
    }
  }
  if (!team_ids.empty()) {
    for (const auto& r : tx.exec_params(escalation_sql::kExistingTeams, pg_array(team_ids))) {
      teams.insert(r[0].as<std::int64_t>());
    }
  }

  std::vector<RuleError> errors;
  for (const auto& rule : rules) {
    for (const auto& ref : rule.references) {
      std::string message;
      if (ref.kind == RuleReference::Kind::team) {
        if (!teams.contains(ref.id)) message = fmt::format("team {} does not exist", ref.id);
      } else if (const auto user = users.find(ref.id); user == users.end()) {
        message = fmt::format("user {} does not exist", ref.id);
      } else if (ref.kind == RuleReference::Kind::active_user && !user->second) {
        message = fmt::format("user {} is inactive", ref.id);
      }
      if (!message.empty()) {
        errors.push_back(RuleError{rule.id, rule.name, rule.active, ref.path, std::move(message)});
      }
    }
  }
  return errors;
}

RuleSet load_rules(pqxx::transaction_base& tx, const config::HelpdeskConfig& helpdesk,
                   bool active_only) {
  std::vector<Rule> parsed;
  std::vector<InvalidRule> invalid;
  std::vector<std::int64_t> order;  // every rule id in position order
  for (const auto& r : tx.exec_params(escalation_sql::kLoadRules, active_only)) {
    const RuleRow row = to_row(r);
    order.push_back(row.id);
    auto result = parse_rule(row, helpdesk);
    if (result.ok()) {
      parsed.push_back(result.rule());
    } else {
      invalid.push_back(InvalidRule{row.id, row.name, result.errors()});
    }
  }

  std::map<std::int64_t, std::vector<RuleError>> reference_errors;
  for (auto& e : check_rule_references(tx, parsed)) {
    reference_errors[e.rule_id].push_back(std::move(e));
  }

  RuleSet set;
  for (auto& rule : parsed) {
    if (auto found = reference_errors.find(rule.id); found != reference_errors.end()) {
      invalid.push_back(InvalidRule{rule.id, rule.name, std::move(found->second)});
    } else {
      set.valid.push_back(std::move(rule));
    }
  }
  // Back into position order (ids are unique, so the order is total).
  std::map<std::int64_t, std::size_t> rank;
  for (std::size_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
  std::sort(invalid.begin(), invalid.end(),
            [&](const auto& a, const auto& b) { return rank[a.id] < rank[b.id]; });
  set.invalid = std::move(invalid);
  return set;
}

std::vector<std::string> validate_rules(pqxx::connection& conn, const config::Config& config) {
  pqxx::read_transaction tx(conn, "check_rules");
  const RuleSet set = load_rules(tx, config.helpdesk, /*active_only=*/false);
  std::vector<std::string> lines;
  for (const auto& rule : set.invalid) {
    for (const auto& e : rule.errors) lines.push_back(e.to_string());
  }
  return lines;
}

}  // namespace ticketwatch::jobs

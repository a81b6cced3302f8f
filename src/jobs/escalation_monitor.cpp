#include "ticketwatch/jobs/escalation_monitor.hpp"

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <stdexcept>

#include "escalation_batch.hpp"
#include "escalation_pg_array.hpp"
#include "escalation_queries.hpp"
#include "ticketwatch/jobs/rule_validation.hpp"

namespace ticketwatch::jobs {
namespace {

struct FailedRule {
  const Rule* rule;
  std::string error;
};

// Stops at a batch boundary: what committed stays committed, and the run is reported failed
// because it did not finish.
void throw_if_stopped(const JobEnvironment& env, std::int64_t rules_done, std::size_t rules) {
  if (env.stop.stop_requested()) {
    throw std::runtime_error(
        fmt::format("{} stopped after {} of {} rules (timeout or shutdown); committed batches "
                    "stay committed, the next run carries on",
                    kEscalationMonitorJob, rules_done, rules));
  }
}

// A database error in one rule's batch (a trigger raising, a constraint, a deadlock) rolls back
// that batch only; the error is reported and the remaining rules still run. Class 57 (operator
// intervention: statement_timeout, cancel, admin shutdown) is about the run, not the rule, and
// ends it; so do connection errors and an unknown commit outcome, which are not caught here.
bool ends_the_run(const pqxx::sql_error& e) {
  return e.sqlstate().starts_with("57");
}

}  // namespace

nlohmann::json run_escalation_monitor(const JobEnvironment& env) {
  const auto started = std::chrono::steady_clock::now();
  const auto& helpdesk = env.config.helpdesk;

  EscalationRun run;
  run.helpdesk = &helpdesk;
  run.closed_statuses = pg_array(helpdesk.closed_statuses);
  run.priorities = pg_array(helpdesk.priorities);
  run.batch_size = std::max(1, env.config.escalation_monitor.schedule.batch_size);

  RuleSet rules;
  {
    pqxx::read_transaction tx(env.conn, "escalation_rules");
    run.now = tx.exec1(escalation_sql::kNow)[0].as<std::string>();
    rules = load_rules(tx, helpdesk, /*active_only=*/true);
  }

  nlohmann::json invalid = nlohmann::json::array();
  for (const auto& bad : rules.invalid) {
    env.log.error("escalation rule {} \"{}\" skipped: {}", bad.id, bad.name, bad.describe());
    invalid.push_back({{"id", bad.id}, {"name", bad.name}, {"error", bad.describe()}});
  }

  nlohmann::json executions = nlohmann::json::object();
  nlohmann::json executions_by_name = nlohmann::json::object();
  std::int64_t notifications = 0;
  std::set<std::int64_t> changed;
  std::vector<FailedRule> failed;
  std::int64_t rules_done = 0;
  const auto record_failure = [&](const Rule& rule, std::string error) {
    env.log.error("escalation rule {} \"{}\" failed, its current batch was rolled back: {}",
                  rule.id, rule.name, error);
    failed.push_back(FailedRule{&rule, std::move(error)});
  };

  for (const auto& rule : rules.valid) {
    throw_if_stopped(env, rules_done, rules.valid.size());
    std::int64_t rule_executions = 0;
    try {
      std::int64_t after_ticket = 0;
      while (true) {
        const BatchOutcome batch = run_rule_batch(env.conn, run, rule, after_ticket);
        after_ticket = batch.last_candidate;
        rule_executions += batch.executions;
        notifications += batch.notifications;
        changed.insert(batch.changed_tickets.begin(), batch.changed_tickets.end());
        // Fewer candidates than a batch: that was all of them.
        if (batch.candidates < run.batch_size) break;
        throw_if_stopped(env, rules_done, rules.valid.size());
      }
    } catch (const pqxx::sql_error& e) {
      if (ends_the_run(e)) throw;
      record_failure(rule, e.what());
    } catch (const pqxx::statement_completion_unknown&) {
      throw;
    } catch (const pqxx::transaction_rollback& e) {
      record_failure(rule, e.what());
    }
    ++rules_done;
    const std::string id = std::to_string(rule.id);
    executions[id] = rule_executions;
    executions_by_name[rule.name] =
        executions_by_name.value(rule.name, std::int64_t{0}) + rule_executions;
    if (rule_executions > 0) {
      env.log.info("escalation rule {} \"{}\" executed on {} ticket(s)", rule.id, rule.name,
                   rule_executions);
    }
  }

  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  nlohmann::json summary{
      {"rules_evaluated", rules_done},
      {"rules_invalid", rules.invalid.size()},
      {"invalid_rules", invalid},
      {"executions", executions},
      {"executions_by_name", executions_by_name},
      {"notifications_created", notifications},
      {"tickets_changed", changed.size()},
      {"duration_ms", duration.count()},
  };

  if (!failed.empty()) {
    // Committed work stays; the run fails so that the scheduler retries and operators see it.
    std::string what;
    for (const auto& f : failed) {
      what += what.empty() ? "" : "; ";
      what += fmt::format("rule {} \"{}\": {}", f.rule->id, f.rule->name, f.error);
    }
    env.log.error("escalation-monitor summary before failing: {}", summary.dump());
    throw std::runtime_error(
        fmt::format("{} of {} escalation rules failed: {}", failed.size(), rules_done, what));
  }
  return summary;
}

}  // namespace ticketwatch::jobs

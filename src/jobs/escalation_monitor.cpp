#include "ticketwatch/jobs/escalation_monitor.hpp"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
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

// What the last complete pass of a rule left (0004_escalation_watermarks.sql).
struct Watermark {
  std::string fingerprint;                   // of the rule as loaded by this run
  std::optional<std::string> checked_until;  // null: no usable watermark, a full pass
  std::string changes_from;
};

// What committed batches did, counted as they commit (a later failure does not undo them).
struct Totals {
  std::int64_t executions = 0;  // of the current rule
  std::int64_t notifications = 0;
  std::int64_t tickets_changed = 0;  // distinct over the run (kWriteHistory)
};

// Runs the batches of one claim mode until a page comes back short.
void run_mode(const JobEnvironment& env, const EscalationRun& run, const Rule& rule,
              ClaimWindow window, Totals& totals, const std::function<void()>& throw_if_stopped) {
  while (true) {
    const BatchOutcome batch = run_rule_batch(env.conn, run, rule, window);
    window.after_ticket = batch.last_candidate;
    window.after_xid = batch.last_xid;
    totals.executions += batch.executions;
    totals.notifications += batch.notifications;
    totals.tickets_changed += batch.tickets_changed;
    // Fewer candidates than a batch: that was all of them.
    if (batch.candidates < run.batch_size) break;
    throw_if_stopped();
  }
}

// One rule, all its batches. Without a usable watermark: every matching ticket. With one: the
// tickets whose condition became true since it, then the tickets changed since it; a ticket can
// newly match in no other way (0004_escalation_watermarks.sql). The changed claim stops below the
// transaction ids of this rule's own batches, so a ticket its own actions change (a new episode
// under increase_priority) waits for the next run, as with the keyset of a full pass.
void run_rule(const JobEnvironment& env, const EscalationRun& run, const Rule& rule,
              const Watermark& mark, Totals& totals,
              const std::function<void()>& throw_if_stopped) {
  using escalation_sql::ClaimMode;
  if (!mark.checked_until) {
    run_mode(env, run, rule, ClaimWindow{}, totals, throw_if_stopped);
    return;
  }
  std::string changes_before;
  {
    pqxx::nontransaction tx(env.conn, "escalation_rule_start");
    changes_before = tx.exec1(escalation_sql::kRuleStart)[0].as<std::string>();
  }
  if (escalation_sql::depends_on_time(condition_type(rule.condition))) {
    ClaimWindow since;
    since.mode = ClaimMode::since;
    since.since = *mark.checked_until;
    run_mode(env, run, rule, since, totals, throw_if_stopped);
  }
  ClaimWindow recent;
  recent.mode = ClaimMode::changed;
  recent.changes_from = mark.changes_from;
  recent.changes_before = changes_before;
  run_mode(env, run, rule, recent, totals, throw_if_stopped);
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
  std::string run_xmin;
  std::map<std::int64_t, Watermark> watermarks;
  {
    // One snapshot for the clock, the rules and their watermarks: a watermark is only ever used
    // with the definition of the rule it was recorded for.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(env.conn, "escalation_rules");
    const auto clock = tx.exec1(escalation_sql::kRunClock);
    run.now = clock[0].as<std::string>();
    run_xmin = clock[1].as<std::string>();
    run.executions_before = clock[2].as<std::int64_t>();
    rules = load_rules(tx, helpdesk, /*active_only=*/true);
    for (const auto& row :
         tx.exec_params(escalation_sql::kLoadWatermarks, run.closed_statuses, run.priorities)) {
      Watermark mark;
      mark.fingerprint = row[1].as<std::string>();
      if (!row[2].is_null()) {
        mark.checked_until = row[2].as<std::string>();
        mark.changes_from = row[3].as<std::string>();
      }
      watermarks[row[0].as<std::int64_t>()] = std::move(mark);
    }
  }

  nlohmann::json invalid = nlohmann::json::array();
  for (const auto& bad : rules.invalid) {
    env.log.error("escalation rule {} \"{}\" skipped: {}", bad.id, bad.name, bad.describe());
    invalid.push_back({{"id", bad.id}, {"name", bad.name}, {"error", bad.describe()}});
  }

  nlohmann::json executions = nlohmann::json::object();
  nlohmann::json executions_by_name = nlohmann::json::object();
  Totals totals;
  std::vector<FailedRule> failed;
  std::int64_t rules_done = 0;
  std::int64_t incremental = 0;
  const auto record_failure = [&](const Rule& rule, std::string error) {
    env.log.error("escalation rule {} \"{}\" failed, its current batch was rolled back: {}",
                  rule.id, rule.name, error);
    failed.push_back(FailedRule{&rule, std::move(error)});
  };

  for (const auto& rule : rules.valid) {
    throw_if_stopped(env, rules_done, rules.valid.size());
    totals.executions = 0;
    try {
      // Loaded in the same snapshot as the rules: every valid rule has its row.
      const Watermark& mark = watermarks.at(rule.id);
      if (mark.checked_until) ++incremental;
      run_rule(env, run, rule, mark, totals,
               [&] { throw_if_stopped(env, rules_done, rules.valid.size()); });
      // Every batch of the rule committed: the next run may start where this one looked.
      pqxx::nontransaction tx(env.conn, "escalation_watermark");
      tx.exec_params0(escalation_sql::kStoreWatermark, rule.id, mark.fingerprint, run.now,
                      run_xmin);
    } catch (const pqxx::sql_error& e) {
      if (ends_the_run(e)) throw;
      record_failure(rule, e.what());
    } catch (const pqxx::statement_completion_unknown&) {
      throw;
    } catch (const pqxx::transaction_rollback& e) {
      record_failure(rule, e.what());
    }
    ++rules_done;
    const std::int64_t rule_executions = totals.executions;
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
      // Rules that read only what changed since their watermark; the others read every matching
      // ticket (first pass, rule or settings edited).
      {"rules_incremental", incremental},
      {"rules_invalid", rules.invalid.size()},
      {"invalid_rules", invalid},
      {"executions", executions},
      {"executions_by_name", executions_by_name},
      {"notifications_created", totals.notifications},
      {"tickets_changed", totals.tickets_changed},
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

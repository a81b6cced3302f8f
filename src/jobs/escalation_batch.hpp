#pragma once

// Private to the escalation-monitor: one rule over one batch of tickets, in one transaction.

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "escalation_queries.hpp"
#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/rule_model.hpp"

namespace ticketwatch::jobs {

// What every batch of a run shares.
struct EscalationRun {
  std::string now;              // the run's database "now", as timestamptz text
  std::string closed_statuses;  // text[] literal
  std::string priorities;       // text[] literal, lowest first
  const config::HelpdeskConfig* helpdesk = nullptr;
  int batch_size = 1000;
  // The largest escalation_executions id when the run began: the run's own executions lie above.
  std::int64_t executions_before = 0;
};

// Where a rule's claim looks (escalation_sql::ClaimMode) and where its keyset stands.
struct ClaimWindow {
  escalation_sql::ClaimMode mode = escalation_sql::ClaimMode::full;
  std::string since;              // since: the watermark's checked_until (timestamptz text)
  std::string changes_from;       // changed: transaction ids in [changes_from, changes_before)
  std::string changes_before;     //   (xid8 text)
  std::int64_t after_ticket = 0;  // keyset: full/since the last ticket id, changed with after_xid
  std::string after_xid = "0";
};

struct BatchOutcome {
  // full/since: matching tickets seen (claimed here or by another run); changed: changed tickets
  // scanned. Fewer than a batch: that was the last page.
  std::int64_t candidates = 0;
  std::int64_t last_candidate = 0;  // the keyset after this batch: the next batch starts after it
  std::string last_xid;             //   (changed mode: with this transaction id)
  std::int64_t executions = 0;      // episodes claimed and executed here
  std::int64_t notifications = 0;
  std::int64_t tickets_changed = 0;  // tickets an action changed, each counted once per run
};

// Claims up to batch_size matching episodes for `rule`, applies its actions in order to the
// claimed tickets, writes one history row per execution and commits: all of it or nothing.
// 2 + actions statements (+1 NOTIFY when notifications were created), whatever the number of
// tickets; 1 when nothing is claimed.
// Only tickets after the window's keyset are considered (keyset batches).
BatchOutcome run_rule_batch(pqxx::connection& conn, const EscalationRun& run, const Rule& rule,
                            const ClaimWindow& window);

}  // namespace ticketwatch::jobs

#pragma once

// Private to the escalation-monitor: one rule over one batch of tickets, in one transaction.

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

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
};

struct BatchOutcome {
  std::int64_t candidates = 0;      // matching tickets seen (claimed here or by another run)
  std::int64_t last_candidate = 0;  // highest ticket id seen: the next batch starts after it
  std::int64_t executions = 0;      // episodes claimed and executed here
  std::int64_t notifications = 0;
  std::vector<std::int64_t> changed_tickets;  // tickets some action changed
};

// Claims up to batch_size matching episodes for `rule`, applies its actions in order to the
// claimed tickets, writes one history row per execution and commits: all of it or nothing.
// 2 + actions statements (+1 NOTIFY when notifications were created), whatever the number of
// tickets; 1 when nothing is claimed.
// Only tickets with an id greater than `after_ticket` are considered (keyset batches).
BatchOutcome run_rule_batch(pqxx::connection& conn, const EscalationRun& run, const Rule& rule,
                            std::int64_t after_ticket);

}  // namespace ticketwatch::jobs

#pragma once

#include <pqxx/pqxx>

namespace ticketwatch::bench {

// What the generator made, for the report.
struct DatasetShape {
  long long tickets = 0;
  long long users = 0;
  long long teams = 0;
  long long followers = 0;
  long long with_sla = 0;
};

// Fills a freshly migrated database with `tickets` open tickets and the people around them,
// all inside PostgreSQL (generate_series, a fixed random seed), then VACUUM ANALYZE.
// SLA windows run from 1 h to 5 d and each ticket sits at a uniformly random point of its window
// (up to 30 % past due), so some ticket crosses a level boundary at every moment.
// The insert triggers of both jobs are off while loading: the first passes then start with no
// sla_state and no change records at all, as on an existing helpdesk where ticketwatch is newly
// installed.
void generate_dataset(pqxx::connection& conn, long long tickets);

// Counts what a generated (or cloned) database holds.
DatasetShape dataset_shape(pqxx::connection& conn);

// 1 % of the tickets change status (every ticket id ending in 37 of 100), as the application
// would between two escalation passes. Returns how many changed.
long long change_statuses(pqxx::connection& conn);

// The 20 escalation rules of the benchmark: four of each condition type, with filters and
// every action type.
void insert_escalation_rules(pqxx::connection& conn);

// Simulates a working interval between two passes:
//   - 1 % of the tickets change status (the application updating them);
//   - the clock "moves" for the ~`crossing` tickets whose level boundary (sla_state.next_check_at)
//     comes first. The database clock cannot move, so each of those tickets' times
//     (created_at, sla_started_at, sla_due_at) and its sla_state (due_at, next_check_at) shift
//     back by the same interval: exactly what the job would see had the clock moved forward.
// Returns {tickets updated, tickets shifted}.
struct ChangeCounts {
  long long updated = 0;
  long long shifted = 0;
};
ChangeCounts simulate_interval(pqxx::connection& conn, long long crossing);

}  // namespace ticketwatch::bench

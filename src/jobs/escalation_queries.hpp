#pragma once

// Private to the escalation-monitor: every SQL text it runs, in one place. All texts are fixed
// at compile time (one per condition type and per action type); rule values travel as
// parameters only.

#include <string>

#include "ticketwatch/jobs/rule_model.hpp"

namespace ticketwatch::jobs::escalation_sql {

// $1 active_only boolean. -> id, name, active, position, condition_type, condition, actions.
extern const char* const kLoadRules;

// $1 bigint[] user ids -> id, active of those that exist.
extern const char* const kExistingUsers;
// $1 bigint[] team ids -> id of those that exist.
extern const char* const kExistingTeams;

// The run's single "now", from the database clock, as text that round-trips exactly through
// ::timestamptz on the same connection.
extern const char* const kNow;

// Selects up to a batch of open, unclaimed tickets matching the condition, locks them, claims
// their episode and returns one row per claimed ticket (at least one row):
//   candidates bigint (how many matched, claimed or not), last_candidate bigint (the highest
//   ticket id among them: where the next batch starts), execution_id, ticket_id (null when
//   nothing was claimed).
// Parameters shared by every condition type:
//   $1 rule_id bigint, $2 now timestamptz, $3 closed statuses text[], $4 batch size int,
//   $5 team filter bigint|null, $6 priority filter text|null, $7 condition_type text,
//   $8 only tickets with a greater id bigint (0 for the first batch)
// then the condition's own:
//   sla_breach      $9 overdue minutes int
//   time_in_status  $9 status text, $10 minutes int
//   priority_level  $9 priorities at or above at_least text[], $10 open minutes int
//   no_response     $9 minutes int
//   customer_rating $9 at_most int
const std::string& claim(ConditionType type);

// Action statements. Each applies one action to the claimed executions' tickets and appends
// {type, from, to[, noop, reason]} to escalation_executions.actions; each returns one row with
// one column: how many tickets (or notifications) it changed (created).
// All take $1 execution ids bigint[]; those that change the ticket take $2 now timestamptz.
extern const char* const kNotify;            // $2 roles text[], $3 user ids bigint[],
                                             // $4 rule_id bigint, $5 rule name, $6 condition_type
extern const char* const kAddFollower;       // $2 user id bigint
extern const char* const kReassign;          // $2 now, $3 user id bigint | null: team leader
extern const char* const kIncreasePriority;  // $2 now, $3 priorities text[] (lowest first),
                                             // $4 steps int
extern const char* const kSetPriority;       // $2 now, $3 priority text
extern const char* const kSetTeam;           // $2 now, $3 team id bigint
extern const char* const kSetStatus;         // $2 now, $3 status text

// Writes one ticket_history row per claimed execution and returns the ticket ids whose ticket
// (fields or followers) some action changed.
// $1 execution ids bigint[], $2 rule name text.
extern const char* const kWriteHistory;

// $1 channel text, $2 payload text. Delivered by PostgreSQL when the transaction commits.
extern const char* const kNotifyListeners;
inline constexpr const char* kNotificationChannel = "ticketwatch_notifications";

}  // namespace ticketwatch::jobs::escalation_sql

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
// ::timestamptz on the same connection, the xmin of the run's snapshot (xid8 as text) and the
// largest escalation_executions id (bigint).
extern const char* const kRunClock;

// $1 closed statuses text, $2 priorities text -> rule_id, fingerprint text, checked_until text |
// null, changes_from text | null: one row per active rule, the watermark only when its fingerprint
// is the rule's current one (0004_escalation_watermarks.sql).
extern const char* const kLoadWatermarks;

// The xmax of a fresh snapshot (xid8 as text: one past the latest completed transaction), taken
// when a rule's incremental pass starts. Earlier rules' batches of this run completed before it
// and lie below; this rule's own batches get ids at or above it and are left to the next pass.
extern const char* const kRuleStart;

// $1 rule_id, $2 fingerprint, $3 checked_until timestamptz, $4 changes_from xid8.
extern const char* const kStoreWatermark;

// How a claim finds its candidates (docs/performance.md "Escalation: per-rule watermarks"):
//   full     every ticket matching the condition (no usable watermark)
//   since    matching tickets whose condition became true after the watermark
//   changed  matching tickets changed in transactions the last complete pass could not see
enum class ClaimMode { full = 0, since = 1, changed = 2 };

// Whether a condition becomes true by time alone (all but customer_rating): only then has it a
// `since` claim.
bool depends_on_time(ConditionType type);

// Selects up to a batch of open, unclaimed tickets matching the condition, locks them, claims
// their episode and returns one row per claimed ticket (at least one row):
//   candidates bigint (full/since: how many matched, claimed or not; changed: how many changed
//   tickets the page scanned), last_ticket bigint, last_xid text (changed only: with last_ticket
//   the key where the next page starts), execution_id, ticket_id (null when nothing was claimed).
// Parameters shared by every mode:
//   $1 rule_id bigint, $2 now timestamptz, $3 closed statuses text[], $4 batch size int,
//   $5 team filter bigint|null, $6 priority filter text|null, $7 condition_type text,
//   $8 only tickets with a greater id bigint (0 for the first batch; changed: the keyset's id)
// then per mode:
//   full     the condition's values from $9
//   since    $9 watermark timestamptz, the condition's values from $10
//   changed  $9 keyset xid8 ('0' first), $10 changes from xid8, $11 changes before xid8, the
//            condition's values from $12
// The condition's own values:
//   sla_breach      overdue minutes int
//   time_in_status  status text, minutes int
//   priority_level  priorities at or above at_least text[], open minutes int
//   no_response     minutes int
//   customer_rating at_most int
// The since text of customer_rating is empty (see depends_on_time).
const std::string& claim(ConditionType type, ClaimMode mode);

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

// Writes one ticket_history row per claimed execution and returns how many of their tickets an
// action changed (fields or followers) for the first time in this run: an earlier execution of the
// same run has an id above the run's starting point and below this one (runs of a job never
// overlap, on any instance). The run's count of distinct changed tickets adds these up instead of
// collecting ids, so its memory does not grow with the tickets it changes
// (escalation_executions_ticket_idx finds a ticket's executions).
// $1 execution ids bigint[], $2 rule name text, $3 the largest execution id when the run began.
extern const char* const kWriteHistory;

// $1 channel text, $2 payload text. Delivered by PostgreSQL when the transaction commits.
extern const char* const kNotifyListeners;
inline constexpr const char* kNotificationChannel = "ticketwatch_notifications";

}  // namespace ticketwatch::jobs::escalation_sql

#pragma once

// The sla-monitor's SQL, one place, each statement commented with what it relies on.
//
// Instants cross the wire as bigint microseconds since the Unix epoch: exact in both directions
// (timestamptz has microsecond precision) and independent of the session's TimeZone.
//   to the database:   timestamptz 'epoch' + $n::bigint * interval '1 microsecond'
//   from the database: (extract(epoch from x) * 1000000)::bigint
// Batches of rows travel as one JSON array parameter expanded by json_to_recordset: one
// statement per table per batch, however many tickets the batch holds.
namespace ticketwatch::jobs::sla_sql {

// $1 settings fingerprint (text), $2 closed statuses (JSON array of strings).
// Records the fingerprint; when it differs from the stored one, marks every open ticket with a due
// date as a candidate. Returns (changed bool, marked bigint).
extern const char* const kApplySettings;

// The run's "now" (µs): one database clock reading that every batch of the run agrees on.
extern const char* const kNow;

// $1 now_us, $2 first batch (bool), $3 after_at_us, $4 after_id, $5 batch size,
// $6 closed statuses (JSON array of strings).
// Candidates in (next_check_at, ticket_id) order; ticket columns are null unless the ticket is
// open, has a due date and sane times: such rows are removed instead of evaluated.
extern const char* const kSelectCandidates;

// $1 JSON [{ticket_id, generation, due_us, level_seen, level_notified, next_us|null}], $2 now_us.
extern const char* const kUpdateState;

// $1 JSON [{ticket_id, generation}].
extern const char* const kDeleteState;

// $1 JSON [{ticket_id, details}].
extern const char* const kInsertHistory;

// $1 JSON [{ticket_id, kind, title, body, data, creator, assignee, team_leader, followers}].
// Returns (kind, count) for the rows inserted.
extern const char* const kInsertNotifications;

// NOTIFY ticketwatch_notifications with payload $1.
extern const char* const kNotify;

// (level_seen, count) over the at-risk rows of ticketwatch.sla_state.
extern const char* const kCountAtRisk;

}  // namespace ticketwatch::jobs::sla_sql

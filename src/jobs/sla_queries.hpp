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

// $1 settings fingerprint (text) -> whether it differs from the recorded one (or none is).
extern const char* const kSettingsChanged;

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

// One statement per batch: deletes, state updates, history and notifications, and the NOTIFY
// when notifications were created.
//   $1 JSON [{ticket_id, generation}]: state rows to remove
//   $2 JSON [{ticket_id, generation, due_us, level_seen, level_notified, next_us|null}], $3 now_us
//   $4 JSON [{ticket_id, details}]: history rows
//   $5 JSON [{ticket_id, kind, title, body, data, creator, assignee, team_leader, followers}]
//   $6 the NOTIFY payload's source (the job's name)
// Returns one row: removed, updated, history (rows written), created (JSON {kind: count}),
// notified (0 or 1).
extern const char* const kWriteBatch;

// (level_seen, count) of the at-risk levels (ticketwatch.sla_level_counts).
extern const char* const kCountAtRisk;

}  // namespace ticketwatch::jobs::sla_sql

#include "sla_queries.hpp"

namespace ticketwatch::jobs::sla_sql {

// Runs once per pass, before the pass reads its "now", so the marks it sets are candidates of
// the same pass. Relies on sla_settings' primary key; only when the settings changed does it read
// all of tickets (a sequential scan, once per configuration change) and touch every state row.
const char* const kApplySettings = R"sql(
with changed as (
  insert into ticketwatch.sla_settings as s (id, fingerprint)
  values (true, $1)
  on conflict (id) do update
     set fingerprint = excluded.fingerprint, changed_at = now()
   where s.fingerprint is distinct from excluded.fingerprint
  returning 1
),
marked_existing as (
  update ticketwatch.sla_state
     set next_check_at = now(), generation = generation + 1
   where exists (select 1 from changed)
  returning 1
),
marked_new as (
  insert into ticketwatch.sla_state (ticket_id, next_check_at)
  select t.id, now()
    from tickets t
   where exists (select 1 from changed)
     and t.sla_due_at is not null
     and not ($2::jsonb ? t.status)
  on conflict (ticket_id) do nothing
  returning 1
)
select exists (select 1 from changed),
       (select count(*) from marked_existing) + (select count(*) from marked_new)
)sql";

// sla_settings is a single row.
const char* const kSettingsChanged = R"sql(
select not exists (select 1 from ticketwatch.sla_settings where fingerprint = $1)
)sql";

const char* const kNow = "select (extract(epoch from now()) * 1000000)::bigint";

// One range scan of sla_state_next_check_idx (next_check_at, ticket_id) where next_check_at is not
// null, in index order, stopping after $4 rows: ticketwatch.sla_candidates
// (0006_sla_candidates.sql) keeps the plan from reading every due row in every batch. Rows a batch
// has handled leave the range (their next_check_at moves past now or to null); the keyset ($2, $3:
// the last row of the previous batch, '-infinity' before the first) still guarantees the run ends
// even if the application keeps re-marking tickets while it runs. tickets is read by primary key,
// one lookup per candidate: a lateral subquery that `offset 0` keeps the planner from turning into
// a join. As a join, the planner hashed all of tickets for every batch whenever it expected many
// candidates (a sequential scan per batch: at 100k tickets, quadratic in a cold pass). Times
// outside 1900-9999 (infinity, typos) are treated like a missing due date so that one bad row can
// never fail every run.
const char* const kSelectCandidates = R"sql(
with candidates as (
  select *
    from ticketwatch.sla_candidates(
           timestamptz 'epoch' + $1::bigint * interval '1 microsecond',
           case when $2::bigint is null then timestamptz '-infinity'
                else timestamptz 'epoch' + $2::bigint * interval '1 microsecond' end,
           coalesce($3::bigint, 0),
           $4::integer)
)
select c.ticket_id,
       c.generation,
       (extract(epoch from c.next_check_at) * 1000000)::bigint as key_us,
       c.level_seen,
       c.level_notified,
       (extract(epoch from c.due_at) * 1000000)::bigint as due_seen_us,
       t.title,
       (extract(epoch from coalesce(t.sla_started_at, t.created_at)) * 1000000)::bigint as start_us,
       (extract(epoch from t.sla_due_at) * 1000000)::bigint as due_us
  from candidates c
  left join lateral (
    select t.title, t.sla_started_at, t.created_at, t.sla_due_at
      from tickets t
     where t.id = c.ticket_id
       and not ($5::jsonb ? t.status)
       and t.sla_due_at between timestamptz '1900-01-01 00:00:00+00'
                            and timestamptz '9999-12-31 00:00:00+00'
       and coalesce(t.sla_started_at, t.created_at) between timestamptz '1900-01-01 00:00:00+00'
                                                        and timestamptz '9999-12-31 00:00:00+00'
    offset 0
  ) t on true
 order by c.next_check_at, c.ticket_id
)sql";

// Everything a batch writes, in one statement and so in one transaction (a failure anywhere writes
// nothing of the batch), and one round trip instead of one per table plus BEGIN and COMMIT.
// Data-modifying CTEs all run to completion whether or not the final select reads them.
//
// removed: primary-key deletes of closed tickets, tickets without a due date and deleted tickets.
//   A row the trigger marked again meanwhile (reopened?) stays for the next pass.
// updated: primary-key updates. next_check_at is written back only if the trigger did not mark
//   the ticket again since it was read (generation unchanged): a newer mark must survive for the
//   next pass.
// history: the join on tickets (primary key) skips a ticket deleted since the batch read it
//   instead of failing the batch on the foreign key.
// notifications: recipients are resolved here, at write time, from the ticket as it is now: each
//   configured role of the level (the flags), UNION so a user holding several roles of a ticket
//   appears once, and only active users. A role nobody holds (no assignee, no team, team without
//   leader) yields no row. Relies on the primary keys of tickets, teams and users and on
//   ticket_followers' primary key (ticket_id, user_id).
// notified: NOTIFY, delivered at commit and only if the statement commits, when notifications
//   were created.
const char* const kWriteBatch = R"sql(
with removed as (
  delete from ticketwatch.sla_state s
   using json_to_recordset($1::json) as x(ticket_id bigint, generation bigint)
   where s.ticket_id = x.ticket_id
     and s.generation = x.generation
  returning 1
),
updated as (
  update ticketwatch.sla_state s
     set due_at = timestamptz 'epoch' + x.due_us * interval '1 microsecond',
         level_seen = x.level_seen,
         level_notified = x.level_notified,
         next_check_at = case when s.generation = x.generation
                              then timestamptz 'epoch' + x.next_us * interval '1 microsecond'
                              else s.next_check_at end,
         checked_at = timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
    from json_to_recordset($2::json)
         as x(ticket_id bigint, generation bigint, due_us bigint, level_seen smallint,
              level_notified smallint, next_us bigint)
   where s.ticket_id = x.ticket_id
  returning 1
),
history as (
  insert into ticket_history (ticket_id, actor_id, action, details)
  select x.ticket_id, null, 'sla_status_changed', x.details
    from json_to_recordset($4::json) as x(ticket_id bigint, details jsonb)
    join tickets t on t.id = x.ticket_id
   order by x.ticket_id
  returning 1
),
pending as (
  select *
    from json_to_recordset($5::json)
         as x(ticket_id bigint, kind text, title text, body text, data jsonb,
              creator boolean, assignee boolean, team_leader boolean, followers boolean)
),
recipients as (
  select p.ticket_id, t.creator_id as user_id
    from pending p join tickets t on t.id = p.ticket_id
   where p.creator
  union
  select p.ticket_id, t.assignee_id
    from pending p join tickets t on t.id = p.ticket_id
   where p.assignee
  union
  select p.ticket_id, m.leader_id
    from pending p join tickets t on t.id = p.ticket_id join teams m on m.id = t.team_id
   where p.team_leader
  union
  select p.ticket_id, f.user_id
    from pending p join ticket_followers f on f.ticket_id = p.ticket_id
   where p.followers
),
inserted as (
  insert into notifications (user_id, ticket_id, kind, title, body, data)
  select r.user_id, p.ticket_id, p.kind, p.title, p.body, p.data
    from recipients r
    join users u on u.id = r.user_id and u.active
    join pending p on p.ticket_id = r.ticket_id
   order by p.ticket_id, r.user_id
  returning kind
),
created as (
  select kind, count(*)::bigint as n from inserted group by kind
),
notified as (
  select pg_notify('ticketwatch_notifications',
                   json_build_object('source', $6::text,
                                     'notifications', (select sum(n) from created))::text)
   where exists (select 1 from created)
)
select (select count(*) from removed) as removed,
       (select count(*) from updated) as updated,
       (select count(*) from history) as history,
       coalesce((select json_object_agg(kind, n) from created), '{}')::text as created,
       (select count(*) from notified) as notified
)sql";

// Four rows, kept exact by the triggers of 0005_sla_level_counts.sql: a pass with nothing to do
// costs the same at any number of at-risk tickets.
const char* const kCountAtRisk = R"sql(
select level_seen, tickets
  from ticketwatch.sla_level_counts
 where level_seen >= 1
)sql";

}  // namespace ticketwatch::jobs::sla_sql

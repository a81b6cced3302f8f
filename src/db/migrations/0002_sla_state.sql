-- 0002: sla-monitor state (DESIGN.md "sla-monitor semantics").
--
-- One row per ticket the sla-monitor has to look at: open tickets with an SLA due date, plus, for
-- at most one pass, tickets that just closed or lost their due date (the pass deletes those rows).
-- Rows come from the trigger below, and from a pass that finds new settings (sla_settings).
-- A pass reads only rows whose next_check_at has come (sla_state_next_check_idx), never all open
-- tickets, so its cost grows with the tickets whose level can have changed.
create table ticketwatch.sla_state (
  ticket_id      bigint primary key references tickets (id) on delete cascade,
  -- The due date the levels below belong to; null until the first evaluation. A ticket whose
  -- sla_due_at differs from it starts over: nothing counts as notified for the new date.
  due_at         timestamptz,
  -- Levels as numbers, ordered by risk: 0 low, 1 medium, 2 high, 3 breached
  -- (ticketwatch::jobs::SlaLevel). level_seen is null until the first evaluation.
  level_seen     smallint check (level_seen between 0 and 3),
  -- The highest level notified for due_at; 0 (low) means none.
  level_notified smallint not null default 0 check (level_notified between 0 and 3),
  -- When the level can next rise without the ticket changing (the medium or high boundary, or
  -- due); null once breached (it cannot rise any more). The trigger below sets it to now() when
  -- the ticket changes, which makes the row a candidate of the next pass.
  next_check_at  timestamptz,
  checked_at     timestamptz,
  -- Bumped by the trigger on every change of the ticket. A pass writes back next_check_at only
  -- when the generation it read is still current, so a change that lands between the pass's read
  -- and its write keeps its mark and is evaluated again on the next pass instead of being lost.
  generation     bigint not null default 0
);

-- The candidate query of every batch (src/jobs/sla_queries.cpp, kSelectCandidates):
--   where next_check_at <= $now and (next_check_at, ticket_id) > ($after_at, $after_id)
--   order by next_check_at, ticket_id limit $batch
-- is one range scan of this index. Partial: breached rows (null) are never read by time.
create index sla_state_next_check_idx on ticketwatch.sla_state (next_check_at, ticket_id)
  where next_check_at is not null;

-- The at-risk gauges of every pass (kCountAtRisk):
--   select level_seen, count(*) from ticketwatch.sla_state where level_seen >= 1 group by 1
-- read only the at-risk rows, not one row per open ticket.
create index sla_state_at_risk_idx on ticketwatch.sla_state (level_seen) where level_seen >= 1;

-- Change detection: a trigger, not a watermark on tickets.updated_at, because applications do not
-- reliably bump updated_at (bulk updates, admin fixes, imports) and a missed change here is a
-- missed or stale SLA warning. It is kept cheap: it fires only when a column that moves the SLA
-- level changes (status, sla_due_at, sla_started_at, created_at; not assignee or team, which
-- decide recipients, resolved when a notification is written), and then does one primary-key
-- upsert. It marks only; all evaluation stays in the sla-monitor.
--
-- SECURITY DEFINER: the application's role updates tickets and must not need any privilege on
-- schema ticketwatch; the pinned search_path is the usual guard for definer functions.
create function ticketwatch.sla_mark_ticket_changed() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  if new.sla_due_at is not null then
    insert into ticketwatch.sla_state as s (ticket_id, next_check_at)
    values (new.id, now())
    on conflict (ticket_id) do update
      set next_check_at = now(), generation = s.generation + 1;
  else
    -- Lost its due date: let the next pass remove the row. Nothing to do if it never had one.
    update ticketwatch.sla_state
       set next_check_at = now(), generation = generation + 1
     where ticket_id = new.id;
  end if;
  return null;
end
$$;

create trigger tickets_sla_mark_inserted
  after insert on tickets
  for each row when (new.sla_due_at is not null)
  execute function ticketwatch.sla_mark_ticket_changed();

create trigger tickets_sla_mark_updated
  after update of status, sla_due_at, sla_started_at, created_at on tickets
  for each row when (old.status is distinct from new.status
                     or old.sla_due_at is distinct from new.sla_due_at
                     or old.sla_started_at is distinct from new.sla_started_at
                     or old.created_at is distinct from new.created_at)
  execute function ticketwatch.sla_mark_ticket_changed();

-- The evaluation settings the stored levels and next_check_at values were computed with
-- (thresholds, closed statuses; later the calendar). When a pass finds different ones in its
-- config, every open ticket with a due date is re-marked for that pass: a threshold moved by a
-- reload must not wait for boundaries computed with the old one, and a status that stopped being
-- closed must not leave its tickets unwatched. No row yet (the first pass after this migration)
-- counts as different, which is how tickets that existed before the trigger are first seen.
create table ticketwatch.sla_settings (
  id          boolean primary key default true check (id),  -- a single row
  fingerprint text not null,
  changed_at  timestamptz not null default now()
);

-- 0004: escalation passes whose cost follows change, not the number of matching tickets
-- (issue 8, docs/performance.md "Escalation: per-rule watermarks").
--
-- Every condition is monotone in time for a ticket whose fields do not change: once
-- `created_at + minutes <= now` (or status_changed_at + minutes, or sla_due_at + overdue) it stays
-- true. So after a complete pass of a rule at instant W, a ticket can newly need that rule only if
--   (a) its condition's instant falls after W (a range of the condition's own index), or
--   (b) one of the columns a condition, filter or episode reads changed in a transaction that the
--       pass could not see (this table).
-- A pass of the rule at N then reads (a) for (W, N] and (b), instead of every matching ticket.

-- (b): the transaction id (xid8, never wraps) of the last change of each ticket's rule-relevant
-- columns. A transaction id, not a timestamp: a change made by a transaction that began before a
-- pass and committed after the pass read the ticket carries an id >= the xmin of the pass's
-- snapshot, however its timestamps compare; a timestamp watermark would lose it.
-- One row per ticket changed since this migration (about 40 bytes); deleted with its ticket.
create table ticketwatch.escalation_ticket_changes (
  ticket_id   bigint primary key references tickets (id) on delete cascade,
  changed_xid xid8 not null
);

-- The "changed" claim of an incremental pass (src/jobs/escalation_queries.cpp, claim_changed):
--   where c.changed_xid >= $from and c.changed_xid < $to
--     and (c.changed_xid, c.ticket_id) > ($after_xid, $after_ticket)
--   order by c.changed_xid, c.ticket_id limit $batch
-- is one range scan of this index.
create index escalation_ticket_changes_xid_idx
  on ticketwatch.escalation_ticket_changes (changed_xid, ticket_id);

-- Statement-level triggers with transition tables: one insert per statement however many tickets
-- it touched (the escalation actions update a thousand tickets per statement). PostgreSQL does not
-- allow a column list on a trigger with transition tables, so the update trigger compares the
-- columns itself. SECURITY DEFINER with a pinned search_path, like the sla-monitor's trigger: the
-- application's role needs no privilege on schema ticketwatch.
create function ticketwatch.escalation_mark_tickets_inserted() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  insert into ticketwatch.escalation_ticket_changes as c (ticket_id, changed_xid)
  select n.id, pg_current_xact_id() from new_rows n order by n.id
  on conflict (ticket_id) do update set changed_xid = excluded.changed_xid;
  return null;
end
$$;

-- The columns: every condition's (status, priority, created_at, status_changed_at,
-- first_response_at, sla_due_at, customer_rating), the team filter (team_id), and the episodes'
-- (a subset of those). Assignee, title and updated_at do not decide whether a rule matches.
create function ticketwatch.escalation_mark_tickets_updated() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  insert into ticketwatch.escalation_ticket_changes as c (ticket_id, changed_xid)
  select n.id, pg_current_xact_id()
    from new_rows n
    join old_rows o on o.id = n.id
   where (n.status, n.priority, n.team_id, n.created_at, n.status_changed_at,
          n.first_response_at, n.sla_due_at, n.customer_rating)
         is distinct from
         (o.status, o.priority, o.team_id, o.created_at, o.status_changed_at,
          o.first_response_at, o.sla_due_at, o.customer_rating)
   order by n.id
  on conflict (ticket_id) do update set changed_xid = excluded.changed_xid;
  return null;
end
$$;

create trigger tickets_escalation_mark_inserted
  after insert on tickets
  referencing new table as new_rows
  for each statement execute function ticketwatch.escalation_mark_tickets_inserted();

create trigger tickets_escalation_mark_updated
  after update on tickets
  referencing new table as new_rows old table as old_rows
  for each statement execute function ticketwatch.escalation_mark_tickets_updated();

-- One row per rule that finished a complete pass: what the next pass of the rule may skip.
--   fingerprint    the rule's condition (with its filters) and the configured closed statuses and
--                  priorities the pass used; a pass whose fingerprint differs (rule edited, config
--                  changed) ignores the row and reads every matching ticket again
--   checked_until  the pass's "now": (a) above starts after it
--   changes_from   the xmin of the pass's snapshot: (b) above starts at it
-- Written only after every batch of the rule committed; a failed or stopped rule keeps the older
-- row, so the next pass covers the gap. Read with the rules in one repeatable-read transaction
-- (kLoadWatermarks, a sequential scan of a few dozen rows).
create table ticketwatch.escalation_watermarks (
  rule_id       bigint primary key,
  fingerprint   text not null,
  checked_until timestamptz not null,
  changes_from  xid8 not null,
  updated_at    timestamptz not null default now()
);

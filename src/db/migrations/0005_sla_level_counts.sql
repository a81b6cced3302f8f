-- 0005: the sla-monitor's at-risk gauges without reading every at-risk row (issue 8,
-- docs/performance.md). Before, every pass ran
--   select level_seen, count(*) from ticketwatch.sla_state where level_seen >= 1 group by 1
-- which reads one index entry per at-risk ticket: 600k at a million open tickets, half a second
-- even for a pass with nothing to do. The same numbers are now kept as counts of sla_state rows
-- per level_seen, maintained by statement-level triggers on sla_state itself, so every way a row
-- changes (the job's batches, the change trigger's inserts, deletes by the job and cascaded deletes
-- of tickets) keeps them exact, and a pass reads four rows (kCountAtRisk).
create table ticketwatch.sla_level_counts (
  level_seen smallint primary key check (level_seen between 0 and 3),
  tickets    bigint not null check (tickets >= 0)
);

insert into ticketwatch.sla_level_counts (level_seen, tickets)
select l, (select count(*) from ticketwatch.sla_state s where s.level_seen = l)
  from generate_series(0, 3) l;

-- Adds what a statement's rows did to the counts: +1 per new row with a level, -1 per old one.
-- Rows whose level did not change (the change trigger only moves next_check_at) net to zero and
-- touch no count row, so application updates of tickets never wait on one another here.
create function ticketwatch.sla_count_levels() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    update ticketwatch.sla_level_counts c set tickets = c.tickets + d.delta
      from (select level_seen, count(*) as delta from new_rows
             where level_seen is not null group by level_seen) d
     where c.level_seen = d.level_seen;
  elsif tg_op = 'DELETE' then
    update ticketwatch.sla_level_counts c set tickets = c.tickets - d.delta
      from (select level_seen, count(*) as delta from old_rows
             where level_seen is not null group by level_seen) d
     where c.level_seen = d.level_seen;
  else
    update ticketwatch.sla_level_counts c set tickets = c.tickets + d.delta
      from (select level_seen, sum(delta) as delta
              from (select level_seen, 1 as delta from new_rows where level_seen is not null
                    union all
                    select level_seen, -1 from old_rows where level_seen is not null) x
             group by level_seen
            having sum(delta) <> 0) d
     where c.level_seen = d.level_seen;
  end if;
  return null;
end
$$;

create trigger sla_state_count_inserted
  after insert on ticketwatch.sla_state
  referencing new table as new_rows
  for each statement execute function ticketwatch.sla_count_levels();

create trigger sla_state_count_updated
  after update on ticketwatch.sla_state
  referencing new table as new_rows old table as old_rows
  for each statement execute function ticketwatch.sla_count_levels();

create trigger sla_state_count_deleted
  after delete on ticketwatch.sla_state
  referencing old table as old_rows
  for each statement execute function ticketwatch.sla_count_levels();

-- Truncate fires no row-level transition tables: empty the counts with the table.
create function ticketwatch.sla_count_levels_truncated() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  update ticketwatch.sla_level_counts set tickets = 0;
  return null;
end
$$;

create trigger sla_state_count_truncated
  after truncate on ticketwatch.sla_state
  for each statement execute function ticketwatch.sla_count_levels_truncated();

-- sla_state_at_risk_idx served only the old count; the counts replace it.
drop index ticketwatch.sla_state_at_risk_idx;

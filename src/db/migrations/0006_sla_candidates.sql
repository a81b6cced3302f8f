-- 0006: the sla-monitor's candidate read as a function that always walks the index in order.
--
-- A batch reads the next `batch` rows of sla_state_next_check_idx after the keyset of the batch
-- before it (src/jobs/sla_queries.cpp, kSelectCandidates). Right after the application has marked
-- many tickets (a bulk status change), the statistics still say that almost no row is due, and the
-- planner then prefers a bitmap scan of every due row followed by a sort over the ordered index
-- scan that stops after `batch` rows. That read every remaining due row again in every batch of the
-- pass, quadratic in the marked rows: at 1M tickets, the 12 batches after 11,000 marks spent ~200 ms
-- in their selects, ~70 ms when each reads only its batch. Here the plan cannot depend on that
-- estimate: the function turns bitmap scans off for its one statement (a SET clause applies while
-- the function runs, and such a function is never inlined into the caller's plan), which leaves
-- the ordered range scan.
--
-- The keyset is a row comparison so that it is an index condition, not a filter; the first batch
-- passes after_at = '-infinity'.
create function ticketwatch.sla_candidates(now_at timestamptz, after_at timestamptz,
                                           after_id bigint, batch integer)
  returns table (ticket_id bigint, generation bigint, next_check_at timestamptz,
                 level_seen smallint, level_notified smallint, due_at timestamptz)
  language sql stable
  set enable_bitmapscan = off
as $$
  select s.ticket_id, s.generation, s.next_check_at, s.level_seen, s.level_notified, s.due_at
    from ticketwatch.sla_state s
   where s.next_check_at <= now_at
     and (s.next_check_at, s.ticket_id) > (after_at, after_id)
   order by s.next_check_at, s.ticket_id
   limit batch
$$;

-- 0003: escalation-monitor state, and the ticket indexes its rule conditions rely on.

-- One row per rule firing on a ticket for one episode (DESIGN.md "escalation-monitor
-- semantics"). The unique key is the once-per-episode guarantee: a run claims an episode with
-- `insert ... on conflict do nothing returning`, so of two overlapping runs (two instances, or a
-- retry racing a slow commit) exactly one gets the row and applies the actions; the claim and the
-- actions commit in the same transaction, so a failed batch leaves no claim behind.
--
-- episode is text so that every condition type fits one key. Timestamps are written in UTC with
-- microseconds by the job ("due:2024-05-01T10:00:00.000000Z"), never through the session's
-- TimeZone, so instances with different settings produce the same key:
--   sla_breach      'due:<sla_due_at>'
--   time_in_status  'status_changed_at:<status_changed_at>'
--   priority_level  'priority:<priority>'
--   no_response     'ticket'
--   customer_rating 'rating:<customer_rating>'
--
-- No foreign keys to escalation_rules or tickets: an existing application may expose those as
-- views (docs/), which cannot be referenced. An orphaned row only blocks a rule id and ticket id
-- that no longer exist.
create table ticketwatch.escalation_executions (
  id             bigint generated always as identity primary key,
  rule_id        bigint not null,
  ticket_id      bigint not null,
  episode        text not null,
  condition_type text not null,
  executed_at    timestamptz not null default now(),  -- the run's "now": one value per run
  -- What each action did, in rule order: [{type, from, to[, noop, reason]}]. Filled in by the
  -- action statements of the same transaction; copied into the ticket_history row.
  actions        jsonb not null default '[]'::jsonb,
  constraint escalation_executions_once_per_episode unique (rule_id, ticket_id, episode)
);
-- The unique index above also serves every claim query's anti-join
-- `not exists (select 1 from ticketwatch.escalation_executions e
--              where e.rule_id = $1 and e.ticket_id = t.id and e.episode = <episode>)`.

-- "What did the monitor do to this ticket?" (operators, the application's ticket page).
create index escalation_executions_ticket_idx on ticketwatch.escalation_executions (ticket_id);

-- Condition queries (src/jobs/escalation_queries.cpp). Each narrows tickets by its condition's
-- column with a range bound computed from the run's "now"; the open-status test and the filters
-- are applied to the rows the index returns.

-- sla_breach: `t.sla_due_at <= $now - make_interval(mins => $overdue)`.
create index if not exists tickets_escalation_sla_due_idx
  on tickets (sla_due_at) where sla_due_at is not null;

-- time_in_status: `t.status = $status and t.status_changed_at <= $now - make_interval(...)`.
create index if not exists tickets_escalation_status_since_idx
  on tickets (status, status_changed_at);

-- priority_level: `t.priority = any($priorities_at_least) and t.created_at <= $now - ...`.
create index if not exists tickets_escalation_priority_created_idx
  on tickets (priority, created_at);

-- no_response: `t.first_response_at is null and t.created_at <= $now - ...`.
create index if not exists tickets_escalation_unanswered_idx
  on tickets (created_at) where first_response_at is null;

-- customer_rating: `t.customer_rating <= $at_most`.
create index if not exists tickets_escalation_rating_idx
  on tickets (customer_rating) where customer_rating is not null;

-- Rule loading (`where active order by position, id`) reads escalation_rules, a table of a few
-- dozen rows: a sequential scan is the right plan and needs no index.

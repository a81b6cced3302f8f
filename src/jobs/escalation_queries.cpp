#include "escalation_queries.hpp"

#include <fmt/format.h>

#include <array>

namespace ticketwatch::jobs::escalation_sql {

// Rules are a few dozen rows: sequential scan (see 0003_escalation.sql).
const char* const kLoadRules = R"sql(
select id, name, active, position, condition_type, condition::text, actions::text
from escalation_rules
where active or not $1::boolean
order by position, id
)sql";

// Primary keys of users and teams.
const char* const kExistingUsers = R"sql(
select id, active from users where id = any($1::bigint[])
)sql";

const char* const kExistingTeams = R"sql(
select id from teams where id = any($1::bigint[])
)sql";

// The run's "now", the xmin of its snapshot and the largest execution id so far (where the run's
// own executions begin), in one statement of the transaction that loads
// the rules and the watermarks (0004_escalation_watermarks.sql).
const char* const kRunClock = R"sql(
select now()::text, pg_snapshot_xmin(pg_current_snapshot())::text,
       (select coalesce(max(id), 0) from ticketwatch.escalation_executions)
)sql";

// escalation_rules is a few dozen rows and escalation_watermarks one row per rule: sequential
// scans, joined by hash. The fingerprint is computed from the rule row itself, so a pass can never
// run one definition of a rule and record a watermark for another.
const char* const kLoadWatermarks = R"sql(
select r.id, f.fingerprint, w.checked_until::text, w.changes_from::text
from escalation_rules r
cross join lateral (
  select md5(r.condition_type || ' ' || r.condition::text || ' ' || $1::text || ' ' || $2::text)
         as fingerprint) f
left join ticketwatch.escalation_watermarks w
  on w.rule_id = r.id and w.fingerprint = f.fingerprint
where r.active
)sql";

const char* const kRuleStart = "select pg_snapshot_xmax(pg_current_snapshot())::text";

// Primary key of escalation_watermarks.
const char* const kStoreWatermark = R"sql(
insert into ticketwatch.escalation_watermarks as w
  (rule_id, fingerprint, checked_until, changes_from, updated_at)
values ($1::bigint, $2::text, $3::timestamptz, $4::xid8, now())
on conflict (rule_id) do update
  set fingerprint = excluded.fingerprint, checked_until = excluded.checked_until,
      changes_from = excluded.changes_from, updated_at = excluded.updated_at
)sql";

namespace {

// A condition's SQL with placeholders: {p1} and {p2} are the numbers of its own parameters,
// {since} the number of the watermark parameter of an incremental pass.
struct ConditionSql {
  const char* episode;
  const char* condition;
  // The condition's instant lies after the watermark: with `condition` it is a bounded range of
  // the same index. Null for customer_rating, which does not depend on time.
  const char* after_watermark;
};

// Each condition is a range on the column its index leads with (0003_escalation.sql). Episode
// timestamps are UTC with microseconds, independent of the session TimeZone. Indexed by
// ConditionType, in its declaration order.
constexpr std::array<ConditionSql, 5> kConditions{{
    // sla_breach: tickets_escalation_sla_due_idx.
    {R"('due:' || to_char(t.sla_due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))",
     "t.sla_due_at <= $2::timestamptz - make_interval(mins => ${p1}::int)",
     "t.sla_due_at > ${since}::timestamptz - make_interval(mins => ${p1}::int)"},
    // time_in_status: tickets_escalation_status_since_idx.
    {R"('status_changed_at:' ||)"
     R"( to_char(t.status_changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))",
     "t.status = ${p1}::text and t.status_changed_at <= $2::timestamptz - make_interval(mins => "
     "${p2}::int)",
     "t.status_changed_at > ${since}::timestamptz - make_interval(mins => ${p2}::int)"},
    // priority_level: tickets_escalation_priority_created_idx.
    {"'priority:' || t.priority",
     "t.priority = any(${p1}::text[]) and t.created_at <= $2::timestamptz - make_interval(mins => "
     "${p2}::int)",
     "t.created_at > ${since}::timestamptz - make_interval(mins => ${p2}::int)"},
    // no_response: tickets_escalation_unanswered_idx.
    {"'ticket'::text",
     "t.first_response_at is null and t.created_at <= $2::timestamptz - make_interval(mins => "
     "${p1}::int)",
     "t.created_at > ${since}::timestamptz - make_interval(mins => ${p1}::int)"},
    // customer_rating: tickets_escalation_rating_idx.
    {"'rating:' || t.customer_rating", "t.customer_rating <= ${p1}::int", nullptr},
}};
static_assert(static_cast<std::size_t>(ConditionType::sla_breach) == 0 &&
                  static_cast<std::size_t>(ConditionType::time_in_status) == 1 &&
                  static_cast<std::size_t>(ConditionType::priority_level) == 2 &&
                  static_cast<std::size_t>(ConditionType::no_response) == 3 &&
                  static_cast<std::size_t>(ConditionType::customer_rating) == 4,
              "kConditions follows ConditionType's order");

// Parameter numbers of the condition's own values and of the watermark, per mode.
struct Numbering {
  int p1;
  int p2;
  int since;
};
constexpr Numbering kFullNumbers{9, 10, 0};
constexpr Numbering kSinceNumbers{10, 11, 9};
constexpr Numbering kChangedNumbers{12, 13, 0};

std::string numbered(const char* text, Numbering n) {
  return fmt::format(fmt::runtime(text), fmt::arg("p1", n.p1), fmt::arg("p2", n.p2),
                     fmt::arg("since", n.since));
}

// What every mode shares after its candidates: claim the episodes (the unique key makes a claimed
// episode invisible to later batches and to other runs) and return one row at least.
constexpr const char* kClaimTail = R"sql(
claimed as (
  insert into ticketwatch.escalation_executions
    (rule_id, ticket_id, episode, condition_type, executed_at)
  select $1::bigint, c.id, c.episode, $7::text, $2::timestamptz from candidates c order by c.id
  on conflict on constraint escalation_executions_once_per_episode do nothing
  returning id, ticket_id
)
)sql";

// The open-status test, the filters and the anti-join on escalation_executions' unique key, shared
// by every mode.
std::string ticket_tests(const ConditionSql& c, Numbering n) {
  return fmt::format(R"sql({condition}
    and t.status <> all($3::text[])
    and ($5::bigint is null or t.team_id = $5::bigint)
    and ($6::text is null or t.priority = $6::text)
    and not exists (
      select 1 from ticketwatch.escalation_executions e
      where e.rule_id = $1::bigint and e.ticket_id = t.id and e.episode = {episode}))sql",
                     fmt::arg("condition", numbered(c.condition, n)),
                     fmt::arg("episode", c.episode));
}

// Full and since modes: keyset pages over ticket ids of the tickets matching the condition (since:
// whose instant also lies after the watermark). Candidates are locked in id order so that two runs
// (or a run and the application) never wait on each other in a cycle. Within one run a rule visits
// each ticket at most once, even when its own actions start a new episode (increase_priority under
// priority_level). The candidate count tells a full page (look further) from the last one, even
// when another run claimed some of its tickets first.
std::string claim_by_ticket(const ConditionSql& c, bool since) {
  const Numbering n = since ? kSinceNumbers : kFullNumbers;
  const std::string window = since ? " and " + numbered(c.after_watermark, n) : std::string();
  return fmt::format(R"sql(
with candidates as (
  select t.id, {episode} as episode
  from tickets t
  where {tests}{window}
    and t.id > $8::bigint
  order by t.id
  limit $4::int
  for update of t
),{tail}
select (select count(*) from candidates) as candidates,
       (select max(id) from candidates) as last_ticket,
       null::text as last_xid,
       cl.id as execution_id, cl.ticket_id
from (select 1) as one
left join claimed cl on true
)sql",
                     fmt::arg("episode", c.episode), fmt::arg("tests", ticket_tests(c, n)),
                     fmt::arg("window", window), fmt::arg("tail", kClaimTail));
}

// Changed mode: keyset pages over escalation_ticket_changes (changed_xid, ticket_id) within
// [$10, $11); each page is a batch of changed tickets, looked up in tickets by primary key (the ids
// as an array: a join let the planner hash all of tickets) and tested against the whole condition
// at the run's now. The count and the last key are those of the page
// scanned, matching or not, so that the next page starts after it.
std::string claim_changed(const ConditionSql& c) {
  return fmt::format(R"sql(
with scanned as (
  select ch.ticket_id, ch.changed_xid
  from ticketwatch.escalation_ticket_changes ch
  where ch.changed_xid >= $10::xid8 and ch.changed_xid < $11::xid8
    and (ch.changed_xid, ch.ticket_id) > ($9::xid8, $8::bigint)
  order by ch.changed_xid, ch.ticket_id
  limit $4::int
),
last_scanned as (
  select ticket_id, changed_xid from scanned
  order by changed_xid desc, ticket_id desc limit 1
),
candidates as (
  select t.id, {episode} as episode
  from tickets t
  where t.id = any(array(select ticket_id from scanned))
    and {tests}
  order by t.id
  for update of t
),{tail}
select (select count(*) from scanned) as candidates,
       (select ticket_id from last_scanned) as last_ticket,
       (select changed_xid::text from last_scanned) as last_xid,
       cl.id as execution_id, cl.ticket_id
from (select 1) as one
left join claimed cl on true
)sql",
                     fmt::arg("episode", c.episode),
                     fmt::arg("tests", ticket_tests(c, kChangedNumbers)),
                     fmt::arg("tail", kClaimTail));
}

}  // namespace

const std::string& claim(ConditionType type, ClaimMode mode) {
  static const auto kTexts = [] {
    std::array<std::array<std::string, 3>, 5> texts;
    for (std::size_t i = 0; i < kConditions.size(); ++i) {
      const auto& c = kConditions[i];
      texts[i][static_cast<std::size_t>(ClaimMode::full)] = claim_by_ticket(c, false);
      // customer_rating has no instant: its incremental pass reads changed tickets only.
      texts[i][static_cast<std::size_t>(ClaimMode::since)] =
          c.after_watermark != nullptr ? claim_by_ticket(c, true) : std::string();
      texts[i][static_cast<std::size_t>(ClaimMode::changed)] = claim_changed(c);
    }
    return texts;
  }();
  return kTexts[static_cast<std::size_t>(type)][static_cast<std::size_t>(mode)];
}

bool depends_on_time(ConditionType type) {
  return kConditions[static_cast<std::size_t>(type)].after_watermark != nullptr;
}

// Every action statement starts from the claimed execution ids (an unnest of the array, so the
// plan is nested primary-key lookups whatever the statistics of escalation_executions say mid-run;
// with `e.id = any($1)` the planner hash-joined all of tickets) and their tickets, locked by the
// claim. Updates of tickets also name the ids as an array (`t.id = any(array(...))`), which the
// planner turns into a primary-key index scan instead of hashing all of tickets. It reads the
// ticket as earlier actions of the same transaction left it, so actions apply in rule order.

// Recipients: the roles resolved on the ticket as it is now (after earlier actions), plus fixed
// user ids; active users only; each user once per execution, even across two notify actions
// (the not-exists reads notifications_ticket_idx).
const char* const kNotify = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.title, t.creator_id, t.assignee_id,
         team.leader_id
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
  left join teams team on team.id = t.team_id
),
wanted as (
  select tg.execution_id, tg.ticket_id, tg.title, r.user_id
  from target tg
  cross join lateral (
    select tg.creator_id as user_id where 'creator' = any($2::text[])
    union select tg.assignee_id where 'assignee' = any($2::text[])
    union select tg.leader_id where 'team_leader' = any($2::text[])
    union select f.user_id from ticket_followers f
          where f.ticket_id = tg.ticket_id and 'followers' = any($2::text[])
    union select unnest($3::bigint[])
  ) r
),
recipients as (
  select distinct w.execution_id, w.ticket_id, w.title, w.user_id
  from wanted w
  join users u on u.id = w.user_id and u.active
  where not exists (
    select 1 from notifications n
    where n.ticket_id = w.ticket_id and n.user_id = w.user_id and n.kind = 'escalation'
      and n.data->>'execution_id' = w.execution_id::text)
),
sent as (
  insert into notifications (user_id, ticket_id, kind, title, body, data)
  select r.user_id, r.ticket_id, 'escalation',
         format('Escalation "%s": ticket #%s', $5::text, r.ticket_id),
         format('Ticket #%s "%s" met the %s condition of escalation rule "%s".', r.ticket_id,
                r.title, $6::text, $5::text),
         jsonb_build_object('rule_id', $4::bigint, 'rule_name', $5::text,
                            'ticket_id', r.ticket_id, 'condition_type', $6::text,
                            'execution_id', r.execution_id)
  from recipients r
  order by r.ticket_id, r.user_id
  returning user_id, (data->>'execution_id')::bigint as execution_id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'notify', 'from', null, 'to', coalesce(s.users, '[]'::jsonb))
        || case when s.users is null then '{"noop": true}'::jsonb else '{}'::jsonb end)
  from (select unnest($1::bigint[]) as execution_id) x
  left join (
    select execution_id, jsonb_agg(user_id order by user_id) as users
    from sent group by execution_id
  ) s on s.execution_id = x.execution_id
  where e.id = x.execution_id
)
select count(*) from sent
)sql";

// The target must be an active user; "team_leader" is the leader of the ticket's team as it is
// at this action's turn.
const char* const kReassign = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.assignee_id as before,
         coalesce($3::bigint, team.leader_id) as wanted
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
  left join teams team on team.id = t.team_id
),
resolved as (
  select tg.*, u.id as after
  from target tg
  left join users u on u.id = tg.wanted and u.active
),
changed as (
  update tickets t
  set assignee_id = r.after, updated_at = $2::timestamptz
  from resolved r
  where t.id = r.ticket_id and r.after is not null and t.assignee_id is distinct from r.after
    and t.id = any(array(select ticket_id from resolved))
  returning t.id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'reassign', 'from', r.before, 'to', coalesce(r.after, r.before))
        || case
             when r.wanted is null then
               jsonb_build_object('noop', true, 'reason', 'the ticket has no team leader')
             when r.after is null then
               jsonb_build_object('noop', true,
                                  'reason', format('user %s does not exist or is inactive', r.wanted))
             when r.after = r.before then '{"noop": true}'::jsonb
             else '{}'::jsonb
           end)
  from resolved r
  where e.id = r.execution_id
)
select count(*) from changed
)sql";

// Moves up the configured list and stops at its top; a priority the config does not know is
// left alone (least() would otherwise read a null position as "the top").
const char* const kIncreasePriority = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.priority as before,
         array_position($3::text[], t.priority) as position
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
),
resolved as (
  select tg.*,
         case when tg.position is null then null
              else ($3::text[])[least(tg.position + $4::int, cardinality($3::text[]))]
         end as after
  from target tg
),
changed as (
  update tickets t
  set priority = r.after, updated_at = $2::timestamptz
  from resolved r
  where t.id = r.ticket_id and r.after is not null and t.priority is distinct from r.after
    and t.id = any(array(select ticket_id from resolved))
  returning t.id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'increase_priority', 'from', r.before,
                           'to', coalesce(r.after, r.before))
        || case
             when r.after is null then
               jsonb_build_object('noop', true, 'reason',
                                  format('priority "%s" is not in helpdesk.priorities', r.before))
             when r.after = r.before then
               jsonb_build_object('noop', true, 'reason', 'already the highest priority')
             else '{}'::jsonb
           end)
  from resolved r
  where e.id = r.execution_id
)
select count(*) from changed
)sql";

const char* const kSetPriority = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.priority as before
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
),
changed as (
  update tickets t
  set priority = $3::text, updated_at = $2::timestamptz
  from target tg
  where t.id = tg.ticket_id and t.priority is distinct from $3::text
    and t.id = any(array(select ticket_id from target))
  returning t.id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'set_priority', 'from', tg.before, 'to', $3::text)
        || case when tg.before = $3::text then '{"noop": true}'::jsonb else '{}'::jsonb end)
  from target tg
  where e.id = tg.execution_id
)
select count(*) from changed
)sql";

// A team that no longer exists is a no-op, not a foreign-key failure of the whole batch.
const char* const kSetTeam = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.team_id as before,
         (select team.id from teams team where team.id = $3::bigint) as after
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
),
changed as (
  update tickets t
  set team_id = tg.after, updated_at = $2::timestamptz
  from target tg
  where t.id = tg.ticket_id and tg.after is not null and t.team_id is distinct from tg.after
    and t.id = any(array(select ticket_id from target))
  returning t.id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'set_team', 'from', tg.before,
                           'to', coalesce(tg.after, tg.before))
        || case
             when tg.after is null then
               jsonb_build_object('noop', true,
                                  'reason', format('team %s does not exist', $3::bigint))
             when tg.after = tg.before then '{"noop": true}'::jsonb
             else '{}'::jsonb
           end)
  from target tg
  where e.id = tg.execution_id
)
select count(*) from changed
)sql";

// The follower must be an active user; already following is a no-op (primary key conflict).
const char* const kAddFollower = R"sql(
with target as (
  select e.id as execution_id, e.ticket_id
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
),
follower as (
  select u.id from users u where u.id = $2::bigint and u.active
),
added as (
  insert into ticket_followers (ticket_id, user_id)
  select tg.ticket_id, f.id from target tg cross join follower f
  order by tg.ticket_id
  on conflict (ticket_id, user_id) do nothing
  returning ticket_id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'add_follower', 'from', null, 'to', $2::bigint)
        || case
             when not exists (select 1 from follower) then
               jsonb_build_object('noop', true,
                                  'reason', format('user %s does not exist or is inactive', $2::bigint))
             when a.ticket_id is null then
               jsonb_build_object('noop', true, 'reason', 'already a follower')
             else '{}'::jsonb
           end)
  from target tg
  left join added a on a.ticket_id = tg.ticket_id
  where e.id = tg.execution_id
)
select count(*) from added
)sql";

// A status change restarts the time_in_status clock (status_changed_at), which starts a new
// episode for time_in_status rules.
const char* const kSetStatus = R"sql(
with target as (
  select e.id as execution_id, t.id as ticket_id, t.status as before
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
  join tickets t on t.id = e.ticket_id
),
changed as (
  update tickets t
  set status = $3::text, status_changed_at = $2::timestamptz, updated_at = $2::timestamptz
  from target tg
  where t.id = tg.ticket_id and t.status is distinct from $3::text
    and t.id = any(array(select ticket_id from target))
  returning t.id
),
recorded as (
  update ticketwatch.escalation_executions e
  set actions = e.actions || jsonb_build_array(
        jsonb_build_object('type', 'set_status', 'from', tg.before, 'to', $3::text)
        || case when tg.before = $3::text then '{"noop": true}'::jsonb else '{}'::jsonb end)
  from target tg
  where e.id = tg.execution_id
)
select count(*) from changed
)sql";

// Runs after every action statement of the batch, so each execution's actions record is
// complete when it is copied into the history.
const char* const kWriteHistory = R"sql(
with done as (
  select e.id, e.rule_id, e.ticket_id, e.condition_type, e.episode, e.actions
  from unnest($1::bigint[]) as claimed(id)
  join ticketwatch.escalation_executions e on e.id = claimed.id
),
history as (
  insert into ticket_history (ticket_id, actor_id, action, details)
  select d.ticket_id, null, 'escalation_executed',
         jsonb_build_object('rule_id', d.rule_id, 'rule_name', $2::text,
                            'condition_type', d.condition_type, 'episode', d.episode,
                            'execution_id', d.id, 'actions', d.actions)
  from done d
  order by d.ticket_id
)
select count(*)
from done d
where exists (
    select 1 from jsonb_array_elements(d.actions) a
    where a->>'type' <> 'notify' and not coalesce((a->>'noop')::boolean, false))
  and not exists (
    select 1
    from ticketwatch.escalation_executions earlier
    cross join jsonb_array_elements(earlier.actions) a
    where earlier.ticket_id = d.ticket_id
      and earlier.id > $3::bigint
      and earlier.id < d.id
      and a->>'type' <> 'notify' and not coalesce((a->>'noop')::boolean, false))
)sql";

const char* const kNotifyListeners = "select pg_notify($1::text, $2::text)";

}  // namespace ticketwatch::jobs::escalation_sql

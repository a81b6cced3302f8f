#include "bench_dataset.hpp"

#include <algorithm>
#include <string>

namespace ticketwatch::bench {
namespace {

// $1 users. One in 50 is inactive, so recipient resolution has someone to leave out.
constexpr const char* kUsers = R"sql(
insert into users (id, name, email, active)
select g, 'user ' || g, 'user' || g || '@example.com', g % 50 <> 0
  from generate_series(1, $1::bigint) g
)sql";

// $1 teams. One in ten has no leader.
constexpr const char* kTeams = R"sql(
insert into teams (id, name, leader_id)
select g, 'team ' || g, case when g % 10 <> 0 then g end
  from generate_series(1, $1::bigint) g
)sql";

// $1 tickets, $2 users, $3 teams. Window w in [1 h, 5 d]; the ticket is at fraction u in
// [0, 1.3) of it (u >= 1: breached), so the boundaries (75 % and 90 % of the window, and due)
// are spread evenly over the next days. One in ten has no SLA.
constexpr const char* kTickets = R"sql(
insert into tickets (id, title, status, priority, creator_id, assignee_id, team_id, created_at,
                     updated_at, status_changed_at, first_response_at, sla_started_at,
                     sla_due_at, customer_rating)
select g, 'ticket ' || g,
       (array['open', 'open', 'open', 'in_progress', 'pending'])[1 + (g / 3) % 5],
       (array['low', 'medium', 'medium', 'high', 'urgent'])[1 + (g / 7) % 5],
       1 + (g * 7919) % $2::bigint,
       case when g % 10 <> 0 then 1 + (g * 104729) % $2::bigint end,
       case when g % 20 <> 0 then 1 + g % $3::bigint end,
       x.created, x.created, x.created + (now() - x.created) * x.r,
       case when x.r >= 0.4 then x.created + (now() - x.created) * (x.r - 0.4) end,
       case when g % 7 = 0 then x.created + interval '10 minutes' end,
       case when g % 10 <> 0 then x.created + x.w + case when g % 7 = 0 then interval '10 minutes' else interval '0' end end,
       case when (g / 11) % 20 = 0 then (1 + g % 5)::smallint end
  from generate_series(1, $1::bigint) g
  cross join lateral (
    select now() - w * u as created, w, r
      from (select interval '1 hour' + random() * interval '119 hours' as w,
                   random() * 1.3 as u, random() as r
             where g = g) p
  ) x
)sql";

// 0-5 followers per ticket (ticket id mod 6), distinct users.
constexpr const char* kFollowers = R"sql(
insert into ticket_followers (ticket_id, user_id)
select t.id, 1 + (t.id * 31 + k * 997) % $1::bigint
  from tickets t cross join lateral generate_series(1, (t.id % 6)::int) k
on conflict do nothing
)sql";

constexpr const char* kRules = R"sql(
insert into escalation_rules (id, name, active, position, condition_type, condition, actions) values
 (1, 'breached: tell assignee and leader', true, 10, 'sla_breach', '{"overdue_minutes": 0}',
  '[{"type": "notify", "to": ["assignee", "team_leader"]}]'),
 (2, 'urgent 4 h overdue: raise', true, 20, 'sla_breach', '{"overdue_minutes": 240, "priority": "urgent"}',
  '[{"type": "increase_priority", "steps": 1}]'),
 (3, 'a day overdue: leader takes it', true, 30, 'sla_breach', '{"overdue_minutes": 1440}',
  '[{"type": "reassign", "to": "team_leader"}, {"type": "notify", "to": ["assignee"]}]'),
 (4, 'team 1 overdue: user 1 follows', true, 40, 'sla_breach', '{"overdue_minutes": 60, "team_id": 1}',
  '[{"type": "add_follower", "user_id": 1}]'),
 (5, 'pending an hour', true, 50, 'time_in_status', '{"status": "pending", "minutes": 60}',
  '[{"type": "notify", "to": ["assignee"]}]'),
 (6, 'pending a day: reopen', true, 60, 'time_in_status', '{"status": "pending", "minutes": 1440}',
  '[{"type": "set_status", "status": "open"}]'),
 (7, 'in progress two days', true, 70, 'time_in_status', '{"status": "in_progress", "minutes": 2880}',
  '[{"type": "notify", "to": ["team_leader"]}]'),
 (8, 'team 2 open three days', true, 80, 'time_in_status', '{"status": "open", "minutes": 4320, "team_id": 2}',
  '[{"type": "set_priority", "priority": "high"}]'),
 (9, 'urgent for 30 min', true, 90, 'priority_level', '{"at_least": "urgent", "open_minutes": 30}',
  '[{"type": "notify", "to": ["team_leader"]}]'),
 (10, 'high for 4 h', true, 100, 'priority_level', '{"at_least": "high", "open_minutes": 240}',
  '[{"type": "notify", "to": ["assignee"]}]'),
 (11, 'urgent for a day: leader', true, 110, 'priority_level', '{"at_least": "urgent", "open_minutes": 1440}',
  '[{"type": "reassign", "to": "team_leader"}]'),
 (12, 'team 3 high two days: move', true, 120, 'priority_level', '{"at_least": "high", "open_minutes": 2880, "team_id": 3}',
  '[{"type": "set_team", "team_id": 1}]'),
 (13, 'no response 30 min', true, 130, 'no_response', '{"minutes": 30}',
  '[{"type": "notify", "to": ["team_leader"]}]'),
 (14, 'no response 2 h', true, 140, 'no_response', '{"minutes": 120}',
  '[{"type": "notify", "to": ["assignee", "creator"]}]'),
 (15, 'high unanswered 8 h', true, 150, 'no_response', '{"minutes": 480, "priority": "high"}',
  '[{"type": "increase_priority", "steps": 1}]'),
 (16, 'unanswered a day: user 2 follows', true, 160, 'no_response', '{"minutes": 1440}',
  '[{"type": "add_follower", "user_id": 2}]'),
 (17, 'rated 1', true, 170, 'customer_rating', '{"at_most": 1}',
  '[{"type": "notify", "to": ["team_leader"]}]'),
 (18, 'rated 2 or less', true, 180, 'customer_rating', '{"at_most": 2}',
  '[{"type": "set_priority", "priority": "high"}]'),
 (19, 'team 1 rated 2 or less', true, 190, 'customer_rating', '{"at_most": 2, "team_id": 1}',
  '[{"type": "notify", "to": [1]}]'),
 (20, 'urgent rated 3 or less', true, 200, 'customer_rating', '{"at_most": 3, "priority": "urgent"}',
  '[{"type": "add_follower", "user_id": 3}]');
select setval(pg_get_serial_sequence('escalation_rules', 'id'), 20);
)sql";

constexpr const char* kStatusChanges = R"sql(
update tickets
   set status = case status when 'open' then 'in_progress' else 'open' end,
       status_changed_at = now(), updated_at = now()
 where id % 100 = 37
)sql";

// $1 crossing. The boundary of the $1-th next ticket sets the interval the clock moves by.
constexpr const char* kShiftSet = R"sql(
create temp table bench_shift on commit drop as
with boundary as (
  select next_check_at from ticketwatch.sla_state
   where next_check_at > now()
   order by next_check_at, ticket_id offset $1::bigint - 1 limit 1
)
select s.ticket_id, s.next_check_at,
       (select next_check_at from boundary) - now() + interval '1 second' as delta
  from ticketwatch.sla_state s
 where s.next_check_at > now() and s.next_check_at <= (select next_check_at from boundary)
)sql";

// The ticket update fires the sla trigger (it marks the row as changed); the state update then
// puts back what the job would have stored had the clock moved: the same due date and boundary,
// shifted with the ticket.
constexpr const char* kShiftApply = R"sql(
update tickets t
   set created_at = t.created_at - b.delta, sla_started_at = t.sla_started_at - b.delta,
       sla_due_at = t.sla_due_at - b.delta, status_changed_at = t.status_changed_at - b.delta
  from bench_shift b where t.id = b.ticket_id;
update ticketwatch.sla_state s
   set due_at = s.due_at - b.delta, next_check_at = b.next_check_at - b.delta
  from bench_shift b where s.ticket_id = b.ticket_id;
)sql";

}  // namespace

void generate_dataset(pqxx::connection& conn, long long tickets) {
  DatasetShape shape;
  shape.users = std::max(100LL, tickets / 50);
  shape.teams = std::max(10LL, tickets / 2000);
  {
    pqxx::work tx{conn};
    tx.exec("select setseed(0.42)");
    tx.exec_params0(kUsers, shape.users);
    tx.exec_params0(kTeams, shape.teams);
    tx.exec0("alter table tickets disable trigger tickets_sla_mark_inserted");
    tx.exec0("alter table tickets disable trigger tickets_escalation_mark_inserted");
    tx.exec_params0(kTickets, tickets, shape.users, shape.teams);
    tx.exec0("alter table tickets enable trigger tickets_escalation_mark_inserted");
    tx.exec0("alter table tickets enable trigger tickets_sla_mark_inserted");
    tx.exec_params0(kFollowers, shape.users);
    for (const char* table : {"users", "teams", "tickets"}) {
      tx.exec_params("select setval(pg_get_serial_sequence($1, 'id'), (select max(id) from " +
                         std::string(table) + "))",
                     std::string(table));
    }
    tx.commit();
  }
  pqxx::nontransaction tx{conn};
  tx.exec0("vacuum analyze");
}

DatasetShape dataset_shape(pqxx::connection& conn) {
  pqxx::read_transaction tx{conn};
  DatasetShape shape;
  shape.tickets = tx.exec1("select count(*) from tickets")[0].as<long long>();
  shape.users = tx.exec1("select count(*) from users")[0].as<long long>();
  shape.teams = tx.exec1("select count(*) from teams")[0].as<long long>();
  shape.followers = tx.exec1("select count(*) from ticket_followers")[0].as<long long>();
  shape.with_sla =
      tx.exec1("select count(*) from tickets where sla_due_at is not null")[0].as<long long>();
  return shape;
}

long long change_statuses(pqxx::connection& conn) {
  pqxx::work tx{conn};
  const auto updated = tx.exec0(kStatusChanges).affected_rows();
  tx.commit();
  return updated;
}

void insert_escalation_rules(pqxx::connection& conn) {
  pqxx::work tx{conn};
  tx.exec(kRules);
  tx.commit();
}

ChangeCounts simulate_interval(pqxx::connection& conn, long long crossing) {
  ChangeCounts counts;
  pqxx::work tx{conn};
  counts.updated = tx.exec0(kStatusChanges).affected_rows();
  tx.exec_params0(kShiftSet, crossing);
  counts.shifted = tx.exec1("select count(*) from bench_shift")[0].as<long long>();
  tx.exec0(kShiftApply);
  tx.commit();
  return counts;
}

}  // namespace ticketwatch::bench

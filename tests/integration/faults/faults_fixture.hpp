#pragma once

// Shared by the fault tests: a migrated database with people, tickets at every SLA level and a
// few escalation rules, and the exactly-once checks every fault test ends with.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "../daemon/daemon_fixture.hpp"
#include "test_database.hpp"

namespace ticketwatch::testing {

// Users 1-5 (5 inactive), team 1 led by user 3, team 2 without a leader.
inline void seed_people(pqxx::connection& db) {
  exec(db, R"sql(
    insert into users (id, name, email, active) values
      (1, 'Alice', 'alice@example.com', true),
      (2, 'Bob', 'bob@example.com', true),
      (3, 'Carol', 'carol@example.com', true),
      (4, 'Dave', 'dave@example.com', true),
      (5, 'Erin', 'erin@example.com', false);
    insert into teams (id, name, leader_id) values (1, 'Support', 3), (2, 'Nobody leads', null);
  )sql");
}

// Rules that fire on the tickets add_tickets_at_every_level() makes: every breached ticket, every
// ticket without a first response, and every urgent ticket.
inline void seed_rules(pqxx::connection& db) {
  exec(db, R"sql(
    insert into escalation_rules (name, position, condition_type, condition, actions) values
      ('late', 1, 'sla_breach', '{"overdue_minutes": 0}',
       '[{"type": "notify", "to": ["assignee", "team_leader"]}]'),
      ('silent', 2, 'no_response', '{"minutes": 0}', '[{"type": "notify", "to": ["assignee"]}]'),
      ('urgent', 3, 'priority_level', '{"at_least": "urgent", "open_minutes": 0}',
       '[{"type": "notify", "to": ["creator"]}]');
  )sql");
}

// `per_level` tickets at each of low, medium, high and breached (100-hour windows, far from the
// boundaries), a third of them urgent, none answered yet. Each has a follower.
inline void add_tickets_at_every_level(pqxx::connection& db, int per_level) {
  exec(db, fmt::format(R"sql(
    with spec(level, start_h, due_h) as (
      values ('low', -50, 50), ('medium', -80, 20), ('high', -95, 5), ('breached', -101, -1)),
    made as (
      insert into tickets (title, priority, creator_id, assignee_id, team_id, created_at,
                           sla_due_at, status_changed_at)
      select 'Ticket ' || s.level || ' ' || g, case when g % 3 = 0 then 'urgent' else 'medium' end,
             1, 2, 1, now() + make_interval(hours => s.start_h),
             now() + make_interval(hours => s.due_h), now() + make_interval(hours => s.start_h)
      from spec s cross join generate_series(1, {}) g
      returning id)
    insert into ticket_followers (ticket_id, user_id) select id, 4 from made;
  )sql",
                       per_level));
}

// Every (ticket, user, kind) SLA notification and every (ticket, user, rule) escalation
// notification exists at most once; returns the offending groups, empty when none.
inline std::string duplicate_notifications(pqxx::connection& db) {
  return scalar<std::string>(db, R"sql(
    select coalesce(string_agg(format('%s/%s/%s/%s x%s', ticket_id, user_id, kind, rule, n), ', '),
                    '')
    from (select ticket_id, user_id, kind, coalesce(data->>'rule_id', '') as rule, count(*) as n
          from notifications group by 1, 2, 3, 4 having count(*) > 1) d
  )sql");
}

// Checks that the work due on the tickets add_tickets_at_every_level() made was done, once:
// each ticket's SLA level recorded, each rule executed on exactly the tickets it matches, one
// history row per execution, and no duplicate notification.
inline void expect_all_work_done_exactly_once(pqxx::connection& db, int tickets_per_level_total) {
  const long long n = tickets_per_level_total;
  EXPECT_EQ(duplicate_notifications(db), "");
  EXPECT_EQ(scalar<long long>(db,
                              "select count(*) from ticketwatch.sla_state "
                              "where level_seen = 3"),
            n);
  EXPECT_EQ(scalar<long long>(db,
                              "select count(*) from ticketwatch.sla_state "
                              "where level_seen = 0"),
            n);
  // Breached tickets: one sla_breached notification to each of creator, assignee, leader and
  // follower at most; at least one each.
  EXPECT_EQ(scalar<long long>(db,
                              "select count(distinct ticket_id) from notifications "
                              "where kind = 'sla_breached'"),
            n);
  const auto executions = [&](const char* rule) {
    return scalar<long long>(db,
                             "select count(*) from ticketwatch.escalation_executions e "
                             "join escalation_rules r on r.id = e.rule_id where r.name = $1",
                             std::string(rule));
  };
  EXPECT_EQ(executions("late"), n);
  EXPECT_EQ(executions("silent"), 4 * n);
  EXPECT_EQ(executions("urgent"),
            scalar<long long>(db, "select count(*) from tickets where priority = 'urgent'"));
  EXPECT_EQ(scalar<long long>(
                db, "select count(*) from ticket_history where action = 'escalation_executed'"),
            scalar<long long>(db, "select count(*) from ticketwatch.escalation_executions"));
  // One escalation notification per execution and recipient: late → assignee + leader, silent →
  // assignee, urgent → creator.
  EXPECT_EQ(scalar<long long>(db, "select count(*) from notifications where kind = 'escalation'"),
            2 * executions("late") + executions("silent") + executions("urgent"));
}

// Runs `ticketwatchctl trigger JOB` against each socket at the same moment; exit codes in order.
inline std::vector<int> trigger_all(const std::vector<std::string>& sockets,
                                    const std::string& job) {
  std::vector<int> codes(sockets.size(), -1);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    threads.emplace_back([&, i] {
      codes[i] =
          run_program(TW_CTL_PATH, {"--socket", sockets[i], "--timeout", "60s", "trigger", job})
              .exit_code;
    });
  }
  for (auto& t : threads) t.join();
  return codes;
}

}  // namespace ticketwatch::testing

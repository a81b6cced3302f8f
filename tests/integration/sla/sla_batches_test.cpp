// Batches: atomic, set-based, incremental, and safe against changes landing mid-run.
#include <algorithm>
#include <future>
#include <iostream>
#include <thread>

#include "sla_fixture.hpp"

namespace ticketwatch::jobs::sla_test {
namespace {

// n tickets at high risk in one statement, so they share next_check_at and batch by id order.
// Each notifies Alice (creator) and Bob (assignee): no team, no followers.
void add_high_tickets(testing::TestDatabase& db, int n) {
  db.exec(
      "insert into tickets (title, creator_id, assignee_id, created_at, sla_due_at) "
      "select 'Ticket ' || i, 1, 2, now() - interval '95 hours', now() + interval '5 hours' "
      "from generate_series(1, " +
      std::to_string(n) + ") i");
}

// n tickets spread over every level (low, medium, high, breached in turn), with recipients in
// every role, so a run exercises every statement it has.
void add_mixed_tickets(testing::TestDatabase& db, int n) {
  db.exec(
      "with t as ( "
      "  insert into tickets (title, creator_id, assignee_id, team_id, created_at, sla_due_at) "
      "  select 'Ticket ' || i, 1, 2, 1, now() - interval '95 hours', "
      "         now() + (array[interval '80 hours', interval '20 hours', interval '5 hours', "
      "                        interval '-5 hours'])[i % 4 + 1] "
      "    from generate_series(1, " +
      std::to_string(n) +
      ") i returning id) "
      "insert into ticket_followers (ticket_id, user_id) select id, 4 from t");
}

TEST_F(SlaMonitorTest, FailedBatchWritesNothingAndTheRerunNotifiesEachUserExactlyOnce) {
  config_.sla_monitor.schedule.batch_size = 5;
  add_high_tickets(db_, 12);  // batches of 5, 5, 2; two notifications per ticket
  // The 13th notification insert fails: batch 1 (10 notifications) commits, batch 2 fails on
  // its 3rd. A sequence, unlike a count(*), sees the rows inserted by the same statement.
  db_.exec(R"sql(
    create sequence inject_seq;
    create function inject_failure() returns trigger language plpgsql as $$
    begin
      if nextval('inject_seq') >= 13 then
        raise exception 'injected failure on notification insert';
      end if;
      return new;
    end $$;
    create trigger inject_failure before insert on notifications
      for each row execute function inject_failure();
  )sql");

  EXPECT_THROW(run(), pqxx::sql_error);

  const auto first_batch = "(select id from tickets order by id limit 5)";
  const auto other_batches = "(select id from tickets order by id offset 5)";
  // Batch 1 is complete...
  EXPECT_EQ(
      count(std::string("select count(*) from notifications where ticket_id in ") + first_batch),
      10);
  EXPECT_EQ(
      count(std::string("select count(*) from ticket_history where ticket_id in ") + first_batch),
      5);
  EXPECT_EQ(count(std::string("select count(*) from ticketwatch.sla_state where level_seen = 2 "
                              "and ticket_id in ") +
                  first_batch),
            5);
  // ...and nothing of batch 2 (nor of batch 3, never reached) was written: no notification, no
  // history, no state.
  EXPECT_EQ(
      count(std::string("select count(*) from notifications where ticket_id in ") + other_batches),
      0);
  EXPECT_EQ(
      count(std::string("select count(*) from ticket_history where ticket_id in ") + other_batches),
      0);
  EXPECT_EQ(count(std::string("select count(*) from ticketwatch.sla_state where level_seen is "
                              "not null and ticket_id in ") +
                  other_batches),
            0);

  db_.exec("drop trigger inject_failure on notifications");
  const auto rerun = run();
  EXPECT_EQ(rerun["tickets_checked"], 7);
  EXPECT_EQ(rerun["notifications_created"], 14);
  EXPECT_EQ(count("select count(*) from notifications"), 24);
  EXPECT_EQ(count("select count(*) from (select ticket_id, user_id from notifications "
                  "group by 1, 2 having count(*) = 1) once"),
            24);
  EXPECT_EQ(count("select count(*) from ticket_history"), 12);
  EXPECT_EQ(count("select count(distinct ticket_id) from ticket_history"), 12);
}

TEST_F(SlaMonitorTest, StopRequestThrowsBeforeTheNextBatch) {
  add_high_tickets(db_, 3);
  stop_.request_stop();
  EXPECT_THROW(run(), std::runtime_error);
  EXPECT_EQ(count("select count(*) from notifications"), 0);
  EXPECT_EQ(count("select count(*) from ticketwatch.sla_state where level_seen is not null"), 0);
}

TEST_F(SlaMonitorTest, WorksThroughManyBatchesInOneRun) {
  config_.sla_monitor.schedule.batch_size = 7;
  add_mixed_tickets(db_, 100);
  const auto summary = run();
  EXPECT_EQ(summary["tickets_checked"], 100);
  EXPECT_EQ(summary["batches"], 15);  // 14 full batches of 7, then 2 tickets
  EXPECT_EQ(summary["levels"]["low"], 25);
  EXPECT_EQ(summary["levels"]["medium"], 25);
  EXPECT_EQ(summary["levels"]["high"], 50);
  EXPECT_EQ(summary["levels"]["breached"], 25);
  // Alice, Bob, Carol, Dave for each of the 75 tickets at risk.
  EXPECT_EQ(summary["notifications_created"], 300);
  EXPECT_EQ(count("select count(*) from notifications"), 300);
  EXPECT_EQ(summary["history_written"], 75);
}

TEST(SlaStatementCount, StatementsPerRunDoNotGrowWithTheNumberOfTickets) {
  SlaSandbox small;
  SlaSandbox large;
  small.config_.sla_monitor.schedule.batch_size = 5000;
  large.config_.sla_monitor.schedule.batch_size = 5000;
  add_mixed_tickets(small.db_, 10);
  add_mixed_tickets(large.db_, 2000);

  const auto at_10 = small.measured_run();
  const auto at_2000 = large.measured_run();

  ASSERT_EQ(at_10.summary["tickets_checked"], 10);
  ASSERT_EQ(at_2000.summary["tickets_checked"], 2000);
  ASSERT_EQ(at_2000.summary["notifications_created"], 6000);
  EXPECT_EQ(at_10.toplevel, at_2000.toplevel);
  EXPECT_EQ(at_10.all, at_2000.all);
  std::cout << "[ measured ] statements per run, one batch: top level " << at_10.toplevel
            << " at 10 tickets, " << at_2000.toplevel << " at 2000; with nested statements "
            << at_10.all << " at 10, " << at_2000.all << " at 2000\n";
}

TEST(SlaStatementCount, StatementsGrowOnlyWithTheNumberOfBatches) {
  SlaSandbox one_batch;
  SlaSandbox five_batches;
  one_batch.config_.sla_monitor.schedule.batch_size = 5000;
  five_batches.config_.sla_monitor.schedule.batch_size = 500;
  add_mixed_tickets(one_batch.db_, 2000);
  add_mixed_tickets(five_batches.db_, 2000);

  const auto one = one_batch.measured_run();
  const auto five = five_batches.measured_run();

  ASSERT_EQ(one.summary["batches"], 1);
  ASSERT_EQ(five.summary["batches"], 5);  // four full batches and the empty one that ends the run
  // A full batch: the select and one statement writing everything (and sending the NOTIFY),
  // each its own transaction. The empty last batch: the select.
  EXPECT_EQ(five.toplevel - one.toplevel, 3 * 2 + 1);
  std::cout << "[ measured ] 2000 tickets: " << one.toplevel << " top-level statements in 1 batch, "
            << five.toplevel << " in 5 batches of 500\n";
}

TEST_F(SlaMonitorTest, SecondPassReadsNoTicketUntilOneChanges) {
  add_mixed_tickets(db_, 40);
  ASSERT_EQ(run()["tickets_checked"], 40);

  const auto idle = run();
  EXPECT_EQ(idle["tickets_checked"], 0);
  EXPECT_EQ(idle["states_removed"], 0);

  // Columns that cannot move the level do not make a ticket a candidate.
  db_.exec("update tickets set title = title || '!', priority = 'urgent', assignee_id = 3");
  EXPECT_EQ(run()["tickets_checked"], 0);

  // A change of status (to another open status) or of a time does.
  db_.exec("update tickets set status = 'pending' where id = (select min(id) from tickets)");
  db_.exec(
      "update tickets set sla_started_at = now() - interval '1 hour' "
      "where id = (select max(id) from tickets)");
  EXPECT_EQ(run()["tickets_checked"], 2);
  EXPECT_EQ(run()["tickets_checked"], 0);
}

TEST_F(SlaMonitorTest, TicketWhoseNextCheckTimeHasComeIsReadAgain) {
  add_mixed_tickets(db_, 8);
  run();
  ASSERT_EQ(run()["tickets_checked"], 0);
  // Time passing, in the only place the job looks for it: the medium boundary of one low ticket
  // is now in the past.
  db_.exec(
      "update ticketwatch.sla_state set next_check_at = now() - interval '1 second' "
      "where ticket_id = (select min(ticket_id) from ticketwatch.sla_state "
      "                   where level_seen = 0)");
  EXPECT_EQ(run()["tickets_checked"], 1);
  EXPECT_EQ(run()["tickets_checked"], 0);
}

TEST_F(SlaMonitorTest, NewTicketIsFoundByTheNextPass) {
  add_mixed_tickets(db_, 4);
  run();
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  const auto summary = run();
  EXPECT_EQ(summary["tickets_checked"], 1);
  EXPECT_EQ(level_seen(ticket), "high");
}

TEST_F(SlaMonitorTest, AtRiskCountsTheWholePopulationEvenWhenNothingWasChecked) {
  add_mixed_tickets(db_, 8);  // 2 of each level
  run();
  const auto idle = run();
  ASSERT_EQ(idle["tickets_checked"], 0);
  EXPECT_EQ(idle["at_risk"]["medium"], 2);
  EXPECT_EQ(idle["at_risk"]["high"], 4);  // high risk includes breached
  EXPECT_EQ(idle["at_risk"]["breached"], 2);
}

// The at-risk numbers come from counts kept by triggers (0005_sla_level_counts.sql), not from
// reading the rows: they must equal the rows through every way a row changes or goes away.
TEST_F(SlaMonitorTest, AtRiskCountsStayEqualToTheRowsThroughDeletesClosesAndLevelChanges) {
  const auto counted = [&] {
    return db_.scalar<std::string>(
        "select string_agg(level_seen || ':' || tickets, ',' order by level_seen) "
        "from ticketwatch.sla_level_counts");
  };
  const auto actual = [&] {
    return db_.scalar<std::string>(
        "select string_agg(l || ':' || (select count(*) from ticketwatch.sla_state "
        "                               where level_seen = l), ',' order by l) "
        "from generate_series(0, 3) l");
  };
  add_mixed_tickets(db_, 40);
  run();
  ASSERT_EQ(actual(), "0:10,1:10,2:10,3:10");
  EXPECT_EQ(counted(), actual());
  // A deleted ticket takes its state row with it (foreign key cascade).
  db_.exec("delete from tickets where id in (select id from tickets order by id limit 3)");
  // Closed tickets: the next pass removes their rows; moved due dates change levels.
  db_.exec("update tickets set status = 'closed' where id % 7 = 0");
  db_.exec("update tickets set sla_due_at = now() - interval '1 hour' where id % 5 = 1");
  const auto pass = run();
  EXPECT_EQ(counted(), actual());
  EXPECT_NE(actual(), "0:10,1:10,2:10,3:10");
  const auto medium =
      db_.scalar<long long>("select count(*) from ticketwatch.sla_state where level_seen = 1");
  EXPECT_EQ(pass["at_risk"]["medium"], medium);
}

TEST_F(SlaMonitorTest, LogsOneInfoLinePerRunAndReturnsTheSummary) {
  add_mixed_tickets(db_, 4);
  const auto summary = run();
  for (const auto* key : {"tickets_checked", "levels", "notifications_created", "notifications",
                          "history_written", "batches", "duration_ms", "at_risk"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  EXPECT_GE(summary["duration_ms"].get<long long>(), 0);
  const auto log = log_.str();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  EXPECT_NE(log.find("[info]"), std::string::npos) << log;
  EXPECT_NE(log.find("checked 4 tickets"), std::string::npos) << log;
}

// The application changes a ticket's due date while a batch that read the old one is writing:
// the change must not be lost, and the next pass must start over for the new date.
TEST_F(SlaMonitorTest, ChangeCommittedWhileABatchRunsIsEvaluatedByTheNextPass) {
  run();  // records the settings, so the racing pass below goes straight to its batch
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .followers = {}});
  auto app = db_.connect();
  pqxx::work app_tx(*app);
  // Holds the ticket's sla_state row (the trigger bumped its generation) until committed.
  app_tx.exec_params0("update tickets set sla_due_at = now() + interval '2 hours' where id = $1",
                      ticket);

  auto pass = std::async(std::launch::async, [this] { return run(); });
  // Wait until the job's state update is blocked on the application's row lock.
  const auto app_pid = app->backendpid();
  bool blocked = false;
  for (int i = 0; i < 200 && !blocked; ++i) {
    blocked = db_.scalar<bool>(
        "select exists (select 1 from pg_stat_activity where datname = current_database() "
        "  and $1 = any(pg_blocking_pids(pid)))",
        app_pid);
    if (!blocked) std::this_thread::sleep_for(25ms);
  }
  if (!blocked) {
    app_tx.abort();  // let the job finish before the future is destroyed
    pass.wait();
  }
  ASSERT_TRUE(blocked) << "the job never waited for the application's transaction";
  app_tx.commit();
  const auto first = pass.get();
  EXPECT_EQ(first["notifications_created"], 3);  // for the due date it read

  const auto second = run();
  EXPECT_EQ(second["tickets_checked"], 1);
  EXPECT_EQ(second["notifications_created"], 3);  // the new due date starts over
  EXPECT_EQ(db_.scalar<long long>("select count(distinct data->>'due_at') from notifications "
                                  "where ticket_id = $1",
                                  ticket),
            2);
  EXPECT_TRUE(
      db_.scalar<bool>("select s.due_at = t.sla_due_at from ticketwatch.sla_state s "
                       "join tickets t on t.id = s.ticket_id where t.id = $1",
                       ticket));
  EXPECT_EQ(run()["tickets_checked"], 0);
}

}  // namespace
}  // namespace ticketwatch::jobs::sla_test

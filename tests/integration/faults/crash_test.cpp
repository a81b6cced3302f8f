// SIGKILL in the middle of a run: the database stays consistent (a batch commits whole or not at
// all) and a fresh daemon does the work exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include "faults_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

// Waits until `n` job connections of ticketwatchd wait for a lock.
bool wait_for_blocked_runs(TestDatabase& db, long long n) {
  for (int i = 0; i < 200; ++i) {
    if (db.scalar<long long>("select count(*) from pg_stat_activity "
                             "where datname = current_database() "
                             "  and application_name like 'ticketwatchd %-monitor' "
                             "  and wait_event_type = 'Lock'") == n) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(Crash, SigkillMidRunLeavesNoPartialBatchAndAFreshDaemonCompletesOnce) {
  TestDatabase db;
  db.migrate();
  auto conn = db.connect();
  seed_people(*conn);
  seed_rules(*conn);
  add_tickets_at_every_level(*conn, 5);

  {
    auto locker = db.connect();
    pqxx::work lock_tx(*locker);
    lock_tx.exec("lock table tickets in access exclusive mode");
    TempDir dir;
    DaemonConfigOptions o;
    o.dsn = db.dsn();
    o.run_on_start = true;
    o.job_timeout = "60s";
    RunningDaemon d(dir, daemon_config(o, dir));
    ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
    ASSERT_TRUE(wait_for_blocked_runs(db, 2)) << d.process->stderr_text();
    d.process->signal(SIGKILL);
    ASSERT_EQ(d.process->wait(10s), 128 + SIGKILL);
    // Nothing of the interrupted runs is visible while the test still holds the table.
    EXPECT_EQ(db.scalar<long long>("select count(*) from notifications"), 0);
    EXPECT_EQ(db.scalar<long long>("select count(*) from ticketwatch.escalation_executions"), 0);
    lock_tx.abort();
  }
  // The orphaned backends notice their client is gone and end, releasing the job locks.
  for (int i = 0; i < 100; ++i) {
    if (db.scalar<long long>("select count(*) from pg_locks where locktype = 'advisory' "
                             "and database = (select oid from pg_database "
                             "                where datname = current_database())") == 0) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(db.scalar<long long>("select count(*) from pg_locks where locktype = 'advisory' "
                                 "and database = (select oid from pg_database "
                                 "                where datname = current_database())"),
            0);
  // Consistent whatever got through: every ticket with a state row has its history row, and
  // every execution its history row.
  EXPECT_EQ(db.scalar<long long>("select count(*) from ticketwatch.escalation_executions"),
            db.scalar<long long>(
                "select count(*) from ticket_history where action = 'escalation_executed'"));

  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.run_on_start = true;
  RunningDaemon fresh(dir, daemon_config(o, dir));
  ASSERT_TRUE(wait_for_runs(*fresh.process, "sla-monitor", "succeeded", 1, 30s))
      << fresh.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*fresh.process, "escalation-monitor", "succeeded", 1, 30s))
      << fresh.process->stderr_text();
  fresh.process->signal(SIGTERM);
  EXPECT_EQ(fresh.process->wait(20s), 0) << fresh.process->stderr_text();
  expect_all_work_done_exactly_once(*conn, 5);
  // The killed instance's run rows: whatever it wrote before dying, the fresh instance's are
  // complete.
  EXPECT_EQ(db.scalar<long long>("select count(*) from ticketwatch.job_runs "
                                 "where status = 'succeeded'"),
            2);
}

TEST(SlowDatabase, RunBlockedBeyondItsTimeoutIsCancelledOnTheServerAndTheNextRunWorks) {
  TestDatabase db;
  db.migrate();
  auto conn = db.connect();
  seed_people(*conn);
  seed_rules(*conn);
  add_tickets_at_every_level(*conn, 2);

  auto locker = db.connect();
  pqxx::work lock_tx(*locker);
  lock_tx.exec("lock table tickets in access exclusive mode");
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.run_on_start = true;
  o.job_timeout = "1s";
  RunningDaemon d(dir, daemon_config(o, dir), {{"WATCHDOG_USEC", "400000"}});
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_TRUE(wait_for_blocked_runs(db, 2)) << d.process->stderr_text();
  const auto pings_before = d.notify.count("WATCHDOG=1");
  ASSERT_TRUE(d.process->wait_for_stderr("timed out", 20s)) << d.process->stderr_text();
  // The statements were cancelled on the server: although the test still holds the lock and
  // every retry blocks again, no ticketwatchd statement waits much longer than the 1 s timeout.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(db.scalar<long long>("select count(*) from pg_stat_activity "
                                 "where datname = current_database() "
                                 "  and application_name like 'ticketwatchd %-monitor' "
                                 "  and state = 'active' "
                                 "  and now() - query_start > interval '2500 milliseconds'"),
            0)
      << db.scalar<std::string>(
             "select coalesce(string_agg(application_name || ': ' || query, "
             "E'\\n'), '') from pg_stat_activity "
             "where application_name like 'ticketwatchd %'");
  // 200 ms pings throughout the hang: the io_context never waited on the database.
  EXPECT_GE(d.notify.count("WATCHDOG=1") - pings_before, 8u);
  const auto log = d.process->stderr_text();
  EXPECT_NE(log.find("attempt 1/"), std::string::npos) << log;
  lock_tx.abort();

  // The next run works on the same (or a replaced) connection.
  const auto triggered = run_program(
      TW_CTL_PATH, {"--socket", (dir / "control.sock").string(), "trigger", "sla-monitor"});
  EXPECT_EQ(triggered.exit_code, 0) << triggered.out << triggered.err << d.process->stderr_text();
  const auto esc = run_program(
      TW_CTL_PATH, {"--socket", (dir / "control.sock").string(), "trigger", "escalation-monitor"});
  EXPECT_EQ(esc.exit_code, 0) << esc.out << esc.err;
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0) << d.process->stderr_text();
  expect_all_work_done_exactly_once(*conn, 2);
}

}  // namespace
}  // namespace ticketwatch::testing

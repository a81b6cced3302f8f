// Database outages, made with the real server (`pg_ctl stop -m immediate`) of a cluster of the
// test's own: the daemon says "db down" everywhere an operator looks, logs it once, resumes by
// itself, and a run cut off in the middle loses and doubles nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>

#include "outage_fixture.hpp"
#include "own_cluster.hpp"
#include "ticketwatch/daemon/job_runner.hpp"
#include "ticketwatch/db/migrations.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

void prepare_helpdesk(pqxx::connection& conn, int tickets_per_level) {
  db::migrate(conn);
  seed_people(conn);
  seed_rules(conn);
  add_tickets_at_every_level(conn, tickets_per_level);
}

// Connects, retrying while the server is still starting.
std::unique_ptr<pqxx::connection> connect_when_up(const OwnCluster& pg) {
  for (int i = 0; i < 300; ++i) {
    try {
      return pg.connect();
    } catch (const pqxx::broken_connection&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  return pg.connect();
}

std::string last_message_with(const NotifyListener& notify, const std::string& needle) {
  const auto all = notify.messages();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->find(needle) != std::string::npos) return *it;
  }
  return "";
}

TEST(Outage, DatabaseDownAtStartIsReportedEverywhereLoggedOnceAndWorkStartsWhenItReturns) {
  OwnCluster pg;
  {
    auto conn = pg.connect();
    prepare_helpdesk(*conn, 3);
  }
  pg.crash();

  TempDir dir;
  OutageDaemonOptions o;
  o.dsn = pg.dsn();
  o.http_port = unused_loopback_port();
  RunningDaemon d(dir, outage_config(o, dir));
  const auto socket = (dir / "control.sock").string();

  // The service is up although the database is not, and says what it waits for.
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_GE(d.notify.wait_for("db down", 15s), 0) << d.process->stderr_text();
  EXPECT_NE(last_message_with(d.notify, "STATUS=").find("db down"), std::string::npos);
  // Both runs on start use up their attempts.
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "failed", 1, 20s))
      << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "escalation-monitor", "failed", 1, 20s))
      << d.process->stderr_text();

  const auto health = http_get(o.http_port, "/healthz");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find(R"("database":"down")"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find(R"("reason":"database is down")"), std::string::npos) << health.body;
  const auto ctl = run_program(TW_CTL_PATH, {"--socket", socket, "status"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.out << ctl.err;
  EXPECT_NE(ctl.out.find("database:  down ("), std::string::npos) << ctl.out;

  // Several backoff periods (probes 250 ms, 500 ms, then 1 s apart: five or more), one log line.
  std::this_thread::sleep_for(6 * kReconnectBackoffMax);
  auto log = d.process->stderr_text();
  EXPECT_EQ(count_occurrences(log, "database is down:"), 1u) << log;
  // The run history cannot be written either (runs recorded, old rows pruned): said once too.
  EXPECT_EQ(count_occurrences(log, "in ticketwatch.job_runs:"), 1u) << log;

  // The database comes back: the daemon notices within one backoff period, by itself.
  auto resumed = std::async(std::launch::async, [&] { pg.resume(); });
  const auto give_up = Clock::now() + 120s;
  while (!pg.accepting() && Clock::now() < give_up) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(pg.accepting());
  const auto available_at = Clock::now();
  const auto before = d.notify.messages().size();
  ASSERT_GE(d.notify.wait_for("db up", 10s, before), 0) << d.process->stderr_text();
  const auto noticed_after = Clock::now() - available_at;
  resumed.get();
  // One backoff period, plus what one probe (connect and a schema query) may take here, under
  // sanitizers too.
  EXPECT_LE(noticed_after, kReconnectBackoffMax + 2s)
      << std::chrono::duration_cast<std::chrono::milliseconds>(noticed_after).count() << " ms";

  // The runs that failed during the outage are run again at once, not at their next tick (1 h).
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "escalation-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();
  const auto healthy = http_get(o.http_port, "/healthz");
  EXPECT_EQ(healthy.status, 200) << healthy.body;
  EXPECT_NE(healthy.body.find(R"("status":"ok")"), std::string::npos) << healthy.body;
  const auto ctl_up = run_program(TW_CTL_PATH, {"--socket", socket, "status"});
  EXPECT_NE(ctl_up.out.find("database:  up"), std::string::npos) << ctl_up.out;

  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0) << d.process->stderr_text();
  log = d.process->stderr_text();
  EXPECT_EQ(count_occurrences(log, "database is down:"), 1u) << log;
  EXPECT_EQ(count_occurrences(log, "database is up"), 1u) << log;
  EXPECT_EQ(count_occurrences(log, "run history writes work again"), 1u) << log;
  EXPECT_EQ(count_occurrences(log, "failed while the database was away; running it now"), 2u)
      << log;

  auto conn = connect_when_up(pg);
  expect_all_work_done_exactly_once(*conn, 3);
  // The runs that failed while the database was away could not be recorded; the recovery runs
  // were, as this instance's.
  EXPECT_EQ(scalar<long long>(*conn,
                              "select count(*) from ticketwatch.job_runs "
                              "where status = 'succeeded' and instance = 'outage-test'"),
            2);
  EXPECT_EQ(scalar<long long>(*conn, "select count(*) from ticketwatch.job_runs"), 2);
}

// A gate in the database: while closed, every notification past the first ten waits inside its
// INSERT, so each job is held in the middle of a run with earlier batches committed. The gate is a
// table, not a lock, so it survives the crash and holds the retries too.
void install_gate(pqxx::connection& conn) {
  exec(conn, R"sql(
    create table outage_gate (open boolean not null);
    insert into outage_gate values (false);
    create function outage_gate_wait() returns trigger language plpgsql as $$
    begin
      while not (select open from outage_gate) loop
        perform pg_sleep(0.05);
      end loop;
      return new;
    end $$;
    create trigger outage_gate before insert on notifications
      for each row when (new.id > 10) execute function outage_gate_wait();
  )sql");
}

// Waits until both jobs' connections sit in the gate; returns {job: backend pid}.
std::map<std::string, int> wait_in_gate(const OwnCluster& pg) {
  std::map<std::string, int> pids;
  for (int i = 0; i < 600 && pids.size() < 2; ++i) {
    try {
      auto conn = pg.connect();
      pids.clear();
      pqxx::nontransaction tx(*conn);
      for (const auto& row : tx.exec(
               "select application_name, pid from pg_stat_activity "
               "where application_name like 'ticketwatchd %-monitor' and wait_event = 'PgSleep'")) {
        pids[row[0].as<std::string>().substr(std::string("ticketwatchd ").size())] =
            row[1].as<int>();
      }
    } catch (const pqxx::broken_connection&) {
    }
    if (pids.size() < 2) std::this_thread::sleep_for(100ms);
  }
  return pids;
}

// The backend holding `job`'s advisory lock, 0 when nobody does.
int lock_holder(pqxx::connection& conn, const std::string& job) {
  const auto key = static_cast<std::uint64_t>(daemon::job_lock_key(job));
  return scalar<int>(conn,
                     "select coalesce(min(pid), 0) from pg_locks "
                     "where locktype = 'advisory' and granted and objsubid = 1 "
                     "  and classid::bigint = $1 and objid::bigint = $2",
                     static_cast<long long>(key >> 32), static_cast<long long>(key & 0xffffffffu));
}

TEST(Outage, RunCutOffMidwayRetriesAndTheRunAfterTheOutageCompletesExactlyOnce) {
  OwnCluster pg;
  constexpr int kPerLevel = 4;
  std::unique_ptr<pqxx::connection> conn = pg.connect();
  prepare_helpdesk(*conn, kPerLevel);
  install_gate(*conn);

  TempDir dir;
  OutageDaemonOptions o;
  o.dsn = pg.dsn();
  o.http_port = unused_loopback_port();
  o.batch_size = 1;  // one ticket per transaction: some commit before the gate holds the run
  o.max_attempts = 30;
  o.retry_backoff = "200ms";
  o.retry_backoff_max = "1s";
  RunningDaemon d(dir, outage_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();

  const auto held = wait_in_gate(pg);
  ASSERT_EQ(held.size(), 2u) << d.process->stderr_text();
  const auto committed_before = scalar<long long>(*conn, "select count(*) from notifications");
  EXPECT_GT(committed_before, 0);

  pg.crash();
  // Each job's attempt fails with the connection and is retried with backoff.
  for (const auto* job : {"sla-monitor", "escalation-monitor"}) {
    EXPECT_TRUE(d.process->wait_for_stderr(std::string(job) + ": attempt 2/30 failed", 20s))
        << d.process->stderr_text();
  }
  pg.resume();

  // The retries after the outage reach the gate again, each holding its job's lock on the very
  // connection doing the work: a silently replaced connection would hold none.
  const auto retried = wait_in_gate(pg);
  ASSERT_EQ(retried.size(), 2u) << d.process->stderr_text();
  conn = connect_when_up(pg);
  // Nothing the first attempts committed was lost with the server.
  EXPECT_GE(scalar<long long>(*conn, "select count(*) from notifications"), committed_before);
  for (const auto& [job, pid] : retried) {
    EXPECT_EQ(lock_holder(*conn, job), pid) << job;
    EXPECT_NE(pid, held.at(job)) << job;
  }
  exec(*conn, "update outage_gate set open = true");

  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 60s))
      << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "escalation-monitor", "succeeded", 1, 60s))
      << d.process->stderr_text();
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0) << d.process->stderr_text();

  expect_all_work_done_exactly_once(*conn, kPerLevel);
  // One row per run, each succeeded after failed attempts; nothing left running or failed.
  EXPECT_EQ(scalar<long long>(*conn,
                              "select count(*) from ticketwatch.job_runs "
                              "where status = 'succeeded' and attempts >= 3"),
            2)
      << scalar<std::string>(*conn,
                             "select string_agg(job || ' ' || status || ' ' || attempts, ', ') "
                             "from ticketwatch.job_runs");
  EXPECT_EQ(scalar<long long>(*conn, "select count(*) from ticketwatch.job_runs"), 2);
}

TEST(Outage, RunThatReachesTheDatabaseWhileMarkedDownReportsItUpAtOnce) {
  OwnCluster pg;
  {
    auto conn = pg.connect();
    prepare_helpdesk(*conn, 1);
  }
  pg.crash();
  TempDir dir;
  OutageDaemonOptions o;
  o.dsn = pg.dsn();
  o.http_port = unused_loopback_port();
  o.interval = "1s";
  o.max_attempts = 1;
  // The monitor alone would look again only after 30 s.
  o.reconnect_backoff_min = "30s";
  o.reconnect_backoff_max = "30s";
  RunningDaemon d(dir, outage_config(o, dir));
  ASSERT_GE(d.notify.wait_for("db down", 15s), 0) << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "failed", 1, 20s))
      << d.process->stderr_text();

  const auto before = d.notify.messages().size();
  pg.resume();
  const auto available_at = Clock::now();
  ASSERT_GE(d.notify.wait_for("db up", 25s, before), 0) << d.process->stderr_text();
  const auto noticed_after = Clock::now() - available_at;
  // The next scheduled run (1 s) reaches the database; its success brings the state up.
  EXPECT_LE(noticed_after, 10s)
      << std::chrono::duration_cast<std::chrono::milliseconds>(noticed_after).count() << " ms";
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0);
}

TEST(Outage, RestartWhileIdleCostsTheNextRunNoFailedAttempt) {
  OwnCluster pg;
  {
    auto conn = pg.connect();
    prepare_helpdesk(*conn, 1);
  }
  TempDir dir;
  OutageDaemonOptions o;
  o.dsn = pg.dsn();
  o.http_port = unused_loopback_port();
  RunningDaemon d(dir, outage_config(o, dir));
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "escalation-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();

  // Between two runs the server goes away and comes back; the jobs' connections sat idle.
  pg.crash();
  pg.resume();
  const auto socket = (dir / "control.sock").string();
  for (const auto* job : {"sla-monitor", "escalation-monitor"}) {
    const auto r = run_program(TW_CTL_PATH, {"--socket", socket, "trigger", job});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("(manual, 1 attempt)"), std::string::npos) << r.out;
  }
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0);
  const auto log = d.process->stderr_text();
  EXPECT_EQ(count_occurrences(log, "attempt 1/"), 0u) << log;
}

}  // namespace
}  // namespace ticketwatch::testing

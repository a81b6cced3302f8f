// The real ticketwatchd as a subprocess: sd_notify over a real datagram socket, real signals.
#include <gtest/gtest.h>
#include <signal.h>

#include "daemon_fixture.hpp"
#include "test_database.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

std::string unreachable_dsn(const TempDir& dir) {
  // A socket directory where no server listens: connecting fails at once.
  return fmt::format("host={} dbname=nothing user=nobody connect_timeout=1", dir.path().string());
}

TEST(DaemonLifecycle, ReachesReadyEvenWhenTheDatabaseIsUnreachableAndSaysSoInStatus) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = unreachable_dsn(dir);
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_GE(d.notify.wait_for("db down", 15s), 0) << d.process->stderr_text();
  EXPECT_TRUE(d.process->running());
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, SigtermSendsStoppingAndExitsZero) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = unreachable_dsn(dir);
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0) << d.process->stderr_text();
  EXPECT_GE(d.notify.wait_for("STOPPING=1", 1s), 0);
  EXPECT_NE(d.process->stderr_text().find("SIGTERM"), std::string::npos);
}

TEST(DaemonLifecycle, SigintStopsGracefullyToo) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = unreachable_dsn(dir);
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  d.process->signal(SIGINT);
  EXPECT_EQ(d.process->wait(15s), 0) << d.process->stderr_text();
  EXPECT_GE(d.notify.wait_for("STOPPING=1", 1s), 0);
}

TEST(DaemonLifecycle, SendsWatchdogPingsAtHalfOfWatchdogUsec) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = unreachable_dsn(dir);
  // 400 ms watchdog: pings every 200 ms; over 3 s at least 5 must arrive even on a loaded box.
  RunningDaemon d(dir, daemon_config(o, dir), {{"WATCHDOG_USEC", "400000"}});
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  const auto before = d.notify.count("WATCHDOG=1");
  std::this_thread::sleep_for(3s);
  const auto pings = d.notify.count("WATCHDOG=1") - before;
  EXPECT_GE(pings, 5u);
  EXPECT_LE(pings, 30u);  // not a busy loop
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, SendsNoWatchdogPingsWithoutWatchdogUsec) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = unreachable_dsn(dir);
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(d.notify.count("WATCHDOG=1"), 0u);
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, ReloadWithAValidFileAppliesTheNewIntervals) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_GE(d.notify.wait_for("db up", 15s), 0) << d.process->stderr_text();
  // Hourly interval and no run on start: nothing has run yet.
  EXPECT_EQ(count_runs(d.process->stderr_text(), "sla-monitor", "succeeded"), 0u);

  o.sla_interval = "300ms";
  write_file(d.config_path, daemon_config(o, dir));
  const auto seen = d.notify.messages().size();
  d.process->signal(SIGHUP);
  const int reloading = d.notify.wait_for("RELOADING=1", 10s, seen);
  ASSERT_GE(reloading, 0);
  EXPECT_GE(d.notify.wait_for("READY=1", 10s, static_cast<std::size_t>(reloading)), 0);
  ASSERT_TRUE(d.process->wait_for_stderr("configuration reloaded", 10s));
  // The new interval is in force: several runs within a few seconds.
  EXPECT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 3, 20s))
      << d.process->stderr_text();
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, ReloadWithAnInvalidFileIsRefusedAndTheOldConfigKeepsRunning) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.sla_interval = "300ms";
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();

  write_file(d.config_path, "[jobs.sla-monitor]\ninterval = \"soon\"\n");
  const auto seen = d.notify.messages().size();
  d.process->signal(SIGHUP);
  ASSERT_GE(d.notify.wait_for("RELOADING=1", 10s, seen), 0);
  EXPECT_GE(d.notify.wait_for("READY=1", 10s, seen), 0);
  ASSERT_TRUE(d.process->wait_for_stderr("reload refused", 10s));
  const auto log = d.process->stderr_text();
  // The error names file:line:column and the key.
  EXPECT_NE(log.find(d.config_path.string() + ":2:"), std::string::npos) << log;
  EXPECT_NE(log.find("jobs.sla-monitor.interval"), std::string::npos) << log;
  // Still running on the old config: more runs keep coming.
  const auto runs = count_runs(log, "sla-monitor", "succeeded");
  EXPECT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", runs + 2, 20s));
  EXPECT_TRUE(d.process->running());
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, RefusesToRunJobsAgainstAnOldSchemaAndNamesTheFix) {
  TestDatabase db;  // not migrated
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.run_on_start = true;
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  ASSERT_GE(d.notify.wait_for("db schema behind", 15s), 0) << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "failed", 1, 20s))
      << d.process->stderr_text();
  EXPECT_NE(
      d.process->stderr_text().find("ticketwatchd migrate --config " + d.config_path.string()),
      std::string::npos)
      << d.process->stderr_text();
  // Nothing was written: the job never touched the database.
  EXPECT_EQ(db.scalar<long>("select count(*) from pg_tables where tablename = 'notifications'"), 0);
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, ResumesByItselfWhenTheSchemaIsMigratedWhileRunning) {
  TestDatabase db;
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.run_on_start = true;
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("db schema behind", 15s), 0) << d.process->stderr_text();
  db.migrate();
  ASSERT_GE(d.notify.wait_for("db up", 30s), 0) << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 30s))
      << d.process->stderr_text();
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(15s), 0);
}

TEST(DaemonLifecycle, StopsWithinShutdownTimeoutWhileARunIsBlockedOnALock) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.shutdown_timeout = "2s";
  o.job_timeout = "60s";
  // Hold an exclusive lock on tickets so the job blocks inside the database.
  auto locker = db.connect();
  pqxx::work lock_tx(*locker);
  lock_tx.exec("lock table tickets in access exclusive mode");
  o.run_on_start = true;
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_GE(d.notify.wait_for("READY=1", 15s), 0) << d.process->stderr_text();
  std::this_thread::sleep_for(1s);  // let the run reach the lock
  const auto start = std::chrono::steady_clock::now();
  d.process->signal(SIGTERM);
  const auto code = d.process->wait(20s);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(code.has_value()) << d.process->stderr_text();
  EXPECT_EQ(*code, 0) << d.process->stderr_text();
  EXPECT_LT(took, 10s);  // 2 s grace plus process teardown, far from the 60 s job timeout
  lock_tx.abort();
}

}  // namespace
}  // namespace ticketwatch::testing

// ticketwatchd's one-shot commands, run as the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon_fixture.hpp"
#include "test_database.hpp"
#include "ticketwatch/daemon/job_runner.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

TEST(DaemonCli, CheckConfigPrintsOkForAValidFile) {
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = "host=/nonexistent dbname=x";
  write_file(dir / "t.toml", daemon_config(o, dir));
  const auto r =
      run_program(TW_DAEMON_PATH, {"check-config", "--config", (dir / "t.toml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(DaemonCli, CheckConfigNamesFileLineColumnAndKeyAndExitsOne) {
  TempDir dir;
  write_file(dir / "t.toml", "[daemon]\nlog_level = \"loud\"\n");
  const auto path = (dir / "t.toml").string();
  const auto r = run_program(TW_DAEMON_PATH, {"--config", path, "check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("daemon.log_level"), std::string::npos) << r.err;
}

TEST(DaemonCli, CheckConfigReportsAMissingFile) {
  const auto r = run_program(TW_DAEMON_PATH, {"--config", "/nonexistent/tw.toml", "check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/tw.toml"), std::string::npos) << r.err;
}

TEST(DaemonCli, VersionAndHelpExitZero) {
  const auto v = run_program(TW_DAEMON_PATH, {"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("ticketwatchd ", 0), 0u) << v.out;
  const auto h = run_program(TW_DAEMON_PATH, {"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("run-once JOB"), std::string::npos);
}

TEST(DaemonCli, UnknownCommandOrJobIsAUsageError) {
  const auto c = run_program(TW_DAEMON_PATH, {"frobnicate"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("unknown command \"frobnicate\""), std::string::npos) << c.err;
  const auto j = run_program(TW_DAEMON_PATH, {"run-once", "nope"});
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_NE(j.err.find("sla-monitor"), std::string::npos) << j.err;
}

TEST(DaemonCli, MigrateAppliesTheSchemaOnceAndIsIdempotent) {
  TestDatabase db;
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  write_file(dir / "t.toml", daemon_config(o, dir));
  const auto first =
      run_program(TW_DAEMON_PATH, {"--config", (dir / "t.toml").string(), "migrate"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("migrated from version 0"), std::string::npos) << first.out;
  const auto second =
      run_program(TW_DAEMON_PATH, {"--config", (dir / "t.toml").string(), "migrate"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("is current"), std::string::npos) << second.out;
  EXPECT_GE(db.scalar<long>("select count(*) from ticketwatch.schema_migrations"), 1);
}

TEST(DaemonCli, RunOncePrintsTheSummaryAsOneJsonObject) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  write_file(dir / "t.toml", daemon_config(o, dir));
  for (const std::string job : {"sla-monitor", "escalation-monitor"}) {
    const auto r =
        run_program(TW_DAEMON_PATH, {"--config", (dir / "t.toml").string(), "run-once", job});
    ASSERT_EQ(r.exit_code, 0) << job << ": " << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    EXPECT_TRUE(summary.is_object());
    EXPECT_TRUE(summary.contains("duration_ms")) << r.out;
  }
}

TEST(DaemonCli, RunOnceAgainstAnOldSchemaFailsAndNamesTheFix) {
  TestDatabase db;
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  write_file(dir / "t.toml", daemon_config(o, dir));
  const auto r = run_program(TW_DAEMON_PATH,
                             {"--config", (dir / "t.toml").string(), "run-once", "sla-monitor"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ticketwatchd migrate"), std::string::npos) << r.err;
}

TEST(DaemonCli, RunOnceWhileAnotherInstanceHoldsTheJobLockIsSkipped) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  write_file(dir / "t.toml", daemon_config(o, dir));
  const auto config = (dir / "t.toml").string();
  auto other = db.connect();
  {
    pqxx::nontransaction tx(*other);
    tx.exec_params("select pg_advisory_lock($1)", daemon::job_lock_key("sla-monitor"));
  }
  const auto held = run_program(TW_DAEMON_PATH, {"--config", config, "run-once", "sla-monitor"});
  EXPECT_EQ(held.exit_code, 1);
  EXPECT_NE(held.err.find("skipped"), std::string::npos) << held.err;
  // The other job has its own lock and runs.
  const auto esc =
      run_program(TW_DAEMON_PATH, {"--config", config, "run-once", "escalation-monitor"});
  EXPECT_EQ(esc.exit_code, 0) << esc.err;
  {
    pqxx::nontransaction tx(*other);
    tx.exec_params("select pg_advisory_unlock($1)", daemon::job_lock_key("sla-monitor"));
  }
  const auto freed = run_program(TW_DAEMON_PATH, {"--config", config, "run-once", "sla-monitor"});
  EXPECT_EQ(freed.exit_code, 0) << freed.err;
}

}  // namespace
}  // namespace ticketwatch::testing

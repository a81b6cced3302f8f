// Malformed input at the entry points: config files for check-config and for a running daemon's
// reload, and ticket data the jobs meet in real helpdesks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "faults_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

struct BadConfig {
  const char* what;
  std::string text;
  std::string position;  // ":line:column:" expected in the error
  std::string key;       // dotted key expected in the error; empty for syntax errors
};

std::vector<BadConfig> bad_configs() {
  return {
      {"wrong type", "[daemon]\nshutdown_timeout = 5\n", ":2:", "daemon.shutdown_timeout"},
      {"unknown key", "[daemon]\nlog_levle = \"info\"\n", ":2:", "daemon.log_levle"},
      {"unknown table", "[deamon]\nlog_level = \"info\"\n", ":1:", "deamon"},
      {"bad duration", "[jobs.sla-monitor]\ninterval = \"soon\"\n",
       ":2:", "jobs.sla-monitor.interval"},
      {"negative duration", "[jobs.sla-monitor]\ninterval = \"-5m\"\n",
       ":2:", "jobs.sla-monitor.interval"},
      {"threshold out of range", "[jobs.sla-monitor]\nmedium_threshold = 1.5\n",
       ":2:", "jobs.sla-monitor.medium_threshold"},
      {"syntax error", "[daemon\nlog_level = \"info\"\n", ":1:", ""},
      {"invalid UTF-8", "[daemon]\nlog_level = \"\xff\xfe\"\n", ":2:", ""},
      {"duplicate key", "[daemon]\nlog_level = \"info\"\nlog_level = \"debug\"\n", ":3:", ""},
      {"bad log level", "[daemon]\nlog_level = \"loud\"\n", ":2:", "daemon.log_level"},
  };
}

TEST(BadInput, CheckConfigRejectsEveryMalformedFileWithFileLineColumnAndKey) {
  TempDir dir;
  for (const auto& bad : bad_configs()) {
    SCOPED_TRACE(bad.what);
    const auto path = (dir / "bad.toml").string();
    write_file(path, bad.text);
    const auto r = run_program(TW_DAEMON_PATH, {"--config", path, "check-config"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(path + bad.position), std::string::npos) << r.err;
    if (!bad.key.empty()) {
      EXPECT_NE(r.err.find(bad.key), std::string::npos) << r.err;
    }
  }
}

TEST(BadInput, CheckConfigAcceptsAnEmptyFileAsAllDefaults) {
  TempDir dir;
  write_file(dir / "empty.toml", "");
  const auto r =
      run_program(TW_DAEMON_PATH, {"--config", (dir / "empty.toml").string(), "check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(BadInput, CheckConfigNamesAMissingFileADirectoryAndAnUnreadableFile) {
  TempDir dir;
  const auto missing =
      run_program(TW_DAEMON_PATH, {"--config", (dir / "missing.toml").string(), "check-config"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find((dir / "missing.toml").string()), std::string::npos) << missing.err;

  const auto directory =
      run_program(TW_DAEMON_PATH, {"--config", dir.path().string(), "check-config"});
  EXPECT_EQ(directory.exit_code, 1) << directory.out;
  EXPECT_NE(directory.err.find(dir.path().string()), std::string::npos) << directory.err;
}

TEST(BadInput, RunningDaemonRefusesEveryMalformedReloadAndKeepsServing) {
  TestDatabase db;
  db.migrate();
  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.sla_interval = "300ms";
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 20s))
      << d.process->stderr_text();
  std::size_t refused = 0;
  for (const auto& bad : bad_configs()) {
    SCOPED_TRACE(bad.what);
    write_file(d.config_path, bad.text);
    d.process->signal(SIGHUP);
    ++refused;
    bool seen = false;
    for (int i = 0; i < 100 && !seen; ++i) {
      seen = count_occurrences(d.process->stderr_text(), "reload refused") >= refused;
      if (!seen) std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(seen) << d.process->stderr_text();
    ASSERT_TRUE(d.process->running());
  }
  const auto runs = count_runs(d.process->stderr_text(), "sla-monitor", "succeeded");
  EXPECT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", runs + 2, 20s));
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0);
}

TEST(BadInput, JobsHandleOddTicketDataAndStillDoTheRest) {
  TestDatabase db;
  db.migrate();
  auto conn = db.connect();
  seed_people(*conn);
  seed_rules(*conn);
  exec(*conn, R"sql(
    insert into users (id, name, email) values (9, 'Gone', 'gone@example.com');
    insert into tickets (title, status, priority, creator_id, assignee_id, team_id, created_at,
                         sla_due_at) values
      ('no team', 'open', 'medium', 1, 2, null, now() - interval '101 hours',
       now() - interval '1 hour'),
      ('deleted user', 'open', 'medium', 9, 9, 1, now() - interval '101 hours',
       now() - interval '1 hour'),
      ('due before creation', 'open', 'medium', 1, 2, 1, now() - interval '1 hour',
       now() - interval '2 hours'),
      ('unknown status', 'wontfix-ish', 'medium', 1, 2, 1, now() - interval '101 hours',
       now() - interval '1 hour'),
      ('unknown priority', 'open', 'legacy-p0', 1, 2, 1, now() - interval '101 hours',
       now() - interval '1 hour'),
      ('no assignee nor creator', 'open', 'medium', null, null, null,
       now() - interval '101 hours', now() - interval '1 hour');
    delete from users where id = 9;
  )sql");
  add_tickets_at_every_level(*conn, 2);

  TempDir dir;
  DaemonConfigOptions o;
  o.dsn = db.dsn();
  o.run_on_start = true;
  RunningDaemon d(dir, daemon_config(o, dir));
  ASSERT_TRUE(wait_for_runs(*d.process, "sla-monitor", "succeeded", 1, 30s))
      << d.process->stderr_text();
  ASSERT_TRUE(wait_for_runs(*d.process, "escalation-monitor", "succeeded", 1, 30s))
      << d.process->stderr_text();
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0) << d.process->stderr_text();
  EXPECT_EQ(count_runs(d.process->stderr_text(), "sla-monitor", "failed"), 0u);
  EXPECT_EQ(duplicate_notifications(*conn), "");
  // The ordinary tickets got their work done as if the odd ones were not there.
  EXPECT_EQ(scalar<long long>(*conn,
                              "select count(distinct ticket_id) from notifications n "
                              "join tickets t on t.id = n.ticket_id "
                              "where n.kind = 'sla_breached' and t.title like 'Ticket breached%'"),
            2);
  // Every odd ticket was looked at: the SLA job keeps a state row for each open one.
  EXPECT_EQ(scalar<long long>(*conn,
                              "select count(*) from tickets t where t.title not like 'Ticket %' "
                              "and not exists (select 1 from ticketwatch.sla_state s "
                              "                where s.ticket_id = t.id)"),
            0)
      << d.process->stderr_text();
}

}  // namespace
}  // namespace ticketwatch::testing

// The real ticketwatchd as a subprocess against a real database: ticketwatchctl, the control
// socket and HTTP as an operator and a scraper meet them.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../../unit/control/exposition_parser.hpp"
#include "../daemon/daemon_fixture.hpp"
#include "clients.hpp"
#include "loopback_port.hpp"
#include "test_database.hpp"
#include "ticketwatch/control/ctl_format.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string config_text(const std::string& dsn, const TempDir& dir, unsigned short port,
                        const std::string& sla_interval = "1h") {
  return fmt::format(R"([daemon]
log_level = "info"
shutdown_timeout = "5s"

[database]
dsn = "{dsn}"
reconnect_backoff_min = "100ms"
reconnect_backoff_max = "500ms"

[control]
socket = "{socket}"

[metrics]
listen = "127.0.0.1:{port}"

[jobs.sla-monitor]
interval = "{sla}"
run_on_start = false
retry_backoff = "100ms"

[jobs.escalation-monitor]
interval = "1h"
run_on_start = false
retry_backoff = "100ms"
)",
                     fmt::arg("dsn", dsn), fmt::arg("socket", (dir / "control.sock").string()),
                     fmt::arg("port", port), fmt::arg("sla", sla_interval));
}

// One user, one breached ticket and one at medium risk.
void seed(TestDatabase& db) {
  db.exec(R"sql(
    insert into users (id, name, email) values (1, 'Ann', 'ann@example.org');
    insert into tickets (title, creator_id, assignee_id, created_at, updated_at, sla_due_at)
    values ('printer on fire', 1, 1, now() - interval '3 hours', now(), now() - interval '10 minutes'),
           ('vpn flaky', 1, null, now() - interval '3 hours', now(), now() + interval '30 minutes');
  )sql");
}

class DaemonEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.migrate();
    seed(db_);
    port_ = unused_loopback_port();
    daemon_ = std::make_unique<RunningDaemon>(dir_, config_text(db_.dsn(), dir_, port_));
    ASSERT_GE(daemon_->notify.wait_for("READY=1", 20s), 0) << daemon_->process->stderr_text();
    ASSERT_GE(daemon_->notify.wait_for("db up", 20s), 0) << daemon_->process->stderr_text();
  }

  void TearDown() override {
    if (daemon_ && daemon_->process->running()) {
      daemon_->process->signal(SIGTERM);
      EXPECT_EQ(daemon_->process->wait(20s), 0) << daemon_->process->stderr_text();
    }
  }

  Completed ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket_path()});
    return run_program(TW_CTL_PATH, args, {}, 60s);
  }
  std::string socket_path() const { return (dir_ / "control.sock").string(); }

  HttpResponse get(const std::string& target, const std::string& method = "GET") {
    auto response = http_request(port_, method, target);
    if (!response) throw std::runtime_error("no HTTP response for " + target);
    return *response;
  }

  TestDatabase db_;
  TempDir dir_;
  unsigned short port_ = 0;
  std::unique_ptr<RunningDaemon> daemon_;
};

TEST_F(DaemonEndToEnd, CtlStatusShowsTheDaemonTheDatabaseAndBothJobs) {
  auto r = ctl({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 8u) << r.out;
  EXPECT_EQ(lines[0].rfind("ticketwatchd " + std::string(kVersion) + " (", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("database:  up"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scheduler: running"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nsla-monitor "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nescalation-monitor "), std::string::npos) << r.out;
  auto json_status = json::parse(ctl({"--json", "status"}).out);
  EXPECT_EQ(json_status["database"], "up");
  EXPECT_EQ(json_status["jobs"].size(), 2u);
}

TEST_F(DaemonEndToEnd, CtlTriggerRunsTheRealJobAndTheRunIsCountedAndRecorded) {
  auto r = ctl({"trigger", "sla-monitor"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("sla-monitor succeeded in ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("(manual, 1 attempt)"), std::string::npos) << r.out;
  EXPECT_GT(db_.scalar<long>("select count(*) from notifications"), 0);

  auto stats = ctl({"stats", "sla-monitor"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto lines = lines_of(stats.out);
  ASSERT_EQ(lines.size(), 2u) << stats.out;
  EXPECT_NE(lines[1].find("succeeded"), std::string::npos) << stats.out;

  // The run history row is written off the io thread; give it a moment.
  long rows = 0;
  for (int i = 0; i < 100 && rows == 0; ++i) {
    rows = db_.scalar<long>(
        "select count(*) from ticketwatch.job_runs where job = 'sla-monitor' and "
        "trigger = 'manual' and status = 'succeeded' and summary ? 'at_risk'");
    if (rows == 0) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(rows, 1);
}

TEST_F(DaemonEndToEnd, CtlErrorsAndReloadBehaveAsDocumented) {
  auto unknown = ctl({"trigger", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown job 'nope'"), std::string::npos) << unknown.err;

  write_file(daemon_->config_path, config_text(db_.dsn(), dir_, port_, "7m"));
  auto ok = ctl({"reload"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "configuration reloaded\n");
  auto next = json::parse(ctl({"--json", "stats", "sla-monitor"}).out)["jobs"][0]["nextRun"];
  ASSERT_TRUE(next.is_string());
  auto in = *control::parse_utc(next.get<std::string>()) - std::chrono::system_clock::now();
  EXPECT_LE(in, 7min);
  EXPECT_GT(in, 6min);

  // A key that only a restart applies is named, and the rest of the file is still applied.
  auto renamed = config_text(db_.dsn(), dir_, port_, "9m");
  renamed.replace(renamed.find("[daemon]\n"), 9, "[daemon]\ninstance_name = \"renamed\"\n");
  write_file(daemon_->config_path, renamed);
  auto restart = ctl({"reload"});
  EXPECT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(restart.out,
            "configuration reloaded\n"
            "changed, but applied only after a restart: daemon.instance_name\n");
  EXPECT_EQ(json::parse(ctl({"--json", "reload"}).out),
            (json{{"ok", true}, {"restart_required", {"daemon.instance_name"}}}));
  EXPECT_NE(json::parse(ctl({"--json", "status"}).out)["instance"], "renamed");
  next = json::parse(ctl({"--json", "stats", "sla-monitor"}).out)["jobs"][0]["nextRun"];
  ASSERT_TRUE(next.is_string());
  EXPECT_GT(*control::parse_utc(next.get<std::string>()) - std::chrono::system_clock::now(), 8min);

  write_file(daemon_->config_path, "[jobs.sla-monitor]\ninterval = \"soon\"\n");
  auto bad = ctl({"reload"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("configuration refused"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("ticketwatch.toml:2:"), std::string::npos) << bad.err;
  EXPECT_TRUE(daemon_->process->running());
  EXPECT_EQ(ctl({"status"}).exit_code, 0);
}

TEST_F(DaemonEndToEnd, MetricsAndHealthzReflectTheRealRun) {
  ASSERT_EQ(ctl({"trigger", "sla-monitor"}).exit_code, 0);
  ASSERT_EQ(ctl({"trigger", "escalation-monitor"}).exit_code, 0);
  auto response = get("/metrics");
  ASSERT_EQ(response.status, 200);
  auto m = parse_exposition(response.body);
  EXPECT_EQ(
      m.value("ticketwatch_job_runs_total", {{"job", "sla-monitor"}, {"result", "succeeded"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total",
                    {{"job", "escalation-monitor"}, {"result", "succeeded"}}),
            1);
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "breached"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "high"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_tickets_at_risk", {{"level", "medium"}}), 1);
  double notified = 0;
  for (const auto& s : m.family("ticketwatch_notifications_created_total").samples) {
    notified += s.value;
  }
  EXPECT_EQ(notified, db_.scalar<double>("select count(*) from notifications"));
  EXPECT_EQ(m.value("ticketwatch_database_up"), 1);
  EXPECT_EQ(m.value("ticketwatch_job_running", {{"job", "sla-monitor"}}), 0);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/metrics", "POST").status, 405);
  EXPECT_EQ(get("/nothing").status, 404);

  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    write_file(dir_ / "scrape.prom", response.body);
    auto lint = run_program(
        "/bin/sh", {"-c", "promtool check metrics < " + (dir_ / "scrape.prom").string() + " 2>&1"});
    EXPECT_EQ(lint.exit_code, 0) << lint.out;
    EXPECT_EQ(lint.out, "") << lint.out;
  }
}

TEST_F(DaemonEndToEnd, HostileClientsLeaveTheDaemonAnswering) {
  // Control socket: garbage, a 100 KiB line, silent connections, 200 concurrent clients.
  LineClient garbage(socket_path());
  ASSERT_TRUE(garbage.send(std::string("\x00\xff\xfe{{{\n", 7)));
  auto reply = garbage.read_line();
  ASSERT_TRUE(reply);
  EXPECT_EQ(json::parse(*reply)["ok"], false);

  LineClient huge(socket_path());
  huge.send(std::string(100 * 1024, 'x') + "\n");
  auto huge_reply = huge.read_line();
  ASSERT_TRUE(huge_reply);
  EXPECT_NE(huge_reply->find("longer than"), std::string::npos);
  EXPECT_TRUE(huge.socket().closed_within(5s));

  std::vector<LineClient> silent;
  for (int i = 0; i < 20; ++i) silent.emplace_back(socket_path());

  std::vector<LineClient> many;
  for (int i = 0; i < 200; ++i) many.emplace_back(socket_path());
  for (auto& c : many) ASSERT_TRUE(c.send("{\"cmd\":\"stats\"}\n"));
  int answered = 0;
  for (auto& c : many) {
    auto line = c.read_line(20s);
    if (line && json::parse(*line)["ok"] == true) ++answered;
  }
  EXPECT_EQ(answered, 200);

  // HTTP: garbage, oversized headers, a silent connection, 200 concurrent scrapes.
  auto http_garbage = connect_tcp(port_);
  http_garbage.send_all("\x16\x03\x01 hello\r\n\r\n");
  auto http_huge = connect_tcp(port_);
  http_huge.send_all("GET /metrics HTTP/1.1\r\nX: " + std::string(50000, 'y') + "\r\n\r\n");
  auto http_silent = connect_tcp(port_);
  std::vector<Socket> scrapes;
  for (int i = 0; i < 200; ++i) scrapes.push_back(connect_tcp(port_));
  for (auto& s : scrapes) {
    ASSERT_TRUE(s.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }
  int scraped = 0;
  for (auto& s : scrapes) {
    std::string buffer;
    auto response = read_http_response(s, buffer, false, 20s);
    if (response && response->status == 200) {
      parse_exposition(response->body);
      ++scraped;
    }
  }
  EXPECT_EQ(scraped, 200);
  std::string buffer;
  auto response = read_http_response(http_huge, buffer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);

  // Still answering, still running.
  EXPECT_EQ(ctl({"status"}).exit_code, 0);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_TRUE(daemon_->process->running());
}

TEST_F(DaemonEndToEnd, AfterStopTheSocketIsGoneAndCtlSaysNotRunning) {
  daemon_->process->signal(SIGTERM);
  ASSERT_EQ(daemon_->process->wait(20s), 0) << daemon_->process->stderr_text();
  EXPECT_FALSE(std::filesystem::exists(socket_path()));
  auto r = ctl({"status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "ticketwatchctl: cannot reach ticketwatchd at " + socket_path() +
                       " (not running?). Start it with: systemctl start ticketwatch\n");
}

TEST_F(DaemonEndToEnd, ASecondDaemonOnTheSameSocketRefusesToStartAndTheFirstCarriesOn) {
  TempDir other;
  auto config = other / "ticketwatch.toml";
  // Same socket, its own free HTTP port, so only the socket can be the conflict.
  auto text = config_text(db_.dsn(), dir_, unused_loopback_port());
  write_file(config, text);
  ChildProcess second(TW_DAEMON_PATH, {"--config", config.string(), "run"}, {}, other.path());
  auto code = second.wait(20s);
  ASSERT_TRUE(code);
  EXPECT_NE(*code, 0);
  EXPECT_NE(second.stderr_text().find("another ticketwatchd is listening on " + socket_path()),
            std::string::npos)
      << second.stderr_text();
  EXPECT_EQ(ctl({"status"}).exit_code, 0);
}

}  // namespace
}  // namespace ticketwatch::testing

// The database password never leaves the daemon: not in its log, STATUS, ctl output, /metrics
// or error messages, wherever it comes from (DSN, password_file, systemd credential), even while
// every connection attempt fails and errors are produced.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/daemon_fixture.hpp"
#include "loopback_port.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

std::string config_with(const std::string& database_section, const TempDir& dir,
                        unsigned short port) {
  return fmt::format(R"([database]
{database}
connect_timeout = "1s"
reconnect_backoff_min = "100ms"
reconnect_backoff_max = "300ms"

[control]
socket = "{socket}"

[metrics]
listen = "127.0.0.1:{port}"

[jobs.sla-monitor]
interval = "1s"
run_on_start = true
retry_backoff = "100ms"

[jobs.escalation-monitor]
interval = "1s"
run_on_start = true
retry_backoff = "100ms"
)",
                     fmt::arg("database", database_section),
                     fmt::arg("socket", (dir / "control.sock").string()), fmt::arg("port", port));
}

// Runs the daemon until its jobs have failed a few times, then gathers everything it said.
std::string everything_the_daemon_said(const std::string& database_section,
                                       std::map<std::string, std::string> env = {}) {
  TempDir dir;
  const auto port = unused_loopback_port();
  RunningDaemon d(dir, config_with(database_section, dir, port), std::move(env));
  std::string said;
  const auto wait_ok = d.notify.wait_for("db down", 20s) >= 0 &&
                       wait_for_runs(*d.process, "sla-monitor", "failed", 1, 30s);
  const auto socket = (dir / "control.sock").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--socket", socket, "--json", "status"},
           {"--socket", socket, "status"},
           {"--socket", socket, "trigger", "sla-monitor"},
           {"--socket", socket, "--json", "trigger", "escalation-monitor"}}) {
    const auto r = run_program(TW_CTL_PATH, args);
    said += r.out + r.err;
  }
  for (const auto* target : {"/metrics", "/healthz"}) {
    const auto r = run_program(
        "/usr/bin/curl",
        {"-s", "-S", "--max-time", "10", fmt::format("http://127.0.0.1:{}{}", port, target)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    said += r.out + r.err;
  }
  d.process->signal(SIGTERM);
  EXPECT_EQ(d.process->wait(20s), 0);
  for (const auto& m : d.notify.messages()) said += m + "\n";
  said += d.process->stdout_text() + d.process->stderr_text();
  EXPECT_TRUE(wait_ok) << said;
  // The gathered text is real: it has the failure and the metrics in it.
  EXPECT_NE(said.find("db down"), std::string::npos) << said;
  EXPECT_NE(said.find("# TYPE"), std::string::npos) << said;
  return said;
}

TEST(Secrets, PasswordInAKeywordDsnNeverAppearsInAnyOutput) {
  const auto said = everything_the_daemon_said(
      R"(dsn = "host=127.0.0.1 port=1 dbname=helpdesk user=tw password=S3cretXYZ")");
  EXPECT_EQ(said.find("S3cretXYZ"), std::string::npos) << said;
}

TEST(Secrets, PasswordInAUriDsnNeverAppearsInAnyOutput) {
  const auto said = everything_the_daemon_said(
      R"(dsn = "postgresql://tw:S3cretXYZ@127.0.0.1:1/helpdesk?sslmode=disable")");
  EXPECT_EQ(said.find("S3cretXYZ"), std::string::npos) << said;
}

TEST(Secrets, PasswordFromAPasswordFileNeverAppearsInAnyOutput) {
  TempDir secrets;
  write_file(secrets / "db-password", "FileS3cretXYZ\n");
  ::chmod((secrets / "db-password").c_str(), 0600);
  const auto said = everything_the_daemon_said(
      fmt::format(R"(dsn = "host=127.0.0.1 port=1 dbname=helpdesk user=tw"
password_file = "{}")",
                  (secrets / "db-password").string()));
  EXPECT_EQ(said.find("FileS3cretXYZ"), std::string::npos) << said;
}

TEST(Secrets, PasswordFromTheSystemdCredentialNeverAppearsInAnyOutput) {
  TempDir credentials;
  write_file(credentials / "db-password", "CredS3cretXYZ\n");
  const auto said =
      everything_the_daemon_said(R"(dsn = "host=127.0.0.1 port=1 dbname=helpdesk user=tw")",
                                 {{"CREDENTIALS_DIRECTORY", credentials.path().string()}});
  EXPECT_EQ(said.find("CredS3cretXYZ"), std::string::npos) << said;
}

TEST(Secrets, CheckConfigWarnsWhenAWorldReadableFileHoldsAPassword) {
  TempDir dir;
  const auto path = dir / "ticketwatch.toml";
  write_file(path, "[database]\ndsn = \"host=/tmp dbname=x user=tw password=S3cretXYZ\"\n");
  ::chmod(path.c_str(), 0644);
  const auto loose = run_program(TW_DAEMON_PATH, {"--config", path.string(), "check-config"});
  EXPECT_NE((loose.out + loose.err).find("readable by"), std::string::npos)
      << loose.out << loose.err;
  EXPECT_EQ((loose.out + loose.err).find("S3cretXYZ"), std::string::npos) << loose.out << loose.err;

  ::chmod(path.c_str(), 0600);
  const auto tight = run_program(TW_DAEMON_PATH, {"--config", path.string(), "check-config"});
  EXPECT_EQ(tight.exit_code, 0) << tight.out << tight.err;
  EXPECT_EQ((tight.out + tight.err).find("readable by"), std::string::npos)
      << tight.out << tight.err;
}

}  // namespace
}  // namespace ticketwatch::testing

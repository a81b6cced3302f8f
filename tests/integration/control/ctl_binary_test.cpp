#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "control_harness.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

Completed ctl(ControlHarness& h, std::vector<std::string> args) {
  args.insert(args.begin(), {"--socket", h.socket_path()});
  return run_program(TW_CTL_PATH, args, {}, 30s);
}

TEST(Ticketwatchctl, StatusPrintsAHeaderAndAnAlignedJobTable) {
  ControlHarness h;
  auto r = ctl(h, {"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 8u) << r.out;
  EXPECT_EQ(lines[0].rfind("ticketwatchd " + std::string(kVersion) + " (test:", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("database:  up"), std::string::npos);
  EXPECT_NE(r.out.find("uptime:    "), std::string::npos);
  auto header = std::find_if(lines.begin(), lines.end(),
                             [](const std::string& l) { return l.rfind("JOB ", 0) == 0; });
  ASSERT_NE(header, lines.end()) << r.out;
  auto state_col = header->find("STATE");
  int rows = 0;
  for (auto it = header + 1; it != lines.end() && !it->empty(); ++it, ++rows) {
    EXPECT_EQ(it->substr(state_col, 4), "idle") << *it;
    EXPECT_NE(it->find("never"), std::string::npos) << *it;
    EXPECT_NE(it->find("in 59m"), std::string::npos) << *it;
  }
  EXPECT_EQ(rows, 4);
}

TEST(Ticketwatchctl, StatsShowsRunsAfterATriggerAndOneJobOnRequest) {
  ControlHarness h;
  ASSERT_EQ(ctl(h, {"trigger", "quick"}).exit_code, 0);
  auto r = ctl(h, {"stats", "quick"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[1].rfind("quick ", 0), 0u);
  EXPECT_NE(lines[1].find("succeeded"), std::string::npos);
  auto last_run = lines[1].substr(lines[0].find("LAST RUN"), 6);
  EXPECT_TRUE(last_run.rfind("now", 0) == 0 || last_run.find("s ago") != std::string::npos)
      << r.out;
  auto runs_end = lines[0].find("RUNS") + 4;
  EXPECT_EQ(lines[1].substr(runs_end - 1, 1), "1") << r.out;
}

TEST(Ticketwatchctl, JsonPrintsTheDaemonsReply) {
  ControlHarness h;
  auto r = ctl(h, {"--json", "stats"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reply = json::parse(r.out);
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["jobs"].size(), 4u);
  auto t = ctl(h, {"--json", "trigger", "quick"});
  EXPECT_EQ(json::parse(t.out)["result"]["status"], "succeeded");
}

TEST(Ticketwatchctl, TriggerPrintsTheResultAndExitsZeroOnSuccess) {
  ControlHarness h;
  auto r = ctl(h, {"trigger", "quick"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0].rfind("quick succeeded in ", 0), 0u) << r.out;
  EXPECT_NE(lines[0].find("(manual, 1 attempt)"), std::string::npos) << r.out;
  EXPECT_EQ(lines[1], "  runs=1");
  EXPECT_EQ(h.quick_runs(), 1);
}

TEST(Ticketwatchctl, TriggerOfAFailingRunExitsOneWithTheError) {
  ControlHarness h;
  auto r = ctl(h, {"trigger", "failing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("failing failed in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 attempts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error: boom on attempt 2"), std::string::npos) << r.out;
  EXPECT_EQ(ctl(h, {"--json", "trigger", "failing"}).exit_code, 1);
}

TEST(Ticketwatchctl, TriggerOfASkippedRunExitsOneWithTheReason) {
  ControlHarness h;
  auto r = ctl(h, {"trigger", "locked"});
  EXPECT_EQ(r.exit_code, 1);
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0].rfind("locked skipped in ", 0), 0u) << r.out;
  EXPECT_EQ(lines[1], "  reason: another instance holds the job's lock");
}

TEST(Ticketwatchctl, UnknownJobIsAnErrorReplyExitingOne) {
  ControlHarness h;
  auto r = ctl(h, {"trigger", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("ticketwatchctl: unknown job 'nope' (known: ", 0), 0u) << r.err;
}

TEST(Ticketwatchctl, ReloadSaysReloadedOrListsWhyNot) {
  ControlHarness h;
  write_file(h.config_path(), "[jobs.escalation-monitor]\ninterval = \"10m\"\n");
  auto ok = ctl(h, {"reload"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "configuration reloaded\n");

  write_file(h.config_path(), "[jobs.escalation-monitor]\ninterval = 10\nbogus_key = 1\n");
  auto bad = ctl(h, {"reload"});
  EXPECT_EQ(bad.exit_code, 1);
  auto lines = lines_of(bad.err);
  ASSERT_GE(lines.size(), 2u) << bad.err;
  EXPECT_EQ(lines[0],
            "ticketwatchctl: configuration refused; the running configuration is unchanged");
  EXPECT_NE(lines[1].find("ticketwatch.toml:2:"), std::string::npos) << bad.err;
}

TEST(Ticketwatchctl, NoDaemonMeansOneLineAndExitThree) {
  TempDir dir;
  auto path = (dir / "control.sock").string();
  auto r = run_program(TW_CTL_PATH, {"--socket", path, "status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ticketwatchctl: cannot reach ticketwatchd at " + path +
                       " (not running?). Start it with: systemctl start ticketwatch\n");
}

TEST(Ticketwatchctl, AStaleSocketMeansTheSameNotRunningMessage) {
  TempDir dir;
  // A socket file without a listener: what a crashed daemon leaves behind.
  auto stale = (dir / "stale.sock").string();
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, stale.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ::close(fd);
  }
  auto r = run_program(TW_CTL_PATH, {"--socket", stale, "stats"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("(not running?)"), std::string::npos) << r.err;
}

TEST(Ticketwatchctl, PermissionDeniedSaysWhichGroupToUse) {
  if (::geteuid() != 0 || !std::filesystem::exists("/usr/sbin/runuser")) {
    GTEST_SKIP() << "needs root and runuser to act as an unprivileged user";
  }
  ControlHarness h;
  // The socket is 0660 root:root inside a 0700 directory: `nobody` may not connect.
  auto r = run_program("/usr/sbin/runuser",
                       {"-u", "nobody", "--", TW_CTL_PATH, "--socket", h.socket_path(), "status"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err, "ticketwatchctl: permission denied on " + h.socket_path() +
                       ": run ticketwatchctl as a member of the ticketwatch group or as root\n");
}

TEST(Ticketwatchctl, TimeoutGivesUpOnASlowReplyWithExitThree) {
  HarnessOptions options;
  options.slow_job_time = 3s;
  ControlHarness h(options);
  auto start = std::chrono::steady_clock::now();
  auto r = ctl(h, {"--timeout", "300ms", "trigger", "slow"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("did not answer within 300ms"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(Ticketwatchctl, UsageErrorsExitTwo) {
  auto r = run_program(TW_CTL_PATH, {"trigger"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("trigger takes exactly one JOB"), std::string::npos);
  EXPECT_EQ(run_program(TW_CTL_PATH, {"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace ticketwatch::testing

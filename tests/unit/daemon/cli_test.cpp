#include <gtest/gtest.h>

#include "ticketwatch/daemon/cli.hpp"

namespace ticketwatch::daemon {
namespace {

Invocation parse_ok(const std::vector<std::string>& args) {
  auto r = parse_command_line(args);
  EXPECT_TRUE(std::holds_alternative<Invocation>(r)) << std::get<Exit>(r).text;
  return std::get<Invocation>(r);
}

Exit parse_exit(const std::vector<std::string>& args) {
  auto r = parse_command_line(args);
  EXPECT_TRUE(std::holds_alternative<Exit>(r));
  return std::get<Exit>(r);
}

TEST(DaemonCommandLine, DefaultsToRunWithTheSystemConfig) {
  const auto inv = parse_ok({});
  EXPECT_EQ(inv.command, Command::run);
  EXPECT_EQ(inv.config_path, "/etc/ticketwatch/ticketwatch.toml");
}

TEST(DaemonCommandLine, AcceptsConfigBeforeOrAfterTheCommand) {
  EXPECT_EQ(parse_ok({"--config", "/x.toml", "check-config"}).config_path, "/x.toml");
  const auto inv = parse_ok({"check-config", "--config", "/y.toml"});
  EXPECT_EQ(inv.command, Command::check_config);
  EXPECT_EQ(inv.config_path, "/y.toml");
  EXPECT_EQ(parse_ok({"-c", "/z.toml", "migrate"}).command, Command::migrate);
}

TEST(DaemonCommandLine, RunOneTakesAKnownJob) {
  const auto inv = parse_ok({"run-once", "escalation-monitor"});
  EXPECT_EQ(inv.command, Command::run_once);
  EXPECT_EQ(inv.job, "escalation-monitor");
  EXPECT_EQ(parse_exit({"run-once"}).code, 2);
  EXPECT_EQ(parse_exit({"run-once", "x"}).code, 2);
  EXPECT_EQ(parse_exit({"run-once", "sla-monitor", "extra"}).code, 2);
}

TEST(DaemonCommandLine, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(parse_exit({"--bogus"}).code, 2);
  EXPECT_EQ(parse_exit({"dance"}).code, 2);
  EXPECT_EQ(parse_exit({"check-rules", "extra"}).code, 2);
  const auto help = parse_exit({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.text.find("check-rules"), std::string::npos);
  EXPECT_EQ(parse_exit({"--version"}).code, 0);
}

}  // namespace
}  // namespace ticketwatch::daemon

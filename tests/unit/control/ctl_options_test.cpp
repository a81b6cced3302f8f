#include "ticketwatch/control/ctl_options.hpp"

#include <gtest/gtest.h>

#include "ticketwatch/version.hpp"

namespace ticketwatch::control {
namespace {

using namespace std::chrono_literals;

CtlOptions options_of(std::vector<std::string> args) {
  auto parsed = parse_ctl_args(args);
  if (auto* exit = std::get_if<CtlExit>(&parsed)) {
    ADD_FAILURE() << "unexpected exit " << exit->code << ": " << exit->text;
    return {};
  }
  return std::get<CtlOptions>(parsed);
}

CtlExit exit_of(std::vector<std::string> args) {
  auto parsed = parse_ctl_args(args);
  if (auto* exit = std::get_if<CtlExit>(&parsed)) return *exit;
  ADD_FAILURE() << "expected an exit";
  return {};
}

TEST(CtlOptions, DefaultsToTheSystemSocketAndHumanOutput) {
  auto o = options_of({"status"});
  EXPECT_EQ(o.socket, "/run/ticketwatch/control.sock");
  EXPECT_FALSE(o.json);
  EXPECT_EQ(o.request.command, Command::status);
  EXPECT_EQ(o.timeout, kDefaultTimeout);
}

TEST(CtlOptions, ParsesEveryCommandAndItsJob) {
  EXPECT_EQ(options_of({"reload"}).request.command, Command::reload);
  auto all = options_of({"stats"});
  EXPECT_EQ(all.request.command, Command::stats);
  EXPECT_TRUE(all.request.job.empty());
  EXPECT_EQ(options_of({"stats", "sla-monitor"}).request.job, "sla-monitor");
  auto trigger = options_of({"trigger", "escalation-monitor"});
  EXPECT_EQ(trigger.request.command, Command::trigger);
  EXPECT_EQ(trigger.request.job, "escalation-monitor");
  EXPECT_EQ(trigger.timeout, kDefaultTriggerTimeout);
}

TEST(CtlOptions, TakesSocketJsonAndTimeoutBeforeOrAfterTheCommand) {
  auto o = options_of({"--socket", "/tmp/x.sock", "--json", "stats", "--timeout", "90s"});
  EXPECT_EQ(o.socket, "/tmp/x.sock");
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.timeout, 90s);
  auto s = options_of({"-s", "/tmp/y.sock", "-j", "-t", "2m", "trigger", "sla-monitor"});
  EXPECT_EQ(s.socket, "/tmp/y.sock");
  EXPECT_EQ(s.timeout, 2min);
}

TEST(CtlOptions, HelpAndVersionExitZero) {
  auto help = exit_of({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.text.find("trigger JOB"), std::string::npos);
  EXPECT_NE(help.text.find("--socket"), std::string::npos);
  auto version = exit_of({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.text, std::string("ticketwatchctl ") + kVersion + "\n");
}

TEST(CtlOptions, UsageErrorsExitTwoWithOneReason) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"trigger"},
                                             {"trigger", "a", "b"},
                                             {"stats", "a", "b"},
                                             {"status", "extra"},
                                             {"reload", "extra"},
                                             {"--bogus", "status"},
                                             {"--timeout", "soon", "status"},
                                             {"--timeout", "0s", "status"},
                                             {"--socket", "", "status"},
                                             {"--socket"}}) {
    auto exit = exit_of(args);
    EXPECT_EQ(exit.code, kExitUsage) << exit.text;
    EXPECT_EQ(exit.text.rfind("ticketwatchctl: ", 0), 0u) << exit.text;
    EXPECT_NE(exit.text.find("--help"), std::string::npos);
  }
}

}  // namespace
}  // namespace ticketwatch::control

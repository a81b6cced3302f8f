#include <gtest/gtest.h>

#include "ticketwatch/daemon/status_line.hpp"

namespace ticketwatch::daemon {
namespace {

using namespace std::chrono_literals;

TEST(StatusLine, SummarisesEachJobAndTheDatabaseOnOneLine) {
  const auto now = std::chrono::system_clock::now();
  scheduler::JobStats sla;
  sla.job = "sla-monitor";
  sla.last_run = now - 125s;
  sla.last_status = scheduler::RunStatus::succeeded;
  sla.last_summary = {{"notifications_created", 12}};
  scheduler::JobStats esc;
  esc.job = "escalation-monitor";
  esc.last_run = now - 9min;
  esc.last_status = scheduler::RunStatus::failed;
  EXPECT_EQ(format_status_line({sla, esc}, "up", now),
            "sla-monitor ok 2m ago (12 notified) · escalation-monitor failed 9m ago · db up");
}

TEST(StatusLine, SaysWhenAJobHasNotRunYetIsRunningOrIsDisabled) {
  const auto now = std::chrono::system_clock::now();
  scheduler::JobStats waiting;
  waiting.job = "a";
  scheduler::JobStats running;
  running.job = "b";
  running.running = true;
  scheduler::JobStats disabled;
  disabled.job = "c";
  disabled.enabled = false;
  EXPECT_EQ(format_status_line({waiting, running, disabled}, "down", now),
            "a waiting · b running · c disabled · db down");
}

TEST(StatusLine, AgesUseTheLargestWholeUnit) {
  EXPECT_EQ(format_age(5s), "5s ago");
  EXPECT_EQ(format_age(61s), "1m ago");
  EXPECT_EQ(format_age(3h + 5min), "3h ago");
  EXPECT_EQ(format_age(50h), "2d ago");
  EXPECT_EQ(format_age(-3s), "0s ago");  // clock stepped back
}

}  // namespace
}  // namespace ticketwatch::daemon

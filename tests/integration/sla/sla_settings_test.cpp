// Levels and check times depend on the config too: a pass with other thresholds or closed
// statuses than the previous one evaluates every open ticket again.
#include "sla_fixture.hpp"

namespace ticketwatch::jobs::sla_test {
namespace {

TEST_F(SlaMonitorTest, ChangedThresholdsReevaluateEveryOpenTicket) {
  const auto ticket = add_ticket({.start_in = -60 * kHour, .due_in = 40 * kHour});  // 40 % left
  add_ticket({.start_in = -10 * kHour, .due_in = 90 * kHour});
  const auto first = run();
  ASSERT_EQ(first["settings_changed"], true);  // nothing recorded before the first pass
  ASSERT_EQ(level_seen(ticket), "low");
  const auto idle = run();
  ASSERT_EQ(idle["tickets_checked"], 0);
  ASSERT_EQ(idle["settings_changed"], false);

  // Its stored next check is the old 25 % boundary, 30 hours away; with medium at 50 % it is
  // medium now, and must be told now.
  config_.sla_monitor.medium_threshold = 0.5;
  const auto reloaded = run();
  EXPECT_EQ(reloaded["settings_changed"], true);
  EXPECT_EQ(reloaded["tickets_checked"], 2);
  EXPECT_EQ(level_seen(ticket), "medium");
  EXPECT_EQ(recipients(ticket, "sla_medium"), "1,2,3,4");
  EXPECT_NE(log_.str().find("re-evaluated"), std::string::npos) << log_.str();

  EXPECT_EQ(run()["tickets_checked"], 0);
}

TEST_F(SlaMonitorTest, StatusThatStopsBeingClosedIsWatchedAgain) {
  config_.helpdesk.closed_statuses = {"resolved", "closed", "on_hold"};
  const auto ticket =
      add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .status = "on_hold"});
  run();
  ASSERT_EQ(level_seen(ticket), "none");

  config_.helpdesk.closed_statuses = {"closed", "resolved"};
  const auto summary = run();
  EXPECT_EQ(summary["tickets_checked"], 1);
  EXPECT_EQ(level_seen(ticket), "high");
  EXPECT_EQ(notifications(ticket, "sla_high"), 4);
}

TEST_F(SlaMonitorTest, ReorderedClosedStatusesAreNotAChange) {
  add_ticket({});
  run();
  config_.helpdesk.closed_statuses = {"closed", "resolved", "closed"};
  EXPECT_EQ(run()["settings_changed"], false);
}

TEST_F(SlaMonitorTest, TicketsThatPredateTheTriggerAreFoundByTheFirstPass) {
  // As on an existing install: tickets written before migration 0002 have no state row.
  db_.exec("alter table tickets disable trigger tickets_sla_mark_inserted");
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  const auto closed =
      add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .status = "closed"});
  db_.exec("alter table tickets enable trigger tickets_sla_mark_inserted");
  ASSERT_EQ(count("select count(*) from ticketwatch.sla_state"), 0);

  run();
  EXPECT_EQ(level_seen(ticket), "high");
  EXPECT_EQ(level_seen(closed), "none");
  EXPECT_EQ(count("select count(*) from ticketwatch.sla_state"), 1);
}

}  // namespace
}  // namespace ticketwatch::jobs::sla_test

// Levels as the database sees them: windows, thresholds, closed statuses and missing due dates.
// Exact boundaries (25 % and 10 % left to the microsecond, now == due) are pinned by the unit
// tests of evaluate_sla; here the next_check_at the job stores is compared to the microsecond with
// the boundary PostgreSQL computes from the ticket's own columns, which proves that nothing is
// lost on the way between the database and the evaluation.
#include "sla_fixture.hpp"

namespace ticketwatch::jobs::sla_test {
namespace {

TEST_F(SlaMonitorTest, ClassifiesOpenTicketsByTheFractionOfTheirWindowLeft) {
  // 100-hour windows: milliseconds between insert and run cannot move a ticket across a boundary.
  const auto low = add_ticket({.start_in = -74 * kHour, .due_in = 26 * kHour});
  const auto medium = add_ticket({.start_in = -76 * kHour, .due_in = 24 * kHour});
  const auto still_medium = add_ticket({.start_in = -89 * kHour, .due_in = 11 * kHour});
  const auto high = add_ticket({.start_in = -91 * kHour, .due_in = 9 * kHour});
  const auto breached = add_ticket({.start_in = -101 * kHour, .due_in = -1 * kHour});

  const auto summary = run();

  EXPECT_EQ(level_seen(low), "low");
  EXPECT_EQ(level_seen(medium), "medium");
  EXPECT_EQ(level_seen(still_medium), "medium");
  EXPECT_EQ(level_seen(high), "high");
  EXPECT_EQ(level_seen(breached), "breached");
  EXPECT_EQ(summary["tickets_checked"], 5);
  EXPECT_EQ(summary["levels"]["low"], 1);
  EXPECT_EQ(summary["levels"]["medium"], 2);
  // A breached ticket is high risk and breached (DESIGN.md).
  EXPECT_EQ(summary["levels"]["high"], 2);
  EXPECT_EQ(summary["levels"]["breached"], 1);
}

TEST_F(SlaMonitorTest, UsesSlaStartedAtInsteadOfCreatedAtWhenSet) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  // Created 95 h ago with 5 h left (5 %: high), but the SLA clock only started 14 h ago:
  // 5 h of a 19 h window is 26 % left, low.
  db_.exec("update tickets set sla_started_at = now() - interval '14 hours' where id = " +
           std::to_string(ticket));
  run();
  EXPECT_EQ(level_seen(ticket), "low");
}

TEST_F(SlaMonitorTest, UsesTheThresholdsFromTheConfig) {
  config_.sla_monitor.medium_threshold = 0.5;
  config_.sla_monitor.high_threshold = 0.3;
  const auto low = add_ticket({.start_in = -49 * kHour, .due_in = 51 * kHour});
  const auto medium = add_ticket({.start_in = -51 * kHour, .due_in = 49 * kHour});
  const auto high = add_ticket({.start_in = -71 * kHour, .due_in = 29 * kHour});
  run();
  EXPECT_EQ(level_seen(low), "low");
  EXPECT_EQ(level_seen(medium), "medium");
  EXPECT_EQ(level_seen(high), "high");
}

TEST_F(SlaMonitorTest, RefusesInvalidThresholdsBeforeTouchingAnyTicket) {
  config_.sla_monitor.medium_threshold = 0.1;
  config_.sla_monitor.high_threshold = 0.25;
  const auto ticket = add_ticket({});
  EXPECT_THROW(run(), std::invalid_argument);
  EXPECT_EQ(level_seen(ticket), "none");
}

TEST_F(SlaMonitorTest, TicketDueNowOrEarlierIsBreachedAndOneStillDueIsHigh) {
  const auto overdue = add_ticket({.start_in = -10 * kHour, .due_in = -1.0});
  const auto almost = add_ticket({.start_in = -10 * kHour, .due_in = 60.0});
  run();
  EXPECT_EQ(level_seen(overdue), "breached");
  EXPECT_EQ(level_seen(almost), "high");
}

TEST_F(SlaMonitorTest, ZeroWindowIsHighUntilDueThenBreached) {
  // Started and due at the same instant: no fraction of the window exists.
  const auto future = add_ticket({.start_in = 2 * kHour, .due_in = 2 * kHour});
  const auto past = add_ticket({.start_in = -2 * kHour, .due_in = -2 * kHour});
  run();
  EXPECT_EQ(level_seen(future), "high");
  EXPECT_EQ(level_seen(past), "breached");
  EXPECT_EQ(db_.scalar<bool>("select s.next_check_at = t.sla_due_at from ticketwatch.sla_state s "
                             "join tickets t on t.id = s.ticket_id where s.ticket_id = $1",
                             future),
            true);
}

TEST_F(SlaMonitorTest, NegativeWindowIsHighUntilDueThenBreached) {
  const auto future = add_ticket({.start_in = 3 * kHour, .due_in = 1 * kHour});
  const auto past = add_ticket({.start_in = 1 * kHour, .due_in = -1 * kHour});
  run();
  EXPECT_EQ(level_seen(future), "high");
  EXPECT_EQ(level_seen(past), "breached");
}

TEST_F(SlaMonitorTest, StoresTheExactMicrosecondAtWhichTheLevelNextRises) {
  // Odd microseconds on both ends: any rounding on the way would show.
  const auto low =
      add_ticket({.start_in = -10 * kHour - 0.123457, .due_in = 90 * kHour + 0.654321});
  const auto medium =
      add_ticket({.start_in = -80 * kHour - 0.000001, .due_in = 20 * kHour + 0.777777});
  const auto high = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour + 0.5});
  const auto breached = add_ticket({.start_in = -95 * kHour, .due_in = -5 * kHour});
  run();

  // Boundaries computed by PostgreSQL in exact numeric arithmetic from the ticket's own columns:
  // the first microsecond with less than 25 % (10 %) of the window left is
  // start + 75 % (90 %) of the window + 1 µs when that is a whole microsecond, else rounded up.
  const auto boundary_matches = [&](long long ticket, const std::string& elapsed_fraction) {
    return db_.scalar<bool>(
        "select s.next_check_at = t.created_at + b.us::float8 * interval '1 microsecond' "
        "  from ticketwatch.sla_state s join tickets t on t.id = s.ticket_id, "
        "  lateral (select (extract(epoch from t.sla_due_at) - extract(epoch from t.created_at)) "
        "                  * 1000000 * $2::numeric as elapsed) e, "
        "  lateral (select case when e.elapsed = floor(e.elapsed) then e.elapsed + 1 "
        "                       else ceil(e.elapsed) end as us) b "
        " where s.ticket_id = $1",
        ticket, elapsed_fraction);
  };
  EXPECT_TRUE(boundary_matches(low, "0.75"));
  EXPECT_TRUE(boundary_matches(medium, "0.9"));
  EXPECT_TRUE(
      db_.scalar<bool>("select s.next_check_at = t.sla_due_at and s.due_at = t.sla_due_at "
                       "from ticketwatch.sla_state s join tickets t on t.id = s.ticket_id "
                       "where s.ticket_id = $1",
                       high));
  EXPECT_TRUE(db_.scalar<bool>(
      "select next_check_at is null from ticketwatch.sla_state where ticket_id = $1", breached));
  EXPECT_TRUE(
      db_.scalar<bool>("select bool_and(s.due_at = t.sla_due_at) from ticketwatch.sla_state s "
                       "join tickets t on t.id = s.ticket_id"));
}

TEST_F(SlaMonitorTest, IgnoresClosedTicketsAndTicketsWithoutDueDate) {
  const auto resolved =
      add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour, .status = "resolved"});
  const auto closed =
      add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour, .status = "closed"});
  const auto no_due = add_ticket({.start_in = -1000 * kHour, .due_in = std::nullopt});
  const auto open = add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour});

  const auto summary = run();

  EXPECT_EQ(summary["tickets_checked"], 1);
  EXPECT_EQ(level_seen(open), "breached");
  for (const auto ticket : {resolved, closed, no_due}) {
    EXPECT_EQ(level_seen(ticket), "none");
    EXPECT_EQ(notifications(ticket, "sla_breached"), 0);
    EXPECT_EQ(history(ticket), "");
  }
  EXPECT_EQ(count("select count(*) from ticketwatch.sla_state"), 1);
}

TEST_F(SlaMonitorTest, ClosedStatusesComeFromTheConfig) {
  config_.helpdesk.closed_statuses = {"done"};
  const auto done = add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour, .status = "done"});
  const auto resolved =
      add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour, .status = "resolved"});
  run();
  EXPECT_EQ(level_seen(done), "none");
  EXPECT_EQ(level_seen(resolved), "breached");
}

TEST_F(SlaMonitorTest, TicketThatClosesLosesItsStateWithoutHistoryOrNotification) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  ASSERT_EQ(level_seen(ticket), "high");
  const auto before = count("select count(*) from notifications");

  db_.exec("update tickets set status = 'resolved' where id = " + std::to_string(ticket));
  const auto summary = run();

  EXPECT_EQ(summary["tickets_checked"], 0);
  EXPECT_EQ(summary["states_removed"], 1);
  EXPECT_EQ(level_seen(ticket), "none");
  EXPECT_EQ(history(ticket), "null>high");
  EXPECT_EQ(count("select count(*) from notifications"), before);
  // Gone for good: the next pass does not read it again.
  EXPECT_EQ(run()["states_removed"], 0);
}

TEST_F(SlaMonitorTest, TicketThatLosesItsDueDateLosesItsState) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  db_.exec("update tickets set sla_due_at = null where id = " + std::to_string(ticket));
  EXPECT_EQ(run()["states_removed"], 1);
  EXPECT_EQ(level_seen(ticket), "none");
  EXPECT_EQ(count("select count(*) from ticketwatch.sla_state"), 0);
}

TEST_F(SlaMonitorTest, TicketWithAbsurdTimesIsIgnoredInsteadOfFailingTheRun) {
  const auto forever = add_ticket({});
  db_.exec("update tickets set sla_due_at = 'infinity' where id = " + std::to_string(forever));
  const auto fine = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  EXPECT_EQ(level_seen(forever), "none");
  EXPECT_EQ(level_seen(fine), "high");
}

}  // namespace
}  // namespace ticketwatch::jobs::sla_test

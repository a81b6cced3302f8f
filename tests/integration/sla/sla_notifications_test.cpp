// Who is told what, and when: once per rise, per due date, to the configured roles.
// Time "moves" by editing the ticket's times (never by sleeping): an earlier SLA start with the
// same due date leaves less of the window, a later one more.
#include <pqxx/pqxx>

#include "sla_fixture.hpp"

namespace ticketwatch::jobs::sla_test {
namespace {

// Restarts the ticket's SLA clock `hours_ago` hours before now, keeping its due date.
void set_start(testing::TestDatabase& db, long long ticket, double hours_ago) {
  db.scalar<std::string>(
      "update tickets set sla_started_at = now() - make_interval(secs => $2) where id = $1 "
      "returning 'ok'",
      ticket, hours_ago * kHour);
}

TEST_F(SlaMonitorTest, NotifiesEachUserOnceWhenLevelRises) {
  // Alice creates and follows, Bob is assigned and follows, Carol leads the team, Dave follows,
  // Erin follows but is inactive.
  const auto ticket = add_ticket({.title = "Printer on fire",
                                  .start_in = -95 * kHour,
                                  .due_in = 5 * kHour,
                                  .followers = {kAlice, kBob, kDave, kErin}});
  const auto summary = run();

  EXPECT_EQ(recipients(ticket, "sla_high"), "1,2,3,4");
  EXPECT_EQ(count("select count(*) from notifications"), 4);
  EXPECT_EQ(summary["notifications_created"], 4);
  EXPECT_EQ(summary["notifications"]["sla_high"], 4);
  EXPECT_EQ(summary["notifications"]["sla_medium"], 0);
  EXPECT_EQ(summary["notifications"]["sla_breached"], 0);
}

TEST_F(SlaMonitorTest, NotificationSaysWhichTicketLevelDueTimeAndTimeLeft) {
  const auto ticket = add_ticket({.title = "Printer on fire",
                                  .start_in = -95 * kHour,
                                  .due_in = 5 * kHour + 30.0,
                                  .followers = {}});
  run();
  const auto row = db_.scalar<std::string>(
      "select json_build_object('title', n.title, 'body', n.body, 'data', n.data, "
      "                         'due', to_char(t.sla_due_at at time zone 'UTC', "
      "                                        'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text "
      "from notifications n join tickets t on t.id = n.ticket_id "
      "where n.ticket_id = $1 and n.user_id = $2",
      ticket, kBob);
  const auto n = nlohmann::json::parse(row);
  const auto id = std::to_string(ticket);
  EXPECT_EQ(n["title"], "SLA at risk: #" + id + " Printer on fire (high)");
  EXPECT_EQ(n["body"], "Ticket #" + id + " \"Printer on fire\" is at high SLA risk: due " +
                           n["due"].get<std::string>() + ", 5h left.");
  EXPECT_EQ(n["data"]["ticket_id"], ticket);
  EXPECT_EQ(n["data"]["level"], "high");
  EXPECT_EQ(n["data"]["due_at"], n["due"]);
  const auto seconds_left = n["data"]["seconds_left"].get<long long>();
  EXPECT_GT(seconds_left, 5 * 3600 + 20);
  EXPECT_LE(seconds_left, 5 * 3600 + 30);
}

TEST_F(SlaMonitorTest, BreachedNotificationSaysHowLongTheTicketIsOverdue) {
  const auto ticket =
      add_ticket({.title = "VPN down", .start_in = -10 * kHour, .due_in = -3 * kHour - 30.0});
  run();
  const auto body = db_.scalar<std::string>(
      "select body from notifications where ticket_id = $1 and user_id = $2", ticket, kAlice);
  EXPECT_NE(body.find("has breached its SLA"), std::string::npos) << body;
  EXPECT_NE(body.find("overdue by 3h"), std::string::npos) << body;
  EXPECT_EQ(
      db_.scalar<std::string>(
          "select title from notifications where ticket_id = $1 and user_id = $2", ticket, kAlice),
      "SLA breached: #" + std::to_string(ticket) + " VPN down");
}

TEST_F(SlaMonitorTest, SendsToTheConfiguredRolesOfEachLevelOnly) {
  config_.sla_monitor.medium_recipients = {config::Role::assignee};
  config_.sla_monitor.high_recipients = {config::Role::team_leader, config::Role::followers};
  config_.sla_monitor.breached_recipients = {config::Role::creator};
  const auto medium = add_ticket({.start_in = -80 * kHour, .due_in = 20 * kHour});
  const auto high = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  const auto breached = add_ticket({.start_in = -95 * kHour, .due_in = -5 * kHour});
  run();
  EXPECT_EQ(recipients(medium, "sla_medium"), "2");
  EXPECT_EQ(recipients(high, "sla_high"), "3,4");  // Erin follows too, but is inactive
  EXPECT_EQ(recipients(breached, "sla_breached"), "1");
}

TEST_F(SlaMonitorTest, MissingRolesAreSimplyAbsent) {
  const auto no_assignee_no_team = add_ticket(
      {.start_in = -95 * kHour, .due_in = 5 * kHour, .assignee = 0, .team = 0, .followers = {}});
  const auto team_without_leader = add_ticket(
      {.start_in = -95 * kHour, .due_in = 5 * kHour, .team = kTeamWithoutLeader, .followers = {}});
  run();
  EXPECT_EQ(recipients(no_assignee_no_team, "sla_high"), "1");
  EXPECT_EQ(recipients(team_without_leader, "sla_high"), "1,2");
}

TEST_F(SlaMonitorTest, InactiveUsersAreNeverNotifiedEvenInEveryRole) {
  const auto ticket = add_ticket({.start_in = -95 * kHour,
                                  .due_in = 5 * kHour,
                                  .creator = kErin,
                                  .assignee = kErin,
                                  .team = 0,
                                  .followers = {kErin}});
  const auto summary = run();
  EXPECT_EQ(recipients(ticket, "sla_high"), "");
  EXPECT_EQ(summary["notifications_created"], 0);
  // The level is still recorded: nobody to tell is not a reason to forget the ticket's state.
  EXPECT_EQ(level_seen(ticket), "high");
  EXPECT_EQ(history(ticket), "null>high");
}

TEST_F(SlaMonitorTest, TicketFirstSeenAtHighGetsOnlyTheHighNotification) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  EXPECT_EQ(notifications(ticket, "sla_medium"), 0);
  EXPECT_EQ(notifications(ticket, "sla_high"), 4);
  EXPECT_EQ(notifications(ticket, "sla_breached"), 0);
}

TEST_F(SlaMonitorTest, LowTicketNotifiesNobody) {
  const auto ticket = add_ticket({});
  const auto summary = run();
  EXPECT_EQ(count("select count(*) from notifications"), 0);
  EXPECT_EQ(history(ticket), "");
  EXPECT_EQ(level_seen(ticket), "low");
  EXPECT_EQ(summary["levels"]["low"], 1);
}

TEST_F(SlaMonitorTest, EachRiseNotifiesItsLevelOnce) {
  const auto ticket = add_ticket({.start_in = -10 * kHour, .due_in = 10 * kHour, .followers = {}});
  run();  // 50 % left
  EXPECT_EQ(count("select count(*) from notifications"), 0);

  set_start(db_, ticket, 35);  // 10 of 45 h left: 22 %
  run();
  EXPECT_EQ(recipients(ticket, "sla_medium"), "1,2,3");

  set_start(db_, ticket, 110);  // 10 of 120 h left: 8 %
  run();
  EXPECT_EQ(recipients(ticket, "sla_high"), "1,2,3");
  EXPECT_EQ(recipients(ticket, "sla_medium"), "1,2,3");
  EXPECT_EQ(count("select count(*) from notifications"), 6);
  EXPECT_EQ(history(ticket), "low>medium,medium>high");
}

TEST_F(SlaMonitorTest, FallingLevelRecordsHistoryButNotifiesNobody) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .followers = {}});
  run();
  ASSERT_EQ(notifications(ticket, "sla_high"), 3);

  set_start(db_, ticket, 1);  // 5 of 6 h left: low
  const auto fell = run();
  EXPECT_EQ(level_seen(ticket), "low");
  EXPECT_EQ(fell["notifications_created"], 0);
  EXPECT_EQ(fell["history_written"], 1);

  // Back to high for the same due date: already told, so recorded but not sent again.
  set_start(db_, ticket, 95);
  const auto rose = run();
  EXPECT_EQ(rose["notifications_created"], 0);
  EXPECT_EQ(notifications(ticket, "sla_high"), 3);
  EXPECT_EQ(history(ticket), "null>high,high>low,low>high");
}

TEST_F(SlaMonitorTest, ChangedDueDateStartsOver) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .followers = {}});
  run();
  ASSERT_EQ(notifications(ticket, "sla_high"), 3);

  // A new due date at the same level: told again, about the new date. No level change, no history.
  db_.exec("update tickets set sla_due_at = sla_due_at + interval '1 hour' where id = " +
           std::to_string(ticket));
  const auto moved = run();
  EXPECT_EQ(moved["notifications_created"], 3);
  EXPECT_EQ(notifications(ticket, "sla_high"), 6);
  EXPECT_EQ(db_.scalar<long long>("select count(distinct data->>'due_at') from notifications "
                                  "where ticket_id = $1",
                                  ticket),
            2);
  EXPECT_EQ(history(ticket), "null>high");

  // Extended far out: low again, nobody told; then the clock runs down to medium: told, since
  // nothing was notified for this due date yet.
  db_.exec("update tickets set sla_due_at = now() + interval '300 hours' where id = " +
           std::to_string(ticket));
  run();
  EXPECT_EQ(level_seen(ticket), "low");
  set_start(db_, ticket, 1000);  // 300 of 1300 h left: 23 %
  run();
  EXPECT_EQ(recipients(ticket, "sla_medium"), "1,2,3");
  EXPECT_EQ(history(ticket), "null>high,high>low,low>medium");
}

TEST_F(SlaMonitorTest, OverdueAfterADueDateChangeNotifiesBreachedOnce) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour, .followers = {}});
  run();
  db_.exec("update tickets set sla_due_at = now() - interval '1 minute' where id = " +
           std::to_string(ticket));
  run();
  run();
  EXPECT_EQ(recipients(ticket, "sla_breached"), "1,2,3");
  EXPECT_EQ(history(ticket), "null>high,high>breached");
}

TEST_F(SlaMonitorTest, SecondRunSendsNothing) {
  for (int i = 0; i < 3; ++i) add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  add_ticket({.start_in = -80 * kHour, .due_in = 20 * kHour});
  add_ticket({.start_in = -10 * kHour, .due_in = -1 * kHour});
  const auto first = run();
  ASSERT_GT(first["notifications_created"].get<long long>(), 0);
  const auto notifications_after_first = count("select count(*) from notifications");
  const auto history_after_first = count("select count(*) from ticket_history");

  const auto second = run();
  EXPECT_EQ(second["notifications_created"], 0);
  EXPECT_EQ(second["history_written"], 0);
  EXPECT_EQ(count("select count(*) from notifications"), notifications_after_first);
  EXPECT_EQ(count("select count(*) from ticket_history"), history_after_first);
}

TEST_F(SlaMonitorTest, HistoryRowRecordsFromToDueAndSecondsLeft) {
  const auto ticket = add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  const auto row = nlohmann::json::parse(db_.scalar<std::string>(
      "select json_build_object('actor_id', h.actor_id, 'details', h.details, "
      "  'due', to_char(t.sla_due_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text "
      "from ticket_history h join tickets t on t.id = h.ticket_id "
      "where h.ticket_id = $1 and h.action = 'sla_status_changed'",
      ticket));
  EXPECT_TRUE(row["actor_id"].is_null());
  EXPECT_TRUE(row["details"]["from"].is_null());  // first sight
  EXPECT_EQ(row["details"]["to"], "high");
  EXPECT_EQ(row["details"]["due_at"], row["due"]);
  const auto seconds_left = row["details"]["seconds_left"].get<long long>();
  EXPECT_GT(seconds_left, 5 * 3600 - 10);
  EXPECT_LE(seconds_left, 5 * 3600);

  db_.exec("update tickets set sla_due_at = now() - interval '2 hours' where id = " +
           std::to_string(ticket));
  run();
  const auto breached = nlohmann::json::parse(db_.scalar<std::string>(
      "select details::text from ticket_history where ticket_id = $1 order by id desc limit 1",
      ticket));
  EXPECT_EQ(breached["from"], "high");
  EXPECT_EQ(breached["to"], "breached");
  EXPECT_LE(breached["seconds_left"].get<long long>(), -2 * 3600);
}

TEST_F(SlaMonitorTest, NotifyIsDeliveredToAListenerAfterACommittedBatch) {
  class Receiver final : public pqxx::notification_receiver {
   public:
    using pqxx::notification_receiver::notification_receiver;
    void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
    std::vector<std::string> payloads;
  };
  auto listener_conn = db_.connect();
  Receiver receiver(*listener_conn, "ticketwatch_notifications");
  listener_conn->get_notifs();  // issues the LISTEN

  add_ticket({.start_in = -95 * kHour, .due_in = 5 * kHour});
  run();
  for (int i = 0; i < 50 && receiver.payloads.empty(); ++i)
    listener_conn->await_notification(0, 100000);
  ASSERT_EQ(receiver.payloads.size(), 1u);
  const auto payload = nlohmann::json::parse(receiver.payloads.front());
  EXPECT_EQ(payload["source"], "sla-monitor");
  EXPECT_EQ(payload["notifications"], 4);

  // Nothing new to tell: nothing announced.
  run();
  listener_conn->await_notification(0, 300000);
  EXPECT_EQ(receiver.payloads.size(), 1u);
}

}  // namespace
}  // namespace ticketwatch::jobs::sla_test

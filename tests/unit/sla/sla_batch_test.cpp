#include "ticketwatch/jobs/sla_batch.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::jobs {
namespace {

using std::chrono::hours;
using Role = config::Role;

const SlaInstant kNow = std::chrono::sys_days{std::chrono::May / 1 / 2024} + hours(12);
const AlwaysOpenCalendar kCalendar;
const SlaRecipientRoles kEveryone{
    {Role::creator, Role::assignee, Role::team_leader, Role::followers},
    {Role::creator, Role::assignee, Role::team_leader, Role::followers},
    {Role::creator, Role::assignee, Role::team_leader, Role::followers}};

SlaCandidate open_ticket(std::int64_t id, hours started_ago, hours due_in, SlaMemory memory = {}) {
  return SlaCandidate{
      .ticket_id = id,
      .generation = 7,
      .memory = memory,
      .ticket = SlaCandidate::Ticket{"Printer on fire", kNow - started_ago, kNow + due_in}};
}

TEST(SlaBatchPlan, RemovesTheStateOfTicketsThatAreNoLongerTracked) {
  const std::vector<SlaCandidate> batch{
      SlaCandidate{.ticket_id = 3, .generation = 9, .memory = {}, .ticket = std::nullopt}};
  const auto plan = plan_sla_batch(batch, kNow, {}, kCalendar, kEveryone);
  EXPECT_EQ(plan.removals, nlohmann::json::parse(R"([{"ticket_id": 3, "generation": 9}])"));
  EXPECT_TRUE(plan.state_updates.empty());
  EXPECT_EQ(plan.checked, 0);
}

TEST(SlaBatchPlan, FirstSightAtHighWritesStateHistoryAndOneNotification) {
  const std::vector<SlaCandidate> batch{open_ticket(42, hours(95), hours(5))};
  const auto plan = plan_sla_batch(batch, kNow, {}, kCalendar, kEveryone);

  ASSERT_EQ(plan.state_updates.size(), 1u);
  const auto& state = plan.state_updates[0];
  EXPECT_EQ(state["ticket_id"], 42);
  EXPECT_EQ(state["generation"], 7);
  EXPECT_EQ(state["level_seen"], 2);
  EXPECT_EQ(state["level_notified"], 2);
  EXPECT_EQ(state["due_us"], to_epoch_us(kNow + hours(5)));
  EXPECT_EQ(state["next_us"], to_epoch_us(kNow + hours(5)));

  EXPECT_EQ(plan.history, nlohmann::json::parse(R"([{"ticket_id": 42, "details":
      {"from": null, "to": "high", "due_at": "2024-05-01T17:00:00Z", "seconds_left": 18000}}])"));

  ASSERT_EQ(plan.notifications.size(), 1u);
  const auto& n = plan.notifications[0];
  EXPECT_EQ(n["kind"], "sla_high");
  EXPECT_EQ(n["title"], "SLA at risk: #42 Printer on fire (high)");
  EXPECT_EQ(n["data"], nlohmann::json::parse(R"({"ticket_id": 42, "level": "high",
      "due_at": "2024-05-01T17:00:00Z", "seconds_left": 18000})"));
  EXPECT_EQ(plan.checked, 1);
  EXPECT_EQ(plan.levels[static_cast<std::size_t>(SlaLevel::high)], 1);
}

TEST(SlaBatchPlan, BreachedTicketIsNeverScheduledAgain) {
  const std::vector<SlaCandidate> batch{open_ticket(1, hours(10), hours(-1))};
  const auto plan = plan_sla_batch(batch, kNow, {}, kCalendar, kEveryone);
  EXPECT_TRUE(plan.state_updates[0]["next_us"].is_null());
  EXPECT_EQ(plan.state_updates[0]["level_seen"], 3);
}

TEST(SlaBatchPlan, UnchangedTicketOnlyUpdatesItsState) {
  const auto due = kNow + hours(5);
  const std::vector<SlaCandidate> batch{open_ticket(
      1, hours(95), hours(5),
      SlaMemory{.level_seen = SlaLevel::high, .level_notified = SlaLevel::high, .due_seen = due})};
  const auto plan = plan_sla_batch(batch, kNow, {}, kCalendar, kEveryone);
  EXPECT_EQ(plan.state_updates.size(), 1u);
  EXPECT_TRUE(plan.history.empty());
  EXPECT_TRUE(plan.notifications.empty());
}

TEST(SlaBatchPlan, NotificationCarriesTheRolesConfiguredForItsLevel) {
  const SlaRecipientRoles roles{
      {Role::assignee}, {Role::team_leader, Role::followers}, {Role::creator}};
  const std::vector<SlaCandidate> batch{open_ticket(1, hours(80), hours(20)),
                                        open_ticket(2, hours(95), hours(5)),
                                        open_ticket(3, hours(10), hours(-1))};
  const auto plan = plan_sla_batch(batch, kNow, {}, kCalendar, roles);
  ASSERT_EQ(plan.notifications.size(), 3u);
  const auto flags = [&](std::size_t i) {
    const auto& n = plan.notifications[i];
    return std::string(n["creator"] ? "c" : "-") + (n["assignee"] ? "a" : "-") +
           (n["team_leader"] ? "t" : "-") + (n["followers"] ? "f" : "-");
  };
  EXPECT_EQ(flags(0), "-a--");
  EXPECT_EQ(flags(1), "--tf");
  EXPECT_EQ(flags(2), "c---");
}

TEST(SlaBatchPlan, EpochMicrosecondsRoundTrip) {
  const auto t = kNow + std::chrono::microseconds(123457);
  EXPECT_EQ(from_epoch_us(to_epoch_us(t)), t);
  EXPECT_EQ(to_epoch_us(SlaInstant{}), 0);
}

}  // namespace
}  // namespace ticketwatch::jobs

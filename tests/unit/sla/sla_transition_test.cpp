#include "ticketwatch/jobs/sla_transition.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::jobs {
namespace {

using std::chrono::hours;

const SlaInstant kTransitionDue = std::chrono::sys_days{std::chrono::May / 1 / 2024};
const SlaInstant kOtherDue = kTransitionDue + hours(8);

SlaMemory seen(SlaLevel level_seen, SlaLevel notified, SlaInstant due = kTransitionDue) {
  return SlaMemory{.level_seen = level_seen, .level_notified = notified, .due_seen = due};
}

TEST(SlaTransition, FirstSightAtLowNotifiesNobodyAndRecordsNothing) {
  const auto t = decide_sla_transition(SlaMemory{}, kTransitionDue, SlaLevel::low);
  EXPECT_FALSE(t.notify);
  EXPECT_FALSE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::low);
}

TEST(SlaTransition, FirstSightAtHighNotifiesHighOnlyAndRecordsTheChange) {
  const auto t = decide_sla_transition(SlaMemory{}, kTransitionDue, SlaLevel::high);
  EXPECT_EQ(t.notify, SlaLevel::high);
  EXPECT_TRUE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::high);
}

TEST(SlaTransition, RiseAboveTheNotifiedLevelNotifiesTheNewLevel) {
  const auto t = decide_sla_transition(seen(SlaLevel::medium, SlaLevel::medium), kTransitionDue,
                                       SlaLevel::breached);
  EXPECT_EQ(t.notify, SlaLevel::breached);
  EXPECT_TRUE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::breached);
}

TEST(SlaTransition, UnchangedLevelDoesNothing) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::high, SlaLevel::high), kTransitionDue, SlaLevel::high);
  EXPECT_FALSE(t.notify);
  EXPECT_FALSE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::high);
}

TEST(SlaTransition, UnchangedLowLevelDoesNothing) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::low, SlaLevel::low), kTransitionDue, SlaLevel::low);
  EXPECT_FALSE(t.notify);
  EXPECT_FALSE(t.record_history);
}

TEST(SlaTransition, FallingLevelRecordsHistoryButNotifiesNobody) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::high, SlaLevel::high), kTransitionDue, SlaLevel::low);
  EXPECT_FALSE(t.notify);
  EXPECT_TRUE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::high);
}

TEST(SlaTransition, RisingAgainToAnAlreadyNotifiedLevelNotifiesNobody) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::medium, SlaLevel::high), kTransitionDue, SlaLevel::high);
  EXPECT_FALSE(t.notify);
  EXPECT_TRUE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::high);
}

TEST(SlaTransition, ChangedDueDateStartsOver) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::high, SlaLevel::high), kOtherDue, SlaLevel::high);
  EXPECT_EQ(t.notify, SlaLevel::high);
  EXPECT_FALSE(t.record_history);  // the level itself did not change
  EXPECT_EQ(t.level_notified, SlaLevel::high);
}

TEST(SlaTransition, ChangedDueDateThatLowersTheLevelForgetsWhatWasNotified) {
  const auto t =
      decide_sla_transition(seen(SlaLevel::high, SlaLevel::high), kOtherDue, SlaLevel::low);
  EXPECT_FALSE(t.notify);
  EXPECT_TRUE(t.record_history);
  EXPECT_EQ(t.level_notified, SlaLevel::low);
}

}  // namespace
}  // namespace ticketwatch::jobs

#include "ticketwatch/scheduler/timing.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::scheduler {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

TEST(SchedulerTiming, NextTickIsTheFirstGridPointStrictlyAfterNow) {
  const steady_clock::time_point origin{10s};
  EXPECT_EQ(next_tick(origin, 100ms, origin), origin + 100ms);
  EXPECT_EQ(next_tick(origin, 100ms, origin + 99ms), origin + 100ms);
  EXPECT_EQ(next_tick(origin, 100ms, origin + 100ms), origin + 200ms);
  EXPECT_EQ(next_tick(origin, 100ms, origin + 101ms), origin + 200ms);
}

TEST(SchedulerTiming, NextTickSkipsTicksMissedWhileSuspendedInsteadOfReplayingThem) {
  const steady_clock::time_point origin{10s};
  EXPECT_EQ(next_tick(origin, 100ms, origin + 1050ms), origin + 1100ms);
  EXPECT_EQ(next_tick(origin, 15min, origin + 26h + 1ms), origin + 26h + 15min);
}

TEST(SchedulerTiming, NextTickBeforeTheOriginIsTheFirstTick) {
  const steady_clock::time_point origin{10s};
  EXPECT_EQ(next_tick(origin, 100ms, origin - 5s), origin + 100ms);
}

TEST(SchedulerTiming, NextTickRejectsANonPositiveInterval) {
  EXPECT_THROW(next_tick(steady_clock::time_point{}, 0ms, steady_clock::time_point{}),
               std::invalid_argument);
}

TEST(SchedulerTiming, RetryDelayDoublesAfterEachFailedAttempt) {
  EXPECT_EQ(retry_delay(10ms, 1s, 1), 10ms);
  EXPECT_EQ(retry_delay(10ms, 1s, 2), 20ms);
  EXPECT_EQ(retry_delay(10ms, 1s, 3), 40ms);
  EXPECT_EQ(retry_delay(10ms, 1s, 4), 80ms);
}

TEST(SchedulerTiming, RetryDelayIsCappedWithoutOverflowing) {
  EXPECT_EQ(retry_delay(10ms, 25ms, 2), 20ms);
  EXPECT_EQ(retry_delay(10ms, 25ms, 3), 25ms);
  EXPECT_EQ(retry_delay(10ms, 25ms, 1000), 25ms);
  EXPECT_EQ(retry_delay(10s, 5min, 1'000'000), 5min);
  EXPECT_EQ(retry_delay(10s, 1s, 1), 1s);
  EXPECT_EQ(retry_delay(0ms, 1s, 50), 0ms);
}

TEST(SchedulerTiming, FormatDurationUsesConfigFileUnits) {
  EXPECT_EQ(format_duration(0ms), "0ms");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1s500ms");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(15min), "15m");
  EXPECT_EQ(format_duration(1h + 30min), "1h30m");
  EXPECT_EQ(format_duration(25h), "25h");
  EXPECT_EQ(format_duration(-2s), "-2s");
}

TEST(SchedulerTiming, FormatUtcWritesIsoWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(format_utc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(sys_days{2024y / 3 / 1} + 12h + 34min + 56s + 250ms),
            "2024-03-01T12:34:56.250Z");
  EXPECT_EQ(format_utc(sys_days{2024y / 2 / 29} + 999us), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(format_utc(system_clock::time_point{} - 1ms), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace ticketwatch::scheduler

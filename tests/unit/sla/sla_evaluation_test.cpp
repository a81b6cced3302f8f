#include "ticketwatch/jobs/sla_evaluation.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

namespace ticketwatch::jobs {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;

const SlaInstant kStart = std::chrono::sys_days{std::chrono::May / 1 / 2024};
const SlaThresholds kDefaults{};
const AlwaysOpenCalendar kAlwaysOpen;

SlaEvaluation at(microseconds since_start, microseconds window = hours(100),
                 const SlaThresholds& thresholds = kDefaults) {
  return evaluate_sla(kStart, kStart + window, kStart + since_start, thresholds, kAlwaysOpen);
}

TEST(SlaLevel, IsOrderedByRisk) {
  EXPECT_LT(SlaLevel::low, SlaLevel::medium);
  EXPECT_LT(SlaLevel::medium, SlaLevel::high);
  EXPECT_LT(SlaLevel::high, SlaLevel::breached);
}

TEST(SlaLevel, NamesRoundTripAndUnknownNamesAreRejected) {
  for (auto level : {SlaLevel::low, SlaLevel::medium, SlaLevel::high, SlaLevel::breached}) {
    EXPECT_EQ(parse_sla_level(to_string(level)), level);
    EXPECT_EQ(sla_level_from_number(static_cast<int>(level)), level);
  }
  EXPECT_EQ(to_string(SlaLevel::breached), "breached");
  EXPECT_FALSE(parse_sla_level("urgent"));
  EXPECT_FALSE(sla_level_from_number(4));
  EXPECT_FALSE(sla_level_from_number(-1));
}

TEST(SlaEvaluation, IsLowWithMoreThanAQuarterOfTheWindowLeft) {
  const auto e = at(hours(10));
  EXPECT_EQ(e.level, SlaLevel::low);
  ASSERT_TRUE(e.fraction_left);
  EXPECT_DOUBLE_EQ(*e.fraction_left, 0.9);
  EXPECT_EQ(e.time_left, hours(90));
}

TEST(SlaEvaluation, IsLowWithExactlyTwentyFivePercentLeft) {
  const auto e = at(hours(75));
  EXPECT_EQ(e.level, SlaLevel::low);
  EXPECT_EQ(*e.fraction_left, 0.25);
}

TEST(SlaEvaluation, IsMediumOneMicrosecondPastTwentyFivePercentLeft) {
  EXPECT_EQ(at(hours(75) + 1us).level, SlaLevel::medium);
}

TEST(SlaEvaluation, IsMediumWithExactlyTenPercentLeft) {
  const auto e = at(hours(90));
  EXPECT_EQ(e.level, SlaLevel::medium);
  EXPECT_EQ(*e.fraction_left, 0.1);
}

TEST(SlaEvaluation, IsHighOneMicrosecondPastTenPercentLeft) {
  EXPECT_EQ(at(hours(90) + 1us).level, SlaLevel::high);
}

TEST(SlaEvaluation, ExactPercentagesHoldForWindowsOfAnyLength) {
  // 10 % and 25 % of these windows are whole microseconds; the comparison must not be thrown
  // off by 0.1 having no exact binary representation.
  for (microseconds window : {microseconds(40), microseconds(1000), microseconds(minutes(20)),
                              microseconds(hours(3)), microseconds(hours(24 * 365 * 7))}) {
    SCOPED_TRACE(window.count());
    EXPECT_EQ(at(window * 3 / 4, window).level, SlaLevel::low);
    EXPECT_EQ(at(window * 3 / 4 + 1us, window).level, SlaLevel::medium);
    EXPECT_EQ(at(window * 9 / 10, window).level, SlaLevel::medium);
    EXPECT_EQ(at(window * 9 / 10 + 1us, window).level, SlaLevel::high);
  }
}

TEST(SlaEvaluation, IsHighOneMicrosecondBeforeDue) {
  const auto e = at(hours(100) - 1us);
  EXPECT_EQ(e.level, SlaLevel::high);
  EXPECT_EQ(e.time_left, 1us);
  EXPECT_EQ(e.next_change_at, kStart + hours(100));
}

TEST(SlaEvaluation, IsBreachedExactlyAtDue) {
  const auto e = at(hours(100));
  EXPECT_EQ(e.level, SlaLevel::breached);
  EXPECT_EQ(e.time_left, 0us);
  EXPECT_EQ(*e.fraction_left, 0.0);
  EXPECT_FALSE(e.next_change_at);
}

TEST(SlaEvaluation, IsBreachedAfterDueWithNegativeTimeLeftAndNoNextChange) {
  const auto e = at(hours(103));
  EXPECT_EQ(e.level, SlaLevel::breached);
  EXPECT_EQ(e.time_left, -hours(3));
  EXPECT_FALSE(e.next_change_at);
}

TEST(SlaEvaluation, ZeroWindowIsHighUntilDueWithoutAFraction) {
  const auto e = evaluate_sla(kStart, kStart, kStart - minutes(5), kDefaults, kAlwaysOpen);
  EXPECT_EQ(e.level, SlaLevel::high);
  EXPECT_FALSE(e.fraction_left);
  EXPECT_EQ(e.time_left, minutes(5));
  EXPECT_EQ(e.next_change_at, kStart);
}

TEST(SlaEvaluation, ZeroWindowIsBreachedAtDue) {
  const auto e = evaluate_sla(kStart, kStart, kStart, kDefaults, kAlwaysOpen);
  EXPECT_EQ(e.level, SlaLevel::breached);
  EXPECT_FALSE(e.fraction_left);
  EXPECT_FALSE(e.next_change_at);
}

TEST(SlaEvaluation, NegativeWindowIsHighBeforeDueAndBreachedAfter) {
  const auto due = kStart - hours(2);
  const auto before = evaluate_sla(kStart, due, due - 1us, kDefaults, kAlwaysOpen);
  EXPECT_EQ(before.level, SlaLevel::high);
  EXPECT_FALSE(before.fraction_left);
  EXPECT_EQ(before.next_change_at, due);
  const auto after = evaluate_sla(kStart, due, kStart, kDefaults, kAlwaysOpen);
  EXPECT_EQ(after.level, SlaLevel::breached);
  EXPECT_EQ(after.time_left, -hours(2));
}

TEST(SlaEvaluation, WindowThatHasNotStartedHasAllOfItLeft) {
  const auto e = at(-hours(5));
  EXPECT_EQ(e.level, SlaLevel::low);
  EXPECT_EQ(*e.fraction_left, 1.0);
  EXPECT_EQ(e.time_left, hours(105));
  EXPECT_EQ(e.next_change_at, kStart + hours(75) + 1us);
}

TEST(SlaEvaluation, LowTicketChangesNextJustAfterTwentyFivePercentLeft) {
  EXPECT_EQ(at(hours(10)).next_change_at, kStart + hours(75) + 1us);
}

TEST(SlaEvaluation, MediumTicketChangesNextJustAfterTenPercentLeft) {
  EXPECT_EQ(at(hours(80)).next_change_at, kStart + hours(90) + 1us);
}

TEST(SlaEvaluation, HighTicketChangesNextAtDue) {
  EXPECT_EQ(at(hours(95)).next_change_at, kStart + hours(100));
}

TEST(SlaEvaluation, UsesTheConfiguredThresholds) {
  const SlaThresholds half_and_fifth{.medium = 0.5, .high = 0.2};
  EXPECT_EQ(at(hours(50), hours(100), half_and_fifth).level, SlaLevel::low);
  EXPECT_EQ(at(hours(50) + 1us, hours(100), half_and_fifth).level, SlaLevel::medium);
  EXPECT_EQ(at(hours(80), hours(100), half_and_fifth).level, SlaLevel::medium);
  EXPECT_EQ(at(hours(80) + 1us, hours(100), half_and_fifth).level, SlaLevel::high);
  EXPECT_EQ(at(hours(10), hours(100), half_and_fifth).next_change_at, kStart + hours(50) + 1us);
}

TEST(SlaEvaluation, RejectsThresholdsOutsideZeroHighMediumOne) {
  for (const SlaThresholds bad :
       {SlaThresholds{.medium = 0.1, .high = 0.25}, SlaThresholds{.medium = 0.2, .high = 0.2},
        SlaThresholds{.medium = 0.25, .high = 0.0}, SlaThresholds{.medium = 1.0, .high = 0.1},
        SlaThresholds{.medium = 0.25, .high = -0.1}}) {
    EXPECT_FALSE(valid(bad));
    EXPECT_THROW(at(hours(1), hours(100), bad), std::invalid_argument);
  }
  EXPECT_TRUE(valid(kDefaults));
}

// For any window, thresholds and moment: the level is exactly one step higher... or more at
// next_change_at, and still the same one microsecond earlier, so a check scheduled there is
// neither early (wasted) nor late (a late notification).
TEST(SlaEvaluation, NextChangeIsTheFirstMicrosecondAtAHigherLevel) {
  std::mt19937_64 rng(20240501);
  std::uniform_int_distribution<long long> window_us(1, 400LL * 24 * 3600 * 1000000);
  std::uniform_real_distribution<double> position(-0.2, 1.2);
  const SlaThresholds choices[] = {kDefaults,
                                   {.medium = 0.3, .high = 0.07},
                                   {.medium = 1.0 / 3.0, .high = 1.0 / 7.0},
                                   {.medium = 0.999, .high = 0.001}};
  for (int i = 0; i < 20000; ++i) {
    const microseconds window(window_us(rng) % (i % 2 ? 1000 : 1LL << 50) + 1);
    const auto now =
        kStart +
        microseconds(static_cast<long long>(position(rng) * static_cast<double>(window.count())));
    const auto& thresholds = choices[i % 4];
    const auto e = evaluate_sla(kStart, kStart + window, now, thresholds, kAlwaysOpen);
    if (e.level == SlaLevel::breached) {
      ASSERT_FALSE(e.next_change_at);
      continue;
    }
    ASSERT_TRUE(e.next_change_at);
    const auto next = *e.next_change_at;
    ASSERT_GT(next, now);
    const auto at_next = evaluate_sla(kStart, kStart + window, next, thresholds, kAlwaysOpen);
    const auto before_next =
        evaluate_sla(kStart, kStart + window, next - 1us, thresholds, kAlwaysOpen);
    ASSERT_GT(at_next.level, e.level) << "window " << window.count() << " i " << i;
    ASSERT_EQ(before_next.level, e.level) << "window " << window.count() << " i " << i;
  }
}

// Open only in the first half of every hour: proves the arithmetic runs on working time taken
// from the calendar, which is where business hours, holidays and SLA pause will plug in.
class FirstHalfOfEveryHour final : public SlaCalendar {
 public:
  microseconds working_time(SlaInstant from, SlaInstant to) const override {
    return to > from ? worked_since_epoch(to) - worked_since_epoch(from) : 0us;
  }
  SlaInstant add_working_time(SlaInstant from, microseconds amount) const override {
    if (amount <= 0us) return from;
    const auto target = worked_since_epoch(from) + amount;
    const auto full_hours = target / minutes(30);
    const auto rest = target % minutes(30);
    const auto t = rest > 0us ? SlaInstant(hours(full_hours) + rest)
                              : SlaInstant(hours(full_hours - 1) + minutes(30));
    return std::max(t, from);
  }

 private:
  static microseconds worked_since_epoch(SlaInstant t) {
    const auto since = t.time_since_epoch();
    const auto full_hours = std::chrono::floor<hours>(since);
    return full_hours.count() * microseconds(minutes(30)) +
           std::min<microseconds>(since - full_hours, minutes(30));
  }
};

TEST(SlaEvaluation, MeasuresTheWindowInWorkingTimeOfTheCalendar) {
  const FirstHalfOfEveryHour calendar;
  const auto due = kStart + hours(10);  // 5 working hours
  // 07:40: 4h worked (7 × 30m + 30m), 1h of 5h left = 20 %.
  const auto e = evaluate_sla(kStart, due, kStart + hours(7) + minutes(40), kDefaults, calendar);
  EXPECT_EQ(e.level, SlaLevel::medium);
  EXPECT_DOUBLE_EQ(*e.fraction_left, 0.2);
  EXPECT_EQ(e.time_left, hours(2) + minutes(20));
  // High once less than 30 working minutes are left: just after 09:00, not at 09:00 wall time
  // minus 10 % of ten hours.
  EXPECT_EQ(e.next_change_at, kStart + hours(9) + 1us);
  // 08:45 is closed time: exactly 30 of 300 working minutes left, still medium.
  const auto closed =
      evaluate_sla(kStart, due, kStart + hours(8) + minutes(45), kDefaults, calendar);
  EXPECT_EQ(closed.level, SlaLevel::medium);
  EXPECT_EQ(*closed.fraction_left, 0.1);
}

TEST(SlaEvaluation, WindowWithoutWorkingTimeIsHighUntilDue) {
  const FirstHalfOfEveryHour calendar;
  const auto start = kStart + minutes(35);
  const auto due = kStart + minutes(55);  // closed the whole time
  const auto e = evaluate_sla(start, due, start + minutes(1), kDefaults, calendar);
  EXPECT_EQ(e.level, SlaLevel::high);
  EXPECT_FALSE(e.fraction_left);
  EXPECT_EQ(e.next_change_at, due);
}

TEST(SlaEvaluation, AlwaysOpenCalendarCountsWallClockTime) {
  EXPECT_EQ(kAlwaysOpen.working_time(kStart, kStart + hours(3)), hours(3));
  EXPECT_EQ(kAlwaysOpen.working_time(kStart + hours(3), kStart), 0us);
  EXPECT_EQ(kAlwaysOpen.add_working_time(kStart, minutes(7)), kStart + minutes(7));
  EXPECT_EQ(kAlwaysOpen.add_working_time(kStart, -minutes(7)), kStart);
}

}  // namespace
}  // namespace ticketwatch::jobs

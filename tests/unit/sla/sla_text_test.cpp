#include "ticketwatch/jobs/sla_text.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::jobs {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::minutes;

const SlaInstant kDue = std::chrono::sys_days{std::chrono::May / 1 / 2024} + hours(12);

TEST(SlaText, FormatsInstantsAsUtcIsoWithWholeSeconds) {
  EXPECT_EQ(format_utc_iso(kDue), "2024-05-01T12:00:00Z");
  EXPECT_EQ(format_utc_iso(kDue + 59s + 999999us), "2024-05-01T12:00:59Z");
  EXPECT_EQ(format_utc_iso(SlaInstant{} - 1us), "1969-12-31T23:59:59Z");
}

TEST(SlaText, FormatsSpansWithAtMostTwoUnitsRoundedDown) {
  EXPECT_EQ(format_span(hours(2) + minutes(5) + 59s), "2h 5m");
  EXPECT_EQ(format_span(hours(3)), "3h");
  EXPECT_EQ(format_span(hours(76) + minutes(10)), "3d 4h");
  EXPECT_EQ(format_span(hours(48)), "2d");
  EXPECT_EQ(format_span(minutes(45) + 30s), "45m");
  EXPECT_EQ(format_span(12s + 900ms), "12s");
  EXPECT_EQ(format_span(-hours(3)), "3h");
}

TEST(SlaText, DescribesTimeLeftOverdueAndDueNow) {
  EXPECT_EQ(describe_time_left(hours(2) + minutes(5)), "2h 5m left");
  EXPECT_EQ(describe_time_left(-hours(3)), "overdue by 3h");
  EXPECT_EQ(describe_time_left(0us), "due now");
  EXPECT_EQ(describe_time_left(-999ms), "due now");
}

TEST(SlaText, TruncatesAtACharacterBoundaryAndMarksTheCut) {
  EXPECT_EQ(truncate_utf8("short", 10), "short");
  EXPECT_EQ(truncate_utf8("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(truncate_utf8("abcdefghijk", 10), "abcdefg…");
  // "ü" is two bytes: cutting inside it would leave invalid UTF-8.
  EXPECT_EQ(truncate_utf8("abcdeüüüüü", 9), "abcde…");
  EXPECT_EQ(truncate_utf8("abcdef", 2), "");
}

TEST(SlaText, NamesTheNotificationKindAfterTheLevel) {
  EXPECT_EQ(sla_notification_kind(SlaLevel::medium), "sla_medium");
  EXPECT_EQ(sla_notification_kind(SlaLevel::high), "sla_high");
  EXPECT_EQ(sla_notification_kind(SlaLevel::breached), "sla_breached");
}

TEST(SlaText, AtRiskNotificationNamesTicketLevelDueAndTimeLeft) {
  const auto text =
      sla_notification_text(42, "Printer on fire", SlaLevel::high, kDue, hours(2) + minutes(5));
  EXPECT_EQ(text.title, "SLA at risk: #42 Printer on fire (high)");
  EXPECT_EQ(text.body,
            "Ticket #42 \"Printer on fire\" is at high SLA risk: due 2024-05-01T12:00:00Z, "
            "2h 5m left.");
}

TEST(SlaText, BreachedNotificationSaysHowLongItIsOverdue) {
  const auto text = sla_notification_text(7, "VPN down", SlaLevel::breached, kDue, -hours(3));
  EXPECT_EQ(text.title, "SLA breached: #7 VPN down");
  EXPECT_EQ(
      text.body,
      "Ticket #7 \"VPN down\" has breached its SLA: due 2024-05-01T12:00:00Z, overdue by 3h.");
}

TEST(SlaText, LongTitlesAreShortenedInTitleAndBody) {
  const std::string title(1000, 'x');
  const auto text = sla_notification_text(1, title, SlaLevel::medium, kDue, hours(1));
  EXPECT_LT(text.title.size(), 120u);
  EXPECT_LT(text.body.size(), 300u);
  EXPECT_NE(text.title.find("…"), std::string::npos);
}

}  // namespace
}  // namespace ticketwatch::jobs

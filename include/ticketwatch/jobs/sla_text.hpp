#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ticketwatch/jobs/sla_evaluation.hpp"

namespace ticketwatch::jobs {

// "2024-05-01T12:00:00Z": UTC, whole seconds (rounded down), as people and JSON consumers read it.
std::string format_utc_iso(SlaInstant instant);

// A duration as people read it, two units at most, rounded down: "3d 4h", "2h 5m", "2h", "45m",
// "12s". The sign is ignored.
std::string format_span(std::chrono::microseconds span);

// "2h 5m left", "overdue by 3h", or "due now" within the same second.
std::string describe_time_left(std::chrono::microseconds time_left);

// At most max_bytes of text, cut at a character boundary and marked with "…" when cut.
// Ticket titles are application data of any length; notifications stay readable.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

struct SlaNotificationText {
  std::string title;
  std::string body;
};

// Title and body of the notification sent when a ticket reaches `level` (medium, high or
// breached), e.g. "SLA at risk: #42 Printer on fire (high)" /
// "Ticket #42 "Printer on fire" is at high SLA risk: due 2024-05-01T12:00:00Z, 2h 5m left."
SlaNotificationText sla_notification_text(std::int64_t ticket_id, std::string_view ticket_title,
                                          SlaLevel level, SlaInstant due,
                                          std::chrono::microseconds time_left);

// The notification kind of a level: "sla_medium", "sla_high", "sla_breached".
std::string sla_notification_kind(SlaLevel level);

}  // namespace ticketwatch::jobs

#include "ticketwatch/jobs/sla_text.hpp"

#include <fmt/format.h>

namespace ticketwatch::jobs {

namespace {

constexpr std::size_t kTitleExcerptBytes = 80;
constexpr std::size_t kBodyExcerptBytes = 200;
constexpr std::string_view kEllipsis = "…";

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string format_utc_iso(SlaInstant instant) {
  using namespace std::chrono;
  const auto day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss time{floor<seconds>(instant - day)};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::string format_span(std::chrono::microseconds span) {
  using namespace std::chrono;
  const auto total = duration_cast<seconds>(span < microseconds(0) ? -span : span).count();
  const auto d = total / 86400;
  const auto h = total % 86400 / 3600;
  const auto m = total % 3600 / 60;
  const auto s = total % 60;
  if (d > 0) return h > 0 ? fmt::format("{}d {}h", d, h) : fmt::format("{}d", d);
  if (h > 0) return m > 0 ? fmt::format("{}h {}m", h, m) : fmt::format("{}h", h);
  if (m > 0) return fmt::format("{}m", m);
  return fmt::format("{}s", s);
}

std::string describe_time_left(std::chrono::microseconds time_left) {
  using namespace std::chrono;
  if (duration_cast<seconds>(time_left) == seconds(0)) return "due now";
  if (time_left > microseconds(0)) return format_span(time_left) + " left";
  return "overdue by " + format_span(time_left);
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  if (max_bytes < kEllipsis.size()) return {};
  std::size_t cut = max_bytes - kEllipsis.size();
  while (cut > 0 && is_continuation_byte(text[cut])) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

std::string sla_notification_kind(SlaLevel level) {
  return "sla_" + std::string(to_string(level));
}

SlaNotificationText sla_notification_text(std::int64_t ticket_id, std::string_view ticket_title,
                                          SlaLevel level, SlaInstant due,
                                          std::chrono::microseconds time_left) {
  const auto short_title = truncate_utf8(ticket_title, kTitleExcerptBytes);
  const auto long_title = truncate_utf8(ticket_title, kBodyExcerptBytes);
  const auto when = fmt::format("due {}, {}", format_utc_iso(due), describe_time_left(time_left));
  if (level == SlaLevel::breached) {
    return {
        fmt::format("SLA breached: #{} {}", ticket_id, short_title),
        fmt::format("Ticket #{} \"{}\" has breached its SLA: {}.", ticket_id, long_title, when)};
  }
  return {fmt::format("SLA at risk: #{} {} ({})", ticket_id, short_title, to_string(level)),
          fmt::format("Ticket #{} \"{}\" is at {} SLA risk: {}.", ticket_id, long_title,
                      to_string(level), when)};
}

}  // namespace ticketwatch::jobs

#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ticketwatch::jobs {

// Ordered by risk: a level "rises" when it compares greater. Stored as these numbers in
// ticketwatch.sla_state (level_seen, level_notified), so never renumber them.
enum class SlaLevel : short { low = 0, medium = 1, high = 2, breached = 3 };

// "low", "medium", "high", "breached".
std::string_view to_string(SlaLevel level);
std::optional<SlaLevel> parse_sla_level(std::string_view name);
// nullopt for a number that is not a level (a corrupted state row).
std::optional<SlaLevel> sla_level_from_number(int number);

// PostgreSQL timestamptz precision: every instant the database hands us is exact here.
using SlaInstant = std::chrono::sys_time<std::chrono::microseconds>;

// Fractions of the SLA window still left below which a ticket is at medium / high risk.
// Valid when 0 < high < medium < 1 (the config loader enforces it).
struct SlaThresholds {
  double medium = 0.25;
  double high = 0.10;
};
bool valid(const SlaThresholds& thresholds);

// Which time counts towards an SLA. Today only AlwaysOpenCalendar (24×7); business hours,
// holidays and SLA pause are calendars that plug in here without touching the level arithmetic.
class SlaCalendar {
 public:
  virtual ~SlaCalendar() = default;
  // Working time in [from, to); zero when to <= from.
  virtual std::chrono::microseconds working_time(SlaInstant from, SlaInstant to) const = 0;
  // The earliest instant t >= from with working_time(from, t) >= amount (from itself when
  // amount <= 0).
  virtual SlaInstant add_working_time(SlaInstant from, std::chrono::microseconds amount) const = 0;
};

class AlwaysOpenCalendar final : public SlaCalendar {
 public:
  std::chrono::microseconds working_time(SlaInstant from, SlaInstant to) const override;
  SlaInstant add_working_time(SlaInstant from, std::chrono::microseconds amount) const override;
};

struct SlaEvaluation {
  SlaLevel level = SlaLevel::low;
  // Working time left / working time of the whole window, in [0, 1]; nullopt when the window
  // holds no working time (see evaluate_sla).
  std::optional<double> fraction_left;
  // Wall-clock due − now: what a person reads as "2h left"; negative once overdue.
  std::chrono::microseconds time_left{0};
  // The first instant at which the level is higher than `level` if nothing about the ticket
  // changes; nullopt once breached (the level cannot rise any more).
  std::optional<SlaInstant> next_change_at;
};

// The SLA level of a ticket whose window runs from `start` to `due`, seen at `now`:
//   breached  now >= due
//   high      fraction_left <  thresholds.high
//   medium    fraction_left <  thresholds.medium
//   low       otherwise
// where fraction_left = working_time(max(now, start), due) / working_time(start, due), computed
// as one correctly rounded double division so "exactly 25 % left" compares equal to the 0.25
// threshold (low) and "exactly 10 % left" to 0.10 (medium).
// A window without working time (due <= start, or only closed hours in between) has no fraction:
// the ticket is high until due and breached from due on; it can never be low or medium because
// no part of it is left. A ticket whose window has not started yet has its whole window left.
// Throws std::invalid_argument when the thresholds are not valid().
SlaEvaluation evaluate_sla(SlaInstant start, SlaInstant due, SlaInstant now,
                           const SlaThresholds& thresholds, const SlaCalendar& calendar);

}  // namespace ticketwatch::jobs

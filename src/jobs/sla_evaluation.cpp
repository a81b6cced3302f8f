#include "ticketwatch/jobs/sla_evaluation.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace ticketwatch::jobs {

namespace {

constexpr std::array<std::string_view, 4> kLevelNames{"low", "medium", "high", "breached"};

// The level of a ticket that is not yet due, from the working time left of a non-empty window.
SlaLevel level_for(std::chrono::microseconds left, std::chrono::microseconds window,
                   const SlaThresholds& thresholds) {
  const double fraction = static_cast<double>(left.count()) / static_cast<double>(window.count());
  if (fraction < thresholds.high) return SlaLevel::high;
  if (fraction < thresholds.medium) return SlaLevel::medium;
  return SlaLevel::low;
}

// The least working time elapsed since start at which the level reaches `target` (medium or
// high), searched above `elapsed_now` where it is still below. The level only rises as working
// time elapses, and it is high at the very end of the window, so the answer exists; bisection
// over whole microseconds keeps it exact however the threshold rounds.
std::chrono::microseconds elapsed_when_reaching(SlaLevel target,
                                                std::chrono::microseconds elapsed_now,
                                                std::chrono::microseconds window,
                                                const SlaThresholds& thresholds) {
  auto lo = elapsed_now;  // level < target here
  auto hi = window;       // level == high >= target here: no time left
  while (hi - lo > std::chrono::microseconds(1)) {
    const auto mid = lo + (hi - lo) / 2;
    if (level_for(window - mid, window, thresholds) >= target) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

}  // namespace

std::string_view to_string(SlaLevel level) {
  return kLevelNames.at(static_cast<std::size_t>(level));
}

std::optional<SlaLevel> parse_sla_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<SlaLevel>(i);
  }
  return std::nullopt;
}

std::optional<SlaLevel> sla_level_from_number(int number) {
  if (number < 0 || number >= static_cast<int>(kLevelNames.size())) return std::nullopt;
  return static_cast<SlaLevel>(number);
}

bool valid(const SlaThresholds& thresholds) {
  return 0.0 < thresholds.high && thresholds.high < thresholds.medium && thresholds.medium < 1.0;
}

std::chrono::microseconds AlwaysOpenCalendar::working_time(SlaInstant from, SlaInstant to) const {
  return to > from ? to - from : std::chrono::microseconds(0);
}

SlaInstant AlwaysOpenCalendar::add_working_time(SlaInstant from,
                                                std::chrono::microseconds amount) const {
  return amount > std::chrono::microseconds(0) ? from + amount : from;
}

SlaEvaluation evaluate_sla(SlaInstant start, SlaInstant due, SlaInstant now,
                           const SlaThresholds& thresholds, const SlaCalendar& calendar) {
  if (!valid(thresholds)) {
    throw std::invalid_argument("SLA thresholds must satisfy 0 < high < medium < 1");
  }
  SlaEvaluation result;
  result.time_left = due - now;
  if (now >= due) {
    result.level = SlaLevel::breached;
    const auto window = calendar.working_time(start, due);
    if (window > std::chrono::microseconds(0)) result.fraction_left = 0.0;
    return result;
  }

  const auto window = calendar.working_time(start, due);
  if (window <= std::chrono::microseconds(0)) {
    result.level = SlaLevel::high;
    result.next_change_at = due;
    return result;
  }

  const auto from = std::max(now, start);
  const auto left = calendar.working_time(from, due);
  result.fraction_left = static_cast<double>(left.count()) / static_cast<double>(window.count());
  result.level = level_for(left, window, thresholds);
  if (result.level == SlaLevel::high) {
    result.next_change_at = due;
  } else {
    const auto target = static_cast<SlaLevel>(static_cast<short>(result.level) + 1);
    const auto elapsed = elapsed_when_reaching(target, window - left, window, thresholds);
    result.next_change_at = calendar.add_working_time(start, elapsed);
  }
  return result;
}

}  // namespace ticketwatch::jobs

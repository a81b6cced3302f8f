#include "ticketwatch/scheduler/timing.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace ticketwatch::scheduler {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

steady_clock::time_point next_tick(steady_clock::time_point origin, milliseconds interval,
                                   steady_clock::time_point now) {
  if (interval <= milliseconds::zero()) {
    throw std::invalid_argument("tick interval must be positive");
  }
  if (now < origin + interval) {
    return origin + interval;
  }
  // Integer division floors, so this is the first grid point strictly after now.
  const auto ticks_passed = (now - origin) / interval;
  return origin + (ticks_passed + 1) * interval;
}

milliseconds retry_delay(milliseconds first, milliseconds cap, int failed_attempts) {
  if (first >= cap) {
    return cap;
  }
  milliseconds delay = first;
  for (int n = 1; n < failed_attempts; ++n) {
    // Compare before doubling so a large attempt count cannot overflow.
    if (delay >= cap / 2) {
      return cap;
    }
    delay *= 2;
  }
  return delay;
}

std::string format_duration(milliseconds duration) {
  if (duration == milliseconds::zero()) {
    return "0ms";
  }
  std::string text;
  if (duration < milliseconds::zero()) {
    text = "-";
    duration = -duration;
  }
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(duration);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(duration - hours);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration - hours - minutes);
  const auto millis = duration - hours - minutes - seconds;
  if (hours.count() != 0) {
    text += fmt::format("{}h", hours.count());
  }
  if (minutes.count() != 0) {
    text += fmt::format("{}m", minutes.count());
  }
  if (seconds.count() != 0) {
    text += fmt::format("{}s", seconds.count());
  }
  if (millis.count() != 0) {
    text += fmt::format("{}ms", millis.count());
  }
  return text;
}

std::string format_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  // floor, not duration_cast, so instants before 1970 still land on the right day and second.
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss clock{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

}  // namespace ticketwatch::scheduler

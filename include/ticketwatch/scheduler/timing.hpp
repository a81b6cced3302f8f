#pragma once

#include <chrono>
#include <string>

namespace ticketwatch::scheduler {

// The first tick of the fixed-rate grid origin + k·interval (k ≥ 1) that lies strictly after
// `now`. Ticks that passed while a run was in flight or the process was suspended are skipped,
// never replayed.
std::chrono::steady_clock::time_point next_tick(std::chrono::steady_clock::time_point origin,
                                                std::chrono::milliseconds interval,
                                                std::chrono::steady_clock::time_point now);

// The wait after the n-th failed attempt (n ≥ 1): first · 2^(n−1), capped at `cap`, without
// overflowing however large n gets.
std::chrono::milliseconds retry_delay(std::chrono::milliseconds first,
                                      std::chrono::milliseconds cap, int failed_attempts);

// "250ms", "1s500ms", "15m", "1h30m": the units config files use, so log lines and errors read
// like the settings that produced them. Zero is "0ms".
std::string format_duration(std::chrono::milliseconds duration);

// ISO-8601 UTC with milliseconds, e.g. "2024-03-01T12:00:00.250Z".
std::string format_utc(std::chrono::system_clock::time_point time);

}  // namespace ticketwatch::scheduler

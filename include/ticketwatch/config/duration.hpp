#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketwatch::config {

// Parses "250ms", "90s", "15m", "1h", "30d" (one integer and one unit). nullopt on anything else:
// no sign, no fraction, no spaces, no missing unit, nothing that overflows milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling: 900000ms -> "15m", 90000ms -> "90s", 0 -> "0s".
// parse_duration(format_duration(d)) == d for every d >= 0.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace ticketwatch::config

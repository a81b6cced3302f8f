#include "ticketwatch/config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace ticketwatch::config {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// Largest first, so format_duration picks the shortest spelling.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 24LL * 60 * 60 * 1000},
    {"h", 60LL * 60 * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  const std::string_view suffix = text.substr(digits);
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    // Accumulate in milliseconds and stop before the product leaves int64: "9999999999999d"
    // must be an error, not a wrapped-around negative duration.
    const std::int64_t limit = std::numeric_limits<std::int64_t>::max() / unit.ms;
    std::int64_t count = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const int digit = text[i] - '0';
      if (count > (limit - digit) / 10) return std::nullopt;
      count = count * 10 + digit;
    }
    return std::chrono::milliseconds(count * unit.ms);
  }
  return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (const Unit& unit : kUnits) {
    if (ms % unit.ms == 0) return std::to_string(ms / unit.ms) + std::string(unit.suffix);
  }
  return std::to_string(ms) + "ms";  // unreachable: every count is a multiple of 1ms
}

}  // namespace ticketwatch::config

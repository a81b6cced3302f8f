#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketwatch::config::detail {

// The candidate a typo most likely meant ("intervall" -> "interval", "warn" -> "warning"), or
// nullopt when none is close enough to be worth suggesting.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// " (did you mean \"x\"?)" or "" — ready to append to a message.
std::string did_you_mean(const std::optional<std::string>& suggestion);

}  // namespace ticketwatch::config::detail

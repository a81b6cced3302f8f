#include "rule_json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace ticketwatch::jobs::detail {
namespace {

constexpr std::size_t kMaxDescribed = 40;

std::string expected_integer(std::int64_t min) {
  if (min == 0) return "expected a non-negative integer";
  if (min == 1) return "expected a positive integer";
  return fmt::format("expected an integer of at least {}", min);
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters ("hihg") each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

template <typename Range>
std::string closest(std::string_view text, const Range& candidates) {
  // A third of the word (at least 1, at most 3 edits) separates a typo from a different word.
  const std::size_t limit = std::clamp<std::size_t>(text.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::string_view name(candidate);
    // A cut-short name ("team" for "team_id") is as clear a typo as a misspelt one.
    const bool prefix = text.size() >= 3 && name.size() > text.size() && name.starts_with(text);
    const std::size_t d = prefix ? 1 : edit_distance(text, name);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string join_path(std::string_view parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string describe(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMaxDescribed) {
    text.resize(kMaxDescribed);
    text += "...";
  }
  return text;
}

std::string suggest(std::string_view text, std::initializer_list<std::string_view> candidates) {
  return closest(text, candidates);
}

std::string suggest(std::string_view text, const std::vector<std::string>& candidates) {
  return closest(text, candidates);
}

void JsonReader::error(std::string path, std::string message) {
  errors_.push_back(FieldError{std::move(path), std::move(message)});
}

void JsonReader::reject_unknown_keys(const nlohmann::json& object, std::string_view path,
                                     std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string allowed_list;
    for (std::string_view name : allowed) {
      allowed_list += allowed_list.empty() ? "" : ", ";
      allowed_list += name;
    }
    const std::string hint = suggest(key, allowed);
    error(join_path(path, key), hint.empty()
                                    ? fmt::format("unknown key (allowed: {})", allowed_list)
                                    : fmt::format("unknown key (did you mean \"{}\"?)", hint));
  }
}

std::optional<std::int64_t> JsonReader::integer_value(const nlohmann::json& value,
                                                      std::string_view path, std::int64_t min,
                                                      std::int64_t max) {
  if (!value.is_number_integer()) {
    error(std::string(path), fmt::format("{}, got {}", expected_integer(min), describe(value)));
    return std::nullopt;
  }
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    error(std::string(path), fmt::format("expected at most {}, got {}", max, describe(value)));
    return std::nullopt;
  }
  const auto number = value.get<std::int64_t>();
  if (number < min) {
    error(std::string(path), fmt::format("{}, got {}", expected_integer(min), describe(value)));
    return std::nullopt;
  }
  if (number > max) {
    error(std::string(path), fmt::format("expected at most {}, got {}", max, number));
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> JsonReader::string_value(const nlohmann::json& value,
                                                    std::string_view path) {
  if (!value.is_string()) {
    error(std::string(path), fmt::format("expected a string, got {}", describe(value)));
    return std::nullopt;
  }
  auto text = value.get<std::string>();
  if (text.empty()) {
    error(std::string(path), "expected a non-empty string, got \"\"");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> JsonReader::required_integer(const nlohmann::json& object,
                                                         std::string_view key,
                                                         std::string_view path, std::int64_t min,
                                                         std::int64_t max) {
  const auto found = object.find(key);
  if (found == object.end()) {
    error(join_path(path, key), "required field missing");
    return std::nullopt;
  }
  return integer_value(*found, join_path(path, key), min, max);
}

std::optional<std::int64_t> JsonReader::optional_integer(const nlohmann::json& object,
                                                         std::string_view key,
                                                         std::string_view path, std::int64_t min,
                                                         std::int64_t max) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  return integer_value(*found, join_path(path, key), min, max);
}

std::optional<std::string> JsonReader::required_string(const nlohmann::json& object,
                                                       std::string_view key,
                                                       std::string_view path) {
  const auto found = object.find(key);
  if (found == object.end()) {
    error(join_path(path, key), "required field missing");
    return std::nullopt;
  }
  return string_value(*found, join_path(path, key));
}

std::optional<std::string> JsonReader::optional_string(const nlohmann::json& object,
                                                       std::string_view key,
                                                       std::string_view path) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  return string_value(*found, join_path(path, key));
}

}  // namespace ticketwatch::jobs::detail

#pragma once

// Private to the rule parser: reads typed fields out of a rule's JSON and records, instead of
// throwing, every problem with the JSON path of the field it concerns.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketwatch::jobs::detail {

struct FieldError {
  std::string path;
  std::string message;
};

// "condition" + "status" -> "condition.status"; "actions" + 2 -> "actions[2]".
std::string join_path(std::string_view parent, std::string_view key);
std::string join_path(std::string_view parent, std::size_t index);

// A short rendering of a value for "got ..." in messages: strings quoted, long values cut.
std::string describe(const nlohmann::json& value);

// The closest of `candidates` to `text` when it looks like a typo of it, else empty.
std::string suggest(std::string_view text, std::initializer_list<std::string_view> candidates);
std::string suggest(std::string_view text, const std::vector<std::string>& candidates);

class JsonReader {
 public:
  void error(std::string path, std::string message);
  const std::vector<FieldError>& errors() const { return errors_; }
  bool failed_since(std::size_t mark) const { return errors_.size() > mark; }
  std::size_t mark() const { return errors_.size(); }

  // Errors for every key of `object` not in `allowed` (typos: "did you mean ...?").
  void reject_unknown_keys(const nlohmann::json& object, std::string_view path,
                           std::initializer_list<std::string_view> allowed);

  // Required fields: an error when missing or mistyped. Optional fields: absent or null is fine.
  std::optional<std::int64_t> required_integer(const nlohmann::json& object, std::string_view key,
                                               std::string_view path, std::int64_t min,
                                               std::int64_t max);
  std::optional<std::int64_t> optional_integer(const nlohmann::json& object, std::string_view key,
                                               std::string_view path, std::int64_t min,
                                               std::int64_t max);
  std::optional<std::string> required_string(const nlohmann::json& object, std::string_view key,
                                             std::string_view path);
  std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view key,
                                             std::string_view path);

  // The value itself (not a field of an object), e.g. an array element.
  std::optional<std::int64_t> integer_value(const nlohmann::json& value, std::string_view path,
                                            std::int64_t min, std::int64_t max);
  std::optional<std::string> string_value(const nlohmann::json& value, std::string_view path);

 private:
  std::vector<FieldError> errors_;
};

}  // namespace ticketwatch::jobs::detail

#include "field.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "suggest.hpp"
#include "ticketwatch/config/duration.hpp"
#include "ticketwatch/config/listen_address.hpp"

namespace ticketwatch::config::detail {
namespace {

constexpr std::string_view kDurationUnits = "ms, s, m, h, d";

// A value echoed in a message: quoted, escaped, and short enough for one log line.
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "...";
  return out + "\"";
}

std::string duration_problem(std::string_view text) {
  if (text.empty()) return "it is empty";
  if (text.front() == '-') return "durations cannot be negative";
  if (text.find_first_of(" \t") != std::string_view::npos) return "it contains spaces";
  if (text.find_first_of(".,") != std::string_view::npos) {
    return "fractions are not allowed; use a smaller unit (\"90m\", not \"1.5h\")";
  }
  const std::size_t digits = text.find_first_not_of("0123456789");
  if (digits == std::string_view::npos) return "the unit is missing";
  if (digits == 0) return "it does not start with a number";
  const std::string_view suffix = text.substr(digits);
  if (suffix.find_first_of("0123456789") != std::string_view::npos) {
    return "it combines several units; use one (\"90m\", not \"1h30m\")";
  }
  return fmt::format("unknown unit {}", quote(suffix));
}

bool is_unit(std::string_view text) {
  const std::size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) return false;
  const std::string_view suffix = text.substr(digits);
  return suffix == "ms" || suffix == "s" || suffix == "m" || suffix == "h" || suffix == "d";
}

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

constexpr std::array<std::string_view, 4> kRoleNames{"creator", "assignee", "team_leader",
                                                     "followers"};

}  // namespace

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string " + quote(node.as_string()->get());
    case toml::node_type::integer:
      return fmt::format("integer {}", node.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("float {}", node.as_floating_point()->get());
    case toml::node_type::boolean:
      return fmt::format("boolean {}", node.as_boolean()->get());
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

void Field::fail(const toml::node& at, std::string message) {
  diagnostics_.error(at.source().begin, key_, std::move(message));
}

void Field::fail_type(const toml::node& at, std::string_view expected) {
  fail(at, fmt::format("expected {}, got {}", expected, describe(at)));
}

bool Field::read(bool& out) {
  const auto* value = node_.as_boolean();
  if (value == nullptr) {
    fail_type(node_, "a boolean (true or false)");
    return false;
  }
  out = value->get();
  return true;
}

bool Field::read(std::string& out) {
  const auto* value = node_.as_string();
  if (value == nullptr) {
    fail_type(node_, "a string");
    return false;
  }
  // Every string ends up in a C API (libpq, sockets, file names) where NUL silently truncates.
  if (value->get().find('\0') != std::string::npos) {
    fail(node_, "must not contain a NUL character");
    return false;
  }
  out = value->get();
  return true;
}

void Field::read_printable(std::string& out) {
  std::string text = out;
  if (!read(text)) return;
  const bool control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (control) return fail(node_, "must not contain control characters");
  out = std::move(text);
}

void Field::read_non_empty(std::string& out) {
  std::string text = out;
  if (!read(text)) return;
  if (text.empty()) return fail(node_, "must not be empty");
  out = std::move(text);
}

void Field::read_choice(std::string& out, std::span<const std::string_view> choices) {
  std::string text = out;
  if (!read(text)) return;
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
    const std::vector<std::string_view> candidates(choices.begin(), choices.end());
    return fail(node_, fmt::format("unknown value {}{}; expected one of {}", quote(text),
                                   did_you_mean(closest_match(text, candidates)), join(choices)));
  }
  out = std::move(text);
}

void Field::read_integer(int& out, int min, int max) {
  const auto* value = node_.as_integer();
  if (value == nullptr) return fail_type(node_, "an integer");
  if (value->get() < min || value->get() > max) {
    return fail(node_, fmt::format("must be between {} and {}, got {}", min, max, value->get()));
  }
  out = static_cast<int>(value->get());
}

void Field::read_fraction(double& out) {
  double number = 0;
  if (const auto* f = node_.as_floating_point()) {
    number = f->get();
  } else if (const auto* i = node_.as_integer()) {
    number = static_cast<double>(i->get());
  } else {
    return fail_type(node_, "a number");
  }
  // Written so that NaN fails too.
  if (!(number > 0.0 && number < 1.0)) {
    return fail(node_, fmt::format("must be greater than 0 and less than 1, got {}", number));
  }
  out = number;
}

void Field::read_duration(std::chrono::milliseconds& out) {
  const auto* value = node_.as_string();
  if (value == nullptr) {
    return fail_type(node_, "a duration string with a unit such as \"90s\" or \"15m\"");
  }
  const std::string& text = value->get();
  const std::optional<std::chrono::milliseconds> parsed = parse_duration(text);
  if (!parsed && is_unit(text)) {
    return fail(node_, fmt::format("duration {} is too large (at most {})", quote(text),
                                   format_duration(kMaxDuration)));
  }
  if (!parsed) {
    return fail(node_, fmt::format("invalid duration {}: {}; write a whole number and a unit ({}), "
                                   "e.g. \"90s\" or \"15m\"",
                                   quote(text), duration_problem(text), kDurationUnits));
  }
  if (parsed->count() == 0) return fail(node_, "must be greater than 0");
  if (*parsed > kMaxDuration) {
    return fail(node_, fmt::format("duration {} is too large (at most {})", quote(text),
                                   format_duration(kMaxDuration)));
  }
  out = *parsed;
}

const toml::array* Field::as_array_of_strings() {
  const auto* array = node_.as_array();
  if (array == nullptr) {
    fail_type(node_, "an array of strings");
    return nullptr;
  }
  bool all_strings = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    if (!item.is_string()) {
      fail(item, fmt::format("item {}: expected a string, got {}", i + 1, describe(item)));
      all_strings = false;
    }
  }
  return all_strings ? array : nullptr;
}

void Field::read_names(std::vector<std::string>& out, std::size_t min_items) {
  const toml::array* array = as_array_of_strings();
  if (array == nullptr) return;
  if (array->size() < min_items) {
    return fail(node_, fmt::format("must list at least {} {}, got {}", min_items,
                                   min_items == 1 ? "name" : "names", array->size()));
  }
  std::vector<std::string> names;
  bool valid = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const std::string& name = item.as_string()->get();
    const auto first = std::find(names.begin(), names.end(), name);
    if (name.empty()) {
      fail(item, fmt::format("item {}: must not be empty", i + 1));
      valid = false;
    } else if (name.front() == ' ' || name.back() == ' ' || name.find('\0') != std::string::npos) {
      fail(item, fmt::format("item {}: {} has leading or trailing spaces or a NUL character", i + 1,
                             quote(name)));
      valid = false;
    } else if (first != names.end()) {
      fail(item, fmt::format("item {}: {} is listed twice (first as item {})", i + 1, quote(name),
                             first - names.begin() + 1));
      valid = false;
    }
    names.push_back(name);
  }
  if (valid) out = std::move(names);
}

void Field::read_roles(std::vector<Role>& out) {
  const toml::array* array = as_array_of_strings();
  if (array == nullptr) return;
  std::vector<Role> roles;
  bool valid = true;
  const std::vector<std::string_view> candidates(kRoleNames.begin(), kRoleNames.end());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const std::string& name = item.as_string()->get();
    const std::optional<Role> role = parse_role(name);
    if (!role) {
      fail(item, fmt::format("item {}: unknown role {}{}; roles are {}", i + 1, quote(name),
                             did_you_mean(closest_match(name, candidates)), join(kRoleNames)));
      valid = false;
      continue;
    }
    if (std::find(roles.begin(), roles.end(), *role) != roles.end()) {
      fail(item, fmt::format("item {}: role {} is listed twice", i + 1, quote(name)));
      valid = false;
      continue;
    }
    roles.push_back(*role);
  }
  if (valid) out = std::move(roles);
}

void Field::read_absolute_path(std::string& out, bool allow_empty, std::size_t max_bytes) {
  std::string path = out;
  if (!read(path)) return;
  if (path.empty() && !allow_empty) return fail(node_, "must not be empty");
  if (!path.empty() && path.front() != '/') {
    return fail(node_, fmt::format("must be an absolute path, got {}", quote(path)));
  }
  if (max_bytes != 0 && path.size() > max_bytes) {
    return fail(node_, fmt::format("is {} bytes long; at most {} fit", path.size(), max_bytes));
  }
  out = std::move(path);
}

void Field::read_listen_address(std::string& out) {
  std::string text = out;
  if (!read(text)) return;
  if (text.empty() || parse_listen_address(text)) {
    out = std::move(text);
    return;
  }
  const std::size_t colon = text.rfind(':');
  const std::string_view port =
      colon == std::string::npos ? std::string_view() : std::string_view(text).substr(colon + 1);
  std::string problem = "the host is not a valid IP address or host name";
  if (colon == std::string::npos || port.empty()) {
    problem = "the port is missing";
  } else if (port.find_first_not_of("0123456789") == std::string_view::npos &&
             (port.size() > 5 || std::stoi(std::string(port)) < 1 ||
              std::stoi(std::string(port)) > 65535)) {
    problem = "the port must be between 1 and 65535";
  } else if (text.front() != '[' && text.find(':') != colon) {
    problem = "an IPv6 address needs brackets, as in \"[::1]:9464\"";
  }
  fail(node_, fmt::format("invalid listen address {}: {}; expected \"host:port\", "
                          "\"[ipv6]:port\", or \"\" to disable",
                          quote(text), problem));
}

}  // namespace ticketwatch::config::detail

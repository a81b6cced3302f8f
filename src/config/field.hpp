#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "ticketwatch/config/config.hpp"

namespace ticketwatch::config::detail {

// Longest duration any key accepts: keeps "now + interval" far from overflowing a clock.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 3650);

// One value of the file being read into the config. Every read_* assigns `out` only when the
// value is valid, and otherwise reports why at the value's position under the dotted key.
class Field {
 public:
  Field(const toml::node& node, std::string_view key, Diagnostics& diagnostics)
      : node_(node), key_(key), diagnostics_(diagnostics) {}

  bool read(bool& out);
  bool read(std::string& out);
  // A string without control characters (it ends up in logs and status lines).
  void read_printable(std::string& out);
  void read_choice(std::string& out, std::span<const std::string_view> choices);
  void read_integer(int& out, int min, int max);
  // A fraction strictly between 0 and 1.
  void read_fraction(double& out);
  // A string such as "15m", greater than zero and at most kMaxDuration.
  void read_duration(std::chrono::milliseconds& out);
  // Non-empty, unique strings without surrounding spaces; at least `min_items` of them.
  void read_names(std::vector<std::string>& out, std::size_t min_items);
  // Known role names, each at most once.
  void read_roles(std::vector<Role>& out);
  // An absolute path; "" too when `allow_empty`. `max_bytes` 0 means no limit.
  void read_absolute_path(std::string& out, bool allow_empty, std::size_t max_bytes);
  // "host:port", "[v6]:port" or "" (disabled).
  void read_listen_address(std::string& out);
  void read_non_empty(std::string& out);

 private:
  const toml::node& node_;
  std::string_view key_;
  Diagnostics& diagnostics_;

  void fail(const toml::node& at, std::string message);
  void fail_type(const toml::node& at, std::string_view expected);
  const toml::array* as_array_of_strings();
};

// "string \"x\"", "integer 15", "table", ... for messages about what was found.
std::string describe(const toml::node& node);

}  // namespace ticketwatch::config::detail

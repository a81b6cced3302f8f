#pragma once

#include <toml++/toml.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ticketwatch/config/loader.hpp"

namespace ticketwatch::config::detail {

// Collects every error and warning of one load, each tied to a position and a dotted key.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void error(const toml::source_position& at, std::string_view key, std::string message);
  void warning(const toml::source_position& at, std::string_view key, std::string message);

  // Whether any error was reported for `key`: cross-key checks skip such keys so that one
  // mistake is not reported twice.
  bool failed(std::string_view key) const;
  bool has_errors() const { return !errors_.empty(); }
  const std::string& file() const { return file_; }

  // Sorted by position; tables are not iterated in file order, readers expect the file's order.
  std::vector<ConfigError> take_errors();
  std::vector<ConfigError> take_warnings();

 private:
  ConfigError make(const toml::source_position& at, std::string_view key,
                   std::string message) const;

  std::string file_;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> warnings_;
  std::set<std::string, std::less<>> failed_keys_;
};

}  // namespace ticketwatch::config::detail

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::config {

inline constexpr const char* kDefaultConfigPath = "/etc/ticketwatch/ticketwatch.toml";

// One problem found in a config file. Parsing failure is normal input, so it travels as a value.
struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem has no position (missing file)
  int column = 0;  // 1-based
  std::string key;  // dotted path, e.g. "jobs.sla-monitor.interval"; empty for syntax errors
  std::string message;

  // "file:line:column: key: message"
  std::string to_string() const;
};

// Either a valid Config or every error found (not only the first).
class LoadResult {
 public:
  explicit LoadResult(Config config) : value_(std::move(config)) {}
  explicit LoadResult(std::vector<ConfigError> errors) : value_(std::move(errors)) {}

  bool ok() const { return std::holds_alternative<Config>(value_); }
  const Config& config() const { return std::get<Config>(value_); }
  Config& config() { return std::get<Config>(value_); }
  const std::vector<ConfigError>& errors() const { return std::get<std::vector<ConfigError>>(value_); }

 private:
  std::variant<Config, std::vector<ConfigError>> value_;
};

LoadResult load_file(const std::filesystem::path& path);
// `source_name` is used in error positions.
LoadResult load_string(std::string_view toml_text, std::string_view source_name);

}  // namespace ticketwatch::config
